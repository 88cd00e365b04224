#!/bin/sh
# Configures and builds one tree. usage: scripts/build.sh DIR [CMAKE OPTIONS...]
set -eu
cd "$(dirname "$0")/.."
dir=$1
shift
cmake -S . -B "$dir" "$@" >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log"; exit 1; }
grep -E "axon|LLVM|SystemC|CUDA|left out|skipped" "$dir.configure.log" | sed 's/^-- /build: /'
cmake --build "$dir" -j "$(nproc)"
