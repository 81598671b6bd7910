#!/usr/bin/env bash
# Runs the pipeline on this machine with local defaults: no backend, no auth.
#   ./run-local.sh           the all-in-one: one process, OTLP gRPC :4317, OTLP HTTP :4318, health/metrics :9101,
#                            OTLP JSON lines under ./data/sink/
#   ./run-local.sh --split   the three services: ingest (:4317, :4318, :9101), enrich (gRPC :4417, :9102),
#                            export (gRPC :4517, :9103)
# Builds what is missing first. Ctrl-C stops everything.
# Extra settings go through the environment (INGEST_*, ENRICH_*, EXPORT_*), JVM flags through JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")"

split=0
if [ "${1:-}" = "--split" ]; then split=1; fi
if [ "$split" = 1 ]; then apps=(export enrich ingest); else apps=(all-in-one); fi

missing=0
for app in "${apps[@]}"; do
  [ -f "$app/target/quarkus-app/quarkus-run.jar" ] || missing=1
done
if [ "$missing" = 1 ] || [ "${REBUILD:-0}" = 1 ]; then
  echo "building (first run only; REBUILD=1 forces it)..."
  ./mvnw -B -q -DskipTests install
fi

pids=()
stop() {
  trap - INT TERM EXIT
  echo "stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

# lean defaults for a small machine, chosen by measurement (bench/RESULTS.md, "Lean JVM defaults"); JAVA_OPTS replaces them
LEAN_JVM="-Xmx256m -Xms96m -Xmn64m -XX:+UseSerialGC -XX:ReservedCodeCacheSize=48m -XX:MaxMetaspaceSize=128m -Xss512k -Djdk.nio.maxCachedBufferSize=262144 -XX:+UnlockDiagnosticVMOptions -XX:GCLockerRetryAllocationCount=100"

# downstream first, so each hop finds the next one up
export INGEST_AUTH_ENABLED="${INGEST_AUTH_ENABLED:-false}"
for app in "${apps[@]}"; do
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
  java ${JAVA_OPTS:-$LEAN_JVM} -jar "$app/target/quarkus-app/quarkus-run.jar" &
  pids+=($!)
done

ports=(9101)
if [ "$split" = 1 ]; then ports=(9103 9102 9101); fi
for port in "${ports[@]}"; do
  for _ in $(seq 1 60); do
    curl -fsS "http://localhost:$port/q/health/ready" >/dev/null 2>&1 && break
    sleep 0.5
  done
done
cat <<MSG

llmtrace is up ($([ "$split" = 1 ] && echo "three services" || echo "all-in-one")).
  send:    curl -X POST localhost:4318/v1/traces -H 'Content-Type: application/json' --data @core/src/test/resources/fixtures/openrouter-broadcast-full.json
  look:    ls data/sink/   (one OTLP JSON line per batch)
  health:  curl localhost:9101/q/health   metrics: curl localhost:9101/q/metrics | grep llmtrace_
Ctrl-C stops it.
MSG
wait
