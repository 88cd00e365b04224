#!/bin/sh
# axon run and axon sim on the trained small model: a validated functional
# run with every report, the same figures from a compiled program, a
# counting run from the functional run's profile, and the errors.
# usage: cli_test.sh AXON SOURCE_DIR OUT_DIR
set -u
axon=$1
src=$2
out=$3
rm -rf "$out"
mkdir -p "$out"
. "$src/tests/check.sh"

tiny="$src/models/nets/spikingbrain-tiny"
chip="$src/models/chips/loihi2-like.yaml"
head -c 48 "$src/tests/data/heldout.txt" >"$out/prompt.txt"

# 1. functional run with every report
"$axon" run "$tiny" --chip "$chip" --prompt-file "$out/prompt.txt" --report "$out/r.json" \
    --html "$out/r.html" --csv "$out/csv" --write-profile "$out/profile.json" >"$out/summary.txt" 2>"$out/err.txt"
check "run exits 0" $?
grep -q "bit exact" "$out/summary.txt"
check "the summary names the validation" $?
python3 - "$out/r.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
need = {
    "model": ["name", "params"], "chip": ["name", "chips_used", "cores_used"],
    "run": ["mode", "engine", "timing", "tokens", "encoding", "k", "spike"],
    "sparsity": ["zero_fraction", "slot_sparsity_t3", "spikes_per_element", "silent_channels",
                 "sop_per_token", "dense_mac_per_token", "layers"],
    "latency": ["cycles", "seconds", "seconds_per_token", "layers"],
    "energy": ["total_j", "per_token_j", "breakdown_j", "ledger", "idealized"],
    "validation": ["reference", "bit_exact", "max_rel_err"],
}
assert r["schema"] == "axon-report/1", r["schema"]
for k, sub in need.items():
    for s in sub:
        assert s in r[k], (k, s)
cats = ["synapse", "dendrite", "soma", "dense", "sram", "dram", "noc", "interchip", "static", "sync"]
b = r["energy"]["breakdown_j"]
assert sorted(b) == sorted(cats), sorted(b)
total = r["energy"]["total_j"]
assert abs(sum(b.values()) - total) <= 1e-9 * total, (sum(b.values()), total)
assert r["validation"]["bit_exact"] is True, r["validation"]
assert r["validation"]["max_rel_err"] <= 1e-5
assert r["run"]["mode"] == "functional" and r["run"]["tokens"] == 48
for l in r["sparsity"]["layers"]:
    for k in ["name", "zero_fraction", "slot_sparsity_t3", "spikes_per_element"]:
        assert k in l, k
    for k in ["zero_fraction", "slot_sparsity_t3", "silent_channels"]:
        assert 0 <= l[k] <= 1, (k, l[k])
for f in ["spiking_j", "fp16_mac_j", "int8_mac_j"]:
    assert r["energy"]["idealized"][f] > 0, f
# a reader can redo the arithmetic: each item is count x unit cost
for cat, v in r["energy"]["ledger"].items():
    s = 0.0
    for it in v["items"]:
        assert abs(it["count"] * it["unit_j"] - it["energy_j"]) <= 1e-12 * max(1e-30, abs(it["energy_j"])), it
        s += it["energy_j"]
    assert abs(s - b[cat]) <= 1e-9 * max(1e-30, b[cat]), (cat, s, b[cat])
EOF
check "the JSON report has every key, sums and validates" $?
for f in layers.csv cores.csv steps.csv; do
    [ -s "$out/csv/$f" ]
    check "csv $f written" $?
done
grep -q "<svg" "$out/r.html"
check "the HTML report has charts" $?

# 2. the same run from a compiled program gives the same figures
"$axon" compile "$tiny" --chip "$chip" -o "$out/tiny.axb" 2>"$out/err.txt"
check "compile -o exits 0" $?
"$axon" sim "$out/tiny.axb" --prompt-file "$out/prompt.txt" --report "$out/s.json" --quiet 2>"$out/err.txt"
check "sim exits 0" $?
python3 - "$out/r.json" "$out/s.json" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["energy"]["breakdown_j"] == b["energy"]["breakdown_j"]
assert a["latency"]["cycles"] == b["latency"]["cycles"]
EOF
check "sim of the program equals run" $?

