package edge

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Scheme returns how a request reached the edge: "https" when its own
// connection is TLS, or when the peer is one of the trusted proxies (the
// ingress that terminates TLS) and its X-Forwarded-Proto says https;
// "http" otherwise, whatever an untrusted caller claims. auth-service
// marks the session cookie Secure and checks the Origin by it.
func Scheme(trusted []string) (func(*http.Request) string, error) {
	var prefixes []netip.Prefix
	for _, t := range trusted {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if !strings.Contains(t, "/") {
			addr, err := netip.ParseAddr(t)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: %w", t, err)
			}
			prefixes = append(prefixes, netip.PrefixFrom(addr, addr.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(t)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", t, err)
		}
		prefixes = append(prefixes, p)
	}
	return func(r *http.Request) string {
		if r.TLS != nil {
			return "https"
		}
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			return "http"
		}
		peer, err := netip.ParseAddr(host)
		if err != nil {
			return "http"
		}
		peer = peer.Unmap()
		for _, p := range prefixes {
			if p.Contains(peer) {
				first, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
				if strings.EqualFold(strings.TrimSpace(first), "https") {
					return "https"
				}
				return "http"
			}
		}
		return "http"
	}, nil
}
