// Command daprd is the Dapr 1.18.1 sidecar built from source with the stable
// components plus the three extra ones this project needs: the GCS bucket
// binding, the SMTP binding and sqlite name resolution. The Dapr CLI and its
// release downloads are not reachable here, so this is how we get a sidecar.
package main

import (
	// app imports cmd/daprd/components, which registers the component set
	// chosen by the build tag (stablecomponents).
	"github.com/dapr/dapr/cmd/daprd/app"
)

func main() {
	app.Run()
}
