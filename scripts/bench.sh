#!/bin/sh
# Benchmarks of the compiler on the shape-only SpikingBrain-7B, the dense
# reference against the PyTorch oracle, and the simulator. Figures are wall
# time and peak memory measured here, side by side in one run; the machine
# is shared, so compare ratios, not absolute times. BASE=REV also builds
# commit REV aside and times its 7B counting run beside this one.
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
echo "== simulator: the small model, functional, over the held-out text"
echo "   (the program's timed run)"
/usr/bin/time -f "%e %M" -o "$out/tiny-program.time" \
    ./build/axon run models/nets/spikingbrain-tiny --chip models/chips/loihi2-like.yaml \
    --prompt-file tests/data/heldout.txt --threads 1 --write-profile "$out/tiny-profile.json" \
    --report "$out/tiny-program.json" --quiet
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
wall, mem = open(f"{out}/tiny-program.time").read().split()
r = json.load(open(f"{out}/tiny-program.json"))
sops = r["sparsity"]["sop_per_token"] * r["run"]["tokens"]
v = r["validation"]
print(f"program, 1 thread: wall {wall} s, peak {int(mem) // 1024} MiB; {sops / float(wall):.3g} "
      f"synaptic ops per second (target 1e9: compile, simulation and check); bit exact "
      f"{v['bit_exact']}")
PY

echo
echo "== simulator: SpikingBrain-7B, counting mode, 1 token after 4096"
echo "   (program's timed run with its float32 matrices kept, 1249 chips; then as int8, the"
echo "   default for a shape-only model, 333 chips, on --threads 1 and 2)"
# Each run appends its wall time and peak memory to NAME's file; the runs to
# compare alternate, three rounds, and the fastest of each counts, since the
# machine is shared and its speed drifts between runs.
run7b() { # NAME AXON ARGS...
    name=$1
    bin=$2
    shift 2
    /usr/bin/time -a -f "%e %M" -o "$out/7b-$name.time" \
        "$bin" run models/nets/spikingbrain-7b --chip models/chips/loihi2-like.yaml \
        --tokens 1 --context 4096 --mode counting --report "$out/7b-$name.json" --quiet "$@"
}
base_axon=
if [ -n "${BASE:-}" ]; then # the same counting run at another commit, built aside
    git worktree add -q --detach "$out/base" "$BASE"
    (cd "$out/base" && ./scripts/build.sh build -DCMAKE_BUILD_TYPE=Release >/dev/null)
    base_axon="$out/base/build/axon"
fi
run7b program ./build/axon --float-weights keep
for round in 1 2 3; do
    run7b program-int8 ./build/axon --float-weights int8 --threads 1
    run7b threads-2 ./build/axon --float-weights int8 --threads 2
    [ -z "$base_axon" ] || run7b base "$base_axon"
done
[ -z "$base_axon" ] || git worktree remove --force "$out/base"
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
names = ["program", "program-int8", "threads-2"]
if os.path.exists(f"{out}/7b-base.time"):
    names.append("base")
wall = {}
for name in names:
    runs = [line.split() for line in open(f"{out}/7b-{name}.time") if line.strip()]
    w = min(float(r[0]) for r in runs)
    mem = max(int(r[1]) for r in runs)
    wall[name] = w
    r = json.load(open(f"{out}/7b-{name}.json"))
    e, l, s = r["energy"], r["latency"], r["sparsity"]
    print(f"{name}: wall {w} s (fastest of {len(runs)}), peak {mem // 1024} MiB; chips {r['chip']['chips_used']}; "
          f"{l['seconds_per_token']:.4g} s and {e['per_token_j']:.4g} J per token; "
          f"synaptic ops per token {s['sop_per_token']:.4g}")
a, b = (json.load(open(f"{out}/7b-{n}.json")) for n in ("program-int8", "threads-2"))
a["run"].pop("threads"); b["run"].pop("threads")
print(f"--threads 2 against 1: {wall['program-int8'] / wall['threads-2']:.2f}x faster (target 1.5x); "
      f"reports {'identical' if a == b else 'DIFFERENT'}")
if "base" in wall:
    print(f"program (int8) against the base commit: {wall['program-int8'] / wall['base']:.2f}x its time")
PY

echo
echo "== simulator: barrier against dataflow synchronisation (--sync), simulated time"
echo "   (the 7B counting run above and the small model over the held-out text; deterministic)"
for sync in barrier dataflow; do
    ./build/axon run models/nets/spikingbrain-7b --chip models/chips/loihi2-like.yaml --tokens 1 \
        --context 4096 --mode counting --sync $sync --report "$out/sync-7b-$sync.json" --quiet
    ./build/axon run models/nets/spikingbrain-tiny --chip models/chips/loihi2-like.yaml \
        --prompt-file tests/data/heldout.txt --sync $sync --report "$out/sync-tiny-$sync.json" --quiet
done
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
def count(r, cat, item):
    return next(i["count"] for i in r["energy"]["ledger"][cat]["items"] if i["name"] == item)
