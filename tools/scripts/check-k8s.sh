#!/usr/bin/env bash
# Builds every kustomize overlay under k8s/ and fails on build errors or on mistakes
# that must never ship (see docs/kubernetes.md):
#   - a Secret resource in the output (secret values are never committed; operators
#     create Secrets with kubectl, see docs/kubernetes.md),
#   - Postgres or RabbitMQ without a PersistentVolumeClaim, or with any emptyDir,
#   - a Dapr Component without scopes,
#   - a password-like env var with a literal value, a URL with inline credentials,
#   - an overlay image without a pinned tag (":latest" or none),
#   - k8s/base/dapr/resiliency.yaml drifting from components/resiliency.yaml.
# Needs only Go: kustomize is run from the Go module proxy at a pinned version.
set -euo pipefail

KUSTOMIZE_VERSION=v5.8.1 # v5.8.2+ need a newer Go than the repository's toolchain
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
kustomize() { (cd "$root" && go run "sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}" "$@"); }

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
fail=0
err() { echo "check-k8s: $*" >&2; fail=1; }

# split <file> <dir>: one file per YAML document, named after kind and name.
split_docs() {
  awk -v dir="$2" '
    function flush() {
      if (buf != "") { n++; f = sprintf("%s/%03d_%s_%s.yaml", dir, n, kind, name); printf "%s", buf > f; close(f) }
      buf = ""; kind = "none"; name = "none"; inmeta = 0
    }
    BEGIN { kind = "none"; name = "none" }
    /^---/ { flush(); next }
    /^kind: / { kind = $2 }
    /^metadata:/ { inmeta = 1 }
    /^[a-z]/ && !/^metadata:/ { inmeta = 0 }
    inmeta && /^  name: / && name == "none" { name = $2 }
    { buf = buf $0 "\n" }
    END { flush() }
  ' "$1"
}

overlays=("$root"/k8s/overlays/*/)
[ ${#overlays[@]} -gt 0 ] || { echo "check-k8s: no overlays found" >&2; exit 1; }

for dir in "$root/k8s/base/" "${overlays[@]}"; do
  name="$(basename "$dir")"
  rel="${dir#"$root"/}"
  if ! kustomize build "$rel" > "$out/$name.yaml" 2> "$out/$name.err"; then
    cat "$out/$name.err" >&2
    err "$rel: kustomize build failed"
    continue
  fi
  mkdir -p "$out/$name.d"
  split_docs "$out/$name.yaml" "$out/$name.d"
  count=$(ls "$out/$name.d" | wc -l)

  for f in "$out/$name.d"/*; do
    base="$(basename "$f" .yaml)"; kind="$(echo "$base" | cut -d_ -f2)"; obj="$(echo "$base" | cut -d_ -f3-)"
    case "$kind" in
      Secret)
        err "$rel: Secret/$obj is in the manifests; create it with kubectl instead (docs/kubernetes.md)" ;;
      StatefulSet)
        if [ "$obj" = postgres ] || [ "$obj" = rabbitmq ]; then
          grep -q 'volumeClaimTemplates:' "$f" || err "$rel: StatefulSet/$obj has no volumeClaimTemplates (data would not persist)"
          grep -q 'emptyDir' "$f" && err "$rel: StatefulSet/$obj uses an emptyDir"
        fi ;;
      Component)
        grep -q '^scopes:' "$f" || err "$rel: Component/$obj has no scopes" ;;
    esac
    # Images are pinned in the overlays; the base only names them.
    [ "$name" = base ] && continue
    while read -r img; do
      case "$img" in
        *:latest|"") err "$rel: $kind/$obj uses an unpinned image '$img'" ;;
        *@sha256:*|*:*) ;;
        *) err "$rel: $kind/$obj uses an image without a tag '$img'" ;;
      esac
    done < <(sed -n 's/^ *image: *//p' "$f" | tr -d '"')
  done
  # A password-like env var must come from a Secret (valueFrom), never a literal value.
  awk -v rel="$rel" '
    pending { if ($1 == "value:") { print "check-k8s: " rel ": literal value for env " var; bad = 1 } pending = 0 }
    /^ *- name: [A-Z0-9_]*(PASS|PASSWORD|SECRET|TOKEN|KEY)[A-Z0-9_]*$/ { var = $3; pending = 1 }
    END { exit bad }
  ' "$out/$name.yaml" >&2 || fail=1
  grep -q 'amqp://[^<"]*:[^<"]*@' "$out/$name.yaml" && err "$rel: a RabbitMQ URL with credentials is inlined"
  grep -q 'postgres://[^<"]*:[^<"]*@' "$out/$name.yaml" && err "$rel: a Postgres URL with credentials is inlined"
  echo "check-k8s: $rel: $count resources"
done

if ! diff -q "$root/components/resiliency.yaml" "$root/k8s/base/dapr/resiliency.yaml" > /dev/null; then
  err "k8s/base/dapr/resiliency.yaml differs from components/resiliency.yaml (keep them identical)"
fi

if [ "$fail" -ne 0 ]; then echo "check-k8s: FAILED" >&2; exit 1; fi
echo "check-k8s: OK"
