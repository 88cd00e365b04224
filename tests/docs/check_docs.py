#!/usr/bin/python3
"""Checks that the provenance chain of the docs and chip presets is closed.

usage: check_docs.py SOURCE_ROOT

1. docs/sources.md defines the source ids: every heading `### ID`, where ID
   is lowercase letters, digits and hyphens starting with a letter.
2. Every `source:` string of models/chips/*.yaml (a section's `source:`, a
   value's `{value: ..., source: ...}`) and every entry of a preset's
   top-level `sources:` list cites at least one id in square brackets,
   `[davies2018]` or `[sanafe, davies2018]`, and every id it cites is
   defined. Tags such as `[T]` or `[V-src]` start with a capital letter and
   are not citations.
3. Every link `sources.md#ID` and every citation `docs/sources.md: ID, ID`
   written anywhere in the checked folders names a defined id. In the second
   form, a word counts as an id when it holds a digit or a hyphen
   (`davies2018`, `spikingbrain-report`) or is the whole item (`sanafe)`);
   prose after the colon ("docs/sources.md: the report's ...") is not checked.
4. No file under README.md, docs/, models/, common/, arch/, compiler/, isa/,
   mapping/, sim/, tools/, scripts/, tests/ or bench/ names the project's
   private research notes (the names are built below so that this file does
   not contain them). The files are those git tracks or would track (ignored
   build outputs are not part of the project); outside a git checkout, every
   file under those paths.

Prints every problem as `path:line: message` and exits 1 if there is any,
0 otherwise. Uses only the standard library (no PyYAML): the chip files are
read line by line, which is enough for the forms the presets use.
"""
import os
import re
import subprocess
import sys

ID = r"[a-z][a-z0-9-]*"
HEADING = re.compile(r"^###\s+(" + ID + r")\s*$")
CITATION = re.compile(r"\[(" + ID + r"(?:\s*,\s*" + ID + r")*)\]")
LINK = re.compile(r"sources\.md#(" + ID + r")")
COMMENT_CITE = re.compile(r"docs/sources\.md:\s*([^)\n]*)")
# `source:` as a key (not `sources:`), its value quoted or plain.
SOURCE_KEY = re.compile(r"(?<![A-Za-z_])source:\s*(\"(?:[^\"\\]|\\.)*\"|'[^']*'|[^,}#\n]+)")
CHECKED = ["README.md", "docs", "models", "common", "arch", "compiler", "isa", "mapping", "sim",
           "tools", "scripts", "tests", "bench"]
# The private notes' names, assembled so that this file never contains them.
FORBIDDEN = ["SPIKING" + "BRAIN" + ".md", "HARD" + "WARE" + ".md", "shared" + "/"]

problems = []


def problem(path, line, message):
    problems.append(f"{path}:{line}: {message}")


def read_ids(root):
    path = os.path.join(root, "docs", "sources.md")
    ids = {}
    try:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                m = HEADING.match(line)
                if m:
                    if m.group(1) in ids:
                        problem("docs/sources.md", n, f"id '{m.group(1)}' defined twice")
                    ids[m.group(1)] = n
    except OSError as e:
        problem("docs/sources.md", 0, f"cannot read: {e}")
    if not ids:
        problem("docs/sources.md", 0, "defines no source id (no '### id' heading)")
    return ids


def unquote(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def source_strings(text):
    """(line, string) for every source: value and sources: entry of a chip file."""
    out = []
    in_list = False
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("#"):
            continue
        if in_list:
            m = re.match(r"^\s+-\s+(.*)$", line)
            if m:
                out.append((n, unquote(m.group(1))))
                continue
            if stripped:
                in_list = False
        m = re.match(r"^sources:\s*(.*)$", line)
        if m:
            rest = m.group(1).strip()
            if rest.startswith("["):
                for q in re.findall(r"\"(?:[^\"\\]|\\.)*\"|'[^']*'", rest):
                    out.append((n, unquote(q)))
            else:
                in_list = True
            continue
        for m in SOURCE_KEY.finditer(line):
            out.append((n, unquote(m.group(1))))
    return out


def check_presets(root, ids):
    chips = os.path.join(root, "models", "chips")
    names = sorted(f for f in os.listdir(chips) if f.endswith(".yaml")) if os.path.isdir(chips) else []
    if not names:
        problem("models/chips", 0, "no chip presets found")
    for name in names:
        rel = f"models/chips/{name}"
        with open(os.path.join(chips, name), encoding="utf-8") as f:
            strings = source_strings(f.read())
        if not strings:
            problem(rel, 0, "no source strings found")
        for n, s in strings:
            cited = [i.strip() for m in CITATION.finditer(s) for i in m.group(1).split(",")]
            if not cited:
                problem(rel, n, f"source string cites no id of docs/sources.md "
                        f"(expected e.g. '[davies2018]'): \"{s}\"")
            for i in cited:
                if i not in ids:
                    problem(rel, n, f"source string cites '{i}', which docs/sources.md "
                            f"does not define: \"{s}\"")


def checked_files(root):
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard", "--"] + CHECKED,
                             capture_output=True, check=True).stdout
        files = sorted({p for p in out.decode("utf-8", "surrogateescape").split("\0") if p})
        return [p for p in files if os.path.isfile(os.path.join(root, p))]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for top in CHECKED:
            full = os.path.join(root, top)
            if os.path.isfile(full):
                files.append(top)
            for d, _, fs in os.walk(full):
                files += [os.path.relpath(os.path.join(d, f), root) for f in fs]
        return sorted(files)


def check_files(root, ids):
    files = checked_files(root)
    if not files:
        problem(".", 0, "no files to check")
    forbidden = [s.encode() for s in FORBIDDEN]
    for rel in files:
        try:
            with open(os.path.join(root, rel), "rb") as f:
                data = f.read()
        except OSError as e:
            problem(rel, 0, f"cannot read: {e}")
            continue
        for name, raw in zip(FORBIDDEN, forbidden):
            at = data.find(raw)
            while at >= 0:
                problem(rel, data.count(b"\n", 0, at) + 1,
                        f"names '{name}', which is not part of the project; cite "
                        f"docs/sources.md instead")
                at = data.find(raw, at + 1)
        if b"sources.md" not in data:
            continue
        text = data.decode("utf-8", "replace")
        for n, line in enumerate(text.splitlines(), 1):
            for m in LINK.finditer(line):
                if m.group(1) not in ids:
                    problem(rel, n, f"links sources.md#{m.group(1)}, which is not defined")
            for m in COMMENT_CITE.finditer(line):
                for part in m.group(1).split(","):
                    part = part.strip()
                    lead = re.match(ID, part)
                    if not lead:
                        break
                    # An id, not prose ("docs/sources.md: the report's ..."):
                    # it has a digit or a hyphen, or it is the whole item.
                    word = lead.group(0)
                    if not (re.search(r"[0-9-]", word) or word == part):
                        break
                    if word not in ids:
                        problem(rel, n, f"cites docs/sources.md: {word}, which is not defined")


def main(argv):
    if len(argv) != 2:
        print("usage: check_docs.py SOURCE_ROOT", file=sys.stderr)
        return 2
    root = argv[1]
    ids = read_ids(root)
    check_presets(root, ids)
    check_files(root, ids)
    for p in problems:
        print(p)
    if problems:
        print(f"check_docs: {len(problems)} problem(s)")
        return 1
    print(f"check_docs: {len(ids)} source ids; presets and docs cite only those")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
