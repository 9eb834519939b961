#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# test_bad_input.py - bad input gives one-line errors; the console keeps answering.
import random
import time

from svtest import OUT, boot, check, main


def one_error(con, line, prefix="error: "):
    ans = con.cmd(line)
    check(len(ans) == 1 and ans[0].startswith(prefix), "%r -> %r" % (line[:40], ans))


def alive(con):
    ans = con.cmd("version")
    check(len(ans) == 1 and ans[0].startswith("sharevisor "), "version: %r" % ans)


def test(boots):
    b, con = boot(boots, OUT + "/console.iso", "bad_input")
    one_error(con, "frobnicate", "error: unknown command 'frobnicate'")
    one_error(con, "x" * 300, "error: line too long")
    alive(con)
    for line in ["vm", "vm pause", "vm destroy nosuch", "scan rate abc", "scan rate 99999999",
                 "watch 0", "watch 1 2", "share", "pattern add onlyname", "pattern del",
                 "help nosuch", "stats bogus", "log", "console"]:
        one_error(con, line)
    # 8-bit bytes and control characters (not CR, LF, ^C, ^U, BS, DEL) are ignored.
    junk = bytes(range(0x80, 0x100)) + bytes(c for c in range(0x20) if c not in b"\r\n\x03\x15\x08")
    check(con.cmd(junk.decode("latin-1")) == [], "junk line gave output")
    check(con.cmd(junk.decode("latin-1") + "version")[0].startswith("sharevisor "),
          "junk + version")
    # A burst of random bytes, then a clean line.
    rnd = random.Random(7)
    t0 = time.monotonic()
    con.send(bytes(rnd.randrange(256) for _ in range(1024)))
    con.sync(timeout=60)
    print("# 1024 random bytes digested in %.1f s" % (time.monotonic() - t0))
    alive(con)
    one_error(con, "help " + "y" * 150, "error: no command")
    alive(con)
    b.finish()


main("console bad input", test)
