#!/usr/bin/env python3
"""Spiking-quality study with the PyTorch oracle (scripts/torch_ref.py): bits per byte of the
fp32 and w8spike models on a text, and top-1 agreement of w8spike with fp32, over a grid of
thresholds k and time steps T (adaptive, or fixed T where the counts saturate), plus the
sparsity statistics at the defaults (k = 3, adaptive T, bitwise, released). Prints markdown.

    spiking_quality.py --model DIR --prompt-file F [--ks 2,3,4] [--steps adaptive,2,3,4]
                       [--encoding bitwise] [--spike released] [--json OUT]

All (k, T) settings run as the rows of one batch (same weights, per-row threshold and
saturation), so the grid costs about one run.
"""

import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_ref  # noqa: E402  (the oracle; independent of the training module)


def run_fp32(model, ids, encoding, spike):
    o = torch_ref.Oracle(model, "fp32", 3.0, encoding, None, spike)
    return torch_ref.evaluate(o, ids, want_argmax=True)


def run_grid(model, ids, grid, encoding, spike, default=(3.0, None)):
    """All (k, steps) pairs of `grid` as the rows of one batch (the weights are shared; only the
    threshold and the saturation differ per row). The sparsity statistics are taken over the
    row `default` only. Returns one result dict per row, in grid order."""
    if default not in grid:
        grid = list(grid) + [default]
    o = torch_ref.Oracle(model, "w8spike", default[0], encoding, default[1], spike)
    o.set_rows([k for k, _ in grid], [t for _, t in grid])
    B, n = len(grid), len(ids)
    valid = torch.tensor([g == default for g in grid])
    tok = torch.tensor(ids, dtype=torch.long)
    state = o.new_state(B)
    bits = torch.zeros(B, n - 1, dtype=torch.float64)
    amax = torch.zeros(B, n - 1, dtype=torch.long)
    t0 = time.time()
    for t in range(n):
        logits = o.step(tok[t].repeat(B), t, state, valid)
        if t + 1 < n:
            bits[:, t] = torch_ref.log2_probs(logits, tok[t + 1].repeat(B))
            amax[:, t] = logits.argmax(-1)
    secs = time.time() - t0
    sp = o.sparsity()
    return [{"k": k, "steps": t, "bits_per_byte": float(bits[b].mean()), "argmax": amax[b],
             "sparsity": sp if (k, t) == default else None, "seconds": secs}
            for b, (k, t) in enumerate(grid)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--prompt-file", required=True)
    ap.add_argument("--ks", default="2,3,4")
    ap.add_argument("--steps", default="adaptive,2,3,4")
    ap.add_argument("--encoding", default="bitwise")
    ap.add_argument("--spike", default="released")
    ap.add_argument("--json")
    args = ap.parse_args()

    with open(os.path.join(args.model, "config.json")) as f:
        cfg = torch_ref.Config(json.load(f))
    ids = torch_ref.prompt_ids(cfg, args.prompt_file)
    ks = [float(x) for x in args.ks.split(",")]
    steps = [None if x == "adaptive" else int(x) for x in args.steps.split(",")]
    grid = [(k, t) for k in ks for t in steps]
    fp = run_fp32(args.model, ids, args.encoding, args.spike)
    ref = torch.tensor(fp["argmax"])
    rows = run_grid(args.model, ids, grid, args.encoding, args.spike)
    for r in rows:
        r["top1_agreement"] = float((r.pop("argmax") == ref).double().mean())
    default = [r for r in rows if r["sparsity"] is not None][0]
    rows = [r for r in rows if (r["k"], r["steps"]) in grid]

    print("text: %s, %d bytes, %d predicted; fp32 bits per byte %.4f" %
          (args.prompt_file, len(ids), fp["n_predicted"], fp["bits_per_byte"]))
    print()
    print("| k | T | fp32 bits/byte | w8spike bits/byte | w8spike - fp32 | top-1 agreement |")
    print("|---:|---|---:|---:|---:|---:|")
    for r in rows:
        print("| %g | %s | %.4f | %.4f | %+.4f | %.2f%% |" %
              (r["k"], "adaptive" if r["steps"] is None else r["steps"], fp["bits_per_byte"],
               r["bits_per_byte"], r["bits_per_byte"] - fp["bits_per_byte"], 100 * r["top1_agreement"]))
    sp = default["sparsity"]
    print()
    print("sparsity at k=%g, adaptive T, %s, spike=%s:" % (default["k"], args.encoding, args.spike))
    for key in ("zero_fraction", "slot_sparsity_t3", "slot_sparsity", "spikes_per_element",
                "spikes_per_element_t3", "spikes_per_nonzero_t3", "silent_channels", "values_le7"):
        print("  %-22s %.4f" % (key, sp[key]))
    print("  %-22s %s" % ("histogram_t3", " / ".join("%.4f" % h for h in sp["histogram_t3"])))
    for L in sp["layers"]:
        print("  %-36s zero %.4f  slot_t3 %.4f  spikes/value %.3f  silent %.4f  hist_t3 %s" %
              (L["name"], L["zero_fraction"], L["slot_sparsity_t3"], L["spikes_per_element"],
               L["silent_channels"], " / ".join("%.4f" % h for h in L["histogram_t3"])))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"text": args.prompt_file, "bytes": len(ids), "fp32_bits_per_byte": fp["bits_per_byte"],
                       "rows": rows, "default_sparsity": sp}, f, indent=1)


if __name__ == "__main__":
    main()
