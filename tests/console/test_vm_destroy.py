#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# test_vm_destroy.py - `vm destroy` releases the VM's frames; the others run on.
#
# Criterion: the same scenario booted twice with sharing off (so every frame
# count is deterministic), with and without the VM to destroy ("victim", an
# idle guest like its two neighbours), each sampled once every guest printed
# "idle: ready". After destroying the victim:
#  - guest frames (`mem`) equal the boot without it exactly: all its RAM is back;
#  - frames_used exceeds the boot without it by at most HEAP_NCLASSES (8)
#    hypervisor frames: the heap keeps the small-object slab pages it grew for
#    the VM's structures on its free lists for reuse (mm/heap.c never returns
#    them); the VM's large objects (struct vm, nested page tables, VMCB) must
#    come back, so this bound is far below the victim's own overhead;
#  - the frames the hypervisor says it released equal the growth of
#    frames_free, and cover the victim's populated pages plus at least its
#    nested page-table root;
#  - the neighbours still run: both listed running, one echoes a key.
# (frames_total differs between the boots by the victim's module image,
# which GRUB loaded into memory the allocator does not manage: compare used.)
import re

from svtest import OUT, boot, check, main

HEAP_NCLASSES = 8


def ready(b, con, names):
    """Every idle guest printed "idle: ready" (its log says so)."""
    for n in names:
        b.poll(lambda: any("idle: ready" in ln for ln in con.cmd("log " + n)),
               "%s never got ready" % n)


def mem(con):
    ans = " ".join(con.cmd("mem"))
    m = re.search(r"free (\d+), hypervisor (\d+), guest (\d+), pattern (\d+), content (\d+)", ans)
    check(m is not None, "mem: %r" % ans)
    return dict(zip(["free", "hypervisor", "guest", "pattern", "content"],
                    map(int, m.groups())))


def test(boots):
    b0, con0 = boot(boots, OUT + "/destroy-without.iso", "vm_destroy-without")
    ready(b0, con0, ["i1", "i2"])
    base, base_mem = con0.stats(), mem(con0)
    b0.finish()

    b1, con = boot(boots, OUT + "/destroy-with.iso", "vm_destroy-with")
    ready(b1, con, ["i1", "i2", "victim"])
    with_v = con.stats()
    victim = [v for v in con.vms() if v["name"] == "victim"][0]
    check(with_v["frames_used"] > base["frames_used"], "the victim uses no frames?")
    ans = con.cmd("vm destroy victim")
    m = re.match(r"^vm 'victim' destroyed, (\d+) frames released$", ans[-1] if ans else "")
    check(m is not None, "vm destroy: %r" % ans)
    released = int(m.group(1))
    after, after_mem = con.stats(), mem(con)
    grew = after["frames_free"] - with_v["frames_free"]
    check(released == grew, "released %d, frames_free grew by %d" % (released, grew))
    check(released >= int(victim["populated"]) + 1, "released %d < populated %s + 1" % (
        released, victim["populated"]))
    check(after_mem["guest"] == base_mem["guest"], "guest frames %d, %d without the victim" % (
        after_mem["guest"], base_mem["guest"]))
    extra = after["frames_used"] - base["frames_used"]
    check(0 <= extra <= HEAP_NCLASSES, "frames_used %d after destroying, %d without it" % (
        after["frames_used"], base["frames_used"]))
    check(after["vms"] == 2, "vms %d" % after["vms"])
    check([v["state"] for v in con.vms()] == ["running", "running"], "neighbours stopped")
    con.cmd("console i1")
    con.send("r")
    con.expect(r"^idle: got 'r'")
    con.sync()
    print("# victim: %s pages populated, %d frames released (used %d -> %d); boot without "
          "it: %d used; %d heap slab frames kept" % (
              victim["populated"], released, with_v["frames_used"], after["frames_used"],
              base["frames_used"], extra))
    b1.finish()


main("console vm destroy releases the frames", test)
