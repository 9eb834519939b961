#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# test_vm_halted.py - a guest that executes `cli; hlt` stays halted, as on
# hardware (nothing wakes it), instead of being stopped: `vms` shows it as
# halted, `vm NAME` says where, the VM beside it runs on, and `vm destroy`
# ends it (the run then ends PASS when the other VM is destroyed too).
from svtest import OUT, boot, check, main


def state(con, name):
    return {v["name"]: v["state"] for v in con.vms()}.get(name)


def test(boots):
    b, con = boot(boots, OUT + "/halted.iso", "vm_halted")
    b.wait_guest(r"^\[halter\] hostile: cli; hlt")
    b.poll(lambda: state(con, "halter") == "halted", "vms never shows 'halter' as halted")
    check(state(con, "idle") == "running", "the other VM is not running")
    info = con.cmd("vm halter")
    check(any("halted with interrupts disabled at RIP" in ln for ln in info),
          "vm halter does not say where it halted: %r" % info)
    check(state(con, "halter") == "halted", "a halted VM was stopped")
    ans = con.cmd("vm destroy halter")
    check(any(ln.startswith("vm 'halter' destroyed") for ln in ans), "vm destroy halter: %r" % ans)
    b.finish()


main("console vm halted with interrupts off", test)
