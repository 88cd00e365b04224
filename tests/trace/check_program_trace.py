"""Checks the trace of a program's timed run (--trace) against the report of
the same run.

usage: check_program_trace.py TRACE.json REPORT.json [N_INSTR]

What must hold, each catching a wrong trace:
  - the file is JSON with traceEvents and nothing dropped; every complete
    event has ts, dur >= 0 and ends within the run's latency, and the
    latest end is the latency;
  - every instruction is one slice on its core's `instructions` track
    (N_INSTR of them when given), with node, pc and token;
  - per core and unit, the durations of the unit slices (the instructions'
    jobs, sends, arrivals' service) add up to the report's busy time;
  - every message has a send on its source's axon_out, a service on its
    destination's axon_in, one arrow start and one end; their packets add
    up to the ledger's message_out;
  - the barriers' chips add up to the ledger's barrier count;
  - the slices of one track never overlap (the viewers need them nested).
"""
import json
import sys
from collections import defaultdict

trace = json.load(open(sys.argv[1]))
report = json.load(open(sys.argv[2]))
n_instr = int(sys.argv[3]) if len(sys.argv) > 3 else None
ev = trace["traceEvents"]
assert isinstance(ev, list) and ev, "no traceEvents"
end_us = report["latency"]["seconds"] * 1e6
eps = 1e-5  # the trace prints microseconds to 6 decimals

units = ["axon_in", "synapse", "sram", "dendrite", "soma", "dense", "dram", "axon_out"]
threads = {}
busy = defaultdict(float)
n_slices = defaultdict(int)
sends, recvs, starts, ends = {}, {}, set(), set()
tracks = defaultdict(list)
instrs = 0
barrier_chips = 0
last_end = 0.0
for e in ev:
    ph = e["ph"]
    if ph == "M" and e["name"] == "thread_name":
        threads[(e["pid"], e["tid"])] = e["args"]["name"]
    if ph == "s":
        assert e["id"] not in starts, e
        starts.add(e["id"])
    elif ph == "f":
        assert e["id"] not in ends, e
        ends.add(e["id"])
    if ph != "X":
        continue
    assert e["ts"] >= 0 and e["dur"] >= 0, e
    assert e["ts"] + e["dur"] <= end_us + eps, (e, end_us)
    last_end = max(last_end, e["ts"] + e["dur"])
    tracks[(e["pid"], e["tid"])].append((e["ts"], e["dur"]))
    name = threads[(e["pid"], e["tid"])]  # named before its first slice
    if e["cat"] == "barrier":
        assert name == "barrier %d" % e["args"]["barrier"], (e, name)
        barrier_chips += e["args"]["chips"]
        continue
    core = int(name.split()[1])
    if e["cat"] == "instr":
        assert name == "core %d instructions" % core and e["args"]["core"] == core, (e, name)
        assert {"node", "pc", "token"} <= set(e["args"]), e
        instrs += 1
        continue
    unit = name.split()[2]
    assert e["tid"] == core * 8 + units.index(unit), (e, name)
    assert {"instr", "pc", "token"} <= set(e["args"]), e
    busy[(core, unit)] += e["dur"] * 1e-6
    n_slices[(core, unit)] += 1
    a = e["args"]
    if e["cat"] == "send":
        assert unit == "axon_out" and a["msg"] not in sends, e
        assert a["depart_us"] <= a["arrive_us"] + eps, e
        assert abs(e["ts"] + e["dur"] - a["depart_us"]) <= eps, e
        sends[a["msg"]] = (core, a)
    elif e["cat"] == "recv":
        assert unit == "axon_in" and a["msg"] not in recvs, e
        assert e["ts"] >= a["arrive_us"] - eps, e
        recvs[a["msg"]] = (core, a)
    else:
        assert e["cat"] == "exec", e

assert abs(last_end - end_us) <= eps, (last_end, end_us)
if n_instr is not None:
    assert instrs == n_instr, (instrs, n_instr)

# per core and unit: the report's busy time (the used cores)
report_units = ["axon_in", "synapse", "dendrite", "soma", "axon_out", "dense"]
seen = set()
for c in report["cores"]:
    for u in report_units:
        want, got = c["busy_s"][u], busy.get((c["core"], u), 0.0)
        tol = 1e-9 * want + 1e-12 * (n_slices[(c["core"], u)] + 1)
        assert abs(got - want) <= tol, ("busy", c["core"], u, got, want)
        seen.add((c["core"], u))
extra = [k for k in busy if k[1] in report_units and k not in seen and busy[k] > 0]
assert not extra, ("busy on cores the report does not list", extra[:5])

for k, sl in tracks.items():
    sl.sort()
    for (a, da), (b, _) in zip(sl, sl[1:]):
        assert b >= a + da - eps, ("overlap on track", k, a, da, b)

# messages: both ends, the arrow, the ledger's packets
assert set(sends) == set(recvs) == starts == ends, (len(sends), len(recvs), len(starts), len(ends))
for m, (src, a) in sends.items():
    dst, b = recvs[m]
    assert a["to"] == dst and b["from"] == src, (a, b)
ledger = {i["name"]: i["count"] for cat in report["energy"]["ledger"].values() for i in cat["items"]}
packets = sum(a["packets"] for _, a in sends.values())
assert packets == ledger.get("message_out", 0), (packets, ledger.get("message_out"))
assert barrier_chips == ledger.get("barrier", 0), (barrier_chips, ledger.get("barrier"))
od = trace["otherData"]
assert od["schema"] == "axon-trace/1" and od["dropped"] == 0 and od["events"] == len(ev), od
print("trace ok: %d events, %d instructions, %d messages, %d packets" %
      (len(ev), instrs, len(sends), packets))
