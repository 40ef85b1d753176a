-- +goose Up
-- Objects whose image rows are gone. A purge deletes rows and records their
-- object keys here in one transaction, then deletes the objects outside
-- any transaction (a bucket call may take long: no row lock or pool
-- connection is held meanwhile) and forgets the keys; whatever a failed
-- or interrupted deletion leaves is retried by the sweep.
CREATE TABLE doomed_objects (
    object_key text        PRIMARY KEY,
    doomed_at  timestamptz NOT NULL
);

-- +goose Down
DROP TABLE doomed_objects;
