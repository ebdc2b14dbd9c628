#!/usr/bin/env bash
# Decode-and-preprocess throughput (images/s) with one thread and with one per core, Java's pipeline beside PIL and
# torchvision's transforms (Debian's python3-torchvision and python3-pil, run with /usr/bin/python3) on the same
# generated files.
#
#   bench/decode.sh [--images N] [--width W] [--height H] [--format jpeg|png]
#
# Build first: ./mvnw -q -DskipTests package
set -euo pipefail
cd "$(dirname "$0")/.."
app=trainer-worker/target/quarkus-app
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
java -cp "$app/app/*:$app/lib/main/*" dev.transferlab.worker.bench.DecodeBenchmark "$@" --write "$dir"
"${PYTHON:-/usr/bin/python3}" bench/decode_pil.py "$dir"
