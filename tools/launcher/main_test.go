package main

import (
	"reflect"
	"testing"
)

func TestExtraFlags(t *testing.T) {
	var e extraFlags
	if err := e.Set("mailpit=bin/mailpit --smtp 127.0.0.1:1025"); err != nil {
		t.Fatal(err)
	}
	want := extraFlags{{Name: "mailpit", Command: []string{"bin/mailpit", "--smtp", "127.0.0.1:1025"}}}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("got %+v, want %+v", e, want)
	}
	for _, bad := range []string{"mailpit", "=x", "mailpit=  "} {
		if err := e.Set(bad); err == nil {
			t.Errorf("Set(%q) succeeded", bad)
		}
	}
}

func TestSplitList(t *testing.T) {
	if got, want := splitList(" a, b,,c "), []string{"a", "b", "c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := splitList(""); got != nil {
		t.Errorf("got %q, want nil", got)
	}
}
