#!/bin/sh
# Hostile inputs: one case per defect of the loaders' review (D1-D16). Each
# case builds the hostile file from the shipped model, chip or a compiled
# program, runs the command that once misbehaved and checks the refusal:
# a non-zero exit, a message naming the file, the value and the fix, and
# no damage (no input overwritten, no crash, bounded time).
# usage: hostile_test.sh CASE AXON SOURCE_DIR OUT_DIR [GPU_RUNNER]
set -u
case=$1
axon=$2
src=$3
out=$4/$1
runner=${5:-}
. "$src/tests/check.sh"
rm -rf "$out"
mkdir -p "$out"
tiny="$src/models/nets/spikingbrain-tiny"
chip="$src/models/chips/loihi2-like.yaml"

# `expect_refused NAME PATTERN CMD...`: CMD exits non-zero (not by a signal)
# and its stderr matches PATTERN (grep -E).
expect_refused() {
    name=$1
    pattern=$2
    shift 2
    "$@" >"$out/stdout.txt" 2>"$out/stderr.txt"
    rc=$?
    [ "$rc" -ne 0 ] && [ "$rc" -lt 128 ]
    check "$name: exits non-zero without a crash (rc $rc)" $?
    grep -Eq -e "$pattern" "$out/stderr.txt"
    check "$name: says '$pattern'" $?
    [ $? -eq 0 ] || sed 's/^/    /' "$out/stderr.txt" | head -5
}

# `bounded KB SECONDS CMD...`: CMD under a time limit and, where the build
# allows one, a limit of KB of address space (AddressSanitizer reserves more
# than any such limit up front, so its builds get the time limit alone).
bounded() {
    kb=$1
    secs=$2
    shift 2
    if (ulimit -v "$kb" && exec "$axon" --version) >/dev/null 2>&1; then
        (ulimit -v "$kb" && exec timeout "$secs" "$@")
    else
        timeout "$secs" "$@"
    fi
}

# A copy of the tiny model whose checkpoint is the shipped one.
copy_tiny() {
    mkdir -p "$1"
    cp "$tiny/config.json" "$tiny/model.safetensors" "$1/"
}

# Capacities: a chip's DRAM must hold the weight records the placement
# streams from it (the program's dram_bytes_per_chip, checked at compile).
capacity_dram() {
    gen="$src/models/chips/generic-45nm.yaml"
    sed -e 's/^  chips: open/  chips: 1/' -e 's/mesh: {width: [0-9]*, height: [0-9]*}/mesh: {width: 2, height: 2}/' \
        "$gen" >"$out/fits.yaml"
    "$axon" compile "$tiny" --chip "$out/fits.yaml" -o "$out/fits.axb" >/dev/null 2>"$out/stderr.txt"
    check "four cores and 16 GiB of DRAM hold the small model" $?
    "$axon" inspect "$out/fits.axb" | grep -Eq "^DRAM +[1-9][0-9]* bytes"
    check "its blocks stream from DRAM" $?
    sed -e 's/capacity: 16 GiB /capacity: 1 MiB /' "$out/fits.yaml" >"$out/small.yaml"
    expect_refused "1 MiB of DRAM" "chip 0: its [0-9]+ DRAM weight records take [0-9]+ bytes, more than its DRAM \(1048576 bytes" \
        "$axon" compile "$tiny" --chip "$out/small.yaml" -o "$out/small.axb"
    [ ! -e "$out/small.axb" ]
    check "no program is written" $?
}

