#!/bin/sh
# Mutation testing: does the test suite notice when a figure in
# the code is wrong? Each mutant in the list (tests/mutants.txt) is one deliberate error
# (a cost charged twice, a field shifted, a rounding rule changed). This
# script copies the tree to a temporary directory (the checkout is never
# touched), builds it once, then for each mutant applies it to the copy,
# rebuilds, runs the fast tests and restores the file. A mutant is killed
# when a test fails; one that survives shows a gap in the tests.
#
# usage: scripts/mutants.sh [--list FILE] [--only ID[,ID...]] [--all-tests] [--keep] [--check]
#                           [--help]
#
# Exit status: 0 when every mutant was killed; 1 when one survived, did not
# apply (its `find` text does not occur exactly once) or did not build (the
# last two are defects of the list, never counted as kills); 2 for a usage
# error, a malformed list or a tree that does not build or pass its tests
# before any mutant.
set -eu

usage() {
    cat <<'EOF'
usage: scripts/mutants.sh [--list FILE] [--only ID[,ID...]] [--all-tests] [--keep] [--check]
                          [--help]

Applies each mutant of the list to a copy of the tree in a temporary
directory, rebuilds it, runs the fast tests and reports:
  killed M4 by golden.costs_by_name
  SURVIVED M4 (message_in charged at message_out's cost: ...)
  DEFECT M4 did not apply: find text 1 occurs 0 times in sim/ledger.c, not once
and finally "killed K of N". A DEFECT is an error of the list (the code
moved on, or the mutant does not compile): update its find/replace.
Exit status 0 when every mutant was killed, 1 otherwise, 2 for usage
errors. A whole run of tests/mutants.txt takes about 3 minutes on 2 cores.

  --list FILE    the mutant list (default tests/mutants.txt; format below)
  --only IDS     run only these mutants (comma-separated ids)
  --all-tests    rebuild everything and run every fast test for each mutant
                 (default: first the test the mutant names in killed-by,
                 with only the programs it runs rebuilt; a full build and
                 the other fast tests only when that test passes)
  --keep         keep the temporary directory (build, logs) and print it
  --check        only check the list: it parses and every mutant applies to
                 the current tree (no build, no tests; seconds)
  --help         this text

The list holds one block per mutant; blank lines and lines starting with #
are ignored, every key is on one line:
  id: M4
  why: what a wrong figure here would mean for a user
  file: sim/ledger.c
  find: an exact text that occurs exactly once in the file
  replace: its replacement
  killed-by: golden.costs_by_name
A block may hold several find/replace pairs (applied in order, each to the
file named last before it) and several files, for mutants that must change
two places consistently. No line numbers: code motion does not break it.

The fast tests are every CTest test except those matching FAST_EXCLUDE
in the script (GPU, ptxas, the browser-rendered report, the second
engine's full comparison and the PyTorch oracle: slow here, and not where
these mutants live; and mutants.list, which any mutant fails). Tests that fail before any mutant is applied are reported and left
out, and the exit status is then 2.
EOF
}

# Slow tests left out of every mutant's run (a CTest regular expression).
# mutants.list checks this list against the code, so any mutant "fails" it.
FAST_EXCLUDE='^(ref\.gpu|ref\.ptxas|ref\.gpu\.ptxas|report\.html|systemc\.consistency|systemc\.example|oracle\.|mutants\.)'
TEST_TIMEOUT=300 # seconds a test may run before it counts as failed (a mutant can make a loop endless)

list=""
only=""
keep=0
all_tests=0
check_only=0
while [ $# -gt 0 ]; do
    case $1 in
    --list)
        [ $# -ge 2 ] || { echo "mutants.sh: --list needs a file" >&2; exit 2; }
        list=$2
        shift 2 ;;
    --only)
        [ $# -ge 2 ] || { echo "mutants.sh: --only needs ids" >&2; exit 2; }
        only=$2
        shift 2 ;;
    --keep) keep=1; shift ;;
    --all-tests) all_tests=1; shift ;;
    --check) check_only=1; shift ;;
    --help | -h) usage; exit 0 ;;
    *) echo "mutants.sh: unknown option '$1' (--help lists them)" >&2; exit 2 ;;
    esac
