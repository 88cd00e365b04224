#!/usr/bin/env python3
"""Writes BF16 bit pattern BITS (hex) over elements of the tensors of a
safetensors file whose names contain PART: element INDEX, or every element
with INDEX 'all'. usage: poison.py FILE PART BITS INDEX"""
import json
import struct
import sys

path, part, bits, index = sys.argv[1], sys.argv[2], int(sys.argv[3], 16), sys.argv[4]
data = bytearray(open(path, "rb").read())
n = struct.unpack("<Q", data[:8])[0]
header = json.loads(data[8:8 + n])
base = 8 + n
hit = 0
for name, t in header.items():
    if name == "__metadata__" or part not in name:
        continue
    assert t["dtype"] == "BF16", (name, t["dtype"])
    b, e = t["data_offsets"]
    elems = range((e - b) // 2) if index == "all" else [int(index)]
    for i in elems:
        struct.pack_into("<H", data, base + b + 2 * i, bits)
    hit += 1
assert hit, "no tensor name contains " + part
open(path, "wb").write(data)
