#!/usr/bin/env python3
"""Train a tiny SpikingBrain-7B-architecture model (GLA/SWA hybrid, byte vocabulary) on the
Debian `fortunes` corpus, then fine-tune it briefly with the W8ASpike spiking activation in the
loop (straight-through estimator), and write models/nets/spikingbrain-tiny/{config.json,
model.safetensors, TRAINING.md}.

Corpus: every plain-text fortune file under /usr/share/games/fortunes (sorted by name; `.dat`
index files, `.u8` links and any `off/` subdirectory skipped), split into fortunes on lines that
are exactly "%". Fortune number i (0-based, over all files in sorted order) is held out when
i % 20 == 19. Each split is one byte stream: 0x00, fortune, 0x00, fortune, 0x00, ... so byte 0
is the document separator (bos_token_id = eos_token_id = 0).

Usage: /usr/bin/python3 scripts/train_tiny.py --steps 1500 --minutes 28   (the run that made the
stored model; output defaults to models/nets/spikingbrain-tiny)
Deterministic for a given seed, step count and thread count (single process).
"""

import argparse
import ctypes
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spikingbrain_torch as sb  # noqa: E402

FORTUNE_DIR = "/usr/share/games/fortunes"
SEP = 0           # document separator byte (bos = eos)
HOLDOUT_EVERY = 20


def list_fortune_files(root=FORTUNE_DIR):
    files = []
    for name in sorted(os.listdir(root)):
        p = os.path.join(root, name)
        if name.endswith(".dat") or name.endswith(".u8") or os.path.islink(p):
            continue
        if os.path.isdir(p):        # e.g. off/ (offensive fortunes): skipped
            continue
        files.append(p)
    return files


def load_fortunes(root=FORTUNE_DIR):
    """Returns the list of fortunes (bytes), in sorted-file order."""
    out = []
    for p in list_fortune_files(root):
        with open(p, "rb") as f:
            data = f.read()
        cur = []
        for line in data.split(b"\n"):
            if line == b"%":
                text = b"\n".join(cur).strip(b"\n")
                if text.strip():
                    out.append(text)
                cur = []
            else:
                cur.append(line)
        text = b"\n".join(cur).strip(b"\n")
        if text.strip():
            out.append(text)
    return out


def make_splits(root=FORTUNE_DIR):
    """(train_bytes, heldout_bytes, n_train_fortunes, n_heldout_fortunes)."""
    fortunes = load_fortunes(root)
    tr = [f for i, f in enumerate(fortunes) if i % HOLDOUT_EVERY != HOLDOUT_EVERY - 1]
    ho = [f for i, f in enumerate(fortunes) if i % HOLDOUT_EVERY == HOLDOUT_EVERY - 1]
    sep = bytes([SEP])
    join = lambda fs: sep + sep.join(fs) + sep
    return join(tr), join(ho), len(tr), len(ho)


def unigram_bits_per_byte(train, heldout):
    """Cross-entropy (bits/byte) of the add-one-smoothed training byte distribution on the
    held-out bytes that the model predicts (all but the first). Also returns the training
    distribution's own entropy."""
    cnt = np.bincount(np.frombuffer(train, dtype=np.uint8), minlength=256).astype(np.float64) + 1.0
    p = cnt / cnt.sum()
    h_train = float(-(p * np.log2(p)).sum())
    tgt = np.frombuffer(heldout, dtype=np.uint8)[1:]
    return float(-np.log2(p[tgt]).mean()), h_train


