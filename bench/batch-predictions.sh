#!/usr/bin/env bash
# A batch prediction job over N generated images (default 1000) on the local stack (CPU, DenseNet121 with random
# weights), cold and then with the features the first job cached: wall time and images/s of both.
# Usage: bench/batch-predictions.sh [--images N] [--backbone densenet121|tiny]
# Build first: ./mvnw -q -DskipTests package
set -euo pipefail
cd "$(dirname "$0")/.."
exec java -cp deploy/stack/target/local-stack.jar dev.transferlab.stack.bench.BatchPredictionBenchmark "$@"
