#!/usr/bin/env bash
# Time of the learnability baseline's probe (LinearProbe.crossValidate: 10 classes, 5 folds) per solver option, on
# generated features shaped like DenseNet121's with random weights, at each number of images given (default 300 and
# 2000, the baseline's sample cap); the load average before and after. The first figures include the JIT's warm-up.
#
#   bench/probe.sh [IMAGES ...]
#
# Build first: ./mvnw -q -DskipTests package
set -euo pipefail
cd "$(dirname "$0")/.."
app=trainer-worker/target/quarkus-app
echo "before: $(uptime)"
java -cp "$app/app/*:$app/lib/main/*" dev.transferlab.worker.bench.ProbeBenchmark "$@"
echo "after: $(uptime)"
