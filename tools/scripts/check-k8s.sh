#!/usr/bin/env bash
# Builds every kustomize overlay under k8s/ and fails on build errors or on mistakes
# that must never ship (see docs/kubernetes.md):
#   - a Secret resource in the output (secret values are never committed; operators
#     create Secrets with kubectl, see docs/kubernetes.md),
#   - Postgres or RabbitMQ without a PersistentVolumeClaim, or with any emptyDir,
#   - a Dapr Component without scopes,
#   - a password-like env var with a literal value, a URL with inline credentials,
#   - an overlay image without a pinned tag (":latest" or none),
#   - a Dapr-enabled Deployment without the app API token: the annotation
#     dapr.io/app-token-secret, and in every container env APP_API_TOKEN from that
#     Secret's key "token" (the key Dapr's injector reads), so daprd and app agree,
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

# check_app_token <file>: for a Deployment whose pod has dapr.io/enabled "true", prints
# what is missing of the app API token wiring (nothing when it is complete).
check_app_token() {
  awk '
    function ind(l) { match(l, /^ */); return RLENGTH }
    function strip(v) { sub(/^[^:]*: */, "", v); gsub(/["\047]/, "", v); return v }
    {
      i = ind($0); line = substr($0, i + 1)
      # Leaving the current APP_API_TOKEN env item, the container, the containers list.
      if (inenv && i <= envind) inenv = 0
      if (incont && c > 0 && i <= itemind && !(i == itemind && line ~ /^- /)) incont = 0
    }
    line ~ /^dapr\.io\/enabled: *"?true"?$/ { dapr = 1 }
    line ~ /^dapr\.io\/app-token-secret:/ { ann = strip(line) }
    line == "containers:" { incont = 1; itemind = -1; next }
    incont && line ~ /^- / && (itemind < 0 || i == itemind) {
      itemind = i; c++; cname[c] = "?"; tname[c] = ""; tkey[c] = ""
      line = substr(line, 3); i += 2
    }
    incont && c > 0 && i == itemind + 2 && line ~ /^name:/ { cname[c] = strip(line) }
    incont && c > 0 && line ~ /^- name: *"?APP_API_TOKEN"?$/ { inenv = 1; envind = i; tname[c] = "-"; next }
    inenv && line ~ /^name:/ { tname[c] = strip(line) }
    inenv && line ~ /^key:/ { tkey[c] = strip(line) }
    END {
      if (!dapr) exit
      if (ann == "") print "no dapr.io/app-token-secret annotation"
      if (c == 0) print "no containers found"
      for (k = 1; k <= c; k++) {
        if (tname[k] == "") print "container " cname[k] ": no env APP_API_TOKEN"
        else if (tname[k] != ann || tkey[k] != "token")
          print "container " cname[k] ": APP_API_TOKEN must come from secretKeyRef name " (ann == "" ? "<annotation value>" : ann) " key token (has name \"" tname[k] "\" key \"" tkey[k] "\")"
      }
    }
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
      Deployment)
        while read -r problem; do
          err "$rel: Deployment/$obj: app API token: $problem (docs/kubernetes.md)"
        done < <(check_app_token "$f") ;;
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
