#!/usr/bin/env bash
# Predictions with DenseNet121 on the local stack (CPU): p50 and p99 latency and throughput for each number of
# concurrent clients, with the worker's dynamic batching on (its defaults) and off (a batch of one), each on a fresh
# stack; then the limit, the worker's own predictor in-process (no HTTP, no Kafka) at the given batch sizes, on the
# same PNG. The backbone has random weights (speed does not depend on their values).
#
#   bench/serving.sh [CLIENTS] [SECONDS] [BATCHES] [ROUNDS]     defaults: 1,8,32,128  20  1,8,16,32  10
#
# Builds first unless SKIP_BUILD=1. Needs Debian's python3-torch for the random weights file.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJL_OFFLINE=true
CLIENTS=${1:-1,8,32,128}
SECONDS_PER_LEVEL=${2:-20}
BATCHES=${3:-1,8,16,32}
ROUNDS=${4:-10}
WORK=trainer-worker/target/bench
mkdir -p "$WORK"
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -q -B -DskipTests package
fi
WEIGHTS=$WORK/densenet121-random-legacy.pth
[[ -f "$WEIGHTS" ]] || /usr/bin/python3 trainer-worker/src/test/python/parity_fixtures.py weights "$WEIGHTS"

echo "$(nproc) cores, $(date -u +%FT%TZ)"
java -cp deploy/stack/target/local-stack.jar dev.transferlab.stack.bench.ServingBenchmark \
  "$CLIENTS" "$SECONDS_PER_LEVEL" "$WORK/serving-image.png"
APP=trainer-worker/target/quarkus-app
java -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "$APP/lib/boot/*:$APP/lib/main/*:$APP/app/*" dev.transferlab.worker.bench.PredictorBenchmark \
  "$WEIGHTS" "$WORK/serving-image.png" "$BATCHES" "$ROUNDS" 2>"$WORK/predictor.log"
