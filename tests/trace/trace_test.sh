#!/bin/sh
# --trace on the small model (functional and analytic), checked against the
# run's own report by check_trace.py; --trace-limit; the same bytes for 1
# and 2 threads; refusals; the hand-computed message times of the golden
# link-contention system.
# usage: trace_test.sh AXON TEST_GOLDEN SOURCE_DIR OUT_DIR
set -u
axon=$1
golden=$2
src=$3
out=$4
rm -rf "$out"
mkdir -p "$out"
. "$src/tests/check.sh"
here="$src/tests/trace"

tiny="$src/models/nets/spikingbrain-tiny"
chip="$src/models/chips/loihi2-like.yaml"
head -c 6 "$src/tests/data/heldout.txt" >"$out/prompt.txt"
cp "$out/prompt.txt" "$out/prompt.orig"
run() {
    "$axon" run "$tiny" --chip "$chip" --prompt-file "$out/prompt.txt" --work graph --quiet "$@"
}

# 1. a functional run, its trace against its report; 2 threads, same bytes
run --report "$out/r1.json" --trace "$out/t1.json" --threads 1 2>"$out/err.txt"
check "run --trace exits 0" $?
python3 "$here/check_trace.py" "$out/t1.json" "$out/r1.json"
check "the trace agrees with the report" $?
run --report "$out/r0.json" 2>"$out/err.txt"
cmp -s "$out/r0.json" "$out/r1.json"
check "recording changes no report figure" $?
run --trace "$out/t2.json" --threads 2 2>"$out/err.txt"
cmp -s "$out/t1.json" "$out/t2.json"
check "--threads 1 and 2 give the same trace bytes" $?

# 2. the analytic model records the same invariants
run --timing analytic --report "$out/ra.json" --trace "$out/ta.json" 2>"$out/err.txt"
check "analytic run --trace exits 0" $?
python3 "$here/check_trace.py" "$out/ta.json" "$out/ra.json"
check "the analytic trace agrees with its report" $?

# 3. the limit: exactly N events, then the notice with the rest counted
run --trace "$out/tl.json" --trace-limit 100 2>"$out/err.txt"
check "run with a small --trace-limit exits 0" $?
grep -q "trace-limit" "$out/err.txt"
check "reaching the limit warns on stderr" $?
python3 - "$out/t1.json" "$out/tl.json" <<'PY'
import json, sys
full, lim = (json.load(open(p)) for p in sys.argv[1:3])
ev = lim["traceEvents"]
assert len(ev) == 101, len(ev)
assert ev[:100] == full["traceEvents"][:100]
note = ev[100]
dropped = len(full["traceEvents"]) - 100
assert note["ph"] == "i" and note["args"] == {"limit": 100, "dropped": dropped}, note
assert lim["otherData"]["dropped"] == dropped, lim["otherData"]
PY
check "the limit keeps exactly N events and counts the dropped" $?

# 4. refusals
run --trace "$out/prompt.txt" >/dev/null 2>"$out/err.txt"
[ $? -ne 0 ] && grep -q "input" "$out/err.txt" && cmp -s "$out/prompt.txt" "$out/prompt.orig"
check "a trace over the prompt file is refused" $?
run --trace "$tiny/config.json" >/dev/null 2>"$out/err.txt"
[ $? -ne 0 ] && grep -q "input" "$out/err.txt"
check "a trace over a model file is refused" $?
run --trace /dev/null >/dev/null 2>"$out/err.txt"
[ $? -ne 0 ] && [ -c /dev/null ]
check "a trace over a device is refused" $?
run --trace "$out/t.json" --trace-limit 0 >/dev/null 2>"$out/err.txt"
[ $? -eq 2 ]
check "--trace-limit 0 is a usage error" $?

# 5. the golden link-contention system: the messages' hand-computed times
#    (tests/golden/systems/link-contention/expect.txt), steps at 0, 64, 209 ns
"$golden" --trace "$out/g.json" "$src/tests/golden/systems/link-contention" >/dev/null
check "the golden system runs with --trace" $?
python3 - "$out/g.json" <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
sends = sorted((e["args"]["msg"], e) for e in ev if e.get("cat") == "send")
got = [(e["args"]["to"], e["args"]["packets"], e["args"]["hops"],
        round(e["args"]["depart_us"] * 1e3, 6), round(e["args"]["arrive_us"] * 1e3, 6))
       for _, e in sends]
want = [(2, 1, 2, 86.0, 116.0),   # spike to core 2: leaves 64 + 22, arrives 64 + 52
        (3, 1, 3, 93.0, 146.0),   # to core 3: 8 ns behind on the shared link, 64 + 82
        (2, 2, 1, 231.0, 263.0)]  # partial sums: 209 + 22, tail at 209 + 54
assert got == want, got
steps = [(round(e["ts"] * 1e3, 6), round(e["dur"] * 1e3, 6)) for e in ev if e.get("cat") == "step"]
assert steps == [(0.0, 64.0), (64.0, 145.0), (209.0, 144.0)], steps
PY
check "the golden system's message times are the hand-computed ones" $?
finish
