#!/bin/sh
# `axon compile --emit ptx` prints one module that ptxas accepts for sm_90:
# the test model in both precisions and the shape-only 7B. Skips (exit 77,
# with a message) only when the build found no CUDA toolkit.
# usage: ptx_test.sh AXON MODEL_DIR SOURCE_DIR OUT_DIR PTXAS
set -u
axon=$1
model=$2
src=$3
out=$4
ptxas=${5:-}
if [ -z "$ptxas" ]; then
    echo "skip: this build has no CUDA toolkit (AX_HAVE_CUDA is off), so ptxas cannot check the PTX"
    exit 77
fi
rm -rf "$out"
mkdir -p "$out"
. "$(dirname "$0")/../check.sh"
run() { # run NAME MODEL [OPTIONS...]
    name=$1
    shift
    "$axon" compile "$@" --emit ptx >"$out/$name.ptx" 2>"$out/$name.err"
    check "compile --emit ptx ($name) exits 0" $?
    grep -q "^.target sm_90" "$out/$name.ptx" && grep -q "^.visible .entry k0_embed" "$out/$name.ptx"
    check "$name: one module of sm_90 kernels" $?
    ! grep -q "fma\.rn\.f64" "$out/$name.ptx"
    check "$name: no fused multiply-adds" $?
    "$ptxas" -arch=sm_90 "$out/$name.ptx" -o "$out/$name.cubin"
    check "ptxas -arch=sm_90 accepts $name" $?
}
run w8spike "$model"
run fp32 "$model" --precision fp32
run 7b "$src/models/nets/spikingbrain-7b"
finish
