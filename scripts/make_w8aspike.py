#!/usr/bin/env python3
"""Convert a BF16 (or F32) SpikingBrain-7B-architecture checkpoint directory into the W8ASpike
layout (docs/sources.md: spikingbrain-code, W8ASpike/quant_linear.py and the
checkpoint's tensor names).

    make_w8aspike.py SRC_DIR OUT_DIR [--shards 3] [--group-size 128] [--no-quant] [--check]

SRC_DIR holds config.json and model.safetensors (or a sharded model.safetensors.index.json).
OUT_DIR receives:
  - config.json: a copy of the source config with "quant_weight_group_size" added (all other
    fields and their names kept, torch_dtype included, as in the released W8ASpike config);
  - model-0000i-of-0000N.safetensors, N = --shards, every tensor FP32;
  - model.safetensors.index.json with metadata.total_size (sum of tensor data bytes) and weight_map.

Conversion:
  - GLA layers: the low-rank gate gk_proj.0 [r, hidden] (no bias), gk_proj.1 [kv, r] (+bias) is
    merged into ONE gk_proj.weight = W1 @ W0 [kv, hidden] (product computed in float64, stored
    FP32) and gk_proj.bias = gk_proj.1.bias.
  - every QuantLinear weight: attn.{q,k,v,o}_proj, attn.gk_proj (merged), mlp.{gate,up}_proj AND
    mlp.down_proj, is fake-quantized with symmetric per-row, per-group-of-G scales (G = 128):
        W reshaped [out, in/G, G];  scales = amax(|W|, last axis) / 127   -> [out, in/G, 1]
        W' = round(W / scales) * scales   (round half to even, no clamp; a zero group stays zero)
    W' is stored as <name>.weight and the scales as <name>.weight_quantizer.scales. The stored
    weights are therefore already on the quantization grid (re-applying the quantizer is a no-op).
    down_proj's scales are stored like the others; the released runtime does not route down_proj
    through QuantLinear (no input spikes there), but its stored weight is the fake-quantized one.
  - biases, norms, embeddings and lm_head are only converted to FP32.
  --no-quant skips the fake quantization (merge only, no scales) for checking the merge.
  --check loads source and output with spikingbrain_torch (needs torch) and prints the largest
  logit difference on a fixed byte string, for the float and the spiking forward.

Needs only numpy and the standard library (torch only for --check).
"""

import argparse
import json
import os
import re
import shutil
import struct
import sys

import numpy as np

QUANT_SUFFIXES = ("attn.q_proj.weight", "attn.k_proj.weight", "attn.v_proj.weight",
                  "attn.o_proj.weight", "attn.gk_proj.weight", "mlp.gate_proj.weight",
                  "mlp.up_proj.weight", "mlp.down_proj.weight")


# ------------------------------------------------------------------------------ safetensors I/O

def read_safetensors(path):
    """name -> float32 numpy array (BF16, F16, F32 accepted), in file order."""
    with open(path, "rb") as f:
        buf = f.read()
    (hlen,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8:8 + hlen].decode("utf-8"))
    base = 8 + hlen
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        s, e = info["data_offsets"]
        raw = buf[base + s:base + e]
        dt = info["dtype"]
        if dt == "BF16":
            a = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        elif dt == "F16":
            a = np.frombuffer(raw, dtype="<f2").astype(np.float32)
        elif dt == "F32":
            a = np.frombuffer(raw, dtype="<f4").astype(np.float32)
        else:
            raise ValueError("%s: unsupported dtype %s" % (name, dt))
        out[name] = a.reshape(info["shape"])
    return out


def read_checkpoint(d):
    idx = os.path.join(d, "model.safetensors.index.json")
    if os.path.exists(idx):
        with open(idx) as f:
            wm = json.load(f)["weight_map"]
        sd = {}
        for shard in sorted(set(wm.values())):
            sd.update(read_safetensors(os.path.join(d, shard)))
        return sd
    return read_safetensors(os.path.join(d, "model.safetensors"))


