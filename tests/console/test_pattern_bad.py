#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# test_pattern_bad.py - a bad regex gives the caret error, other refusals say
# what is wrong in words, a regex is the rest of the line; the system goes on;
# after a pattern is removed and added back, `patterns` still adds up to `stats`.
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
    check(con.cmd("pattern add ones \\xff*") == ["pattern 'ones' added: \\xff*"], "add ones")
    # Errors in words: a name taken, a pattern no page can match.
    ans = con.cmd("pattern add ones \\x01*")
    check(ans == ["error: cannot add pattern 'ones': the name is taken (see patterns)"],
          "duplicate: %r" % ans)
    ans = con.cmd("pattern add tiny abc")
    check(len(ans) == 1 and ans[0].startswith("error: cannot add pattern 'tiny': it can never "
                                              "match"), "tiny: %r" % ans)
    # The regex is the rest of the line: inner spaces are bytes, trailing ones dropped.
    ans = con.cmd("pattern add sp   a b*   ")
    check(ans == ["pattern 'sp' added: a b*"], "spaces: %r" % ans)
    check(con.cmd("pattern del sp") == ["pattern 'sp' removed"], "del sp")
    check(any(ln.split()[1:2] == ["ones"] for ln in con.cmd("patterns")), "ones not listed")
    check(con.cmd("pattern del ones") == ["pattern 'ones' removed"], "del ones")
    check(con.cmd("pattern del ones")[0].startswith("error: no pattern"), "del twice")
    # The guests keep running and printing: the idle guest echoes a key.
    con.cmd("console idle")
    con.send("k")
    con.expect(r"idle: got 'k' \(0x6b\)")
    con.sync()
    b.wait_guest(r"^\[b\] share: lingering")
    # Zero pages merged; the pattern removed and added back: every page on a
    # pattern frame is still counted somewhere, and the totals are stats'.
    con.cmd("scan now")
    check(pattern_rows(con)[0]["zero"][0] > 0, "no zero pages merged")
    check(con.cmd("pattern del zero") == ["pattern 'zero' removed"], "del zero")
    check(con.cmd("pattern add zero \\x00{4096}") == ["pattern 'zero' added: \\x00{4096}"],
          "add zero back")
    con.cmd("scan now")
    rows, total = pattern_rows(con)
    check(rows.get("(removed patterns)", (0, 0))[0] > 0, "removed pages not shown: %r" % rows)
    b.poll(lambda: agrees(con), "patterns and stats disagree", ceiling=60)
    b.finish()


def pattern_rows(con):
    """`patterns` as ({name: (pages, frames)}, (total pages, total frames)); rows add up."""
    rows, total = {}, None
    for ln in con.cmd("patterns")[1:]:
        w = ln.split()
        if w[:1] == ["total"]:
            total = (int(w[-2]), int(w[-1]))
        elif w[:1] == ["-"]:
            rows[" ".join(w[1:3])] = (int(w[3]), int(w[4]))
        else:
            rows[w[1]] = (int(w[3]), int(w[4]))
    check(total is not None, "no total row")
    check((sum(r[0] for r in rows.values()), sum(r[1] for r in rows.values())) == total,
          "rows %r do not add up to %r" % (rows, total))
    return rows, total


def agrees(con):
    """The pattern line of stats and the total row of patterns give the same numbers."""
    m = [re.match(r"^pattern: +(\d+) pages? on (\d+) frames?$", ln) for ln in con.cmd("stats")]
    m = [x for x in m if x]
    return m and (int(m[0].group(1)), int(m[0].group(2))) == pattern_rows(con)[1]


main("console pattern add errors and pattern counters", test)
