package main

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"

	resiliencyapi "github.com/dapr/dapr/pkg/apis/resiliency/v1alpha1"
	"sigs.k8s.io/yaml"
)

// repo is what the manifests are cross-checked against: the apps' code and the
// operator's documentation.
type repo struct {
	// apps by directory under apps/ (which is also the Deployment's name).
	apps map[string]*appFacts
	// createdSecrets are the Secrets docs/kubernetes.md tells the operator to
	// create (kubectl create secret ...).
	createdSecrets map[string]bool
	// hosts are Service names docs/kubernetes.md reaches by DNS.
	hosts map[string]bool
	// install is how docs/kubernetes.md installs Dapr: the chart's defaults
	// with the documented --set values.
	install installValues
	// runEnv is the environment dapr.yaml gives each app id (common and own).
	runEnv map[string]map[string]string
	// localComponents are the names of the Dapr components in components/.
	localComponents []string
	// localResiliency is components/resiliency.yaml, which the cluster's
	// Resiliency must equal (comments aside).
	localResiliency *resiliencyapi.Resiliency
	// localPolicy holds, per local component, the metadata that decides who may
	// do what (topic scopes), which a cluster must keep the same.
	localPolicy map[string]map[string]string
}

// policyMetadata are the component metadata names that grant or deny access.
var policyMetadata = []string{"protectedTopics", "publishingScopes", "subscriptionScopes", "allowedTopics"}

// runFile is the part of dapr.yaml the cross-checks need.
type runFile struct {
	Common struct {
		Env map[string]string `json:"env"`
	} `json:"common"`
	Apps []struct {
		AppID string            `json:"appID"`
		Env   map[string]string `json:"env"`
	} `json:"apps"`
}

// loadRunEnv reads dapr.yaml's environment per app id.
func loadRunEnv(path string) (map[string]map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rf runFile
	if err := yaml.Unmarshal(b, &rf); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := map[string]map[string]string{}
	for _, a := range rf.Apps {
		env := map[string]string{}
		for k, v := range rf.Common.Env {
			env[k] = v
		}
		for k, v := range a.Env {
			env[k] = v
		}
		out[a.AppID] = env
	}
	return out, nil
}

// loadComponents returns the names of the Components in dir's YAML files and
// their policy metadata.
func loadComponents(dir string) ([]string, map[string]map[string]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, nil, err
	}
	var names []string
	policy := map[string]map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, err
		}
		for _, doc := range strings.Split(string(b), "\n---") {
			var head struct {
				Kind     string `json:"kind"`
				Metadata struct {
					Name string `json:"name"`
				} `json:"metadata"`
				Spec struct {
					Metadata []struct {
						Name  string `json:"name"`
						Value string `json:"value"`
					} `json:"metadata"`
				} `json:"spec"`
			}
			if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", f, err)
			}
			if head.Kind != "Component" {
				continue
			}
			names = append(names, head.Metadata.Name)
			for _, md := range head.Spec.Metadata {
				if slices.Contains(policyMetadata, md.Name) {
					if policy[head.Metadata.Name] == nil {
						policy[head.Metadata.Name] = map[string]string{}
					}
					policy[head.Metadata.Name][md.Name] = md.Value
				}
			}
		}
	}
	sort.Strings(names)
	return names, policy, nil
}

type appFacts struct {
	// env: every variable the app reads (its own config and the platform's),
	// with its default.
	env map[string]envVar
	// secrets: the names the app reads from the Dapr secret store (its
	// `Secret... = "name"` constants and `Secret(ctx, "name")` calls).
	secrets []string
}

type envVar struct {
	def      string
	required bool
}

var (
	structTagRe = regexp.MustCompile("`[^`]*\\benv:\"[^`]*`")
	getenvRe    = regexp.MustCompile(`Getenv\("([A-Z0-9_]+)"\)`)
	secretRe    = regexp.MustCompile(`\bSecret\w*\s*=\s*"([a-z0-9-]+)"|Secret\(ctx, "([a-z0-9-]+)"\)`)
	createRe    = regexp.MustCompile(`create secret (?:generic|tls) ([a-z0-9-]+)`)
	hostRe      = regexp.MustCompile(`(?:@|host=|svc/)([a-z0-9-]+)`)
	helmSetRe   = regexp.MustCompile(`--set (dapr_sidecar_injector\.\w+)=(true|false)`)
)

