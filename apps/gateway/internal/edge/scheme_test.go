package edge

import (
	"crypto/tls"
	"net/http/httptest"
	"testing"
)

func TestSchemeBelievesOnlyTrustedProxies(t *testing.T) {
	scheme, err := Scheme([]string{"10.0.0.0/8", "192.0.2.7"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, peer, proto string
		tls               bool
		want              string
	}{
		{"plain http", "198.51.100.1:5000", "", false, "http"},
		{"own TLS", "198.51.100.1:5000", "", true, "https"},
		{"untrusted caller claims https", "198.51.100.1:5000", "https", false, "http"},
		{"ingress in the CIDR says https", "10.1.2.3:5000", "https", false, "https"},
		{"single trusted address says https", "192.0.2.7:5000", "https, http", false, "https"},
		{"ingress says http", "10.1.2.3:5000", "http", false, "http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/api/auth/refresh", nil)
			r.RemoteAddr = tt.peer
			if tt.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			if got := scheme(r); got != tt.want {
				t.Errorf("scheme = %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := Scheme([]string{"not-an-address"}); err == nil {
		t.Error("a malformed trusted proxy is accepted")
	}
}
