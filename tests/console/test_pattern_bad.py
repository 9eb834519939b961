#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# test_pattern_bad.py - a bad regex gives the caret error; the system goes on.
import re

from svtest import OUT, boot, check, main


def test(boots):
    b, con = boot(boots, OUT + "/console.iso", "pattern_bad")
    before = con.cmd("patterns")
    ans = con.cmd("pattern add bad (ab")
    check(len(ans) == 3 and ans[0].startswith("error: "), "answer %r" % ans)
    check(ans[1] == "  (ab", "regex line %r" % ans[1])
    caret = re.match(r"^  ( *)\^$", ans[2])
    check(caret is not None, "caret line %r" % ans[2])
    check(len(caret.group(1)) <= 3, "caret at %d, past the regex" % len(caret.group(1)))
    after = con.cmd("patterns")
    check(after == before or [ln.split()[:2] for ln in after] == [
        ln.split()[:2] for ln in before], "patterns changed: %r -> %r" % (before, after))
    check(after and after[0].split()[:2] == ["#", "name"], "patterns header %r" % after)
    check(not any(" bad " in ln for ln in after), "bad pattern listed")
    # A good one is added and removed again.
    check(con.cmd("pattern add ones \\xff*") == ["pattern 'ones' added"], "add ones")
    check(any(ln.split()[1:2] == ["ones"] for ln in con.cmd("patterns")), "ones not listed")
    check(con.cmd("pattern del ones") == ["pattern 'ones' removed"], "del ones")
    check(con.cmd("pattern del ones")[0].startswith("error: no pattern"), "del twice")
    # The guests keep running and printing: the idle guest echoes a key.
    con.cmd("console idle")
    con.send("k")
    con.expect(r"idle: got 'k' \(0x6b\)")
    con.sync()
    b.wait_guest(r"^\[b\] share: lingering")
    b.finish()


main("console pattern add with a bad regex", test)
