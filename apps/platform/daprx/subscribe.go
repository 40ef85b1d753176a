package daprx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/logging"
)

// Event is the CloudEvent envelope Dapr delivers.
type Event struct {
	ID              string          `json:"id"`
	Source          string          `json:"source"`
	Type            string          `json:"type"`
	Topic           string          `json:"topic"`
	PubSubName      string          `json:"pubsubname"`
	DataContentType string          `json:"datacontenttype"`
	Data            json.RawMessage `json:"data"`
	TraceParent     string          `json:"traceparent"`
}

// Decode unmarshals the event data into v. A payload that does not decode
// is poison: retrying cannot fix it, so the error asks for a drop.
func (e Event) Decode(v any) error {
	data := e.Data
	// Data published as bytes without a JSON content type arrives as a
	// JSON string holding the JSON document.
	var s string
	if len(data) > 0 && data[0] == '"' && json.Unmarshal(data, &s) == nil {
		data = []byte(s)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return Drop(fmt.Errorf("event %s on %s: bad payload: %w", e.ID, e.Topic, err))
	}
	return nil
}

// Handler processes one event. nil → SUCCESS; an error wrapping ErrDrop →
// DROP (poison, never retried); any other error → RETRY.
type Handler func(ctx context.Context, e Event) error

// ErrDrop marks an error as permanent.
var ErrDrop = errors.New("drop message")

// Drop wraps err so the message is dropped instead of retried.
func Drop(err error) error { return fmt.Errorf("%w: %w", ErrDrop, err) }

// Subscription is one declared topic → route pair.
type Subscription struct {
	PubSubName string `json:"pubsubname"`
	Topic      string `json:"topic"`
	Route      string `json:"route"`
}

// Subscriptions declares topics to Dapr (GET /dapr/subscribe) and serves
// their routes from the same list, so a declared route always exists (a
// missing one would make Dapr drop messages with 404).
type Subscriptions struct {
	log  *slog.Logger
	subs []Subscription
	hs   []Handler
}

// NewSubscriptions returns an empty set.
func NewSubscriptions(log *slog.Logger) *Subscriptions { return &Subscriptions{log: log} }

// SubscriptionPubSub names the pub/sub component an app reads topic
// through, "pubsub-" and the topic with '-' for '.' and '_' (a Kubernetes
// name): one component per topic (components/pubsub-subscriptions.yaml),
// publishing goes through PubSub. One component instance holds one AMQP
// channel, and daprd 1.18's RabbitMQ component re-subscribes every topic of
// an instance at once after a broker restart, on that one channel; the
// replies cross and leave consumers the client has forgotten, each holding
// prefetchCount messages unacknowledged until the sidecar restarts
// (docs/dapr-findings.md). A component with one subscription has nothing
// to cross.
func SubscriptionPubSub(topic string) string {
	return PubSub + "-" + strings.NewReplacer(".", "-", "_", "-").Replace(topic)
}

// Handle subscribes h to topic through the topic's own component.
func (s *Subscriptions) Handle(topic string, h Handler) {
	s.subs = append(s.subs, Subscription{PubSubName: SubscriptionPubSub(topic), Topic: topic, Route: "/events/" + strings.ReplaceAll(topic, ".", "-")})
	s.hs = append(s.hs, h)
}

// Declared lists the subscriptions as Dapr will see them.
func (s *Subscriptions) Declared() []Subscription { return append([]Subscription(nil), s.subs...) }

// maxEventBytes bounds an event body; events carry ids and short texts.
const maxEventBytes = 1 << 20

// Mount serves the app side of the Dapr contract: /dapr/config (nothing to
// configure: no actors) and /dapr/subscribe on r, and one POST route per
// subscription on events (which should admit only the sidecar).
func (s *Subscriptions) Mount(r, events gin.IRoutes) {
	r.GET("/dapr/config", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{}) })
	r.GET("/dapr/subscribe", func(c *gin.Context) {
		list := s.subs
		if list == nil {
			list = []Subscription{}
		}
		c.JSON(http.StatusOK, list)
	})
	for i, sub := range s.subs {
		events.POST(sub.Route, s.serve(sub, s.hs[i]))
	}
}

func (s *Subscriptions) serve(sub Subscription, h Handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		var e Event
		if err := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, maxEventBytes)).Decode(&e); err != nil {
			s.log.ErrorContext(c, "event envelope unreadable; dropping", "topic", sub.Topic, "err", err)
			c.JSON(http.StatusOK, gin.H{"status": "DROP"})
			return
		}
		if e.Topic == "" {
			e.Topic = sub.Topic
		}
		ctx := c.Request.Context()
		if tid := logging.TraceIDFromTraceparent(e.TraceParent); tid != "" {
			ctx = logging.WithTraceID(ctx, tid)
		}
		err := h(ctx, e)
		switch {
		case err == nil:
			c.JSON(http.StatusOK, gin.H{"status": "SUCCESS"})
		case errors.Is(err, ErrDrop):
			s.log.ErrorContext(ctx, "event dropped", "topic", e.Topic, "event_id", e.ID, "err", err)
			c.JSON(http.StatusOK, gin.H{"status": "DROP"})
		default:
			s.log.WarnContext(ctx, "event failed; asking for a retry", "topic", e.Topic, "event_id", e.ID, "err", err)
			c.JSON(http.StatusOK, gin.H{"status": "RETRY"})
		}
	}
}

// BindingHandler processes one input binding delivery (e.g. a cron tick).
type BindingHandler func(ctx context.Context, body []byte) error

// OnBinding serves the route Dapr posts input binding events to: /<name>.
// The component must set direction: input, or daprd probes the route with
// OPTIONS first and silently disables the binding on a 404.
func OnBinding(r gin.IRoutes, log *slog.Logger, name string, h BindingHandler) {
	r.POST("/"+name, func(c *gin.Context) {
		httpx.Quiet(c) // a tick every few seconds: only failures are news
		body, err := readLimited(c, maxEventBytes)
		if err != nil {
			c.Status(http.StatusBadRequest)
			return
		}
		if err := h(c.Request.Context(), body); err != nil {
			if httpx.Unavailable(err) {
				// The database is down or restarting: nothing is wrong with
				// the tick and the next one does the work; not a 500.
				log.WarnContext(c, "input binding: database unavailable", "binding", name, "err", err)
				c.Header("Retry-After", "5")
				c.Status(http.StatusServiceUnavailable)
				return
			}
			log.ErrorContext(c, "input binding failed", "binding", name, "err", err)
			c.Status(http.StatusInternalServerError)
			return
		}
		c.Status(http.StatusOK)
	})
}

func readLimited(c *gin.Context, n int64) ([]byte, error) {
	return io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, n))
}
