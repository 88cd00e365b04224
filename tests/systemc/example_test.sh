#!/bin/sh
# The example platform (docs/systemc-example.cpp): an axon::Chip in a
# SystemC sc_main, running a compiled program (no model) and fed token ids
# through its TLM-2.0 target socket. Its per-token figures must add up to
# what `axon sim` reports for the same program and tokens: in functional
# mode for a program that carries its weights (the ids spell "The sun", the
# prompt given to axon sim), in counting mode (seed 1) for one compiled
# without them. The chip it embeds and the same chip given by file must give
# the same figures, and a chip of another geometry and a missing program
# must be clear errors.
# usage: example_test.sh AXON EXAMPLE SOURCE_DIR OUT_DIR
set -u
axon=$1
example=$2
src=$3
out=$4
rm -rf "$out"
mkdir -p "$out"
. "$src/tests/check.sh"
export SC_COPYRIGHT_MESSAGE=DISABLE

chip="$src/models/chips/loihi2-like.yaml"
ids="84 104 101 32 115 117 110"
"$axon" compile "$src/models/nets/spikingbrain-tiny" --chip "$chip" -o "$out/tiny.axb" >"$out/compile.txt"
check "compile exits 0" $?
# shellcheck disable=SC2086 # the ids are words
"$example" "$out/tiny.axb" $ids >"$out/example.txt" 2>"$out/example.err"
check "the example exits 0" $?
cat "$out/example.txt"
# `adds_up EXAMPLE_OUTPUT SIM_REPORT`: the example's tokens sum to the report's.
adds_up() {
    python3 - "$1" "$2" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
r = json.load(open(sys.argv[2]))
rows = re.findall(r"^token (\d+) \(id (\d+)\): (\d+) cycles, (\S+) s, dynamic (\S+) J, static (\S+) J", text, re.M)
n = len(rows)
assert n == r["run"]["tokens"] == 7, (n, r["run"]["tokens"])
assert [int(x[0]) for x in rows] == list(range(n))
assert [int(x[1]) for x in rows] == [84, 104, 101, 32, 115, 117, 110]
near = lambda a, b, rel: abs(a - b) <= rel * abs(b)
seconds = sum(float(x[3]) for x in rows)
assert near(seconds, r["latency"]["seconds"], 1e-8), (seconds, r["latency"]["seconds"])
# each token's cycles are rounded up on their own
cycles = sum(int(x[2]) for x in rows)
assert 0 <= cycles - r["latency"]["cycles"] <= n, (cycles, r["latency"]["cycles"])
b = r["energy"]["breakdown_j"]
dyn = sum(v for k, v in b.items() if k != "static")
got = sum(float(x[4]) for x in rows)
assert near(got, dyn, 1e-7), (got, dyn)  # the example prints 9 digits
stat = sum(float(x[5]) for x in rows)
assert near(stat, b["static"], 1e-7), (stat, b["static"])
m = re.search(r"total: (\d+) tokens, (\d+) cycles, .* simulated time (\S+) (\S+)", text)
assert m and int(m.group(1)) == n and int(m.group(2)) == cycles, m
# the host waits out each token's latency: the platform's clock ends at the sum
unit = {"s": 1, "ms": 1e-3, "us": 1e-6, "ns": 1e-9, "ps": 1e-12, "fs": 1e-15}[m.group(4)]
end = float(m.group(3)) * unit
assert abs(end - r["latency"]["seconds"]) <= 1e-9 * r["latency"]["seconds"] + 1e-12 * n, (end, r["latency"]["seconds"])
print(f"{n} tokens: {r['latency']['seconds']:.9g} s and {got:.9g} J dynamic, as axon sim reports")
PY
}
grep -q "^chip loihi2-like, model spikingbrain-tiny, .* functional mode, 7 tokens" "$out/example.txt"
check "the example names the chip, the model and the mode (functional: the program carries its weights)" $?
"$axon" sim "$out/tiny.axb" --prompt "The sun" --report "$out/sim.json" --quiet 2>"$out/sim.err"
check "axon sim exits 0" $?
adds_up "$out/example.txt" "$out/sim.json"
check "the example's figures add up to axon sim's" $?

"$axon" compile "$src/models/nets/spikingbrain-tiny" --chip "$chip" --no-embed-weights \
    -o "$out/shape.axb" >"$out/compile.txt"
check "compile without the weights exits 0" $?
# shellcheck disable=SC2086
"$example" "$out/shape.axb" $ids >"$out/counting.txt" 2>"$out/counting.err"
check "the example exits 0 on a program without weights" $?
grep -q "^chip loihi2-like, model spikingbrain-tiny, .* counting mode, 7 tokens" "$out/counting.txt"
check "a program without weights runs in counting mode" $?
"$axon" sim "$out/shape.axb" --mode counting --tokens 7 --report "$out/counting.json" --quiet \
    2>"$out/sim.err"
check "axon sim in counting mode exits 0 with no model" $?
adds_up "$out/counting.txt" "$out/counting.json"
check "in counting mode too" $?

# shellcheck disable=SC2086
"$example" "$out/tiny.axb" --chip "$chip" $ids >"$out/given.txt" 2>"$out/given.err"
check "the example exits 0 on the chip given by file" $?
cmp -s "$out/example.txt" "$out/given.txt"
check "the chip given by file gives the embedded chip's figures" $?

"$example" "$out/tiny.axb" --chip "$src/models/chips/generic-45nm.yaml" 1 >"$out/other.txt" 2>"$out/other.err"
rc=$?
[ $rc -eq 1 ] && grep -q "cannot open" "$out/other.err" && grep -q "cores per chip" "$out/other.err"
check "a chip of another geometry is refused, saying why" $?

"$example" "$out/missing.axb" >"$out/missing.txt" 2>"$out/missing.err"
rc=$?
[ $rc -eq 1 ] && grep -q "cannot open" "$out/missing.err"
check "a missing program is a clear error" $?

finish
