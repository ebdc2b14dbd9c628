#!/usr/bin/env bash
# Hostile and normal traffic mixed against a fresh local stack (Kafka, S3, api-service, trainer-worker on this
# machine), for a few minutes: damaged and oversized archives, images and JSON, ids outside the rules, malformed
# records on every topic, alongside normal predictions, listings, uploads and tiny jobs of another tenant. Prints the
# normal requests answered correctly (p99), the hostile ones answered as documented, each service's crashes and
# restarts, and its peak resident memory. Usage: bench/hostile.sh [--minutes 3]
# Build first: ./mvnw -q -DskipTests package
set -euo pipefail
cd "$(dirname "$0")/.."
exec java -cp deploy/stack/target/local-stack.jar dev.transferlab.stack.bench.HostileBenchmark "$@"
