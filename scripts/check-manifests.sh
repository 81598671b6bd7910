#!/usr/bin/env bash
# The Kubernetes manifests as tools people use see them: every kustomization builds with kustomize,
# validates strictly against the Kubernetes 1.37 schemas (kubernetes-validate) and passes checkov's
# kubernetes checks (.checkov.yaml says what is skipped and why). Tools are installed from the package
# registries into a cache the first time (kustomize from the Go module proxy, the others from PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."
kustomize_version=v5.4.3
checkov_version=3.3.30
validate_version=1.37.0
tools="${LLMTRACE_TOOLS:-$HOME/.cache/llmtrace-tools}"
kbin="$tools/kustomize-$kustomize_version"
venv="$tools/manifests-venv-$checkov_version-$validate_version"
if [ ! -x "$kbin/kustomize" ]; then
  command -v go >/dev/null || { echo "SKIPPED: kustomize needs Go to install" >&2; exit 0; }
  GOTOOLCHAIN=local GOBIN="$kbin" go install "sigs.k8s.io/kustomize/kustomize/v5@$kustomize_version"
fi
if [ ! -f "$venv/installed" ]; then # a venv cannot be moved once made: built in place, marked when whole
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "checkov==$checkov_version" "kubernetes-validate==$validate_version"
  touch "$venv/installed"
fi
export PATH="$kbin:$PATH"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for k in k8s/base k8s/overlays/openrouter k8s/overlays/sidecar k8s/overlays/mtls; do
  name=$(echo "$k" | tr / -)
  kustomize build "$k" > "$out/$name.yaml"
  "$venv/bin/kubernetes-validate" --strict --kubernetes-version 1.37.0 --quiet "$out/$name.yaml"
  echo "kustomize build $k: valid against the Kubernetes 1.37 schemas (strict)"
done
"$venv/bin/checkov" -d k8s --config-file .checkov.yaml
echo "checkov $checkov_version: k8s OK"