# 2b. on routers that replicate packets one emission feeds q, k, v and gk
# (gate and up): the projections it fed still read their site, and the
# profile is the same as without multicast, byte for byte
sed -e 's/multicast: false/multicast: true /' "$chip" >"$out/multicast.yaml"
"$axon" run "$tiny" --chip "$out/multicast.yaml" --prompt-file "$out/prompt.txt" \
    --write-profile "$out/profile-mc.json" --quiet 2>"$out/err.txt" &&
    grep -q '"model.layers.0.attn.k_proj"' "$out/profile-mc.json" &&
    cmp "$out/profile.json" "$out/profile-mc.json" >/dev/null
check "a multicast run's profile names every projection, as a unicast run's" $?

# 2c. dataflow synchronisation: the same values, validated bit for bit, the
# same events and work; each core waits only for the cores that send it
# spikes, so the run is faster, and handshakes replace the barriers
"$axon" sim "$out/tiny.axb" --prompt-file "$out/prompt.txt" --sync dataflow \
    --report "$out/d.json" --quiet 2>"$out/err.txt"
check "sim --sync dataflow exits 0" $?
python3 - "$out/s.json" "$out/d.json" <<'EOF'
import json, sys
b, d = (json.load(open(p)) for p in sys.argv[1:3])
assert b["run"]["sync"] == "barrier" and d["run"]["sync"] == "dataflow"
assert d["validation"]["bit_exact"] is True and d["validation"]["mismatches"] == 0
assert d["sparsity"] == b["sparsity"]
count = lambda r, cat, item: next(i["count"] for i in r["energy"]["ledger"][cat]["items"]
                                  if i["name"] == item)
for cat, item in (("synapse", "process_spike"), ("soma", "spike_out"), ("dense", "mac")):
    assert count(d, cat, item) == count(b, cat, item), item
assert count(b, "sync", "barrier") > 0 and count(b, "sync", "handshake") == 0
assert count(d, "sync", "barrier") == 0 and count(d, "sync", "handshake") > 0
# every handshake is one more packet in and out
extra = count(d, "noc", "message_in") - count(b, "noc", "message_in")
assert extra == count(d, "sync", "handshake"), extra
assert d["latency"]["cycles"] < b["latency"]["cycles"], (d["latency"]["cycles"], b["latency"]["cycles"])
EOF
check "dataflow: the same values and work, faster, handshakes for barriers" $?
"$axon" sim "$out/tiny.axb" --tokens 1 --mode counting --sync dataflow >"$out/d.txt" 2>&1 &&
    grep -q "dataflow sync (the chip gives no handshake cost: 0 J, 0 s)" "$out/d.txt" &&
    ! grep -q "handshake cost" "$out/summary.txt"
check "a chip without sync.handshake: a dataflow run's summary says its handshakes cost nothing" $?
# 2d. a prefill: the first 40 tokens as a pipeline, the rest one at a time;
# every token's logits validated bit for bit (a prefill token's read from
# each core as it halts it); the prefill reported apart, faster and cheaper
# a token
"$axon" sim "$out/tiny.axb" --prompt-file "$out/prompt.txt" --prefill 40 \
    --report "$out/p.json" --html "$out/p.html" >"$out/p.txt" 2>"$out/err.txt"
check "sim --prefill exits 0" $?
grep -q "prefill .* 40 tokens as a pipeline: first token after" "$out/p.txt" &&
    grep -q "prefill</td><td>40 tokens as a pipeline: first token after" "$out/p.html"
check "the summary and the HTML report the prefill" $?
python3 - "$out/s.json" "$out/p.json" <<'EOF'
import json, sys
s, p = (json.load(open(f)) for f in sys.argv[1:3])
pf, v = p["prefill"], p["validation"]
assert s["prefill"] is None and pf["tokens"] == 40 and p["run"]["tokens"] == s["run"]["tokens"]
vocab = s["validation"]["values_checked"] // s["run"]["tokens"]
assert v["bit_exact"] is True and v["values_checked"] == p["run"]["tokens"] * vocab
assert p["sparsity"] == s["sparsity"]
gen = pf["generation"]
assert gen["tokens"] == p["run"]["tokens"] - 40
assert pf["time_to_first_token_s"] < 40 * s["latency"]["seconds_per_token"]
assert pf["energy_per_token_j"] < gen["energy_per_token_j"]
assert pf["bound_s"] <= pf["time_to_first_token_s"]
assert abs(p["latency"]["seconds"] - pf["time_to_first_token_s"]
           - gen["tokens"] * gen["seconds_per_token"]) < 1e-12
