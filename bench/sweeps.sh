#!/usr/bin/env bash
# A sweep of TRIALS trials x EPOCHS epochs (successive halving) on IMAGES cached features of CLASSES classes, against
# the same trials as separate training jobs and in PyTorch (bench/sweep_torch.py) on the same features: wall times,
# trials per second, best validation accuracy, load averages. The features are generated (SweepFeatures) and put in
# the worker's feature cache, so no backbone runs over the benchmark's images.
#
#   bench/sweeps.sh [--images 10000] [--classes 10] [--trials 100] [--epochs 10] [--jobs N]
#
# Build first: ./mvnw -q -DskipTests package
set -euo pipefail
cd "$(dirname "$0")/.."
generate=() run=()
while [ $# -gt 0 ]; do
  case "$1" in
    --images|--classes) generate+=("$1" "$2"); shift 2 ;;
    *) run+=("$1"); shift ;;
  esac
done
data=$(mktemp -d /tmp/sweep-bench-data-XXXXXX)
trap 'rm -rf "$data"' EXIT
app=trainer-worker/target/quarkus-app
java -cp "$app/app/*:$app/lib/main/*" dev.transferlab.worker.bench.SweepFeatures "$data" ${generate[@]+"${generate[@]}"}
java -cp deploy/stack/target/local-stack.jar dev.transferlab.stack.bench.SweepBenchmark --data "$data" \
  ${run[@]+"${run[@]}"}
