#!/usr/bin/env bash
# Regenerates ../resources/schemas/kubernetes-models.json: the JSON Schemas of the Kubernetes kinds, KEDA's
# ScaledObject and the Prometheus operator's ServiceMonitor, taken from the npm registry's packages as published.
# Nothing in that file is written by hand; run this again (with node and npm) to check it or to change versions.
#
# Why these versions: they are the newest releases of tommy351/kubernetes-models-ts that ship their schemas as data
# (a `const schema = {...}` registered with ajv). Later releases ship only ajv's compiled validator functions.
#   kubernetes-models 4.3.1                    Kubernetes 1.27.1's OpenAPI definitions
#   @kubernetes-models/apimachinery 1.2.2      ObjectMeta, LabelSelector, Quantity, IntOrString (same line as 4.3.1)
#   @kubernetes-models/keda 0.3.1              KEDA's keda.sh/v1alpha1 CRDs
#   @kubernetes-models/prometheus-operator 4.0.0  the Prometheus operator's monitoring.coreos.com/v1 CRDs
# Strimzi's CRDs are not here: the tests read them from Maven Central (io.strimzi:api's test jar).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../resources/schemas/kubernetes-models.json"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
packages=(
  kubernetes-models@4.3.1
  @kubernetes-models/apimachinery@1.2.2
  @kubernetes-models/keda@0.3.1
  @kubernetes-models/prometheus-operator@4.0.0
)
cd "$work"
for p in "${packages[@]}"; do
  tgz=$(npm pack --silent "$p" | tail -1)
  name=${p%@*}
  mkdir -p "node_modules/$name"
  tar xzf "$tgz" -C "node_modules/$name" --strip-components=1
done
node "$here/extract-schemas.cjs" "$work/node_modules" "${packages[@]}" > "$out"
echo "wrote $out"
