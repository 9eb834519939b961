#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# test_stats_json.py - `stats json` parses, has stable keys, and its numbers add up.
#
# saved == saved_intra + saved_inter, saved_intra == pattern_pages - pattern_frames,
# saved_inter == pages_sharing, frames_used + frames_free == frames_total, on
# samples taken while the share guests merge, COW-break and merge again; guest
# RAM = populated + untouched pages. The per-VM objects add up to the totals,
# and saved_min/saved_max bound saved over each interval between two reads
# (both ends included).
import time

from svtest import CEILING, OUT, boot, check, main

KEYS = ["t_ms", "frames_total", "frames_free", "frames_used", "vms", "full_scans",
        "pages_scanned", "pages_shared", "pages_sharing", "pages_unshared",
        "pages_volatile", "pattern_pages", "pattern_frames", "saved_intra", "saved_inter",
        "saved", "cow_pattern", "cow_content", "merges", "engine_bytes",
        "guest_ram_pages", "populated_pages", "untouched_pages", "scanner_ms", "scan_rate_now",
        "hv_start_ms", "host_ram_pages", "guest_ram_nominal_pages", "saved_min", "saved_max",
        "per_vm"]
VM_KEYS = ["id", "name", "state", "ram_nominal_pages", "populated_pages", "private_pages",
           "pattern_pages", "content_pages", "pattern_frames", "saved_milli", "cow_pattern",
           "cow_content", "merges"]


def sums(s):
    check(list(s.keys()) == KEYS, "keys %s" % list(s.keys()))
    nums = [v for k, v in s.items() if k != "per_vm"]
    check(all(isinstance(v, int) and v >= 0 for v in nums), "non-integer: %r" % s)
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
    check(s["guest_ram_nominal_pages"] == 3 * 4 * 256, "nominal guest RAM %r" % s)
    # QEMU's -m 512: the memory map's RAM holds the frame pool, and no more than 512 MiB.
    check(s["frames_total"] <= s["host_ram_pages"] <= 512 * 256, "host RAM pages %r" % s)
    check(0 < s["hv_start_ms"] <= s["t_ms"], "hv_start_ms %r" % s)
    check(s["saved_min"] <= s["saved"] <= s["saved_max"], "saved outside min..max: %r" % s)
    per = s["per_vm"]
    check([v["name"] for v in per] == ["a", "b", "idle"] and
          all(list(v.keys()) == VM_KEYS for v in per), "per_vm %r" % per)
    for v in per:
        check(v["state"] == "running" and v["ram_nominal_pages"] == 1024 and
              all(isinstance(v[k], int) and v[k] >= 0 for k in VM_KEYS[3:]), "VM %r" % v)
        check(v["populated_pages"] == v["private_pages"] + v["pattern_pages"] +
              v["content_pages"], "VM populated != private + pattern + content: %r" % v)
    total = lambda k: sum(v[k] for v in per)
    for k in ("populated_pages", "pattern_pages", "pattern_frames", "cow_pattern", "cow_content",
              "merges"):
        check(total(k) == s[k], "sum of the VMs' %s %d, total %d" % (k, total(k), s[k]))
    # Each VM is charged 1000 / refcount (rounded down) per content page: the
    # VMs' saved adds up to the total, over by less than one milli-page a page.
    check(1000 * s["saved"] <= total("saved_milli") < 1000 * s["saved"] + total("content_pages") + 1,
          "the VMs' saved_milli %d, total saved %d pages" % (total("saved_milli"), s["saved"]))


def interval(prev, s):
    """saved_min/max of S cover the time since PREV was read: both ends too."""
    check(s["saved_min"] <= min(prev["saved"], s["saved"]) and
          s["saved_max"] >= max(prev["saved"], s["saved"]),
          "saved %d then %d, but min %d max %d in between" % (
              prev["saved"], s["saved"], s["saved_min"], s["saved_max"]))


def test(boots):
    b, con = boot(boots, OUT + "/console.iso", "stats_json")
    samples = []
    start = time.monotonic()
    # While the guests write and merge: until b is done (or the ceiling).
    while True:
        samples.append(con.stats())
        sums(samples[-1])
        if len(samples) > 1:
            interval(samples[-2], samples[-1])
        if any(ln.startswith("[b] share: lingering") for ln in b.transcript) or \
                time.monotonic() - start >= CEILING:
            break
    b.wait_guest(r"^\[b\] share: lingering")
    con.cmd("scan now")
    s = con.stats()
    sums(s)
    check(any(x["saved_max"] > x["saved_min"] for x in samples + [s]),
          "saved never moved between two reads")
    check(s["saved"] > 0 and s["full_scans"] > 0, "nothing shared: %r" % s)
    check(s["t_ms"] >= samples[0]["t_ms"], "t_ms went backwards")
    b.finish()


main("console stats json adds up", test)
