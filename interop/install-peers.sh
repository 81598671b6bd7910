#!/usr/bin/env bash
# Installs the interop peers from the package registries into a cache, once per pinned version:
#   otelcol      - an OpenTelemetry Collector built by the Collector's builder from otelcol/builder.yaml
#   telemetrygen - the Collector project's OTLP load generator
#   python       - a venv with openai + openinference-instrumentation-openai + the OTel SDK
#   phoenix      - Arize Phoenix (PyPI arize-phoenix) in a venv of its own, as a real OpenInference backend
#   jaeger       - Jaeger v2 (cmd/jaeger) built from the Go proxy by a wrapper module, standing in for Tempo
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

install_phoenix() {
  command -v python3 >/dev/null || { skip phoenix "no python3" "PATH"; return; }
  local key dir
  key=$( (python3 --version; echo "$PHOENIX_VERSION") | sha256sum | cut -c1-12)
  dir="$cache/phoenix-$key"
  if [ ! -x "$dir/venv/bin/phoenix" ] || [ ! -f "$dir/installed" ]; then
    log "installing Arize Phoenix $PHOENIX_VERSION (first time: about 2 minutes)"
    rm -rf "$dir" && mkdir -p "$dir"
    { python3 -m venv "$dir/venv" && "$dir/venv/bin/pip" install -q --disable-pip-version-check "arize-phoenix==$PHOENIX_VERSION"; } \
      > "$dir/install.log" 2>&1 || { skip phoenix "pip install arize-phoenix==$PHOENIX_VERSION failed" "$dir/install.log"; return; }
    touch "$dir/installed"
  fi
  echo "phoenix=$dir/venv/bin/phoenix" >> "$props.tmp"
  log "phoenix: $dir/venv/bin/phoenix ($PHOENIX_VERSION)"
}

# Jaeger's go.mod has a replace directive, so `go install jaeger@version` refuses; a wrapper module
# that requires it with the same replace builds cmd/jaeger, as the Collector's builder does for otelcol.
install_jaeger() {
  command -v go >/dev/null || { skip jaeger "no Go toolchain" "PATH"; return; }
  local dir="$cache/jaeger-$JAEGER_VERSION"
  if [ ! -x "$dir/jaeger" ]; then
    log "building Jaeger $JAEGER_VERSION (first time: about 10 minutes on 2 cores)"
    rm -rf "$dir/wrapper" && mkdir -p "$dir/wrapper"
    ( cd "$dir/wrapper" \
      && printf 'module llmtrace.dev/jaeger-peer\n\ngo 1.24\n\nreplace github.com/Shopify/sarama => github.com/Shopify/sarama v1.33.0\n' > go.mod \
      && go get "github.com/jaegertracing/jaeger/cmd/jaeger@v$JAEGER_VERSION" \
      && go build -trimpath -o "$dir/jaeger.tmp" github.com/jaegertracing/jaeger/cmd/jaeger \
      && mv "$dir/jaeger.tmp" "$dir/jaeger" ) > "$dir/build.log" 2>&1 \
      || { skip jaeger "building cmd/jaeger@v$JAEGER_VERSION failed" "$dir/build.log"; return; }
    rm -rf "$dir/wrapper"
  fi
  echo "jaeger=$dir/jaeger" >> "$props.tmp"
  log "jaeger: $dir/jaeger ($JAEGER_VERSION)"
}

install_otelcol
install_telemetrygen
install_python
install_phoenix
install_jaeger
mv "$props.tmp" "$props"
echo "$props"
