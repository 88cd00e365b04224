"""Checks a trace (--trace) against the report of the same run.

usage: check_trace.py TRACE.json REPORT.json

What must hold, each catching a wrong trace:
  - the file is JSON with traceEvents; every complete event has ts, dur >= 0
    and ends within the run's latency;
  - per core and unit, the durations of the trace's slices add up to the
    report's busy time (a job missing, doubled or given another's service
    breaks it);
  - the sends are the run's messages: their packets add up to the ledger's
    message_out count, and every send has one arrow start and one end;
  - the steps' slices add up to the run's latency;
  - the slices of one track never overlap (the viewers need them nested).
"""
import json
import sys
from collections import defaultdict

trace = json.load(open(sys.argv[1]))
report = json.load(open(sys.argv[2]))
ev = trace["traceEvents"]
assert isinstance(ev, list) and ev, "no traceEvents"
seconds = report["latency"]["seconds"]
end_us = seconds * 1e6
eps = 1e-5  # the trace prints microseconds to 6 decimals

units = ["axon_in", "synapse", "sram", "dendrite", "soma", "dense", "dram", "axon_out"]
threads = {}
busy = defaultdict(float)
n_slices = defaultdict(int)
sends, starts, ends = {}, set(), set()
step_us = 0.0
tracks = defaultdict(list)
for e in ev:
    ph = e["ph"]
    if ph == "M" and e["name"] == "thread_name":
        threads[(e["pid"], e["tid"])] = e["args"]["name"]
    if ph != "X":
        if ph == "s":
            starts.add(e["id"])
        elif ph == "f":
            ends.add(e["id"])
        continue
    assert e["ts"] >= 0 and e["dur"] >= 0, e
    assert e["ts"] + e["dur"] <= end_us + eps, (e, end_us)
    if e["cat"] == "step":
        step_us += e["dur"]
        continue
    if e["cat"] == "barrier":
        continue
    tracks[(e["pid"], e["tid"])].append((e["ts"], e["dur"]))
    name = threads[(e["pid"], e["tid"])]  # named before its first slice
    core, unit = int(name.split()[1]), name.split()[2]
    assert e["tid"] == core * 8 + units.index(unit), (e, name)
    busy[(core, unit)] += e["dur"] * 1e-6
    n_slices[(core, unit)] += 1
    if e["cat"] == "send":
        assert e["args"]["msg"] not in sends, e
        sends[e["args"]["msg"]] = e["args"]
        assert e["args"]["depart_us"] <= e["args"]["arrive_us"] + eps, e

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

ledger = {i["name"]: i["count"] for cat in report["energy"]["ledger"].values() for i in cat["items"]}
packets = sum(a["packets"] for a in sends.values())
assert packets == ledger["message_out"], (packets, ledger["message_out"])
assert starts == set(sends) == ends, (len(starts), len(sends), len(ends))
assert abs(step_us - end_us) <= 1e-6 * end_us + eps * len(ev), (step_us, end_us)
od = trace["otherData"]
assert od["schema"] == "axon-trace/1" and od["dropped"] == 0 and od["events"] == len(ev), od
print("trace ok: %d events, %d messages, %d packets, %.6g s" % (len(ev), len(sends), packets, seconds))
