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

echo
echo "== simulator: the small model, functional, over the held-out text (1 and 2 threads)"
for t in 1 2; do
    /usr/bin/time -f "threads $t: wall %e s, peak memory %M KiB" \
        ./build/axon run models/nets/spikingbrain-tiny --chip models/chips/loihi2-like.yaml \
        --prompt-file tests/data/heldout.txt --threads "$t" --write-profile "$out/tiny-profile.json" \
        --report "$out/tiny-$t.json" --quiet
done
cmp "$out/tiny-1.json" "$out/tiny-2.json" >/dev/null 2>&1 ||
    python3 -c "import json,sys; a,b=(json.load(open(p)) for p in sys.argv[1:]); a['run'].pop('threads'); b['run'].pop('threads'); sys.exit(a!=b)" \
        "$out/tiny-1.json" "$out/tiny-2.json" && echo "reports for 1 and 2 threads: identical"

echo
echo "== simulator: SpikingBrain-7B, counting mode, 1 token after 4096 (target: 120 s; 1 and 2 threads)"
for t in 1 2; do
    /usr/bin/time -f "threads $t: wall %e s, peak memory %M KiB" \
        ./build/axon run models/nets/spikingbrain-7b --chip models/chips/loihi2-like.yaml \
        --tokens 1 --context 4096 --mode counting --threads "$t" --report "$out/7b-$t.json" --quiet
done
python3 - "$out/7b-1.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
e, l, s = r["energy"], r["latency"], r["sparsity"]
print(f"chips {r['chip']['chips_used']}, cores {r['chip']['cores_used']}; "
      f"{l['seconds_per_token']:.4g} s and {e['per_token_j']:.4g} J per token; "
      f"synaptic ops per token {s['sop_per_token']:.4g}")
print("breakdown:", ", ".join(f"{k} {v:.3g} J" for k, v in e["breakdown_j"].items()))
PY

echo
echo "== synaptic ops per second: axon's event kernel against Brian2, one 4096 x 4096 layer"
echo "   (counts drawn from the small model's measured sparsity)"
axon_line=$(./build/bench/bench_synacc --profile "$out/tiny-profile.json")
echo "$axon_line"
spe=$(python3 -c "import json; r=json.load(open('$out/tiny-1.json'))['sparsity']; print(r['spikes_per_element'], r['zero_fraction'])")
set -- $spe
brian_lines=$(/usr/bin/python3 scripts/bench_brian.py --spikes-per-value "$1" --zero-fraction "$2")
echo "$brian_lines"
python3 - "$axon_line" "$brian_lines" <<'PY'
import json, sys
a = json.loads(sys.argv[1])
for line in sys.argv[2].splitlines():
    b = json.loads(line)
    if "events_per_second" in b:
        print(f"axon / brian2 ({b['target']}): {a['sops_per_second'] / b['events_per_second']:.1f}x")
PY

echo
echo "== simulator: the SystemC engine against the native one, the small model on loihi2-like"
echo "   (the same command with --engine native and --engine systemc; the reports must agree)"
if ./build/axon run models/nets/spikingbrain-tiny --chip models/chips/loihi2-like.yaml --tokens 1 \
    --mode counting --engine systemc --quiet >/dev/null 2>&1; then
    for what in functional counting; do
        for e in native systemc; do
            if [ $what = functional ]; then
                set -- --prompt-file tests/data/heldout.txt
            else
                set -- --tokens 256 --mode counting
            fi
            /usr/bin/time -f "%e %M" -o "$out/engine-$what-$e.time" \
                ./build/axon run models/nets/spikingbrain-tiny --chip models/chips/loihi2-like.yaml "$@" \
                --engine $e --report "$out/engine-$what-$e.json" --quiet
        done
        python3 - "$what" "$out/engine-$what-native" "$out/engine-$what-systemc" <<'PY'
import json, sys
what, native, systemc = sys.argv[1:4]
(tn, mn), (ts, ms) = (open(p + ".time").read().split() for p in (native, systemc))
a, b = (json.load(open(p + ".json")) for p in (native, systemc))
a["run"].pop("engine"); b["run"].pop("engine")
same = "identical reports" if a == b else "REPORTS DIFFER"
print(f"{what} ({a['run']['tokens']} tokens, {a['latency']['cycles']} cycles): native {tn} s, "
      f"systemc {ts} s (peak {int(ms) // 1024} MiB); systemc / native {float(ts) / float(tn):.2f}x; {same}")
PY
    done
else
    echo "skipped: this build has no SystemC engine"
fi
