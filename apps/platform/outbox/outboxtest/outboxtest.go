// Package outboxtest reads what code under test wrote to the outbox, so a
// service's tests check its events without knowing the table's layout.
package outboxtest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Querier is what a pool, a connection or a transaction offer.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Message is one event waiting in the outbox (a relay deletes it once the
// broker has confirmed it, so tests read the outbox before relaying).
type Message struct {
	Topic string
	// Payload is the event decoded as a JSON object, for tests that look
	// at a few fields; Raw is the JSON itself, for Decode.
	Payload map[string]any
	Raw     json.RawMessage
}

// Decode unmarshals the payload into v.
func (m Message) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(m.Raw, v); err != nil {
		t.Fatalf("outbox payload on %s: %v", m.Topic, err)
	}
}

// Messages returns the outbox in write order, only the given topics when
// any are named.
func Messages(t testing.TB, db Querier, topics ...string) []Message {
	t.Helper()
	rows, err := db.Query(context.Background(),
		`SELECT topic, payload FROM outbox WHERE coalesce(cardinality($1::text[]), 0) = 0 OR topic = ANY($1) ORDER BY id`, topics)
	if err != nil {
		t.Fatalf("read the outbox: %v", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Message, error) {
		var m Message
		if err := row.Scan(&m.Topic, &m.Raw); err != nil {
			return m, err
		}
		return m, json.Unmarshal(m.Raw, &m.Payload)
	})
	if err != nil {
		t.Fatalf("read the outbox: %v", err)
	}
	return out
}

// Topics returns the topic of every message in write order.
func Topics(t testing.TB, db Querier) []string {
	t.Helper()
	var topics []string
	for _, m := range Messages(t, db) {
		topics = append(topics, m.Topic)
	}
	return topics
}
