// Command rabbitconfirm reproduces what daprd 1.18.1's pubsub.rabbitmq
// component (components-contrib v1.18.1, the code daprd runs) answers for a
// publish that is in flight when the broker stops: publisherConfirm is on,
// the broker closes the channel before confirming, amqp091 resolves the
// pending confirmation as a nack, and publishSync logs "did not receive
// confirmation of publishing" but returns nil, so the sidecar tells the app
// the event was published.
//
// It starts a RabbitMQ node of its own, subscribes to one topic through one
// component instance, publishes numbered messages one after another through
// a second one (as an outbox relay does through its sidecar), stops the node
// -rounds times mid-stream, then compares what Publish accepted with what
// was delivered. For each accepted-but-lost message it prints how the next
// publish went: the evidence a publisher can see.
//
//	cd tools/daprd && GOWORK=off go run ./repro/rabbitconfirm -rounds 8
//
// Observed 2026-11-30 (docs/dapr-findings.md): 112,836 publishes answered
// nil, 8 "did not receive confirmation" logged, one message (answered nil
// after 6 ms) in none of the three queues; the publish after it took 10 s
// and failed. Every publish slower than a second followed a quick one.
// With -timeout 8s -rounds 3: two messages answered nil after exactly 8 s
// (the component's ctx.Done path) and in no queue.
package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/dapr/components-contrib/pubsub"

	"github.com/lettertomyself/ltm/tools/daprd/repro/internal/rabbitnode"
)

type attempt struct {
	id   int
	at   time.Time
	took time.Duration
	err  error
}

func main() {
	rounds := flag.Int("rounds", 5, "broker stops")
	queues := flag.Int("queues", 3, "subscribing apps (one queue each on the topic's exchange)")
	timeout := flag.Duration("timeout", 15*time.Second, "each publish's deadline (the relay's)")
	flag.Parse()

	n, err := rabbitnode.StartTemp("rabbitconfirm")
	if err != nil {
		panic(err)
	}
	defer n.Close()
	var mu sync.Mutex
	got := make([]map[int]bool, *queues)
	for q := range got {
		got[q] = map[int]bool{}
		id := fmt.Sprintf("app%d", q)
		sub := n.Open(id, id)
		err = sub.Subscribe(context.Background(), pubsub.SubscribeRequest{Topic: "t"}, func(_ context.Context, m *pubsub.NewMessage) error {
			id, _ := strconv.Atoi(string(m.Data))
			mu.Lock()
			got[q][id] = true
			mu.Unlock()
			return nil
		})
		if err != nil {
			panic(err)
		}
	}

	publisher := n.Open("publisher", "publisher")
	var log []attempt
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		for id := 1; ; id++ {
			select {
			case <-stop:
				return
			default:
			}
			ctx, cancel := context.WithTimeout(context.Background(), *timeout)
			t0 := time.Now()
			err := publisher.Publish(ctx, &pubsub.PublishRequest{Topic: "t", PubsubName: "p", Data: []byte(strconv.Itoa(id))})
			cancel()
			log = append(log, attempt{id: id, at: t0, took: time.Since(t0), err: err})
			if err != nil {
				id-- // a failed publish is retried with the same id, as the relay does
				time.Sleep(time.Second)
			}
		}
	}()

	time.Sleep(3 * time.Second)
	for r := 1; r <= *rounds; r++ {
		t := time.Now()
		n.Stop()
		fmt.Printf("round %d: node stopped in %s\n", r, time.Since(t).Round(time.Millisecond))
		time.Sleep(5 * time.Second)
		if err := n.Start(); err != nil {
			panic(err)
		}
		time.Sleep(15 * time.Second)
	}
	close(stop)
	<-stopped
	time.Sleep(10 * time.Second)

	mu.Lock()
	defer mu.Unlock()
	accepted, lost := 0, 0
	for i, a := range log {
		if a.err != nil {
			continue
		}
		accepted++
		var missing []int
		for q := range got {
			if !got[q][a.id] {
				missing = append(missing, q)
			}
		}
		if len(missing) > 0 {
			lost++
			next := "none"
			if i+1 < len(log) {
				b := log[i+1]
				next = fmt.Sprintf("took %s, err %v", b.took.Round(time.Millisecond), b.err)
			}
			fmt.Printf("LOST: message %d (missing in queues %v) accepted after %s at %s; the next publish: %s\n",
				a.id, missing, a.took.Round(time.Millisecond), a.at.Format("15:04:05.000"), next)
		}
	}
	// What a publisher sees around a broker stop: every publish slower
	// than a second, and the one before it.
	for i, a := range log {
		if a.took > time.Second && i > 0 {
			b := log[i-1]
			fmt.Printf("slow publish %d: %s (err %v); the one before: %d, %s (err %v)\n",
				a.id, a.took.Round(time.Millisecond), a.err, b.id, b.took.Round(time.Millisecond), b.err)
		}
	}
	fmt.Printf("publishes accepted %d, missing from at least one queue %d\n", accepted, lost)
}
