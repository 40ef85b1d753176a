package archcheck_test

import (
	"path/filepath"
	"testing"

	"github.com/lettertomyself/ltm/tools/archcheck"
)

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
	for _, v := range found {
		t.Errorf("%s: %s", v.Service, v)
	}
	if len(patterns) < 9 {
		t.Errorf("checked %d apps; the workspace has more", len(patterns))
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
