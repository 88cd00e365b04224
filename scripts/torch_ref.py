#!/usr/bin/env python3
"""Independent PyTorch oracle for SpikingBrain-7B-architecture models (GLA and SWA layers
alternating), in the two precisions of docs/semantics.md: `fp32` and `w8spike`.

Written from the published description (docs/sources.md: the SpikingBrain report §2.2 for the
hybrid GLA/SWA architecture, §2.1.3 and §3.3 for the spiking scheme and the int8 weights and KV
cache; the released W8ASpike code for what it spikes) and the arithmetic contract
(docs/semantics.md) only: it imports nothing from the C side and nothing
from scripts/spikingbrain_torch.py (the training module), so that it can check both.

Evaluation is token by token (the recurrent form), batched over independent segments. Values
that docs/semantics.md forms in f64 are formed in torch.float64 here, so spike counts agree with
the C reference except at rounding boundaries (PyTorch does not promise the reduction order).

Usage
  torch_ref.py --model DIR --prompt-file F [--precision fp32|w8spike] [--k K]
               [--encoding bitwise|ternary|binary] [--steps T] [--spike released|paper|none]
               [--max-bytes N] [--bos] [--segment N] [--json] [--dump DIR]
  torch_ref.py --check-dump DIR [--model DIR] [--ref-json FILE]
               [--prompt-file F [--max-bytes N] [--bos]] [--precision P] [--k K] [--encoding E]
               [--steps T|adaptive] [--spike S]

  The prompt is read as bytes (config.json "tokenizer": "bytes": token id = byte value). Every
  position predicts the next byte; bits per byte = mean of -log2 p(next byte). --bos prepends
  the bos token (then the first byte of the file is predicted too). --segment N cuts the byte
  stream into windows of N+1 bytes overlapping by one, each starting from an empty state at
  position 0 (the training script's held-out evaluation), evaluated as one batch.

What spikes (w8spike)
  released (default): the inputs of q, k, v, o, gk (gk_proj.0 for a low-rank gate; the merged
      gk_proj of a W8ASpike checkpoint), gate and up, plus the SWA query per head after RoPE;
      down_proj (and a low-rank gate's gk_proj.1) are dense f32 linears.
  paper: the above plus down_proj: every linear whose input length is a multiple of 128 (a
      low-rank gate's gk_proj.1, 16 inputs, and lm_head stay dense, as in `axon ref`).
  none: no spikes; the released set keeps int8 weights with float inputs.
  A spiking projection has int8 per-row per-group-of-128 weights (the stored scales of a W8ASpike
  checkpoint when present). SWA keys and values are int8 per token and kv head in every w8spike
  mode. Embeddings, norms, lm_head and the attention internals stay f32/f64 as semantics.md says.

Sparsity statistics (w8spike; null for fp32), over the spiking projections' input counts, each
projection counted on its own (q, k, v and gk read the same counts and count four times, as the
report counts "all linear projection layers"); the SWA query spike is not a projection input and
is left out. Spikes per value: bitwise popcount(|s|) (3-step window popcount(min(|s|, 7))),
ternary and binary |s| (window min(|s|, 3)); with a fixed --steps T the counts saturate first.
  zero_fraction, slot_sparsity_t3 (1 - window spikes / (3 values)), slot_sparsity (at the
  encoding's T: per token for adaptive T), spikes_per_element, silent_channels (input channels
  that never fire in the run), histogram_t3 [0, 1, 2, >=3 spikes in a 3-step window], layers
  (one entry per spiking projection, same keys). Extra keys: spikes_per_element_t3,
  spikes_per_nonzero_t3 (the "1.13 per firing value" reading), values_le7 (|s| <= 7).

--dump DIR writes the run in the format `axon ref --dump` uses (docs/reference.md): manifest.json
and one raw little-endian file per tensor. The sites are the spike mode's projections (`none`:
the released set) plus the SWA query `model.layers.N.attn.swa_query` (read as `attn.query` too),
whose input is the query after RoPE and whose output is the attention output before o_proj.
--check-dump DIR reads such a dump (from `axon ref`):
  (0) the manifest against the request: each of --precision, --k, --encoding, --steps and
      --spike that is given must equal the manifest's (--steps adaptive: null), and with
      --prompt-file (--max-bytes, --bos) the manifest's tokens must be that prompt's bytes, so
      that a run that misread its options or its prompt is not recomputed as it was misread;
  (a) recomputes the run from its tokens and compares the logits per token (norm-wise relative,
      1e-6; 1e-4 for w8spike --spike none, see RUN_TOL) and every layer's block output (a
      missing one fails);
  (b) feeds every dumped site input through this encoder and projection: counts exactly, except
      counts whose x/V lies within 1e-6 relative of a rounding boundary (their number must stay
      below 1e-4 of all counts), thresholds (1e-6), outputs (1e-5, from the dumped counts, and
      from this encoder's counts where they agree); unspiked sites' outputs (1e-5); the SWA query
      site's output as the attention output of run (a), at (a)'s tolerance (a dump holding the
      query there fails);
  (c) with --ref-json, the sparsity statistics of `axon ref --json` for the same run.
  Prints a summary; exits 1 on failure.

Needs only torch, numpy and the standard library.
"""

import argparse
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch

torch.set_grad_enabled(False)
F32, F64 = torch.float32, torch.float64
GROUP = 128

# ============================================================================== safetensors

_NP_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "BF16": "<u2", "I64": "<i8",
              "I32": "<i4", "I16": "<i2", "I8": "i1", "U8": "u1"}


def read_safetensors(path):
    """name -> float32 torch tensor for one .safetensors file: 8-byte little-endian header
    length, JSON header {name: {dtype, shape, data_offsets}}, raw little-endian data. BF16 is
    widened exactly by moving its 16 bits into the high half of a binary32."""
    mm = np.memmap(path, dtype=np.uint8, mode="r")
    (hlen,) = struct.unpack("<Q", bytes(mm[:8]))
    header = json.loads(bytes(mm[8:8 + hlen]).decode("utf-8"))
    base = 8 + hlen
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dt = info["dtype"]
        if dt not in _NP_DTYPES:
            raise ValueError("%s: %s: unsupported dtype %s" % (path, name, dt))
        s, e = info["data_offsets"]
        raw = mm[base + s:base + e]
        a = np.frombuffer(raw, dtype=_NP_DTYPES[dt])
        if dt == "BF16":
            a = (a.astype(np.uint32) << 16).view(np.float32)
        out[name] = torch.from_numpy(a.astype(np.float32).reshape(info["shape"]))
    return out


def read_checkpoint(model_dir):
    """All tensors of model.safetensors or of the shards named in model.safetensors.index.json."""
    idx = os.path.join(model_dir, "model.safetensors.index.json")
    if os.path.exists(idx):
        with open(idx) as f:
            wm = json.load(f)["weight_map"]
        out = {}
        for shard in sorted(set(wm.values())):
            out.update(read_safetensors(os.path.join(model_dir, shard)))
        missing = [n for n in wm if n not in out]
        if missing:
            raise ValueError("index names tensors missing from the shards: %s" % missing[:5])
        return out
    return read_safetensors(os.path.join(model_dir, "model.safetensors"))


