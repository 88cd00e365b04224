#!/bin/sh
# The reference on the command line: `axon ref` prints one JSON object with
# the documented keys (or text), writes the dump format, refuses bad options
# and --device gpu clearly; `axon compile --emit llvm|ir` with the precision
# options, on a checkpoint and on shape-only configs.
# usage: cli_test.sh AXON MODEL_DIR SOURCE_DIR OUT_DIR
set -u
axon=$1
model=$2
src=$3
out=$4
rm -rf "$out"
mkdir -p "$out"
. "$(dirname "$0")/../check.sh"
py=/usr/bin/python3

# ---- axon ref --json (w8spike, the default) ----------------------------------------
"$axon" ref "$model" --prompt "Hello, world" --json >"$out/w8.json" 2>"$out/err"
check "ref --json exits 0" $?
[ ! -s "$out/err" ]
check "ref --json writes nothing on stderr for a short run" $?
$py - "$out/w8.json" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
for k in ("precision", "n_tokens", "bits_per_byte", "top1", "sparsity", "tokens_per_second"):
    assert k in o, k
assert o["precision"] == "w8spike" and o["n_tokens"] == 12 and len(o["top1"]) == 12
assert 0 < o["bits_per_byte"] < 20 and o["tokens_per_second"] > 0
keys = ["zero_fraction", "slot_sparsity_t3", "slot_sparsity", "spikes_per_element",
        "silent_channels", "histogram_t3"]
s = o["sparsity"]
assert sorted(s) == sorted(keys + ["layers"]), sorted(s)
def fractions(d):
    for k in keys:
        if k == "spikes_per_element":
            assert d[k] >= 0
        elif k == "histogram_t3":
            assert len(d[k]) == 4 and abs(sum(d[k]) - 1) < 1e-9
            assert all(0 <= x <= 1 for x in d[k])
        else:
            assert 0 <= d[k] <= 1, (k, d[k])
fractions(s)
names = [l["name"] for l in s["layers"]]
assert "model.layers.0.attn.q_proj" in names and "model.layers.1.attn.swa_query" not in names, names
assert "model.layers.0.mlp.down_proj" not in names
for l in s["layers"]:
    assert sorted(l) == sorted(keys + ["name"]), sorted(l)
    fractions(l)
PY
check "ref --json has the documented keys and fractions in [0, 1]" $?

# ---- fp32, paper, encodings, fixed steps --------------------------------------------
"$axon" ref "$model" --prompt "Hello, world" --precision fp32 --json >"$out/fp.json" 2>/dev/null
check "ref --precision fp32 exits 0" $?
$py -c 'import json,sys; o=json.load(open(sys.argv[1])); assert o["precision"]=="fp32" and "sparsity" not in o' "$out/fp.json"
check "fp32 reports no sparsity" $?
"$axon" ref "$model" --tokens 9 --seed 3 --spike paper --encoding ternary --steps 3 --k 2.5 --json \
    >"$out/paper.json" 2>/dev/null
check "ref --tokens with spiking options exits 0" $?
$py -c '
import json,sys
o=json.load(open(sys.argv[1]))
assert o["spike"]=="paper" and o["encoding"]=="ternary" and o["steps"]==3 and o["k"]==2.5
assert o["n_tokens"]==9
names=[l["name"] for l in o["sparsity"]["layers"]]
assert "model.layers.0.mlp.down_proj" in names
' "$out/paper.json"
check "ref --spike paper spikes down_proj and echoes the options" $?
"$axon" ref "$model" --prompt "Hello, world" --spike none --json >"$out/none.json" 2>/dev/null
$py -c 'import json,sys; o=json.load(open(sys.argv[1])); assert o["sparsity"] is None' "$out/none.json"
check "ref --spike none has no spiking sites" $?

# ---- text output, prompt files --------------------------------------------------------
printf 'abc\ndef\n' >"$out/prompt.txt"
"$axon" ref "$model" --prompt-file "$out/prompt.txt" >"$out/text" 2>&1
check "ref --prompt-file exits 0" $?
grep -q "bits/byte" "$out/text" && grep -q "^predicted  |" "$out/text" && grep -q "tokens/s" "$out/text"
check "ref prints predictions, bits per byte and speed" $?

# ---- the dump ------------------------------------------------------------------------------
"$axon" ref "$model" --prompt "dump me" --dump "$out/dump" --json >/dev/null 2>&1
check "ref --dump exits 0" $?
$py - "$out/dump" <<'PY'
import json, os, sys
d = sys.argv[1]
m = json.load(open(os.path.join(d, "manifest.json")))
assert sorted(m) == sorted(["model", "precision", "k", "encoding", "spike", "steps", "tokens",
                            "tensors"]), sorted(m)
