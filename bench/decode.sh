#!/usr/bin/env bash
# Decode-and-preprocess throughput (images/s) with one thread and with one per core: Java's pipeline, then PIL and
# torchvision's transforms (Debian's python3-torchvision and python3-pil, run with /usr/bin/python3) on the same
# generated files, alternated --runs times (default 3) so that both see the same load; then the range of each figure
# over the runs, and the load average before and after. Each also gives the CPU time per image, which other work on
# the machine disturbs far less than the rate.
#
#   bench/decode.sh [--runs R] [--images N] [--width W] [--height H] [--format jpeg|png]
#
# Build first: ./mvnw -q -DskipTests package
set -euo pipefail
cd "$(dirname "$0")/.."
app=trainer-worker/target/quarkus-app
runs=3
generate=()
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        *) generate+=("$1"); shift ;;
    esac
done
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
benchmark() {
    java -cp "$app/app/*:$app/lib/main/*" dev.transferlab.worker.bench.DecodeBenchmark "$@"
}
benchmark generate "$dir/images" "${generate[@]}"
echo "before: $(uptime)"
for run in $(seq "$runs"); do
    echo "run $run of $runs"
    benchmark "$dir/images" | tee -a "$dir/figures"
    "${PYTHON:-/usr/bin/python3}" bench/decode_pil.py "$dir/images" | tee -a "$dir/figures"
done
echo "after: $(uptime)"
# Lines "<what>, <n> thread(s)|process(es): <rate> images/s, <cpu> ms CPU per image", grouped by what they measured.
awk -F': ' '
    function low(a, b) { return a == "" || b + 0 < a + 0 ? b : a }
    function high(a, b) { return a == "" || b + 0 > a + 0 ? b : a }
    { split($2, f, /[ ,]+/)
      if (!($1 in runs)) order[keys++] = $1
      runs[$1]++; rmin[$1] = low(rmin[$1], f[1]); rmax[$1] = high(rmax[$1], f[1])
      cmin[$1] = low(cmin[$1], f[3]); cmax[$1] = high(cmax[$1], f[3]) }
    END { print "range over the runs:"
          for (i = 0; i < keys; i++) { k = order[i]
              printf "  %s: %s to %s images/s, %s to %s ms CPU per image (%d runs)\n", k, rmin[k], rmax[k], cmin[k],
                     cmax[k], runs[k] } }' "$dir/figures"
