#!/usr/bin/env bash
# Whole-pipeline benchmark: llmtrace's three services, the all-in-one and the OpenTelemetry Collector, one after the
# other, with the same OTLP/gRPC load (Broadcast-sized spans) and then Broadcast-shaped OTLP/HTTP JSON load (one span per
# request, 64 connections), fanned out to 3 sinks. Contenders: llmtrace, llmtrace-aio, otelcol (equal work), otelcol-light.
# Not a test.
#   bench/run-pipeline.sh                                   # all four contenders, default phases (30 minutes or more: JVMs warm up until their JIT settles)
#   bench/run-pipeline.sh --contenders llmtrace --rates 5000 # options: see PipelineBench
# Figures go to stdout and bench/target/pipeline-results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -ntp -DskipTests install
./mvnw -B -q -ntp -pl bench dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
props=$(interop/install-peers.sh)
otelcol=$(grep '^otelcol=' "$props" | cut -d= -f2- || true)
# the JVM flags the product ships with (run-local.sh, the images); a --jvm given here comes later and wins
args=(--jvm "$(sed -n 's/^LEAN_JVM="\(.*\)"$/\1/p' run-local.sh)" "$@")
if [ -n "$otelcol" ]; then
  args=(--otelcol "$otelcol" "${args[@]}")
else
  echo "SKIPPED: the Collector could not be installed; measuring llmtrace alone" >&2
  args=(--contenders llmtrace,llmtrace-aio "${args[@]}")
fi
java -cp "bench/target/classes:$(cat bench/target/bench.classpath)" dev.llmtrace.bench.pipeline.PipelineBench "${args[@]}"