EOF
check "prefill: the same values and work, reported apart, faster and cheaper a token" $?
"$axon" sim "$out/tiny.axb" --prompt-file "$out/prompt.txt" --prefill 100 >/dev/null 2>"$out/err.txt"
[ $? -eq 1 ] && grep -q -- "--prefill 100: the run has 48 tokens" "$out/err.txt"
check "a prefill longer than the run says so" $?
# 2e. a batch: the prompt cut into two sequences of 24, each with its own
# state (a program compiled with --batch 2), interleaved through the chip
# after a prefill of 4 each; each sequence bit exact against its own
# reference; more tokens a second and less energy a token than one sequence
"$axon" compile "$tiny" --chip "$chip" --batch 2 -o "$out/tiny-b2.axb" 2>"$out/err.txt"
check "compile --batch 2 exits 0" $?
"$axon" sim "$out/tiny-b2.axb" --prompt-file "$out/prompt.txt" --batch 2 --prefill 4 \
    --report "$out/b.json" --html "$out/b.html" >"$out/b.txt" 2>"$out/err.txt"
check "sim --batch 2 exits 0" $?
grep -q "batch .* 2 sequences of 20 tokens interleaved: .* per token of a sequence" "$out/b.txt" &&
    grep -q "batch</td><td>2 sequences of 20 tokens interleaved" "$out/b.html"
check "the summary and the HTML report the batch" $?
python3 - "$out/s.json" "$out/b.json" <<'EOF'
import json, sys
s, b = (json.load(open(f)) for f in sys.argv[1:3])
v, bt = b["validation"], b["batch"]
vocab = s["validation"]["values_checked"] // s["run"]["tokens"]
assert b["run"]["batch"] == 2 and s["run"]["batch"] == 1 and s["batch"] is None
assert b["run"]["tokens"] == 48 and b["prefill"]["tokens"] == 8
assert bt["sequences"] == 2 and bt["tokens"] == 40
assert v["bit_exact"] is True and v["values_checked"] == 48 * vocab, v
assert bt["tokens_per_second"] > 1 / s["latency"]["seconds_per_token"]
assert bt["energy_per_token_j"] < s["energy"]["per_token_j"]
assert bt["bound_s"] <= bt["seconds"]
assert abs(bt["seconds_per_token"] - bt["seconds"] / 20) < 1e-15
# the layers' rows: the batch's tokens, which overlap (no one token's chain)
rows = b["latency"]["layers"]
assert all(l["chain_s"] is None and l["bound_s"] <= l["seconds"] / 40 + 1e-15 for l in rows)
assert sum(l["seconds"] for l in rows) > 0
assert abs(b["latency"]["seconds"] - b["prefill"]["time_to_first_token_s"] - bt["seconds"]) < 1e-12
EOF
check "batch: each sequence bit exact, faster and cheaper a token than one sequence" $?
"$axon" sim "$out/tiny.axb" --prompt-file "$out/prompt.txt" --batch 2 >/dev/null 2>"$out/err.txt"
[ $? -eq 1 ] && grep -q -- "--batch 2: the program holds the state of 1 sequence (its meta 'batch'); compile it with --batch 2" "$out/err.txt"
check "a batch larger than the program holds is refused, naming the fix" $?
"$axon" sim "$out/tiny-b2.axb" --prompt-file "$out/prompt.txt" --batch 5000 >/dev/null 2>"$out/err.txt"
[ $? -eq 2 ] && grep -q -- "--batch 5000: expected a number of sequences from 1 to 4096" "$out/err.txt"
check "a batch out of range is a usage error" $?
"$axon" sim "$out/tiny-b2.axb" --mode counting --tokens 1048576 --batch 2 >/dev/null 2>"$out/err.txt"
[ $? -eq 1 ] && grep -q -- "--tokens 1048576 for each of --batch 2 sequences: at most 1048576 tokens in all" "$out/err.txt"
check "a batch's tokens in all are bounded as --tokens is" $?
# a batch whose GLA heads outgrow a core with their 16 banks: each head's
# state cut by value columns (glacol records), still bit exact
"$axon" compile "$tiny" --chip "$chip" --batch 16 --emit asm >"$out/b16.s" 2>"$out/err.txt" &&
    grep -q "kind=glacol" "$out/b16.s" &&
    "$axon" run "$tiny" --chip "$chip" --batch 16 --prompt-file "$out/prompt.txt" --json \
        >"$out/b16.json" 2>"$out/err.txt" &&
    python3 -c "
