#!/usr/bin/env bash
# DenseNet121 on the CPU, Java (DJL, PyTorch engine) beside torchvision, in one run: the time to load the full
# weights, and features per second at batch 32.
#
#   bench/densenet121.sh [WEIGHTS] [ROUNDS]
#
# WEIGHTS is a DenseNet121 weights file (torchvision's densenet121-a639ec97.pth, or any .pth/.safetensors); without
# one, random weights are saved as torchvision publishes its file (legacy format, old names). ROUNDS batches are timed
# after one warm-up batch (default 5). Both sides use THREADS threads (default: all cores). Needs Debian's
# python3-torchvision (run with /usr/bin/python3). Builds the worker first unless SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJL_OFFLINE=true
ROUNDS=${2:-5}
BATCH=32
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
echo "DenseNet121, CPU, batch $BATCH, $ROUNDS timed batches, $THREADS threads, weights $WEIGHTS ($(du -h "$WEIGHTS" | cut -f1))"
PY=$("$PYTHON" "$SCRIPT" benchmark "$WEIGHTS" "$BATCH" "$ROUNDS" "$THREADS")
JAVA=$(java -Dai.djl.pytorch.num_threads="$THREADS" -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "$APP/lib/boot/*:$APP/lib/main/*:$APP/app/*" dev.transferlab.worker.bench.DenseNet121Benchmark \
  "$WEIGHTS" "$BATCH" "$ROUNDS" 2>"$WORK/java.log" | tail -1)

"$PYTHON" - "$PY" "$JAVA" <<'PYTHON'
import json, sys
torchvision, java = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("%-14s %-44s %12s %12s" % ("", "engine", "load (s)", "features/s"))
for name, result in (("torchvision", torchvision), ("Java (DJL)", java)):
    print("%-14s %-44s %12.3f %12.2f" % (name, result["engine"], result["loadSeconds"], result["featuresPerSecond"]))
print("%-14s %-44s %12.2f %12.2f" % ("Java / torch", "", java["loadSeconds"] / torchvision["loadSeconds"],
                                     java["featuresPerSecond"] / torchvision["featuresPerSecond"]))
PYTHON