def steady_malloc():
    """Keep freed memory in the process (no trimming, fixed mmap threshold): the training step
    allocates the same large tensors every step, and handing them back to the kernel each time
    costs page faults. Affects speed only, not results."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-1, 1 << 30)    # M_TRIM_THRESHOLD
        libc.mallopt(-2, 64 << 20)   # M_TOP_PAD
        libc.mallopt(-3, 32 << 20)   # M_MMAP_THRESHOLD (the maximum; also stops its adjustment)
    except (OSError, AttributeError):
        pass


def blas_library():
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower()}
        return ", ".join(sorted(os.path.join(os.path.basename(os.path.dirname(x)), os.path.basename(x))
                                for x in libs)) or "none"
    except OSError:
        return "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="models/nets/spikingbrain-tiny")
    ap.add_argument("--steps", type=int, default=1500, help="total optimizer steps (float + spiking)")
    ap.add_argument("--spike-frac", type=float, default=0.1,
                    help="fraction of the steps (at the end) trained with spike='released' (STE)")
    ap.add_argument("--minutes", type=float, default=0.0,
                    help="safety cap on the whole run: the float phase ends early when the time "
                         "left would not cover the spiking phase and the final evaluations at the "
                         "measured speed (0 = off; a capped run is not reproducible step for step)")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seq-len", type=int, default=256)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--min-lr-frac", type=float, default=0.1)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--eval-bytes", type=int, default=32768, help="held-out prefix used for the curve")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--spike-k", type=float, default=3.0)
    # architecture
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--kv-heads", type=int, default=2)
    ap.add_argument("--intermediate", type=int, default=768)
    ap.add_argument("--window", type=int, default=64)
    ap.add_argument("--rope-theta", type=float, default=10000.0)
    args = ap.parse_args()

    t_start = time.time()
    steady_malloc()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    rng = np.random.RandomState(args.seed)
    log_lines = []

    def log(msg):
        line = "[%7.1fs] %s" % (time.time() - t_start, msg)
        print(line, flush=True)
        log_lines.append(line)

    train, heldout, n_tr, n_ho = make_splits()
    uni, h_train = unigram_bits_per_byte(train, heldout)
    log("corpus: %d train fortunes (%d bytes), %d held-out fortunes (%d bytes)" %
        (n_tr, len(train), n_ho, len(heldout)))
    log("unigram baseline: %.4f bits/byte on held-out (train byte entropy %.4f)" % (uni, h_train))
    log("torch %s, threads %d, BLAS: %s" % (torch.__version__, args.threads, blas_library()))

    cfg = sb.SBConfig(
        hidden_size=args.hidden, num_hidden_layers=args.layers, num_attention_heads=args.heads,
        num_key_value_heads=args.kv_heads, intermediate_size=args.intermediate, vocab_size=256,
        max_position_embeddings=2048, rope_theta=args.rope_theta, sliding_window=args.window,
        bos_token_id=SEP, eos_token_id=SEP, pad_token_id=SEP,
        tokenizer="bytes",
        tokenizer_note=("raw bytes: token id = byte value; byte 0 separates documents "
                        "(bos = eos = 0); a prompt starts with byte 0"),
        sliding_window_convention=("query i attends keys j with i - sliding_window < j <= i "
                                   "(sliding_window keys, the current one included)"),
        spiking=("W8ASpike dynamic_spikes, k=%g, on the inputs of q/k/v/o/gk/gate/up; "
                 "fine-tuned with a straight-through estimator" % args.spike_k),
    )
    model = sb.GLAswaForCausalLM(cfg).init_weights(args.seed)
    nparams = sum(p.numel() for p in model.parameters())
    log("model: %d params, config %s" % (nparams, json.dumps(
        {k: cfg.to_dict()[k] for k in ("hidden_size", "num_hidden_layers", "num_attention_heads",
                                       "num_key_value_heads", "intermediate_size", "sliding_window",
                                       "rope_theta", "attn_layers")})))

    decay, no_decay = [], []
    for n, p in model.named_parameters():
        (decay if p.dim() >= 2 else no_decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95), eps=1e-8)

    def lr_at(step):
        if step < args.warmup:
            return args.lr * (step + 1) / args.warmup
        t = (step - args.warmup) / max(1, args.steps - args.warmup)
        return args.lr * (args.min_lr_frac + (1 - args.min_lr_frac) * 0.5 * (1 + math.cos(math.pi * t)))

    tr = np.frombuffer(train, dtype=np.uint8)
    L, B = args.seq_len, args.batch
    spike_start = args.steps - int(round(args.steps * args.spike_frac))
    curve = []
    losses = []
    float_eval = None
    mode = "none"
    log("training: %d steps (float steps 0..%d, spiking STE steps %d..%d), batch %dx%d, lr %g" %
        (args.steps, spike_start - 1, spike_start, args.steps - 1, B, L, args.lr))

    def do_eval(step, final=False):
        t0 = time.time()
        bpb = sb.bits_per_byte(model, heldout, seq_len=L, batch=16,
                               max_bytes=None if final else args.eval_bytes)
        model.train()
        return bpb, time.time() - t0

    step = 0
    capped = False
    step_times = []
    eval_bytes_per_s = None
    cpu0 = os.times()
    while step < args.steps:
        if step == spike_start and mode == "none":
            # end of the float phase: evaluate the float model on the full held-out set
            fl_none, _ = do_eval(step, final=True)
            model.set_spike("released", args.spike_k)
            fl_spk, _ = do_eval(step, final=True)
            float_eval = (step, fl_none, fl_spk)
            log("float phase done at step %d: held-out bpb float %.4f, spiking (no fine-tune) %.4f" %
                (step, fl_none, fl_spk))
            log("switching to spike='released' (k=%g) with straight-through estimator" % args.spike_k)
            mode = "released"
        t_step = time.time()
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        offs = rng.randint(0, len(tr) - L - 1, size=B)
        batch = torch.from_numpy(np.stack([tr[o:o + L + 1] for o in offs]).astype(np.int64))
        logits = model(batch[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, 256), batch[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(float(loss))
        step += 1
        step_times.append(time.time() - t_step)
        if step % args.eval_every == 0 or step == args.steps:
            bpb, te = do_eval(step)
            eval_bytes_per_s = min(len(heldout), args.eval_bytes) / te
            tl = float(np.mean(losses[-args.eval_every:])) / math.log(2)
            curve.append((step, mode, tl, bpb))
            cpu1 = os.times()
            log("step %5d  mode %-8s  lr %.2e  train loss %.4f bits/byte  held-out(%dk) %.4f bits/byte  "
                "(%.2fs/step, eval %.1fs, cpu user %.0fs sys %.0fs)"
                % (step, mode, lr_at(step - 1), tl, args.eval_bytes // 1024, bpb,
                   float(np.mean(step_times[-args.eval_every:])), te,
                   cpu1.user - cpu0.user, cpu1.system - cpu0.system))
            cpu0 = cpu1
            log("    GLA chunk sizes used (chunk, path): calls %s" % (
                dict(sorted(sb.gla_chunked.stats.items(), reverse=True)),))
            sb.gla_chunked.stats.clear()
        if args.minutes > 0 and mode == "none" and step < spike_start and eval_bytes_per_s:
            # time still needed: the spiking steps, 5 full held-out evaluations, samples
            per_step = float(np.mean(step_times[-50:]))
            need = (args.steps - spike_start) * per_step * 1.1 + 5 * len(heldout) / eval_bytes_per_s + 30
            if time.time() - t_start + need > args.minutes * 60:
                log("time cap: ending the float phase at step %d (%.2fs/step)" % (step, per_step))
                capped = True
                args.steps = step + (args.steps - spike_start)
                spike_start = step
    t_train = time.time() - t_start

    # final: round to bf16 (what is stored), evaluate on the full held-out set
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.bfloat16().float())
    model.set_spike("none")
    fin_none, _ = do_eval(step, final=True)
    model.set_spike("released", args.spike_k)
    fin_spk, _ = do_eval(step, final=True)
    model.set_spike("none")
    log("final (bf16 weights): held-out bpb float %.4f, spiking %.4f, unigram %.4f" % (fin_none, fin_spk, uni))

    os.makedirs(args.out, exist_ok=True)
    size = sb.save_model(model, args.out, dtype="BF16")
    log("wrote %s (%d bytes)" % (os.path.join(args.out, "model.safetensors"), size))

    # verify the file loads back and reproduces the numbers
    m2 = sb.load_model(args.out, spike="none")
    seg = torch.from_numpy(np.frombuffer(heldout[:4 * L], dtype=np.uint8).astype(np.int64)).view(4, L)
    with torch.no_grad():
        d = float((m2(seg) - model.eval()(seg)).abs().max())
    re_none = sb.bits_per_byte(m2, heldout, seq_len=L, batch=16)
    log("reloaded: max |logit diff| %.3g, held-out bpb float %.4f" % (d, re_none))

    # samples (step-by-step decoding path), for a look at the model
    prompt = bytes([SEP]) + b"A "
    samples = {}
    for sp in ("none", "released"):
        m2.set_spike(sp, args.spike_k)
        out = m2.generate(list(prompt), max_new_tokens=300, eos_token_id=SEP, temperature=0.7, seed=args.seed)
        samples[sp] = (prompt[1:] + bytes(out)).decode("utf-8", "replace")
    t_total = time.time() - t_start
    log("total wall time %.1f s" % t_total)

    cmd = "/usr/bin/python3 scripts/train_tiny.py " + " ".join(sys.argv[1:])
    write_training_md(args, cmd, cfg, nparams, n_tr, n_ho, len(train), len(heldout), uni, h_train,
                      curve, float_eval, fin_none, fin_spk, re_none, size, t_train, t_total, samples,
                      capped, spike_start)
    log("wrote %s" % os.path.join(args.out, "TRAINING.md"))


def write_training_md(args, cmd, cfg, nparams, n_tr, n_ho, ntrb, nhob, uni, h_train, curve,
                      float_eval, fin_none, fin_spk, re_none, size, t_train, t_total, samples,
                      capped, spike_start):
    c = cfg.to_dict()
    lines = []
    w = lines.append
    w("# spikingbrain-tiny: training record")
    w("")
    w("A %.2fM-parameter model with the SpikingBrain-7B architecture (GLA layers at even indices, "
      "sliding-window attention at odd indices, SwiGLU MLP, RMSNorm, untied lm_head), trained from "
      "scratch on a byte vocabulary. Written by `scripts/train_tiny.py`; the architecture is "
      "`scripts/spikingbrain_torch.py`." % (nparams / 1e6))
    w("")
    w("## Command")
    w("")
    w("```")
    w(cmd)
    w("```")
    w("")
    w("- seed: %d; single process; `torch.set_num_threads(%d)`; torch %s; BLAS: %s" %
      (args.seed, args.threads, torch.__version__, blas_library()))
    w("- wall-clock: %.1f min for training (both phases, with the curve evaluations), %.1f min in all "
      "(with the final evaluations, the reload check and the samples), on a 2-core machine shared "
      "with other work" % (t_train / 60, t_total / 60))
    if capped:
        w("- NOTE: the --minutes cap cut the float phase short; this run is not reproducible step for step")
    w("")
    w("## Corpus and split")
    w("")
    w("- every plain-text fortune file in `%s` (Debian package `fortunes`; files sorted by name; "
      "`.dat`/`.u8` skipped; no `off/` subdirectory used), split into fortunes on lines that are exactly `%%`" % FORTUNE_DIR)
    w("- held-out: fortune number i (0-based, across all files in sorted order) with i %% %d == %d; "
      "train: all others" % (HOLDOUT_EVERY, HOLDOUT_EVERY - 1))
    w("- %d train fortunes = %d bytes; %d held-out fortunes = %d bytes" % (n_tr, ntrb, n_ho, nhob))
    w("- each split is one byte stream `00 fortune 00 fortune 00 ...`: byte 0 separates documents "
      "(bos_token_id = eos_token_id = 0); token id = byte value (vocab 256)")
    w("- training batches: %d windows of %d+1 bytes at uniformly random offsets of the train stream "
      "(numpy RandomState(seed))" % (args.batch, args.seq_len))
    w("- held-out bits per byte: the held-out stream cut into consecutive %d-byte windows (state reset "
      "at each window), every byte but the first predicted once; natural-log loss / ln 2" % args.seq_len)
    w("")
    w("## Model")
    w("")
    w("| field | value |")
    w("|---|---|")
    for key in ("hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
                "intermediate_size", "vocab_size", "sliding_window", "rope_theta", "attn_layers",
                "gate_low_rank_dim", "gate_logit_normalizer", "norm_eps", "max_position_embeddings"):
        w("| %s | %s |" % (key, c[key]))
    w("| head_dim | %d |" % cfg.head_dim)
    w("| parameters | %d |" % nparams)
    w("| model.safetensors | %d bytes, all tensors BF16 |" % size)
    w("")
    w("- SWA window edge: query i attends keys j with i - %d < j <= i (%d keys, the current one included)." %
      (c["sliding_window"], c["sliding_window"]))
    w("- GLA: chunked training form (chunk 32), checked against the token-by-token recurrence by "
      "`check_gla_chunked_vs_recurrent()` and `check_model_paths()` in spikingbrain_torch.py.")
    w("")
    w("## Optimisation")
    w("")
    w("- AdamW (betas 0.9/0.95, weight decay %g on matrices), peak lr %g, %d warm-up steps, cosine "
      "decay to %g x peak over all %d steps, gradient clipping 1.0, fp32" %
      (args.weight_decay, args.lr, args.warmup, args.min_lr_frac, args.steps))
    w("- phase 1 (float, spike='none'): steps 0..%d" % (spike_start - 1))
    w("- phase 2 (spiking fine-tune, spike='released', k=%g, straight-through estimator): steps %d..%d, "
      "continuing the same optimizer and schedule" % (args.spike_k, spike_start, args.steps - 1))
    w("")
    w("## Loss curve")
    w("")
    w("Train loss: mean over the preceding %d steps. Held-out: first %d bytes of the held-out stream "
      "(the final numbers below use all of it)." % (args.eval_every, args.eval_bytes))
    w("")
    w("| step | mode | train loss (bits/byte) | held-out bits/byte |")
    w("|---:|---|---:|---:|")
    for st, mode, tl, bpb in curve:
        w("| %d | %s | %.4f | %.4f |" % (st, "float" if mode == "none" else "spiking", tl, bpb))
    w("")
    w("## Final held-out bits per byte (whole held-out split)")
    w("")
    w("| model | bits/byte |")
    w("|---|---:|")
    if float_eval:
        w("| (a) float model, end of the float phase (step %d), spike='none' | %.4f |" % (float_eval[0], float_eval[1]))
        w("| same float model, spike='released' k=%g, before spiking fine-tune | %.4f |" % (args.spike_k, float_eval[2]))
    w("| (b) **stored model** (after spiking fine-tune, BF16 weights), spike='released' k=%g | **%.4f** |" %
      (args.spike_k, fin_spk))
    w("| stored model, spike='none' | %.4f |" % fin_none)
    w("| (c) unigram byte baseline (add-one-smoothed train byte distribution) | %.4f |" % uni)
    w("")
    w("Entropy of the training byte distribution itself: %.4f bits/byte. Reloading "
      "`model.safetensors` with `spikingbrain_torch.load_model` gives %.4f bits/byte (spike='none')." %
      (h_train, re_none))
    w("")
    w("## Samples")
    w("")
    w("Prompt `00 'A '`, temperature 0.7, seed %d, step-by-step decoding path, stopped at byte 0 or "
      "after 300 bytes." % args.seed)
    for sp in ("none", "released"):
        w("")
        w("spike='%s':" % sp)
        w("")
        w("```")
        w(samples[sp].replace("```", "'''").replace("\x08", "^H"))
        w("```")
    w("")
    with open(os.path.join(args.out, "TRAINING.md"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
