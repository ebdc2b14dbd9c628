#!/usr/bin/env bash
# Peak heap and native memory while extracting DenseNet121 features from 10,000 generated images (default), on CPU.
# The heap is capped to show the bound holds; pass e.g. --images 1000 --backbone tiny for a quick run.
# Build first: ./mvnw -q -DskipTests package
set -euo pipefail
cd "$(dirname "$0")/.."
app=trainer-worker/target/quarkus-app
export DJL_OFFLINE=true
exec java -Xmx${BENCH_XMX:-512m} -cp "$app/app/*:$app/lib/main/*" dev.transferlab.worker.bench.ExtractionMemoryBenchmark "$@"
