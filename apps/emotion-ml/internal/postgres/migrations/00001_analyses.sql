-- +goose Up
-- One row per analysed request: a letter's first analysis (job_key '') and
-- each re-analysis job that asked for it. It holds ids and the verdict,
-- never the letter's text; it makes analysis idempotent per (letter, job).
CREATE TABLE analyses (
    letter_id   uuid        NOT NULL,
    job_key     text        NOT NULL,
    user_id     uuid        NOT NULL,
    mood        text        NOT NULL,
    detailed    text        NOT NULL,
    analyzer    text        NOT NULL,
    analyzed_at timestamptz NOT NULL,
    PRIMARY KEY (letter_id, job_key)
);
CREATE INDEX analyses_user ON analyses (user_id);

-- +goose Down
DROP TABLE analyses;
