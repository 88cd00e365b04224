#!/bin/sh
# Benchmarks of the compiler on the shape-only SpikingBrain-7B and the
# dense reference against the PyTorch oracle. Figures are wall time and peak
# memory measured here, side by side in one run; the machine is shared, so
# compare ratios, not absolute times.
set -eu
cd "$(dirname "$0")/.."
[ -x build/axon ] || ./scripts/build.sh build -DCMAKE_BUILD_TYPE=Release >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== compile SpikingBrain-7B (shape-only) for loihi2-like (target: 60 s, 4 GB)"
/usr/bin/time -f "wall %e s, peak memory %M KiB" \
    ./build/axon compile models/nets/spikingbrain-7b --chip models/chips/loihi2-like.yaml \
    -o "$out/7b.axb"
ls -l "$out/7b.axb" | awk '{print "program", $5, "bytes"}'
./build/axon inspect "$out/7b.axb"
./build/axon disasm "$out/7b.axb" >"$out/7b.s"
./build/axon asm "$out/7b.s" -o "$out/7b-again.axb"
cmp "$out/7b.axb" "$out/7b-again.axb" && echo "disasm + asm round trip: identical"

echo
echo "== SpikingBrain-76B for generic-45nm (open chip count)"
/usr/bin/time -f "wall %e s, peak memory %M KiB" \
    ./build/axon map models/nets/spikingbrain-76b --chip models/chips/generic-45nm.yaml

echo
echo "== dense reference against the PyTorch oracle"
./scripts/bench_ref.sh
