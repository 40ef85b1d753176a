package authntest_test

import (
	"context"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/lettertomyself/ltm/apps/platform/authn/authntest"
	"github.com/lettertomyself/ltm/apps/platform/clock"
)

// The issuer's tokens pass the real verifier; another issuer's, expired
// ones and ones for another audience do not.
func TestIssuerTokensMeetTheRealVerifier(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	iss := authntest.NewIssuer(t, clk)
	v := iss.Verifier()
	ctx := context.Background()

	user := uuid.NewString()
	c, err := v.Verify(ctx, iss.Token(user))
	if err != nil || c.UserID != user {
		t.Fatalf("own token: claims %+v, err %v", c, err)
	}
	refused := map[string]string{
		"foreign key": authntest.NewIssuer(t, clk).Token(user),
		"expired": iss.Token(user, func(c *jwt.RegisteredClaims) {
			c.ExpiresAt = jwt.NewNumericDate(clk.Now().Add(-time.Minute))
		}),
		"other audience": iss.Token(user, func(c *jwt.RegisteredClaims) { c.Audience = jwt.ClaimStrings{"other"} }),
	}
	for name, tok := range refused {
		if _, err := v.Verify(ctx, tok); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
