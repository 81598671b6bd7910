#!/usr/bin/env bash
# JMH benchmarks of the processing steps, one thread. Not a test and never run by CI.
#   bench/run-jmh.sh                 # all benchmarks, 3 warm-up + 5 measured iterations, 1 fork
#   bench/run-jmh.sh EnrichBenchmark -f 2 -wi 5 -i 5   # JMH options after the filter replace the defaults
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -DskipTests install -pl bench -am
./mvnw -B -q -pl bench dependency:build-classpath -Dmdep.outputFile=target/jmh.classpath >/dev/null
filter="${1:-.}"; shift || true
options=("$@")
[ ${#options[@]} -gt 0 ] || options=(-f 1 -wi 3 -w 2s -i 5 -r 3s)
java -cp "bench/target/classes:$(cat bench/target/jmh.classpath)" org.openjdk.jmh.Main "$filter" -t 1 "${options[@]}"