done
case $list in /* | '') ;; *) list=$(pwd)/$list ;; esac
cd "$(dirname "$0")/.."
root=$(pwd)
[ -n "$list" ] || list=$root/tests/mutants.txt
[ -f "$list" ] || { echo "mutants.sh: no list file $list" >&2; exit 2; }
jobs=$(nproc 2>/dev/null || echo 2)
start=$(date +%s)

tmp=$(mktemp -d /tmp/axon-mutants.XXXXXX)
cleanup() {
    if [ $keep -eq 1 ]; then
        echo "mutants.sh: kept $tmp (src: the copy, build: its build, logs: one per mutant)"
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the list, split into one directory per mutant: $tmp/m/NNN/{id,why,killed_by,
# edits (count), N.file, N.find, N.replace} -----------------------------------------

mkdir -p "$tmp/m" "$tmp/logs"
bad=0
listerr() { echo "$list:$1: $2" >&2; bad=1; }
nblk=0
lineno=0
cur=""
file=""
have_find=0
# Checks the block just read.
end_block() {
    [ -n "$cur" ] || return 0
    for k in id why killed_by; do
        [ -s "$cur/$k" ] || listerr "$(cat "$cur/line")" "mutant has no '$(echo $k | tr _ -):' line"
    done
    [ "$(cat "$cur/edits")" -gt 0 ] || listerr "$(cat "$cur/line")" "mutant has no find/replace pair"
    [ $have_find -eq 0 ] || listerr "$lineno" "'find:' without its 'replace:'"
    cur=""
}
while IFS= read -r line || [ -n "$line" ]; do
    lineno=$((lineno + 1))
    case $line in '' | '#'*) continue ;; esac
    key=${line%%:*}
    [ "$key" != "$line" ] || { listerr $lineno "expected 'key: value'"; continue; }
    val=${line#*:}
    val=${val#" "}
    case $key in
    id)
        end_block
        nblk=$((nblk + 1))
        cur=$tmp/m/$(printf '%03d' $nblk)
        mkdir -p "$cur"
        printf '%s' "$val" >"$cur/id"
        echo $lineno >"$cur/line"
        echo 0 >"$cur/edits"
        file=""
        have_find=0
        case $val in *[!A-Za-z0-9._-]* | '') listerr $lineno "id '$val': letters, digits, '.', '_', '-' only" ;; esac
        for d in "$tmp"/m/*; do
            [ "$d" != "$cur" ] && [ "$(cat "$d/id")" = "$val" ] && listerr $lineno "id $val given twice"
        done ;;
    why | killed-by | file | find | replace)
        [ -n "$cur" ] || { listerr $lineno "'$key:' before the first 'id:'"; continue; }
        n=$(cat "$cur/edits")
        case $key in
        why) printf '%s' "$val" >"$cur/why" ;;
        killed-by) printf '%s' "$val" >"$cur/killed_by" ;;
        file)
            [ -f "$root/$val" ] || listerr $lineno "no file $val in the tree"
            [ $have_find -eq 0 ] || listerr $lineno "'file:' between 'find:' and 'replace:'"
            file=$val ;;
        find)
            [ -n "$file" ] || listerr $lineno "'find:' before any 'file:'"
            [ -n "$val" ] || listerr $lineno "empty 'find:'"
            [ $have_find -eq 0 ] || listerr $lineno "two 'find:' lines without a 'replace:'"
            n=$((n + 1))
            echo $n >"$cur/edits"
            printf '%s' "$file" >"$cur/$n.file"
            printf '%s' "$val" >"$cur/$n.find"
            have_find=1 ;;
        replace)
            [ $have_find -eq 1 ] || listerr $lineno "'replace:' without a 'find:'"
            printf '%s' "$val" >"$cur/$n.replace"
            [ "$val" != "$(cat "$cur/$n.find")" ] || listerr $lineno "replace equals find"
            have_find=0 ;;
        esac ;;
    *) listerr $lineno "unknown key '$key' (id, why, file, find, replace, killed-by)" ;;
    esac
done <"$list"
end_block
[ $nblk -gt 0 ] || listerr 0 "no mutants"
selected() {
    [ -z "$only" ] && return 0
    case ",$only," in *",$1,"*) return 0 ;; esac
    return 1
}
if [ -n "$only" ]; then
    for want in $(echo "$only" | tr ',' ' '); do
        found=0
        for d in "$tmp"/m/*; do [ "$(cat "$d/id")" = "$want" ] && found=1; done
        [ $found -eq 1 ] || { echo "mutants.sh: --only: no mutant $want in $list" >&2; bad=1; }
    done
fi
[ $bad -eq 0 ] || exit 2

# Replaces the one occurrence of text $2 in file $1 by $3; fails (printing the
# number of occurrences) unless $2 occurs exactly once. Works on lines, so a
# `find` text is part of one line.
apply_edit() {
    n=$(FIND=$2 awk 'BEGIN { f = ENVIRON["FIND"]; n = 0 }
        { s = $0; while ((i = index(s, f)) > 0) { n++; s = substr(s, i + length(f)) } }
        END { print n }' "$1")
    if [ "$n" != 1 ]; then
        echo "$n"
        return 1
    fi
    FIND=$2 REPL=$3 awk 'BEGIN { f = ENVIRON["FIND"]; r = ENVIRON["REPL"] }
        { i = index($0, f); if (i > 0) $0 = substr($0, 1, i - 1) r substr($0, i + length(f)); print }' \
        "$1" >"$1.mutant"
    cat "$1.mutant" >"$1" # keeps the file's mode
    rm -f "$1.mutant"
}

# Applies every edit of mutant directory $1 to the tree under $2, keeping
# each touched file's original once (restore_mutant puts them back). Prints
# nothing and succeeds, or prints what went wrong and fails.
apply_mutant() {
    : >"$1/touched"
    i=1
    while [ $i -le "$(cat "$1/edits")" ]; do
        f=$(cat "$1/$i.file")
        if ! grep -qxF "$f" "$1/touched"; then
            echo "$f" >>"$1/touched"
            cp -p "$2/$f" "$1/orig.$(grep -cx '.*' "$1/touched")"
        fi
        if ! cnt=$(apply_edit "$2/$f" "$(cat "$1/$i.find")" "$(cat "$1/$i.replace")"); then
            echo "did not apply: find text $i occurs $cnt times in $f, not once"
            return 1
        fi
        i=$((i + 1))
    done
}

# Puts back the files mutant $1 touched in the tree under $2; touches them so
# that the next build recompiles them.
restore_mutant() {
    k=1
    while read -r f; do
        cp -p "$1/orig.$k" "$2/$f"
        touch "$2/$f"
        k=$((k + 1))
    done <"$1/touched"
}

if [ $check_only -eq 1 ]; then
    n=0
    for d in "$tmp"/m/*; do
        id=$(cat "$d/id")
        selected "$id" || continue
        n=$((n + 1))
        mkdir -p "$tmp/check"
        i=1
        while [ $i -le "$(cat "$d/edits")" ]; do
            f=$(cat "$d/$i.file")
            mkdir -p "$tmp/check/$(dirname "$f")"
            [ -f "$tmp/check/$f" ] || cp "$root/$f" "$tmp/check/$f"
            i=$((i + 1))
        done
        if problem=$(apply_mutant "$d" "$tmp/check"); then
            echo "ok $id"
        else
            echo "DEFECT $id $problem"
            bad=1
        fi
        restore_mutant "$d" "$tmp/check"
    done
    echo "mutants.sh: $n mutants checked"
    exit $bad
fi

# ---- the copy and its build -----------------------------------------------------------

git rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
    { echo "mutants.sh: $root is not a git checkout (the copy takes git's file list)" >&2; exit 2; }
echo "mutants.sh: copying the tree to $tmp/src"
mkdir -p "$tmp/src"
git ls-files -z -co --exclude-standard | tar --null --ignore-failed-read -T - -cf - 2>/dev/null |
    tar -xf - -C "$tmp/src"
# Ninja where there is one: a rebuild after a one-line change then spends its
# time compiling and linking rather than checking what is up to date.
generator=""
command -v ninja >/dev/null 2>&1 && generator="-G Ninja"
echo "mutants.sh: building it (Release, -j$jobs${generator:+, ninja})"
# shellcheck disable=SC2086
if ! cmake -S "$tmp/src" -B "$tmp/build" $generator -DCMAKE_BUILD_TYPE=Release -DAX_WERROR=OFF \
        >"$tmp/logs/configure.log" 2>&1 ||
    ! cmake --build "$tmp/build" -j "$jobs" >"$tmp/logs/build.log" 2>&1; then
    tail -30 "$tmp/logs/configure.log" "$tmp/logs/build.log" 2>/dev/null
    echo "mutants.sh: the unmutated tree does not build" >&2
    exit 2
fi

# Runs ctest in the copy's build with the given selection; writes the log to
# $1 and the names of the failed tests, one a line, to $1.failed. Returns 0
# when every selected test passed.
run_ctest() {
    out=$1
    shift
    rc=0
    (cd "$tmp/build" && ctest -j "$jobs" --timeout $TEST_TIMEOUT --no-tests=error "$@") >"$out" 2>&1 || rc=1
    sed -n 's/^[[:space:]]*[0-9][0-9]* - \([^ ]*\) (.*/\1/p' "$out" >"$out.failed"
    return $rc
}

