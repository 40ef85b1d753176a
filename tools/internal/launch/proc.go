package launch

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// proc is one child process definition; start may be called again after it
// has exited, which is how StartApp revives an app.
type proc struct {
	name    string // as shown in output and errors: "auth-service daprd"
	path    string
	args    []string
	dir     string
	env     []string
	logPath string
	prefix  string   // name padded to align the console columns
	console *console // nil when the process logs to its file only

	mu       sync.Mutex
	cmd      *exec.Cmd
	out      *lineWriter
	done     chan struct{}
	stopping bool
}

// start runs the process in its own process group, so a signal reaches
// everything it spawned and nothing it spawned can escape the stop. Pdeathsig
// covers the one case Stop cannot: the launcher itself being killed.
// onExit is called when the process ends without stop having been asked.
func (p *proc) start(truncateLog bool, onExit func(*proc, error)) error {
	flags := os.O_CREATE | os.O_WRONLY | os.O_APPEND
	if truncateLog {
		flags |= os.O_TRUNC
	}
	logFile, err := os.OpenFile(p.logPath, flags, 0o644)
	if err != nil {
		return fmt.Errorf("open log of %s: %w", p.name, err)
	}
	w := &lineWriter{prefix: p.prefix, console: p.console, file: logFile}
	cmd := exec.Command(p.path, p.args...)
	cmd.Dir = p.dir
	cmd.Env = p.env
	cmd.Stdout, cmd.Stderr = w, w
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	// Without a delay, Wait blocks for as long as any grandchild keeps the
	// output pipe open.
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return fmt.Errorf("start %s: %w", p.name, err)
	}
	done := make(chan struct{})
	p.mu.Lock()
	p.cmd, p.out, p.done, p.stopping = cmd, w, done, false
	p.mu.Unlock()

	go func() {
		err := cmd.Wait()
		// Whatever the leader left behind in its group goes with it.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		w.flush()
		_ = logFile.Close()
		p.mu.Lock()
		stopping := p.stopping
		p.mu.Unlock()
		close(done)
		if !stopping {
			onExit(p, err)
		}
	}()
	return nil
}

// stop sends SIGTERM to the process group, then SIGKILL once grace has
// passed or ctx is done. It reports whether the kill was needed.
func (p *proc) stop(ctx context.Context, grace time.Duration) bool {
	p.mu.Lock()
	if p.cmd == nil {
		p.mu.Unlock()
		return false
	}
	p.stopping = true
	pid, done := p.cmd.Process.Pid, p.done
	p.mu.Unlock()

	select {
	case <-done:
		return false
	default:
	}
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-done:
		return false
	case <-timer.C:
	case <-ctx.Done():
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	<-done
	return true
}

// kill sends SIGKILL to the process group at once, as a crash or the OOM
// killer would, and waits until it is gone; like stop, it is not reported
// as an unrequested exit.
func (p *proc) kill() {
	p.mu.Lock()
	if p.cmd == nil {
		p.mu.Unlock()
		return
	}
	p.stopping = true
	pid, done := p.cmd.Process.Pid, p.done
	p.mu.Unlock()
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	<-done
}

func (p *proc) running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done == nil {
		return false
	}
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// pid is the process id of the last start, or 0 if never started.
func (p *proc) pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil || p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

func (p *proc) tail() []string {
	p.mu.Lock()
	out := p.out
	p.mu.Unlock()
	if out == nil {
		return nil
	}
	return out.lastLines()
}
