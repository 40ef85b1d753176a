// Package edge holds what the gateway checks before a request may enter:
// access tokens on protected routes, per-client rate limits on the auth
// endpoints, body size limits and the CORS allowlist.
package edge
