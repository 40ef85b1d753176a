package world

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// The suite's own Postgres keeps what was committed across a restart, and
// a world on its own RabbitMQ node gets its vhost there, not on the
// machine's broker.
func TestOwnPostgresAndRabbitMQ(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	pg, err := StartPostgres(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	url := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", pg.Port)
	exec := func(sql string) error {
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := exec(`CREATE TABLE kept (n int); INSERT INTO kept VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	if err := pg.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := exec(`SELECT 1`); err == nil {
		t.Fatal("Postgres answers after Stop")
	}
	if err := pg.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := exec(`DO $$ BEGIN IF (SELECT count(*) FROM kept) <> 1 THEN RAISE 'lost'; END IF; END $$`); err != nil {
		t.Fatalf("after restart: %v", err)
	}

	rmq, err := StartRabbitMQ(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer rmq.Close()
	w := &World{ID: "infratest_" + RandomHex(2), Infra: rmq.Infra()}
	if err := w.CreateVhost(); err != nil {
		t.Fatal(err)
	}
	out, err := w.Infra.rabbitmqctl("list_vhosts").CombinedOutput()
	if err != nil || !containsLine(string(out), w.Vhost) {
		t.Fatalf("own node's vhosts: %s %v", out, err)
	}
	if out, _ := (Infra{}).rabbitmqctl("list_vhosts").CombinedOutput(); containsLine(string(out), w.Vhost) {
		t.Fatal("the vhost landed on the machine's broker")
	}
	w.Close()
}

func containsLine(s, line string) bool {
	return slices.Contains(strings.Split(s, "\n"), line)
}
