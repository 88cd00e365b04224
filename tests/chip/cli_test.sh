#!/bin/sh
# The command line on chip descriptions: every preset inspects with valid JSON,
# a malformed file exits non-zero with file:line:col on standard error and
# nothing on standard output, and --help / --version work.
# usage: cli_test.sh AXON SOURCE_DIR
set -u
axon=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../check.sh"
has_json_keys() {
    /usr/bin/python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
for k in ("chips", "chips_open", "tiles", "cores", "neurons", "sram_bytes", "static_power_w", "peak_sops", "sources"):
    assert k in o, k
assert o["cores"] >= 1 and o["neurons"] >= o["cores"]
' "$1"
}

for f in "$src"/models/chips/*.yaml; do
    "$axon" inspect "$f" --json >"$tmp/out.json" 2>"$tmp/err"
    check "inspect --json $(basename "$f") exits 0" $?
    has_json_keys "$tmp/out.json"
    check "inspect --json $(basename "$f") prints the summary object" $?
    "$axon" inspect "$f" >"$tmp/out.txt" 2>&1
    check "inspect $(basename "$f") (text) exits 0" $?
    grep -q "static power" "$tmp/out.txt"
    check "inspect $(basename "$f") prints static power" $?
done

"$axon" inspect "$src/tests/chip/bad/duplicate-key.yaml" --json >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ]
check "malformed file exits 1" $?
[ ! -s "$tmp/out" ]
check "malformed file under --json leaves standard output empty" $?
grep -q "duplicate-key.yaml:8:7: error: duplicate key" "$tmp/err"
check "malformed file reports file:line:col" $?

"$axon" inspect "$tmp/missing.yaml" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "missing.yaml: error: cannot open" "$tmp/err"
check "missing file is named" $?

"$axon" --help | grep -q "inspect"
check "--help lists inspect" $?
"$axon" --version | grep -q "^axon "
check "--version" $?
"$axon" frobnicate >/dev/null 2>&1
[ $? -eq 2 ]
check "unknown command exits 2" $?
"$axon" inspect >/dev/null 2>&1
[ $? -eq 2 ]
check "inspect without a file exits 2" $?

finish
