#!/bin/sh
# Writes the seed corpus of CommandChecksFuzzTest: valid commands and the damaged kinds issue 10 saw.
cd "$(dirname "$0")/anyCommandRecordIsValidOrDeadLettered" || exit 1
T='{"schemaVersion":1,"type":"training-request","jobId":"job-1","tenant":"acme","timestamp":"2026-12-01T00:00:00Z","dataset":"s3://b/d/","backbone":{"name":"densenet","growthRate":32,"blockConfig":[6,12,24,16],"numInitFeatures":64,"bnSize":4,"weights":null,"weightsSha256":null},"hyperparameters":{"epochs":10,"batchSize":400,"learningRate":0.001,"hiddenUnits":500,"validationFraction":0.2,"seed":0,"earlyStoppingPatience":null},"preprocessing":{"resize":255,"crop":224,"normalize":true,"mean":[0.485,0.456,0.406],"std":[0.229,0.224,0.225]}}'
printf '%s' "$T" > training-valid.json
printf '%s' "$T" | sed 's/\[6,12,24,16\]/[null,2]/' > training-null-in-block-config.json
printf '%s' "$T" | sed 's/"job-1"/"..\/other\/job-9"/' > training-traversal-job-id.json
printf '%s' "$T" | sed 's/"growthRate":32/"growthRate":2147483647/' > training-huge-backbone.json
printf '%s' "$T" | sed 's/"schemaVersion":1,//' > training-no-schema-version.json
printf '%s' "$T" | sed 's/"mean":\[[^]]*\]/"mean":null/' > training-null-mean.json
printf '%s' '{"schemaVersion":1,"type":"inference-request","requestId":"inf-1","tenant":"acme","timestamp":"2026-12-01T00:00:00Z","modelId":"job-1","image":"AQID"}' > inference-valid.json
printf '%s' '{"schemaVersion":1,"type":"cancel-request","jobId":null,"tenant":"acme"}' > cancel-null-job.json