assert m["tokens"] == list(b"dump me") and m["steps"] is None and m["spike"] == "released"
names = {t["name"]: t for t in m["tensors"]}
for n in ("model.layers.0.attn.q_proj.input", "model.layers.0.attn.q_proj.counts",
          "model.layers.0.attn.q_proj.vth", "model.layers.0.attn.q_proj.output",
          "model.layers.0.attn.gk_proj.0.counts", "model.layers.1.attn.swa_query.vth",
          "model.layers.1.attn.swa_query.output",
          "model.layers.0.output", "model.layers.1.output", "logits"):
    assert n in names, n
for t in m["tensors"]:
    assert t["dtype"] in ("f32", "i32") and t["shape"][0] == 7
    assert os.path.getsize(os.path.join(d, t["file"])) == 4 * t["shape"][0] * t["shape"][1]
assert names["model.layers.1.attn.swa_query.vth"]["shape"] == [7, 4]
assert names["model.layers.0.attn.q_proj.counts"]["dtype"] == "i32"
PY
check "ref --dump writes the documented manifest and files" $?

# ---- errors ----------------------------------------------------------------------------------
# (gpu_test.sh checks the GPU runtime in detail, with and without a driver)
"$axon" ref "$model" --prompt x --device gpu >"$out/o" 2>"$out/e"
rc=$?
[ $rc -eq 0 ] || { [ $rc -eq 1 ] && [ ! -s "$out/o" ] &&
    grep -q "^axon ref: --device gpu: .*; use --device cpu$" "$out/e"; }
check "ref --device gpu runs on a GPU or fails clearly" $?
"$axon" ref "$model" --prompt x --device tpu >/dev/null 2>"$out/e"
[ $? -eq 2 ] && grep -q "expected cpu, gpu or auto" "$out/e"
check "ref --device tpu is a usage error" $?
"$axon" ref "$model" --prompt x --k 0 >/dev/null 2>"$out/e"
[ $? -eq 2 ] && grep -q "outside" "$out/e"
check "ref --k 0 is a usage error" $?
"$axon" ref "$model" --prompt x --spike bogus >/dev/null 2>&1
[ $? -eq 2 ]
check "ref --spike bogus is a usage error" $?
"$axon" ref "$model" >/dev/null 2>&1
[ $? -eq 2 ]
check "ref without input is a usage error" $?
"$axon" ref "$src/models/nets/spikingbrain-7b" --tokens 2 >"$out/o" 2>"$out/e"
[ $? -eq 1 ] && grep -q "shape-only" "$out/e" && [ ! -s "$out/o" ]
check "ref on a shape-only model fails clearly" $?

# ---- axon compile --emit llvm / ir ----------------------------------------------------------
"$axon" compile "$model" --emit llvm >"$out/m.ll" 2>"$out/e"
check "compile --emit llvm exits 0" $?
grep -q "define void @axon_step" "$out/m.ll" && grep -q "_spike_linear(" "$out/m.ll"
check "compile --emit llvm prints the step and spiking kernels" $?
"$axon" compile "$model" --emit llvm --precision fp32 >"$out/f.ll" 2>/dev/null
! grep -q "_spike_linear(" "$out/f.ll"
check "compile --emit llvm --precision fp32 has no spiking kernels" $?
"$axon" compile "$src/models/nets/spikingbrain-7b" --emit llvm --spike paper >"$out/7b.ll" 2>/dev/null
check "compile --emit llvm works shape-only (7B)" $?
"$axon" compile "$src/models/nets/spikingbrain-76b" --emit llvm >/dev/null 2>"$out/e"
[ $? -eq 1 ] && grep -q "does not run" "$out/e"
check "compile --emit llvm reports the 76B's unsupported ops" $?
"$axon" compile "$model" --emit ir --precision w8spike >"$out/m.ir" 2>/dev/null
grep -q "quant=int8_g128 spike=spike" "$out/m.ir" && grep -q "kv=int8" "$out/m.ir"
check "compile --emit ir --precision w8spike prints the pass's attributes" $?

# ---- the trained small model's quality, pinned ------------------------------------
# Bits per byte over the whole held-out text, as docs/spiking-quality.md quotes
# them (2.1813 fp32, 2.1839 w8spike), to 1e-6: a change to any arithmetic of
# the reference moves them (the oracle ties the same text to the training
# model in oracle.training).
tiny="$src/models/nets/spikingbrain-tiny"
for pair in fp32:2.181264 w8spike:2.183889; do
    prec=${pair%%:*} want=${pair#*:}
    "$axon" ref "$tiny" --prompt-file "$src/tests/data/heldout.txt" --precision "$prec" --json \
        >"$out/q-$prec.json" 2>/dev/null &&
        $py -c "import json,sys; b=json.load(open(sys.argv[1]))['bits_per_byte']; print('$prec', b); sys.exit(abs(b - $want) > 1e-6)" "$out/q-$prec.json"
    check "ref on tests/data/heldout.txt: $prec bits per byte $want" $?
done

finish
