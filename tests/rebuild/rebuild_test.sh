#!/bin/sh
# usage: rebuild_test.sh AXON SOURCE_DIR WORK_DIR
set -u
axon=$1
src=$2
dir=$3
. "$(dirname "$0")/../check.sh"
tiny="$src/models/nets/spikingbrain-tiny"
chip="$src/models/chips/loihi2-like.yaml"
rm -rf "$dir/moved" "$dir/copy" "$dir/tmp"
mkdir -p "$dir/moved" "$dir/copy" "$dir/tmp"
TMPDIR="$dir/tmp"
export TMPDIR

# 1. Compiled, moved away and run from elsewhere: the same figures as `run`.
"$axon" compile "$tiny" --chip "$chip" -o "$dir/tiny.axb"
check "compile -o" $?
mv "$dir/tiny.axb" "$dir/moved/p.axb"
"$axon" run "$tiny" --chip "$chip" --prompt "The cat" --report "$dir/run.json" --quiet
check "run" $?
(cd "$dir/moved" && "$axon" sim p.axb --prompt "The cat" --report ../sim.json --quiet)
check "sim of the moved program" $?
python3 - "$dir/run.json" "$dir/sim.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["latency"]["cycles"] == b["latency"]["cycles"], (a["latency"], b["latency"])
assert a["energy"]["breakdown_j"] == b["energy"]["breakdown_j"]
assert b["validation"]["bit_exact"] is True, b["validation"]
assert b["model"]["name"] == a["model"]["name"] == "spikingbrain-tiny", b["model"]
PY
check "the moved program gives run's figures, bit-exact against the reference" $?
[ -z "$(ls "$dir/tmp")" ]
check "the temporary folder of the program's files is removed" $?

# 2. Provenance without paths.
"$axon" disasm "$dir/moved/p.axb" >"$dir/p.s"
check "disasm" $?
! grep -q "$src" "$dir/p.s" && ! grep -aq "$src" "$dir/moved/p.axb"
check "no path of this machine in the program" $?
sha_chip=$(sha256sum "$chip" | cut -d' ' -f1)
sha_config=$(sha256sum "$tiny/config.json" | cut -d' ' -f1)
sha_weights=$(sha256sum "$tiny/model.safetensors" | cut -d' ' -f1)
grep -q "^.meta \"chip_sha256\" \"$sha_chip\"" "$dir/p.s" &&
    grep -q "^.meta \"model_sha256\" \"$sha_config\"" "$dir/p.s" &&
    grep -q "^.meta \"weights_sha256\" \"$sha_weights\"" "$dir/p.s" &&
    grep -q "^.meta \"weights\" \"embedded\"" "$dir/p.s" &&
    grep -q '^.file "chip.yaml"' "$dir/p.s" && grep -q '^.file "model/config.json"' "$dir/p.s" &&
    grep -q '^.file "model/model.safetensors"' "$dir/p.s"
check "the chip, config and checkpoint are embedded with their SHA-256" $?

# 3. With the checkpoint, every weight record carries its codes and scales
# (.wdata), and sim runs on them: one code changed in the text, assembled
# again, and the run is no longer bit-exact against the reference.
python3 - "$dir/p.s" "$dir/edited.s" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().split("\n")
records = [l for l in lines if l.startswith(".weights ")]
with_data = {int(l.split()[1]) for l in lines if l.startswith(".wdata ")}
assert with_data == set(range(len(records))), (len(records), len(with_data))
quantized = {i for i, l in enumerate(records) if not l.rstrip().split("#")[0].endswith("float")}
for i, l in enumerate(lines):
    m = re.match(r"\.wdata (\d+) row=\S+ codes=(-?\d+)", l)
    if m and int(m.group(1)) in quantized:
        c = int(m.group(2))
        lines[i] = l.replace("codes=%d" % c, "codes=%d" % (c + 1 if c < 127 else c - 1), 1)
        break
else:
    raise SystemExit("no quantized record with data")
open(sys.argv[2], "w").write("\n".join(lines))
PY
check "every weight record carries data" $?
"$axon" asm "$dir/edited.s" -o "$dir/edited.axb" &&
    "$axon" sim "$dir/edited.axb" --prompt "The cat" --report "$dir/edited.json" --quiet
check "the program with one code changed assembles and runs" $?
python3 - "$dir/edited.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))["validation"]
assert v["bit_exact"] is False and v["mismatches"] > 0, v
PY
check "sim runs on the program's own data (one changed code breaks bit-exactness)" $?

# 4. Referenced weights: the model must be given, and must be the one recorded.
"$axon" compile "$tiny" --chip "$chip" --no-embed-weights -o "$dir/ref.axb"
check "compile --no-embed-weights" $?
! "$axon" disasm "$dir/ref.axb" | grep -q "^.wdata "
check "a program that references its weights carries no weight data" $?
"$axon" sim "$dir/ref.axb" --tokens 1 --quiet 2>"$dir/err.txt"
[ $? -eq 1 ] && grep -q -- "--model DIR" "$dir/err.txt"
check "a program referencing its weights asks for --model" $?
"$axon" sim "$dir/ref.axb" --mode counting --tokens 2 --report "$dir/ref-counting.json" --quiet
check "counting mode needs no weights, so no --model" $?
"$axon" sim "$dir/ref.axb" --model "$tiny" --mode counting --tokens 2 --report "$dir/ref-counting2.json" \
    --quiet
cmp -s "$dir/ref-counting.json" "$dir/ref-counting2.json"
check "counting mode gives the same report with the model and without" $?
"$axon" sim "$dir/ref.axb" --model "$tiny" --prompt "The cat" --report "$dir/ref.json" --quiet
check "sim --model with the recorded model" $?
cmp -s "$dir/sim.json" "$dir/ref.json"
check "embedded and referenced weights give the same report" $?
cp "$tiny/config.json" "$dir/copy/config.json"
python3 - "$dir/copy/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["norm_eps"] = c["norm_eps"] * 2
json.dump(c, open(sys.argv[1], "w"))
PY
cp "$tiny/model.safetensors" "$dir/copy/"
"$axon" sim "$dir/ref.axb" --model "$dir/copy" --tokens 1 --quiet 2>"$dir/err.txt"
[ $? -eq 1 ] && grep -q "not the model this program was compiled from" "$dir/err.txt"
check "another model's folder is refused" $?

# 5. inspect's free SRAM follows from the buffer table disasm prints.
"$axon" inspect "$dir/moved/p.axb" --json >"$dir/inspect.json"
check "inspect --json" $?
python3 - "$dir/p.s" "$dir/inspect.json" <<'PY'
import json, re, sys
words, used = None, {}
for line in open(sys.argv[1]):
    if line.startswith(".sram_words "):
        words = int(line.split()[1])
    m = re.match(r"\.buffer core=(\d+) addr=\d+ words=(\d+) ", line)
    if m:
        used[int(m[1])] = used.get(int(m[1]), 0) + int(m[2])
free = sorted(4 * (words - w) for w in used.values())
o = json.load(open(sys.argv[2]))
assert used and o["sram_free_bytes_min"] == free[0], (o["sram_free_bytes_min"], free[0])
assert o["sram_free_bytes_median"] == free[(len(free) - 1) // 2], o["sram_free_bytes_median"]
PY
check "sram_free_bytes_min and _median recomputed from the buffer table" $?
finish
