#!/usr/bin/env python3
"""Reference PyTorch implementation of the SpikingBrain-7B architecture, at any size.

The graph follows the released model code, hf_7B_model/modeling_gla_swa.py of the SpikingBrain
repository, and docs/sources.md (SpikingBrain report §2.2, Fig. 3: GLA and SWA layers 1:1):

    h = model.embeddings[ids]
    for each HybridBlock i:
        r = h
        a = attn_norm(h)
        a = attn(a)              # GLA at even i, sliding-window attention (SWA) at odd i
        r = a + r                # fused add + RMSNorm (prenorm=True)
        a = mlp_norm(r)
        h = r + mlp(a)           # down(silu(gate(a)) * up(a))
    logits = lm_head(model.norm(h))

GLA layer (no RoPE, no output gate):
    q = relu(q_proj x), k = relu(k_proj x), v = v_proj x          (all with bias)
    gk = logsigmoid(gk_proj.1(gk_proj.0(x))) / gate_logit_normalizer
    per head (kv heads repeated for GQA), state S is [d_k, d_v]:
        S_t = exp(gk_t)[:, None] * S_{t-1} + k_t[:, None] * v_t[None, :]
        o_t = (q_t * head_dim**-0.5) @ S_t
    o = g_norm(o) (RMSNorm over head_dim, one weight shared by all heads); o_proj (no bias)

SWA layer:
    q, k, v projections with bias; RoPE (neox / rotate_half, full head_dim, base rope_theta,
    absolute positions); causal softmax attention, scale head_dim**-0.5, where query i sees the
    keys j with  i - sliding_window < j <= i  (sliding_window keys, the current one included;
    this is the report's formula and the window_attention_sdpa.py mask; flash-attn's
    window_size=(w, 0) would see w + 1 keys). o_proj without bias.

Spiking (docs/sources.md: SpikingBrain report §2.1.3 and §3.3; the released W8ASpike code,
quant_linear.py, is what is followed here), option spike='released':
    vth = clamp(mean(|x|, last dim) / k, 1e-5, 1e4);  s = round(x / vth) (half to even);
    x' = s * vth, with a straight-through estimator for gradients.
    Applied to the inputs of q/k/v/o/gk (gk_proj.0 or merged gk_proj) and gate/up projections.
    NOT applied to down_proj (the released GLU bypasses QuantLinear there), embeddings, lm_head.
    spike='none' disables it.  Optional swa_w8a=True adds the W8ASpike SWA extras (query spiked
    per token per head after RoPE; K and V symmetric int8 per token per head); it is off by default.

Tensor names produced by state_dict() are exactly the 7B checkpoint names (those of the released
SpikingBrain-7B safetensors, docs/sources.md).
A W8ASpike checkpoint (merged gk_proj.weight/bias, FP32, *.weight_quantizer.scales, sharded)
loads too: the scales are ignored because the stored weights are already fake-quantized.

Only torch, numpy and the standard library are used.
"""

import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# ----------------------------------------------------------------------------------------------
# configuration
# ----------------------------------------------------------------------------------------------

CONFIG_DEFAULTS = {
    "architectures": ["GLAswaForCausalLM"],
    "model_type": "gla_swa",
    "hidden_size": 3584,
    "num_hidden_layers": 28,
    "num_attention_heads": 28,
    "num_key_value_heads": 4,
    "intermediate_size": 18944,
    "vocab_size": 152064,
    "hidden_act": "swish",
    "max_position_embeddings": 131072,
    "rope_theta": 1000000.0,
    "sliding_window": 4096,
    "attn_layers": None,            # None -> odd layers list(range(1, L, 2))
    "attn_mode": "chunk",
    "use_short_conv": False,
    "conv_size": 4,
    "norm_eps": 1e-6,
    "elementwise_affine": True,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
    "initializer_range": 0.02,
    "gate_logit_normalizer": 16,
    "gate_low_rank_dim": 16,
    "bos_token_id": 151643,
    "eos_token_id": 151643,
}


class SBConfig:
    """Plain attribute bag over the 7B config.json fields (unknown fields are kept)."""

    def __init__(self, **kw):
        d = dict(CONFIG_DEFAULTS)
        d.update(kw)
        if d.get("attn_layers") is None:
            d["attn_layers"] = list(range(1, d["num_hidden_layers"], 2))
        self.__dict__.update(d)

    @property
    def head_dim(self):
        return self.hidden_size // self.num_attention_heads

    @property
    def kv_dim(self):
        return self.head_dim * self.num_key_value_heads

    def to_dict(self):
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, path):
        with open(path) as f:
            return cls(**json.load(f))

    def save(self, path):
        with open(path, "w") as f:
            json.dump(self.to_dict(), f, indent=2)
            f.write("\n")


