-- +goose Up
-- Sessions that ended before their access tokens expire (issue 15,
-- finding 3): every service polls GET /internal/revocations?after=<seq>
-- and refuses the tokens a live row names. sid is the refresh family of
-- the login the tokens come from; NULL means every token of the user (a
-- deleted account). A row is kept until every token it names has expired
-- (the access TTL plus the verifiers' leeway), then pruned. Rows are
-- written under one advisory lock held to commit, so seq order is commit
-- order and a reader's cursor never skips a row committed late.
CREATE TABLE revocations (
    seq        bigserial PRIMARY KEY,
    user_id    uuid NOT NULL,
    sid        uuid,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX revocations_expires_idx ON revocations (expires_at);

-- +goose Down
DROP TABLE revocations;
