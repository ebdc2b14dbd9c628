#!/usr/bin/env bash
# The api-service's job store against the size of the history: for each number of finished jobs (10 epochs each,
# 25 events: accepted, started, extraction-progress, learnability-baseline, 10 x epoch-completed and checkpointed,
# completed), a fresh broker, S3 store, OpenID provider and api-service (no worker); the events written to the events
# topic; the api-service's first start timed until it lists every job, then a restart timed to ready, its heap after a
# full GC (jcmd) and resident set, and list (first and last page, 50 jobs) and get latency as a viewer of one of the
# 5 tenants, p50 and p99 over --requests (1,000) requests each after 200 to warm up.
#
#   bench/job-store.sh [JOBS...] [--requests N] [--no-auth]      default JOBS: 1000 10000 100000
#
# Builds first unless SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  DJL_OFFLINE=true ./mvnw -q -B -pl deploy/stack -am -DskipTests -Dconsole.skip=true package
fi
echo "$(nproc) cores, $(date -u +%FT%TZ), $(git log -1 --format='%h %s' | cut -c1-100)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp deploy/stack/target/local-stack.jar dev.transferlab.stack.bench.JobStoreBenchmark "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
