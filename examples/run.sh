#!/usr/bin/env bash
# Runs one example with one command: builds what it needs, then starts it with plain java.
#   examples/run.sh QuickStart | SecureSupportBot [--interactive] | CataloguePipeline | ResearchReport [topic] [depth]
# Without SMARTFLOW_URL the example starts a local gateway in-process with a scripted model; with it (and
# SMARTFLOW_API_KEY, the master key for the audit and cache calls) it runs against that gateway.
set -euo pipefail
cd "$(dirname "$0")/.."
example="${1:?usage: examples/run.sh <QuickStart|SecureSupportBot|CataloguePipeline|ResearchReport> [args]}"
shift
./mvnw -q -B -pl examples -am package -DskipTests
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true \
    -cp "examples/target/classes:$(cat examples/target/classpath.txt)" "dev.smartflow.examples.$example" "$@"
