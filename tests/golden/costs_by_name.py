#!/usr/bin/python3
"""Each ledger item's unit cost, read from the chip file by key name.

usage: costs_by_name.py AXON CHIP.yaml MODEL_DIR

Runs `axon run MODEL_DIR --chip CHIP.yaml` (one token, counting mode, with
barrier and with dataflow synchronisation, so that both sync items count) and
checks every line of the report's ledger: its `unit_j` must equal the value
this script reads from the chip file under the key that prices it, in the
table below. The table is written here, independently of the simulator's own
item-to-key mapping (sim/ledger.c), so that an item priced from the wrong key
fails. On a chip whose every cost is distinct (tests/golden/chips/distinct.yaml)
any swap shows. Every value the table names must also differ from every other.
"""
import json
import re
import subprocess
import sys

import yaml

UNITS = {"fJ": 1e-15, "pJ": 1e-12, "nJ": 1e-9, "uJ": 1e-6, "mJ": 1e-3, "J": 1.0,
         "uW": 1e-6, "mW": 1e-3, "W": 1.0, "kW": 1e3}

# ledger item -> key path in the chip file (axon's format)
DENSE = ["add", "mul", "mac", "div", "rsqrt", "exp", "silu", "max", "quantize"]
KEYS = {
    "process_spike": "chip.core.synapse.energy_process_spike",
    "update": "chip.core.dendrite.energy_update",
    "access_neuron": "chip.core.soma.energy_access_neuron",
    "update_neuron": "chip.core.soma.energy_update_neuron",
    "spike_out": "chip.core.soma.energy_spike_out",
    "read": "chip.core.sram.energy_read",
    "write": "chip.core.sram.energy_write",
    "stream": "chip.dram.energy_per_byte",
    "message_in": "chip.core.axon_in.energy_message_in",
    "message_out": "chip.core.axon_out.energy_message_out",
    "hop_north": "chip.tile.router.energy_north_hop",
    "hop_east": "chip.tile.router.energy_east_hop",
    "hop_south": "chip.tile.router.energy_south_hop",
    "hop_west": "chip.tile.router.energy_west_hop",
    "local": "chip.tile.router.energy_local",
    "copy": "chip.tile.router.energy_copy",
    "link": "system.interchip.energy_per_byte",
    "barrier": "chip.sync.energy",
    "handshake": "chip.sync.handshake.energy",
}
for op in DENSE:
    KEYS[op] = "chip.core.dense.%s.energy" % op


def quantity(text):
    """'35.5 pJ' or '16 pJ/B' -> joules (per byte); a number stays a number."""
    if isinstance(text, (int, float)):
        return float(text)
    m = re.fullmatch(r"\s*([-+0-9.eE]+)\s*([A-Za-z]+)(/B)?\s*", text)
    if not m or m.group(2) not in UNITS:
        sys.exit("costs_by_name: cannot read the quantity %r" % text)
    return float(m.group(1)) * UNITS[m.group(2)]


def lookup(chip, path):
    node = chip
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            sys.exit("costs_by_name: the chip file has no key %s" % path)
        node = node[part]
    return quantity(node)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    axon, chip_path, model = sys.argv[1:]
    with open(chip_path, encoding="utf-8") as f:
        chip = yaml.safe_load(f)
    want = {item: lookup(chip, path) for item, path in KEYS.items()}
    c = chip["chip"]
    cores = c["mesh"]["width"] * c["mesh"]["height"] * c["tile"]["cores"]
    want["static"] = (quantity(c["static_power"]["chip"]) +
                      cores * quantity(c["static_power"]["core"]))
    values = sorted(want.values())
    if any(a == b for a, b in zip(values, values[1:])):
        sys.exit("costs_by_name: %s has two equal costs; every cost must be distinct" % chip_path)

    seen, counted, failures = set(), set(), 0
    for sync in ("barrier", "dataflow"):
        out = subprocess.run([axon, "run", model, "--chip", chip_path, "--tokens", "1",
                              "--mode", "counting", "--sync", sync, "--json"],
                             capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit("costs_by_name: axon run --sync %s failed:\n%s" % (sync, out.stderr))
        failures += check(json.loads(out.stdout), want, seen, counted)
    for name in sorted(set(want) - seen):
        print("FAIL %s: not in the report's ledger" % name)
        failures += 1
    for name in ("barrier", "handshake"):
        if name not in counted:
            print("FAIL %s: counted nothing in either run" % name)
            failures += 1
    print("%d passed, %d failed" % (len(want) - failures, failures))
    return 1 if failures else 0


def check(report, want, seen, counted):
    """Checks one report's ledger against the chip's costs; the failures."""
    failures = 0
    for cat in report["energy"]["ledger"].values():
        for line in cat["items"]:
            name = line["name"]
            seen.add(name)
            if line["count"] > 0:
                counted.add(name)
            if name not in want:
                print("FAIL %s: no key in this test's table" % name)
                failures += 1
            elif abs(line["unit_j"] - want[name]) > 1e-12 * abs(want[name]):
                print("FAIL %s: unit_j %.6g J, the chip's %s says %.6g J" %
                      (name, line["unit_j"], KEYS.get(name, "static_power"), want[name]))
                failures += 1
            elif abs(line["energy_j"] - line["count"] * want[name]) > 1e-9 * abs(line["energy_j"]):
                print("FAIL %s: energy_j %.6g J is not count x cost" % (name, line["energy_j"]))
                failures += 1
    return failures


if __name__ == "__main__":
    sys.exit(main())
