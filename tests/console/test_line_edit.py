#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# test_line_edit.py - the line editor's keys through the serial line: the bytes
# a terminal sends for the arrows, Home/End, Delete, Tab, and unknown escape
# sequences; what runs is what the edited line says. Then, on a boot that
# prints a stats line every second, a half-typed line with the cursor inside
# it is drawn again after each such line, the cursor where it was.
import os
import time

from svtest import OUT, ROOT, boot, check, main, mkiso

PROMPT = "sharevisor> "


def version(ans, what):
    check(len(ans) == 1 and ans[0].startswith("sharevisor ") and "backend" in ans[0],
          "%s: %r" % (what, ans))


def test(boots):
    guests = os.path.join(ROOT, "build", "guests")
    b, con = boot(boots, OUT + "/console.iso", "line_edit")
    version(con.cmd("version"), "version")
    # Up arrow (CSI and SS3 forms, Ctrl-P): the last line again.
    version(con.cmd("\x1b[A"), "Up")
    version(con.cmd("\x1bOA"), "SS3 Up")
    ans = con.cmd("vms")
    check(ans and ans[0].split()[:2] == ["id", "name"], "vms: %r" % ans)
    version(con.cmd("\x1b[A\x1b[A"), "Up Up")
    version(con.cmd("\x10\x10\x0e"), "Ctrl-P x2, Ctrl-N")
    # Left/Right/Home/End/Delete edit at the cursor.
    version(con.cmd("vrsion\x1b[D\x1b[D\x1b[D\x1b[D\x1b[De"), "Left x5, insert")
    version(con.cmd("ersion\x1b[Hv"), "Home, insert")
    version(con.cmd("versio\x01\x05n"), "Ctrl-A, Ctrl-E")
    version(con.cmd("vxersion\x1b[1~\x1b[C\x1b[3~"), "Home, Right, Delete")
    version(con.cmd("version xyz\x17\x08"), "Ctrl-W, BS")
    # An escape sequence split over two sends: it is still one key.
    con.send(b"\x1b")
    con.send(b"[")
    version(con.cmd("A"), "Up split over sends")
    # Unknown sequences are swallowed whole, never run as text.
    version(con.cmd("ver\x1b[5~\x1b[200~\x1b[?25h\x1bOP\x1b[1;5Zsion"), "unknown sequences")
    # Tab completes command words and VM names.
    version(con.cmd("vers\t"), "Tab: version")
    ans = con.cmd("st\tj\t")
    check(len(ans) == 1 and ans[0].startswith("{\"t_ms\":"), "Tab: stats json: %r" % ans)
    ans = con.cmd("vm i\t")
    check(ans and ans[0].startswith("vm 3 'idle'"), "Tab: vm idle: %r" % ans)
    con.send("con\tid\t\r")    # (cmd() knows `console` by its first word)
    con.expect(r"^attached to 'idle'")
    con.send("k")
    con.expect(r"^idle: got 'k' \(0x6b\)$")
    con.sync()  # Ctrl-A x3 leaves it; at the prompt Ctrl-A is Home
    version(con.cmd("version"), "after detach")
    b.finish()

    iso = mkiso("line_edit_stats", "stats_every=1", [guests + "/idle.elf vm=idle mem=4M"])
    b, con = boot(boots, iso, "line_edit_stats")
    con.send("versoin\x1b[D\x1b[D\x1b[D")
    con.send("\x1b[C\x08\x1b[C")   # vers|oin; Right, BS: vers|in; Right: versi|n
    con.send("o")                   # versio|n: the cursor inside the line
    for _ in range(2):              # two stats lines while the line waits
        con.expect(r"^stats: used \d+/\d+ frames")
    t0 = time.monotonic()
    while con.pump(0.3) and time.monotonic() - t0 < 30:
        pass
    check(con.line.text() == PROMPT + "version" and con.line.col == len(PROMPT) + 6,
          "after a stats line: %r, cursor at %d" % (con.line.text(), con.line.col))
    con.send("\r")
    con.expect(r"^sharevisor [0-9a-f]+.*, \w+ backend$")


main("console line editing keys", test)
