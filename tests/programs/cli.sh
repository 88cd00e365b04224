#!/bin/sh
# `axon asm` on the hand-written programs: each good one assembles (exit 0,
# a file written); each malformed variant of bad.txt (a good program with a
# small edit; the format is in the list's opening comment) is refused (exit
# status 1, nothing written) with every piece its `expect:` line lists on
# one line of standard error. A variant whose find text does not occur
# exactly once in its base is a defect of the list, reported by its id.
# usage: cli.sh AXON PROGRAMS_DIR WORK_DIR
set -u
axon=$1
src=$(cd "$2" && pwd)
dir=$3
. "$src/../check.sh"
for f in "$src"/*.s; do
    name=$(basename "$f" .s)
    rm -f "$dir/$name.axb"
    "$axon" asm "$f" -o "$dir/$name.axb" 2>"$dir/$name.err"
    [ $? -eq 0 ] && [ -s "$dir/$name.axb" ]
    check "$name.s assembles" $?
done

# The variants, written out by one pass over the list: for each, bad-ID.s
# (the base with its edits, and each relative from= path made absolute into
# this folder, since the file lies in the work directory) and bad-ID.want
# (its expected pieces, one a line), or bad-ID.defect (what is wrong with
# the list there); their ids, one a line, in bad.ids.
rm -f "$dir"/bad.ids "$dir"/bad-*.s "$dir"/bad-*.want "$dir"/bad-*.defect
SRC=$src DIR=$dir awk '
    function defect(msg) { if (id != "" && bad == "") bad = "bad.txt:" NR ": " id ": " msg }
    # \n is a line break and \\ a backslash; "" when another escape is used
    function unescape(s,    out, c, i) {
        out = ""
        while ((i = index(s, "\\")) > 0) {
            c = substr(s, i + 1, 1)
            if (c == "n") out = out substr(s, 1, i - 1) "\n"
            else if (c == "\\") out = out substr(s, 1, i - 1) "\\"
            else { bad_escape = 1; return "" }
            s = substr(s, i + 2)
        }
        return out s
    }
    function finish(    out, rest, k, f, q) {
        if (id == "") return
        if (base == "") defect("no base: line")
        if (why == "") defect("no why: line")
        if (find != "") defect("find: without its replace:")
        if (edits == 0) defect("no find/replace pair")
        if (expect == "") defect("no expect: line")
        print id >(ENVIRON["DIR"] "/bad.ids")
        if (bad != "") {
            f = ENVIRON["DIR"] "/bad-" id ".defect"
            print bad >f
            close(f)
        } else {
            # relative from= paths: from the source folder
            out = ""
            rest = text
            while ((k = index(rest, "from=\"")) > 0) {
                out = out substr(rest, 1, k + 5)
                rest = substr(rest, k + 6)
                if (substr(rest, 1, 1) != "/") out = out ENVIRON["SRC"] "/"
            }
            f = ENVIRON["DIR"] "/bad-" id ".s"
            printf "%s", out rest >f
            close(f)
            f = ENVIRON["DIR"] "/bad-" id ".want"
            printf "" >f
            q = expect
            while (match(q, /"[^"]*"/)) {
                print substr(q, RSTART + 1, RLENGTH - 2) >f
                q = substr(q, RSTART + RLENGTH)
            }
            close(f)
        }
        id = ""
    }
    /^$/ || /^#/ { next }
    {
        k = index($0, ":")
        if (k == 0) { defect("expected key: value"); next }
        key = substr($0, 1, k - 1)
        val = substr($0, k + 1)
        if (substr(val, 1, 1) == " ") val = substr(val, 2)
    }
    key == "id" {
        finish()
        id = val; base = ""; why = ""; expect = ""; find = ""; text = ""; bad = ""; edits = 0
        if (id !~ /^[A-Za-z0-9._-]+$/) { print "bad.txt:" NR ": id \"" id "\": letters, digits, . _ - only"; fatal = 1; exit 2 }
        if (seen[id]++) { print "bad.txt:" NR ": id " id " given twice"; fatal = 1; exit 2 }
        next
    }
    id == "" { print "bad.txt:" NR ": " key ": before the first id:"; fatal = 1; exit 2 }
    key == "base" {
        base = val
        path = ENVIRON["SRC"] "/" base
        text = ""
        while ((r = (getline l <path)) > 0) text = text l "\n"
        close(path)
        if (r < 0 || text == "") defect("cannot read its base " base)
        next
    }
    key == "why" { why = val; next }
    key == "find" {
        if (find != "") defect("two find: lines without a replace:")
        bad_escape = 0
        find = unescape(val)
        if (bad_escape || find == "") defect("an empty find:, or an escape other than \\n and \\\\")
        next
    }
    key == "replace" {
        if (find == "") { defect("replace: without a find:"); next }
        bad_escape = 0
        repl = unescape(val)
        if (bad_escape) defect("an escape other than \\n and \\\\")
        if (repl == find) defect("replace equals find")
        edits++
        n = 0
        rest = text
        while ((k = index(rest, find)) > 0) {
            if (n++ == 0) at = length(text) - length(rest) + k
            rest = substr(rest, k + length(find))
        }
        if (n != 1) defect("find text " edits " occurs " n " times in " base ", not once")
        else text = substr(text, 1, at - 1) repl substr(text, at + length(find))
        find = ""
        next
    }
    key == "expect" { expect = val; next }
    { defect("unknown key " key) }
    END { if (!fatal) finish() }
' "$src/bad.txt"
check "bad.txt reads" $?
touch "$dir/bad.ids"

n=0
while IFS= read -r id; do
    n=$((n + 1))
    if [ -e "$dir/bad-$id.defect" ]; then
        cat "$dir/bad-$id.defect"
        check "$id: a variant of bad.txt that applies" 1
        continue
    fi
    rm -f "$dir/bad-$id.axb"
    "$axon" asm "$dir/bad-$id.s" -o "$dir/bad-$id.axb" 2>"$dir/bad-$id.err"
    status=$?
    [ $status -eq 1 ] && [ ! -e "$dir/bad-$id.axb" ]
    check "$id is refused (exit status $status)" $?
    [ -s "$dir/bad-$id.want" ]
    check "$id lists what it expects" $?
    # Keep the stderr lines that contain every piece.
    cp "$dir/bad-$id.err" "$dir/bad-$id.match"
    while IFS= read -r piece; do
        grep -F -- "$piece" "$dir/bad-$id.match" >"$dir/bad-$id.tmp"
        mv "$dir/bad-$id.tmp" "$dir/bad-$id.match"
    done <"$dir/bad-$id.want"
    [ -s "$dir/bad-$id.match" ]
    status=$?
    [ $status -eq 0 ] || { echo "$id: standard error was:"; cat "$dir/bad-$id.err"; }
    check "$id: one message holds every expected piece" $status
done <"$dir/bad.ids"
[ $n -ge 5 ]
check "bad.txt holds at least 5 variants ($n)" $?
finish
