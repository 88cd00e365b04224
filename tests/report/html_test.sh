#!/bin/sh
# The HTML report as a browser renders it: headless Chromium loads the page
# test_report writes, and the DOM it builds holds each of the six charts with
# at least one drawn mark (a rect, line or path of nonzero size) carrying a
# hover title; a screenshot of the page is a non-empty PNG. Skips (exit 77,
# with a message) when Chromium is not installed.
# usage: html_test.sh TEST_REPORT OUT_DIR   (OUT_DIR absolute)
set -u
test_report=$1
out=$2
browser=$(command -v chromium || true)
if [ -z "$browser" ]; then
    echo "skipped: chromium not installed (Debian package chromium)"
    exit 77
fi
rm -rf "$out"
mkdir -p "$out"
. "$(dirname "$0")/../check.sh"

"$test_report" --write-html "$out/report.html"
check "test_report --write-html exits 0" $?

# Chromium keeps its profile in OUT_DIR, never in the user's home.
chrome() {
    HOME="$out" timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-dev-shm-usage --user-data-dir="$out/profile" "$@"
}
chrome --dump-dom "file://$out/report.html" >"$out/dom.html" 2>"$out/dump.err"
check "chromium --dump-dom exits 0" $?

/usr/bin/python3 - "$out/dom.html" <<'PY'
import sys
from html.parser import HTMLParser

CHARTS = ("chart-firing", "chart-histogram", "chart-energy", "chart-noc",
          "chart-latency", "chart-occupancy")

def size(tag, a):
    def f(k):
        try:
            return float(a.get(k, "0"))
        except ValueError:
            return 0.0
    if tag == "rect":
        return f("width") > 0 and f("height") > 0
    if tag == "line":
        return (f("x1"), f("y1")) != (f("x2"), f("y2"))
    if tag == "path":
        return len(a.get("d", "").strip()) > 2
    return False

class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack = []       # open elements: (tag, chart id or None, is mark)
        self.marks = {c: 0 for c in CHARTS}
        self.titled = {c: 0 for c in CHARTS}
        self.scripts = 0
    def chart(self):
        for _, c, _ in reversed(self.stack):
            if c:
                return c
        return None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        cid = a.get("id") if tag == "svg" and a.get("id") in CHARTS else None
        c = cid or self.chart()
        is_mark = bool(c) and tag in ("rect", "line", "path") and size(tag, a)
        if is_mark:
            self.marks[c] += 1
        if tag == "title" and self.stack and self.stack[-1][2]:
            self.titled[c] += 1
        self.stack.append((tag, cid, is_mark))
    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)
    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

d = Dom()
d.feed(open(sys.argv[1], encoding="utf-8").read())
bad = 0
for c in CHARTS:
    print(f"{c}: {d.marks[c]} drawn marks, {d.titled[c]} with a title")
    if d.marks[c] < 1 or d.titled[c] < 1:
        print(f"FAILED: {c} is missing or has no drawn, titled mark")
        bad = 1
if d.scripts:
    print("FAILED: the page has a script")
    bad = 1
sys.exit(bad)
PY
check "the rendered DOM holds six charts, each with drawn, titled marks" $?

chrome --screenshot="$out/report.png" --window-size=1100,3000 --hide-scrollbars \
    "file://$out/report.html" >"$out/shot.out" 2>"$out/shot.err"
check "chromium --screenshot exits 0" $?
[ -s "$out/report.png" ] && [ "$(head -c 4 "$out/report.png" | od -An -c | tr -d ' ')" = "211PNG" ]
check "the screenshot is a non-empty PNG" $?

finish
