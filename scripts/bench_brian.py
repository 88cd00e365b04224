#!/usr/bin/env python3
"""The Brian2 side of the synaptic-operations benchmark.

What it measures: synaptic events per second of Brian2 on one spiking projection, the same
layer the simulator's benchmark runs. 4096 input neurons (a SpikeGeneratorGroup) are connected
all-to-all by Synapses with int8-like weights (integers in [-127, 127]) to 4096 output
accumulators (`v += w` on each presynaptic spike). Each token is a window of T = 3 time steps.
In it, each input fires 0 to 3 spikes at distinct steps: a fraction --zero-fraction of the
inputs is silent for the token, and the rest fire so that the mean is --spikes-per-value spikes
per input per token (docs/sources.md: spikingbrain-report §5.5: 1.13 and 18.4%). One synaptic event is one spike
delivered to one of its 4096 targets.

Timing: the wall time of the one `run()` call that covers the N tokens. Building the network
and code generation (and, for the cython target, compilation) are excluded: a one-step
warm-up `run()` before the timed call does them, and no spikes fall into it. Every `run()`
still has a fixed setup cost (about 0.2-0.4 s here for 16.8M synapses); an equally long run
without spikes measures it, and "events_per_second_excluding_idle" takes it out. After the
run, the output accumulators are checked against W^T times the spike counts
("output_exact").

    /usr/bin/python3 scripts/bench_brian.py [--tokens N] [--spikes-per-value 1.13]
        [--zero-fraction 0.184] [--targets numpy,cython] [--seed 1]

Prints one line of JSON per code generation target:
    {"tool": "brian2", "version": ..., "synaptic_events": ..., "seconds": ...,
     "events_per_second": ..., "target": ..., ...}
A target that cannot run (cython without a C compiler) prints a line with "error" instead.
Each target runs in its own process, so the network's memory (16.8M synapses) is freed
between them. The defaults take about 45 s on a 2-core machine (numpy about 7M events/s,
cython about 120M), plus about 30 s the first time for compiling the cython target's code
(cached afterwards).
"""

import argparse
import json
import os
import subprocess
import sys
import time

N_IN = 4096
N_OUT = 4096
STEPS = 3  # time steps per token


def nonzero_distribution(mean):
    """P(1), P(2), P(3) spikes of a firing input: a geometric law truncated to {1, 2, 3}
    (ratio rho), with rho chosen so the mean is `mean` (in [1, 3))."""
    lo, hi = 0.0, 1e6
    for _ in range(200):
        rho = 0.5 * (lo + hi)
        w = [1.0, rho, rho * rho]
        m = (w[0] + 2 * w[1] + 3 * w[2]) / sum(w)
        if m < mean:
            lo = rho
        else:
            hi = rho
    s = sum(w)
    return [x / s for x in w]


def check_rates(spikes_per_value, zero_fraction):
    """Exits with a message when no 3-step spike train has these statistics."""
    if not 0.0 <= zero_fraction < 1.0:
        raise SystemExit("bench_brian.py: --zero-fraction must be in [0, 1)")
    mean_nz = spikes_per_value / (1.0 - zero_fraction)
    if not 1.0 <= mean_nz < STEPS:
        raise SystemExit(
            "bench_brian.py: %.3f spikes per value with %.1f%% zeros means %.3f spikes per "
            "firing input, outside [1, %d) for a %d-step window"
            % (spikes_per_value, 100 * zero_fraction, mean_nz, STEPS, STEPS))


def make_spikes(np, tokens, spikes_per_value, zero_fraction, rng):
    """Spike counts per (token, input) and the generator's (indices, step numbers)."""
    check_rates(spikes_per_value, zero_fraction)
    p_nz = nonzero_distribution(spikes_per_value / (1.0 - zero_fraction))
    probs = [zero_fraction] + [(1.0 - zero_fraction) * p for p in p_nz]
    counts = rng.choice(4, size=(tokens, N_IN), p=probs)
    # Distinct steps for each input's spikes: the first `count` steps of a random order.
    rank = np.argsort(np.argsort(rng.random((tokens, N_IN, STEPS)), axis=2), axis=2)
    fire = rank < counts[:, :, None]
    tok, idx, step = np.nonzero(fire)
    order = np.lexsort((idx, tok * STEPS + step))
    return counts, idx[order], (tok * STEPS + step)[order]


