#!/bin/sh
# The SystemC engine against the native one on the small model: for every
# chip preset, `axon run` over 48 bytes of held-out text with each engine
# must give the same dynamic energy (every category but static) and the same
# latency.cycles; the reports must in fact be identical but for run.engine
# (docs/simulator.md, "The SystemC engine"). A preset the model does not map
# onto must be in the list of expected refusals below, with its message, and
# fail the same way under both; a listed preset that maps fails too, so the
# list stays true. Then two derived systems (chip links, DRAM streaming), the
# analytic timing model and counting mode. The SystemC kernel orders the
# cores' instructions (sim/systemc/timed_systemc.cpp).
# usage: consistency_test.sh AXON SOURCE_DIR OUT_DIR
set -u
axon=$1
src=$2
out=$3
rm -rf "$out"
mkdir -p "$out"
. "$src/tests/check.sh"

tiny="$src/models/nets/spikingbrain-tiny"

# The presets the small model does not map onto, each with a fixed part of
# its message (one "preset|message" per line). None since GLA states too
# large for a core are cut by value columns (truenorth: 13120 bytes a core,
# one head's state 64 x 64 f32).
expected_refusals=''

# expected_refusal NAME: prints the expected message part of preset NAME;
# fails when NAME is not in the list.
expected_refusal() {
    printf '%s\n' "$expected_refusals" | while IFS='|' read -r p msg; do
        if [ "$p" = "$1" ]; then
            printf '%s\n' "$msg"
            return 0
        fi
    done
}
head -c 48 "$src/tests/data/heldout.txt" >"$out/prompt.txt"

# compare NAME NATIVE.json SYSTEMC.json
compare() {
    python3 - "$2" "$3" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["run"]["engine"] == "native" and b["run"]["engine"] == "systemc", (a["run"], b["run"])
ea, eb = a["energy"]["breakdown_j"], b["energy"]["breakdown_j"]
assert sorted(ea) == sorted(eb)
for k in ea:
    if k != "static":
        assert abs(ea[k] - eb[k]) <= 1e-12 * max(abs(ea[k]), abs(eb[k])), (k, ea[k], eb[k])
ca, cb = a["latency"]["cycles"], b["latency"]["cycles"]
assert ca == cb, ("cycles", ca, cb)
a["run"].pop("engine"); b["run"].pop("engine")
assert a == b, "the reports differ beyond run.engine"
print(f"  cycles {ca}, dynamic energy {sum(v for k, v in ea.items() if k != 'static'):.6g} J: identical")
PY
    check "$1: same dynamic energy and cycles" $?
}

for chip in "$src"/models/chips/*.yaml; do
    name=$(basename "$chip" .yaml)
    echo "$name"
    "$axon" run "$tiny" --chip "$chip" --prompt-file "$out/prompt.txt" --engine native \
        --report "$out/$name-native.json" --quiet 2>"$out/$name-native.err"
    rc_native=$?
    "$axon" run "$tiny" --chip "$chip" --prompt-file "$out/prompt.txt" --engine systemc \
        --report "$out/$name-systemc.json" --quiet 2>"$out/$name-systemc.err"
    rc_systemc=$?
    want=$(expected_refusal "$name")
    if [ $rc_native -ne 0 ]; then
        echo "  the model does not run on it (native: exit $rc_native); systemc: exit $rc_systemc"
        sed 's/^/    /' "$out/$name-native.err"
        [ -n "$want" ] && grep -qF -- "$want" "$out/$name-native.err"
        check "$name: an expected refusal, with the expected message (${want:-none listed})" $?
        [ $rc_systemc -eq $rc_native ] && cmp -s "$out/$name-native.err" "$out/$name-systemc.err"
        check "$name: both engines refuse it the same way" $?
        continue
    fi
    [ -z "$want" ]
    check "$name: listed as refused, but it maps now (update expected_refusals)" $?
    check "$name: systemc exits 0" $rc_systemc
    [ $rc_systemc -eq 0 ] && compare "$name" "$out/$name-native.json" "$out/$name-systemc.json"
done

# Two systems the presets do not make: loihi2-like chips of 2 x 2 tiles
# (the model spans two chips: inter-chip links), and one generic-45nm chip
# of 2 x 2 cores (the weights do not fit: blocks streamed from DRAM).
sed 's/mesh: {width: 8, height: 4}.*/mesh: {width: 2, height: 2}/; s/^name: .*/name: multichip/' \
    "$src/models/chips/loihi2-like.yaml" >"$out/multichip.yaml"
sed 's/^  chips: open/  chips: 1/; s/mesh: {width: 16, height: 16}.*/mesh: {width: 2, height: 2}/; s/^name: .*/name: dram/' \
    "$src/models/chips/generic-45nm.yaml" >"$out/dram.yaml"
for name in multichip dram; do
    echo "$name"
    for e in native systemc; do
        "$axon" run "$tiny" --chip "$out/$name.yaml" --prompt-file "$out/prompt.txt" --engine $e \
            --report "$out/$name-$e.json" --quiet
        check "$name, $e: exits 0" $?
    done
    compare "$name" "$out/$name-native.json" "$out/$name-systemc.json"
done
python3 - "$out/multichip-native.json" "$out/dram-native.json" <<'PY'
import json, sys
m, d = (json.load(open(p)) for p in sys.argv[1:3])
assert m["chip"]["chips_used"] > 1 and m["energy"]["breakdown_j"]["interchip"] > 0, m["chip"]
assert d["energy"]["breakdown_j"]["dram"] > 0, d["energy"]["breakdown_j"]
PY
check "the derived systems use chip links and DRAM" $?

chip="$src/models/chips/loihi2-like.yaml"
echo "loihi2-like, analytic timing"
for e in native systemc; do
    "$axon" run "$tiny" --chip "$chip" --prompt-file "$out/prompt.txt" --timing analytic --engine $e \
        --report "$out/analytic-$e.json" --quiet
    check "analytic, $e: exits 0" $?
done
compare "analytic" "$out/analytic-native.json" "$out/analytic-systemc.json"

echo "loihi2-like, counting mode, 4 tokens after 64"
for e in native systemc; do
    "$axon" run "$tiny" --chip "$chip" --tokens 4 --context 64 --mode counting --engine $e \
        --report "$out/counting-$e.json" --quiet
    check "counting, $e: exits 0" $?
done
compare "counting" "$out/counting-native.json" "$out/counting-systemc.json"

# --threads does not matter to the SystemC engine
"$axon" run "$tiny" --chip "$chip" --tokens 2 --mode counting --engine systemc --threads 2 --json \
    >"$out/threads.json" 2>"$out/threads.err"
check "systemc with --threads 2 exits 0" $?
python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$out/threads.json"
check "systemc keeps standard output valid JSON (no banner)" $?

finish
