#!/bin/sh
# The pinned reference reports: the cycles, seconds, every ledger count and
# the total energy of two runs, kept in tests/golden/reference/ so that any
# change to a figure shows in a diff and is explained in its commit. Both
# are timed from the compiled program's instructions (sim/timed.c).
#
#   small: spikingbrain-tiny on loihi2-like over the first 48 bytes of
#          tests/data/heldout.txt (functional mode)
#   7b:    SpikingBrain-7B on loihi2-like, one token after 4096 of context
#          (counting mode, seed 1), its float32 matrices stored as int8
#          (--float-weights int8, the default for a shape-only model: 331
#          chips instead of 1171)
#
# usage: scripts/golden.sh [--check] [AXON]
#   without --check: regenerates the files (review the diff before committing)
#   --check:         compares a fresh run with the files; exit 1 on a difference
# AXON defaults to build/axon.
set -eu
cd "$(dirname "$0")/.."

check=0
if [ "${1:-}" = "--check" ]; then
    check=1
    shift
fi
case "${1:-}" in
-h|--help)
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
    exit 0 ;;
esac
axon=${1:-build/axon}
[ -x "$axon" ] || { echo "golden.sh: $axon is not an executable (build first, or name it)" >&2; exit 2; }
ref=tests/golden/reference
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Writes the figures of the JSON report $1 as text: one `key value` a line,
# numbers with 12 significant digits.
figures() {
    /usr/bin/python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("cycles %d" % r["latency"]["cycles"])
print("seconds %.12g" % r["latency"]["seconds"])
for cat, c in r["energy"]["ledger"].items():
    for line in c["items"]:
        print("count %s.%s %.12g" % (cat, line["name"], line["count"]))
print("energy_j %.12g" % r["energy"]["total_j"])
PY
}

# run NAME DESCRIPTION ARGS...: one reference run into $tmp/NAME.txt
run() {
    name=$1 what=$2
    shift 2
    "$axon" run "$@" --report "$tmp/$name.json" --quiet >/dev/null
    {
        echo "# $what"
        echo "# regenerate with scripts/golden.sh; every change is explained in its commit"
        figures "$tmp/$name.json"
    } >"$tmp/$name.txt"
}

head -c 48 tests/data/heldout.txt >"$tmp/prompt.txt"
run small "spikingbrain-tiny on loihi2-like, the first 48 bytes of tests/data/heldout.txt, functional" \
    models/nets/spikingbrain-tiny --chip models/chips/loihi2-like.yaml --prompt-file "$tmp/prompt.txt"
run 7b "SpikingBrain-7B on loihi2-like, one token after 4096, counting, seed 1, float32 matrices as int8" \
    models/nets/spikingbrain-7b --chip models/chips/loihi2-like.yaml --tokens 1 --context 4096 \
    --mode counting --seed 1 --float-weights int8

status=0
for name in small 7b; do
    if [ $check -eq 1 ]; then
        if diff -u "$ref/$name.txt" "$tmp/$name.txt"; then
            echo "golden: $name matches $ref/$name.txt"
        else
            echo "golden: $name differs from $ref/$name.txt (if the change is intended, run scripts/golden.sh and explain it in the commit)"
            status=1
        fi
    else
        mkdir -p "$ref"
        cp "$tmp/$name.txt" "$ref/$name.txt.tmp.$$"
        mv "$ref/$name.txt.tmp.$$" "$ref/$name.txt"
        echo "golden: wrote $ref/$name.txt"
    fi
done
exit $status
