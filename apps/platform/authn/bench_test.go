package authn_test

import (
	"context"
	"testing"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/clock"
)

// Every protected request verifies a token, at the edge and again in the
// service: this is the per-request cost of local verification.
func BenchmarkVerify(b *testing.B) {
	t := &testing.T{}
	k := newKey(t, "k1")
	v := authn.NewVerifier(staticKeys{"k1": k.pub}, clock.NewFake(t0))
	token := mint(t, k, nil)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, token); err != nil {
			b.Fatal(err)
		}
	}
}