for model in ("7b", "tiny"):
    b, d = (json.load(open(f"{out}/sync-{model}-{s}.json")) for s in ("barrier", "dataflow"))
    lb, ld = b["latency"], d["latency"]
    tokens = b["run"]["tokens"]
    gain = [round((x["seconds"] - y["seconds"]) * 1e6 / tokens, 1) + 0.0  # no "-0.0"
            for x, y in zip(lb["layers"], ld["layers"])]
    valid = d["validation"]
    print(f"{model}: {lb['seconds_per_token'] * 1e3:.4g} ms per token with barriers "
          f"(bound {lb['bound_s'] * 1e3:.4g}), {ld['seconds_per_token'] * 1e3:.4g} in dataflow "
          f"(bound {ld['bound_s'] * 1e3:.4g}); per layer and token {min(gain):.1f} to "
          f"{max(gain):.1f} us less; "
          f"{count(b, 'sync', 'barrier'):.0f} barriers, {count(d, 'sync', 'handshake'):.0f} handshakes; "
          f"{b['energy']['per_token_j']:.4g} and {d['energy']['per_token_j']:.4g} J per token"
          + ("" if valid is None else f"; dataflow bit exact {valid['bit_exact']}"))
PY

echo
echo "== simulator: a pipelined prefill against tokens one at a time, simulated time and energy"
echo "   (SpikingBrain-7B on loihi2-like, counting, after 4096 tokens of context: a prefill of"
echo "   \$PREFILL tokens, default 64, then one token alone; compiled with --spread 1, one"
echo "   layer's slices a core, and with the default --spread 2)"
prefill=${PREFILL:-64}
for spread in 1 2; do
    /usr/bin/time -f "%e %M" -o "$out/prefill-$spread.time" \
        ./build/axon run models/nets/spikingbrain-7b --chip models/chips/loihi2-like.yaml \
        --tokens $((prefill + 1)) --prefill "$prefill" --context 4096 --mode counting \
        --spread $spread --report "$out/prefill-$spread.json" --quiet
done
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
for spread in (1, 2):
    r = json.load(open(f"{out}/prefill-{spread}.json"))
    wall, mem = open(f"{out}/prefill-{spread}.time").read().split()
    p, g = r["prefill"], r["prefill"]["generation"]
    print(f"--spread {spread}: prefill of {p['tokens']}: time to first token "
          f"{p['time_to_first_token_s'] * 1e3:.4g} ms (bound {p['bound_s'] * 1e3:.4g}), "
          f"{p['tokens_per_second']:.4g} tokens/s, {p['energy_per_token_j']:.4g} J a token; "
          f"a token alone {g['seconds_per_token'] * 1e3:.4g} ms, {g['energy_per_token_j']:.4g} J: "
          f"{g['energy_per_token_j'] / p['energy_per_token_j']:.3g}x the prefill's energy a token "
          f"(wall {wall} s, peak {int(mem) // 1024} MiB)")
PY

echo
echo "== simulator: batches of sequences interleaved, simulated time and energy a token"
echo "   (SpikingBrain-7B on loihi2-like, counting, one token of each sequence after 4096 of"
echo "   context; \$BATCHES, default \"1 8 64\"; a batch packs one slot a core, batch 1 two,"
echo "   as the defaults do; batch 64 takes minutes and about 3 GB)"
batches=${BATCHES:-1 8 64}
for batch in $batches; do
    /usr/bin/time -f "%e %M" -o "$out/batch-$batch.time" \
        ./build/axon run models/nets/spikingbrain-7b --chip models/chips/loihi2-like.yaml \
        --tokens 1 --batch "$batch" --context 4096 --mode counting \
        --report "$out/batch-$batch.json" --quiet
done
python3 - "$out" $batches <<'PY'
import json, sys
out, first = sys.argv[1], None
for batch in sys.argv[2:]:
    r = json.load(open(f"{out}/batch-{batch}.json"))
    wall, mem = open(f"{out}/batch-{batch}.time").read().split()
    b, j = r["batch"], r["energy"]["per_token_j"]
    first = first or j
    time = (f"{b['seconds'] * 1e3:.4g} ms for its {b['tokens']} tokens (bound "
            f"{b['bound_s'] * 1e3:.4g}), {b['tokens_per_second']:.4g} tokens/s" if b else
            f"{r['latency']['seconds'] * 1e3:.4g} ms a token (bound "
            f"{r['latency']['bound_s'] * 1e3:.4g})")
    print(f"batch {batch}: {r['chip']['chips_used']} chips, {time}; {j:.4g} J a token, "
          f"{first / j:.3g}x less than batch {sys.argv[2]} (wall {wall} s, peak "
          f"{int(mem) // 1024} MiB)")
PY

echo
echo "== synaptic ops per second: axon's executor (synacc) against Brian2, one 4096 x 4096 layer"
echo "   (counts drawn from the small model's measured sparsity)"
axon_line=$(./build/bench/bench_synacc --profile "$out/tiny-profile.json")
echo "$axon_line"
spe=$(python3 -c "import json; r=json.load(open('$out/tiny-program.json'))['sparsity']; print(r['spikes_per_element'], r['zero_fraction'])")
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
    echo "skipped: this build's SystemC engine does not run the small model's program"
fi
