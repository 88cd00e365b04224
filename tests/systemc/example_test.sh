#!/bin/sh
# The example platform (docs/systemc-example.cpp): an axon::Chip in a
# SystemC sc_main, fed the tokens of a prompt through its TLM-2.0 target
# socket. Its per-token figures must add up to what `axon sim` reports for
# the same program and prompt, and every token must be checked bit exact
# against the reference. A build without LLVM has no reference to check
# against (HAVE_LLVM is not ON): there `axon sim` must say so and report no
# validation; the rest still runs, then the test exits 77 (skipped).
# usage: example_test.sh AXON EXAMPLE SOURCE_DIR OUT_DIR HAVE_LLVM
set -u
axon=$1
example=$2
src=$3
out=$4
have_llvm=$5
rm -rf "$out"
mkdir -p "$out"
. "$src/tests/check.sh"

chip="$src/models/chips/loihi2-like.yaml"
prompt="The sun"
"$axon" compile "$src/models/nets/spikingbrain-tiny" --chip "$chip" -o "$out/tiny.axb" >"$out/compile.txt"
check "compile exits 0" $?
"$example" "$chip" "$out/tiny.axb" "$prompt" >"$out/example.txt" 2>"$out/example.err"
check "the example exits 0" $?
cat "$out/example.txt"
grep -q "^chip loihi2-like, model spikingbrain-tiny" "$out/example.txt"
check "the example names the chip and model" $?
"$axon" sim "$out/tiny.axb" --prompt "$prompt" --work graph --report "$out/sim.json" --quiet 2>"$out/sim.err"
check "axon sim exits 0" $?
validated=1
case $have_llvm in
ON | on | TRUE | true | 1) ;;
*)
    validated=0
    grep -q "no LLVM: the run is not validated" "$out/sim.err"
    check "without LLVM, axon sim says the run is not validated" $?
    ;;
esac
python3 - "$out/example.txt" "$out/sim.json" $validated <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
r = json.load(open(sys.argv[2]))
validated = sys.argv[3] == "1"
rows = re.findall(r"^token (\d+) \(id (\d+)\): (\d+) cycles, (\S+) s, dynamic (\S+) J, static (\S+) J", text, re.M)
assert len(rows) == r["run"]["tokens"] == 7, (len(rows), r["run"]["tokens"])
assert [int(x[0]) for x in rows] == list(range(len(rows)))
cycles = sum(int(x[2]) for x in rows)
assert cycles == r["latency"]["cycles"], (cycles, r["latency"]["cycles"])
b = r["energy"]["breakdown_j"]
dyn = sum(v for k, v in b.items() if k != "static")
got = sum(float(x[4]) for x in rows)
assert abs(got - dyn) <= 1e-5 * dyn, (got, dyn)  # the example prints 6 digits
stat = sum(float(x[5]) for x in rows)
assert abs(stat - b["static"]) <= 1e-5 * b["static"], (stat, b["static"])
m = re.search(r"total: (\d+) tokens, (\d+) cycles, .* (\d+) bit exact, simulated time (\S+) (\S+)", text)
assert m and int(m.group(1)) == len(rows) and int(m.group(2)) == cycles, m
v = r["validation"]
if validated:
    # every token checked, bit exact, in axon sim and in the example alike
    assert v is not None and v["bit_exact"] is True and v["values_checked"] > 0, v
    assert int(m.group(3)) == len(rows), ("tokens bit exact", m.group(3), len(rows))
else:
    assert v is None and int(m.group(3)) == 0, (v, m.group(3))
# the host waits out each token's latency: the platform's clock ends at the sum
unit = {"s": 1, "ms": 1e-3, "us": 1e-6, "ns": 1e-9, "ps": 1e-12, "fs": 1e-15}[m.group(5)]
end = float(m.group(4)) * unit
assert abs(end - r["latency"]["seconds"]) <= 1e-9 * r["latency"]["seconds"] + 1e-12 * len(rows), (end, r["latency"]["seconds"])
print(f"{len(rows)} tokens: {cycles} cycles and {got:.6g} J dynamic, as axon sim reports")
PY
check "the example's figures add up to axon sim's" $?

"$example" "$chip" "$out/missing.axb" >"$out/missing.txt" 2>"$out/missing.err"
rc=$?
[ $rc -eq 1 ] && grep -q "cannot open" "$out/missing.err"
check "a missing program is a clear error" $?

finish || exit 1
if [ $validated -eq 0 ]; then
    echo "skipped: the bit-exact check needs the reference, and this build has no LLVM"
    exit 77
fi
