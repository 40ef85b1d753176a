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
// delivered. A later -split run lost 1 of 1,344 with no consumer problem:
// a publish that hit its 10 s deadline while the component waited to
// reconnect, which it answers with nil (see ../rabbitconfirm).
package main

import (
	"context"
	"flag"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/dapr/components-contrib/pubsub"

	"github.com/lettertomyself/ltm/tools/daprd/repro/internal/rabbitnode"
)

func main() {
	topics := flag.Int("topics", 3, "subscriptions")
	rounds := flag.Int("rounds", 3, "broker restarts")
	split := flag.Bool("split", false, "one component instance per subscription")
	flag.Parse()

	n, err := rabbitnode.StartTemp("rabbitrestart")
	if err != nil {
		panic(err)
	}
	defer n.Close()
	app := n.Open("app", "app")
	names := make([]string, *topics)
	got := make([]atomic.Int64, *topics)
	for i := range names {
		names[i] = fmt.Sprintf("t%d", i)
		sub := app
		if *split {
			sub = n.Open("app-"+names[i], "app")
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

	publisher := n.Open("publisher", "app")
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
		out, _ := n.Ctl("list_queues", "name", "messages_ready", "messages_unacknowledged", "consumers")
		fmt.Print(out)
	}
	time.Sleep(3 * time.Second)
	for r := 1; r <= *rounds; r++ {
		n.Stop()
		time.Sleep(5 * time.Second)
		if err := n.Start(); err != nil {
			panic(err)
		}
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
