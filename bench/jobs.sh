#!/usr/bin/env bash
# A whole training job on the platform (local stack, CPU) side by side with the tutorial's recipe in PyTorch
# (../shared/reference/seed_pipeline.py), same data, epochs and batch size; plus the cost of a second job on the same
# dataset. Usage: bench/jobs.sh --data DIR [--epochs 10] [--batch-size 400]   (DIR has train/ and test/)
# Build first: ./mvnw -q -DskipTests package
set -euo pipefail
cd "$(dirname "$0")/.."
exec java -cp deploy/stack/target/local-stack.jar dev.transferlab.stack.bench.JobBenchmark "$@"
