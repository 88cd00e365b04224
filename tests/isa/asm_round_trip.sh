#!/bin/sh
# axon asm FILE.s -o a.axb; axon disasm a.axb > t.s; axon asm t.s -o b.axb:
# a.axb and b.axb must be identical, and a damaged file must be refused.
# usage: asm_round_trip.sh AXON FILE.s WORK_DIR
set -u
axon=$1
src=$2
dir=$3
. "$(dirname "$0")/../check.sh"
"$axon" asm "$src" -o "$dir/a.axb"
check "asm" $?
"$axon" disasm "$dir/a.axb" >"$dir/t.s"
check "disasm" $?
"$axon" asm "$dir/t.s" -o "$dir/b.axb"
check "asm of the disassembly" $?
cmp "$dir/a.axb" "$dir/b.axb"
check "identical bytes" $?
head -c 100 "$dir/a.axb" >"$dir/cut.axb"
"$axon" disasm "$dir/cut.axb" >"$dir/cut.out" 2>"$dir/cut.err"
[ $? -eq 1 ] && [ ! -s "$dir/cut.out" ] && grep -q "cut.axb: error: truncated" "$dir/cut.err"
check "a truncated program is refused and named" $?
printf '.axb 2\n.cores 1\n.sram_words 8\n.code 0\n    frob 1\n' >"$dir/bad.s"
"$axon" asm "$dir/bad.s" -o "$dir/bad.axb" 2>"$dir/bad.err"
[ $? -eq 1 ] && [ ! -e "$dir/bad.axb" ] && grep -q "bad.s:5:5: error: unknown instruction 'frob'" "$dir/bad.err"
check "a bad source is refused with its position and writes nothing" $?
finish
