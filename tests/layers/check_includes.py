#!/usr/bin/python3
"""Checks the layering of the source folders by their #include lines.

usage: check_includes.py SOURCE_ROOT

The folders stand on each other, arrows pointing down only:

    tools/, bench/          everything
    sim/ (and sim/systemc/) isa, arch, common: never compiler/ or mapping/
    mapping/                anything below it, never sim/ (nor tools/)
    compiler/ref/           compiler/ir, compiler/frontend, isa, common
    compiler/check/         compiler/ref and below, and sim/ (the executor)
    compiler/ir/            compiler/frontend, isa (the spike options), common
    compiler/frontend/      common
    arch/, isa/             common
    common/                 nothing of axon

Every `#include "NAME"` of a .c, .h, .def or .cpp file under those folders is
resolved the way the build finds it: first beside the including file, then
by the name's last component in the one folder that holds a header of that
name (the include directories are one per folder, so two folders holding the
same name would be ambiguous: that is an error too). An include that names
no file of these folders (a system header) is not checked. A file may include
the headers of its own folder and of the folders its row allows.

Prints every problem as `path:line: message` and exits 1 if there is any,
0 otherwise.
"""
import os
import re
import subprocess
import sys

# Longest prefix first: the layer of a file is the first that holds it.
LAYERS = ["compiler/frontend", "compiler/ir", "compiler/ref", "compiler/check", "compiler",
          "sim/systemc", "sim", "mapping", "arch", "isa", "common", "tools", "bench"]
BELOW_SIM = {"isa", "arch", "common"}
COMPILER = {"compiler/frontend", "compiler/ir", "compiler/ref", "compiler/check", "compiler"}
ALLOWED = {
    "common": set(),
    "isa": {"common"},
    "arch": {"common"},
    "compiler/frontend": {"common"},
    "compiler/ir": {"compiler/frontend", "isa", "common"},
    "compiler/ref": {"compiler/ir", "compiler/frontend", "isa", "common"},
    # the check runs programs through the executor: sim/ stands on isa/ only
    # and never includes compiler/, so the arrow cannot close a cycle
    "compiler/check": {"compiler/ref", "compiler/ir", "compiler/frontend", "isa", "common", "sim"},
    "compiler": COMPILER | {"isa", "common"},
    "mapping": COMPILER | {"isa", "arch", "common"},
    "sim": BELOW_SIM,
    "sim/systemc": BELOW_SIM | {"sim"},
    "tools": set(LAYERS),
    "bench": set(LAYERS),
}

SOURCE = re.compile(r"\.(c|h|def|cpp|hpp)$")
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def layer_of(path):
    for layer in LAYERS:
        if path == layer or path.startswith(layer + "/"):
            return layer
    return None


def source_files(root):
    tops = [layer for layer in LAYERS if "/" not in layer]
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard", "--"] + tops,
                             capture_output=True, check=True).stdout
        files = {p for p in out.decode("utf-8", "surrogateescape").split("\0") if p}
    except (OSError, subprocess.CalledProcessError):
        files = set()
        for top in tops:
            for d, _, fs in os.walk(os.path.join(root, top)):
                files |= {os.path.relpath(os.path.join(d, f), root) for f in fs}
    return sorted(p for p in files
                  if SOURCE.search(p) and os.path.isfile(os.path.join(root, p)))


def main():
    if len(sys.argv) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    root = sys.argv[1]
    files = source_files(root)
    file_set = set(files)
    if not files:
        print(f"check_includes.py: no source files under {root}", file=sys.stderr)
        return 1
    problems = []

    # A header name -> the files that hold it; two folders with one name is ambiguous.
    holders = {}
    for f in files:
        if not f.endswith(".c") and not f.endswith(".cpp"):
            holders.setdefault(os.path.basename(f), []).append(f)
    for name, where in sorted(holders.items()):
        if len(where) > 1:
            problems.append(f"{where[1]}:1: header name {name} is also {where[0]}: "
                            "an include of it would be ambiguous")

    for f in files:
        layer = layer_of(f)
        with open(os.path.join(root, f), encoding="utf-8", errors="replace") as fh:
            lines = fh.readlines()
        for n, line in enumerate(lines, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            name = m.group(1)
            beside = os.path.normpath(os.path.join(os.path.dirname(f), name))
            if beside in file_set:
                target = beside
            elif os.path.basename(name) in holders:
                target = holders[os.path.basename(name)][0]
            else:
                continue  # not a header of these folders
            to = layer_of(target)
            if to == layer or to in ALLOWED[layer]:
                continue
            problems.append(f"{f}:{n}: {layer}/ includes {target}: {layer}/ may use "
                            f"{', '.join(sorted(ALLOWED[layer])) or 'nothing of axon'}")

    for p in problems:
        print(p)
    if problems:
        print(f"check_includes.py: {len(problems)} problem(s)")
        return 1
    print(f"check_includes.py: {len(files)} files, includes follow the layers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
