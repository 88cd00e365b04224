#!/bin/sh
# The GPU runtime of the reference, on a machine without a GPU:
#   - no driver: `axon ref --device gpu` and the runner fail with exit 1 and
#     one clear line; `--device auto` takes the CPU and says why;
#   - a fake driver (fake_cuda.c) with no device: the driver's own error,
#     by name, from both;
#   - GPU bundles: written by `axon ref --export-gpu`, read back by the
#     runner (`--print` gives bundle.txt again, `--check` its files), with
#     the PTX of `axon compile --emit ptx` and the CPU's logits of `--dump`;
#   - a fake driver with a device: every call the runner and `axon ref
#     --device gpu` make is recorded and held to the bundle's plan (the PTX
#     loaded, each buffer allocated and uploaded with its size and contents,
#     the argument table, one launch per phase per token with its kernel,
#     grid, arguments, token and position, the read-backs, every allocation
#     freed); injected driver failures end cleanly with the driver's error.
# usage: gpu_test.sh AXON RUNNER MODEL_DIR FAKE_DIR OUT_DIR
#        gpu_test.sh --ptxas AXON MODEL_DIR OUT_DIR PTXAS   (the bundle's PTX
#        through ptxas -arch=sm_90; exit 77 without a CUDA toolkit)
set -u
. "$(dirname "$0")/../check.sh"
py=/usr/bin/python3

if [ "$1" = "--ptxas" ]; then
    axon=$2
    model=$3
    out=$4
    ptxas=${5:-}
    if [ -z "$ptxas" ]; then
        echo "skip: this build has no CUDA toolkit (AX_HAVE_CUDA is off), so ptxas cannot check the bundle's PTX"
        exit 77
    fi
    rm -rf "$out"
    mkdir -p "$out"
    for prec in w8spike fp32; do
        "$axon" ref "$model" --prompt "ptxas" --precision "$prec" --export-gpu "$out/$prec" \
            >/dev/null 2>"$out/$prec.err"
        check "export-gpu ($prec) exits 0" $?
        "$ptxas" -arch=sm_90 "$out/$prec/module.ptx" -o "$out/$prec.cubin"
        check "ptxas -arch=sm_90 accepts the $prec bundle's module.ptx" $?
    done
    finish
    exit
fi

axon=$1
runner=$2
model=$3
fake=$4
out=$5
rm -rf "$out"
mkdir -p "$out/nodriver"
prompt="$out/prompt.txt"
printf 'To be, or not to be, that is the question.\n' >"$prompt"

# ---- no driver ----------------------------------------------------------------------
# LD_LIBRARY_PATH names an empty folder; a driver installed on this machine
# would still be found, and then these checks cannot run.
if LD_LIBRARY_PATH="$out/nodriver" $py -c 'import ctypes; ctypes.CDLL("libcuda.so.1")' 2>/dev/null; then
    echo "skip: this machine has an NVIDIA driver (libcuda.so.1), so the no-driver checks cannot run"
else
    LD_LIBRARY_PATH="$out/nodriver" "$axon" ref "$model" --prompt x --device gpu >"$out/o" 2>"$out/e"
    rc=$?
    [ $rc -eq 1 ] && [ ! -s "$out/o" ] && [ "$(wc -l <"$out/e")" -eq 1 ] &&
        grep -q "^axon ref: --device gpu: libcuda.so.1 could not be loaded (no NVIDIA driver on this machine).*; use --device cpu$" "$out/e"
    check "ref --device gpu without a driver: exit 1 and one clear line" $?
    LD_LIBRARY_PATH="$out/nodriver" "$axon" ref "$model" --prompt x --json >"$out/auto.json" 2>"$out/e"
    check "ref --device auto without a driver exits 0" $?
    [ ! -s "$out/e" ] && $py -c '
