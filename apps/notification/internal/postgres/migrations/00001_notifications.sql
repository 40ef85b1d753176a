-- +goose Up
-- One row per notification.requested id: the history the user sees and the
-- claim that makes delivery exactly-once. The primary key is the claim: a
-- delivery inserts or locks the row before sending; claim_token and
-- claimed_at name the delivery sending right now (both null when none).
-- failed_attempt is a released claim that will be retried; the API shows it
-- as sending.
CREATE TABLE notifications (
    id          text        PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 255),
    user_id     uuid        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('letter_opened', 'routine_reminder', 'special_date')),
    subject     text        NOT NULL DEFAULT '',
    status      text        NOT NULL CHECK (status IN ('sending', 'failed_attempt', 'sent', 'skipped', 'failed')),
    reason      text        NOT NULL DEFAULT '',
    attempts    integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error  text        NOT NULL DEFAULT '',
    claim_token uuid,
    claimed_at  timestamptz,
    created_at  timestamptz NOT NULL,
    sent_at     timestamptz,
    updated_at  timestamptz NOT NULL,
    CHECK ((claim_token IS NULL) = (claimed_at IS NULL)),
    CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
-- GET /api/notifications (newest first) and the user.deleted purge.
CREATE INDEX notifications_user_created ON notifications (user_id, created_at DESC, id DESC);

-- +goose Down
DROP TABLE notifications;