def write_safetensors_f32(path, names, tensors):
    header, off = {}, 0
    for n in names:
        nb = tensors[n].size * 4
        header[n] = {"dtype": "F32", "shape": list(tensors[n].shape), "data_offsets": [off, off + nb]}
        off += nb
    header["__metadata__"] = {"format": "pt"}
    hj = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hj += b" " * ((-len(hj)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for n in names:
            f.write(np.ascontiguousarray(tensors[n], dtype="<f4").tobytes())
    return off


# ------------------------------------------------------------------------------ conversion

def fake_quant(w, group):
    """Symmetric per-row, per-group fake quantization. Returns (W' [out,in], scales [out,in/G,1])."""
    out_f, in_f = w.shape
    if in_f % group:
        raise ValueError("in_features %d is not a multiple of the group size %d" % (in_f, group))
    g = w.astype(np.float32).reshape(out_f, in_f // group, group)
    scales = (np.abs(g).max(axis=-1, keepdims=True) / np.float32(127.0)).astype(np.float32)
    safe = np.where(scales > 0, scales, np.float32(1.0))
    q = np.round(g / safe)                                   # numpy rounds half to even
    wq = (q * scales).astype(np.float32).reshape(out_f, in_f)
    return wq, scales


def layer_key(name):
    """Sort key: embeddings, layers in order (tensor names sorted inside a layer), norm, lm_head."""
    m = re.match(r"model\.layers\.(\d+)\.(.*)", name)
    if m:
        return (1, int(m.group(1)), m.group(2))
    if name.startswith("model.embeddings"):
        return (0, 0, name)
    if name.startswith("model.norm"):
        return (2, 0, name)
    return (3, 0, name)


def convert(src, dst, shards=3, group=128, quant=True, log=print):
    with open(os.path.join(src, "config.json")) as f:
        cfg = json.load(f)
    sd = read_checkpoint(src)
    out = {}
    for name, t in sd.items():
        if name.endswith("weight_quantizer.scales"):
            continue
        m = re.match(r"(model\.layers\.\d+\.attn\.gk_proj)\.(0|1)\.(weight|bias)$", name)
        if m:
            base = m.group(1)
            if m.group(2) == "0":
                w0 = sd[base + ".0.weight"].astype(np.float64)
                w1 = sd[base + ".1.weight"].astype(np.float64)
                out[base + ".weight"] = (w1 @ w0).astype(np.float32)
            elif m.group(3) == "bias":
                out[base + ".bias"] = t.astype(np.float32)
            continue
        out[name] = t.astype(np.float32)
    nq = 0
    if quant:
        for name in list(out):
            if name.endswith(QUANT_SUFFIXES):
                wq, sc = fake_quant(out[name], group)
                out[name] = wq
                out[name[:-len(".weight")] + ".weight_quantizer.scales"] = sc
                nq += 1
    names = sorted(out, key=layer_key)
    total = sum(out[n].size * 4 for n in names)
    shards = max(1, min(int(shards), len(names)))
    # contiguous split into `shards` parts of roughly equal byte size, none empty
    parts, cur, acc = [], [], 0
    for i, n in enumerate(names):
        cur.append(n)
        acc += out[n].size * 4
        left_names = len(names) - i - 1
        left_parts = shards - len(parts) - 1
        if left_parts > 0 and (acc >= total * (len(parts) + 1) / shards or left_names == left_parts):
            parts.append(cur)
            cur = []
    parts.append(cur)
    assert len(parts) == shards and all(parts), [len(p) for p in parts]
    os.makedirs(dst, exist_ok=True)
    weight_map = {}
    for i, part in enumerate(parts):
        fn = "model-%05d-of-%05d.safetensors" % (i + 1, shards)
        write_safetensors_f32(os.path.join(dst, fn), part, out)
        for n in part:
            weight_map[n] = fn
    with open(os.path.join(dst, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
        f.write("\n")
    cfg = dict(cfg)
    cfg["quant_weight_group_size"] = group if quant else None
    with open(os.path.join(dst, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    log("wrote %s: %d tensors (%d fake-quantized weights, group %d), %d shards, %d bytes of tensor data"
        % (dst, len(names), nq, group, shards, total))
    return total


def check(src, dst, text=None):
    """Largest |logit| difference between the source and converted checkpoints (float and spiking
    forward), on a fixed byte string longer than the sliding window. Needs torch."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import torch
    import spikingbrain_torch as sb
    a = sb.load_model(src)
    b = sb.load_model(dst)
    if text is None:
        text = (b"\x00The quick brown fox jumps over the lazy dog. " * 8)[:300]
    ids = torch.tensor([list(text)]) % a.config.vocab_size
    res = {}
    with torch.no_grad():
        for sp in ("none", "released"):
            a.set_spike(sp)
            b.set_spike(sp)
            la, lb = a(ids), b(ids)
            res[sp] = (float((la - lb).abs().max()), float(la.abs().max()),
                       float((la.argmax(-1) == lb.argmax(-1)).float().mean()))
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--shards", type=int, default=3)
    ap.add_argument("--group-size", type=int, default=128)
    ap.add_argument("--no-quant", action="store_true")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    if os.path.abspath(args.src) == os.path.abspath(args.dst):
        sys.exit("output directory must differ from the source")
    convert(args.src, args.dst, args.shards, args.group_size, quant=not args.no_quant)
    if args.check:
        for sp, (d, mx, agree) in check(args.src, args.dst).items():
            print("check spike=%-8s max |logit diff| %.4g (max |logit| %.3g), argmax agreement %.3f"
                  % (sp, d, mx, agree))


if __name__ == "__main__":
    main()
