-- +goose Up
-- Users whose account was deleted: no write for them is accepted again
-- (apps/platform/tombstone). Kept for good: a deleted id never comes back.
CREATE TABLE tombstones (
    user_id   uuid        PRIMARY KEY,
    buried_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE tombstones;
