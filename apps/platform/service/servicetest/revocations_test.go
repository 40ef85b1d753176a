package servicetest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/authn/authntest"
	"github.com/lettertomyself/ltm/apps/platform/clock"
	"github.com/lettertomyself/ltm/apps/platform/service"
	"github.com/lettertomyself/ltm/apps/platform/service/servicetest"
)

// A service that guards a route reads auth-service's revocations through
// its sidecar and refuses the tokens they name; one that guards nothing,
// or says NoRevocations, polls nothing.
func TestGuardedServicesFollowRevocations(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 3, 10, 1, 0, 0, 0, time.UTC))
	iss := authntest.NewIssuer(t, clk)
	revoked, kept := uuid.NewString(), uuid.NewString()
	var asked []string
	sidecar := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1.0/invoke/auth-service/method/internal/revocations" {
			http.NotFound(w, r)
			return
		}
		asked = append(asked, r.URL.Query().Get("after"))
		_ = json.NewEncoder(w).Encode(authn.RevocationPage{
			Revocations: []authn.Revocation{{Seq: 4, UserID: revoked, ExpiresAt: clk.Now().Add(time.Hour)}}, Next: 4,
		})
	})
	guarded := func(d service.Deps) ([]service.Worker, error) {
		d.Router.GET("/api/me", d.Auth.Require(), func(c *gin.Context) { c.Status(http.StatusNoContent) })
		return nil, nil
	}
	srv := servicetest.Start(t, service.Spec{Name: "t", Clock: clk, Keys: iss, Setup: guarded}, sidecar)
	if srv.Revocations == nil {
		t.Fatal("a guarded service has no revocation poller")
	}
	srv.Revocations.Step(context.Background())
	if len(asked) != 1 || asked[0] != "0" {
		t.Fatalf("the sidecar was asked %v, want after=0 once", asked)
	}
	for user, want := range map[string]int{revoked: http.StatusUnauthorized, kept: http.StatusNoContent} {
		got := srv.Do(t, http.MethodGet, "/api/me", nil, map[string]string{"Authorization": iss.Bearer(user)})
		if got.Status != want {
			t.Errorf("user %s: %d, want %d", user, got.Status, want)
		}
	}

	if s := servicetest.Start(t, service.Spec{Name: "t", Clock: clk, Keys: iss}, sidecar); s.Revocations != nil {
		t.Error("a service guarding no route polls revocations")
	}
	edge := servicetest.Start(t, service.Spec{Name: "t", Clock: clk, Keys: iss, Setup: guarded, Revocations: service.NoRevocations}, sidecar)
	if edge.Revocations != nil {
		t.Error("NoRevocations still polls")
	}
}
