-- +goose Up
-- Due work: one row per (kind, source). due_at is the UTC instant of the
-- next occurrence, named stably by occurrence (notification.requested's id
-- is kind:source_id:occurrence). Recurring rows carry their schedule so the
-- sweep can move them to the next occurrence. Done and cancelled rows stay
-- as tombstones: a late or republished event must not bring work back.
CREATE TABLE due_work (
    kind          text        NOT NULL CHECK (kind IN ('letter_opened', 'routine_reminder', 'special_date')),
    source_id     uuid        NOT NULL,
    user_id       uuid        NOT NULL,
    state         text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'cancelled')),
    due_at        timestamptz NOT NULL,
    occurrence    text        NOT NULL,
    -- Schedule of recurring work (NULL for letters). repeat: weekly |
    -- monthly (routines), yearly | once (special dates); weekday 0 = Sunday.
    repeat        text        CHECK (repeat IN ('weekly', 'monthly', 'yearly', 'once')),
    weekday       smallint    CHECK (weekday BETWEEN 0 AND 6),
    day_of_month  smallint    CHECK (day_of_month BETWEEN 1 AND 31),
    date          date,
    time_of_day   text        CHECK (time_of_day ~ '^[0-2][0-9]:[0-5][0-9]$'),
    timezone      text,
    -- What the mail needs (title, open_at, name); never a letter's content.
    data          jsonb       NOT NULL DEFAULT '{}',
    -- The source's version (its updated_at): an older event never
    -- overwrites a newer one. 'infinity' on cancelled rows.
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (kind, source_id),
    CHECK (kind = 'letter_opened' OR (repeat IS NOT NULL AND time_of_day IS NOT NULL AND timezone IS NOT NULL) OR state = 'cancelled')
);

-- The sweep's claim: pending rows by due time.
CREATE INDEX due_work_due ON due_work (due_at) WHERE state = 'pending';
-- user.deleted purges.
CREATE INDEX due_work_user ON due_work (user_id);

-- +goose Down
DROP TABLE due_work;
