#!/usr/bin/env bash
# The GPU path in one short run: DenseNet121's features per second at batch 64, 128 and 256 in fp32 and fp16, on the
# worker's own forward path (Backbone.features, the precision cast as transferlab.features.precision=fp16 does), and
# the parity of fp16's features with fp32's: the minimum cosine similarity over the first batch's images must be at
# least 0.9999, or the script exits 1.
#
#   bench/gpu-check.sh [--device auto|cpu|cuda[:N]] [--precision fp16] [--batches 64,128,256] [--rounds 3]
#                      [--weights FILE] [--min-cosine 0.9999]
#
# Needs a JDK 17 and, for a GPU, an NVIDIA driver for CUDA 12.4 and DJL's CUDA natives: unless --device cpu is given
# the worker is built with -Pcuda, which puts pytorch-native-cu124 (2.5 GB, CUDA runtime and cuDNN inside) on its
# class path from Maven Central, so the first run must be online. (DJL's PYTORCH_FLAVOR / ai.djl.pytorch.flavor
# setting does not apply here: DJL reads it only when no natives are bundled, and the worker bundles them.) WEIGHTS
# is a DenseNet121 weights file (torchvision's densenet121-a639ec97.pth); without one the weights are random, seed 0.
# On a CPU, a quick smoke run: bench/gpu-check.sh --device cpu --batches 2,4 --rounds 1 --min-cosine 0.9999
# Builds the worker first unless SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJL_OFFLINE=true
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  PROFILE=-Pcuda
  [[ " $* " == *" --device cpu "* ]] && PROFILE=
  ./mvnw -q -B -DskipTests $PROFILE -pl trainer-worker -am package
fi
APP=trainer-worker/target/quarkus-app
exec java -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "$APP/lib/boot/*:$APP/lib/main/*:$APP/app/*" dev.transferlab.worker.bench.GpuCheck "$@"
