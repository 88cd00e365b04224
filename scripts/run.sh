#!/bin/sh
# The main job: install what is missing, build, and run axon end to end on
# the bundled small model: the default chip, the model, its program for the
# chip, and the dense reference on held-out text. (The simulator's sparsity,
# latency and energy report comes with the simulator.)
set -eu
cd "$(dirname "$0")/.."
./scripts/setup.sh
mkdir -p build
./scripts/build.sh build -DCMAKE_BUILD_TYPE=Release >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
model=models/nets/spikingbrain-tiny
chip=models/chips/loihi2-like.yaml

echo "== the chip: $chip"
./build/axon inspect "$chip"
echo
echo "== the model: $model"
./build/axon inspect "$model"
echo
echo "== its program for the chip"
./build/axon compile "$model" --chip "$chip" -o "$out/tiny.axb"
./build/axon inspect "$out/tiny.axb"
echo
echo "== the dense reference, w8spike, on held-out text"
./build/axon ref "$model" --prompt-file tests/data/heldout.txt --precision w8spike
