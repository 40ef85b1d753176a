package service

import (
	"net/http"
	"net/http/pprof"
)

// pprofHandler serves the runtime's profiles (/debug/pprof/...) for
// PPROF_PORT. It is mounted on a listener of its own, on loopback only and
// off by default: profiles show code paths and memory, never for a network.
func pprofHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
