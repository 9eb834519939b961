#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_help_numbers.py - usage lines name what may follow (never "usage: stats "),
`help vms` explains every column, `help stats reset` what it resets; `stats`
gives the saved pages as shares of the populated guest pages, of the guest RAM
and of host memory, agreeing with `stats json`, with singular and plural right;
`stats reset` zeroes full scans with pages scanned."""
import re

from svtest import OUT, boot, check, main


def count_word(n, word):
    """Whether "N word(s)" has the right number."""
    return word.endswith("s") == (int(n) != 1)


def pct(part, whole):
    p = part * 1000 // whole if whole else 0
    return "%d.%d%%" % (p // 10, p % 10)


def test(boots):
    b, con = boot(boots, OUT + "/console.iso", "help_numbers")
    for line, want in [
            ("scan", "error: scan: expected a sub-command (usage: scan rate PAGES | scan now)"),
            ("pattern", "error: pattern: expected a sub-command "
                        "(usage: pattern add NAME REGEX | pattern del NAME)"),
            ("stats bogus", "error: stats: too many arguments "
                            "(usage: stats | stats json | stats reset)"),
            ("vms x", "error: vms: too many arguments (usage: vms)")]:
        ans = con.cmd(line)
        check(ans == [want], "%r -> %r" % (line, ans))
    # help vms: one explanation for every column of the table.
    header = con.cmd("vms")[0].replace("RAM MiB", "RAM_MiB").split()
    text = " ".join(con.cmd("help vms")).replace("RAM MiB", "RAM_MiB")
    for col in header:
        check(re.search(r"\b%s\b[^:]*:" % re.escape(col), text), "help vms: no %r in %r" % (col, text))
    text = " ".join(con.cmd("help stats reset"))
    check("full scans" in text and "pages scanned" in text, "help stats reset: %r" % text)

    b.wait_guest(r"^\[b\] share: lingering")
    con.cmd("vm pause a")
    con.cmd("vm pause b")
    con.cmd("scan now")

    def consistent():
        j0 = con.stats()
        text = con.cmd("stats")
        j1 = con.stats()
        keys = ("saved", "saved_intra", "saved_inter", "populated_pages", "pattern_pages",
                "pattern_frames")
        return (text, j1) if all(j0[k] == j1[k] for k in keys) else None
    text, j = b.poll(consistent, "stats json kept changing", ceiling=120)
    ram = sum(int(v["ram_mib"]) * 256 for v in con.vms() if v["state"] != "stopped")
    saved = [ln for ln in text if ln.startswith("saved:")]
    m = re.match(r"^saved: +(\d+) (pages?) = (\d+)\.(\d) MiB \(intra-VM (\d+), inter-VM (\d+)\): "
                 r"(\S+) of populated guest pages, (\S+) of guest RAM, (\S+) of host memory$",
                 saved[0] if saved else "")
    check(m, "saved line %r" % saved)
    check(int(m.group(1)) == j["saved"] and count_word(m.group(1), m.group(2)), "saved %r" % saved)
    check("%s.%s" % (m.group(3), m.group(4)) == "%d.%d" % (j["saved"] // 256,
                                                          j["saved"] % 256 * 10 // 256), "MiB")
    check((int(m.group(5)), int(m.group(6))) == (j["saved_intra"], j["saved_inter"]), "intra/inter")
    check(m.group(7) == pct(j["saved"], j["populated_pages"]), "populated share %r" % saved)
    check(m.group(8) == pct(j["saved"], ram), "guest RAM share %r (RAM %d pages)" % (saved, ram))
    check(m.group(9) == pct(j["saved"], j["frames_total"]), "host share %r" % saved)
    check(j["saved"] > 0, "nothing saved")
    pat = [re.match(r"^pattern: +(\d+) (pages?) on (\d+) (frames?)$", ln) for ln in text]
    pat = [x for x in pat if x]
    check(pat and count_word(pat[0].group(1), pat[0].group(2)) and
          count_word(pat[0].group(3), pat[0].group(4)), "pattern line %r" % text)

    # stats reset: the event counters, full scans with pages scanned; not the state.
    before = con.stats()
    check(before["full_scans"] > 0, "no full scans before the reset")
    check(con.cmd("stats reset") == ["event counters reset"], "stats reset")
    after = con.stats()
    check(after["full_scans"] < before["full_scans"] and after["full_scans"] <= 1,
          "full scans %d -> %d" % (before["full_scans"], after["full_scans"]))
    check(after["pages_scanned"] < before["pages_scanned"], "pages scanned")
    check(after["cow_pattern"] + after["cow_content"] == 0 and after["merges"] <= before["merges"],
          "cow/merges after reset: %r" % after)
    check(after["saved"] == before["saved"], "saved changed by the reset")
    con.cmd("vm resume a")
    con.cmd("vm resume b")
    b.finish()


main("console usage lines, help texts and the numbers of stats", test)
