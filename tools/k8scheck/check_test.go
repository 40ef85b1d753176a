package main

import (
	"path/filepath"
	"strings"
	"testing"
)

const root = "../.."

func loadTestRepo(t *testing.T) *repo {
	t.Helper()
	r, err := loadRepo(root)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The repository's own overlays pass every rule.
func TestOverlaysPass(t *testing.T) {
	r := loadTestRepo(t)
	for _, name := range []string{"dev", "prod"} {
		t.Run(name, func(t *testing.T) {
			findings, n, _, err := checkOverlay(filepath.Join(root, "k8s", "overlays", name), r, r.install, false)
			if err != nil {
				t.Fatal(err)
			}
			if n < 50 {
				t.Errorf("rendered %d resources, want the whole system (50+)", n)
			}
			for _, f := range findings {
				t.Errorf("%s", f)
			}
		})
	}
}

// Each rule reports its bad fixture (testdata/bad/<case>: the dev overlay with
// one mistake patched in).
func TestEachRuleFails(t *testing.T) {
	r := loadTestRepo(t)
	cases := []struct {
		dir, rule, msg string
	}{
		{"decode", "decode", `unknown field "memoryLimit"`},
		{"decode-dapr", "decode", `unknown field "metdata"`},
		{"pod-security", "pod-security", "NET_ADMIN"},
		{"namespace", "namespace", "restricted"},
		{"annotation-legacy", "annotation", "dapr.io/http-max-request-size is a legacy annotation"},
		{"annotation-unknown", "annotation", "dapr.io/max-request-size is not an annotation"},
		{"selector", "selector", "selects no pod"},
		{"port", "port", "targetPort web"},
		{"env-unknown", "env", "sets PUBLIC_URL, which apps/notification does not read"},
		{"env-local-default", "env", "PUBLIC_BASE_URL is not set"},
		{"env-run-file", "env", "DATABASE_URL is set for user-service in dapr.yaml but not here"},
		{"local-component", "scope", "Component/image-sweep"},
		{"secret-ref", "secret-ref", `Secret "user-extra"`},
		{"scope", "scope", `scope "letter-servic"`},
		{"circuit-breaker", "circuit-breaker", "app target auth-service"},
		{"resiliency-drift", "resiliency", "differs from components/resiliency.yaml"},
		{"network-policy", "network-policy", "no default-deny"},
		{"pdb", "disruption", "no PodDisruptionBudget"},
		{"prestop", "disruption", "no preStop"},
		{"spread", "disruption", "does not select the pod itself"},
		{"grace", "disruption", "do not fit in terminationGracePeriodSeconds 20"},
		{"service-account-shared", "service-account", `shares ServiceAccount "auth"`},
		{"automount", "service-account", "mounts an API token"},
		{"secret-access", "secret-access", `reads secret "letter-previous-key"`},
		{"secret-access-extra", "secret-access", `may get secret "jwt-signing-key", which apps/gateway never reads`},
		{"image-latest", "image", "floats"},
		{"image-digest/prod", "image", "not pinned by digest"},
		{"memory", "memory", "must be below the memory limit"},
		{"connections", "connections", "Postgres allows 100"},
		{"job", "job", "no activeDeadlineSeconds"},
		{"metrics", "metrics", "no scrape annotations"},
		{"storage", "storage", "emptyDir"},
		{"literal-secret", "literal-secret", "DB_PASSWORD"},
		{"backup", "backup", "pg_dump"},
		{"app-token", "app-token", "no dapr.io/app-token-secret"},
		{"api-token", "app-token", "container app: DAPR_API_TOKEN must come from Secret dapr-api-token"},
		{"topic-scopes", "scope", "metadata protectedTopics differs from components/"},
		{"no-secrets", "no-secrets", "Secret"},
	}
	for _, tc := range cases {
		t.Run(tc.dir, func(t *testing.T) {
			findings, _, _, err := checkOverlay(filepath.Join("testdata", "bad", tc.dir), r, r.install, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range findings {
				if f.Rule == tc.rule && (strings.Contains(f.Msg, tc.msg) || strings.Contains(f.Object, tc.msg)) {
					return
				}
			}
			t.Errorf("no %s finding containing %q; got:", tc.rule, tc.msg)
			for _, f := range findings {
				t.Logf("  %s", f)
			}
		})
	}
}

// With the Helm chart's default sidecarDropALLCapabilities=false, the injected
// daprd keeps its capabilities and every app pod is refused (issue 18, item 1):
// the install values docs/kubernetes.md gives are what make the pods admissible.
func TestInjectorDefaultsAreRefused(t *testing.T) {
	r := loadTestRepo(t)
	if !r.install.DropALLCapabilities {
		t.Fatal("docs/kubernetes.md does not install Dapr with sidecarDropALLCapabilities=true")
	}
	findings, _, _, err := checkOverlay(filepath.Join(root, "k8s", "overlays", "dev"), r, chartDefaults, false)
	if err != nil {
		t.Fatal(err)
	}
	refused := map[string]bool{}
	for _, f := range findings {
		if f.Rule == "pod-security" && strings.Contains(f.Msg, `container "daprd"`) {
			refused[f.Object] = true
		}
	}
	if len(refused) != 11 {
		t.Errorf("%d app pods refused for daprd's capabilities, want all 11: %v", len(refused), findings)
	}
}

// -release refuses prod while it still has placeholders.
func TestReleaseRefusesPlaceholders(t *testing.T) {
	r := loadTestRepo(t)
	findings, _, _, err := checkOverlay(filepath.Join(root, "k8s", "overlays", "prod"), r, r.install, true)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, f := range findings {
		if f.Rule == "placeholder" {
			got[f.Object] = true
		}
	}
	for _, want := range []string{"Deployment/gateway", "Deployment/notification", "Ingress/gateway", "StatefulSet/postgres"} {
		if !got[want] {
			t.Errorf("no placeholder finding for %s; got %v", want, got)
		}
	}
}

// The facts the cross-checks rest on are read from the apps' code.
func TestRepoFacts(t *testing.T) {
	r := loadTestRepo(t)
	letter := r.apps["letter"]
	if letter == nil {
		t.Fatal("apps/letter not found")
	}
	if got := strings.Join(letter.secrets, ","); !strings.Contains(got, "letter-previous-key") {
		t.Errorf("letter secrets = %s, want letter-previous-key among them", got)
	}
	if got := strings.Join(r.apps["emotion-ml"].secrets, ","); got != "openai-api-key" {
		t.Errorf("emotion-ml secrets = %q, want openai-api-key (read with a literal name)", got)
	}
	if v, ok := r.apps["notification"].env["PUBLIC_BASE_URL"]; !ok || !strings.Contains(v.def, "127.0.0.1") {
		t.Errorf("notification PUBLIC_BASE_URL = %+v, %v", v, ok)
	}
	if _, ok := r.apps["gateway"].env["DATABASE_URL"]; ok {
		t.Error("the gateway embeds no config.Database but DATABASE_URL was attributed to it")
	}
	if !r.createdSecrets["ltm-db-letter-storage"] || !r.createdSecrets["app-api-token"] {
		t.Errorf("created secrets = %v", r.createdSecrets)
	}
}
