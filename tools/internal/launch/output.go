package launch

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
)

// console serialises writes from all children so lines never interleave.
type console struct {
	mu sync.Mutex
	w  io.Writer
}

func (c *console) line(prefix, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.w, "%s | %s\n", prefix, text)
}

const (
	tailLines = 20
	// maxLine bounds memory for a child that never writes a newline.
	maxLine = 64 << 10
)

// lineWriter splits a child's output into lines and sends each to its log
// file, to the console (prefixed) and to a short in-memory tail used in
// error reports.
type lineWriter struct {
	mu      sync.Mutex
	prefix  string
	console *console // nil when the process does not log to the console
	file    io.Writer
	partial []byte
	tail    []string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		w.emit(string(w.partial[:i]))
		w.partial = w.partial[i+1:]
	}
	if len(w.partial) > maxLine {
		w.emit(string(w.partial))
		w.partial = nil
	}
	return len(p), nil
}

// flush emits a final line that lacked a newline.
func (w *lineWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.partial) > 0 {
		w.emit(string(w.partial))
		w.partial = nil
	}
}

func (w *lineWriter) emit(line string) {
	line = strings.TrimSuffix(line, "\r")
	// A failing log file must not stop the child: its output still
	// reaches the console and the tail.
	_, _ = io.WriteString(w.file, line+"\n")
	if w.console != nil {
		w.console.line(w.prefix, line)
	}
	w.tail = append(w.tail, line)
	if len(w.tail) > tailLines {
		w.tail = w.tail[len(w.tail)-tailLines:]
	}
}

func (w *lineWriter) lastLines() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.tail...)
}
