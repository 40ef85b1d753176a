// Package launch runs the apps of a Dapr run file, each beside its own daprd,
// the way `dapr run -f .` does, but in-process and without the Dapr CLI, so
// both the developer command (tools/launcher) and the end-to-end suite can
// bring the system up, take one app down and back, and tear everything down
// leaving no process behind.
//
// Apps started with `go run` are compiled once, together, and their binaries
// executed directly: `go run` would sit between the launcher and the app,
// swallowing signals and orphaning the real process.
package launch