# ----------------------------------------------------------------------------------------------
# spiking activation (W8ASpike dynamic_spikes) with straight-through estimator
# ----------------------------------------------------------------------------------------------

def spike_quant(x, k=3.0):
    """Return (spike counts s, threshold vth) as in the released dynamic_spikes: per row of the
    last dim, vth = clamp(mean|x| / k, 1e-5, 1e4), s = round(x / vth) (round half to even),
    no clipping of s."""
    vth = x.abs().mean(dim=-1, keepdim=True).float() / k
    vth = vth.clamp(min=1e-5, max=1e4)
    s = torch.round(x.float() / vth)
    return s, vth


def spike_ste(x, k=3.0):
    """x' = s * vth in the forward pass, identity gradient (straight-through estimator)."""
    s, vth = spike_quant(x.detach(), k)
    xq = (s * vth).to(x.dtype)
    return x + (xq - x).detach()


def quantize_sym_int8(x):
    """W8ASpike SWA K/V quantization: per row of the last dim, scale = amax|x|/127,
    round, clamp [-128, 127], dequantize (fake quant, STE)."""
    xd = x.detach()
    scale = (xd.abs().amax(dim=-1, keepdim=True) / 127.0).clamp(min=1e-8)
    xq = torch.clamp(torch.round(xd / scale), -128, 127) * scale
    return x + (xq - x).detach()


class SpikeAct(nn.Module):
    """Spiking site (no parameters, so no tensor names). mode: 'none' or 'released'.
    If `record` is a list, (site name, spike-count tensor) pairs are appended to it."""

    def __init__(self, name=""):
        super().__init__()
        self.site = name
        self.mode = "none"
        self.k = 3.0
        self.record = None

    def forward(self, x):
        if self.mode == "none":
            return x
        if self.mode != "released":
            raise ValueError("unknown spike mode %r" % (self.mode,))
        if self.record is not None:
            s, _ = spike_quant(x.detach(), self.k)
            self.record.append((self.site, s))
        return spike_ste(x, self.k)


# ----------------------------------------------------------------------------------------------
# building blocks
# ----------------------------------------------------------------------------------------------

