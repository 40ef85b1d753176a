// Package outbox makes events impossible to lose: a service writes an event
// into its own database in the same transaction as the change it announces,
// and a relay publishes it through Dapr afterwards, retrying until the
// broker confirms. A crash between commit and publish only delays the
// event; a crash between publish and delete publishes it twice with the
// same CloudEvent id, which consumers dedupe (see package inbox).
package outbox

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations creates the outbox table; the platform applies it to every
// service that enables the outbox, under its own version table.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// notifyChannel wakes the relay as soon as an enqueuing transaction commits.
const notifyChannel = "outbox"

// Enqueue records payload for publication on topic as part of tx and
// returns the event's id, which becomes its CloudEvent id. The event is
// published only if tx commits. One round trip (see Queue).
func Enqueue(ctx context.Context, tx pgx.Tx, topic string, payload any) (uuid.UUID, error) {
	b := &pgx.Batch{}
	id, err := Queue(b, topic, payload)
	if err != nil {
		return uuid.Nil, err
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return uuid.Nil, fmt.Errorf("outbox: enqueue %s: %w", topic, err)
	}
	return id, nil
}

// Queue adds the statements that record payload for publication on topic
// to b, so a write and its event reach Postgres in one round trip. Send b
// inside the transaction of the change it announces (tx.SendBatch) and
// check every result (Close reports the first error); the event is
// published only if that transaction commits.
func Queue(b *pgx.Batch, topic string, payload any) (uuid.UUID, error) {
	data, err := json.Marshal(payload)
	if err != nil {
		return uuid.Nil, fmt.Errorf("outbox: encode %s: %w", topic, err)
	}
	id := uuid.New()
	b.Queue(`INSERT INTO outbox (event_id, topic, payload) VALUES ($1, $2, $3)`, id, topic, data)
	// Delivered at commit, dropped on rollback: exactly the semantics we want.
	b.Queue(`SELECT pg_notify($1, '')`, notifyChannel)
	return id, nil
}
