-- +goose Up
-- Writing routines: weekly on a weekday or monthly on a day of the month,
-- at a wall-clock time in the owner's timezone (kept in user-service).
CREATE TABLE routines (
    id           uuid        PRIMARY KEY,
    user_id      uuid        NOT NULL,
    title        text        NOT NULL CHECK (char_length(title) BETWEEN 1 AND 50),
    kind         text        NOT NULL CHECK (kind IN ('weekly', 'monthly')),
    weekday      text        CHECK (weekday IN ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')),
    day_of_month smallint    CHECK (day_of_month BETWEEN 1 AND 31),
    local_time   time(0)     NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    CHECK ((kind = 'weekly' AND weekday IS NOT NULL AND day_of_month IS NULL)
        OR (kind = 'monthly' AND day_of_month IS NOT NULL AND weekday IS NULL))
);
CREATE INDEX routines_user_created ON routines (user_id, created_at, id);

-- Special dates: a name and a date, once or every year.
CREATE TABLE special_dates (
    id          uuid        PRIMARY KEY,
    user_id     uuid        NOT NULL,
    name        text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 50),
    date        date        NOT NULL,
    yearly      boolean     NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX special_dates_user_created ON special_dates (user_id, created_at, id);

-- +goose Down
DROP TABLE special_dates;
DROP TABLE routines;
