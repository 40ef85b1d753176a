// Package e2e boots the whole system (eleven apps beside real daprd
// sidecars, real Postgres and RabbitMQ) in an isolated world of its own
// and drives it from outside, as users and operators would. The tests are
// behind the e2e build tag: `make test` runs them after the unit tests.
package e2e
