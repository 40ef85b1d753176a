-- +goose Up
CREATE TABLE accounts (
    id            uuid PRIMARY KEY,
    -- Stored lower-case; the application normalises before writing.
    username      text NOT NULL CONSTRAINT accounts_username_key UNIQUE,
    -- The address as typed, and its lower-case form for uniqueness/lookup.
    email         text NOT NULL,
    email_key     text NOT NULL CONSTRAINT accounts_email_key UNIQUE,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (username = lower(username)),
    CHECK (email_key = lower(email))
);

-- Refresh tokens, stored only as SHA-256 hashes. A family is the chain
-- rotated from one login; reuse of a spent token revokes the family.
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY,
    family_id   uuid NOT NULL,
    user_id     uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token_hash  bytea NOT NULL CONSTRAINT refresh_tokens_hash_key UNIQUE,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    spent_at    timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_expires_idx ON refresh_tokens (expires_at);

-- Failed-login counters per account and per client address.
CREATE TABLE login_throttle (
    key           text PRIMARY KEY,
    failures      integer NOT NULL,
    last_failure  timestamptz,
    locked_until  timestamptz
);

-- +goose Down
DROP TABLE login_throttle;
DROP TABLE refresh_tokens;
DROP TABLE accounts;
