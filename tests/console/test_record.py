#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_record.py - svctl's record (what make demo runs): one stats json
object per sample with host_time added, in a new file, and with a
guest log the guests' console lines that came meanwhile, exactly those;
svctl plot draws the recording, with a per-VM panel of the VMs there."""
import json
import os
import re
import time

from svtest import OUT, boot, check, main, svctl


def test(boots):
    b, con = boot(boots, OUT + "/console.iso", "record")
    out, glog = OUT + "/record.jsonl", OUT + "/record.guests.log"
    for p in (out, glog):
        if os.path.exists(p):
            os.unlink(p)
    seen = len(b.transcript)
    del con.guest[:]    # lines from before the record
    with open(glog, "w") as g:
        t0 = time.time()
        last = svctl.record(con, out, 0.5, max_s=4.0, quiet=True, guests=g)
    rows = [json.loads(ln) for ln in open(out)]
    check(len(rows) >= 3, "%d samples in 4 s at 0.5 s" % len(rows))
    check(rows[-1] == last, "the last sample returned is not the last written")
    check(all(t0 - 1 <= r["host_time"] <= time.time() + 1 for r in rows), "host_time off")
    check(all(rows[i]["t_ms"] <= rows[i + 1]["t_ms"] for i in range(len(rows) - 1)),
          "t_ms went backwards")
    logged = open(glog).read().splitlines()
    # The share guests write and print while they run: their lines reach the log.
    want = [ln for ln in b.transcript[seen:] if ln.startswith("[")]
    check(logged and logged == want[:len(logged)],
          "guest log %r, guest lines during the record %r" % (logged[:5], want[:5]))
    png, gp = OUT + "/record.png", OUT + "/record.gp"
    for p in (png, gp):
        if os.path.exists(p):
            os.unlink(p)
    svctl.plot(out, png, script=gp)
    script = open(gp).read()
    check(open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n", "no PNG")
    sys_rows = re.search(r"^\$sys << EOD\n(.*?)^EOD$", script, re.M | re.S).group(1)
    check(len([ln for ln in sys_rows.splitlines() if not ln.startswith("#")]) == len(rows),
          "the plot's data has not one row a sample")
    names = [v["name"] for v in rows[-1]["per_vm"]]
    check(names and all("# %s: t saved_mib cow" % n in script for n in names),
          "per-VM panel without %r" % names)
    b.finish()


main("svctl record with a guest log", test)
