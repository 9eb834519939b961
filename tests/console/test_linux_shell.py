#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# test_linux_shell.py - a Debian Linux guest's busybox shell through `console`:
# `uname -r` gets the release of the kernel package scripts/linux-guest.sh
# fetched; a command's output comes back (interrupt-driven ttyS0 both ways);
# Ctrl-A x3 detaches; `vm destroy` gives every guest frame back. Beside it,
# `spin` has no initrd: Linux panics, the hypervisor stops it at the panic's
# last line and `log spin` still shows the panic.
import os
import re

from svtest import OUT, ROOT, boot, check, main


def test(boots):
    pkg = open(os.path.join(ROOT, "build", "linux", "deb", "kernel-package")).read().strip()
    release = pkg[len("linux-image-"):]
    b, con = boot(boots, OUT + "/linux.iso", "linux_shell")
    b.poll(lambda: any("sharevisor-linux: shell" in ln for ln in con.cmd("log lx")),
           "the Linux guest never reached its shell", ceiling=600)
    ans = con.cmd("console lx")
    check(ans and ans[-1].startswith("attached to 'lx'"), "attach: %r" % ans)
    con.send("uname -r\r")
    con.expect(r"^%s\r?$" % re.escape(release))
    con.send("echo $((6 * 7)) sharevisor\r")
    con.expect(r"^42 sharevisor\r?$")
    con.send(b"\x01\x01\x01")
    con.expect(r"^detached from 'lx'$")
    b.wait_guest(r"^vm [0-9]+ 'spin': stopped by the hypervisor: Linux panicked: VFS: ", 300)
    log = con.cmd("log spin")
    check(any("Kernel panic - not syncing: VFS: Unable to mount root fs" in ln for ln in log),
          "log spin: %r" % log[-5:])
    ans = con.cmd("vm destroy spin")      # a stopped VM's object goes too (else: a failed VM)
    check(any("destroyed" in ln for ln in ans), "vm destroy spin: %r" % ans)
    # finish() destroys it, the only VM: the run ends and reports every frame.
    b.finish()
    with open(b.serial_log, "rb") as f:
        log = f.read().decode("latin-1")
    m = re.search(r"frames after the VMs: .*", log)
    check(m and re.search(r"guest 0, pattern 0, content 0;", m.group(0)),
          "frames left after vm destroy: %r" % (m and m.group(0)))


main("Linux guest shell through the console", test)
