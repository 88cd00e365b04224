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