d07_output_onto_input() {
    cp "$chip" "$out/c.yaml"
    cp "$chip" "$out/keep.yaml"
    printf 'Hello' >"$out/p.txt"
    copy_tiny "$out/m"
    cp "$src/tests/programs/dense-chain.s" "$out/t.s"
    cp "$out/t.s" "$out/keep.s"
    ln -s c.yaml "$out/link.yaml"
    ln "$out/c.yaml" "$out/hard.yaml"
    expect_refused "run --report onto --chip" "--report is the same file as .*c.yaml \(--chip\)" \
        "$axon" run "$out/m" --chip "$out/c.yaml" --tokens 2 --quiet --report "$out/c.yaml"
    expect_refused "run --report onto --chip through a link" "--report is the same file as" \
        "$axon" run "$out/m" --chip "$out/c.yaml" --tokens 2 --quiet --report "$out/link.yaml"
    expect_refused "run --csv onto --chip through a hard link" "--csv is the same file as" \
        "$axon" run "$out/m" --chip "$out/c.yaml" --tokens 2 --quiet --csv "$out/hard.yaml"
    expect_refused "run --report onto --prompt-file" "--report is the same file as .*p.txt" \
        "$axon" run "$out/m" --chip "$out/c.yaml" --prompt-file "$out/p.txt" --quiet \
        --report "$out/../d07_output_onto_input/p.txt"
    expect_refused "run --html onto --report" "--html is the same file as .*another output" \
        "$axon" run "$out/m" --chip "$out/c.yaml" --tokens 2 --quiet --report "$out/r.json" \
        --html "$out/r.json"
    expect_refused "compile -o onto --chip" "-o is the same file as .*c.yaml" \
        "$axon" compile "$out/m" --chip "$out/c.yaml" -o "$out/c.yaml"
    expect_refused "compile -o into the model directory" "-o is inside .*the model directory" \
        "$axon" compile "$out/m" --chip "$out/c.yaml" -o "$out/m/x.axb"
    expect_refused "compile -o onto the checkpoint" "-o is .*model directory" \
        "$axon" compile "$out/m" --chip "$out/c.yaml" -o "$out/m/model.safetensors"
    expect_refused "asm -o onto its source" "-o is the same file as .*the source" \
        "$axon" asm "$out/t.s" -o "$out/t.s"
    expect_refused "ref --dump into the model directory" "--dump is .*the model directory" \
        "$axon" ref "$out/m" --prompt Hi --dump "$out/m"
    cmp -s "$out/c.yaml" "$out/keep.yaml" && cmp -s "$out/t.s" "$out/keep.s" &&
        cmp -s "$out/m/model.safetensors" "$tiny/model.safetensors" &&
        [ "$(cat "$out/p.txt")" = Hello ] && [ ! -e "$out/r.json" ] && [ ! -e "$out/m/x.axb" ]
    check "no input was written over, no output written" $?
    "$axon" compile "$out/m" --chip "$out/c.yaml" -o "$out/ok.axb" 2>"$out/stderr.txt"
    check "compile -o elsewhere still works" $?
    cp "$out/ok.axb" "$out/keep.axb"
    expect_refused "sim --report onto its program" "--report is the same file as .*ok.axb \(the program\)" \
        "$axon" sim "$out/ok.axb" --tokens 2 --quiet --report "$out/ok.axb"
    cmp -s "$out/ok.axb" "$out/keep.axb"
    check "the program is intact" $?
}

# 1 when this build's `axon ref` runs the model (it needs LLVM).
has_ref() {
    "$axon" ref "$tiny" --tokens 1 >/dev/null 2>&1
}