// loadRepo reads the facts from the repository at root.
func loadRepo(root string) (*repo, error) {
	r := &repo{apps: map[string]*appFacts{}, createdSecrets: map[string]bool{}, hosts: map[string]bool{}}
	platform, err := platformStructs(filepath.Join(root, "apps", "platform", "config", "config.go"))
	if err != nil {
		return nil, err
	}
	dirs, err := os.ReadDir(filepath.Join(root, "apps"))
	if err != nil {
		return nil, err
	}
	for _, d := range dirs {
		if !d.IsDir() || d.Name() == "platform" {
			continue
		}
		a := &appFacts{env: map[string]envVar{}}
		src, err := scanGo(filepath.Join(root, "apps", d.Name()), a)
		if err != nil {
			return nil, err
		}
		// Every app reads config.Base; the other platform structs only
		// where the app embeds them (config.Database).
		for name, vars := range platform {
			if name == "Base" || strings.Contains(src, "config."+name) {
				for k, v := range vars {
					a.env[k] = v
				}
			}
		}
		sort.Strings(a.secrets)
		r.apps[d.Name()] = a
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs", "kubernetes.md"))
	if err != nil {
		return nil, err
	}
	for _, m := range createRe.FindAllStringSubmatch(string(doc), -1) {
		r.createdSecrets[m[1]] = true
	}
	if r.runEnv, err = loadRunEnv(filepath.Join(root, "dapr.yaml")); err != nil {
		return nil, err
	}
	if r.localComponents, r.localPolicy, err = loadComponents(filepath.Join(root, "components")); err != nil {
		return nil, err
	}
	res, err := os.ReadFile(filepath.Join(root, "components", "resiliency.yaml"))
	if err != nil {
		return nil, err
	}
	r.localResiliency = &resiliencyapi.Resiliency{}
	if err := yaml.UnmarshalStrict(res, r.localResiliency); err != nil {
		return nil, fmt.Errorf("components/resiliency.yaml: %w", err)
	}
	sets := map[string]string{}
	for _, m := range helmSetRe.FindAllStringSubmatch(string(doc), -1) {
		sets[m[1]] = m[2]
	}
	r.install = chartDefaults.withHelmSets(sets)
	for _, m := range hostRe.FindAllStringSubmatch(string(doc), -1) {
		r.hosts[m[1]] = true
	}
	// "ltm-db-$svc" in a loop over the services: one Secret per app database.
	if r.createdSecrets["ltm-db-"] {
		delete(r.createdSecrets, "ltm-db-")
		for name := range r.apps {
			r.createdSecrets["ltm-db-"+name] = true
		}
	}
	return r, nil
}

// platformStructs returns the environment variables of each struct type in the
// platform's config package.
func platformStructs(path string) (map[string]map[string]envVar, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]envVar{}
	for _, chunk := range strings.Split(string(b), "\ntype ")[1:] {
		name, body, ok := strings.Cut(chunk, " struct {")
		if !ok {
			continue
		}
		body, _, _ = strings.Cut(body, "\n}")
		a := &appFacts{env: map[string]envVar{}}
		parseEnvTags(body, a)
		out[name] = a.env
	}
	return out, nil
}

// parseEnvTags adds the variables of the struct tags in src, parsed as
// caarlos0/env reads them.
func parseEnvTags(src string, a *appFacts) {
	for _, tag := range structTagRe.FindAllString(src, -1) {
		st := reflect.StructTag(strings.Trim(tag, "`"))
		name, opts, _ := strings.Cut(st.Get("env"), ",")
		if name == "" {
			continue
		}
		def, hasDef := st.Lookup("envDefault")
		a.env[name] = envVar{def: def, required: !hasDef && (strings.Contains(opts, "required") || strings.Contains(opts, "notEmpty"))}
	}
}

// scanGo collects environment variables and secret names from the non-test Go
// files under dir and returns their text.
func scanGo(dir string, a *appFacts) (string, error) {
	seen := map[string]bool{}
	var all strings.Builder
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		src := string(b)
		all.WriteString(src)
		parseEnvTags(src, a)
		for _, m := range getenvRe.FindAllStringSubmatch(src, -1) {
			if _, ok := a.env[m[1]]; !ok {
				a.env[m[1]] = envVar{}
			}
		}
		for _, m := range secretRe.FindAllStringSubmatch(src, -1) {
			name := m[1] + m[2]
			if !seen[name] {
				seen[name] = true
				a.secrets = append(a.secrets, name)
			}
		}
		return nil
	})
	return all.String(), err
}

// documentedHost reports whether docs/kubernetes.md reaches Service name by DNS
// (in a URL or a connection string the operator puts into a Secret).
func (r *repo) documentedHost(name string) bool { return r.hosts[name] }