import json, sys
o = json.load(open(sys.argv[1]))
assert o["device"] == "cpu", o["device"]
assert o["device_note"].startswith("auto: no usable GPU: libcuda.so.1 could not be loaded"), o["device_note"]
' "$out/auto.json"
    check "ref --device auto without a driver: cpu, and why, in --json (nothing on stderr)" $?
    LD_LIBRARY_PATH="$out/nodriver" "$axon" ref "$model" --prompt xy >"$out/o" 2>/dev/null
    grep -q "^device     cpu (auto: no usable GPU: libcuda.so.1 could not be loaded" "$out/o"
    check "ref --device auto without a driver says cpu in the text" $?
    LD_LIBRARY_PATH="$out/nodriver" "$axon" ref "$model" --prompt xy --device cpu >"$out/o" 2>/dev/null
    grep -q "^device     cpu$" "$out/o"
    check "ref --device cpu says cpu" $?
fi

# ---- GPU bundles ----------------------------------------------------------------------
for prec in w8spike fp32; do
    "$axon" ref "$model" --prompt-file "$prompt" --precision "$prec" --export-gpu "$out/$prec" \
        --json >"$out/$prec.json" 2>"$out/e"
    check "ref --export-gpu ($prec) exits 0" $?
    for f in bundle.txt module.ptx weights.bin reference.bin; do
        [ -s "$out/$prec/$f" ] || echo "missing: $out/$prec/$f"
    done
    "$runner" --print "$out/$prec" >"$out/$prec.print" 2>"$out/e" && cmp -s "$out/$prec.print" "$out/$prec/bundle.txt"
    check "runner --print gives $prec's bundle.txt back as written" $?
    "$runner" --check "$out/$prec" >"$out/o" 2>"$out/e"
    check "runner --check accepts the $prec bundle and its files" $?
    if [ "$prec" = fp32 ]; then
        "$axon" compile "$model" --emit ptx --precision fp32 >"$out/$prec.ptx" 2>/dev/null
    else
        "$axon" compile "$model" --emit ptx >"$out/$prec.ptx" 2>/dev/null
    fi
    cmp -s "$out/$prec.ptx" "$out/$prec/module.ptx"
    check "the $prec bundle's module.ptx is axon compile --emit ptx's" $?
done
"$axon" ref "$model" --prompt-file "$prompt" --device cpu --dump "$out/dump" >/dev/null 2>&1
$py - "$out/w8spike" "$out/dump" <<'PY'
import json, os, struct, sys
bdir, ddir = sys.argv[1:3]
lines = open(os.path.join(bdir, "bundle.txt")).read().splitlines()
assert lines[0] == "axon-gpu-bundle 1" and lines[-1] == "end"
assert lines[2] == "options precision=w8spike spike=released encoding=bitwise k=3 steps=adaptive", lines[2]
checks = [l.split(" ", 6) for l in lines if l.startswith("check ")]
tokens = [int(l.split()[2]) for l in lines if l.startswith("token ")]
man = json.load(open(os.path.join(ddir, "manifest.json")))
assert man["tokens"] == tokens, (man["tokens"], tokens)
per_token = sum(4 * int(c[4]) for c in checks)
ref = open(os.path.join(bdir, "reference.bin"), "rb").read()
assert len(ref) == per_token * len(tokens)
def dump(name):
    return open(os.path.join(ddir, name), "rb").read()
logits, vocab = dump("logits"), int(checks[0][4])
assert checks[0][2:4] == ["logits", "f32"]
for t in range(len(tokens)):
    off = t * per_token
    for c in checks:
        n = 4 * int(c[4])
        got = ref[off:off + n]
        if c[2] == "logits":
            assert got == logits[t * n:(t + 1) * n], ("logits", t)
        elif c[2] == "counts" or c[2] == "vth":
            want = dump(c[6] + "." + c[2])
            assert got == want[t * n:(t + 1) * n], (c, t)
        off += n
PY
check "the bundle's reference is the CPU's logits, counts and thresholds (as --dump writes them)" $?
grep -q '^check [0-9]* counts i32' "$out/w8spike/bundle.txt" &&
    ! grep -q '^check [0-9]* counts' "$out/fp32/bundle.txt"
check "w8spike bundles check counts; fp32 bundles only logits" $?
"$axon" ref "$model" --prompt x --device gpu --export-gpu "$out/x" >/dev/null 2>"$out/e"
[ $? -eq 2 ] && grep -q "export-gpu records the CPU" "$out/e"
check "ref --export-gpu with --device gpu is a usage error" $?
printf 'axon-gpu-bundle 1\nmodel m\noptions precision=fp32\nptx module.ptx 1\nweights weights.bin 0\nreference reference.bin 0\nbuffers 1\nbuffer 0 act f32 4 15 - -\n' \
    >"$out/bad.txt"
