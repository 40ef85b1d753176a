-- +goose Up
-- Letters. Title and content are AES-256-GCM ciphertexts (nonce‖ct‖tag)
-- under key_id, with the letter id as associated data: a dump of this
-- table holds no letter text. Mood and sub-mood come from emotion.analyzed
-- and are only shown once the letter is open.
CREATE TABLE letters (
    id               uuid        PRIMARY KEY,
    user_id          uuid        NOT NULL,
    key_id           text        NOT NULL,
    title_ct         bytea       NOT NULL,
    content_ct       bytea       NOT NULL,
    open_date        date        NOT NULL,
    open_time        text        NOT NULL CHECK (open_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
    open_at          timestamptz NOT NULL,
    timezone         text        NOT NULL,
    image_ids        uuid[]      NOT NULL DEFAULT '{}',
    mood             text,
    detailed_mood    text,
    mood_analyzed_at timestamptz,
    created_at       timestamptz NOT NULL
);

-- The list: the caller's letters, newest first, keyset pagination.
CREATE INDEX letters_user_created ON letters (user_id, created_at DESC, id DESC);

-- +goose Down
DROP TABLE letters;
