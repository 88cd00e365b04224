#!/bin/sh
# The compile-to-program path on the command line: the small model compiles
# for loihi2-like, the program disassembles and reassembles to the same
# bytes, and inspect reports the mapping's figures with the placed traffic
# not above the naive one. usage: compile_test.sh AXON SOURCE_DIR WORK_DIR
set -u
axon=$1
src=$2
dir=$3
. "$(dirname "$0")/../check.sh"
rm -f "$dir/tiny.axb" "$dir/t2.axb"
"$axon" compile "$src/models/nets/spikingbrain-tiny" --chip "$src/models/chips/loihi2-like.yaml" \
    -o "$dir/tiny.axb"
check "compile -o" $?
"$axon" disasm "$dir/tiny.axb" >"$dir/t.s" && "$axon" asm "$dir/t.s" -o "$dir/t2.axb"
check "disasm and asm" $?
cmp "$dir/tiny.axb" "$dir/t2.axb"
check "the reassembled program is identical" $?
rm -f "$dir/again.axb"
"$axon" compile "$src/models/nets/spikingbrain-tiny" --chip "$src/models/chips/loihi2-like.yaml" \
    -o "$dir/again.axb" && cmp "$dir/tiny.axb" "$dir/again.axb"
check "compiling again gives the same bytes" $?
grep -q "^\.node .* site=\"model.layers.0.attn.q_proj\"" "$dir/t.s" &&
    grep -q "kind=value" "$dir/t.s" && grep -q "^    lookup " "$dir/t.s"
check "the program names its nodes and sites, lays out values and looks the embedding up" $?
"$axon" compile "$src/models/nets/spikingbrain-tiny" --chip "$src/models/chips/loihi2-like.yaml" \
    --emit asm >"$dir/emitted.s"
cmp "$dir/t.s" "$dir/emitted.s"
check "--emit asm prints what disasm prints" $?
"$axon" compile "$src/models/nets/spikingbrain-tiny" --emit ir --after build >"$dir/build.ir" &&
    "$axon" compile "$src/models/nets/spikingbrain-tiny" --emit ir --after precision >"$dir/precision.ir"
check "--emit ir after each pass" $?
! grep -q "spike=spike" "$dir/build.ir" && grep -q "quant=int8_g128 spike=spike" "$dir/precision.ir"
check "the precision pass sets the spiking attributes, the build leaves them off" $?
"$axon" compile "$src/models/nets/spikingbrain-tiny" --emit ir --after mapping >/dev/null 2>"$dir/err.txt"
[ $? -eq 2 ] && grep -q "build or precision" "$dir/err.txt"
check "an unknown pass names the passes" $?
# The chip keys the program records: a chip that differs in costs, the clock
# and static power alone gives the same program (bar the chip file it embeds
# and that file's hash); a recorded key (the SRAM's capacity) gives another.
grep -q '^\.meta "chip_keys" "system.chips system.max_chips chip.mesh.width' "$dir/t.s"
check "the program records the chip keys the mapping read" $?
chip=$src/models/chips/loihi2-like.yaml
sed -e 's/clock: 1 GHz/clock: 2 GHz/' -e 's/chip: 1.0 W/chip: 0.7 W/' \
    -e 's/energy_process_spike: 35.5 pJ/energy_process_spike: 71 pJ/' \
    -e 's/latency_process_spike: 0.76 ns/latency_process_spike: 1.52 ns/' \
    -e 's/latency_message_in: 16 ns/latency_message_in: 32 ns/' \
    -e 's/latency_east_hop: 4.1 ns/latency_east_hop: 8.2 ns/' "$chip" >"$dir/costs.yaml"
sed -e 's/capacity: 192 KiB/capacity: 96 KiB/' "$chip" >"$dir/sram.yaml"
code() { # PROGRAM: its text up to the embedded files, without the chip's hash
    "$axon" disasm "$1" | sed '/^\.file/,$d' | grep -v '^\.meta "chip_sha256"'
}
[ "$(diff "$chip" "$dir/costs.yaml" | grep -c '^>')" -eq 6 ] &&
    [ "$(diff "$chip" "$dir/sram.yaml" | grep -c '^>')" -eq 1 ]
check "every edit of the chip applied (six cost lines, one capacity)" $?
for c in costs sram; do
    rm -f "$dir/$c.axb"
    "$axon" compile "$src/models/nets/spikingbrain-tiny" --chip "$dir/$c.yaml" -o "$dir/$c.axb" &&
        code "$dir/$c.axb" >"$dir/$c.code"
    check "compile for $c.yaml" $?
