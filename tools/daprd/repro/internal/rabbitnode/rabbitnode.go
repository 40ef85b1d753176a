// Package rabbitnode runs a RabbitMQ node of a repro's own: the machine's
// rabbitmq-server under its own name, ports and data directory, so a
// repro can stop and start it without touching anything else.
package rabbitnode

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/dapr/components-contrib/metadata"
	"github.com/dapr/components-contrib/pubsub"
	"github.com/dapr/components-contrib/pubsub/rabbitmq"
	"github.com/dapr/kit/logger"
)

const bin = "/usr/lib/rabbitmq/bin"

// Node is one RabbitMQ node; Port is its AMQP port.
type Node struct {
	Port int

	dir, name string
	dist      int
	done      chan struct{}
}

// Start starts a node named after prefix with its data in dir and waits
// until it answers.
func Start(dir, prefix string) (*Node, error) {
	n := &Node{dir: dir, name: fmt.Sprintf("%s%d@localhost", prefix, os.Getpid())}
	var err error
	if n.Port, err = freePort(); err != nil {
		return nil, err
	}
	if n.dist, err = freePort(); err != nil {
		return nil, err
	}
	return n, n.Start()
}

// URL is the node's AMQP address for guest.
func (n *Node) URL() string { return fmt.Sprintf("amqp://guest:guest@127.0.0.1:%d", n.Port) }

// Start (re)starts the node and waits until it answers.
func (n *Node) Start() error {
	cmd := exec.Command(filepath.Join(bin, "rabbitmq-server"))
	cmd.Env = append(os.Environ(),
		"RABBITMQ_NODENAME="+n.name, "RABBITMQ_NODE_IP_ADDRESS=127.0.0.1",
		"RABBITMQ_NODE_PORT="+strconv.Itoa(n.Port), "RABBITMQ_DIST_PORT="+strconv.Itoa(n.dist),
		"RABBITMQ_MNESIA_BASE="+filepath.Join(n.dir, "mnesia"), "RABBITMQ_LOG_BASE="+filepath.Join(n.dir, "log"),
		"RABBITMQ_PID_FILE="+filepath.Join(n.dir, "pid"), "RABBITMQ_ENABLED_PLUGINS_FILE="+filepath.Join(n.dir, "plugins"),
		"RABBITMQ_ENABLED_PLUGINS=", "RABBITMQ_CONFIG_FILE="+filepath.Join(n.dir, "rabbitmq"))
	if err := cmd.Start(); err != nil {
		return err
	}
	n.done = make(chan struct{})
	go func() { _ = cmd.Wait(); close(n.done) }()
	if out, err := n.Ctl("wait", "--timeout", "120", filepath.Join(n.dir, "pid")); err != nil {
		return fmt.Errorf("rabbitmq node %s: %v: %s", n.name, err, out)
	}
	return nil
}

// Stop stops the node (rabbitmqctl stop) and waits for its process.
func (n *Node) Stop() {
	_, _ = n.Ctl("stop")
	<-n.done
}

// Ctl runs rabbitmqctl against the node.
func (n *Node) Ctl(args ...string) (string, error) {
	b, err := exec.Command(filepath.Join(bin, "rabbitmqctl"), append([]string{"-q", "-n", n.name}, args...)...).CombinedOutput()
	return string(b), err
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// StartTemp starts a node with its data in a new temporary directory;
// Close stops it and removes the directory.
func StartTemp(prefix string) (*Node, error) {
	dir, err := os.MkdirTemp("", prefix+"-")
	if err != nil {
		return nil, err
	}
	n, err := Start(dir, prefix)
	if err != nil {
		os.RemoveAll(dir)
	}
	return n, err
}

// Close stops the node and removes its data.
func (n *Node) Close() {
	n.Stop()
	os.RemoveAll(n.dir)
}

// Open returns an initialised pubsub.rabbitmq component instance on the
// node with components/pubsub.yaml's settings, as consumerID (the app id
// daprd would pass), logging as name.
func (n *Node) Open(name, consumerID string) pubsub.PubSub {
	props := map[string]string{
		"connectionString": n.URL(),
		"consumerID":       consumerID, "durable": "true", "deletedWhenUnused": "false", "deliveryMode": "2",
		"publisherConfirm": "true", "enableDeadLetter": "true", "requeueInFailure": "false", "autoAck": "false",
		"prefetchCount": "20", "reconnectWaitSeconds": "5",
	}
	ps := rabbitmq.NewRabbitMQ(logger.NewLogger(name))
	if err := ps.Init(context.Background(), pubsub.Metadata{Base: metadata.Base{Properties: props}}); err != nil {
		panic(err)
	}
	return ps
}
