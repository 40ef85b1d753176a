-- +goose Up
-- Users whose account was deleted: no write for them is accepted again
-- (apps/platform/tombstone, whose migration this copies). Kept for good.
-- They replace deleted_users, which was pruned after 30 days.
CREATE TABLE tombstones (
    user_id   uuid        PRIMARY KEY,
    buried_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO tombstones (user_id, buried_at) SELECT user_id, deleted_at FROM deleted_users;
DROP TABLE deleted_users;

-- +goose Down
CREATE TABLE deleted_users (
    user_id    uuid        PRIMARY KEY,
    deleted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deleted_users_deleted_at ON deleted_users (deleted_at);
INSERT INTO deleted_users (user_id, deleted_at) SELECT user_id, buried_at FROM tombstones;
DROP TABLE tombstones;
