#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# test_console_attach.py - `console NAME` reaches the guest; Ctrl-A x3 returns.
from svtest import OUT, boot, check, main


def test(boots):
    b, con = boot(boots, OUT + "/console.iso", "console_attach")
    check(con.cmd("console nosuch")[0].startswith("error: no VM named"), "unknown VM")
    ans = con.cmd("console idle")
    check(ans and ans[-1].startswith("attached to 'idle'"), "attach: %r" % ans)
    con.send("x")
    con.expect(r"^idle: got 'x' \(0x78\)$")
    # Fewer than three Ctrl-A belong to the guest.
    con.send(b"\x01\x01z")
    con.expect(r"^idle: got '\?' \(0x01\)$")
    con.expect(r"^idle: got 'z' \(0x7a\)$")
    con.send(b"\x01\x01\x01")
    con.expect(r"^detached from 'idle'$")
    ans = con.cmd("version")
    check(len(ans) == 1 and ans[0].startswith("sharevisor "), "version after detach: %r" % ans)
    # Keys no longer reach the guest; `log idle` keeps what it printed.
    log = con.cmd("log idle")
    check(any("idle: got 'z'" in ln for ln in log), "log idle: %r" % log)
    # 'q' through the console ends the idle guest with PASS.
    con.cmd("console idle")
    con.send("q")
    con.expect(r"^detached from 'idle' \(the VM has stopped\)$")
    con.sync()
    vms = {v["name"]: v for v in con.vms()}
    check(vms.get("idle", {}).get("state") == "stopped", "idle not stopped: %r" % vms)
    b.finish()


main("console attach and Ctrl-A x3", test)
