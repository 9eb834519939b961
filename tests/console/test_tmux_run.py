#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# test_tmux_run.py - the console under `make run`'s QEMU command line, in a real terminal.
#
# `make run` (scripts/run-qemu.sh) puts the serial line on QEMU's stdio,
# multiplexed with QEMU's monitor. This test runs `make run SCENARIO=FILE
# HV_OPTS=...` on a scenario file of its own (the console tests' guests)
# inside a detached tmux session (a real pty, private tmux server), types
# with `tmux send-keys` and reads the screen with `tmux capture-pane`: the
# scenario's CMDLINE and HV_OPTS reach the hypervisor, `console idle` reaches
# the guest, Ctrl-A three times comes back to the prompt (QEMU must not take
# Ctrl-A as its escape), the keys tmux sends for Up, Home and End edit and
# recall lines, Tab lists and completes, `reboot` boots the machine again,
# and Ctrl-] X quits QEMU.
import os

from svtest import OUT, ROOT, check, main
from tmuxterm import after, keys, last_is_prompt, run_cmd, screen, start, stop, wait_screen

def test(boots):
    # The console tests' guests in a scenario file, as a user would write one.
    sc = os.path.join(OUT, "tmux-run.sc")
    with open(sc, "w") as f:
        f.write('CMDLINE="scan_rate=256"\nMEM=384\nMODULES=(\n'
                '  "build/guests/share.elf vm=a mem=4M cmdline=\\"seed=3 linger=1\\""\n'
                '  "build/guests/share.elf vm=b mem=4M cmdline=\\"seed=3 linger=1\\""\n'
                '  "build/guests/idle.elf vm=idle mem=4M"\n)\n')
    start("make -s run SCENARIO=%s HV_OPTS='stats_every=0 loglevel=6'; sleep 600"
         % os.path.relpath(sc, ROOT))
    try:
        wait_screen(lambda ls: any("sharevisor under QEMU" in ln for ln in ls), "no banner")
        wait_screen(lambda ls: "command line: 'scan_rate=256 stats_every=0 loglevel=6'" in ls,
                    "the scenario's CMDLINE and HV_OPTS are not the hypervisor's command line")
        # The share guests' last lines first: no guest line comes between the checks below.
        wait_screen(lambda ls: all(any(ln.endswith("[%s] share: lingering; send 'q' to exit" % g)
                                       for ln in ls) for g in "ab"), "the share guests did not finish")
        keys("Enter")
        wait_screen(last_is_prompt, "no prompt")
        # The scenario's MEM is QEMU's RAM: 384 MiB, less what the firmware keeps.
        run_cmd("mem", "frames: total ")
        tot = [ln for ln in after(screen(), "sharevisor> mem") if ln.startswith("frames: total ")][0]
        mib = int(tot.split("(")[1].split()[0])
        check(300 <= mib <= 384, "the machine has %d MiB, not the scenario's MEM=384" % mib)
        run_cmd("console idle", "attached to 'idle'", prompt=False)
        keys("-l", "x")
        wait_screen(lambda ls: "idle: got 'x' (0x78)" in ls, "the guest did not get 'x'")
        keys("C-a", "C-a", "C-a")
        wait_screen(lambda ls: "detached from 'idle'" in ls and last_is_prompt(ls),
                    "Ctrl-A x3 did not come back to the prompt")
        run_cmd("version", "sharevisor ")
        # Up arrow recalls `version`; Ctrl-U erases it; Home and End edit a new line.
        keys("Up")
        wait_screen(lambda ls: ls and ls[-1] == "sharevisor> version", "Up did not recall")
        keys("C-u")
        wait_screen(lambda ls: last_is_prompt(ls) and len(ls) > 1 and
                    ls[-2] == "sharevisor> version^U", "Ctrl-U did not erase the line")
        keys("-l", "ersio")
        keys("Home")
        keys("-l", "v")
        keys("End")
        keys("-l", "n")
        wait_screen(lambda ls: ls and ls[-1] == "sharevisor> version", "Home/End did not edit the line")
        keys("Enter")
        wait_screen(lambda ls: last_is_prompt(ls) and
                    sum(ln.startswith("sharevisor ") and "backend" in ln for ln in ls) >= 2,
                    "the edited line did not run")
        # Tab: several matches are listed on a line of their own, one is completed.
        keys("-l", "v")
        keys("Tab")
        wait_screen(lambda ls: "vms  vm  version" in ls and ls[-1] == "sharevisor> v",
                    "Tab did not list vms, vm, version")
        keys("-l", "er")
        keys("Tab")
        wait_screen(lambda ls: ls and ls[-1] == "sharevisor> version", "Tab did not complete")
        keys("Enter")
        wait_screen(lambda ls: last_is_prompt(ls) and
                    sum(ln.startswith("sharevisor ") and "backend" in ln for ln in ls) >= 3,
                    "the completed line did not run")
        # `reboot` resets the machine and it boots again (make run has no -no-reboot).
        run_cmd("reboot", "rebooting", prompt=False)
        wait_screen(lambda ls: any(ln.startswith("command line: ") for ln in after(ls, "rebooting")),
                    "the machine did not boot again after `reboot`")
        # QEMU's escape is Ctrl-]: Ctrl-] X ends QEMU.
        keys("C-]", "x")
        wait_screen(lambda ls: any("QEMU: Terminated" in ln for ln in ls),
                    "Ctrl-] X did not quit QEMU")
    finally:
        stop()


main("make run's QEMU in tmux: console idle, Ctrl-A x3, arrows, Tab, Ctrl-] X", test)