# The targets whose programs test $1 runs (its command and arguments that are
# programs of the build), one a line; nothing when it names none.
test_targets() {
    (cd "$tmp/build" && ctest --show-only=json-v1 -R "^$(echo "$1" | sed 's/[.]/\\./g')\$") |
        grep -o "\"$tmp/build/[^\"]*\"" | tr -d '"' | while read -r p; do
            if [ -f "$p" ] && [ -x "$p" ]; then basename "$p"; fi
        done | sort -u
}

# Builds the copy: everything, or the targets given. Returns non-zero when
# the build fails; the log is $1.
build() {
    out=$1
    shift
    if [ $# -gt 0 ]; then
        cmake --build "$tmp/build" -j "$jobs" --target "$@" >"$out" 2>&1
    else
        cmake --build "$tmp/build" -j "$jobs" >"$out" 2>&1
    fi
}

echo "mutants.sh: running the fast tests on the unmutated tree"
exclude=$FAST_EXCLUDE
baseline_bad=0
if ! run_ctest "$tmp/logs/baseline.log" -E "$FAST_EXCLUDE"; then
    if [ ! -s "$tmp/logs/baseline.log.failed" ]; then
        tail -20 "$tmp/logs/baseline.log"
        echo "mutants.sh: ctest failed on the unmutated tree" >&2
        exit 2
    fi
    baseline_bad=1
    echo "mutants.sh: WARNING: these tests fail before any mutant; they are left out:" \
        "$(tr '\n' ' ' <"$tmp/logs/baseline.log.failed")"
    exclude="$FAST_EXCLUDE|^($(sed 's/[.]/\\./g' "$tmp/logs/baseline.log.failed" | paste -sd'|'))\$"
fi

# ---- the mutants ----------------------------------------------------------------------

n_total=0
n_killed=0
n_survived=0
n_defect=0
for d in "$tmp"/m/*; do
    id=$(cat "$d/id")
    selected "$id" || continue
    n_total=$((n_total + 1))
    why=$(cat "$d/why")
    kb=$(cat "$d/killed_by")
    log=$tmp/logs/$id
    problem=$(apply_mutant "$d" "$tmp/src") || true
    # First the killed-by test alone, with only the programs it runs rebuilt;
    # the other fast tests, after a full build, only when it passes.
    killed=0
    failed=""
    kb_re="^$(echo "$kb" | sed 's/[.]/\\./g')\$"
    has_kb=0
    (cd "$tmp/build" && ctest -N -R "$kb_re" | grep -q "^Total Tests: 1\$") && has_kb=1
    if [ -z "$problem" ] && [ $all_tests -eq 0 ] && [ $has_kb -eq 1 ]; then
        # a targeted build that fails is retried whole: the target names are
        # guessed from the test's programs
        # shellcheck disable=SC2046
        if ! build "$log.build.log" $(test_targets "$kb") && ! build "$log.build.log"; then
            problem="does not build (log: $log.build.log)"
        elif ! run_ctest "$log.killed-by.log" -R "$kb_re"; then
            killed=1
            failed=$(cat "$log.killed-by.log.failed")
        fi
    fi
    if [ -z "$problem" ] && [ $killed -eq 0 ]; then
        if ! build "$log.build-all.log"; then
            problem="does not build (log: $log.build-all.log)"
        elif ! run_ctest "$log.tests.log" -E "$exclude"; then
            killed=1
            failed=$(cat "$log.tests.log.failed")
        fi
    fi
    if [ -n "$problem" ]; then
        n_defect=$((n_defect + 1))
        echo "DEFECT $id $problem"
    elif [ $killed -eq 1 ]; then
        n_killed=$((n_killed + 1))
        echo "killed $id by $(echo "$failed" | paste -sd' ')"
        if ! echo "$failed" | grep -qxF "$kb"; then
            if [ $has_kb -eq 1 ]; then
                echo "  warning: $id was not killed by its killed-by test $kb"
            else
                echo "  warning: $id names killed-by $kb, which is not a test"
            fi
        fi
    else
        n_survived=$((n_survived + 1))
        echo "SURVIVED $id ($why; expected killed-by: $kb)"
    fi
    restore_mutant "$d" "$tmp/src"
done

elapsed=$(($(date +%s) - start))
echo "killed $n_killed of $n_total ($n_survived survived, $n_defect defects of the list; $((elapsed / 60)) min $((elapsed % 60)) s)"
if [ $baseline_bad -eq 1 ]; then
    echo "mutants.sh: tests failed before any mutant; the result leaves them out"
    exit 2
fi
[ $n_survived -eq 0 ] && [ $n_defect -eq 0 ]