import json, sys
j = json.load(open(sys.argv[1]))
assert j['batch']['sequences'] == 16 and j['validation']['bit_exact'] is True, j['validation']
assert j['validation']['values_checked'] > 0" "$out/b16.json"
check "batch 16: GLA heads cut by columns, every sequence bit exact" $?
# counting mode: sequence q of a batch draws as a run seeded seed + q would,
# so the batch's synaptic ops are those of the two runs
for seed in 5 6; do
    "$axon" sim "$out/tiny-b2.axb" --mode counting --tokens 3 --seed $seed --json \
        >"$out/c$seed.json" 2>"$out/err.txt" || echo "seed $seed failed"
done
"$axon" sim "$out/tiny-b2.axb" --mode counting --tokens 3 --seed 5 --batch 2 --json \
    >"$out/cb.json" 2>"$out/err.txt"
check "counting sim --batch 2 exits 0" $?
python3 - "$out/c5.json" "$out/c6.json" "$out/cb.json" <<'EOF'
import json, sys
a, c, b = (json.load(open(f)) for f in sys.argv[1:4])
assert b["run"]["tokens"] == 6 and b["batch"]["tokens"] == 6
sops = lambda r: sum(l["sop_per_token"] for l in r["sparsity"]["layers"]) * r["run"]["tokens"]
assert sops(a) != sops(c)
assert abs(sops(b) - sops(a) - sops(c)) <= 1e-9 * sops(b), (sops(a), sops(c), sops(b))
EOF
check "counting: a batch's sequences draw as runs seeded seed and seed + 1" $?
"$axon" sim "$out/tiny.axb" --prompt x --sync sometimes >/dev/null 2>"$out/err.txt"
[ $? -eq 2 ] && grep -q -- "--sync sometimes: expected barrier or dataflow" "$out/err.txt"
check "an unknown --sync is a usage error" $?

# 3. --json on stdout, counting mode from the profile, threads
"$axon" run "$tiny" --chip "$chip" --tokens 4 --mode counting --profile "$out/profile.json" \
    --threads 2 --json >"$out/c.json" 2>"$out/err.txt"
check "counting run with a profile exits 0" $?
python3 - "$out/c.json" "$out/r.json" <<'EOF'
import json, sys
c, f = (json.load(open(p)) for p in sys.argv[1:3])
assert c["run"]["mode"] == "counting" and c["run"]["synthetic"] is True
assert c["validation"] is None
# drawn from the functional run's own histograms: close to its sparsity
d = abs(c["sparsity"]["spikes_per_element"] - f["sparsity"]["spikes_per_element"])
assert d < 0.15, d
EOF
check "counting report follows the profile and is marked synthetic" $?

# 4. errors
"$axon" run "$tiny" --prompt x >/dev/null 2>"$out/err.txt"
[ $? -eq 2 ] && grep -q "chip" "$out/err.txt"
check "run without --chip is a usage error" $?
"$axon" run "$src/models/nets/spikingbrain-7b" --chip "$chip" --tokens 1 --mode functional \
    >/dev/null 2>"$out/err.txt"
[ $? -eq 1 ] && grep -q "shape-only" "$out/err.txt"
check "functional mode on a shape-only model says why" $?
"$axon" run "$tiny" --chip "$chip" --tokens 2 --mode counting --profile "$out/missing.json" \
    >/dev/null 2>"$out/err.txt"
[ $? -eq 1 ] && grep -q "missing.json" "$out/err.txt"
check "a missing profile names the file" $?
"$axon" asm "$src/tests/isa/data/hand.s" -o "$out/hand.axb" 2>/dev/null
# a program that embeds no model runs on the chip it embeds: counting mode
# without weight data, functional mode refused with what to add
"$axon" sim "$out/hand.axb" --tokens 1 --quiet >/dev/null 2>"$out/err.txt"
check "a program that embeds no model runs in counting mode" $?
"$axon" sim "$out/hand.axb" --mode functional --token-ids 0 >/dev/null 2>"$out/err.txt"
[ $? -eq 1 ] && grep -q "carries no data: give every record its numbers (.wdata" "$out/err.txt"
check "a program without a model or weight data says what to add" $?
"$axon" run "$tiny" --chip "$chip" --tokens 1 --threads 0 >/dev/null 2>&1
[ $? -eq 2 ]
check "--threads 0 is a usage error" $?
finish
