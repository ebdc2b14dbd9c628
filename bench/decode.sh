#!/usr/bin/env bash
# Decode-and-preprocess throughput (images/s) with one thread and with one per core.
# Build first: ./mvnw -q -DskipTests package
set -euo pipefail
cd "$(dirname "$0")/.."
app=trainer-worker/target/quarkus-app
exec java -cp "$app/app/*:$app/lib/main/*" dev.transferlab.worker.bench.DecodeBenchmark "$@"
