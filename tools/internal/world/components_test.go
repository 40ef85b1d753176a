package world

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A test app granted a topic may read it through the topic's own
// subscription component, as the product's subscribers do, and nothing
// else changes there.
func TestSubscribeGrantReachesTheTopicsComponent(t *testing.T) {
	repo, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	w := &World{Repo: repo, Data: t.TempDir(), Comps: t.TempDir()}
	if err := w.WriteComponents(Patches{Subscribe: map[string][]string{"replica": {"letter.created"}}}); err != nil {
		t.Fatal(err)
	}
	docs, err := ReadDocs(filepath.Join(w.Comps, "pubsub-subscriptions.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, d := range docs {
		name := d["metadata"].(map[string]any)["name"]
		scopes := d["scopes"].([]any)
		subs, pubs := metaValue(d, "subscriptionScopes"), metaValue(d, "publishingScopes")
		granted := slices.Contains(scopes, any("replica"))
		switch name {
		case "pubsub-letter-created":
			seen++
			if !granted || !strings.Contains(subs, "replica=letter.created") || !strings.Contains(pubs, "replica=") {
				t.Errorf("%s: scopes %v, subscriptionScopes %q, publishingScopes %q", name, scopes, subs, pubs)
			}
		default:
			if granted || strings.Contains(subs, "replica") {
				t.Errorf("%s: the grant of letter.created leaked here: %v %q", name, scopes, subs)
			}
		}
	}
	if seen != 1 {
		t.Fatalf("pubsub-letter-created not found in %d documents", len(docs))
	}
	if _, err := os.Stat(filepath.Join(w.Comps, "pubsub.yaml")); err != nil {
		t.Fatal(err)
	}
}

// Every mail component (mail, mail-2, ...) sends to the world's SMTP server.
func TestEveryMailComponentGoesToTheWorldsServer(t *testing.T) {
	repo, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	w := &World{Repo: repo, Data: t.TempDir(), Comps: t.TempDir()}
	if err := w.WriteComponents(Patches{SMTPPort: 2525}); err != nil {
		t.Fatal(err)
	}
	docs, err := ReadDocs(filepath.Join(w.Comps, "mail.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) < 2 {
		t.Fatalf("%d mail components, want a pool", len(docs))
	}
	for _, d := range docs {
		if metaValue(d, "host") != "127.0.0.1" || metaValue(d, "port") != "2525" {
			t.Errorf("%v: host %q port %q", d["metadata"], metaValue(d, "host"), metaValue(d, "port"))
		}
	}
}
