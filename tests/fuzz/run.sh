#!/bin/sh
# Runs one libFuzzer target for a while on a copy of its seed corpus.
# usage: run.sh TARGET CORPUS WORK SECONDS [LIBFUZZER OPTIONS...]
# WORK is emptied and receives the copy (WORK/corpus, which the run grows)
# and any crashing input (WORK/crashes/); the committed CORPUS is only read.
# Standard input is /dev/null: a path in an input (an assembler `.file from=`)
# can then never make the target wait for a terminal. The seed is fixed
# (AX_FUZZ_SEED, default 1), so that a test run mutates the same way each
# time and a failure in CI can be replayed; long runs may set another.
set -eu
target=$1
corpus=$2
work=$3
seconds=$4
shift 4
rm -rf "$work"
mkdir -p "$work/corpus" "$work/crashes"
cp "$corpus"/* "$work/corpus/"
cd "$work"
exec "$target" -seed="${AX_FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix=crashes/ "$@" corpus </dev/null
