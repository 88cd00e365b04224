#!/bin/sh
# Installs what is missing, builds twice (warnings as errors; then address and
# undefined-behaviour sanitizers) and runs every test on both builds; then
# builds the fuzz targets with clang (tests/fuzz/: libFuzzer, address and
# undefined-behaviour sanitizers) and runs each for a few seconds on its seed
# corpus (without clang those tests show as skipped); with
# AX_MUTANTS=1, then checks that the tests kill every mutant of
# tests/mutants.txt (scripts/mutants.sh, a few minutes). Exits non-zero on
# any failure.
set -eu
cd "$(dirname "$0")/.."
./scripts/setup.sh

mkdir -p build build-san
echo "== build (warnings as errors)"
./scripts/build.sh build -DAX_WERROR=ON
echo "== build with address and undefined-behaviour sanitizers"
./scripts/build.sh build-san -DAX_WERROR=ON -DAX_SANITIZE_ADDRESS=ON -DAX_SANITIZE_UNDEFINED=ON \
    -DCMAKE_BUILD_TYPE=Debug
echo "== fuzz build (clang, libFuzzer with address and undefined-behaviour sanitizers)"
fuzz_cc=""
if command -v clang >/dev/null 2>&1; then
    fuzz_cc="-DCMAKE_C_COMPILER=clang"
fi
./scripts/build.sh build-fuzz -DAX_WERROR=ON -DAX_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug \
    -DAX_FUZZ_SECONDS="${AX_FUZZ_SECONDS:-5}" $fuzz_cc

status=0
echo "== tests"
(cd build && ctest --output-on-failure -j "$(nproc)") || status=1
echo "== tests under sanitizers"
(cd build-san && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --output-on-failure -j "$(nproc)") || status=1
echo "== fuzz targets (tests/fuzz: each on a copy of its seed corpus)"
(cd build-fuzz && ctest --output-on-failure -j "$(nproc)") || status=1
if [ "${AX_MUTANTS:-0}" = 1 ]; then
    echo "== mutants (tests/mutants.txt: each must make a test fail)"
    ./scripts/mutants.sh || status=1
fi
if [ $status -ne 0 ]; then
    echo "test.sh: FAILED"
else
    echo "test.sh: all tests passed on both builds and the fuzz build"
fi
exit $status
