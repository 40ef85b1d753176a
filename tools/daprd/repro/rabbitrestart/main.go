// Command rabbitrestart reproduces what a RabbitMQ restart does to daprd
// 1.18.1's pubsub.rabbitmq component (the components-contrib code daprd is
// built from) when one component instance carries several subscriptions,
// as a sidecar subscribed to several topics through one component does.
//
// It starts a RabbitMQ node of its own (the machine's rabbitmq-server, own
// name, ports and data), subscribes to -topics topics, publishes to them
// steadily through a second instance (and through the subscribing one, as an
// app that also publishes), restarts the node -rounds times, then stops
// publishing and compares what was published with what was delivered.
//
//	cd tools/daprd && GOWORK=off go run ./repro/rabbitrestart            # one instance, three subscriptions
//	cd tools/daprd && GOWORK=off go run ./repro/rabbitrestart -split     # one instance per subscription
//
// Observed 2026-11-30 (docs/dapr-findings.md): one instance: "unexpected
// command received" on re-subscription, queues with 2–4 consumers for one
// subscriber, 20/40/60 messages unacknowledged for good, 59 of 3,922 never
// delivered; -split: no error, one consumer per queue, everything
// delivered.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/dapr/components-contrib/metadata"
	"github.com/dapr/components-contrib/pubsub"
	"github.com/dapr/components-contrib/pubsub/rabbitmq"
	"github.com/dapr/kit/logger"
)

const rabbitBin = "/usr/lib/rabbitmq/bin"

type node struct {
	dir, name  string
	port, dist int
	done       chan struct{}
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (n *node) start() {
	cmd := exec.Command(filepath.Join(rabbitBin, "rabbitmq-server"))
	cmd.Env = append(os.Environ(),
		"RABBITMQ_NODENAME="+n.name, "RABBITMQ_NODE_IP_ADDRESS=127.0.0.1",
		"RABBITMQ_NODE_PORT="+strconv.Itoa(n.port), "RABBITMQ_DIST_PORT="+strconv.Itoa(n.dist),
		"RABBITMQ_MNESIA_BASE="+filepath.Join(n.dir, "mnesia"), "RABBITMQ_LOG_BASE="+filepath.Join(n.dir, "log"),
		"RABBITMQ_PID_FILE="+filepath.Join(n.dir, "pid"), "RABBITMQ_ENABLED_PLUGINS_FILE="+filepath.Join(n.dir, "plugins"),
		"RABBITMQ_ENABLED_PLUGINS=", "RABBITMQ_CONFIG_FILE="+filepath.Join(n.dir, "rabbitmq"))
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	n.done = make(chan struct{})
	go func() { _ = cmd.Wait(); close(n.done) }()
	if b, err := n.ctl("wait", "--timeout", "120", filepath.Join(n.dir, "pid")); err != nil {
		panic(b)
	}
}

func (n *node) stop() {
	_, _ = n.ctl("stop")
	<-n.done
}

func (n *node) ctl(args ...string) (string, error) {
	b, err := exec.Command(filepath.Join(rabbitBin, "rabbitmqctl"), append([]string{"-q", "-n", n.name}, args...)...).CombinedOutput()
	return string(b), err
}

func main() {
	topics := flag.Int("topics", 3, "subscriptions")
	rounds := flag.Int("rounds", 3, "broker restarts")
	split := flag.Bool("split", false, "one component instance per subscription")
	flag.Parse()

	dir, err := os.MkdirTemp("", "rabbitrestart-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	n := &node{dir: dir, name: fmt.Sprintf("rabbitrestart%d@localhost", os.Getpid()), port: freePort(), dist: freePort()}
	n.start()
	defer n.stop()

	// components/pubsub.yaml's settings.
	props := map[string]string{
		"connectionString": fmt.Sprintf("amqp://guest:guest@127.0.0.1:%d", n.port),
		"consumerID":       "app", "durable": "true", "deletedWhenUnused": "false", "deliveryMode": "2",
		"publisherConfirm": "true", "enableDeadLetter": "true", "requeueInFailure": "false", "autoAck": "false",
		"prefetchCount": "20", "reconnectWaitSeconds": "5",
	}
	open := func(name string) pubsub.PubSub {
		ps := rabbitmq.NewRabbitMQ(logger.NewLogger(name))
		if err := ps.Init(context.Background(), pubsub.Metadata{Base: metadata.Base{Properties: props}}); err != nil {
			panic(err)
		}
		return ps
	}
	app := open("app")
	names := make([]string, *topics)
	got := make([]atomic.Int64, *topics)
	for i := range names {
		names[i] = fmt.Sprintf("t%d", i)
		sub := app
		if *split {
			sub = open("app-" + names[i])
		}
		err := sub.Subscribe(context.Background(), pubsub.SubscribeRequest{Topic: names[i]}, func(context.Context, *pubsub.NewMessage) error {
			got[i].Add(1)
			time.Sleep(10 * time.Millisecond)
			return nil
		})
		if err != nil {
			panic(err)
		}
	}

	publisher := open("publisher")
	var sent atomic.Int64
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case <-stop:
				return
			case <-time.After(30 * time.Millisecond):
			}
			for _, t := range names {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				if publisher.Publish(ctx, &pubsub.PublishRequest{Topic: t, PubsubName: "p", Data: []byte("x")}) == nil {
					sent.Add(1)
				}
				cancel()
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_ = app.Publish(ctx, &pubsub.PublishRequest{Topic: "out", PubsubName: "p", Data: []byte("y")})
			cancel()
		}
	}()
	delivered := func() (total int64, each []int64) {
		for i := range got {
			each = append(each, got[i].Load())
			total += got[i].Load()
		}
		return total, each
	}
	queues := func() {
		out, _ := n.ctl("list_queues", "name", "messages_ready", "messages_unacknowledged", "consumers")
		fmt.Print(out)
	}
	time.Sleep(3 * time.Second)
	for r := 1; r <= *rounds; r++ {
		n.stop()
		time.Sleep(5 * time.Second)
		n.start()
		time.Sleep(20 * time.Second)
		_, each := delivered()
		fmt.Printf("after restart %d: published %d, delivered per topic %v\n", r, sent.Load(), each)
		queues()
	}
	close(stop)
	<-stopped
	time.Sleep(10 * time.Second)
	total, _ := delivered()
	fmt.Printf("published %d, delivered %d\n", sent.Load(), total)
	queues()
}
