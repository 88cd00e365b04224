#!/bin/sh
# --trace on a program's timed run (the default path). The hand program
# tests/golden/programs/link-contention.s, run by test_trace_program: its
# trace against its report (check_program_trace.py), its instructions,
# messages, barrier and two unit services at the times its comments work
# out (approx and analytic), the limit. The small model through `axon run`:
# its trace against its report, the same report without --trace, the same
# bytes twice, the limit and its warning.
# usage: trace_program_test.sh TEST_TRACE_PROGRAM AXON SOURCE_DIR OUT_DIR
set -u
prog=$1
axon=$2
src=$3
out=$4
rm -rf "$out"
mkdir -p "$out"
. "$src/tests/check.sh"
here="$src/tests/trace"

# 1. the hand program: the run's own checks, then its files
"$prog" "$out"
check "the traced hand program runs to its cycles and counts, same report" $?
for t in approx analytic; do
    python3 "$here/check_program_trace.py" "$out/$t.trace.json" "$out/$t.report.json" 25
    check "the $t trace of the hand program agrees with its report (25 instructions)" $?
done

# The times of link-contention.s's comments, in ns: per (core, pc) the
# instruction's mnemonic, start and end; per message source, destination,
# hops, packets, bytes, departure, arrival, its axon_in service; the
# barrier's readiness, sync latency and completion.
python3 - "$out/approx.trace.json" <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
ns = lambda us: round(us * 1e3, 6)
instr = {(e["args"]["core"], e["args"]["pc"]): (e["name"], ns(e["ts"]), ns(e["ts"] + e["dur"]))
         for e in ev if e.get("cat") == "instr"}
want = {(0, 2): ("lookup", 0, 14),      # 1 read, 1 mul
        (0, 3): ("psumrecv", 14, 25),   # its own row, served at once: 1 add
        (0, 6): ("emit", 34, 54),       # spike 34..40, two packets through axon_out
        (0, 7): ("barrier", 54, 166),   # waits for the last event in (116) + sync 50
        (2, 4): ("barrier", 0, 166),
        (3, 5): ("psumsend", 178, 192), # 2 packets through axon_out
        (2, 7): ("psumrecv", 178, 264)} # waits for core 3's sums (242), 2 adds
for k, w in want.items():
    assert instr.get(k) == w, (k, instr.get(k), w)
sends = {e["args"]["msg"]: e for e in ev if e.get("cat") == "send"}
recvs = {e["args"]["msg"]: e for e in ev if e.get("cat") == "recv"}
got = []
for m in sorted(sends):
    a, r = sends[m]["args"], recvs[m]
    got.append((sends[m]["pid"] * 4 + sends[m]["tid"] // 8, a["to"], a["hops"], a["packets"],
                a["bytes"], ns(a["depart_us"]), ns(a["arrive_us"]), ns(r["ts"]),
                ns(r["ts"] + r["dur"])))
want = [(0, 2, 2, 1, 4, 47, 77, 77, 86),      # the spike to core 2
        (0, 3, 3, 1, 4, 54, 107, 107, 116),   # to core 3: 8 ns behind on link 0 east
        (3, 2, 1, 2, 8, 192, 224, 224, 242)]  # core 3's partial sums
assert got == want, got
b = [e for e in ev if e.get("cat") == "barrier"]
assert len(b) == 1, b
a = b[0]["args"]
assert (a["barrier"], ns(a["arrived_us"]), ns(b[0]["ts"]), ns(b[0]["dur"]), ns(a["done_us"]),
        a["chips"]) == (0, 54, 116, 50, 166, 1), b
units = {(e["tid"], e["args"]["instr"]): (ns(e["ts"]), ns(e["ts"] + e["dur"]))
         for e in ev if e.get("cat") == "exec"}
assert units[(0 * 8 + 4, "emit")] == (34, 40), units  # core 0 soma: the spike
assert units[(2 * 8 + 1, "synacc")] == (166, 170), units  # core 2 synapse: 2 x 2 ns
PY
check "the hand program's instructions, messages and barrier at the hand-computed times" $?

python3 - "$out/analytic.trace.json" <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
ns = lambda us: round(us * 1e3, 6)
sends = sorted((e["args"]["msg"], e["args"]) for e in ev if e.get("cat") == "send")
got = [(a["to"], ns(a["depart_us"]), ns(a["arrive_us"])) for _, a in sends]
assert got == [(2, 47, 77), (3, 54, 99), (2, 184, 216)], got  # no link waits
done = [ns(e["args"]["done_us"]) for e in ev if e.get("cat") == "barrier"]
assert done == [158], done
last = [ns(e["ts"] + e["dur"]) for e in ev
        if e.get("cat") == "instr" and e["name"] == "psumrecv" and e["args"]["core"] == 2]
