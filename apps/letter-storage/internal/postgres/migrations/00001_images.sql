-- +goose Up
-- One row per stored image. The bytes live in the images binding under
-- object_key; a row without its object (upload interrupted) is unattached
-- and swept after UNATTACHED_TTL.
CREATE TABLE images (
    id           uuid        PRIMARY KEY,
    user_id      uuid        NOT NULL,
    object_key   text        NOT NULL UNIQUE,
    content_type text        NOT NULL,
    size         bigint      NOT NULL CHECK (size > 0),
    sha256       text        NOT NULL,
    letter_id    uuid,
    open_at      timestamptz,
    created_at   timestamptz NOT NULL,
    CHECK ((letter_id IS NULL) = (open_at IS NULL))
);

CREATE INDEX images_user_id_idx ON images (user_id);
CREATE INDEX images_letter_id_idx ON images (letter_id) WHERE letter_id IS NOT NULL;
CREATE INDEX images_unattached_idx ON images (created_at) WHERE letter_id IS NULL;

-- +goose Down
DROP TABLE images;
