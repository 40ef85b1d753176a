package launch

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNotReady is wrapped by errors for sidecars that did not report healthy
// within Options.ReadyTimeout.
var ErrNotReady = errors.New("not ready")

// ErrKilled is wrapped by Stop's error when a process ignored SIGTERM for
// longer than Options.StopTimeout and had to be killed.
var ErrKilled = errors.New("killed after stop timeout")

// ProcessError names the app (or auxiliary process) that failed and carries
// the last lines of its output, which usually say why.
type ProcessError struct {
	// App is the app id, or the name of an auxiliary process.
	App string
	// Process is the failing process: "auth-service" or "auth-service daprd".
	Process string
	Err     error
	// Logs holds the tail of each relevant process's output, by process.
	Logs map[string][]string
}

func (e *ProcessError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %v", e.Process, e.Err)
	for _, name := range []string{e.App, e.App + " daprd"} {
		lines, ok := e.Logs[name]
		if !ok {
			continue
		}
		fmt.Fprintf(&b, "\n--- last %d lines of %s ---", len(lines), name)
		for _, l := range lines {
			b.WriteString("\n" + l)
		}
	}
	return b.String()
}

func (e *ProcessError) Unwrap() error { return e.Err }