done
code "$dir/tiny.axb" >"$dir/tiny.code"
cmp -s "$dir/tiny.code" "$dir/costs.code"
check "other costs, clock and static power: the same program" $?
! cmp -s "$dir/tiny.code" "$dir/sram.code"
check "another SRAM capacity (a recorded key): another program" $?
# Reduction trees: on cores of 24 KiB the int8 matrices take several column
# blocks per row range. The fan-in is recorded, and a run of the program
# rebuilds the same placement from it (a rebuild with the default fan-in
# would place differently and stop).
sed -e 's/capacity: 192 KiB/capacity: 24 KiB/' "$chip" >"$dir/small.yaml"
rm -f "$dir/fanin3.axb"
"$axon" compile "$src/models/nets/spikingbrain-tiny" --chip "$dir/small.yaml" --float-weights int8 \
    --reduce-fanin 3 -o "$dir/fanin3.axb" 2>/dev/null &&
    "$axon" disasm "$dir/fanin3.axb" | grep -q '^\.meta "reduce_fanin" "3"$'
check "compile --reduce-fanin 3 records its fan-in" $?
"$axon" sim "$dir/fanin3.axb" --prompt "hello" --quiet 2>"$dir/err.txt"
check "the program runs, rebuilt with its recorded fan-in" $?
grep -q '^\.meta "reduce_fanin" "2"$' "$dir/t.s" && grep -q '^\.meta "reduce_chunk" "256"$' "$dir/t.s" &&
    grep -q '^\.meta "relay" "on"$' "$dir/t.s" && grep -q '^    relay ' "$dir/t.s"
check "the default fan-in is 2, the chunk 256 rows, relays on" $?
"$axon" compile "$src/models/nets/spikingbrain-tiny" --chip "$chip" --relay off -o "$dir/norelay.axb" &&
    "$axon" disasm "$dir/norelay.axb" >"$dir/norelay.s" && grep -q '^\.meta "relay" "off"$' "$dir/norelay.s" &&
    ! grep -q '^    relay ' "$dir/norelay.s"
check "compile --relay off records it and relays nothing" $?
"$axon" sim "$dir/norelay.axb" --prompt "hello" --quiet 2>"$dir/err.txt"
check "the program without relays runs and validates" $?
# A window cut into blocks of 16 keys (the small model's 64 on four cores a
# kv head, their partial attentions folded along trees) agrees with the
# reference to float32 precision; the choice is recorded.
"$axon" compile "$src/models/nets/spikingbrain-tiny" --chip "$chip" --ring-keys 16 -o "$dir/rk.axb" &&
    "$axon" disasm "$dir/rk.axb" >"$dir/rk.s" && grep -q '^\.meta "ring_keys" "16"$' "$dir/rk.s" &&
    grep -q '^    kvfold ' "$dir/rk.s" && grep -q '^\.meta "ring_keys" "128"$' "$dir/t.s"
check "compile --ring-keys 16 records it and folds partial attentions; 128 by default" $?
head -c 32 "$src/tests/data/heldout.txt" >"$dir/p32.txt"
head -c 64 "$src/tests/data/heldout.txt" >"$dir/p64.txt"
# 64 tokens, so that every block of the 64-key window holds keys: a leaf's
# part folded wrongly would not show while it holds none (weight 0)
"$axon" run "$src/models/nets/spikingbrain-tiny" --chip "$chip" --prompt-file "$dir/p64.txt" \
    --ring-keys 16 --json >"$dir/rk.json" 2>"$dir/err.txt" &&
    /usr/bin/python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))["validation"]
assert v["values_checked"] == 16384 and v["max_rel_err"] < 1e-6, v' "$dir/rk.json"
check "split windows merged along trees agree with the reference within 1e-6" $?
# Relayed in chunks of 32 words (each window's q of 128 words in four), the
# window's blocks get the same q, k and v: the same values to the bit.
"$axon" run "$src/models/nets/spikingbrain-tiny" --chip "$chip" --prompt-file "$dir/p64.txt" \
    --ring-keys 16 --reduce-chunk 32 --json >"$dir/rk32.json" 2>"$dir/err.txt" &&
    /usr/bin/python3 -c 'import json, sys
