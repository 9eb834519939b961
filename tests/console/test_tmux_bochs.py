#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# test_tmux_bochs.py - `make run-bochs` in a real terminal (tmux): the console
# comes through scripts/svctl over Bochs's TCP serial port (the hypervisor's
# banner and its prompt on the screen, a command answered), and Ctrl-], the
# documented way out, stops Bochs and ends make with status 0 (it ended with
# "make: *** Error 143", the status of the Bochs that the script stopped).
import os
import random

from svtest import OUT, ROOT, check, main
from tmuxterm import keys, run_cmd, screen, start, stop, wait_screen


def test(boots):
    sc = os.path.join(OUT, "tmux-bochs.sc")
    with open(sc, "w") as f:
        f.write('MEM=128\nMODULES=("build/guests/idle.elf vm=idle mem=4M")\n')
    # A port of its own: another Bochs console may be listening on the default.
    port = random.randrange(20000, 30000)
    start("BOCHS_CONSOLE_PORT=%d make -s run-bochs SCENARIO=%s; s=$?; echo; echo \"make status $s\"; sleep 600"
          % (port, os.path.relpath(sc, ROOT)))
    try:
        wait_screen(lambda ls: any(ln.startswith("svctl: connected to 127.0.0.1:%d" % port)
                                   for ln in ls), "svctl did not connect to Bochs")
        wait_screen(lambda ls: any(" a memory-sharing hypervisor for x86-64" in ln for ln in ls),
                    "no hypervisor banner through svctl")
        wait_screen(lambda ls: any("vm 1 'idle'" in ln for ln in ls), "the VM did not start")
        keys("Enter")
        wait_screen(lambda ls: ls and ls[-1] == "sharevisor>", "no prompt")
        run_cmd("vms", "  1 idle")
        keys("C-]")
        lines = wait_screen(lambda ls: any(ln.startswith("make status ") for ln in ls),
                            "Ctrl-] did not end make run-bochs")
        status = [ln for ln in lines if ln.startswith("make status ")][-1]
        check(status == "make status 0", "make run-bochs ended with %r after Ctrl-]" % status)
        check(not any("Error 143" in ln for ln in screen()), "make reported Error 143")
    finally:
        stop()


main("make run-bochs in tmux: console through svctl, Ctrl-] ends it with status 0", test)
