#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_plot.py - svctl plot, without a hypervisor: from a JSONL made here, the
gnuplot script it writes (--script) holds the samples against the time since
the hypervisor started, the phases computed from them, what went beyond two
samples (saved_min/saved_max), the reference lines (guest RAM, populated, host
RAM drawn or named off the scale) and a per-VM panel; the PNG is drawn, and a
recording from before those fields (t_ms alone) still plots, on one panel."""
import json
import os
import re
import struct
import subprocess
import sys

from svtest import OUT, ROOT, check, main

SVCTL = os.path.join(ROOT, "scripts", "svctl")
START_MS = 700                  # hv_start_ms
T0_MS = 2700                    # the first sample's t_ms; one a second after it
N = 16
# Populated pages grow until sample 5; saved rises from sample 3, reaches its
# last value at sample 10 and stays within 1% of it (4990 at sample 12).
POP = [1000 + 2000 * min(i, 5) for i in range(N)]
SAVED = [0, 0, 0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 5000, 5000, 4990, 5000, 5000, 5000]
PEAK, DIP = (7, 4000), (13, 4000)   # saved_max of sample 7, saved_min of sample 13
NOMINAL = 2 * 8192


def t_of(i):
    return (T0_MS + 1000 * i - START_MS) / 1000.0


def sample(i, host_pages, pop=POP):
    s = SAVED[i]
    prev = SAVED[i - 1] if i else 0
    lo, hi = min(prev, s), max(prev, s)
    if i == PEAK[0]:
        hi = PEAK[1]
    if i == DIP[0]:
        lo = DIP[1]
    vms = [{"id": 1, "name": "vm_a", "state": "running", "saved_milli": 600 * s,
            "cow_pattern": 10 * i, "cow_content": i}]
    if i >= 3:
        vms.append({"id": 2, "name": "b", "state": "running", "saved_milli": 400 * s,
                    "cow_pattern": 0, "cow_content": 2 * i})
    return {"t_ms": T0_MS + 1000 * i, "hv_start_ms": START_MS, "saved": s,
            "saved_intra": s - s // 5, "saved_inter": s // 5, "cow_pattern": 11 * i,
            "cow_content": 2 * i, "populated_pages": pop[i], "guest_ram_nominal_pages": NOMINAL,
            "host_ram_pages": host_pages, "saved_min": lo, "saved_max": hi, "per_vm": vms,
            "host_time": 1.7e9 + i}


def write(path, rows):
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def plot(jsonl, *extra):
    png, gp = jsonl[:-6] + ".png", jsonl[:-6] + ".gp"
    for p in (png, gp):
        if os.path.exists(p):
            os.unlink(p)
    p = subprocess.run([sys.executable, SVCTL, "plot", jsonl, png, "--script", gp] + list(extra),
                       capture_output=True, text=True, timeout=120)
    check(p.returncode == 0, "svctl plot %s: status %d: %s" % (jsonl, p.returncode, p.stderr))
    with open(png, "rb") as f:
        head = f.read(24)
    check(head[:8] == b"\x89PNG\r\n\x1a\n", "%s is not a PNG" % png)
    return open(gp).read(), struct.unpack(">II", head[16:24])


def block(script, name):
    """The rows of datablock $NAME, as lists of floats (comment lines left out)."""
    m = re.search(r"^\$%s << EOD\n(.*?)^EOD$" % name, script, re.M | re.S)
    check(m, "no datablock $%s" % name)
    return [[float(x) for x in ln.split()] for ln in m.group(1).splitlines()
            if not ln.startswith("#")]


def near(a, b):
    return abs(a - b) < 1e-3


def rows_near(got, want, what):
    check(len(got) == len(want) and all(len(g) == len(w) and all(near(x, y) for x, y in zip(g, w))
                                        for g, w in zip(got, want)),
          "%s: got %r, expected %r" % (what, got[:4], want[:4]))


def phases(script):
    rects = re.findall(r"^set object (\d+) rect from ([\d.]+), graph 0 to ([\d.]+), graph 1",
                       script, re.M)
    labels = dict(re.findall(r"^set label (\d+) '([^']*)' at", script, re.M))
    return [(labels.get(n), float(a), float(b)) for n, a, b in rects]


def test(boots):
    os.makedirs(OUT, exist_ok=True)
    mib = 256.0
    # Host RAM far above the guests' (512 MiB against 64): named, not drawn.
    path = os.path.join(OUT, "plot-far.jsonl")
    write(path, [sample(i, 131072) for i in range(N)])
    script, size = plot(path, "--title", "it's a test")
    check(size == (1280, 900), "PNG size %r, expected 1280x900 (two panels)" % (size,))
    check("set multiplot layout 2,1 title 'it''s a test'" in script, "title or layout")
    check("set xlabel 'time since the hypervisor started (s)'" in script, "x label")
    rows_near(block(script, "sys"), [
        [t_of(i), (SAVED[i] - SAVED[i] // 5) / mib, SAVED[i] / mib, 13 * i, POP[i] / mib,
         NOMINAL / mib] for i in range(N)], "$sys")
    got = phases(script)
    want = [("guests booting", 0, t_of(5)), ("converging", t_of(5), t_of(10)),
            ("steady", t_of(10), t_of(N - 1))]
    check(len(got) == 3 and all(g[0] == w[0] and near(g[1], w[1]) and near(g[2], w[2])
                                for g, w in zip(got, want)), "phases %r, expected %r" % (got, want))
    # What went beyond both samples: the peak before sample 7, the dip before 13.
    rows_near(block(script, "missed"), [
        [t_of(PEAK[0] - 1), t_of(PEAK[0]), SAVED[PEAK[0]] / mib, PEAK[1] / mib],
        [t_of(DIP[0] - 1), t_of(DIP[0]), DIP[1] / mib, min(SAVED[DIP[0] - 1:DIP[0] + 1]) / mib]],
        "$missed")
    check("# vm_a: t saved_mib cow" in script and "# b: t saved_mib cow" in script, "VM names")
    rows_near(block(script, "vm0"), [[t_of(i), 0.6 * SAVED[i] / mib, 11 * i] for i in range(N)],
              "$vm0 (vm_a)")
    rows_near(block(script, "vm1"), [[t_of(i), 0.4 * SAVED[i] / mib, 2 * i] for i in range(3, N)],
              "$vm1 (b, from sample 3)")
    check(re.search(r"keyentry .*'host RAM: 512 MiB, off the scale'", script),
          "host RAM not named off the scale")
    check("'guest RAM (mem=): 64 MiB'" in script, "guest RAM line")
    # 5000 pages = 19.53 MiB, 45.45% of 11000 = 42.96 MiB: tenths rounded down, as in stats.
    check("set title 'all VMs at the end: 19.5 MiB saved, 45.4% of the 42.9 MiB populated'"
          in script, "summary")

    # Host RAM close to the guests' (78 MiB): a line at its value. Populated pages
    # settled before the record: the first span says so.
    path = os.path.join(OUT, "plot-near.jsonl")
    write(path, [sample(i, 20000, pop=[11000] * N) for i in range(N)])
    script, _ = plot(path)
    check(re.search(r"^\s*78\.1250 with lines .*'host RAM: 78 MiB'", script, re.M),
          "host RAM line missing")
    got = phases(script)
    check(got and got[0][0] == "before the record" and near(got[0][2], t_of(0)) and
          got[1][0] == "converging" and near(got[1][1], t_of(0)), "phases %r" % got)

    # A recording from before hv_start_ms and per_vm: since the CPU's reset, one panel.
    path = os.path.join(OUT, "plot-old.jsonl")
    write(path, [{"t_ms": 1000 * (i + 1), "saved": SAVED[i], "saved_intra": SAVED[i],
                  "saved_inter": 0, "cow_pattern": i, "cow_content": 0} for i in range(N)])
    script, size = plot(path)
    check(size == (1280, 520) and "multiplot" not in script, "old input: size %r" % (size,))
    check("set xlabel 'time since the CPU''s reset (s)'" in script, "old input: x label")
    got = phases(script)    # no populated pages: no booting span; t is i + 1
    check([g[0] for g in got] == ["converging", "steady"] and near(got[0][1], 1) and
          near(got[0][2], 11) and near(got[1][2], N), "old input: phases %r" % got)
    rows_near([r[:4] for r in block(script, "sys")],
              [[i + 1, SAVED[i] / mib, SAVED[i] / mib, i] for i in range(N)], "old $sys")


main("svctl plot: script, phases, reference lines, per-VM panel", test)
