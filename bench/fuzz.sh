#!/usr/bin/env bash
# Coverage-guided fuzzing of every @FuzzTest in the project with Jazzer, one target after the other, each for the
# given minutes; prints executions, coverage and findings per target. The test command (./mvnw verify) only replays
# each target's committed corpus (src/test/resources/<package>/<Class>Inputs/<method>/); this is the longer run.
# A crash is written into that Inputs folder as crash-<sha1>: commit it as a regression input once the bug is fixed.
# Usage: bench/fuzz.sh [--minutes 10] [name filter, e.g. Tar]      Needs only the JDK (and ~3 GB of memory).
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=10
if [[ ${1:-} == --minutes ]]; then minutes=$2; shift 2; fi
[[ $minutes =~ ^[0-9]+$ ]] || { echo "--minutes takes whole minutes" >&2; exit 2; }
filter=${1:-}
export DJL_OFFLINE=true JAZZER_FUZZ=1
logs=$(mktemp -d)
./mvnw -q -B -DskipTests test-compile -pl common,api-service,trainer-worker -am

# module:Class#method for each @FuzzTest; the method is the first one declared after the annotation.
mapfile -t targets < <(grep -rl --include='*.java' '@FuzzTest' common api-service trainer-worker | sort | while read -r f; do
  module=${f%%/src/*}
  class=$(basename "$f" .java)
  awk '/@FuzzTest/ {want=1; next} want && /void [a-zA-Z0-9_]+\(/ {match($0, /void [a-zA-Z0-9_]+\(/); print substr($0, RSTART+5, RLENGTH-6); want=0}' "$f" \
    | while read -r method; do echo "$module:$class#$method"; done
done | grep -- "$filter" || true)
(( ${#targets[@]} )) || { echo "no @FuzzTest matches '$filter'" >&2; exit 1; }

printf '%-72s %8s %12s %8s %6s %s\n' target minutes executions exec/s cov result
failed=0
for t in "${targets[@]}"; do
  module=${t%%:*}; test=${t#*:}; log=$logs/${test//[#\/]/_}.log
  # @FuzzTest(maxDuration = "") sets no time limit of its own, so libFuzzer's -max_total_time given here is the one.
  if ./mvnw -B -pl "$module" -am test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
       -Djazzer.internal.arg.0=fuzz "-Djazzer.internal.arg.1=-max_total_time=$((minutes * 60))" >"$log" 2>&1; then
    result=ok
  else
    result="FINDING (log: $log)"; failed=1
  fi
  runs=$(grep -oE '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 | awk '{print $2, $5}')
  execs=${runs% *}; secs=${runs#* }
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')
  rate=$([[ -n $execs && ${secs:-0} -gt 0 ]] && echo $((execs / secs)) || echo -)
  printf '%-72s %8s %12s %8s %6s %s\n' "$t" "$minutes" "${execs:--}" "$rate" "${cov:--}" "$result"
done
exit $failed