a, b = (json.load(open(f))["validation"] for f in sys.argv[1:3])
assert a == b and a["values_checked"] == 16384, (a, b)' "$dir/rk.json" "$dir/rk32.json"
check "windows relayed in chunks of 32 words compute the same values" $?
# On cores of 24 KiB the float32 q_proj of each GLA layer (node 3 of layer
# 0) takes several row ranges, and its value is cut by them: each range's
# sums end on a core of their own, beside the GLA head that reads them, and
# the other heads take their q from those shards; the values are the
# reference's to the bit.
"$axon" compile "$src/models/nets/spikingbrain-tiny" --chip "$dir/small.yaml" --emit asm \
    >"$dir/small.s" 2>/dev/null &&
    grep '^\.buffer .* kind=value node=3 name=n3\.value[0-9]' "$dir/small.s" |
    sed 's/.*core=\([0-9]*\) .*/\1/' | sort -u >"$dir/q_cores.txt" &&
    [ "$(wc -l <"$dir/q_cores.txt")" -ge 2 ] &&
    "$axon" run "$src/models/nets/spikingbrain-tiny" --chip "$dir/small.yaml" \
        --prompt-file "$dir/p32.txt" --json >"$dir/gla.json" 2>"$dir/err.txt" &&
    /usr/bin/python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))["validation"]
assert v["values_checked"] == 8192 and v["bit_exact"] and v["mismatches"] == 0, v' "$dir/gla.json"
check "a GLA's q cut by its matrix's row ranges, on cores of their own: the same values to the bit" $?
# The residual stream cut into row shards (docs/mapping.md): on cores of 24
# KiB six shards of 44 rows, so that groups of 128 columns straddle shards
# and each sends its part; the norms' and thresholds' sums passed along the
# shards give the reference's values to the bit, the same validation and
# sparsity as with the stream whole (which has no running totals), and the
# cut is recorded.
"$axon" compile "$src/models/nets/spikingbrain-tiny" --chip "$dir/small.yaml" -o "$dir/cut.axb" \
    2>/dev/null && "$axon" disasm "$dir/cut.axb" >"$dir/cut.s" &&
    grep -q '^\.meta "stream_rows" "44"$' "$dir/cut.s" && grep -q '^    sumacc ' "$dir/cut.s" &&
    grep -q '^\.meta "stream" "cut"$' "$dir/cut.s" &&
    "$axon" compile "$src/models/nets/spikingbrain-tiny" --chip "$dir/small.yaml" --stream whole \
        -o "$dir/whole.axb" 2>/dev/null && "$axon" disasm "$dir/whole.axb" >"$dir/whole.s" &&
    ! grep -q 'stream_rows\|^    sumacc ' "$dir/whole.s" &&
    grep -q '^\.meta "stream" "whole"$' "$dir/whole.s" &&
    "$axon" sim "$dir/cut.axb" --prompt-file "$dir/p64.txt" --json >"$dir/cut.json" 2>"$dir/err.txt" &&
    "$axon" sim "$dir/whole.axb" --prompt-file "$dir/p64.txt" --json >"$dir/whole.json" \
        2>"$dir/err.txt" &&
    /usr/bin/python3 -c 'import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
v = a["validation"]
assert v["values_checked"] == 16384 and v["bit_exact"] and v["mismatches"] == 0, v
assert v == b["validation"] and a["sparsity"] == b["sparsity"], (v, b["validation"])' \
        "$dir/cut.json" "$dir/whole.json"
check "a stream cut into six shards computes the reference's values and sparsity, as whole" $?
# Four slots a core: the blocks of a quarter core, folded over the cores,
# compute exactly the reference's values (bit for bit); two by default.
"$axon" run "$src/models/nets/spikingbrain-tiny" --chip "$chip" --prompt-file "$dir/p32.txt" \
    --spread 4 --json >"$dir/sp.json" 2>"$dir/err.txt" &&
    /usr/bin/python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))["validation"]
assert v["values_checked"] == 8192 and v["bit_exact"] and v["mismatches"] == 0, v' "$dir/sp.json" &&
    grep -q '^\.meta "spread" "2"$' "$dir/t.s" &&
    "$axon" compile --help | grep -q "K times as many cores (default 2; 1 with --batch)"
check "four slots a core compute the reference's values bit for bit; two by default, as --help says" $?
# The LM head's argmax on chip: each row range's core takes the pair of its
# rows, a tree the largest; the logits are checked as before (from those
# cores) and the pair beside them, two values a token; the default is full.
"$axon" run "$src/models/nets/spikingbrain-tiny" --chip "$chip" --prompt-file "$dir/p32.txt" \
    --logits argmax --json >"$dir/am.json" 2>"$dir/err.txt" &&
    /usr/bin/python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))["validation"]
assert v["values_checked"] == 8192 + 2 * 32 and v["bit_exact"] and v["mismatches"] == 0, v' "$dir/am.json" &&
    grep -q '^\.meta "logits" "full"$' "$dir/t.s"
