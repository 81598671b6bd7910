#!/usr/bin/env bash
# Profiles a running JVM (a contender of run-pipeline.sh, a service) with async-profiler, taken from Maven Central
# like any dependency: CPU, allocation or wall-clock samples as collapsed stacks (one line per stack, for
# flame-graph tools or a grep). JFR's allocation samples gave unusable weights here; these did not. Not a test.
#   bench/profile.sh <pid> [cpu|alloc|wall] [seconds] [output file]
#   bench/profile.sh "$(pgrep -f all-in-one/target/quarkus-app)" alloc 15
set -euo pipefail
cd "$(dirname "$0")/.."
pid=$1
event=${2:-cpu}
seconds=${3:-15}
out=$(realpath -m "${4:-bench/target/profile-$event-$pid.collapsed}")
version=4.2
dir=bench/target/async-profiler-$version
lib=$PWD/$dir/linux-x64/libasyncProfiler.so
if [ ! -f "$lib" ]; then
  ./mvnw -B -q -ntp dependency:copy -Dartifact="tools.profiler:async-profiler:$version:jar:linux-x64" -DoutputDirectory="$dir"
  (cd "$dir" && unzip -q -o "async-profiler-$version-linux-x64.jar" 'linux-x64/*')
fi
# jcmd would split "name=value" arguments itself: the agent's options go in quotes
jcmd "$pid" JVMTI.agent_load "$lib" "\"start,event=$event\"" >/dev/null
sleep "$seconds"
jcmd "$pid" JVMTI.agent_load "$lib" "\"stop,file=$out,collapsed\"" >/dev/null
echo "$out"
