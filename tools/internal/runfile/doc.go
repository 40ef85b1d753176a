// Package runfile reads the Dapr multi-app run file (dapr.yaml), the same file
// `dapr run -f .` reads, so the project can run without the Dapr CLI while the
// file stays usable by it.
//
// Load resolves everything a launcher needs up front: common settings merged
// into each app, paths made absolute, and every problem in the file reported
// at once, so a broken file is fixed in one edit rather than one per run.
package runfile
