#!/bin/sh
# Installs the Debian packages axon needs, and only those that are missing.
# Non-interactive; quick when everything is already there. Run as root (or
# with sudo available).
set -eu

# Build: compiler, CMake, pkg-config; libraries: libyaml (chip descriptions),
# jansson (config.json, safetensors headers, JSON reports), LLVM 19 (the
# reference's code generation and JIT).
# Python with PyTorch from Debian (/usr/bin/python3): trains the small model
# and checks the checkpoint converters in the tests; OpenBLAS, because
# Debian's torch otherwise runs on the reference BLAS, about 30 times slower.
# fortunes: the training corpus of the small model.
# python3-yaml: a test reads chip files by key name, independently of the loader.
# chromium: the tests render the HTML report headless and check its charts.
# python3-brian: the benchmark runs the same spiking layer in Brian2.
# libsystemc-dev: the second simulation engine (SystemC/TLM-2.0).
# clang and libclang-rt-14-dev: the fuzz build (tests/fuzz/). libFuzzer is in
# libclang-rt-14-dev, only a recommendation of clang 14 (Debian 12's clang),
# and recommendations are not installed here, so it is named.
PACKAGES="build-essential cmake pkg-config libyaml-dev libjansson-dev llvm-19-dev
python3 python3-numpy python3-yaml python3-torch libopenblas0-openmp fortunes chromium python3-brian
libsystemc-dev clang libclang-rt-14-dev"

missing=""
for p in $PACKAGES; do
    if ! dpkg -s "$p" >/dev/null 2>&1; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "setup: all packages present"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
echo "setup: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
