#!/usr/bin/python3
"""Runs `axon sim` on each hand-written program of this folder that states
what it should report, with no model, and checks every figure.

usage: sim_check.py AXON PROGRAMS_DIR WORK_DIR

A program states its figures in comment lines `# want ...` (worked out by
hand in its comments above them):

    # want cycles N                  latency.cycles of the report
    # want bound N BY                its lower bound in cycles (latency.bound_cycles)
                                     and the term that sets it (latency.bound_by)
    # want term NAME N               one term of the bound (compute, link, input,
                                     chain: latency.bound_terms_s) in cycles
    # want layer NAME N              the time layer NAME took (latency.layers[].cycles)
    # want layer-chain NAME N        its span in the token's chain
                                     (latency.layers[].chain_s) in cycles
    # want executed KEY N            what the executor ran for the token
                                     (--values: instructions, messages,
                                     events, synaptic_ops)
    # want ledger ITEM N             the ledger count of ITEM; every item
                                     not listed (static power aside) must be 0
    # want values CORE BUF EXPR      every word j of value buffer BUF of CORE
                                     is float32(EXPR), EXPR Python in j
    # want bits CORE BUF EXPR        the same, EXPR giving the word's bits

Lines `# dataflow want ...` state the figures of a second run with `--sync
dataflow`, on each engine too; lines `# prefill want ...` those of a run of
N tokens as a prefill (`--token-ids 0,...,0 --prefill N`; N from a line
`# prefill tokens N`, else 2), on each engine, where

    # want prefill KEY N             the report's prefill.KEY (within 1e-9)

and lines `# batch want ...` those of a batch of two sequences of two tokens
each (`--token-ids 0,0,0,0 --batch 2`), on each engine, where

    # want batch KEY N               the report's batch.KEY (within 1e-9)

Each program is assembled, then simulated with `--token-ids 0` on each
engine the build has (native, and SystemC where it is built in): every
figure holds on both. The run must say it is not validated ("the program
embeds no model"). Then the refusals:
spiking-projection.s without its data runs in counting mode only, and a
prompt, --tokens and a token no record holds are refused with the reason.
Prints one line per failed figure and exits 1 if any failed.
"""
import json
import os
import re
import struct
import subprocess
import sys


