#!/usr/bin/env bash
# DenseNet121 on the CPU, Java (DJL, PyTorch engine) beside torchvision, in one run: the time to load the full
# weights, features per second and per CPU second, minor page faults per image and the kernel's share of the CPU
# time, at each batch size of BATCHES (default "1 8 32 64").
#
#   bench/densenet121.sh [WEIGHTS] [ROUNDS] [REPEATS]
#
# WEIGHTS is a DenseNet121 weights file (torchvision's densenet121-a639ec97.pth, or any .pth/.safetensors); without
# one, random weights are saved as torchvision publishes its file (legacy format, old names). Each side runs REPEATS
# times (default 3), alternating, each run in a fresh process: it loads the weights, then times ROUNDS batches
# (default 3) after one warm-up batch. Medians are compared, so a neighbour's burst of CPU use on a shared machine
# skews one run, not the result; CPU seconds (the process's, all threads) are reported beside wall seconds because on
# such a machine they are the steadier measure of the work each side does, and page faults are a count the machine's
# load does not change. Both sides use THREADS threads (default: all cores). Needs Debian's
# python3-torchvision (run with /usr/bin/python3). Builds the worker first unless SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJL_OFFLINE=true
ROUNDS=${2:-3}
REPEATS=${3:-3}
BATCHES=${BATCHES:-1 8 32 64}
THREADS=${THREADS:-$(nproc)}
PYTHON=${PYTHON:-/usr/bin/python3}
SCRIPT=trainer-worker/src/test/python/parity_fixtures.py
WORK=trainer-worker/target/bench
mkdir -p "$WORK"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -q -B -DskipTests -pl trainer-worker -am package
fi
WEIGHTS=${1:-}
if [[ -z "$WEIGHTS" ]]; then
  WEIGHTS=$WORK/densenet121-random-legacy.pth
  [[ -f "$WEIGHTS" ]] || "$PYTHON" "$SCRIPT" weights "$WEIGHTS"
fi

APP=trainer-worker/target/quarkus-app
for BATCH in $BATCHES; do
echo
echo "DenseNet121, CPU, batch $BATCH, $ROUNDS timed batches per run, $REPEATS runs per side, $THREADS threads," \
  "weights $WEIGHTS ($(du -h "$WEIGHTS" | cut -f1))"
RESULTS=$WORK/results-$BATCH.jsonl
: > "$RESULTS"
for ((run = 1; run <= REPEATS; run++)); do
  "$PYTHON" "$SCRIPT" benchmark "$WEIGHTS" "$BATCH" "$ROUNDS" "$THREADS" | tail -1 >> "$RESULTS"
  # One malloc arena, as the worker's image runs (README, "Where a batch's time goes").
  MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX-1} java -Dai.djl.pytorch.num_threads="$THREADS" -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
    -cp "$APP/lib/boot/*:$APP/lib/main/*:$APP/app/*" dev.transferlab.worker.bench.DenseNet121Benchmark \
    "$WEIGHTS" "$BATCH" "$ROUNDS" 2>"$WORK/java.log" | tail -1 >> "$RESULTS"
done

"$PYTHON" - "$RESULTS" <<'PYTHON'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
sides = {"torchvision": runs[0::2], "Java (DJL)": runs[1::2]}
columns = (("loadSeconds", "load s"), ("loadCpuSeconds", "load CPU s"), ("featuresPerSecond", "features/s"),
           ("featuresPerCpuSecond", "features/CPU s"), ("pageFaultsPerImage", "faults/image"),
           ("kernelShare", "kernel share"))
print("medians of %d runs per side [each run]" % len(sides["torchvision"]))
print("%-12s %-38s" % ("", "engine") + "".join("%-24s" % title for _, title in columns))
medians = {}
for name, results in sides.items():
    medians[name] = {key: statistics.median(r[key] for r in results) for key, _ in columns}
    print("%-12s %-38s" % (name, results[0]["engine"]) + "".join("%-24s" % ("%.2f [%s]" % (
        medians[name][key], " ".join("%.2f" % r[key] for r in results))) for key, _ in columns))
print("%-12s %-38s" % ("Java/torch", "") + "".join("%-24s" % ("%.2f" % (
    medians["Java (DJL)"][key] / medians["torchvision"][key])) for key, _ in columns))
PYTHON
done