def run_target(args):
    import numpy as np
    import brian2 as b2

    b2.prefs.codegen.target = args.target
    b2.prefs.logging.console_log_level = "ERROR"
    b2.defaultclock.dt = 1 * b2.ms
    rng = np.random.default_rng(args.seed)
    counts, indices, steps = make_spikes(np, args.tokens, args.spikes_per_value,
                                         args.zero_fraction, rng)

    t0 = time.perf_counter()
    # Step 0 is the warm-up; the tokens' spikes start at step 1.
    inp = b2.SpikeGeneratorGroup(N_IN, indices, (steps + 1) * b2.ms)
    out = b2.NeuronGroup(N_OUT, "v : 1")
    syn = b2.Synapses(inp, out, model="w : 1", on_pre="v_post += w")
    syn.connect()
    weights = rng.integers(-127, 128, size=(N_IN, N_OUT)).astype(np.float64)
    syn.w[:] = weights[np.asarray(syn.i[:]), np.asarray(syn.j[:])]
    net = b2.Network(inp, out, syn)
    net.run(1 * b2.ms)  # code generation (and compilation) happen here
    build_s = time.perf_counter() - t0

    duration = args.tokens * STEPS * b2.ms
    t1 = time.perf_counter()
    net.run(duration)
    seconds = time.perf_counter() - t1

    # A run of the same length without spikes: the per-step cost of the clock and the groups.
    t2 = time.perf_counter()
    net.run(duration)
    idle_s = time.perf_counter() - t2

    expected = counts.sum(axis=0).astype(np.float64) @ weights
    is_exact = bool(np.array_equal(np.asarray(out.v[:]), expected))
    n_spikes = int(counts.sum())
    events = n_spikes * N_OUT
    return {
        "tool": "brian2",
        "version": b2.__version__,
        "synaptic_events": events,
        "seconds": round(seconds, 4),
        "events_per_second": round(events / seconds, 1),
        "target": args.target,
        "tokens": args.tokens,
        "steps_per_token": STEPS,
        "inputs": N_IN,
        "outputs": N_OUT,
        "synapses": N_IN * N_OUT,
        "spikes": n_spikes,
        "spikes_per_value": round(n_spikes / (args.tokens * N_IN), 4),
        "zero_fraction": round(float((counts == 0).mean()), 4),
        "build_seconds": round(build_s, 3),
        "idle_run_seconds": round(idle_s, 4),
        # The run's cost beyond an equally long run without spikes: per-run() setup and the
        # per-step cost of the groups taken out.
        "events_per_second_excluding_idle": (round(events / (seconds - idle_s), 1)
                                             if seconds > idle_s else None),
        "output_exact": is_exact,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tokens", type=int, default=8, help="tokens (default 8)")
    ap.add_argument("--spikes-per-value", type=float, default=1.13,
                    help="mean spikes per input per token (default 1.13)")
    ap.add_argument("--zero-fraction", type=float, default=0.184,
                    help="inputs silent in a token (default 0.184)")
    ap.add_argument("--targets", default="numpy,cython",
                    help="code generation targets, comma-separated (default numpy,cython)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--target", help=argparse.SUPPRESS)  # one target, in this process
    args = ap.parse_args()
    if args.tokens < 1:
        raise SystemExit("bench_brian.py: --tokens must be at least 1")
    check_rates(args.spikes_per_value, args.zero_fraction)

    if args.target:
        print(json.dumps(run_target(args)), flush=True)
        return 0

    status = 0
    for target in [t.strip() for t in args.targets.split(",") if t.strip()]:
        cmd = [sys.executable, os.path.abspath(__file__), "--target", target,
               "--tokens", str(args.tokens), "--spikes-per-value", str(args.spikes_per_value),
               "--zero-fraction", str(args.zero_fraction), "--seed", str(args.seed)]
        p = subprocess.run(cmd, capture_output=True, text=True)
        lines = [line for line in p.stdout.splitlines() if line.startswith("{")]
        if p.returncode == 0 and lines:
            print(lines[-1], flush=True)
            continue
        err = (p.stderr.strip().splitlines() or ["exit status %d" % p.returncode])[-1]
        print(json.dumps({"tool": "brian2", "target": target, "error": err[:500]}), flush=True)
        if target != "cython":  # cython may lack a C compiler: reported, not fatal
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