mkdir -p "$out/bad" && cp "$out/bad.txt" "$out/bad/bundle.txt"
"$runner" --check "$out/bad" >/dev/null 2>"$out/e"
[ $? -eq 1 ] && grep -q "bundle.txt:8: a buffer's kind, element type or size" "$out/e"
check "the runner rejects a malformed bundle with file:line and what is wrong" $?

# ---- a fake driver with no device -----------------------------------------------------------
nodev="cuDeviceGet: CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected"
LD_LIBRARY_PATH="$fake" FAKE_CUDA_MODE=nodevice "$axon" ref "$model" --prompt x --device gpu \
    >"$out/o" 2>"$out/e"
[ $? -eq 1 ] && [ ! -s "$out/o" ] && grep -q "^axon ref: --device gpu: $nodev; use --device cpu$" "$out/e"
check "ref --device gpu, a driver and no device: the driver's error by name" $?
LD_LIBRARY_PATH="$fake" FAKE_CUDA_MODE=nodevice "$runner" "$out/w8spike" >"$out/o" 2>"$out/e"
[ $? -eq 1 ] && grep -q "^axon-gpu-runner: $nodev$" "$out/e"
check "runner, a driver and no device: the driver's error by name" $?
LD_LIBRARY_PATH="$fake" FAKE_CUDA_MODE=nodevice "$axon" ref "$model" --prompt x --json >"$out/o" 2>/dev/null
$py -c 'import json,sys; o=json.load(open(sys.argv[1])); assert o["device"]=="cpu" and sys.argv[2] in o["device_note"], o' \
    "$out/o" "$nodev"
check "ref --device auto, a driver and no device: cpu, with the driver's error" $?

