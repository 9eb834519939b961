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
    # Bytes that are not text (8-bit bytes, control characters without a key's
    # meaning) give one error line and run nothing, wherever they are in the line.
    junk = bytes(range(0x80, 0x100)) + bytes(c for c in range(0x20) if c not in
                                             b"\x01\x02\x03\x04\x05\x06\x08\t\n\x0b\x0c\r"
                                             b"\x0e\x10\x15\x17\x1b")
    one_error(con, junk.decode("latin-1"),
              "error: the line held %d bytes that are not text; nothing run" % len(junk))
    one_error(con, "vers\x00\xffion", "error: the line held 2 bytes that are not text; nothing run")
    one_error(con, "\x80version", "error: the line held 1 byte that is not text; nothing run")
    # A bad line is not kept in the history: Up brings back the last good one.
    alive(con)
    one_error(con, "vers\x00ion")
    ans = con.cmd("\x1b[A")
    check(len(ans) == 1 and ans[0].startswith("sharevisor "), "Up after a bad line: %r" % ans)
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
