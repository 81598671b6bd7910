#!/usr/bin/env bash
# Installs the interop peers from the package registries into a cache, once per pinned version:
#   otelcol      - an OpenTelemetry Collector built by the Collector's builder from otelcol/builder.yaml
#   telemetrygen - the Collector project's OTLP load generator
#   python       - a venv with openai + openinference-instrumentation-openai + the OTel SDK
# Writes $PEERS_CACHE/peers.properties (peer=path). A peer that cannot be installed (registry down,
# toolchain missing) is written as skipped.<peer>=<reason> and reported loudly; it is not a failure.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"
cache="${PEERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/llmtrace-peers}"
mkdir -p "$cache"
props="$cache/peers.properties"
: > "$props.tmp"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod

log() { echo "[install-peers] $*" >&2; }
skip() {  # peer reason logfile
  log "SKIPPED $1: $2 (see $3)"
  echo "skipped.$1=$2" >> "$props.tmp"
}

install_otelcol() {
  command -v go >/dev/null || { skip otelcol "no Go toolchain" "PATH"; return; }
  local key dir
  key=$(cat "$here/versions.env" "$here/otelcol/builder.yaml" | sha256sum | cut -c1-12)
  dir="$cache/otelcol-$key"
  if [ ! -x "$dir/otelcol-llmtrace-peer" ]; then
    log "building the Collector $COLLECTOR_VERSION with its builder (first time: about 3 minutes)"
    mkdir -p "$dir"
    GOBIN="$cache/go-bin-$COLLECTOR_VERSION" go install "go.opentelemetry.io/collector/cmd/builder@v$COLLECTOR_VERSION" \
      > "$dir/build.log" 2>&1 || { skip otelcol "go install builder@v$COLLECTOR_VERSION failed" "$dir/build.log"; return; }
    sed -e "s|vVERSION|v$COLLECTOR_VERSION|g" -e "s|OUTPUT_PATH|$dir/src|" "$here/otelcol/builder.yaml" > "$dir/builder.yaml"
    "$cache/go-bin-$COLLECTOR_VERSION/builder" --config "$dir/builder.yaml" >> "$dir/build.log" 2>&1 \
      || { skip otelcol "the builder failed" "$dir/build.log"; return; }
    mv "$dir/src/otelcol-llmtrace-peer" "$dir/" && rm -rf "$dir/src"
  fi
  echo "otelcol=$dir/otelcol-llmtrace-peer" >> "$props.tmp"
  log "otelcol: $dir/otelcol-llmtrace-peer (Collector $COLLECTOR_VERSION)"
}

install_telemetrygen() {
  command -v go >/dev/null || { skip telemetrygen "no Go toolchain" "PATH"; return; }
  local dir="$cache/telemetrygen-$TELEMETRYGEN_VERSION"
  if [ ! -x "$dir/telemetrygen" ]; then
    log "installing telemetrygen $TELEMETRYGEN_VERSION"
    mkdir -p "$dir"
    GOBIN="$dir" go install "github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen@v$TELEMETRYGEN_VERSION" \
      > "$dir/install.log" 2>&1 || { skip telemetrygen "go install telemetrygen@v$TELEMETRYGEN_VERSION failed" "$dir/install.log"; return; }
  fi
  echo "telemetrygen=$dir/telemetrygen" >> "$props.tmp"
  log "telemetrygen: $dir/telemetrygen"
}

install_python() {
  command -v python3 >/dev/null || { skip python "no python3" "PATH"; return; }
  local key dir
  key=$( (python3 --version; cat "$here/python/requirements.txt") | sha256sum | cut -c1-12)
  dir="$cache/python-$key"
  if [ ! -x "$dir/venv/bin/python" ] || [ ! -f "$dir/installed" ]; then
    log "installing the Python client (openai + openinference-instrumentation-openai)"
    rm -rf "$dir" && mkdir -p "$dir"
    { python3 -m venv "$dir/venv" && "$dir/venv/bin/pip" install -q --disable-pip-version-check -r "$here/python/requirements.txt"; } \
      > "$dir/install.log" 2>&1 || { skip python "pip install -r interop/python/requirements.txt failed" "$dir/install.log"; return; }
    touch "$dir/installed"
  fi
  echo "python=$dir/venv/bin/python" >> "$props.tmp"
  log "python: $("$dir/venv/bin/python" -c 'import openai, openinference.instrumentation.openai as o; print("openai", openai.__version__)')"
}

install_otelcol
install_telemetrygen
install_python
mv "$props.tmp" "$props"
echo "$props"
