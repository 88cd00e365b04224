#!/bin/sh
# Times the PyTorch oracle (scripts/torch_ref.py) against the C reference
# (`axon ref`) per token on the small trained model, on the same prompt, and
# prints the ratios: in the token loop (each tool's own step timing; axon's
# excludes its JIT compile, the oracle's its checkpoint load) and for the
# whole process (wall clock, start-up included).
#   usage: scripts/bench_ref.sh [BUILD_DIR] [PRECISION] [BYTES]
#   defaults: build w8spike 1024
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
precision=${2:-w8spike}
bytes=${3:-1024}
model=models/nets/spikingbrain-tiny
axon=$build/axon
py=/usr/bin/python3

[ -f "$model/config.json" ] || { echo "bench_ref: no $model"; exit 1; }
prompt=$(mktemp)
out=$(mktemp)
trap 'rm -f "$prompt" "$out"' EXIT
head -c "$bytes" tests/data/heldout.txt >"$prompt"
tokens=$(wc -c <"$prompt")
now() { date +%s.%N; }
field() { $py -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$out" "$1"; }
ms() { awk -v x="$1" 'BEGIN { printf "%.3f", x * 1e3 }'; }

echo "prompt: $tokens bytes of tests/data/heldout.txt, precision $precision"
t0=$(now)
$py scripts/torch_ref.py --model "$model" --prompt-file "$prompt" --precision "$precision" --json >"$out"
t1=$(now)
o_loop=$(field seconds_per_token)
o_all=$(awk -v a="$t0" -v b="$t1" -v n="$tokens" 'BEGIN { printf "%.9f", (b - a) / n }')
echo "oracle   (torch_ref.py): $(ms "$o_loop") ms/token in the token loop, $(ms "$o_all") ms/token whole process"

if [ ! -x "$axon" ] || ! "$axon" --help 2>&1 | grep -q "^ *ref "; then
    echo "axon ref not built"
    exit 0
fi
t0=$(now)
"$axon" ref "$model" --prompt-file "$prompt" --precision "$precision" --device cpu --json >"$out"
t1=$(now)
a_loop=$(awk -v r="$(field tokens_per_second)" 'BEGIN { printf "%.9f", 1 / r }')
a_all=$(awk -v a="$t0" -v b="$t1" -v n="$tokens" 'BEGIN { printf "%.9f", (b - a) / n }')
echo "axon ref (C, LLVM JIT):  $(ms "$a_loop") ms/token in the token loop, $(ms "$a_all") ms/token whole process"
awk -v a="$o_loop" -v b="$a_loop" -v c="$o_all" -v d="$a_all" \
    'BEGIN { printf "ratio oracle / axon ref: %.1fx in the token loop, %.1fx whole process\n", a / b, c / d }'
