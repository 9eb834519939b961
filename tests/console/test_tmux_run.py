#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# test_tmux_run.py - the console under `make run`'s QEMU command line, in a real terminal.
#
# scripts/run-qemu.sh (what `make run` runs) puts the serial line on QEMU's
# stdio, multiplexed with QEMU's monitor. This test runs it on the console
# tests' ISO inside a detached tmux session (a real pty, private tmux
# server), types with `tmux send-keys` and reads the screen with
# `tmux capture-pane`: `console idle` reaches the guest, Ctrl-A three times
# comes back to the prompt (QEMU must not take Ctrl-A as its escape), the
# keys tmux sends for Up, Home and End edit and recall lines, Tab lists and
# completes, and Ctrl-] X quits QEMU.
import os
import shutil
import subprocess
import time

from svtest import CEILING, OUT, QUIET, ROOT, Failed, check, main

SOCK = "sv-tmux-%d" % os.getpid()   # a tmux server of our own (tmux -L)
TMUX = ["tmux", "-f", os.devnull, "-L", SOCK]   # without the user's ~/.tmux.conf
SESSION = "run"


def tmux(*args, capture=False):
    r = subprocess.run(TMUX + list(args), cwd=ROOT,
                       stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                       stderr=subprocess.PIPE, universal_newlines=True)
    if r.returncode:
        raise Failed("tmux %s: %s" % (" ".join(args), r.stderr.strip()))
    return r.stdout if capture else None


def screen():
    """The pane's lines, trailing blanks dropped (with the scrollback)."""
    out = tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", SESSION, capture=True)
    return [ln.rstrip() for ln in out.rstrip("\n").split("\n")]


def alive():
    r = subprocess.run(TMUX + ["has-session", "-t", SESSION],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return r.returncode == 0


def wait_screen(pred, what, quiet=QUIET, ceiling=CEILING):
    """Wait until PRED(lines) is true; give up after QUIET seconds in which the
    screen did not change, or at CEILING."""
    start = last_change = time.monotonic()
    prev = None
    while True:
        lines = screen() if alive() else []
        if pred(lines):
            return lines
        if lines != prev:
            prev, last_change = lines, time.monotonic()
        now = time.monotonic()
        if now - last_change >= quiet or now - start >= ceiling:
            raise Failed("%s; screen ends with %r" % (what, (prev or [])[-6:]))
        time.sleep(0.2)


def last_is_prompt(lines):
    return bool(lines) and lines[-1] == "sharevisor>"


def after(lines, mark):
    """The lines after the last one equal to MARK."""
    idx = [i for i, ln in enumerate(lines) if ln == mark]
    return lines[idx[-1] + 1:] if idx else []


def run_cmd(text, answer, prompt=True):
    """Type TEXT and Enter at the prompt; wait for a line starting with ANSWER
    after its echo (and, with PROMPT, the prompt after that)."""
    tmux("send-keys", "-t", SESSION, "-l", text)
    tmux("send-keys", "-t", SESSION, "Enter")
    wait_screen(lambda ls: (last_is_prompt(ls) or not prompt) and any(
        ln.startswith(answer) for ln in after(ls, "sharevisor> " + text)),
        "no %r answer to %r" % (answer, text))


def test(boots):
    check(shutil.which("tmux") is not None, "tmux is not installed (scripts/deps.sh)")
    iso = os.path.join(OUT, "console.iso")
    check(os.path.exists(iso), "%s missing (tests/suites/60-console.sh builds it)" % iso)
    # A wide pane: no line of the boot log wraps. QEMU_MEM as the console tests use.
    tmux("new-session", "-d", "-s", SESSION, "-x", "200", "-y", "50",
         "QEMU_MEM=512 scripts/run-qemu.sh %s; sleep 600" % os.path.relpath(iso, ROOT))
    try:
        wait_screen(lambda ls: any("sharevisor under QEMU" in ln for ln in ls), "no banner")
        # In test mode the prompt appears at the first key.
        # The share guests' last lines first: no guest line comes between the checks below.
        wait_screen(lambda ls: all(any(ln.endswith("[%s] share: lingering; send 'q' to exit" % g)
                                       for ln in ls) for g in "ab"), "the share guests did not finish")
        tmux("send-keys", "-t", SESSION, "Enter")
        wait_screen(last_is_prompt, "no prompt")
        run_cmd("console idle", "attached to 'idle'", prompt=False)
        tmux("send-keys", "-t", SESSION, "-l", "x")
        wait_screen(lambda ls: "idle: got 'x' (0x78)" in ls, "the guest did not get 'x'")
        tmux("send-keys", "-t", SESSION, "C-a", "C-a", "C-a")
        wait_screen(lambda ls: "detached from 'idle'" in ls and last_is_prompt(ls),
                    "Ctrl-A x3 did not come back to the prompt")
        run_cmd("version", "sharevisor ")
        # Up arrow recalls `version`; Ctrl-U erases it; Home and End edit a new line.
        tmux("send-keys", "-t", SESSION, "Up")
        wait_screen(lambda ls: ls and ls[-1] == "sharevisor> version", "Up did not recall")
        tmux("send-keys", "-t", SESSION, "C-u")
        wait_screen(lambda ls: last_is_prompt(ls) and len(ls) > 1 and
                    ls[-2] == "sharevisor> version^U", "Ctrl-U did not erase the line")
        tmux("send-keys", "-t", SESSION, "-l", "ersio")
        tmux("send-keys", "-t", SESSION, "Home")
        tmux("send-keys", "-t", SESSION, "-l", "v")
        tmux("send-keys", "-t", SESSION, "End")
        tmux("send-keys", "-t", SESSION, "-l", "n")
        wait_screen(lambda ls: ls and ls[-1] == "sharevisor> version", "Home/End did not edit the line")
        tmux("send-keys", "-t", SESSION, "Enter")
        wait_screen(lambda ls: last_is_prompt(ls) and
                    sum(ln.startswith("sharevisor ") and "backend" in ln for ln in ls) >= 2,
                    "the edited line did not run")
        # Tab: several matches are listed on a line of their own, one is completed.
        tmux("send-keys", "-t", SESSION, "-l", "v")
        tmux("send-keys", "-t", SESSION, "Tab")
        wait_screen(lambda ls: "vms  vm  version" in ls and ls[-1] == "sharevisor> v",
                    "Tab did not list vms, vm, version")
        tmux("send-keys", "-t", SESSION, "-l", "er")
        tmux("send-keys", "-t", SESSION, "Tab")
        wait_screen(lambda ls: ls and ls[-1] == "sharevisor> version", "Tab did not complete")
        tmux("send-keys", "-t", SESSION, "Enter")
        wait_screen(lambda ls: last_is_prompt(ls) and
                    sum(ln.startswith("sharevisor ") and "backend" in ln for ln in ls) >= 3,
                    "the completed line did not run")
        # QEMU's escape is Ctrl-]: Ctrl-] X ends QEMU.
        tmux("send-keys", "-t", SESSION, "C-]", "x")
        wait_screen(lambda ls: any("QEMU: Terminated" in ln for ln in ls),
                    "Ctrl-] X did not quit QEMU")
    finally:
        subprocess.run(TMUX + ["kill-server"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)


main("make run's QEMU in tmux: console idle, Ctrl-A x3, arrows, Tab, Ctrl-] X", test)
