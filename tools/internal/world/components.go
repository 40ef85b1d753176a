package world

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Patches say how this world differs from a developer's machine. Everything
// else in components/ is used exactly as committed.
type Patches struct {
	SMTPPort int
	// Scopes adds test apps (the probe, a second scheduler) to the scopes
	// of the named components.
	Scopes map[string][]string
	// Publish and Subscribe grant test apps topics on the pubsub
	// component (its publishingScopes / subscriptionScopes): app → topics.
	Publish, Subscribe map[string][]string
	CronEvery          string // faster sweeps, so the tests are quick ("": as committed)
}

// WriteComponents copies components/*.yaml (and the gcp.bucket variant from
// components/gcs, renamed images-gcs) into w.Comps with the patches applied.
func (w *World) WriteComponents(p Patches) error {
	files, err := filepath.Glob(filepath.Join(w.Repo, "components", "*.yaml"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return errors.New("no components found")
	}
	files = append(files, filepath.Join(w.Repo, "components", "gcs", "images.yaml"))
	for _, path := range files {
		docs, err := ReadDocs(path)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for _, d := range docs {
			w.patch(d, p, strings.Contains(path, string(filepath.Separator)+"gcs"+string(filepath.Separator)))
		}
		name := filepath.Base(path)
		if filepath.Base(filepath.Dir(path)) == "gcs" {
			name = "images-gcs.yaml"
		}
		if err := writeDocs(filepath.Join(w.Comps, name), docs); err != nil {
			return err
		}
	}
	return nil
}

func (w *World) patch(doc map[string]any, p Patches, gcsVariant bool) {
	replaceStrings(doc, func(s string) string {
		return strings.ReplaceAll(s, "../../.data", w.Data)
	})
	if doc["kind"] != "Component" {
		return
	}
	meta, _ := doc["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	if gcsVariant {
		meta["name"] = "images-gcs"
	}
	if spec, _ := doc["spec"].(map[string]any); spec["type"] == "bindings.smtp" {
		// Every mail component (mail, mail-2, ...) goes to this world's server.
		setMeta(doc, "host", "127.0.0.1")
		setMeta(doc, "port", fmt.Sprint(p.SMTPPort))
	}
	switch name {
	case "scheduler-sweep":
		if p.CronEvery != "" {
			setMeta(doc, "schedule", p.CronEvery)
		}
	case "pubsub":
		grantTopics(doc, "publishingScopes", p.Publish)
		grantTopics(doc, "subscriptionScopes", p.Subscribe)
	default:
		// A topic's own subscription component (pubsub-subscriptions.yaml):
		// an app granted the topic may read it there too.
		spec, _ := doc["spec"].(map[string]any)
		if topic := metaValue(doc, "allowedTopics"); spec["type"] == "pubsub.rabbitmq" && topic != "" {
			grantSubscription(doc, topic, p.Subscribe)
		}
	}
	if extra := p.Scopes[name]; len(extra) > 0 {
		scopes, _ := doc["scopes"].([]any)
		for _, id := range extra {
			scopes = append(scopes, id)
		}
		doc["scopes"] = scopes
	}
}

// grantTopics appends "app=t1,t2" entries to a scopes metadata value; Dapr
// merges the entries of one app, so a listed app keeps its own topics.
func grantTopics(doc map[string]any, key string, grants map[string][]string) {
	if len(grants) == 0 {
		return
	}
	spec, _ := doc["spec"].(map[string]any)
	items, _ := spec["metadata"].([]any)
	var value string
	for _, it := range items {
		if m, _ := it.(map[string]any); m["name"] == key {
			value, _ = m["value"].(string)
		}
	}
	for _, app := range slices.Sorted(maps.Keys(grants)) {
		value += ";" + app + "=" + strings.Join(grants[app], ",")
	}
	setMeta(doc, key, strings.TrimPrefix(value, ";"))
}

// grantSubscription lets every app granted topic read it through this
// component: it joins the scopes, may subscribe, and may not publish.
func grantSubscription(doc map[string]any, topic string, grants map[string][]string) {
	for _, app := range slices.Sorted(maps.Keys(grants)) {
		if !slices.Contains(grants[app], topic) {
			continue
		}
		setMeta(doc, "subscriptionScopes", strings.TrimPrefix(metaValue(doc, "subscriptionScopes")+";"+app+"="+topic, ";"))
		setMeta(doc, "publishingScopes", strings.TrimPrefix(metaValue(doc, "publishingScopes")+";"+app+"=", ";"))
		scopes, _ := doc["scopes"].([]any)
		doc["scopes"] = append(scopes, app)
	}
}

func metaValue(doc map[string]any, key string) string {
	spec, _ := doc["spec"].(map[string]any)
	items, _ := spec["metadata"].([]any)
	for _, it := range items {
		if m, _ := it.(map[string]any); m["name"] == key {
			v, _ := m["value"].(string)
			return v
		}
	}
	return ""
}

func setMeta(doc map[string]any, key, value string) {
	spec, _ := doc["spec"].(map[string]any)
	items, _ := spec["metadata"].([]any)
	for _, it := range items {
		m, _ := it.(map[string]any)
		if m["name"] == key {
			m["value"] = value
			return
		}
	}
	spec["metadata"] = append(items, map[string]any{"name": key, "value": value})
}

func replaceStrings(v any, f func(string) string) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if s, ok := x.(string); ok {
				t[k] = f(s)
			} else {
				replaceStrings(x, f)
			}
		}
	case []any:
		for i, x := range t {
			if s, ok := x.(string); ok {
				t[i] = f(s)
			} else {
				replaceStrings(x, f)
			}
		}
	}
}

// ReadDocs reads every YAML document of a file.
func ReadDocs(path string) ([]map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var docs []map[string]any
	for {
		var d map[string]any
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		if d != nil {
			docs = append(docs, d)
		}
	}
}

func writeDocs(path string, docs []map[string]any) error {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	for _, d := range docs {
		if err := enc.Encode(d); err != nil {
			return err
		}
	}
	if err := enc.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o600)
}
