-- +goose Up
-- A profile's avatar is an uploaded image like any other, kept (not swept
-- as unattached) while it is its owner's avatar. One per user.
ALTER TABLE images ADD COLUMN avatar boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX images_one_avatar_idx ON images (user_id) WHERE avatar;

-- +goose Down
DROP INDEX images_one_avatar_idx;
ALTER TABLE images DROP COLUMN avatar;
