#!/usr/bin/env bash
# JMH micro-benchmarks of the pipeline (no network): ns per call and, with -prof gc, bytes allocated per call.
#   bench/jmh.sh [JMH options] [benchmark regex]   e.g. bench/jmh.sh -f 1 -wi 2 -i 3 RouteSelection
# Without a regex every benchmark runs (PipelineBenchmark, RouteSelectionBenchmark).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]] && export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
LOCK=${BENCH_LOCK:-/tmp/smartflow-mvn.lock}
exec 9>"$LOCK"
flock 9
./mvnw -q -B -DskipTests -pl bench -am install
CP=$(./mvnw -q -B -pl bench dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
# Pinned to one core, like the gateway in run.sh.
taskset -c 1 "$JAVA" -cp "bench/target/classes:$CP" org.openjdk.jmh.Main -prof gc "$@"