assert last == [256], last
PY
check "the analytic run's messages and barrier at the hand-computed times" $?

python3 - "$out/approx.trace.json" "$out/approx.limit.json" <<'PY'
import json, sys
full, lim = (json.load(open(p)) for p in sys.argv[1:3])
ev = lim["traceEvents"]
assert len(ev) == 21, len(ev)
assert ev[:20] == full["traceEvents"][:20]
note = ev[20]
dropped = len(full["traceEvents"]) - 20
assert note["ph"] == "i" and note["name"] == "trace limit reached: %d events dropped" % dropped
assert note["args"] == {"limit": 20, "dropped": dropped}, note
assert lim["otherData"]["dropped"] == dropped, lim["otherData"]
PY
check "the hand program's limit keeps exactly 20 events and counts the dropped" $?

# 2. the small model through axon run (the program's timed run)
tiny="$src/models/nets/spikingbrain-tiny"
chip="$src/models/chips/loihi2-like.yaml"
head -c 6 "$src/tests/data/heldout.txt" >"$out/prompt.txt"
run() {
    "$axon" run "$tiny" --chip "$chip" --prompt-file "$out/prompt.txt" --quiet "$@"
}
run --report "$out/r1.json" --trace "$out/t1.json" 2>"$out/err.txt"
check "run --trace exits 0 on the program's run" $?
python3 "$here/check_program_trace.py" "$out/t1.json" "$out/r1.json"
check "the small model's trace agrees with its report" $?
run --report "$out/r0.json" 2>"$out/err.txt"
cmp -s "$out/r0.json" "$out/r1.json"
check "recording changes no report figure" $?
run --trace "$out/t2.json" --threads 2 2>"$out/err.txt"
cmp -s "$out/t1.json" "$out/t2.json"
check "two runs (1 and 2 threads) give the same trace bytes" $?
run --trace "$out/tl.json" --trace-limit 100 2>"$out/err.txt"
check "run with a small --trace-limit exits 0" $?
grep -q "trace-limit" "$out/err.txt"
check "reaching the limit warns on stderr" $?
python3 - "$out/t1.json" "$out/tl.json" <<'PY'
import json, sys
full, lim = (json.load(open(p)) for p in sys.argv[1:3])
ev = lim["traceEvents"]
assert len(ev) == 101 and ev[:100] == full["traceEvents"][:100], len(ev)
dropped = len(full["traceEvents"]) - 100
assert ev[100]["ph"] == "i" and ev[100]["args"] == {"limit": 100, "dropped": dropped}, ev[100]
PY
check "the small model's limit keeps exactly 100 events and counts the dropped" $?
cp "$out/prompt.txt" "$out/prompt.orig"
run --trace "$out/prompt.txt" >/dev/null 2>"$out/err.txt"
[ $? -ne 0 ] && grep -q "input" "$out/err.txt" && cmp -s "$out/prompt.txt" "$out/prompt.orig"
check "a trace over the prompt file is refused, the prompt intact" $?
run --trace "$tiny/config.json" >/dev/null 2>"$out/err.txt"
[ $? -ne 0 ] && grep -q "input" "$out/err.txt"
check "a trace over a model file is refused" $?
run --trace /dev/null >/dev/null 2>"$out/err.txt"
[ $? -ne 0 ] && [ -c /dev/null ]
check "a trace over a device is refused" $?
run --trace "$out/t.json" --trace-limit 0 >/dev/null 2>"$out/err.txt"
[ $? -eq 2 ]
check "--trace-limit 0 is a usage error" $?
"$axon" run "$tiny" --chip "$chip" --tokens 1 --mode counting --engine systemc --quiet \
    >/dev/null 2>"$out/err.txt"
if ! grep -q "no SystemC" "$out/err.txt"; then
    SC_COPYRIGHT_MESSAGE=DISABLE run --trace "$out/ts.json" --engine systemc 2>"$out/err.txt"
    cmp -s "$out/t1.json" "$out/ts.json"
    check "the SystemC engine records the same trace, byte for byte" $?
else
    echo "ok (not run): this build has no SystemC engine"
fi
finish
