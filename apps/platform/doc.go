// Package platform is the root of the shared module every Letter to Myself
// service builds on. It holds only cross-cutting code: configuration,
// logging, HTTP lifecycle, problem responses, Postgres and migrations, Dapr
// helpers and test helpers. Domain types never live here; services share
// events and HTTP contracts, not structs.
package platform
