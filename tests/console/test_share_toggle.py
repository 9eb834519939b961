#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# test_share_toggle.py - `share off` stops the scanner, `share on` restarts it.
#
# With sharing off, neither the periodic scanner nor `scan now` scan a page:
# pages_scanned and full_scans stay put; with it on again they grow. The
# periodic scanner gets its chance while VM 'a' makes OTHER_EXITS exits (the
# system's own progress: about half a second's worth on an idle machine).
import re

from svtest import OUT, boot, check, main


OTHER_EXITS = 500


def exits(con, name):
    for ln in con.cmd("vm " + name):
        m = re.search(r"exits: (\d+) total", ln)
        if m:
            return int(m.group(1))
    raise AssertionError("no exit count for %s" % name)


def test(boots):
    b, con = boot(boots, OUT + "/console.iso", "share_toggle")
    b.wait_guest(r"^\[b\] share: lingering")
    check(con.cmd("share off") == ["sharing mode off"], "share off")
    s0 = con.stats()
    a0 = exits(con, "a")
    con.cmd("scan now")
    b.poll(lambda: exits(con, "a") >= a0 + OTHER_EXITS, "VM 'a' does not run")
    s1 = con.stats()
    check(s1["pages_scanned"] == s0["pages_scanned"],
          "pages scanned with sharing off: %d -> %d" % (s0["pages_scanned"], s1["pages_scanned"]))
    check(s1["full_scans"] == s0["full_scans"], "full scans with sharing off")
    check(con.cmd("stats")[1].startswith("sharing:  mode off"), "stats shows the mode")
    check(con.cmd("share on") == ["sharing mode on"], "share on")
    con.cmd("scan now")
    s2 = con.stats()
    check(s2["pages_scanned"] > s1["pages_scanned"], "no pages scanned with sharing on")
    check(s2["full_scans"] > s1["full_scans"], "no full scan with sharing on")
    check(con.cmd("share sideways")[0].startswith("error: share: expected"), "bad mode")
    b.finish()


main("console share off and on", test)