# ---- a fake driver with a device: the host side, call by call ---------------------------------
# logcheck BUNDLE LOG MODE [DUMP]: MODE runner (reads the checks back) or
# session (reads back every counts and thresholds buffer and the logits; with
# DUMP also the probes' buffers)
logcheck() {
    $py - "$@" <<'PY'
import os, sys
bdir, log, mode = sys.argv[1:4]
is_dump = len(sys.argv) > 4
L = open(os.path.join(bdir, "bundle.txt")).read().splitlines()
def rows(key):
    return [l.split(" ") for l in L if l.startswith(key + " ")]
bufs = rows("buffer")
args = [int(r[2]) for r in rows("arg")]
kernels = [r[2] for r in rows("kernel")]
phases = [list(map(int, r[1:])) for r in rows("phase")]
checks = [r for r in rows("check")]
tokens = [int(r[2]) for r in rows("token")]
weights = open(os.path.join(bdir, "weights.bin"), "rb").read()
lines = [l.split() for l in open(log).read().splitlines()]
def fnv(b):
    h = 0xcbf29ce484222325
    for x in b:
        h = ((h ^ x) * 0x100000001b3) & 0xffffffffffffffff
    return "%016x" % h
zero_hash = {}
n = len(bufs)
allocs = [l for l in lines if l[0] == "alloc"]
assert [int(a[1]) for a in allocs] == list(range(n + 1)), "one allocation per buffer, then the table"
for i, b in enumerate(bufs):
    assert int(allocs[i][2]) == int(b[5]), ("buffer size", i)
assert int(allocs[n][2]) == 8 * len(args), "the table: one pointer per argument"
up = {}
for l in lines:
    if l[0] == "htod":
        up.setdefault(int(l[1]), []).append(l)
for i, b in enumerate(bufs):
    (h,) = up[i][:1]
    size = int(b[5])
    assert int(h[2]) == 0 and int(h[3]) == size, ("upload size", i)
    if b[6] == "-":
        if size not in zero_hash:
            zero_hash[size] = fnv(bytes(size))
        want = zero_hash[size]
    else:
        off = int(b[6])
        want = fnv(weights[off:off + size])
    assert h[4] == want, ("upload contents", i, b)
table = up[n][0]
assert table[5] == "ptrs" and list(map(int, table[6:])) == args, "the argument table"
launches = [l for l in lines if l[0] == "launch"]
assert len(launches) == len(tokens) * len(phases), (len(launches), len(tokens), len(phases))
k = 0
for t, tok in enumerate(tokens):
    for ph in phases:
        i, kern, arg0, n_args, n_items, grid, block = ph
        l = launches[k]
        k += 1
        want = ["launch", kernels[kern], "grid", str(grid), "1", "1", "block", str(block), "1", "1",
                "args", "%d+%d" % (n, 8 * arg0), "token", str(tok), "pos", str(t)]
        assert l == want, (l, want)
        assert grid * block >= n_items > grid * block - block, ("grid", ph)
# after each token's launches: a wait, then the read-backs
events = [l for l in lines if l[0] in ("launch", "sync", "dtoh")]
per = []
cur = None
for l in events:
    if l[0] == "launch":
        cur = None
    elif l[0] == "sync":
        cur = []
        per.append(cur)
    else:
        assert cur is not None, "a read-back before the wait"
        cur.append((int(l[1]), int(l[2]), int(l[3])))
assert len(per) == len(tokens), (len(per), len(tokens))
if mode == "runner":
    want = [(int(c[5]), 0, 4 * int(c[4])) for c in checks]
else:
    want = [(int(c[5]), 0, int(bufs[int(c[5])][5])) for c in checks]
for t, got in enumerate(per):
    if is_dump:
        assert got[:len(want)] == want and len(got) > len(want), ("dump read-backs", t)
    else:
        assert got == want, ("read-backs", t, got[:4], want[:4])
freed = sorted(int(l[1]) for l in lines if l[0] == "free")
assert freed == list(range(n + 1)), "every allocation freed"
assert not [l for l in lines if l[0] == "leak"]
assert lines[-2:] == [["unload"], ["destroy"]], lines[-2:]
PY
}
run_fake() { # run_fake LOG PTX COMMAND...: with the fake device, recorded
    flog=$1
    fptx=$2
    shift 2
    rm -f "$flog" "$fptx"
    LD_LIBRARY_PATH="$fake" FAKE_CUDA_MODE=ok FAKE_CUDA_LOG="$flog" FAKE_CUDA_PTX="$fptx" "$@"
}
for prec in w8spike fp32; do
    run_fake "$out/runner-$prec.log" "$out/runner-$prec.ptx" "$runner" "$out/$prec" >"$out/o" 2>"$out/e"
    rc=$?
    # nothing runs on the fake device: outputs stay zero, so the comparison fails
    [ $rc -eq 3 ] && grep -q "^device     Fake GPU (sm_90, CUDA driver 13.0)$" "$out/o" &&
        grep -q "^result     FAIL" "$out/o"
    check "runner on the fake device ($prec) runs every token and reports the difference" $?
    cmp -s "$out/runner-$prec.ptx" "$out/$prec/module.ptx"
    check "runner ($prec) loads the bundle's PTX, byte for byte" $?
    logcheck "$out/$prec" "$out/runner-$prec.log" runner
    check "runner ($prec): buffers, uploads, table, launches, read-backs and frees follow the plan" $?
    popt=""
    [ "$prec" = fp32 ] && popt="--precision fp32"
    # shellcheck disable=SC2086
    run_fake "$out/ref-$prec.log" "$out/ref-$prec.ptx" "$axon" ref "$model" --prompt-file "$prompt" \
        --device gpu --json $popt >"$out/ref-$prec.json" 2>"$out/e"
    check "ref --device gpu ($prec) on the fake device exits 0" $?
    $py -c '
import json, sys
o = json.load(open(sys.argv[1]))
assert o["device"] == "gpu" and o["device_note"] == "Fake GPU (sm_90, CUDA driver 13.0)", o
assert o["n_tokens"] == 43 and abs(o["bits_per_byte"] - 8.0) < 1e-9, o  # zero logits: uniform
' "$out/ref-$prec.json"
    check "ref --device gpu ($prec) reports the device in --json" $?
    cmp -s "$out/ref-$prec.ptx" "$out/$prec/module.ptx"
    check "ref --device gpu ($prec) loads axon compile --emit ptx's module" $?
    logcheck "$out/$prec" "$out/ref-$prec.log" session
    check "ref --device gpu ($prec): buffers, uploads, table, launches, read-backs and frees follow the plan" $?
