package archcheck_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/lettertomyself/ltm/tools/archcheck"
)

// notYetReshaped are services still to be moved to the shape of
// docs/architecture.md (issue 11), reshaped one by one. The list may only
// shrink: a listed service that already follows the rule fails the test.
var notYetReshaped = []string{}

// TestNoPackageButTheAdapterImportsPostgres runs the rule over every
// service in the workspace.
func TestNoPackageButTheAdapterImportsPostgres(t *testing.T) {
	mods, err := filepath.Glob("../../apps/*/go.mod")
	if err != nil || len(mods) == 0 {
		t.Fatalf("no app modules found: %v", err)
	}
	var patterns []string
	for _, m := range mods {
		patterns = append(patterns, "./"+filepath.ToSlash(filepath.Join("apps", filepath.Base(filepath.Dir(m)), "...")))
	}
	found, err := archcheck.Violations("../..", nil, patterns...)
	if err != nil {
		t.Fatal(err)
	}
	broken := map[string]bool{}
	for _, v := range found {
		broken[v.Service] = true
		if !slices.Contains(notYetReshaped, v.Service) {
			t.Errorf("%s: %s", v.Service, v)
		}
	}
	for _, svc := range notYetReshaped {
		if !broken[svc] {
			t.Errorf("%s follows the rule now: take it off notYetReshaped", svc)
		}
	}
}

// TestTheRuleCatchesABreak shows the check can fail: a fixture module
// whose HTTP package and a domain test import the adapter.
func TestTheRuleCatchesABreak(t *testing.T) {
	found, err := archcheck.Violations("testdata/fixture", []string{"GOWORK=off", "GOFLAGS=-mod=mod"}, "./...")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"example.com/fixture/apps/demo/internal/demo imports example.com/fixture/apps/demo/internal/postgres (in a test)",
		"example.com/fixture/apps/demo/internal/httpapi imports example.com/fixture/apps/demo/internal/postgres",
	}
	if len(found) != len(want) {
		t.Fatalf("found %v, want %v", found, want)
	}
	for i, v := range found {
		if v.String() != want[i] || v.Service != "demo" {
			t.Errorf("violation %d = %s (%s), want %s", i, v, v.Service, want[i])
		}
	}
}
