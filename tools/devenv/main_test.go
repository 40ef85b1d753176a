package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecretsCommandPrintsNoValues(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets.json")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"secrets", "-o", path}, &out); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "PRIVATE KEY") || strings.Contains(out.String(), "guest:guest") {
		t.Errorf("output shows secret values: %s", out.String())
	}
	if !strings.Contains(out.String(), "added rabbitmq-url") || len(data) == 0 {
		t.Errorf("unexpected output %q", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"secrets", "-o", path}, &out); err != nil || !strings.Contains(out.String(), "has every key") {
		t.Errorf("second run: %q, %v", out.String(), err)
	}
}

func TestUnknownSubcommand(t *testing.T) {
	if err := run(context.Background(), []string{"nope"}, &bytes.Buffer{}); err == nil {
		t.Error("unknown subcommand accepted")
	}
	if err := run(context.Background(), nil, &bytes.Buffer{}); err == nil {
		t.Error("no subcommand accepted")
	}
}