done
run_fake "$out/auto.log" "$out/auto.ptx" "$axon" ref "$model" --prompt xy --json >"$out/o" 2>"$out/e"
$py -c 'import json,sys; o=json.load(open(sys.argv[1])); assert o["device"]=="gpu", o' "$out/o"
check "ref --device auto takes the (fake) GPU when it has a device" $?
run_fake "$out/dump.log" "$out/dump.ptx" "$axon" ref "$model" --prompt-file "$prompt" --device gpu \
    --dump "$out/gpu-dump" >/dev/null 2>"$out/e"
check "ref --device gpu --dump exits 0" $?
logcheck "$out/w8spike" "$out/dump.log" session dump && [ -s "$out/gpu-dump/manifest.json" ]
check "ref --device gpu --dump also reads the probes' buffers back" $?

# ---- injected driver failures: one clean error, nothing left allocated -----------------------
fail_case() { # fail_case CALL EXPECTED_TEXT: ref --device gpu and (unless "-") the runner
    call=$1
    text=$2
    rm -f "$out/f.log"
    LD_LIBRARY_PATH="$fake" FAKE_CUDA_MODE=ok FAKE_CUDA_FAIL=$call FAKE_CUDA_LOG="$out/f.log" \
        "$axon" ref "$model" --prompt xy --device gpu >"$out/o" 2>"$out/e"
    rc=$?
    [ $rc -eq 1 ] && [ ! -s "$out/o" ] && grep -qF "$text" "$out/e" && ! grep -q "^leak" "$out/f.log"
    check "ref --device gpu, $call fails: exit 1 with '$text', nothing leaked" $?
    rm -f "$out/f.log"
    LD_LIBRARY_PATH="$fake" FAKE_CUDA_MODE=ok FAKE_CUDA_FAIL=$call FAKE_CUDA_LOG="$out/f.log" \
        "$runner" "$out/w8spike" >"$out/o" 2>"$out/e"
    rc=$?
    [ $rc -eq 1 ] && grep -qF "$text" "$out/e" && ! grep -q "^leak" "$out/f.log"
    check "runner, $call fails: exit 1 with '$text', nothing leaked" $?
}
fail_case cuCtxCreate_v2 "cuCtxCreate: CUDA_ERROR_OUT_OF_MEMORY (2): out of memory"
fail_case cuModuleLoadDataEx "CUDA_ERROR_INVALID_PTX (218): a PTX JIT compilation failed"
fail_case cuMemAlloc_v2 "cuMemAlloc (buffer 0, 1024 bytes): CUDA_ERROR_OUT_OF_MEMORY (2): out of memory"
fail_case cuLaunchKernel "cuLaunchKernel (k0_embed): CUDA_ERROR_LAUNCH_FAILED (719): unspecified launch failure"
fail_case cuCtxSynchronize "cuCtxSynchronize (the kernels of position 0): CUDA_ERROR_LAUNCH_FAILED (719)"
fail_case cuMemcpyDtoH_v2 "cuMemcpyDtoH"
LD_LIBRARY_PATH="$fake" FAKE_CUDA_MODE=ok FAKE_CUDA_FAIL=cuModuleLoadDataEx "$axon" ref "$model" \
    --prompt xy --device gpu >/dev/null 2>"$out/e"
grep -q "the driver's assembler said: ptxas fatal   : fake failure" "$out/e"
check "a module that does not load: the driver's assembler log is shown" $?
LD_LIBRARY_PATH="$fake" FAKE_CUDA_MODE=ok FAKE_CUDA_FAIL=cuModuleLoadDataEx "$axon" ref "$model" \
    --prompt xy --json >"$out/o" 2>"$out/e"
$py -c 'import json,sys; o=json.load(open(sys.argv[1])); assert o["device"]=="cpu" and "cuModuleLoadDataEx" in o["device_note"], o' "$out/o"
check "ref --device auto falls back to the CPU when the GPU cannot load the module" $?

finish
