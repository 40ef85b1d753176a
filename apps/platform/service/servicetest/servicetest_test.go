package servicetest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/lettertomyself/ltm/apps/platform/authn/authntest"
	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/service"
	"github.com/lettertomyself/ltm/apps/platform/service/servicetest"
)

// TestStartBuildsTheServiceAsNewDoes checks what a service test relies on:
// the spec's clock and keys reach the guards, the app token guards
// /internal/ and subscriptions, the database is migrated and reachable.
func TestStartBuildsTheServiceAsNewDoes(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 3, 10, 1, 0, 0, 0, time.UTC))
	iss := authntest.NewIssuer(t, clk)
	var sawClock clock.Clock
	srv := servicetest.Start(t, service.Spec{
		Name: "t", Database: servicetest.Database(t), Clock: clk, Keys: iss,
		Setup: func(d service.Deps) ([]service.Worker, error) {
			sawClock = d.Clock
			d.Router.GET("/api/me", d.Auth.Require(), func(c *gin.Context) { c.Status(http.StatusNoContent) })
			d.Internal.GET("/ping", func(c *gin.Context) { c.Status(http.StatusNoContent) })
			d.Subs.Handle("t.happened", func(context.Context, daprx.Event) error { return nil })
			return nil, nil
		},
	}, nil)
	if n := len(srv.Workers()); n != 2 {
		t.Errorf("%d workers, want the outbox relay and the inbox pruner", n)
	}
	if sawClock != clk {
		t.Error("Deps.Clock is not the spec's clock")
	}
	if err := srv.DB.Ping(context.Background()); err != nil {
		t.Fatalf("database: %v", err)
	}
	tests := []struct {
		name, path, header, value string
		want                      int
	}{
		{"token from the spec's keys", "/api/me", "Authorization", iss.Bearer("0195c3a4-2b7e-7cc0-8a51-5d8f3f1f0a01"), http.StatusNoContent},
		{"no token", "/api/me", "", "", http.StatusUnauthorized},
		{"internal with the app token", "/internal/ping", "dapr-api-token", servicetest.AppToken, http.StatusNoContent},
		{"internal without it", "/internal/ping", "", "", http.StatusUnauthorized},
		{"readyz", "/readyz", "", "", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+tt.path, nil)
			if tt.header != "" {
				req.Header.Set(tt.header, tt.value)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("GET %s = %d, want %d: %s", tt.path, resp.StatusCode, tt.want, b)
			}
		})
	}
}

func TestDoAndPublish(t *testing.T) {
	var got []string
	srv := servicetest.Start(t, service.Spec{
		Name: "t",
		Setup: func(d service.Deps) ([]service.Worker, error) {
			d.Subs.Handle("t.happened", func(_ context.Context, e daprx.Event) error {
				var p struct{ N int }
				if err := e.Decode(&p); err != nil {
					return err
				}
				got = append(got, e.ID)
				if p.N < 0 {
					return daprx.Drop(errors.New("negative"))
				}
				return nil
			})
			d.Router.POST("/echo", func(c *gin.Context) {
				b, _ := io.ReadAll(c.Request.Body)
				c.Data(http.StatusOK, c.ContentType(), b)
			})
			return nil, nil
		},
	}, nil)
	r := srv.Do(t, http.MethodPost, "/echo", map[string]int{"n": 1}, nil)
	if r.Status != http.StatusOK || r.Body["n"] != float64(1) || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("Do with a JSON body = %+v", r)
	}
	if r := srv.Do(t, http.MethodPost, "/echo", "plain", map[string]string{"Content-Type": "text/plain"}); r.Raw != "plain" || r.Body != nil {
		t.Errorf("Do with a text body = %+v", r)
	}
	if st := srv.Publish(t, "t.happened", "ev-1", map[string]int{"n": 1}); st != "SUCCESS" {
		t.Errorf("Publish = %s, want SUCCESS", st)
	}
	if st := srv.Publish(t, "t.happened", "", map[string]int{"n": -1}); st != "DROP" {
		t.Errorf("Publish of a poison event = %s, want DROP", st)
	}
	if len(got) != 2 || got[0] != "ev-1" || got[1] == "" {
		t.Errorf("handler saw ids %v, want ev-1 then a fresh one", got)
	}
}
