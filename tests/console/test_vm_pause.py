#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# test_vm_pause.py - `vm pause` stops a VM from running (its exit count stands
# still while another VM's moves), `vm resume` runs it again; pausing a paused
# VM or resuming a running one is a one-line error.
#
# "While" is measured in the other VM's progress, not in seconds: the paused
# VM's count is compared across the time 'a' takes for OTHER_EXITS exits
# (about a second's worth on an idle machine, where a running idle guest
# makes a few hundred in the same time), so a busy machine changes nothing.
import re

from svtest import OUT, boot, check, main


def exits(con, name):
    for ln in con.cmd("vm " + name):
        m = re.search(r"exits: (\d+) total", ln)
        if m:
            return int(m.group(1))
    raise AssertionError("no exit count for %s" % name)


def state(con, name):
    return {v["name"]: v["state"] for v in con.vms()}.get(name)


OTHER_EXITS = 1000


def test(boots):
    b, con = boot(boots, OUT + "/console.iso", "vm_pause")
    b.wait_guest(r"^\[b\] share: lingering")
    check(con.cmd("vm pause idle") == ["vm 'idle' paused"], "vm pause")
    check(state(con, "idle") == "paused", "vms shows paused")
    e0, a0 = exits(con, "idle"), exits(con, "a")
    a1 = b.poll(lambda: (lambda a: a if a >= a0 + OTHER_EXITS else 0)(exits(con, "a")),
                "the other VMs stopped too: 'a' made fewer than %d exits after %d" % (
                    OTHER_EXITS, a0))
    e1 = exits(con, "idle")
    check(e1 == e0, "a paused VM ran: %d -> %d exits while 'a' made %d" % (e0, e1, a1 - a0))
    check(a1 > a0, "the other VMs stopped too: %d -> %d exits" % (a0, a1))
    check(con.cmd("vm pause idle")[0].startswith("error: 'idle' is paused"), "pause twice")
    check(con.cmd("vm resume idle") == ["vm 'idle' resumed"], "vm resume")
    check(state(con, "idle") == "running", "vms shows running")
    b.poll(lambda: exits(con, "idle") > e1, "a resumed VM does not run")
    check(con.cmd("vm resume idle")[0].startswith("error: 'idle' is running"), "resume twice")
    check(con.cmd("vm pause nosuch")[0].startswith("error: no VM named 'nosuch'"), "unknown VM")
    b.finish()


main("console vm pause and resume", test)
