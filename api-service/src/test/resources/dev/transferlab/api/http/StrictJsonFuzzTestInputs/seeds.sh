#!/bin/sh
# Writes the seed corpus of StrictJsonFuzzTest: a valid body and the loose kinds issue 10 saw.
cd "$(dirname "$0")/anyBodyIsReadOrRefusedNamingTheField" || exit 1
printf '%s' '{"dataset":"s3://b/d/","epochs":10,"batchSize":400,"learningRate":0.001,"hiddenUnits":500,"validationFraction":0.2,"seed":0,"backbone":{"name":"densenet","growthRate":32,"blockConfig":[6,12,24,16],"numInitFeatures":64,"bnSize":4},"preprocessing":{"resize":256,"normalize":true}}' > submission-valid.json
printf '%s' '{"dataset":"s3://b/d/","backbone":{"name":"densenet","blockConfig":[null,2]}}' > null-in-block-config.json
printf '%s' '{"dataset":"s3://b/d/","epochs":2.7}' > fractional-epochs.json
printf '%s' '{"dataset":"s3://b/d/","epochs":"3"}' > quoted-epochs.json
printf '%s' '{"dataset":"s3://b/d/","epoch":3}' > misspelt-field.json
printf '%s' '{"dataset":"s3://b/d/","epochs":3,"epochs":4}' > duplicate-field.json
printf '%s' '{"location":"s3://b/pets/","name":"pets"}' > registration-valid.json