check "--logits argmax: the token ids and logits are the reference's; full by default" $?
rm -f "$dir/am.axb"
"$axon" compile "$src/models/nets/spikingbrain-tiny" --chip "$chip" --logits argmax -o "$dir/am.axb" &&
    "$axon" disasm "$dir/am.axb" >"$dir/am.s" && grep -q '^\.meta "logits" "argmax"$' "$dir/am.s" &&
    grep -q '^    argmax ' "$dir/am.s" && grep -q '^    argmerge ' "$dir/am.s" &&
    "$axon" sim "$dir/am.axb" --prompt-file "$dir/p32.txt" --json >"$dir/am2.json" 2>"$dir/err.txt" &&
    cmp "$dir/am.json" "$dir/am2.json"
check "an argmax program records it, and simulated alone gives the run's report" $?
# The 7B's lm_head blocks leave room for their pairs, so its argmax
# program places them otherwise than with every logit: `axon sim` must
# rebuild the placement with the option the program records.
rm -f "$dir/7b-am.axb"
"$axon" compile "$src/models/nets/spikingbrain-7b" --chip "$chip" --logits argmax \
    -o "$dir/7b-am.axb" >/dev/null &&
    "$axon" sim "$dir/7b-am.axb" --tokens 1 --mode counting --quiet 2>"$dir/err.txt"
check "the 7B's argmax program runs alone, its placement rebuilt as recorded" $?
"$axon" map "$src/models/nets/spikingbrain-7b" --chip "$chip" --logits argmax --reduce-fanin 0 \
    >/dev/null 2>"$dir/err.txt"
[ $? -ne 0 ] && grep -q "logits argmax: lm_head.weight's rows are cut over 28 blocks that add" "$dir/err.txt"
check "an argmax over rows summed flat is refused, naming the matrix and the fix" $?
"$axon" compile "$src/models/nets/spikingbrain-tiny" --chip "$chip" --logits some \
    -o "$dir/x.axb" 2>"$dir/err.txt"
[ $? -eq 2 ] && grep -q "logits some: expected full or argmax" "$dir/err.txt"
check "logits neither full nor argmax are a usage error" $?
"$axon" compile "$src/models/nets/spikingbrain-tiny" --chip "$chip" --spread 0 \
    -o "$dir/x.axb" 2>"$dir/err.txt"
[ $? -eq 2 ] && grep -q "spread 0: expected a number of slots a core from 1 to 64" "$dir/err.txt"
check "zero slots a core is a usage error" $?
"$axon" compile "$src/models/nets/spikingbrain-tiny" --chip "$chip" --ring-keys lots \
    -o "$dir/x.axb" 2>"$dir/err.txt"
[ $? -eq 2 ] && grep -q "ring-keys lots: expected 0 (as many as a core holds) or a number" "$dir/err.txt"
check "ring keys that are no number are a usage error" $?
"$axon" compile "$src/models/nets/spikingbrain-tiny" --chip "$chip" --relay sometimes \
    -o "$dir/x.axb" 2>"$dir/err.txt"
[ $? -eq 2 ] && grep -q "relay sometimes: expected on or off" "$dir/err.txt"
check "a relay that is neither on nor off is a usage error" $?
"$axon" compile "$src/models/nets/spikingbrain-tiny" --chip "$chip" --reduce-chunk many \
    -o "$dir/x.axb" 2>"$dir/err.txt"
[ $? -eq 2 ] && grep -q "reduce-chunk many: expected 0 (a block's rows at once) or a number" "$dir/err.txt"
check "a chunk that is no number is a usage error" $?
"$axon" compile "$src/models/nets/spikingbrain-tiny" --chip "$chip" --reduce-fanin 1 \
    -o "$dir/x.axb" 2>"$dir/err.txt"
[ $? -eq 2 ] && grep -q "reduce-fanin 1: expected 0 (flat) or a fan-in from 2 to 64" "$dir/err.txt"
check "a fan-in of 1 is a usage error" $?
"$axon" inspect "$dir/tiny.axb" --json >"$dir/tiny.json"
check "inspect --json" $?
/usr/bin/python3 - "$dir/tiny.json" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
for key in ("cores_used", "chips_used", "dram_bytes", "traffic_hop_bytes", "traffic_hop_bytes_naive"):
    assert key in o, key
assert o["chips_used"] == 1 and o["cores_used"] > 1 and o["dram_bytes"] == 0
assert 0 < o["traffic_hop_bytes"] <= o["traffic_hop_bytes_naive"]
assert o["sram_bytes_per_core"]["max"] <= 192 * 1024
PY
check "inspect reports the mapping, placed traffic not above naive" $?
"$axon" compile "$src/models/nets/spikingbrain-tiny" --chip "$src/models/chips/loihi2-like.yaml" \
    >/dev/null 2>&1
[ $? -eq 2 ]
check "--chip without -o is a usage error" $?
finish