class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        dt = x.dtype
        xf = x.float()
        y = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)
        return (y * self.weight.float()).to(dt)


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def rope_cos_sin(positions, head_dim, theta, dtype=torch.float32):
    """positions: 1-D long tensor. Returns cos, sin of shape [len, head_dim] (neox layout)."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
    freqs = positions.float()[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos().to(dtype), emb.sin().to(dtype)


def apply_rope(x, cos, sin):
    """x [..., L, D], cos/sin [L, D]."""
    return x * cos + rotate_half(x) * sin


# ----------------------------------------------------------------------------------------------
# GLA kernels
# ----------------------------------------------------------------------------------------------

def gla_recurrent(q, k, v, gk, scale, initial_state=None):
    """Token-by-token reference. q [B,H,L,Dk], k,gk [B,H,L,Dk], v [B,H,L,Dv] (same H: kv already
    repeated, or q grouped by the caller). Returns o [B,H,L,Dv], final state [B,H,Dk,Dv]."""
    B, H, L, Dk = q.shape
    Dv = v.shape[-1]
    S = q.new_zeros(B, H, Dk, Dv) if initial_state is None else initial_state
    outs = []
    for t in range(L):
        S = torch.exp(gk[:, :, t])[..., None] * S + k[:, :, t, :, None] * v[:, :, t, None, :]
        outs.append(torch.einsum("bhk,bhkv->bhv", q[:, :, t] * scale, S))
    return torch.stack(outs, dim=2), S


def _max_chunk_decay(gk, chunk):
    """Largest total log decay (nats, >= 0) accumulated inside one chunk, over all channels."""
    L = gk.shape[-2]
    pad = (-L) % chunk
    g = F.pad(gk.detach(), (0, 0, 0, pad)) if pad else gk.detach()
    g = g.reshape(*g.shape[:-2], (L + pad) // chunk, chunk, g.shape[-1]).sum(-2)
    return float(-g.min()) if g.numel() else 0.0


def gla_chunked(q, k, v, gk, scale, chunk=32, initial_state=None, max_spread=40.0, adaptive=True):
    """Exact chunked form of the same recurrence. Shapes as gla_recurrent; q may carry G query
    heads per state head: q [B,Hs,G,L,Dk] with k,v,gk [B,Hs,L,*] (GQA without repeating k/v).

    Within a chunk, b_t = cumsum(gk) (log decay since the chunk start, <= 0). The intra-chunk
    scores are sum_d q_t[d] k_s[d] exp(b_t[d] - b_s[d]) for s <= t. They are computed as the
    matmul (q_t exp(b_t)) . (k_s exp(-b_s)), exact in real arithmetic and accurate in fp32 while
    the total log decay inside every chunk stays below `max_spread` nats. With adaptive=True the
    chunk is halved until that holds (down to 1, where the intra-chunk term has no decay at all).
    If it still does not hold (or adaptive=False), the scores come from the explicit [C, C, Dk]
    decay tensor, which never exponentiates a positive number. Chunk-to-chunk state passing only
    uses decays <= 1. gla_chunked.stats counts the chunk sizes and paths used."""
    if adaptive:
        while chunk > 1 and _max_chunk_decay(gk, chunk) >= max_spread:
            chunk //= 2
    explicit = _max_chunk_decay(gk, chunk) >= max_spread
    key = (chunk, "explicit" if explicit else "matmul")
    gla_chunked.stats[key] = gla_chunked.stats.get(key, 0) + 1
    grouped = q.dim() == 5
    if not grouped:
        q = q.unsqueeze(2)
    B, Hs, G, L, Dk = q.shape
    Dv = v.shape[-1]
    pad = (-L) % chunk
    if pad:
        q = F.pad(q, (0, 0, 0, pad))
        k = F.pad(k, (0, 0, 0, pad))
        v = F.pad(v, (0, 0, 0, pad))
        gk = F.pad(gk, (0, 0, 0, pad))
    Lp = L + pad
    n = Lp // chunk
    C = chunk
    # [B,Hs,n,G*C,Dk] : query rows of all G heads of a chunk stacked
    q = (q * scale).reshape(B, Hs, G, n, C, Dk).permute(0, 1, 3, 2, 4, 5).reshape(B, Hs, n, G * C, Dk)
    k = k.reshape(B, Hs, n, C, Dk)
    v = v.reshape(B, Hs, n, C, Dv)
    b = gk.reshape(B, Hs, n, C, Dk).cumsum(dim=3)                  # log decay from chunk start
    bq = b.repeat(1, 1, 1, G, 1)                                    # [B,Hs,n,G*C,Dk]
    mask = torch.tril(torch.ones(C, C, dtype=torch.bool, device=q.device)).repeat(G, 1)  # [G*C, C]
    qe = q * torch.exp(bq)                                          # decay from chunk start, <= 1
    if not explicit:
        A = torch.matmul(qe, (k * torch.exp(-b)).transpose(-1, -2))  # [B,Hs,n,G*C,C]
    else:
        diff = bq[:, :, :, :, None, :] - b[:, :, :, None, :, :]      # [B,Hs,n,G*C,C,Dk]
        diff = diff.masked_fill(~mask[:, :, None], float("-inf"))
        A = (torch.exp(diff) * q[:, :, :, :, None, :] * k[:, :, :, None, :, :]).sum(-1)
    A = A.masked_fill(~mask, 0.0)
    o = torch.matmul(A, v)                                          # [B,Hs,n,G*C,Dv]
    # inter-chunk: carry the state across chunks
    S = q.new_zeros(B, Hs, Dk, Dv) if initial_state is None else initial_state
    btot = b[:, :, :, -1:, :]                                       # [B,Hs,n,1,Dk]
    ke = k * torch.exp(btot - b)                                    # decay to the chunk end, <= 1
    inter = []
    for i in range(n):
        inter.append(torch.matmul(qe[:, :, i], S))
        S = torch.exp(btot[:, :, i, 0])[..., None] * S + torch.matmul(ke[:, :, i].transpose(-1, -2), v[:, :, i])
    o = o + torch.stack(inter, dim=2)
    o = o.reshape(B, Hs, n, G, C, Dv).permute(0, 1, 3, 2, 4, 5).reshape(B, Hs, G, Lp, Dv)[:, :, :, :L]
    if not grouped:
        o = o.squeeze(2)
    return o, S


gla_chunked.stats = {}


# ----------------------------------------------------------------------------------------------
# attention layers
# ----------------------------------------------------------------------------------------------

class GatedLinearAttention(nn.Module):
    def __init__(self, cfg, merged_gk=False):
        super().__init__()
        self.cfg = cfg
        H, D, kv = cfg.num_attention_heads, cfg.head_dim, cfg.kv_dim
        self.num_heads, self.num_kv_heads, self.head_dim = H, cfg.num_key_value_heads, D
        self.q_proj = nn.Linear(cfg.hidden_size, H * D, bias=True)
        self.k_proj = nn.Linear(cfg.hidden_size, kv, bias=True)
        self.v_proj = nn.Linear(cfg.hidden_size, kv, bias=True)
        self.merged_gk = merged_gk
        if merged_gk:   # W8ASpike: one QuantLinear(hidden -> kv_dim, bias)
            self.gk_proj = nn.Linear(cfg.hidden_size, kv, bias=True)
        else:
            self.gk_proj = nn.Sequential(
                nn.Linear(cfg.hidden_size, cfg.gate_low_rank_dim, bias=False),
                nn.Linear(cfg.gate_low_rank_dim, kv, bias=True))
        self.g_norm = RMSNorm(D, eps=cfg.norm_eps)
        self.o_proj = nn.Linear(H * D, cfg.hidden_size, bias=False)
        self.spk_in = SpikeAct("attn.in")     # input of q/k/v/gk projections
        self.spk_o = SpikeAct("attn.o")       # input of o_proj
        self.chunk = 32

    def _project(self, x):
        B, L, _ = x.shape
        Hk, D = self.num_kv_heads, self.head_dim
        G = self.num_heads // Hk
        xs = self.spk_in(x)
        q = F.relu(self.q_proj(xs)).view(B, L, Hk, G, D).permute(0, 2, 3, 1, 4)   # [B,Hk,G,L,D]
        k = F.relu(self.k_proj(xs)).view(B, L, Hk, D).transpose(1, 2)             # [B,Hk,L,D]
        v = self.v_proj(xs).view(B, L, Hk, D).transpose(1, 2)
        gk = F.logsigmoid(self.gk_proj(xs).float()) / self.cfg.gate_logit_normalizer
        gk = gk.view(B, L, Hk, D).transpose(1, 2)
        return q, k, v, gk

    def _output(self, o):
        # o [B,Hk,G,L,D] -> heads ordered h = kv_head * G + g (repeat_kv order)
        B, Hk, G, L, D = o.shape
        o = self.g_norm(o)
        o = o.permute(0, 3, 1, 2, 4).reshape(B, L, Hk * G * D)
        return self.o_proj(self.spk_o(o))

    def forward(self, x, positions=None, mode="chunk"):
        q, k, v, gk = self._project(x)
        scale = self.head_dim ** -0.5
        if mode == "chunk":
            o, _ = gla_chunked(q.float(), k.float(), v.float(), gk, scale, chunk=self.chunk)
        else:   # token-by-token recurrence on repeated heads, exactly as written in the doc
            B, Hk, G, L, D = q.shape
            rep = lambda t: t.repeat_interleave(G, dim=1)
            o, _ = gla_recurrent(q.reshape(B, Hk * G, L, D).float(), rep(k).float(),
                                 rep(v).float(), rep(gk), scale)
            o = o.view(B, Hk, G, L, D)
        return self._output(o.to(x.dtype))

    def step(self, x, state, pos):
        """x [B,1,hidden]; state: dict with 'S' [B,Hk,D,D] or empty."""
        q, k, v, gk = self._project(x)
        B, Hk, G, _, D = q.shape
        S = state.get("S")
        if S is None:
            S = x.new_zeros(B, Hk, D, D, dtype=torch.float32)
        S = torch.exp(gk[:, :, 0])[..., None] * S + k[:, :, 0, :, None].float() * v[:, :, 0, None, :].float()
        o = torch.einsum("bhgk,bhkv->bhgv", q[:, :, :, 0].float() * (D ** -0.5), S)
        state["S"] = S
        return self._output(o[:, :, :, None, :].to(x.dtype))


class SlidingWindowAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        H, D, kv = cfg.num_attention_heads, cfg.head_dim, cfg.kv_dim
        self.num_heads, self.num_kv_heads, self.head_dim = H, cfg.num_key_value_heads, D
        self.q_proj = nn.Linear(cfg.hidden_size, H * D, bias=True)
        self.k_proj = nn.Linear(cfg.hidden_size, kv, bias=True)
        self.v_proj = nn.Linear(cfg.hidden_size, kv, bias=True)
        self.o_proj = nn.Linear(H * D, cfg.hidden_size, bias=False)
        self.spk_in = SpikeAct("attn.in")
        self.spk_o = SpikeAct("attn.o")
        self.swa_w8a = False   # W8ASpike SWA extras (query spikes, int8 K/V); off by default

    def _qkv(self, x, positions):
        B, L, _ = x.shape
        H, Hk, D = self.num_heads, self.num_kv_heads, self.head_dim
        xs = self.spk_in(x)
        q = self.q_proj(xs).view(B, L, H, D).transpose(1, 2)
        k = self.k_proj(xs).view(B, L, Hk, D).transpose(1, 2)
        v = self.v_proj(xs).view(B, L, Hk, D).transpose(1, 2)
        cos, sin = rope_cos_sin(positions, D, self.cfg.rope_theta, dtype=q.dtype)
        q = apply_rope(q, cos, sin)
        k = apply_rope(k, cos, sin)
        if self.swa_w8a:
            q = spike_ste(q, 3.0)
            k = quantize_sym_int8(k)
            v = quantize_sym_int8(v)
        return q, k, v

    def forward(self, x, positions=None, mode="chunk"):
        B, L, _ = x.shape
        if positions is None:
            positions = torch.arange(L)
        q, k, v = self._qkv(x, positions)
        G = self.num_heads // self.num_kv_heads
        k = k.repeat_interleave(G, dim=1)
        v = v.repeat_interleave(G, dim=1)
        i = positions[:, None]
        j = positions[None, :]
        allowed = (j <= i) & (j > i - self.cfg.sliding_window)
        att = torch.matmul(q, k.transpose(-1, -2)) * (self.head_dim ** -0.5)
        att = att.float().masked_fill(~allowed, float("-inf"))
        p = torch.softmax(att, dim=-1).to(q.dtype)
        o = torch.matmul(p, v)
        o = o.transpose(1, 2).reshape(B, L, self.num_heads * self.head_dim)
        return self.o_proj(self.spk_o(o))

    def step(self, x, state, pos):
        """x [B,1,hidden]; state holds the last <= sliding_window post-RoPE keys and values."""
        B = x.shape[0]
        q, k, v = self._qkv(x, torch.tensor([pos]))
        if "k" in state:
            k = torch.cat([state["k"], k], dim=2)
            v = torch.cat([state["v"], v], dim=2)
        w = self.cfg.sliding_window
        k, v = k[:, :, -w:], v[:, :, -w:]       # w keys, the current one included
        state["k"], state["v"] = k, v
        G = self.num_heads // self.num_kv_heads
        kr = k.repeat_interleave(G, dim=1)
        vr = v.repeat_interleave(G, dim=1)
        att = torch.matmul(q, kr.transpose(-1, -2)) * (self.head_dim ** -0.5)
        p = torch.softmax(att.float(), dim=-1).to(q.dtype)
        o = torch.matmul(p, vr).transpose(1, 2).reshape(B, 1, self.num_heads * self.head_dim)
        return self.o_proj(self.spk_o(o))


class GLU(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.gate_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.up_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.down_proj = nn.Linear(cfg.intermediate_size, cfg.hidden_size, bias=False)
        self.spk_in = SpikeAct("mlp.in")     # input of gate/up (down_proj is not spiked)

    def forward(self, x):
        xs = self.spk_in(x)
        return self.down_proj(F.silu(self.gate_proj(xs)) * self.up_proj(xs))


class HybridBlock(nn.Module):
    def __init__(self, cfg, layer_idx, merged_gk=False):
        super().__init__()
        self.layer_idx = layer_idx
        self.is_swa = layer_idx in cfg.attn_layers
        self.attn_norm = RMSNorm(cfg.hidden_size, eps=cfg.norm_eps)
        if self.is_swa:
            self.attn = SlidingWindowAttention(cfg)
        else:
            self.attn = GatedLinearAttention(cfg, merged_gk=merged_gk)
        self.mlp_norm = RMSNorm(cfg.hidden_size, eps=cfg.norm_eps)
        self.mlp = GLU(cfg)

    def _finish(self, a, r):
        r = a + r
        a = self.mlp_norm(r)
        return r + self.mlp(a)

    def forward(self, h, positions=None, mode="chunk"):
        a = self.attn(self.attn_norm(h), positions, mode)
        return self._finish(a, h)

    def step(self, h, state, pos):
        a = self.attn.step(self.attn_norm(h), state, pos)
        return self._finish(a, h)


class GLAswaModel(nn.Module):
    def __init__(self, cfg, merged_gk=False):
        super().__init__()
        self.embeddings = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.layers = nn.ModuleList(
            [HybridBlock(cfg, i, merged_gk) for i in range(cfg.num_hidden_layers)])
        self.norm = RMSNorm(cfg.hidden_size, eps=cfg.norm_eps)


class GLAswaForCausalLM(nn.Module):
    def __init__(self, cfg, merged_gk=False):
        super().__init__()
        if isinstance(cfg, dict):
            cfg = SBConfig(**cfg)
        self.config = cfg
        self.model = GLAswaModel(cfg, merged_gk)
        self.lm_head = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)

    # -- options -----------------------------------------------------------------------------
    def spike_sites(self):
        for name, m in self.named_modules():
            if isinstance(m, SpikeAct):
                yield name, m

    def set_spike(self, mode="released", k=3.0, record=None):
        """mode 'none' or 'released' (W8ASpike dynamic_spikes on q/k/v/o/gk/gate/up inputs)."""
        for name, m in self.spike_sites():
            m.mode, m.k, m.record = mode, float(k), record
            m.site = name
        return self

    def set_swa_w8a(self, on=True):
        for layer in self.model.layers:
            if layer.is_swa:
                layer.attn.swa_w8a = bool(on)
        return self

    def init_weights(self, seed=None):
        if seed is not None:
            torch.manual_seed(seed)
        std = self.config.initializer_range
        nl = self.config.num_hidden_layers
        for name, p in self.named_parameters():
            if name.endswith("norm.weight"):
                nn.init.ones_(p)
            elif name.endswith(".bias"):
                nn.init.zeros_(p)
            elif name.endswith("o_proj.weight") or name.endswith("down_proj.weight"):
                nn.init.normal_(p, 0.0, std / math.sqrt(2 * nl))
            else:
                nn.init.normal_(p, 0.0, std)
        return self

    # -- forward -----------------------------------------------------------------------------
    def forward(self, input_ids, mode="chunk"):
        """Parallel (whole sequence) forward; input_ids [B, L] long. mode 'chunk' (chunked GLA)
        or 'recurrent' (token-by-token GLA scan). Returns logits [B, L, vocab] (fp32)."""
        L = input_ids.shape[1]
        positions = torch.arange(L)
        h = self.model.embeddings(input_ids)
        for layer in self.model.layers:
            h = layer(h, positions, mode)
        h = self.model.norm(h)
        return self.lm_head(h).float()

    def new_state(self):
        return [dict() for _ in self.model.layers]

    def step(self, token_ids, state, pos):
        """One decoding step. token_ids [B] long at absolute position pos; state from
        new_state(), updated in place. Returns logits [B, vocab] (fp32)."""
        h = self.model.embeddings(token_ids[:, None])
        for layer, st in zip(self.model.layers, state):
            h = layer.step(h, st, pos)
        return self.lm_head(self.model.norm(h)).float()[:, 0]

    @torch.no_grad()
    def generate(self, prompt_ids, max_new_tokens=64, eos_token_id=None, temperature=0.0, seed=0):
        """Greedy (temperature 0) or sampled generation with the step() path. Returns a list."""
        g = torch.Generator().manual_seed(seed)
        state = self.new_state()
        ids = list(prompt_ids)
        logits = None
        for pos, t in enumerate(ids):
            logits = self.step(torch.tensor([t]), state, pos)
        out = []
        for _ in range(max_new_tokens):
            if temperature <= 0:
                nxt = int(torch.argmax(logits[0]))
            else:
                p = torch.softmax(logits[0] / temperature, dim=-1)
                nxt = int(torch.multinomial(p, 1, generator=g))
            if eos_token_id is not None and nxt == eos_token_id:
                break
            out.append(nxt)
            logits = self.step(torch.tensor([nxt]), state, len(ids) + len(out) - 1)
        return out


# ----------------------------------------------------------------------------------------------
# evaluation
# ----------------------------------------------------------------------------------------------

@torch.no_grad()
def bits_per_byte(model, data, seq_len=256, batch=16, max_bytes=None):
    """Held-out bits per byte. `data` is a bytes object (or 1-D uint8 array). The stream is cut
    into consecutive segments of seq_len+1 bytes overlapping by one byte; each segment starts with
    an empty state, and every byte except the very first one of the stream is predicted once."""
    arr = np.frombuffer(bytes(data), dtype=np.uint8) if not isinstance(data, np.ndarray) else data
    if max_bytes is not None:
        arr = arr[:max_bytes]
    n = len(arr) - 1
    starts = list(range(0, n, seq_len))
    total_nll, total_cnt = 0.0, 0
    model.eval()
    full = [s for s in starts if s + seq_len + 1 <= len(arr)]
    rest = [s for s in starts if s + seq_len + 1 > len(arr)]
    for i in range(0, len(full), batch):
        idx = full[i:i + batch]
        seg = torch.from_numpy(np.stack([arr[s:s + seq_len + 1] for s in idx]).astype(np.int64))
        logits = model(seg[:, :-1])
        nll = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), seg[:, 1:].reshape(-1),
                              reduction="sum")
        total_nll += float(nll)
        total_cnt += seg[:, 1:].numel()
    for s in rest:
        seg = torch.from_numpy(arr[s:].astype(np.int64))[None]
        if seg.shape[1] < 2:
            continue
        logits = model(seg[:, :-1])
        total_nll += float(F.cross_entropy(logits[0], seg[0, 1:], reduction="sum"))
        total_cnt += seg.shape[1] - 1
    return total_nll / total_cnt / math.log(2)


# ----------------------------------------------------------------------------------------------
# self-checks (callable from tests)
# ----------------------------------------------------------------------------------------------

def check_gla_chunked_vs_recurrent(seed=0, B=2, H=3, L=53, Dk=8, Dv=6, chunk=16):
    """Max abs difference (float64) between the chunked GLA and the token-by-token recurrence on
    random inputs, with mild gates (fast factorized path) and very strong decays (explicit
    path), with an initial state, a ragged last chunk and grouped query heads. Returns a float."""
    g = torch.Generator().manual_seed(seed)
    err = 0.0
    for zscale in (3.0, 40.0, 120.0, 400.0):
        q = torch.relu(torch.randn(B, H, L, Dk, generator=g, dtype=torch.float64))
        k = torch.relu(torch.randn(B, H, L, Dk, generator=g, dtype=torch.float64))
        v = torch.randn(B, H, L, Dv, generator=g, dtype=torch.float64)
        z = torch.randn(B, H, L, Dk, generator=g, dtype=torch.float64) * zscale
        gk = F.logsigmoid(z) / 16
        s0 = torch.randn(B, H, Dk, Dv, generator=g, dtype=torch.float64)
        o1, S1 = gla_recurrent(q, k, v, gk, Dk ** -0.5, initial_state=s0)
        # default (matmul path, chunk halved as needed), explicit path at the full chunk size,
        # and the smallest chunk
        for ms, ad in ((40.0, True), (0.0, False), (0.0, True)):
            o2, S2 = gla_chunked(q, k, v, gk, Dk ** -0.5, chunk=chunk, initial_state=s0,
                                 max_spread=ms, adaptive=ad)
            err = max(err, float((o1 - o2).abs().max()), float((S1 - S2).abs().max()))
        # grouped-query layout: G query heads share one state head
        qg = torch.relu(torch.randn(B, H, 2, L, Dk, generator=g, dtype=torch.float64))
        og, _ = gla_chunked(qg, k, v, gk, Dk ** -0.5, chunk=chunk, initial_state=s0)
        for j in range(2):
            oj, _ = gla_recurrent(qg[:, :, j], k, v, gk, Dk ** -0.5, initial_state=s0)
            err = max(err, float((og[:, :, j] - oj).abs().max()))
    return err


@torch.no_grad()
def check_model_paths(model=None, L=None, seed=0, spike="none"):
    """Compare, on random byte ids longer than the sliding window, the logits of (a) the parallel
    forward with chunked GLA, (b) the parallel forward with the token-by-token GLA recurrence and
    (c) step-by-step decoding with a GLA state and a sliding KV cache. Returns
    (max|a-b|, max|a-c|). With model=None a small random model is built."""
    if model is None:
        cfg = SBConfig(hidden_size=64, num_hidden_layers=4, num_attention_heads=4,
                       num_key_value_heads=2, intermediate_size=128, vocab_size=256,
                       sliding_window=8, rope_theta=10000.0, max_position_embeddings=256)
        model = GLAswaForCausalLM(cfg).init_weights(seed)
        # make the random model non-trivial: larger weights and gate biases
        for n, p in model.named_parameters():
            if n.endswith("weight") and "norm" not in n:
                p.mul_(5.0)
    model.eval()
    old = [(m, m.mode) for _, m in model.spike_sites()]
    model.set_spike(spike)
    cfg = model.config
    if L is None:
        L = cfg.sliding_window * 2 + 13
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, cfg.vocab_size, (1, L), generator=g)
    a = model(ids, mode="chunk")
    b = model(ids, mode="recurrent")
    state = model.new_state()
    c = torch.stack([model.step(ids[:, t], state, t) for t in range(L)], dim=1)
    for m, mode in old:
        m.mode = mode
    return float((a - b).abs().max()), float((a - c).abs().max())


# ----------------------------------------------------------------------------------------------
# safetensors (minimal reader / writer)
# ----------------------------------------------------------------------------------------------

_ST_DTYPES = {"F32": (np.float32, 4), "F16": (np.float16, 2), "BF16": (np.uint16, 2),
              "I64": (np.int64, 8), "I32": (np.int32, 4), "I16": (np.int16, 2),
              "I8": (np.int8, 1), "U8": (np.uint8, 1), "F64": (np.float64, 8)}


def save_safetensors(path, tensors, dtype="BF16", metadata=None):
    """tensors: dict name -> torch tensor (any float dtype). dtype 'BF16' or 'F32' for all.
    Names are written in sorted order; the JSON header is padded with spaces to 8 bytes."""
    header = {}
    blobs = []
    off = 0
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        if dtype == "BF16":
            raw = t.to(torch.bfloat16).view(torch.int16).numpy().astype("<i2").tobytes()
        elif dtype == "F32":
            raw = t.to(torch.float32).numpy().astype("<f4").tobytes()
        else:
            raise ValueError(dtype)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    header["__metadata__"] = dict(metadata or {"format": "pt"})
    hj = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hj += b" " * ((-len(hj)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for raw in blobs:
            f.write(raw)
    return 8 + len(hj) + off


def load_safetensors(path):
    """Returns dict name -> float32 torch tensor (BF16/F16/F32 decoded exactly)."""
    with open(path, "rb") as f:
        buf = f.read()
    (hlen,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8:8 + hlen].decode("utf-8"))
    base = 8 + hlen
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        npdt, _ = _ST_DTYPES[info["dtype"]]
        s, e = info["data_offsets"]
        arr = np.frombuffer(buf, dtype=np.dtype(npdt).newbyteorder("<"), count=(e - s) // np.dtype(npdt).itemsize,
                            offset=base + s)
        if info["dtype"] == "BF16":
            arr = (arr.astype(np.uint32) << 16).view(np.float32)
        t = torch.from_numpy(arr.astype(np.float32).reshape(info["shape"]).copy())
        out[name] = t
    return out


def load_state_dict_dir(path):
    """Reads model.safetensors or a sharded model.safetensors.index.json from a directory."""
    idx = os.path.join(path, "model.safetensors.index.json")
    if os.path.exists(idx):
        with open(idx) as f:
            wm = json.load(f)["weight_map"]
        sd = {}
        for shard in sorted(set(wm.values())):
            sd.update(load_safetensors(os.path.join(path, shard)))
        return sd
    return load_safetensors(os.path.join(path, "model.safetensors"))


def load_model(path, spike="none", k=3.0):
    """Build a GLAswaForCausalLM from <path>/config.json and its safetensors (single file or
    sharded). Weights are converted to float32. A W8ASpike directory (merged gk_proj, scales)
    is accepted: the *.weight_quantizer.scales tensors are ignored."""
    cfg = SBConfig.from_json(os.path.join(path, "config.json"))
    sd = load_state_dict_dir(path)
    merged = any(n.endswith("attn.gk_proj.weight") for n in sd)
    model = GLAswaForCausalLM(cfg, merged_gk=merged)
    sd = {n: t for n, t in sd.items() if not n.endswith("weight_quantizer.scales")}
    missing, unexpected = model.load_state_dict(sd, strict=False)
    if missing or unexpected:
        raise ValueError("checkpoint mismatch: missing %s unexpected %s" % (missing, unexpected))
    model.set_spike(spike, k)
    model.eval()
    return model


def save_model(model, path, dtype="BF16"):
    """Writes config.json and model.safetensors (all tensors in `dtype`)."""
    os.makedirs(path, exist_ok=True)
    model.config.save(os.path.join(path, "config.json"))
    return save_safetensors(os.path.join(path, "model.safetensors"), model.state_dict(), dtype)


if __name__ == "__main__":
    d = check_gla_chunked_vs_recurrent()
    print("chunked vs recurrent GLA max abs diff: %.3e" % d)
    for sp in ("none", "released"):
        ab, ac = check_model_paths(spike=sp)
        print("spike=%s: parallel chunk vs recurrent %.3e, parallel vs step decode %.3e" % (sp, ab, ac))
