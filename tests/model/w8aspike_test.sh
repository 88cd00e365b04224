#!/bin/sh
# The W8ASpike loader path on real trained weights: converts the small model
# into W8ASpike's sharded FP32 layout (merged gk_proj, per-group scales) in
# the build tree, never under models/, and checks that axon validates it.
# usage: w8aspike_test.sh AXON SOURCE_DIR WORK_DIR
set -eu
axon=$1
src=$2
out=$3/tiny-w8aspike
rm -rf "$out"
/usr/bin/python3 "$src/scripts/make_w8aspike.py" "$src/models/nets/spikingbrain-tiny" "$out" --shards 3
"$axon" inspect "$out" --json >"$out.json"
/usr/bin/python3 - "$out.json" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
ck = o["checkpoint"]
checks = [
    (ck["status"] == "validated", "checkpoint validated"),
    (ck["variant"] == "w8aspike", "variant detected as w8aspike"),
    (ck["shards"] == 3, "three shards"),
    (ck["dtype"] == "F32", "all tensors F32"),
    (ck["unexpected_tensors"] == 0, "no unexpected tensors"),
    # 23 tensors per GLA layer (docs/sources.md: spikingbrain-code) and 19 per SWA layer at
    # 4 layers, plus embeddings, final norm and lm_head.
    (ck["tensors"] == 2 * 23 + 2 * 19 + 3, "tensor count"),
    (o["quantizer_scales"] > 0, "quantizer scales counted apart from parameters"),
]
failed = [name for ok, name in checks if not ok]
for ok, name in checks:
    print(("ok      " if ok else "FAILED  ") + name)
print(f"{len(checks) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
PY
