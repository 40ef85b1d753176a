package runfile

import "fmt"

// OffsetPorts shifts every explicitly set port by n, so a second copy of the
// system (an end-to-end run) can live beside a development one. Unset ports
// stay unset and are still picked free at start. Nothing changes if any
// shifted port would leave the valid range.
func (f *File) OffsetPorts(n int) error {
	for _, a := range f.Apps {
		for _, p := range appPorts(a) {
			if p.port > 0 && (p.port+n < 1 || p.port+n > 65535) {
				return fmt.Errorf("offset ports by %d: %s %s %d would be out of range", n, a.ID, p.kind, p.port)
			}
		}
	}
	for i := range f.Apps {
		a := &f.Apps[i]
		for _, p := range []*int{&a.AppPort, &a.DaprHTTPPort, &a.DaprGRPCPort, &a.DaprInternalGRPCPort, &a.MetricsPort} {
			if *p > 0 {
				*p += n
			}
		}
	}
	return nil
}