d01_non_finite_weights() {
    poison="$src/tests/hostile/poison.py"
    copy_tiny "$out/nan"
    python3 "$poison" "$out/nan/model.safetensors" layers.1.attn.q_proj.weight 7FC0 300
    at="tensor 'model.layers.1.attn.q_proj.weight' holds NaN at \\[1, 44\\]"
    expect_refused "inspect, one NaN" "$at" "$axon" inspect "$out/nan"
    expect_refused "run, one NaN" "$at" "$axon" run "$out/nan" --chip "$chip" --tokens 2 --quiet
    if has_ref; then
        expect_refused "ref, one NaN" "$at" "$axon" ref "$out/nan" --prompt Hi
    fi
    copy_tiny "$out/inf"
    python3 "$poison" "$out/inf/model.safetensors" . 7F80 all
    expect_refused "run, every weight +Inf" "holds an infinity at \\[0, 0\\]" \
        "$axon" run "$out/inf" --chip "$chip" --tokens 2 --quiet
    # finite weights whose products overflow float32 at run time: the node is named
    copy_tiny "$out/huge"
    python3 "$poison" "$out/huge/model.safetensors" layers.0.attn.q_proj.weight 7F7F all
    node="model.layers.0.attn.q_proj at position 0: its output element 0 is infinite"
    expect_refused "run, an overflow at run time" "$node" \
        "$axon" run "$out/huge" --chip "$chip" --tokens 2 --quiet
    if has_ref; then
        expect_refused "ref, an overflow at run time" "$node" "$axon" ref "$out/huge" --prompt Hi
    fi
}

# The tiny model compiled for the chip, in text form: $out/tiny.s.
tiny_program() {
    "$axon" compile "$tiny" --chip "$chip" -o "$out/tiny.axb" 2>"$out/stderr.txt" &&
        "$axon" disasm "$out/tiny.axb" >"$out/tiny.s"
    check "the tiny model compiles and disassembles" $?
}

d08_recorded_options() {
    tiny_program
    grep -q '^\.meta "steps" "0"$' "$out/tiny.s"
    check "the program records its steps" $?
    for v in 99999999999 -1 abc 4294967297 "12x" ""; do
        sed "s/^\.meta \"steps\" \"0\"\$/.meta \"steps\" \"$v\"/" "$out/tiny.s" >"$out/st.s"
        "$axon" asm "$out/st.s" -o "$out/st.axb" 2>"$out/stderr.txt"
        check "asm of recorded steps '$v'" $?
        expect_refused "sim, recorded steps '$v'" "st.axb: error: recorded steps '$v' is not valid; compile it again" \
            "$axon" sim "$out/st.axb" --tokens 2 --quiet
    done
    sed 's/^\.meta "k" "3"$/.meta "k" "nan"/' "$out/tiny.s" >"$out/k.s"
    "$axon" asm "$out/k.s" -o "$out/k.axb" 2>"$out/stderr.txt"
    expect_refused "sim, recorded k 'nan'" "k.axb: error: recorded spiking options: k nan is outside" \
        "$axon" sim "$out/k.axb" --tokens 2 --quiet
    grep -q '^\.meta "stream" "cut"$' "$out/tiny.s"
    check "the program records its residual stream cut" $?
    sed 's/^\.meta "stream" "cut"$/.meta "stream" "sideways"/' "$out/tiny.s" >"$out/sm.s"
    "$axon" asm "$out/sm.s" -o "$out/sm.axb" 2>"$out/stderr.txt"
    expect_refused "sim, recorded stream 'sideways'" "stream 'sideways' is not valid; compile it again" \
        "$axon" sim "$out/sm.axb" --tokens 2 --quiet
    expect_refused "run --stream sideways" "--stream sideways: expected cut or whole" \
        "$axon" run "$tiny" --chip "$chip" --tokens 1 --stream sideways
    "$axon" sim "$out/tiny.axb" --tokens 2 --quiet 2>"$out/stderr.txt"
    check "the program as compiled still runs" $?
}

d12_context_range() {
    for v in 10000000000 -1 4294967297 x; do
        expect_refused "run --context $v" "--context $v: expected a whole number from 0 to 4294967296" \
            "$axon" run "$tiny" --chip "$chip" --tokens 1 --context "$v"
    done
    "$axon" run "$tiny" --chip "$chip" --tokens 1 --context 4294967296 --mode counting --quiet \
        2>"$out/stderr.txt"
    check "run --context 4294967296 (the limit) runs" $?
}

