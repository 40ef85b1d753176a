#!/usr/bin/env bash
# Checks the Kubernetes manifests offline (docs/kubernetes.md, "What the checks
# enforce"): tools/k8scheck renders every overlay under k8s/overlays with kustomize's
# own library, decodes each resource strictly into the Kubernetes and Dapr types,
# runs Dapr 1.18.1's sidecar injector and the Pod Security "restricted" evaluator on
# every pod, cross-checks the manifests against the apps' code and the docs, and
# enforces the project's rules. Its own tests first show each rule failing on a bad
# fixture (tools/k8scheck/testdata/bad).
#
#   tools/scripts/check-k8s.sh            the repository as committed (make test)
#   tools/scripts/check-k8s.sh --release  also refuse placeholders left in prod
#
# tools/k8scheck is its own module (not in go.work: Dapr and kustomize bring hundreds
# of dependencies); the first run compiles them (a few minutes), later runs are cached.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root/tools/k8scheck"
export GOWORK=off
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

go vet ./...
go test -count=1 ./...
go build -o "$out/k8scheck" .
"$out/k8scheck" -root "$root" "$@"
echo "check-k8s: OK"
