# SPDX-License-Identifier: MIT
# tmuxterm.py - a real terminal for the console tests: a private tmux server
# (tmux -L, without the user's ~/.tmux.conf) with one detached session whose
# pane runs a command (`make run`, `make run-bochs`); keys go in with
# `tmux send-keys`, the screen comes out with `tmux capture-pane`. Waits
# follow progress as svtest's do: QUIET seconds without a change of the
# screen, or the CEILING.
import os
import shutil
import subprocess
import time

from svtest import CEILING, QUIET, ROOT, Failed, check

SOCK = "sv-tmux-%d" % os.getpid()   # a tmux server of our own (tmux -L)
TMUX = ["tmux", "-f", os.devnull, "-L", SOCK]   # without the user's ~/.tmux.conf
SESSION = "run"


def start(command):
    """A session running COMMAND in a wide pane (no line of a boot log wraps)."""
    check(shutil.which("tmux") is not None, "tmux is not installed (scripts/deps.sh)")
    tmux("new-session", "-d", "-s", SESSION, "-x", "200", "-y", "50", command)


def stop():
    """End the tmux server and whatever its pane still runs."""
    subprocess.run(TMUX + ["kill-server"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def keys(*args):
    """tmux send-keys to the session (-l first: the text literally)."""
    tmux("send-keys", "-t", SESSION, *args)


def tmux(*args, capture=False):
    r = subprocess.run(TMUX + list(args), cwd=ROOT,
                       stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                       stderr=subprocess.PIPE, universal_newlines=True)
    if r.returncode:
        raise Failed("tmux %s: %s" % (" ".join(args), r.stderr.strip()))
    return r.stdout if capture else None


def screen():
    """The pane's lines, trailing blanks dropped (with the scrollback)."""
    out = tmux("capture-pane", "-p", "-J", "-S", "-1000", "-t", SESSION, capture=True)
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
