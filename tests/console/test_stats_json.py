#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# test_stats_json.py - `stats json` parses, has stable keys, and its numbers add up.
#
# saved == saved_intra + saved_inter, saved_intra == pattern_pages - pattern_frames,
# saved_inter == pages_sharing, frames_used + frames_free == frames_total, on
# samples taken while the share guests merge, COW-break and merge again; guest
# RAM = populated + untouched pages.
import time

from svtest import CEILING, OUT, boot, check, main

KEYS = ["t_ms", "frames_total", "frames_free", "frames_used", "vms", "full_scans",
        "pages_scanned", "pages_shared", "pages_sharing", "pages_unshared",
        "pages_volatile", "pattern_pages", "pattern_frames", "saved_intra", "saved_inter",
        "saved", "cow_pattern", "cow_content", "merges", "engine_bytes",
        "guest_ram_pages", "populated_pages", "untouched_pages", "scanner_ms", "scan_rate_now"]


def sums(s):
    check(list(s.keys()) == KEYS, "keys %s" % list(s.keys()))
    check(all(isinstance(v, int) and v >= 0 for v in s.values()), "non-integer: %r" % s)
    check(s["saved"] == s["saved_intra"] + s["saved_inter"], "saved != intra + inter: %r" % s)
    check(s["saved_intra"] == s["pattern_pages"] - s["pattern_frames"],
          "saved_intra != pattern_pages - pattern_frames: %r" % s)
    check(s["saved_inter"] == s["pages_sharing"], "saved_inter != pages_sharing: %r" % s)
    check(s["frames_used"] + s["frames_free"] == s["frames_total"],
          "used + free != total: %r" % s)
    check(s["vms"] == 3, "vms %d, expected 3" % s["vms"])
    check(s["untouched_pages"] == s["guest_ram_pages"] - s["populated_pages"],
          "untouched != RAM - populated: %r" % s)
    # RAM of the VMs (4 MiB share a, b and idle: see 60-console.sh), less the 640K-1M hole.
    check(s["guest_ram_pages"] == 3 * (4 * 256 - 96), "guest RAM pages %d" % s["guest_ram_pages"])


def test(boots):
    b, con = boot(boots, OUT + "/console.iso", "stats_json")
    samples = []
    start = time.monotonic()
    # While the guests write and merge: until b is done (or the ceiling).
    while True:
        samples.append(con.stats())
        sums(samples[-1])
        if any(ln.startswith("[b] share: lingering") for ln in b.transcript) or \
                time.monotonic() - start >= CEILING:
            break
    b.wait_guest(r"^\[b\] share: lingering")
    con.cmd("scan now")
    s = con.stats()
    sums(s)
    check(s["saved"] > 0 and s["full_scans"] > 0, "nothing shared: %r" % s)
    check(s["t_ms"] >= samples[0]["t_ms"], "t_ms went backwards")
    b.finish()


main("console stats json adds up", test)
