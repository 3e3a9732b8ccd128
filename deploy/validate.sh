#!/usr/bin/env bash
# Validates the deployment files offline; CI runs it (`lgnet test`), and so can anyone:
#   bash deploy/validate.sh
# 1. docker-compose.yml against the Compose Specification JSON schema (check-jsonschema's
#    vendored copy), plus deploy/compose/check_compose.py (dependencies, health checks, pins).
# 2. deploy/compose/otel-collector.yaml parses.
# 3. Each overlay in deploy/k8s/overlays rendered with a pinned kustomize, then: built-in kinds
#    against kubernetes-validate's packaged schemas (strict: unknown fields fail), KEDA
#    ScaledObjects against deploy/schemas/, and deploy/k8s/check_rendered.py (contracts' topics
#    and consumer groups, probes, memory limits, secrets by reference).
# 4. The on-demand manifests in deploy/k8s/ops against kubernetes-validate.
# Tools are pinned and cached; the only network use is the first install from PyPI / the Go
# module proxy. Exits non-zero on the first invalid file.
set -euo pipefail
cd "$(dirname "$0")/.."

KUSTOMIZE_VERSION="v5.8.1"
CHECK_JSONSCHEMA="check-jsonschema==0.39.0"
KUBERNETES_VALIDATE="kubernetes-validate==1.37.0"
K8S_VERSION="${LGNET_K8S_VERSION:-1.33.0}"
TOOLS="${LGNET_TOOLS:-$HOME/.cache/lgnet/tools}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

step() { printf '== %s\n' "$*"; }
python_() { uv run --frozen --quiet python "$@"; }

# The Python validators in a venv of their own under $TOOLS, made once per pinned version pair:
# a warm run needs no network at all.
validators() {
  local venv="$TOOLS/validators" stamp="$CHECK_JSONSCHEMA $KUBERNETES_VALIDATE"
  if [[ "$(cat "$venv/.lgnet-stamp" 2>/dev/null)" != "$stamp" ]]; then
    step "installing $stamp into $venv" >&2
    rm -rf "$venv"
    uv venv --quiet --python 3.11 "$venv" >&2
    uv pip install --quiet --python "$venv/bin/python" "$CHECK_JSONSCHEMA" "$KUBERNETES_VALIDATE" >&2
    echo "$stamp" >"$venv/.lgnet-stamp"
  fi
  echo "$venv/bin"
}

kustomize_bin() {
  local bin="$TOOLS/kustomize-$KUSTOMIZE_VERSION"
  if [[ ! -x "$bin" ]]; then
    if command -v go >/dev/null 2>&1; then
      step "installing kustomize $KUSTOMIZE_VERSION into $TOOLS" >&2
      mkdir -p "$TOOLS/gobin"
      GOBIN="$TOOLS/gobin" GOTOOLCHAIN=local GOFLAGS=-buildvcs=false \
        go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" >&2
      mv "$TOOLS/gobin/kustomize" "$bin"
    elif command -v kubectl >/dev/null 2>&1; then
      echo "kubectl-kustomize"  # no Go here: kubectl's built-in kustomize renders the same files
      return
    else
      echo "deploy/validate.sh needs Go (to install kustomize) or kubectl" >&2
      exit 2
    fi
  fi
  echo "$bin"
}

render() {
  local kustomize="$1" dir="$2"
  if [[ "$kustomize" == kubectl-kustomize ]]; then kubectl kustomize "$dir"; else "$kustomize" build "$dir"; fi
}

VALIDATORS="$(validators)"

step "compose: docker-compose.yml against the Compose Specification"
"$VALIDATORS/check-jsonschema" --builtin-schema vendor.compose-spec docker-compose.yml
python_ deploy/compose/check_compose.py docker-compose.yml
python_ -c 'import sys, yaml; [yaml.safe_load(open(p)) for p in sys.argv[1:]]' deploy/compose/*.yaml

KUSTOMIZE="$(kustomize_bin)"
shopt -s nullglob
overlays=(deploy/k8s/overlays/*/)
[[ ${#overlays[@]} -gt 0 ]] || { echo "no overlays under deploy/k8s/overlays" >&2; exit 1; }
for overlay in "${overlays[@]}"; do
  name="$(basename "$overlay")"
  out="$WORK/$name"
  mkdir -p "$out"
  step "k8s: $name (rendered with kustomize $KUSTOMIZE_VERSION, Kubernetes $K8S_VERSION)"
  render "$KUSTOMIZE" "$overlay" >"$out/rendered.yaml"
  python_ deploy/k8s/check_rendered.py "$out/rendered.yaml" "$out/split"
  # kubernetes-validate only warns on a kind it has no schema for: make that an error, so a
  # misspelt kind or apiVersion cannot pass unchecked.
  if ! "$VALIDATORS/kubernetes-validate" --strict --quiet \
      -k "$K8S_VERSION" "$out/split/core.yaml" >"$out/kv.log" 2>&1 \
      || grep -q "Couldn't find schema" "$out/kv.log"; then
    cat "$out/kv.log" >&2
    exit 1
  fi
  custom=("$out"/split/scaledobject-*.json)
  if [[ ${#custom[@]} -gt 0 ]]; then
    "$VALIDATORS/check-jsonschema" \
      --schemafile deploy/schemas/keda-scaledobject-v1alpha1.json "${custom[@]}"
  fi
done
step "k8s: deploy/k8s/ops (on-demand manifests)"
"$VALIDATORS/kubernetes-validate" --strict --quiet -k "$K8S_VERSION" deploy/k8s/ops/*.yaml
step "deployment files valid"
