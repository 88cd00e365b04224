#!/bin/sh
# The main job: install what is missing, build, then compile the bundled
# small model for the default chip and simulate it on held-out text,
# validated bit for bit against the w8spike reference; print the summary and
# write out/report.json, out/report.html and out/csv/. Then the estimate for
# SpikingBrain-7B in counting mode (synthetic activations, shape-only model).
set -eu
cd "$(dirname "$0")/.."
./scripts/setup.sh
mkdir -p build out
./scripts/build.sh build -DCMAKE_BUILD_TYPE=Release >/dev/null
model=models/nets/spikingbrain-tiny
chip=models/chips/loihi2-like.yaml

echo "== the chip: $chip"
./build/axon inspect "$chip"
echo
echo "== the model: $model, compiled for the chip"
./build/axon compile "$model" --chip "$chip" -o out/tiny.axb
./build/axon inspect out/tiny.axb
echo
echo "== simulated on held-out text (functional mode, validated against the reference)"
head -c 512 tests/data/heldout.txt >out/prompt.txt
./build/axon sim out/tiny.axb --prompt-file out/prompt.txt \
    --report out/report.json --html out/report.html --csv out/csv
echo
echo "== SpikingBrain-7B on $chip: one token after 4096 of context (counting mode)"
./build/axon run models/nets/spikingbrain-7b --chip "$chip" --tokens 1 --context 4096 \
    --mode counting --report out/report-7b.json --html out/report-7b.html
echo
echo "reports: out/report.json, out/report.html, out/csv/, out/report-7b.json, out/report-7b.html"