d15_prompt_token_cap() {
    # the byte tokenizer: one token a byte, one more than --tokens takes
    python3 -c 'import sys; sys.stdout.write("a" * (1048576 + 1))' >"$out/long.txt"
    expect_refused "run, a prompt over the token cap" \
        "long.txt: the prompt is 1048577 tokens; the limit is 1048576, as for --tokens" \
        timeout 30 "$axon" run "$tiny" --chip "$chip" --prompt-file "$out/long.txt" --quiet
    tiny_program
    expect_refused "sim, a prompt over the token cap" "the prompt is 1048577 tokens; the limit is 1048576" \
        timeout 30 "$axon" sim "$out/tiny.axb" --prompt-file "$out/long.txt" --quiet
}

# `chip_with FILE FIND REPLACE`: the shipped chip with one line's text replaced.
chip_with() {
    grep -q -e "$2" "$chip"
    check "the chip has '$2'" $?
    sed "s/$2/$3/" "$chip" >"$1"
}

d02_yaml_keys_linear() {
    # 370,000 keys (3.9 MB, under the 4 MiB limit), the last a duplicate of
    # the sixth: a scan of the earlier keys per key took minutes
    python3 -c '
import sys
sys.stdout.write("".join("k%d: 1\n" % i for i in range(370000)) + "k5: 2\n")' >"$out/keys.yaml"
    expect_refused "370,000 keys, one duplicate" "keys.yaml:370001:1: error: duplicate key 'k5' \(first defined at line 6, column 1\)" \
        timeout 20 "$axon" inspect "$out/keys.yaml"
    { printf 'chip:\n  core:\n'; python3 -c '
import sys
sys.stdout.write("".join("    k%d: 1\n" % i for i in range(250000)))'; } >"$out/nested.yaml"
    expect_refused "250,000 nested keys" "nested.yaml" timeout 20 "$axon" inspect "$out/nested.yaml"
}

d05_mapping_bounded() {
    # a chip of 2^30 cores, every value inside its accepted range
    sed -e 's/mesh: {width: [0-9]*, height: [0-9]*}/mesh: {width: 1024, height: 1024}/' \
        -e 's/^\(    cores:\) [0-9]*/\1 1024/' "$chip" >"$out/mesh.yaml"
    expect_refused "a chip of 1024 x 1024 tiles of 1024 cores" \
        "a chip of 1024 x 1024 tiles of 1024 cores has 1073741824 cores; axon maps at most 65536" \
        bounded 4000000 20 "$axon" map "$tiny" --chip "$out/mesh.yaml"
    chip_with "$out/chips.yaml" "chips: open" "chips: 16777216"
    expect_refused "a system of 2^24 chips" "16777216 chips \(system.chips\) of 128 cores have 2147483648 cores; axon maps at most 4194304" \
        timeout 20 "$axon" inspect "$out/chips.yaml"
    # a model at the config reader's limits: refused before any block is cut
    mkdir -p "$out/huge"
    python3 - "$src/models/nets/spikingbrain-7b/config.json" "$out/huge/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c.update(hidden_size=65536, intermediate_size=1048576, vocab_size=4194304, num_hidden_layers=1024,
         gate_low_rank_dim=65536, sliding_window=2**31 - 1, num_attention_heads=512,
         num_key_value_heads=64, attn_layers=list(range(1, 1024, 2)))
json.dump(c, open(sys.argv[2], "w"))
PY
    "$axon" inspect "$out/huge" >/dev/null 2>"$out/stderr.txt"
    check "the config at the limits is one the reader accepts" $?
    expect_refused "map a model at the config limits" "the model needs at least [0-9]+ blocks .*axon maps at most 4194304 blocks" \
        bounded 4000000 30 "$axon" map "$out/huge" --chip "$chip"
    # the simulator's memory follows the cores a program uses: the small
    # model on a chip of 128 x 128 tiles (65,536 cores, the most) against the
    # same model on the chip's own 128 cores; the tables once sized by the
    # declared cores took about 33 MB more
    sed -e 's/mesh: {width: [0-9]*, height: [0-9]*}/mesh: {width: 128, height: 128}/' \
        "$chip" >"$out/wide.yaml"
    grep -q "mesh: {width: 128, height: 128}" "$out/wide.yaml"
    check "the wide chip's mesh edit applied" $?
    python3 - "$axon" "$tiny" "$chip" "$out/wide.yaml" "$out" <<'PY'
import resource, subprocess, sys
axon, tiny, small, wide, out = sys.argv[1:]
peak = []
for chip in (small, wide):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run([axon, "run", tiny, "--chip", chip, "--tokens", "2", "--quiet",
                    "--csv", f"{out}/csv"], check=True, timeout=120)
    peak.append(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    rows = sum(1 for _ in open(f"{out}/csv/cores.csv")) - 1
    print(f"    {chip}: peak {peak[-1]} KiB, {rows} rows in cores.csv")
# ru_maxrss of the children is the largest of them so far: the wide run's
# peak is known only when it exceeds the small one's
grow = peak[1] - peak[0]
print(f"    grows by {grow} KiB with 65,408 idle cores")
sys.exit(0 if grow < 12 * 1024 and rows < 200 else 1)
PY
    check "65,536 declared cores, 45 used: peak memory within 12 MB of 128 declared, cores.csv lists the used" $?
}

d06_sram_capacity_bound() {
    for cap in "1e300 B" "18446744073709551616 B" "257 KiB"; do
        chip_with "$out/sram.yaml" "capacity: 192 KiB" "capacity: $cap"
        expect_refused "sram.capacity $cap, inspect" "sram.yaml:[0-9]+:[0-9]+: error: sram.capacity: .* is more than the 262144 B \(256 KiB\)" \
            "$axon" inspect "$out/sram.yaml"
        expect_refused "sram.capacity $cap, run" "is more than the 262144 B" \
            timeout 60 "$axon" run "$tiny" --chip "$out/sram.yaml" --tokens 2 --quiet
    done
    chip_with "$out/sram.yaml" "capacity: 192 KiB" "capacity: 256 KiB"
    "$axon" run "$tiny" --chip "$out/sram.yaml" --tokens 2 --quiet 2>"$out/stderr.txt" &&
        "$axon" compile "$tiny" --chip "$out/sram.yaml" -o "$out/p.axb" 2>>"$out/stderr.txt"
    check "256 KiB (the limit): run and compile both accept it" $?
}

d11_odd_chip_scalars() {
    chip_with "$out/clock.yaml" "clock: 1 GHz" "clock: 1e-300 Hz"
    expect_refused "clock 1e-300 Hz" "clock.yaml:[0-9]+:[0-9]+: error: chip.clock: 1e-300 Hz is outside .* 1 kHz to 1 THz" \
        "$axon" inspect "$out/clock.yaml"
    chip_with "$out/tag.yaml" "^name: .*" "name: !!binary aGVsbG8="
    expect_refused "a !!binary tag" "tag.yaml:[0-9]+:[0-9]+: error: tags .* are not supported" \
        "$axon" inspect "$out/tag.yaml"
    chip_with "$out/tag2.yaml" "^name: .*" "name: !custom x"
    expect_refused "a !custom tag" "tags .* are not supported" "$axon" inspect "$out/tag2.yaml"
    chip_with "$out/esc.yaml" "^name: .*" 'name: "\\e[31mRED\\e[0m"'
    expect_refused "an escape sequence in the name" "esc.yaml:[0-9]+:[0-9]+: error: .*name: holds the control character 0x1b" \
        "$axon" inspect "$out/esc.yaml"
    grep -q "$(printf '\033')" "$out/stdout.txt"
    [ $? -ne 0 ]
    check "no escape character reaches the terminal" $?
    chip_with "$out/nul.yaml" "^name: .*" 'name: "lo\\0ihi"'
    expect_refused "a NUL in the name" "name: holds the control character 0x00 at byte 2" \
        "$axon" inspect "$out/nul.yaml"
}

d03_meta_lines_linear() {
    tiny_program
    # 200,000 .meta lines after the header: a scan of the earlier keys per
    # line took 4 s for 40,000
    python3 - "$out/tiny.s" "$out/meta.s" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
extra = ['.meta "k%d" "v"' % i for i in range(200000)]
open(sys.argv[2], "w").write("\n".join(lines[:5] + extra + lines[5:]))
PY
    timeout 20 "$axon" asm "$out/meta.s" -o "$out/meta.axb" 2>"$out/stderr.txt"
    check "asm of 200,000 .meta lines finishes within 20 s" $?
    timeout 20 "$axon" disasm "$out/meta.axb" >"$out/meta2.s" 2>"$out/stderr.txt" &&
        [ "$(grep -c '^\.meta "k[0-9]' "$out/meta2.s")" -eq 200000 ]
    check "the program keeps all 200,000 and reads back within 20 s" $?
}

d04_inspect_core_count() {
    tiny_program
    # the summary once allocated memory for every core the header declared:
    # the most a program may declare now (4194304, 32768 chips of 128) is
    # summarized from the cores in use
    sed 's/^\.cores [0-9]*$/.cores 4194304/' "$out/tiny.s" >"$out/hc.s"
    "$axon" asm "$out/hc.s" -o "$out/hc.axb" 2>"$out/stderr.txt"
    check "a program declaring 4194304 cores assembles" $?
    bounded 1000000 20 "$axon" inspect "$out/hc.axb" >"$out/inspect.txt" 2>"$out/stderr.txt"
    check "inspect summarizes it within 1 GB and 20 s" $?
    grep -q "cores .* used of 4194304" "$out/inspect.txt"
    check "inspect counts the cores in use" $?
    sed 's/^\.cores [0-9]*$/.cores 4294967168/' "$out/tiny.s" >"$out/many.s"
    expect_refused "asm of 4294967168 cores" "many.s: error: 4294967168 cores: axon maps at most 4194304 cores in a system" \
        "$axon" asm "$out/many.s" -o "$out/many.axb"
    sed 's/^\.cores [0-9]*$/.cores 4294967295/' "$out/tiny.s" >"$out/odd.s"
    expect_refused "asm of 4294967295 cores" "odd.s: error: 4294967295 cores is not a whole number of chips of 128 cores" \
        "$axon" asm "$out/odd.s" -o "$out/odd.axb"
    # a failing inspect always says why
    head -c 100 "$out/tiny.axb" >"$out/cut.axb"
    expect_refused "inspect of a cut program" "cut.axb: error: " "$axon" inspect "$out/cut.axb"
}

d13_sram_words_bound() {
    tiny_program
    sed 's/^\.sram_words [0-9]*$/.sram_words 4294967295/' "$out/tiny.s" >"$out/sw.s"
    expect_refused "asm of .sram_words 4294967295" "sw.s: error: the program says sram_words is 4294967295, its embedded chip description 49152" \
        "$axon" asm "$out/sw.s" -o "$out/sw.axb"
    # a chip over the instruction format's 65536 words cannot be embedded either
    chip_with "$out/big.yaml" "capacity: 192 KiB" "capacity: 1 MiB"
    expect_refused "compile for 1 MiB of SRAM a core" "is more than the 262144 B \(256 KiB\)" \
        "$axon" compile "$tiny" --chip "$out/big.yaml" -o "$out/big.axb"
}

d14_fifo_inputs() {
    mkfifo "$out/fifo"
    expect_refused "--chip a FIFO" "fifo: error: cannot read: it is a FIFO" \
        timeout 10 "$axon" run "$tiny" --chip "$out/fifo" --tokens 1
    expect_refused "--prompt-file a FIFO" "fifo: error: cannot read: it is a FIFO" \
        timeout 10 "$axon" run "$tiny" --chip "$chip" --prompt-file "$out/fifo"
    expect_refused "asm of a FIFO" "fifo: error: cannot read: it is a FIFO" \
        timeout 10 "$axon" asm "$out/fifo" -o "$out/x.axb"
    expect_refused "sim of a FIFO" "fifo: error: cannot read" \
        timeout 10 "$axon" sim "$out/fifo" --tokens 1
    mkdir -p "$out/m"
    cp "$tiny/model.safetensors" "$out/m/"
    mkfifo "$out/m/config.json"
    expect_refused "a model whose config.json is a FIFO" "config.json: error: cannot read: it is a FIFO" \
        timeout 10 "$axon" inspect "$out/m"
    rm "$out/m/config.json" "$out/m/model.safetensors"
    cp "$tiny/config.json" "$out/m/"
    mkfifo "$out/m/model.safetensors"
    expect_refused "a model whose checkpoint is a FIFO" "model.safetensors: error: cannot read: not a regular file" \
        timeout 10 "$axon" inspect "$out/m"
    expect_refused "--chip a device" "error: cannot read: not a regular file" \
        timeout 10 "$axon" inspect /dev/zero
}

d09_gpu_bundle_sizes() {
    if ! has_ref; then
        echo "skip: this build's axon ref cannot run (no LLVM), so no GPU bundle can be written"
        exit 77
    fi
    "$axon" ref "$tiny" --prompt Hi --export-gpu "$out/good" >/dev/null 2>"$out/stderr.txt"
    check "ref --export-gpu writes a bundle" $?
    grep -q '^buffer 1 weight ' "$out/good/bundle.txt"
    check "the bundle's buffer 1 is a weight" $?
    "$runner" --print "$out/good" >/dev/null 2>"$out/stderr.txt"
    check "the runner reads the bundle as written" $?
    # offset + bytes wraps to 4; n_elems x 8 wraps to 8
    n=0
    for line in "buffer 1 weight f32 4611686018427387903 18446744073709551612 8 w" \
        "buffer 1 weight f64 2305843009213693953 8 0 w"; do
        n=$((n + 1))
        rm -rf "$out/bad$n"
        cp -r "$out/good" "$out/bad$n"
        sed "s/^buffer 1 weight .*/$line/" "$out/good/bundle.txt" >"$out/bad$n/bundle.txt"
        expect_refused "bundle with '$line'" "bad$n/bundle.txt:9: a buffer's (offset lies outside weights.bin|kind, element type or size is not one the format allows)" \
            "$runner" --print "$out/bad$n"
    done
}

d10_empty_profile() {
    "$axon" run "$tiny" --chip "$chip" --tokens 2 --quiet --write-profile "$out/prof.json" \
        2>"$out/stderr.txt"
    check "a functional run writes a profile" $?
    python3 - "$out" <<'PY'
import json, sys
d = sys.argv[1]
p = json.load(open(d + "/prof.json"))
assert p["sites"], "the profile has sites"
json.dump(dict(p, sites=[]), open(d + "/none.json", "w"))
zero = [dict(s, values=0, histogram=[0] * len(s["histogram"])) for s in p["sites"]]
json.dump(dict(p, sites=zero), open(d + "/zero.json", "w"))
PY
    check "the empty profiles are written" $?
    for f in none zero; do
        "$axon" run "$tiny" --chip "$chip" --tokens 2 --mode counting --profile "$out/$f.json" \
            --quiet 2>"$out/stderr.txt"
        check "a counting run with the $f profile still runs" $?
        grep -Eq "$f.json: warning: the profile has no (sites|site with counts).*matches none of the model's spiking projections, so the built-in distribution is used" "$out/stderr.txt"
        check "the $f profile draws a warning naming it" $?
    done
    "$axon" run "$tiny" --chip "$chip" --tokens 2 --mode counting --profile "$out/prof.json" \
        --quiet 2>"$out/stderr.txt"
    ! grep -q "matches none\|no entry in the profile" "$out/stderr.txt"
    check "the measured profile draws no such warning" $?
    # a profile of another model: counts, but under names none of the tiny's inputs have
    python3 - "$out" <<'PY'
import json, sys
d = sys.argv[1]
p = json.load(open(d + "/prof.json"))
other = [dict(s, name="encoder.block.%d.dense" % i) for i, s in enumerate(p["sites"])]
json.dump(dict(p, sites=other), open(d + "/other.json", "w"))
PY
    "$axon" run "$tiny" --chip "$chip" --tokens 2 --mode counting --profile "$out/other.json" \
        --quiet 2>"$out/stderr.txt"
    check "a counting run with another model's profile still runs" $?
    grep -Eq "other.json: warning: ([0-9]+) of the program's \1 spiking inputs have no entry in the profile .*matches none of them" "$out/stderr.txt"
    check "another model's profile draws a warning naming it" $?
}

d16_expert_tensors_bounded() {
    # a config at the reader's limits, 1024 layers of 1024 experts, and a
    # checkpoint of two tensors: the check listed and looked up every
    # expert's tensors, three million names (2.8 s and 425 MB), whatever the
    # checkpoint held; it now costs what the layers and the tensors present
    # cost
    mkdir -p "$out/moe"
    python3 - "$out/moe" <<'PY'
import json, struct, sys
d = sys.argv[1]
json.dump({"model_type": "hybrid", "hidden_size": 256, "num_hidden_layers": 1024,
           "num_attention_heads": 2, "num_key_value_heads": 1, "intermediate_size": 256,
           "vocab_size": 256, "num_local_experts": 1024, "num_experts_per_topk": 1,
           "full_attn_layers": [], "dense_mlp_layers": [], "tokenizer": "bytes"},
          open(d + "/config.json", "w"))
tensors = {"model.norm.weight": [256],
           "model.layers.0.block_sparse_moe.experts.0.gate_proj.weight": [256, 256]}
header, at = {}, 0
for name, shape in tensors.items():
    n = 2 * shape[0] * (shape[1] if len(shape) > 1 else 1)
    header[name] = {"dtype": "BF16", "shape": shape, "data_offsets": [at, at + n]}
    at += n
h = json.dumps(header).encode()
h += b" " * (-len(h) % 8)
open(d + "/model.safetensors", "wb").write(struct.pack("<Q", len(h)) + h + bytes(at))
PY
    check "the 1024 x 1024 model is written" $?
    expect_refused "1024 layers of 1024 experts, expert 1 missing" \
        "moe/model.safetensors: error: missing tensor 'model.layers.0.block_sparse_moe.experts.1.gate_proj.weight' \(expected shape \[256, 256\]\)" \
        bounded 1000000 20 "$axon" inspect "$out/moe"
    grep -q "missing tensor 'model.layers.0.block_sparse_moe.experts.<e>.gate_proj.weight' for 1022 more of the 1024 experts; the checkpoint must hold it for every expert num_local_experts declares" \
        "$out/stderr.txt"
    check "the other 1022 experts are counted in one line" $?
    grep -q "missing tensor 'model.layers.0.block_sparse_moe.experts.0.up_proj.weight' (expected shape \[256, 256\])" \
        "$out/stderr.txt"
    check "a tensor no expert has is named for expert 0" $?
    rm "$out/moe/model.safetensors"
    bounded 1000000 20 "$axon" inspect "$out/moe" >"$out/stdout.txt" 2>"$out/stderr.txt" &&
        grep -q "1024 experts, top-1" "$out/stdout.txt"
    check "without a checkpoint the config is summarized" $?
}

"$case"
finish
