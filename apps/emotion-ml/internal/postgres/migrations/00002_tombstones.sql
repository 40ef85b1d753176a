-- +goose Up
-- Users whose account was deleted: no write for them is accepted again
-- (apps/platform/tombstone, whose migration this copies). Kept for good.
CREATE TABLE tombstones (
    user_id   uuid        PRIMARY KEY,
    buried_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE tombstones;