def f32_bits(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


def wants_of(path, sync):
    """The `# want` lines of the run with `--sync sync` (barrier: the lines
    with no prefix)."""
    wants = []
    prefix = "" if sync == "barrier" else sync + r"\s+"
    with open(path) as f:
        for n, line in enumerate(f, 1):
            m = re.match(r"#\s*" + prefix + r"want\s+(.*?)\s*(#.*)?$", line)
            if m:
                wants.append((n, m.group(1).split(None, 3 if m.group(1).startswith(("values", "bits")) else -1)))
    return wants


def prefill_tokens(path):
    """The tokens of a program's prefill run: `# prefill tokens N`, else 2."""
    with open(path) as f:
        for line in f:
            m = re.match(r"#\s*prefill\s+tokens\s+(\d+)", line)
            if m:
                return int(m.group(1))
    return 2


def ledger_counts(report):
    counts = {}
    for cat in report["energy"]["ledger"].values():
        for item in cat["items"]:
            counts[item["name"]] = item["count"]
    return counts


def check_program(axon, src, work, name, engine, sync="barrier"):
    path = os.path.join(src, name)
    wants = wants_of(path, sync)
    if not wants:
        return None
    stem = os.path.splitext(name)[0] + ("" if engine == "native" else "." + engine)
    stem += "" if sync == "barrier" else "." + sync
    name = name if engine == "native" else "%s (%s)" % (name, engine)
    n = prefill_tokens(path)
    run = (["--token-ids", ",".join(["0"] * n), "--prefill", str(n)] if sync == "prefill"
           else ["--token-ids", "0,0,0,0", "--batch", "2"] if sync == "batch"
           else ["--token-ids", "0", "--sync", sync])
    name = name if sync == "barrier" else "%s %s" % (name, " ".join(run[2:]))
    prog = os.path.join(work, stem + ".sim.axb")
    report_path = os.path.join(work, stem + ".report.json")
    values_path = os.path.join(work, stem + ".values.json")
    for p in (prog, report_path, values_path):
        if os.path.exists(p):
            os.remove(p)
    fails = []
    r = subprocess.run([axon, "asm", path, "-o", prog], capture_output=True, text=True)
    if r.returncode != 0:
        return ["%s: axon asm failed: %s" % (name, r.stderr.strip())]
    r = subprocess.run([axon, "sim", prog, "--engine", engine, "--report", report_path,
                        "--values", values_path] + run, capture_output=True, text=True)
    if r.returncode != 0:
        return ["%s: axon sim failed (exit %d): %s" % (name, r.returncode, r.stderr.strip())]
    if "not validated: the program embeds no model" not in r.stdout:
        fails.append("%s: the summary does not say the run is not validated" % name)
    with open(report_path) as f:
        report = json.load(f)
    with open(values_path) as f:
        values = json.load(f)
    if report.get("validation") is not None:
        fails.append("%s: the report claims a validation: %r" % (name, report["validation"]))
    token = values["tokens"][-1] # a flight keeps its last token's values
    buffers = {(b["core"], b["name"]): b for b in token["buffers"]}
    counts = ledger_counts(report)
    listed = set()
    for line, w in wants:
        where = "%s:%d" % (name, line)
        kind = w[0]
        if kind == "cycles":
            got, want = report["latency"]["cycles"], int(w[1])
        elif kind == "bound":
            got = (report["latency"]["bound_cycles"], report["latency"]["bound_by"])
            want = (int(w[1]), w[2])
        elif kind == "term":
            got = round(report["latency"]["bound_terms_s"][w[1]] * report["chip"]["clock_hz"], 6)
            want = float(w[2])
        elif kind in ("layer", "layer-chain"):
            layer = {l["name"]: l for l in report["latency"]["layers"]}.get(w[1])
            if layer is None:
                fails.append("%s: no layer %s in the report" % (where, w[1]))
                continue
            got = (layer["cycles"] if kind == "layer"
                   else round(layer["chain_s"] * report["chip"]["clock_hz"], 6))
            want = int(w[2]) if kind == "layer" else float(w[2])
        elif kind in ("prefill", "batch"):
            got, want = (report[kind] or {}).get(w[1]), float(w[2])
            if isinstance(got, (int, float)) and abs(got - want) <= 1e-9 * abs(want):
                got = want
        elif kind == "executed":
            got, want = token["executed"].get(w[1]), int(w[2])
        elif kind == "ledger":
            listed.add(w[1])
            got, want = counts.get(w[1]), float(w[2])
        elif kind in ("values", "bits"):
            b = buffers.get((int(w[1]), w[2]))
            if b is None:
                fails.append("%s: no value buffer %s on core %s in --values" % (where, w[2], w[1]))
                continue
            got = [int(x, 16) for x in b["bits"]]
            want = [int(eval(w[3], {}, {"j": j})) if kind == "bits"
                    else f32_bits(float(eval(w[3], {}, {"j": j}))) for j in range(len(got))]
            if got != want:
                j = next(i for i in range(len(got)) if got[i] != want[i])
                fails.append("%s: core %s %s word %d is 0x%08x (%r), the comment says 0x%08x"
                             % (where, w[1], w[2], j, got[j], b["f32"][j], want[j]))
            continue
        else:
            fails.append("%s: unknown want '%s'" % (where, kind))
            continue
        if got != want:
            fails.append("%s: %s is %r, the comment says %r" % (where, " ".join(w[:-1]), got, want))
    lat = report["latency"]
    if lat["bound_cycles"] > lat["cycles"]:
        fails.append("%s: the lower bound, %d cycles, exceeds the latency, %d"
                     % (name, lat["bound_cycles"], lat["cycles"]))
    for item, count in counts.items():
        if item != "static" and item not in listed and count != 0:
            fails.append("%s: ledger %s is %r, but no want line lists it (it should be 0)"
                         % (name, item, count))
    return fails


def check_refusals(axon, src, work):
    """Without weight data a program that embeds no model runs only in
    counting mode; functional mode, a prompt and --model are refused with
    the reason."""
    fails = []
    prog = os.path.join(work, "nodata.axb")
    full = os.path.join(work, "spiking-projection.sim.axb")
    text = subprocess.run([axon, "disasm", full], capture_output=True, text=True).stdout
    bare = os.path.join(work, "nodata.s")
    with open(bare, "w") as f:
        f.write("".join(l for l in text.splitlines(True) if not l.startswith(".wdata")))
    if subprocess.run([axon, "asm", bare, "-o", prog], capture_output=True).returncode != 0:
        return ["nodata.s: the program without its .wdata lines does not assemble"]
    cases = [
        ([prog, "--mode", "functional", "--token-ids", "0"], 1, "weight record 0 ('proj.weight') carries no data"),
        ([prog, "--mode", "counting", "--tokens", "1", "--quiet"], 0, ""),
        ([full, "--prompt", "hi"], 1, "embeds no tokenizer; give --token-ids"),
        ([full, "--tokens", "2"], 1, "give --token-ids"),
        ([full, "--token-ids", "7", "--quiet"], 1, "waits forever"),
        ([full, "--token-ids", "7", "--quiet", "--sync", "dataflow"], 1,
         "core 1, instruction 2 (barrier), proj at position 0: waits forever at barrier 0: "
         "core(s) 0, which send it events of this phase (dataflow), never reach it"),
    ]
    for args, status, msg in cases:
        r = subprocess.run([axon, "sim"] + args, capture_output=True, text=True)
        if r.returncode != status or msg not in r.stderr:
            fails.append("axon sim %s: exit %d (want %d), stderr %r (want %r)"
                         % (" ".join(args[1:]), r.returncode, status, r.stderr.strip(), msg))
    return fails


def engines(axon):
    """native, and systemc when this axon has the SystemC engine (a build
    without it refuses the option while reading the command line)."""
    r = subprocess.run([axon, "sim", "-", "--engine", "systemc"], capture_output=True, text=True)
    return ["native"] + ([] if "no SystemC" in r.stderr else ["systemc"])


def main():
    axon, src, work = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(work, exist_ok=True)
    n_checked, fails = 0, []
    for engine in engines(axon):
        for name in sorted(os.listdir(src)):
            if not name.endswith(".s"):
                continue
            for sync in ("barrier", "dataflow", "prefill", "batch"):
                f = check_program(axon, src, work, name, engine, sync)
                if f is None:
                    continue
                n_checked += 1
                fails += f
                print("%-28s %-8s %-8s %s" % (name, engine, sync, "ok" if not f else "FAILED"))
    if os.path.exists(os.path.join(work, "spiking-projection.sim.axb")):
        f = check_refusals(axon, src, work)
        print("%-28s %s" % ("refusals", "ok" if not f else "FAILED"))
        fails += f
    for f in fails:
        print(f)
    if n_checked == 0:
        print("no program states what axon sim reports (# want lines)")
        return 1
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