# ============================================================================== arithmetic

def f32c(x):
    """Round to binary32 (from f64)."""
    return x.to(F32)


def clamp_f32(v, lo, hi):
    return torch.minimum(torch.maximum(v, torch.tensor(lo, dtype=F32)), torch.tensor(hi, dtype=F32))


def rmsnorm(x, w, group, eps):
    """semantics.md rmsnorm: ss in f64, r = 1/sqrt(ss/G + eps), y = f32(x r) * w in f32."""
    shp = x.shape
    xg = x.reshape(*shp[:-1], shp[-1] // group, group).to(F64)
    ss = (xg * xg).sum(-1, keepdim=True)
    r = 1.0 / torch.sqrt(ss / group + eps)
    y = f32c(xg * r) * w            # w has `group` elements (g_norm: one head, shared)
    return y.reshape(shp)


def logsigmoid64(z):
    """Stable logsigmoid in f64: -log1p(exp(-z)) for z >= 0, z - log1p(exp(z)) for z < 0."""
    pos = -torch.log1p(torch.exp(-z.clamp(min=0)))
    neg = z - torch.log1p(torch.exp(z.clamp(max=0)))
    return torch.where(z >= 0, pos, neg)


def sat_limit(encoding, steps):
    """Largest |count| a fixed number of steps can carry (None: adaptive, no limit)."""
    if steps is None:
        return None
    return (1 << steps) - 1 if encoding == "bitwise" else steps


def encode(x, k, limit):
    """Adaptive-threshold neuron over the last dimension of f32 `x`: V = f32((sum|x| / n) / k)
    clamped to [1e-5, 1e4] in f32; counts s = rne(x / V) in f64 (saturated at `limit`).
    Returns (V f32 [..., 1], s f64 [..., n]). k and limit are numbers (limit None: no
    saturation), or f64 tensors [B] giving one value per batch row (limit inf: none)."""
    x64 = x.to(F64)
    n = x.shape[-1]
    a = x64.abs().sum(-1, keepdim=True)
    if torch.is_tensor(k):
        k = k.reshape(-1, *([1] * (x.dim() - 1)))
    else:
        k = float(k)
    v = clamp_f32(f32c((a / n) / k), 1e-5, 1e4)
    s = torch.round(x64 / v.to(F64))
    if torch.is_tensor(limit):
        lim = limit.reshape(-1, *([1] * (x.dim() - 1)))
        s = torch.minimum(torch.maximum(s, -lim), lim)
    elif limit is not None:
        s = s.clamp(-limit, limit)
    return v, s


_POP8 = torch.tensor([bin(i).count("1") for i in range(256)], dtype=torch.int64)


def popcount(a):
    """Bit count of a non-negative integer-valued tensor (any size), a byte at a time."""
    a = a.to(torch.int64)
    c = _POP8[a & 255]
    a = a >> 8
    while bool((a != 0).any()):
        c = c + _POP8[a & 255]
        a = a >> 8
    return c


def bit_length(a):
    a = a.to(torch.int64)
    c = torch.zeros_like(a)
    while bool((a != 0).any()):
        c += (a != 0).to(torch.int64)
        a = a >> 1
    return c


def group_pad(t, n_in):
    """[..., n_in] -> [..., n_groups, 128] with zero padding of the last group."""
    ng = (n_in + GROUP - 1) // GROUP
    pad = ng * GROUP - n_in
    if pad:
        t = torch.nn.functional.pad(t, (0, pad))
    return t.reshape(*t.shape[:-1], ng, GROUP)


def sum_groups(p):
    """p [..., n_groups] f64 -> left-to-right sum over the groups (ascending)."""
    acc = p[..., 0].clone()
    for g in range(1, p.shape[-1]):
        acc = acc + p[..., g]
    return acc


def quantize_weight(w, stored_scales=None):
    """Symmetric int8 per row and group of 128: scale = f32(amax / 127), code = rne(W / scale)
    (0 where the scale is 0). With a W8ASpike checkpoint's stored scales the codes are recovered
    from its fake-quantized weights the same way. Returns (codes f64 [out, ng, 128],
    scales f32 [out, ng], number of codes outside [-128, 127])."""
    out_dim, n_in = w.shape
    wg = group_pad(w, n_in)
    if stored_scales is not None:
        sc = stored_scales.reshape(out_dim, -1).to(F32)
        if sc.shape[1] != wg.shape[1]:
            raise ValueError("stored scales have %d groups, expected %d" % (sc.shape[1], wg.shape[1]))
    else:
        sc = f32c(wg.abs().amax(-1).to(F64) / 127.0)
    sc64 = sc.to(F64)[..., None]
    codes = torch.where(sc64 > 0, torch.round(wg.to(F64) / torch.where(sc64 > 0, sc64, torch.ones_like(sc64))),
                        torch.zeros_like(sc64))
    n_out = int(((codes < -128) | (codes > 127)).sum())
    return codes, sc, n_out


# ============================================================================== projections

class Proj:
    """One linear layer. mode: 'dense' (f32 weights, f64 group sums), 'int8' (int8 weights,
    float input), 'spike' (int8 weights, spike-count input)."""

    def __init__(self, name, w, b, mode, stored_scales=None):
        self.name = name
        self.out_dim, self.in_dim = w.shape
        self.mode = mode
        self.bias = b
        self.n_out_of_int8 = 0
        if mode == "dense":
            self.wg = group_pad(w, self.in_dim).to(F64).permute(1, 2, 0).contiguous()   # [ng,128,out]
        else:
            codes, sc, self.n_out_of_int8 = quantize_weight(w, stored_scales)
            self.wg = codes.permute(1, 2, 0).contiguous()                                  # [ng,128,out]
            self.scales = sc.to(F64)                                                        # [out,ng]

    def _group_products(self, x64):
        """x64 [B, in] -> per-group dot products [B, out, ng] (f64)."""
        xg = group_pad(x64, self.in_dim).permute(1, 0, 2)                                 # [ng,B,128]
        return torch.matmul(xg, self.wg).permute(1, 2, 0)                                  # [B,out,ng]

    def forward(self, x, enc=None):
        """x f32 [B, in]; enc = (V, s) for a spiking projection. Returns f32 [B, out]."""
        if self.mode == "dense":
            y = f32c(sum_groups(self._group_products(x.to(F64))))
        elif self.mode == "int8":
            y = f32c(sum_groups(self.scales * self._group_products(x.to(F64))))
        else:
            v, s = enc
            acc = self._group_products(s)                        # exact integers in f64
            y = f32c(v.to(F64) * sum_groups(self.scales * acc))
        if self.bias is not None:
            y = y + self.bias
        return y


# ============================================================================== statistics

class SpikeStats:
    """Accumulates the sparsity statistics of one spiking projection input."""

    def __init__(self, name, n_in):
        self.name = name
        self.n_in = n_in
        self.values = 0
        self.zeros = 0
        self.spikes = 0
        self.slots = 0
        self.spikes_t3 = 0
        self.le7 = 0
        self.hist = [0, 0, 0, 0]
        self.fired = torch.zeros(n_in, dtype=torch.bool)

    @staticmethod
    def measure(s, encoding, steps, valid=None):
        """Counts of one encoded input: s f64 [B, n] (already saturated); valid bool [B] marks
        the rows that count. Returns a dict for add() (None when no row counts)."""
        if valid is not None:
            s = s[valid]
        if s.shape[0] == 0:
            return None
        a = s.abs().to(torch.int64)
        if encoding == "bitwise":
            sp = popcount(a)
            w3 = popcount(a.clamp(max=7))
            t = bit_length(a.amax(-1)) if steps is None else torch.full((a.shape[0],), steps)
        else:
            sp = a
            w3 = a.clamp(max=3)
            t = a.amax(-1) if steps is None else torch.full((a.shape[0],), steps)
        hist = torch.bincount(w3.clamp(max=3).reshape(-1), minlength=4).tolist()
        return {"values": a.numel(), "zeros": int((a == 0).sum()), "spikes": int(sp.sum()),
                "slots": int(t.sum()) * a.shape[-1], "spikes_t3": int(w3.sum()),
                "le7": int((a <= 7).sum()), "hist": hist, "fired": (a != 0).any(0)}

    def add(self, m):
        if m is None:
            return
        self.values += m["values"]
        self.zeros += m["zeros"]
        self.spikes += m["spikes"]
        self.slots += m["slots"]
        self.spikes_t3 += m["spikes_t3"]
        self.le7 += m["le7"]
        for j in range(4):
            self.hist[j] += m["hist"][j]
        self.fired |= m["fired"]

    @staticmethod
    def summary(name, values, zeros, spikes, slots, spikes_t3, le7, hist, silent, n_ch):
        v = max(values, 1)
        nz = max(values - zeros, 1)
        return {
            "name": name,
            "zero_fraction": zeros / v,
            "slot_sparsity_t3": 1.0 - spikes_t3 / (3.0 * v),
            "slot_sparsity": (1.0 - spikes / slots) if slots else 1.0,
            "spikes_per_element": spikes / v,
            "silent_channels": silent / max(n_ch, 1),
            "histogram_t3": [h / v for h in hist],
            "spikes_per_element_t3": spikes_t3 / v,
            "spikes_per_nonzero_t3": spikes_t3 / nz,
            "values_le7": le7 / v,
            "values": values,
        }

    def result(self):
        return self.summary(self.name, self.values, self.zeros, self.spikes, self.slots,
                            self.spikes_t3, self.le7, self.hist,
                            int((~self.fired).sum()), self.n_in)


def aggregate(stats):
    tot = SpikeStats.summary(
        "all", sum(s.values for s in stats), sum(s.zeros for s in stats),
        sum(s.spikes for s in stats), sum(s.slots for s in stats),
        sum(s.spikes_t3 for s in stats), sum(s.le7 for s in stats),
        [sum(s.hist[j] for s in stats) for j in range(4)],
        sum(int((~s.fired).sum()) for s in stats), sum(s.n_in for s in stats))
    del tot["name"]
    tot["layers"] = [s.result() for s in stats]
    return tot


# ============================================================================== the model

class Config:
    def __init__(self, d):
        if d.get("model_type", "gla_swa") != "gla_swa":
            raise ValueError("model_type %r: this oracle implements gla_swa (SpikingBrain-7B)"
                             % d.get("model_type"))
        self.raw = d
        self.hidden = int(d["hidden_size"])
        self.n_layers = int(d["num_hidden_layers"])
        self.heads = int(d["num_attention_heads"])
        self.kv_heads = int(d.get("num_key_value_heads") or self.heads)
        self.head_dim = self.hidden // self.heads
        self.vocab = int(d["vocab_size"])
        al = d.get("attn_layers")
        self.attn_layers = set(range(1, self.n_layers, 2) if al is None else al)
        self.window = int(d.get("sliding_window") or 0)
        self.eps = float(d.get("norm_eps", 1e-6))
        self.theta = float(d.get("rope_theta", 10000.0))
        self.normalizer = float(d.get("gate_logit_normalizer", 16))
        self.tokenizer = d.get("tokenizer")
        self.bos = d.get("bos_token_id")


# projection classes: which --spike modes spike them
SPIKE_SETS = {
    "released": {"q", "k", "v", "o", "gk", "gate", "up", "query"},
    "paper": {"q", "k", "v", "o", "gk", "gate", "up", "down", "query"},
    "none": set(),
}
RELEASED_INT8 = {"q", "k", "v", "o", "gk", "gate", "up"}
# the sites a dump records (inputs and outputs; counts and thresholds where they spike), in
# every precision: the spike mode's set (`none`: the released set)
DUMP_SITES = {"released": SPIKE_SETS["released"], "paper": SPIKE_SETS["paper"],
              "none": SPIKE_SETS["released"]}
QUERY_SITE = "attn.swa_query"       # dumps read "attn.query" as the same site
QUERY_ALIASES = ("attn.swa_query", "attn.query")


class Oracle:
    """The token step of one model in one precision, over a batch of independent sequences."""

    def __init__(self, model_dir, precision="fp32", k=3.0, encoding="bitwise", steps=None,
                 spike="released", tensors=None):
        with open(os.path.join(model_dir, "config.json")) as f:
            self.cfg = Config(json.load(f))
        if precision not in ("fp32", "w8spike"):
            raise ValueError("precision must be fp32 or w8spike")
        if encoding not in ("bitwise", "ternary", "binary"):
            raise ValueError("encoding must be bitwise, ternary or binary")
        if spike not in SPIKE_SETS:
            raise ValueError("spike must be released, paper or none")
        if steps is not None and steps < 1:
            raise ValueError("--steps must be >= 1")
        self.model_dir = model_dir
        self.precision, self.k, self.encoding, self.steps, self.spike = precision, float(k), encoding, steps, spike
        self.limit = sat_limit(encoding, steps)
        self.row_k = self.row_limit = None
        self.w8 = precision == "w8spike"
        self.spiking = SPIKE_SETS[spike] if self.w8 else set()
        self.sites = DUMP_SITES[spike]
        t = read_checkpoint(model_dir) if tensors is None else tensors
        self.t = t
        c = self.cfg
        self.emb = t["model.embeddings.weight"]
        self.final_norm = t["model.norm.weight"]
        self.lm_head = Proj("lm_head", t["lm_head.weight"], None, "dense")
        self.layers = []
        self.projs = {}
        self.stats = {}
        self.n_out_of_int8 = 0
        for i in range(c.n_layers):
            p = "model.layers.%d." % i
            L = {"swa": i in c.attn_layers, "attn_norm": t[p + "attn_norm.weight"],
                 "mlp_norm": t[p + "mlp_norm.weight"], "prefix": p}
            specs = [("q", "attn.q_proj"), ("k", "attn.k_proj"), ("v", "attn.v_proj")]
            if not L["swa"]:
                if p + "attn.gk_proj.weight" in t:
                    specs.append(("gk", "attn.gk_proj"))
                    L["gk_merged"] = True
                else:
                    specs += [("gk", "attn.gk_proj.0"), ("gk1", "attn.gk_proj.1")]
                    L["gk_merged"] = False
                L["g_norm"] = t[p + "attn.g_norm.weight"]
            specs += [("o", "attn.o_proj"), ("gate", "mlp.gate_proj"), ("up", "mlp.up_proj"),
                      ("down", "mlp.down_proj")]
            for cls, suffix in specs:
                L[cls] = self._make_proj(p + suffix, cls)
            self.layers.append(L)

    def _make_proj(self, name, cls):
        w = self.t[name + ".weight"]
        b = self.t.get(name + ".bias")
        if cls in self.spiking:
            mode = "spike"
        elif self.w8 and cls in RELEASED_INT8:
            mode = "int8"
        else:
            mode = "dense"
        pr = Proj(name, w, b, mode, self.t.get(name + ".weight_quantizer.scales") if mode != "dense" else None)
        pr.cls = cls
        self.n_out_of_int8 += pr.n_out_of_int8
        self.projs[name] = pr
        if mode == "spike":
            self.stats[name] = SpikeStats(name, pr.in_dim)
        return pr

    # -- pieces ---------------------------------------------------------------------------
    def new_state(self, batch):
        self.batch = batch
        st = []
        for L in self.layers:
            st.append({"k": [], "v": []} if L["swa"] else {"S": None})
        return st

    def _encode(self, x):
        if self.row_k is not None:
            return encode(x, self.row_k, self.row_limit)
        return encode(x, self.k, self.limit)

    def set_rows(self, ks, steps):
        """Study helper: batch row b runs with threshold ks[b] and fixed steps steps[b] (None:
        adaptive), all with this oracle's encoding; statistics use the rows step() marks valid,
        which must share one steps value (self.steps). set_rows(None, None) undoes it."""
        if ks is None:
            self.row_k = self.row_limit = None
            return
        self.row_k = torch.tensor([float(k) for k in ks], dtype=F64)
        self.row_limit = torch.tensor([math.inf if t is None else float(sat_limit(self.encoding, t))
                                       for t in steps], dtype=F64)

    def _proj(self, pr, x, enc, rec):
        """Runs projection pr on x; enc is the shared encoding of x (computed on demand)."""
        if pr.mode == "spike":
            if enc[0] is None:                 # one encoding per input, shared by its projections
                enc[0] = self._encode(x)
                enc.append(SpikeStats.measure(enc[0][1], self.encoding, self.steps, self.valid))
            e = enc[0]
            self.stats[pr.name].add(enc[1])
        else:
            e = None
        y = pr.forward(x, e)
        if rec is not None and pr.cls in self.sites:
            self._record(rec, pr.name, x, e, y)
        return y

    @staticmethod
    def _record(rec, name, x, e, y):
        rec.setdefault(name + ".input", []).append(x)
        if e is not None:
            rec.setdefault(name + ".counts", []).append(e[1].reshape(x.shape).to(torch.int32))
            rec.setdefault(name + ".vth", []).append(e[0].reshape(x.shape[0], -1))
        rec.setdefault(name + ".output", []).append(y)

    def _rope(self, x, pos):
        """x f32 [B, H, d] -> f32, rotate-half over the whole head."""
        d = x.shape[-1]
        h = d // 2
        i = torch.arange(h, dtype=F64)
        inv = torch.pow(torch.tensor(self.cfg.theta, dtype=F64), (-2.0 * i) / d)
        a = float(pos) * inv
        c, s = torch.cos(a), torch.sin(a)
        x64 = x.to(F64)
        x1, x2 = x64[..., :h], x64[..., h:]
        return torch.cat([f32c(x1 * c - x2 * s), f32c(x2 * c + x1 * s)], -1)

    def _kv_int8(self, x):
        """Per token and head int8 of f32 x [B, KV, d]; returns the dequantized values (f64)."""
        sc = f32c(x.abs().amax(-1, keepdim=True).to(F64) / 127.0).to(F64)
        safe = torch.where(sc > 0, sc, torch.ones_like(sc))
        code = torch.round(x.to(F64) / safe).clamp(-128, 127)
        return torch.where(sc > 0, code * sc, torch.zeros_like(code))

    def _gla(self, L, st, a, rec):
        c = self.cfg
        B, H, KV, d = a.shape[0], c.heads, c.kv_heads, c.head_dim
        G = H // KV
        enc = [None]
        q = torch.relu(self._proj(L["q"], a, enc, rec)).reshape(B, KV, G, d)
        k = torch.relu(self._proj(L["k"], a, enc, rec)).reshape(B, KV, d)
        v = self._proj(L["v"], a, enc, rec).reshape(B, KV, d)
        g = self._proj(L["gk"], a, enc, rec)
        if not L["gk_merged"]:
            g = self._proj(L["gk1"], g, [None], rec)
        decay = f32c(torch.exp(logsigmoid64(g.to(F64)) / c.normalizer)).reshape(B, KV, d)
        S = st["S"]
        if S is None:
            S = torch.zeros(B, KV, d, d, dtype=F32)
        S = f32c(decay.to(F64)[..., None] * S.to(F64) + k.to(F64)[..., None] * v.to(F64)[:, :, None, :])
        st["S"] = S
        o = f32c(torch.matmul(q.to(F64), S.to(F64)) * (1.0 / math.sqrt(d)))     # [B,KV,G,d]
        o = rmsnorm(o.reshape(B, H * d), L["g_norm"], d, c.eps)
        return self._proj(L["o"], o, [None], rec)

    def _swa(self, L, st, a, pos, rec):
        c = self.cfg
        B, H, KV, d = a.shape[0], c.heads, c.kv_heads, c.head_dim
        G = H // KV
        enc = [None]
        q = self._rope(self._proj(L["q"], a, enc, rec).reshape(B, H, d), pos)
        k = self._rope(self._proj(L["k"], a, enc, rec).reshape(B, KV, d), pos)
        v = self._proj(L["v"], a, enc, rec).reshape(B, KV, d)
        qname = L["prefix"] + QUERY_SITE
        eq = None
        if "query" in self.spiking:
            eq = self._encode(q)                       # per head; not in the statistics
            q64 = eq[1] * eq[0].to(F64)
        else:
            q64 = q.to(F64)
        if self.w8:
            k64, v64 = self._kv_int8(k), self._kv_int8(v)
        else:
            k64, v64 = k.to(F64), v.to(F64)
        st["k"].append(k64)
        st["v"].append(v64)
        if c.window and len(st["k"]) > c.window:
            st["k"].pop(0)
            st["v"].pop(0)
        K = torch.stack(st["k"], 2)                                   # [B,KV,n,d] oldest first
        V = torch.stack(st["v"], 2)
        qg = q64.reshape(B, KV, G, d)
        score = torch.matmul(qg, K.transpose(-1, -2)) * (1.0 / math.sqrt(d))   # [B,KV,G,n]
        m = score.amax(-1, keepdim=True)
        e = torch.exp(score - m)
        z = e.sum(-1, keepdim=True)
        o = f32c(torch.matmul(e, V) / z).reshape(B, H * d)
        if rec is not None and "query" in self.sites:
            # the query site as `axon ref --dump` writes it (docs/reference.md,
            # compiler/ref/ax_ref.h struct ax_ref_site): input = the query after RoPE (counts and
            # thresholds per head when it spikes), output = the attention output before o_proj.
            # The query attention used (f32(s V) when it spikes) is kept apart, to name a dump
            # that wrote it instead.
            self._record(rec, qname, q.reshape(B, H * d), eq, o)
            rec.setdefault(qname + ".query", []).append(f32c(q64).reshape(B, H * d))
        return self._proj(L["o"], o, [None], rec)

    def step(self, tokens, pos, state, valid=None, rec=None):
        """One token step for a batch: tokens long [B] at position pos. Returns logits f32 [B, V].
        valid: bool [B] rows that count in the statistics. rec: dict collecting dump tensors."""
        c = self.cfg
        self.valid = valid
        h = self.emb[tokens]
        for i, (L, st) in enumerate(zip(self.layers, state)):
            a = rmsnorm(h, L["attn_norm"], c.hidden, c.eps)
            a = self._swa(L, st, a, pos, rec) if L["swa"] else self._gla(L, st, a, rec)
            r = h + a
            m = rmsnorm(r, L["mlp_norm"], c.hidden, c.eps)
            enc = [None]
            gt = self._proj(L["gate"], m, enc, rec)
            up = self._proj(L["up"], m, enc, rec)
            g64 = gt.to(F64)
            act = f32c(g64 / (1.0 + torch.exp(-g64)) * up.to(F64))
            h = r + self._proj(L["down"], act, [None], rec)
            if rec is not None:
                rec.setdefault("model.layers.%d.output" % i, []).append(h)
        logits = self.lm_head.forward(rmsnorm(h, self.final_norm, c.hidden, c.eps))
        if rec is not None:
            rec.setdefault("logits", []).append(logits)
        return logits

    def sparsity(self):
        if not self.stats:
            return None
        return aggregate(list(self.stats.values()))


# ============================================================================== evaluation

def log2_probs(logits, targets):
    """-log2 softmax(logits)[target] per row, log-softmax in f64."""
    l64 = logits.to(F64)
    m = l64.amax(-1, keepdim=True)
    lse = m + torch.log(torch.exp(l64 - m).sum(-1, keepdim=True))
    lp = l64.gather(-1, targets[:, None]) - lse
    return (-lp[:, 0]) / math.log(2.0)


def evaluate(oracle, ids, segment=None, want_argmax=False, rec=None):
    """Runs the token sequence `ids` (list of ints), cut into segments of segment+1 tokens
    overlapping by one (None: one sequence), batched. Returns dict with bits_per_byte,
    n_predicted, seconds, tokens_run and optionally argmax (per predicted position, in order)."""
    n = len(ids)
    if n < 2:
        raise ValueError("need at least 2 tokens")
    seg = segment if segment else n - 1
    starts = list(range(0, n - 1, seg))
    B = len(starts)
    lens = [min(seg + 1, n - s) for s in starts]
    T = max(lens)
    tok = torch.zeros(B, T, dtype=torch.long)
    for b, s in enumerate(starts):
        tok[b, :lens[b]] = torch.tensor(ids[s:s + lens[b]], dtype=torch.long)
    lensv = torch.tensor(lens)
    state = oracle.new_state(B)
    bits = torch.zeros(B, T - 1, dtype=F64)
    amax = torch.zeros(B, T - 1, dtype=torch.long)
    t0 = time.time()
    for t in range(T):
        valid = lensv > t
        logits = oracle.step(tok[:, t], t, state, valid, rec)
        if t + 1 < T:
            bits[:, t] = log2_probs(logits, tok[:, t + 1])
            amax[:, t] = logits.argmax(-1)
    secs = time.time() - t0
    mask = torch.arange(T - 1)[None, :] < (lensv - 1)[:, None]
    out = {"bits_per_byte": float(bits[mask].sum() / mask.sum()), "n_predicted": int(mask.sum()),
           "seconds": secs, "tokens_run": int(lensv.sum())}
    if want_argmax:
        out["argmax"] = amax[mask].tolist()
    return out


def prompt_ids(cfg, path, max_bytes=None, bos=False):
    if cfg.tokenizer != "bytes":
        raise ValueError("--prompt-file needs a byte-tokenizer model (config.json \"tokenizer\": "
                         "\"bytes\"); this one has %r" % (cfg.tokenizer,))
    with open(path, "rb") as f:
        data = f.read()
    if max_bytes:
        data = data[:max_bytes]
    ids = list(data)
    if bos:
        ids = [int(cfg.bos if cfg.bos is not None else 0)] + ids
    return ids


# ============================================================================== dumps

def write_dump(oracle, ids, rec, out_dir):
    """Writes rec (name -> list of per-token [1, n] tensors) as an `axon ref --dump` folder."""
    os.makedirs(out_dir, exist_ok=True)
    tensors = []
    for name, rows in rec.items():
        if name.endswith("." + QUERY_SITE + ".query"):   # kept for --check-dump, not in the format
            continue
        t = torch.cat(rows, 0)
        if t.dim() == 1:
            t = t[:, None]
        dt = "i32" if t.dtype == torch.int32 else "f32"
        fn = name                       # the file is named like the tensor
        arr = t.numpy().astype("<i4" if dt == "i32" else "<f4")
        with open(os.path.join(out_dir, fn), "wb") as f:
            f.write(arr.tobytes())
        tensors.append({"name": name, "dtype": dt, "shape": list(t.shape), "file": fn})
    man = {"model": os.path.abspath(oracle.model_dir), "precision": oracle.precision,
           "k": oracle.k, "encoding": oracle.encoding, "spike": oracle.spike,
           "steps": oracle.steps, "tokens": list(ids), "tensors": tensors}
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(man, f, indent=1)


def read_dump_tensor(d, info):
    dt = {"f32": "<f4", "i32": "<i4"}[info["dtype"]]
    a = np.fromfile(os.path.join(d, info["file"]), dtype=dt)
    want = int(np.prod(info["shape"]))
    if a.size != want:
        raise ValueError("%s: %d values, shape %s needs %d" % (info["file"], a.size, info["shape"], want))
    return torch.from_numpy(a.reshape(info["shape"]).astype(np.float32 if dt == "<f4" else np.int32))


def rel_norm_rows(a, b):
    """Per-row ||a - b|| / ||b|| (f64); rows where b is zero use ||a - b||."""
    a64, b64 = a.to(F64), b.to(F64)
    num = (a64 - b64).norm(dim=-1)
    den = b64.norm(dim=-1)
    return torch.where(den > 0, num / torch.where(den > 0, den, torch.ones_like(den)), num)


STAT_KEYS = ("zero_fraction", "slot_sparsity_t3", "slot_sparsity", "spikes_per_element",
             "silent_channels", "histogram_t3")


# The end-to-end tolerance of --check-dump (a): logits and block outputs, norm-wise relative per
# token. Both sides form the same values in the same precision (f64 where semantics.md says so,
# integer accumulators for spiking projections), and the small model agrees bit for bit in fp32
# and in w8spike (observed 0 on 128 and 256 bytes of tests/data/heldout.txt), so a common-mode
# error as small as a part in a million shows.
RUN_TOL = 1e-6
# w8spike --spike none is the exception: int8 weights meet float inputs, and float sums in another
# order differ in the last bits (docs/spiking-quality.md measured 2e-7 on the small model and 8e-5
# on a W8ASpike conversion).
RUN_TOL_UNSPIKED_INT8 = 1e-4


def run_tolerance(precision, spike):
    return RUN_TOL_UNSPIKED_INT8 if precision == "w8spike" and spike == "none" else RUN_TOL


def check_manifest(man, expect, cfg):
    """What the caller asked `axon ref` for (expect: any of precision, k, encoding, steps, spike,
    and prompt_file with max_bytes and bos for the tokens) against what the dump's manifest says
    was run. Returns a list of failure messages."""
    fails = []
    for key in ("precision", "k", "encoding", "steps", "spike"):
        if key not in expect:
            continue
        want, got = expect[key], man.get(key, "(absent)")
        same = (got is None) if want is None else (got == want and got is not None)
        if key == "k" and isinstance(got, (int, float)) and want is not None:
            same = float(got) == float(want)
        if not same:
            fails.append("manifest %s is %s, but the run asked for %s" %
                         (key, json.dumps(got), "adaptive (null)" if want is None else json.dumps(want)))
    if "prompt_file" in expect:
        want = prompt_ids(cfg, expect["prompt_file"], expect.get("max_bytes"), expect.get("bos", False))
        got = [int(x) for x in man.get("tokens", [])]
        if got != want:
            n = min(len(got), len(want))
            first = next((i for i in range(n) if got[i] != want[i]), n)
            fails.append("manifest tokens are not those of %s: %d tokens there, %d from the prompt; "
                         "first difference at %d (%s against %s)" %
                         (expect["prompt_file"], len(got), len(want), first,
                          got[first] if first < len(got) else "end", want[first] if first < len(want) else "end"))
    return fails


def check_dump(dump_dir, model_override=None, verbose=True, ref_json=None, expect=None):
    """Cross-checks an `axon ref --dump` folder (and, with ref_json, the sparsity statistics of
    `axon ref --json` for the same run). expect: what the run was asked for (see
    check_manifest); the manifest must say the same. Returns (ok, summary dict)."""
    with open(os.path.join(dump_dir, "manifest.json")) as f:
        man = json.load(f)
    model_dir = model_override or man["model"]
    if not os.path.isabs(model_dir) and not os.path.exists(model_dir):
        model_dir = os.path.join(dump_dir, model_dir)
    prec = man["precision"]
    oracle = Oracle(model_dir, prec, man.get("k", 3.0), man.get("encoding", "bitwise"),
                    man.get("steps"), man.get("spike", "released"))
    ids = [int(x) for x in man["tokens"]]
    infos = {t["name"]: t for t in man["tensors"]}
    tol = run_tolerance(prec, oracle.spike)
    fails = check_manifest(man, expect or {}, oracle.cfg)
    lines = []
    if expect:
        lines.append("manifest against the request: %s" %
                     ("agrees on %s" % ", ".join(sorted("tokens" if k == "prompt_file" else k for k in expect
                                                      if k not in ("max_bytes", "bos"))) if not fails
                      else "DIFFERS"))
    summary = {"precision": prec, "tokens": len(ids)}

    # (a) whole run from the tokens
    rec = {}
    state = oracle.new_state(1)
    for pos, tkn in enumerate(ids):
        oracle.step(torch.tensor([tkn]), pos, state, None, rec)
    if "logits" not in infos:
        fails.append("dump has no logits")
    else:
        mine = torch.cat(rec["logits"], 0)
        theirs = read_dump_tensor(dump_dir, infos["logits"])
        if theirs.shape != mine.shape:
            fails.append("logits shape %s, expected %s" % (list(theirs.shape), list(mine.shape)))
        else:
            r = rel_norm_rows(mine, theirs)
            worst = float(r.max())
            summary["logits_max_rel"] = worst
            agree = float((mine.argmax(-1) == theirs.argmax(-1)).to(F64).mean())
            summary["logits_top1_agreement"] = agree
            lines.append("logits: %d tokens, max per-token relative difference %.3e (tolerance %g), "
                         "top-1 agreement %.4f" % (len(ids), worst, tol, agree))
            if not worst <= tol:
                fails.append("logits differ: token %d relative %.3e > %g" % (int(r.argmax()), worst, tol))
    worst_block = 0.0
    for i in range(oracle.cfg.n_layers):
        nm = "model.layers.%d.output" % i
        if nm not in infos:
            fails.append("the dump lacks %s" % nm)
            continue
        theirs = read_dump_tensor(dump_dir, infos[nm])
        mine = torch.cat(rec[nm], 0)
        if theirs.shape != mine.shape:
            fails.append("%s shape %s, expected %s" % (nm, list(theirs.shape), list(mine.shape)))
            continue
        r = float(rel_norm_rows(mine, theirs).max())
        worst_block = max(worst_block, r)
        if not r <= tol:
            fails.append("%s differs: relative %.3e > %g" % (nm, r, tol))
    summary["blocks_max_rel"] = worst_block
    lines.append("block outputs: %d layers, max per-token relative difference %.3e (tolerance %g)" %
                 (oracle.cfg.n_layers, worst_block, tol))

    # (b) every dumped site fed its own dumped input: counts exactly (rounding-boundary ties
    # aside), thresholds, outputs
    def canon(n):
        for al in QUERY_ALIASES[1:]:
            if n.endswith("." + al):
                return n[:-len(al)] + QUERY_SITE
        return n

    mine_sites = sorted({n[:-len(".input")] for n in rec if n.endswith(".input")})
    their_sites = sorted({n[:-len(".input")] for n in infos if n.endswith(".input")})
    for nm in mine_sites:
        if nm not in {canon(x) for x in their_sites}:
            fails.append("the dump lacks site %s" % nm)
    n_counts = n_boundary = n_mismatch_bound = n_mismatch_hard = 0
    worst_out = worst_vth = worst_out_own = worst_dense = worst_query = 0.0
    n_proj = n_dense = 0
    for nm in their_sites:
        if nm + ".output" not in infos:
            fails.append("%s: no .output" % nm)
            continue
        x = read_dump_tensor(dump_dir, infos[nm + ".input"])
        out = read_dump_tensor(dump_dir, infos[nm + ".output"])
        is_query = canon(nm).endswith("." + QUERY_SITE)
        pr = oracle.projs.get(nm)
        if pr is None and not is_query:
            fails.append("%s: not a site of this model" % nm)
            continue
        spikes_here = ("query" in oracle.spiking) if is_query else pr.mode == "spike"
        if (nm + ".counts" in infos) != spikes_here:
            fails.append("%s: %s in the dump, but it %s in this mode" %
                         (nm, "counts" if nm + ".counts" in infos else "no counts",
                          "spikes" if spikes_here else "does not spike"))
            continue
        if is_query:
            # One reading: the query site's output is the attention output before o_proj, as
            # `axon ref --dump` writes it (docs/reference.md; compiler/ref/ax_ref.h, struct
            # ax_ref_site), compared with run (a) like the block outputs. A dump that wrote the
            # query attention uses (f32(s V)) there instead is refused, and named as such.
            att_key, q_key = canon(nm) + ".output", canon(nm) + ".query"
            att = torch.cat(rec[att_key], 0) if att_key in rec else None
            r_a = float(rel_norm_rows(att, out).max()) if att is not None and att.shape == out.shape else math.inf
            worst_query = max(worst_query, r_a)
            if not r_a <= tol:
                used_q = torch.cat(rec[q_key], 0) if q_key in rec else None
                r_q = (float(rel_norm_rows(used_q, out).max())
                       if used_q is not None and used_q.shape == out.shape else math.inf)
                fails.append("%s.output is not the attention output before o_proj (relative %.3e > %g)%s"
                             % (nm, r_a, tol, "; it is the query attention uses (relative %.3e), which "
                                "is not what docs/reference.md says the site holds" % r_q
                                if r_q <= 1e-6 else ""))
        if not spikes_here:
            if pr is not None:
                n_dense += 1
                mine = pr.forward(x)
                if mine.shape != out.shape:
                    fails.append("%s.output shape %s, expected %s" % (nm, list(out.shape), list(mine.shape)))
                    continue
                r = float(rel_norm_rows(mine, out).max())
                worst_dense = max(worst_dense, r)
                if not r <= 1e-5:
                    fails.append("%s.output differs from this projection of the dumped input: %.3e" % (nm, r))
            continue
        if nm + ".vth" not in infos:
            fails.append("%s: counts without .vth" % nm)
            continue
        cnt = read_dump_tensor(dump_dir, infos[nm + ".counts"]).to(F64)
        vth = read_dump_tensor(dump_dir, infos[nm + ".vth"])
        n_tok = x.shape[0]
        if is_query:                         # spiked per head
            heads = oracle.cfg.heads
            xh = x.reshape(n_tok, heads, -1)
            v, s = encode(xh, oracle.k, oracle.limit)
            v, s = v.reshape(n_tok, heads), s.reshape(n_tok, -1)
            ratio = (xh.to(F64) / v.to(F64)[..., None]).reshape(n_tok, -1)
        else:
            v, s = encode(x, oracle.k, oracle.limit)
            ratio = x.to(F64) / v.to(F64)
        n_proj += 1
        if s.shape != cnt.shape or v.shape != vth.shape:
            fails.append("%s: shapes counts %s vth %s, expected %s %s" %
                         (nm, list(cnt.shape), list(vth.shape), list(s.shape), list(v.shape)))
            continue
        worst_vth = max(worst_vth, float(((v.to(F64) - vth.to(F64)).abs() /
                                          vth.to(F64).abs().clamp(min=1e-30)).max()))
        frac = ratio - torch.floor(ratio)
        near = (frac - 0.5).abs() <= 1e-6 * ratio.abs()
        mism = s != cnt
        n_counts += s.numel()
        n_boundary += int(near.sum())
        n_mismatch_bound += int((mism & near).sum())
        hard = int((mism & ~near).sum())
        n_mismatch_hard += hard
        if hard:
            idx = torch.nonzero(mism & ~near)[0].tolist()
            fails.append("%s: %d counts differ away from a rounding boundary (first at %s: dump %d, "
                         "oracle %d, x/V %.9g)" % (nm, hard, idx, int(cnt[tuple(idx)]),
                                                   int(s[tuple(idx)]), float(ratio[tuple(idx)])))
        if is_query:
            continue
        mine_d = pr.forward(x, (vth, cnt))            # the dumped counts and threshold
        mine_o = pr.forward(x, (v, s))                # this encoder's counts
        if out.shape != mine_d.shape:
            fails.append("%s.output shape %s, expected %s" % (nm, list(out.shape), list(mine_d.shape)))
            continue
        r = float(rel_norm_rows(mine_d, out).max())
        worst_out = max(worst_out, r)
        if not r <= 1e-5:
            fails.append("%s.output differs from the projection of the dumped counts: %.3e" % (nm, r))
        same = ~mism.any(-1)
        if bool(same.any()):
            r2 = float(rel_norm_rows(mine_o[same], out[same]).max())
            worst_out_own = max(worst_out_own, r2)
            if not r2 <= 1e-5:
                fails.append("%s.output differs (own encoder, tokens with equal counts): %.3e" % (nm, r2))
    summary.update({"spiking_sites": n_proj, "counts": n_counts, "boundary_counts": n_boundary,
                    "boundary_mismatches": n_mismatch_bound, "hard_mismatches": n_mismatch_hard,
                    "vth_max_rel": worst_vth, "outputs_max_rel": worst_out,
                    "outputs_own_max_rel": worst_out_own, "dense_sites": n_dense,
                    "dense_outputs_max_rel": worst_dense, "attention_outputs_max_rel": worst_query})
    if n_dense:
        lines.append("unspiked sites: %d, outputs from the dumped inputs max relative %.3e" %
                     (n_dense, worst_dense))
    if any(canon(n).endswith("." + QUERY_SITE) for n in their_sites):
        lines.append("SWA query sites: outputs (the attention output) max per-token relative "
                     "difference %.3e (tolerance %g)" % (worst_query, tol))
    if n_proj:
        lines.append("spiking sites: %d, counts %d, equal except %d near a rounding boundary "
                     "(%d of those differ), %d differ elsewhere; thresholds max relative %.3e; "
                     "projection outputs max relative %.3e (dumped counts), %.3e (own counts)" %
                     (n_proj, n_counts, n_boundary, n_mismatch_bound, n_mismatch_hard, worst_vth,
                      worst_out, worst_out_own))
        if n_boundary >= 1e-4 * n_counts:
            fails.append("%d counts near a rounding boundary: not below 1e-4 of %d" % (n_boundary, n_counts))
        if worst_vth > 1e-6:
            fails.append("thresholds differ: max relative %.3e" % worst_vth)
    elif prec == "w8spike" and oracle.spiking:
        fails.append("w8spike dump without any spiking site")

    # (c) optionally, the sparsity statistics `axon ref --json` printed for the same run
    if ref_json:
        with open(ref_json) as f:
            theirs = json.load(f).get("sparsity")
        mine = oracle.sparsity()
        if (theirs is None) != (mine is None):
            fails.append("sparsity: %s in %s, %s here" % ("none" if theirs is None else "some", ref_json,
                                                          "none" if mine is None else "some"))
        elif mine is not None:
            worst_stat = 0.0
            for key in STAT_KEYS:
                a_, b_ = mine[key], theirs.get(key)
                if b_ is None:
                    fails.append("sparsity: %s lacks %s" % (ref_json, key))
                    continue
                d_ = max(abs(x_ - y_) for x_, y_ in zip(a_, b_)) if isinstance(a_, list) else abs(a_ - b_)
                worst_stat = max(worst_stat, d_)
            # a count flipped at a rounding boundary moves a statistic by about 1 / counts
            stat_tol = 1e-6 + 4.0 * (n_mismatch_bound + 1) / max(mine["values"], 1)
            lines.append("sparsity statistics against %s: max difference %.3e (tolerance %.1e)" %
                         (ref_json, worst_stat, stat_tol))
            if worst_stat > stat_tol:
                fails.append("sparsity statistics differ by %.3e" % worst_stat)
            names_mine = sorted(L["name"] for L in mine["layers"])
            names_theirs = sorted(L.get("name") for L in theirs.get("layers", []))
            if names_mine != names_theirs:
                fails.append("sparsity layers differ: %s here, %s there" %
                             (sorted(set(names_mine) - set(names_theirs)),
                              sorted(set(names_theirs) - set(names_mine))))
    ok = not fails
    if verbose:
        print("check-dump %s (%s, k=%g, %s, steps=%s, spike=%s, model %s)" %
              (dump_dir, prec, oracle.k, oracle.encoding, oracle.steps, oracle.spike, model_dir))
        for ln in lines:
            print("  " + ln)
        for fl in fails:
            print("  FAIL: " + fl)
        print("check-dump: %s" % ("PASS" if ok else "FAIL"))
    summary["fails"] = fails
    return ok, summary


# ============================================================================== CLI

UNSET = object()   # --steps not given (None means adaptive)


def steps_arg(text):
    """--steps: a positive count, or "adaptive" (None)."""
    if text == "adaptive":
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a number of steps or adaptive, not %r" % text)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model")
    ap.add_argument("--prompt-file")
    # the run options default to None here, so that --check-dump compares only those given
    ap.add_argument("--precision", choices=["fp32", "w8spike"], help="default fp32")
    ap.add_argument("--k", type=float, help="default 3")
    ap.add_argument("--encoding", choices=["bitwise", "ternary", "binary"], help="default bitwise")
    ap.add_argument("--steps", type=steps_arg, default=UNSET,
                    help="fixed time steps (counts saturate), or adaptive (the default)")
    ap.add_argument("--spike", choices=["released", "paper", "none"], help="default released")
    ap.add_argument("--max-bytes", type=int, default=None)
    ap.add_argument("--bos", action="store_true", help="prepend the bos token")
    ap.add_argument("--segment", type=int, default=None,
                    help="reset the state every N predicted bytes (windows of N+1 bytes)")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--dump", help="write the run as an axon-ref-style dump folder")
    ap.add_argument("--check-dump", help="cross-check an `axon ref --dump` folder")
    ap.add_argument("--ref-json", help="with --check-dump: `axon ref --json` output of the same run, "
                    "whose sparsity statistics are compared too")
    args = ap.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.check_dump:
        expect = {key: getattr(args, key) for key in ("precision", "k", "encoding", "spike")
                  if getattr(args, key) is not None}
        if args.steps is not UNSET:
            expect["steps"] = args.steps
        if args.prompt_file:
            expect.update(prompt_file=args.prompt_file, max_bytes=args.max_bytes, bos=args.bos)
        ok, _ = check_dump(args.check_dump, args.model, ref_json=args.ref_json, expect=expect)
        return 0 if ok else 1
    if not args.model or not args.prompt_file:
        ap.error("--model and --prompt-file are needed (or --check-dump)")
    for key, default in (("precision", "fp32"), ("k", 3.0), ("encoding", "bitwise"), ("spike", "released")):
        if getattr(args, key) is None:
            setattr(args, key, default)
    if args.steps is UNSET:
        args.steps = None
    t0 = time.time()
    oracle = Oracle(args.model, args.precision, args.k, args.encoding, args.steps, args.spike)
    t_load = time.time() - t0
    ids = prompt_ids(oracle.cfg, args.prompt_file, args.max_bytes, args.bos)
    rec = {} if args.dump else None
    if args.dump and args.segment:
        ap.error("--dump runs one sequence: leave out --segment")
    res = evaluate(oracle, ids, args.segment, rec=rec)
    if args.dump:
        write_dump(oracle, ids, rec, args.dump)
    out = {"model": args.model, "precision": args.precision, "k": args.k, "encoding": args.encoding,
           "steps": args.steps, "spike": args.spike, "tokens": len(ids),
           "predicted": res["n_predicted"], "segment": args.segment,
           "bits_per_byte": res["bits_per_byte"], "load_seconds": t_load, "seconds": res["seconds"],
           "seconds_per_token": res["seconds"] / max(res["tokens_run"], 1),
           "int8_codes_outside_range": oracle.n_out_of_int8}
    sp = oracle.sparsity()
    keys = ("zero_fraction", "slot_sparsity_t3", "slot_sparsity", "spikes_per_element",
            "silent_channels", "histogram_t3", "spikes_per_element_t3", "spikes_per_nonzero_t3",
            "values_le7", "layers")
    for kk in keys:
        out[kk] = sp[kk] if sp else None
    if args.json:
        print(json.dumps(out, indent=1))
        return 0
    print("%s  %s  k=%g  %s  steps=%s  spike=%s" % (args.model, args.precision, args.k, args.encoding,
                                                   args.steps if args.steps else "adaptive", args.spike))
    print("bits per byte: %.4f over %d predicted bytes (%.2f ms per token)" %
          (res["bits_per_byte"], res["n_predicted"], 1e3 * out["seconds_per_token"]))
    if sp:
        h = sp["histogram_t3"]
        print("sparsity: zero %.2f%%  slot sparsity T=3 %.2f%% (T=%s %.2f%%)  spikes/value %.3f "
              "(T=3 window %.3f, per non-zero %.3f)  silent channels %.2f%%  |s|<=7 %.2f%%" %
              (100 * sp["zero_fraction"], 100 * sp["slot_sparsity_t3"],
               args.steps if args.steps else "adaptive", 100 * sp["slot_sparsity"],
               sp["spikes_per_element"], sp["spikes_per_element_t3"], sp["spikes_per_nonzero_t3"],
               100 * sp["silent_channels"], 100 * sp["values_le7"]))
        print("3-step window histogram (0/1/2/>=3 spikes): %.2f / %.2f / %.2f / %.2f %%" %
              tuple(100 * x for x in h))
        for L in sp["layers"]:
            print("  %-36s zero %6.2f%%  slot T=3 %6.2f%%  spikes/value %.3f  silent %6.2f%%" %
                  (L["name"], 100 * L["zero_fraction"], 100 * L["slot_sparsity_t3"],
                   L["spikes_per_element"], 100 * L["silent_channels"]))
    if args.dump:
        print("dump written to %s" % args.dump)
    return 0


if __name__ == "__main__":
    sys.exit(main())
