#!/usr/bin/env bash
# Runs the whole pipeline on this machine with local defaults: no backend, no auth.
#   ingest  OTLP gRPC :4317, OTLP HTTP :4318, health/metrics :9101
#   enrich  gRPC :4417, health/metrics :9102
#   export  gRPC :4517, health/metrics :9103, OTLP JSON lines under ./data/sink/
# Builds what is missing first. Ctrl-C stops all three.
# Extra settings go through the environment, e.g. EXPORT_DESTINATION_ENDPOINT=http://localhost:14317
set -euo pipefail
cd "$(dirname "$0")"

services=(ingest enrich export)
missing=0
for s in "${services[@]}"; do
  [ -f "$s/target/quarkus-app/quarkus-run.jar" ] || missing=1
done
if [ "$missing" = 1 ] || [ "${REBUILD:-0}" = 1 ]; then
  echo "building (first run only; REBUILD=1 forces it)..."
  ./mvnw -B -q -DskipTests install
fi

mkdir -p data/logs
pids=()
stop() {
  trap - INT TERM EXIT
  echo "stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

# downstream first, so each hop finds the next one up
export INGEST_AUTH_ENABLED="${INGEST_AUTH_ENABLED:-false}"
for s in export enrich ingest; do
  java ${JAVA_OPTS:-} -jar "$s/target/quarkus-app/quarkus-run.jar" &
  pids+=($!)
done

for port in 9103 9102 9101; do
  for _ in $(seq 1 60); do
    curl -fsS "http://localhost:$port/q/health/ready" >/dev/null 2>&1 && break
    sleep 0.5
  done
done
cat <<'MSG'

llmtrace is up.
  send:    curl -X POST localhost:4318/v1/traces -H 'Content-Type: application/json' --data @core/src/test/resources/fixtures/openrouter-broadcast-full.json
  look:    ls data/sink/   (one OTLP JSON line per batch)
  health:  curl localhost:9101/q/health   metrics: curl localhost:9101/q/metrics | grep llmtrace_
Ctrl-C stops all three.
MSG
wait
