package launch

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as a fake daprd and a fake app: Start runs it with
// fakeEnv set, and TestMain then plays the part instead of running tests.
const (
	fakeEnv     = "LAUNCH_TEST_FAKE"
	fakeRoleEnv = "LAUNCH_TEST_ROLE" // app role, from the run file's env
)

func TestMain(m *testing.M) {
	if os.Getenv(fakeEnv) != "" {
		os.Exit(fake())
	}
	os.Exit(m.Run())
}

func fake() int {
	if len(os.Args) > 1 && os.Args[1] == "--app-id" {
		return fakeDaprd(os.Args[1:])
	}
	switch role := os.Getenv(fakeRoleEnv); role {
	case "app":
		return fakeApp()
	case "crash":
		fmt.Println("boom: cannot reach the database")
		return 3
	case "sleeper":
		time.Sleep(time.Hour)
		return 0
	default:
		fmt.Fprintf(os.Stderr, "unknown fake role %q\n", role)
		return 2
	}
}

// fakeDaprd answers healthz with 204 once the app's port accepts
// connections, as the real one does once it has reached the app.
func fakeDaprd(args []string) int {
	fs := flag.NewFlagSet("daprd", flag.ContinueOnError)
	httpPort := fs.Int("dapr-http-port", 0, "")
	appPort := fs.Int("app-port", 0, "")
	fs.String("app-id", "", "")
	fs.Int("dapr-grpc-port", 0, "")
	fs.Int("metrics-port", 0, "")
	fs.String("app-protocol", "", "")
	fs.String("dapr-listen-addresses", "", "")
	fs.String("dapr-internal-grpc-listen-address", "", "")
	fs.String("metrics-listen-address", "", "")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if os.Getenv("DAPR_HOST_IP") != "127.0.0.1" {
		fmt.Println("DAPR_HOST_IP not set")
		return 2
	}
	if os.Getenv(fakeRoleEnv) != "" {
		fmt.Println("daprd received the app's environment")
		return 2
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1.0/healthz", func(w http.ResponseWriter, r *http.Request) {
		if os.Getenv("LAUNCH_TEST_NEVER_READY") != "" {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		if *appPort > 0 {
			c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(*appPort)))
			if err != nil {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			c.Close()
		}
		w.WriteHeader(http.StatusNoContent)
	})
	fmt.Println("fake daprd listening on", *httpPort)
	return serve(*httpPort, mux)
}

// fakeApp listens on APP_PORT and leaves a grandchild behind, so tests can
// check that stopping the app's process group takes it too.
func fakeApp() int {
	port, _ := strconv.Atoi(os.Getenv("APP_PORT"))
	if os.Getenv("DAPR_HTTP_PORT") == "" || os.Getenv("APP_ID") == "" {
		fmt.Println("launcher variables missing")
		return 2
	}
	exe, _ := os.Executable()
	child := exec.Command(exe)
	child.Env = append(os.Environ(), fakeRoleEnv+"=sleeper")
	if err := child.Start(); err != nil {
		fmt.Println("start grandchild:", err)
		return 2
	}
	if err := os.WriteFile(filepath.Join(os.Getenv("LAUNCH_TEST_DIR"), os.Getenv("APP_ID")+".grandchild"),
		[]byte(strconv.Itoa(child.Process.Pid)), 0o644); err != nil {
		fmt.Println(err)
		return 2
	}
	fmt.Println("fake app", os.Getenv("APP_ID"), "listening on", port)
	return serve(port, http.NewServeMux())
}

func serve(port int, h http.Handler) int {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		fmt.Println(err)
		return 1
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM)
	go func() { _ = http.Serve(l, h) }()
	<-stop
	fmt.Println("stopping on SIGTERM")
	return 0
}
