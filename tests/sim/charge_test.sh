#!/bin/sh
# Functional mode charges each spiking projection its own spike counts: the
# per-layer sparsity, spikes and synaptic operations of `axon run` equal
# those worked out from `axon ref --json` (the dense reference's counts, per
# projection) on the same prompt, with each projection's fan-out read from
# the checkpoint's safetensors header. Charging one projection's counts to
# another (sim/timed.c, reader_of) changes the layer figures.
# usage: charge_test.sh AXON SOURCE_DIR OUT_DIR HAVE_LLVM
# Exits 77 (skipped) in a build without LLVM: neither command runs there.
set -u
axon=$1
src=$2
out=$3
have_llvm=$4
[ "$have_llvm" = 1 ] || { echo "skipped: functional mode and axon ref need LLVM"; exit 77; }
rm -rf "$out"
mkdir -p "$out"
. "$src/tests/check.sh"

tiny="$src/models/nets/spikingbrain-tiny"
chip="$src/models/chips/loihi2-like.yaml"
head -c 24 "$src/tests/data/heldout.txt" >"$out/prompt.txt"

"$axon" run "$tiny" --chip "$chip" --prompt-file "$out/prompt.txt" --json >"$out/run.json" \
    2>"$out/run.err"
check "run exits 0" $?
"$axon" ref "$tiny" --prompt-file "$out/prompt.txt" --json >"$out/ref.json" 2>"$out/ref.err"
check "ref exits 0" $?

python3 - "$out/run.json" "$out/ref.json" "$tiny/model.safetensors" <<'EOF'
import json, struct, sys
run, ref = (json.load(open(p)) for p in sys.argv[1:3])
with open(sys.argv[3], "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    shapes = {k: v["shape"] for k, v in json.loads(f.read(n)).items() if k != "__metadata__"}
tokens = ref["n_tokens"]
assert run["run"]["tokens"] == tokens and run["run"]["mode"] == "functional", run["run"]
for k in ("encoding", "k", "spike"):
    assert run["run"][k] == ref[k], (k, run["run"][k], ref[k])

# Integer counts per layer from the reference's per-projection fractions:
# each projection sees n_in inputs per token; its synaptic operations are its
# spikes times its n_out rows.
layers = {}
for s in ref["sparsity"]["layers"]:
    name = s["name"]  # model.layers.L.<part>
    n_out, n_in = shapes[name + ".weight"]
    elements = n_in * tokens
    spikes = round(s["spikes_per_element"] * elements)
    zeros = round(s["zero_fraction"] * elements)
    d = layers.setdefault("layer." + name.split(".")[2],
                          {"sites": 0, "elements": 0, "spikes": 0, "zeros": 0, "sops": 0})
    d["sites"] += 1
    d["elements"] += elements
    d["spikes"] += spikes
    d["zeros"] += zeros
    d["sops"] += spikes * n_out
assert len(layers) == 4, sorted(layers)

def same(a, b):
    return abs(a - b) <= 1e-12 * max(abs(a), abs(b))

bad = []
seen = 0
for l in run["sparsity"]["layers"]:
    d = layers.get(l["name"])
    if d is None:
        assert l["sites"] == 0 and l["sop_per_token"] == 0, l
        continue
    seen += 1
    want = {"sites": d["sites"], "sop_per_token": d["sops"] / tokens,
            "spikes_per_element": d["spikes"] / d["elements"],
            "zero_fraction": d["zeros"] / d["elements"]}
    for k, v in want.items():
        if not same(l[k], v):
            bad.append((l["name"], k, l[k], v))
assert seen == len(layers), seen
total = sum(d["sops"] for d in layers.values()) / tokens
if not same(run["sparsity"]["sop_per_token"], total):
    bad.append(("model", "sop_per_token", run["sparsity"]["sop_per_token"], total))
for k in ("zero_fraction", "spikes_per_element", "slot_sparsity_t3"):
    if not same(run["sparsity"][k], ref["sparsity"][k]):
        bad.append(("model", k, run["sparsity"][k], ref["sparsity"][k]))
for b in bad:
    print("  %s %s: run %r, from the reference %r" % b)
assert not bad
EOF
check "per-layer sparsity, spikes and synaptic ops equal the reference's counts" $?
finish
