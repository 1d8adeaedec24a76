#!/usr/bin/env bash
# JMH micro-benchmarks of the pipeline (no network): ns per call and, with -prof gc, bytes allocated per call.
#   bench/jmh.sh [JMH options] [benchmark regex]   e.g. bench/jmh.sh -f 1 -wi 2 -i 3 RouteSelection
# Without a regex every benchmark runs (PipelineBenchmark, RouteSelectionBenchmark, EmbedBenchmark,
# VectorSearchBenchmark, SemanticLookupBenchmark, McpGatewayBenchmark).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]] && export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
LOCK=${BENCH_LOCK:-/tmp/smartflow-mvn.lock}
exec 9>"$LOCK"
flock 9
# Built and resolved in the reactor (package, not install: a SNAPSHOT installed into the shared ~/.m2 would leak into
# other builds). Not offline: the dependency plugin may need to come from Maven Central once. Each module of the
# reactor writes its class path to the file in turn; bench comes last.
CP_FILE=$(mktemp)
trap 'rm -f "$CP_FILE"' EXIT
./mvnw -q -B -DskipTests -pl bench -am package dependency:build-classpath -Dmdep.outputFile="$CP_FILE"
CP=$(cat "$CP_FILE")
# Pinned to one core, like the gateway in run.sh; CORES=0,1 gives a benchmark whose client, gateway and upstream
# share its JVM (McpGatewayBenchmark) both cores.
taskset -c "${CORES:-1}" "$JAVA" -cp "bench/target/classes:$CP" org.openjdk.jmh.Main -prof gc "$@"
