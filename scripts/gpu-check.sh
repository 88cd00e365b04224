#!/bin/sh
# The GPU check of the reference (docs/reference.md, "GPU bundles"): the
# small model on an NVIDIA GPU against the CPU, and the largest difference.
#
# A GPU machine may lack LLVM, the project's libraries and a network, so
# the check comes in two steps:
#   1. here (the build machine):   scripts/gpu-check.sh --prepare OUT
#      builds axon if needed, runs the small model on held-out text on the
#      CPU in both precisions and writes OUT/w8spike and OUT/fp32 (GPU
#      bundles: the PTX, plan, weights, tokens and the CPU's results),
#      OUT/gpu_runner.c and OUT/run.sh; it also checks that the runner builds
#      with the plain command below and reads both bundles;
#   2. there (any machine with the NVIDIA driver and a C compiler), with
#      only OUT copied over:          sh OUT/run.sh
#      builds the runner (cc -O2 -o axon-gpu-runner gpu_runner.c -ldl), runs
#      both bundles on the GPU and prints, per precision, the largest
#      absolute and relative logits difference, whether the spike counts
#      agree and PASS or FAIL; exits 0 when both pass.
# On a GPU machine that has the whole tree and can build it, one command
# does both:                          scripts/gpu-check.sh [--build DIR]
# which also runs `axon ref --device gpu` beside the CPU.
#
# usage: scripts/gpu-check.sh [--prepare OUT] [--build DIR] [--bytes N]
#   --build DIR  the build folder with axon (default build; built if missing)
#   --bytes N    the prompt's length, from tests/data/heldout.txt (default 128)
set -eu
cd "$(dirname "$0")/.."
out=""
build=build
bytes=128
while [ $# -gt 0 ]; do
    case $1 in
    --prepare) out=${2:?--prepare needs a folder}; shift 2 ;;
    --build) build=${2:?--build needs a folder}; shift 2 ;;
    --bytes) bytes=${2:?--bytes needs a number}; shift 2 ;;
    -h | --help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "gpu-check: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
is_here=0
if [ -z "$out" ]; then
    is_here=1
    out=$build/gpu-check
fi
model=models/nets/spikingbrain-tiny
[ -f "$model/model.safetensors" ] || { echo "gpu-check: no $model/model.safetensors" >&2; exit 1; }

# ---- step 1: bundles and the runner's source ---------------------------------------
if [ ! -x "$build/axon" ]; then
    echo "== building axon in $build"
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >"$build.configure.log" 2>&1 ||
        { cat "$build.configure.log"; exit 1; }
    cmake --build "$build" --target axon -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
fi
axon=$build/axon
mkdir -p "$out"
head -c "$bytes" tests/data/heldout.txt >"$out/prompt.txt"
for prec in w8spike fp32; do
    echo "== the CPU reference ($prec), recorded in $out/$prec"
    rm -rf "${out:?}/$prec"
    "$axon" ref "$model" --prompt-file "$out/prompt.txt" --precision "$prec" --device cpu \
        --export-gpu "$out/$prec" | grep -E "^(precision|tokens|bits/byte)"
done
cp tools/gpu_runner.c "$out/gpu_runner.c"
cat >"$out/run.sh" <<'EOF'
#!/bin/sh
# The axon GPU check: builds the standalone runner (the C library, dlopen
# and the NVIDIA driver are all it needs), runs the small model's bundles on
# the GPU and compares every token with the CPU results recorded in them.
# usage: sh run.sh   (exit 0: both precisions agree within tolerance)
set -u
cd "$(dirname "$0")"
${CC:-cc} -O2 -o axon-gpu-runner gpu_runner.c -ldl || exit 1
status=0
for prec in w8spike fp32; do
    echo "== $prec"
    ./axon-gpu-runner "$prec" || status=1
done
if [ $status -eq 0 ]; then
    echo "gpu-check: the GPU agrees with the CPU in both precisions"
else
    echo "gpu-check: FAILED (see above)"
fi
exit $status
EOF
chmod +x "$out/run.sh"
# the runner builds with the plain command and reads both bundles here too
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${CC:-cc} -O2 -o "$tmp/axon-gpu-runner" "$out/gpu_runner.c" -ldl
for prec in w8spike fp32; do
    "$tmp/axon-gpu-runner" --check "$out/$prec" >/dev/null
done
echo "== prepared $out ($(du -sh "$out" | cut -f1)): copy it to a machine with an NVIDIA GPU and run: sh $out/run.sh"
[ $is_here -eq 1 ] || exit 0

# ---- step 2, here ---------------------------------------------------------------------
echo
status=0
sh "$out/run.sh" || status=$?
echo
echo "== axon ref on the GPU and on the CPU (bits per byte over the same prompt)"
for dev in gpu cpu; do
    printf '%s: ' "$dev"
    "$axon" ref "$model" --prompt-file "$out/prompt.txt" --device "$dev" | grep "^bits/byte" ||
        status=1
done
exit $status
