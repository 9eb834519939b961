#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_svctl_args.py - scripts/svctl's argument handling and exit statuses,
without a hypervisor: each error is one line on stderr (no traceback) with the
status svctl --help documents; record refuses periods and bounds that are not
positive, and writes a new file each run (a plot shows one run)."""
import json
import os
import subprocess
import sys

from svtest import OUT, ROOT, check, main, svctl

SVCTL = os.path.join(ROOT, "scripts", "svctl")


def run(*args):
    p = subprocess.run([sys.executable, SVCTL] + list(args), capture_output=True, text=True,
                       env=dict(os.environ, SVCTL_CONN=os.path.join(OUT, "no-such.sock")),
                       timeout=60)
    return p.returncode, p.stdout, p.stderr


def one_line_error(args, status, text):
    rc, out, err = run(*args)
    lines = err.splitlines()
    check(rc == status, "svctl %s: status %d, expected %d (stderr %r)" % (
        " ".join(args), rc, status, err))
    check(len(lines) == 1 and lines[0].startswith("svctl: ") and text in lines[0],
          "svctl %s: stderr %r, expected one line with %r" % (" ".join(args), err, text))
    check("Traceback" not in err, "a traceback")


class FakeConsole:
    """What record() uses of a Console: stats() and the guest lines."""

    def __init__(self, saved):
        self.saved, self.t, self.guest = saved, 0, []

    def stats(self):
        self.t += 10
        self.guest.append("[g] line %d" % self.t)
        return {"t_ms": self.t, "saved": self.saved, "saved_intra": 0, "saved_inter": 0,
                "cow_pattern": 0, "cow_content": 0, "full_scans": 0}


def test(boots):
    os.makedirs(OUT, exist_ok=True)
    missing = os.path.join(OUT, "no-such-file.jsonl")
    if os.path.exists(missing):
        os.unlink(missing)
    # The documented statuses (svctl --help lists them; the README too).
    rc, out, _ = run("--help")
    check(rc == 0 and "6 plot failed" in out and "1 usage" in out, "--help: %r" % out[-300:])
    one_line_error(["plot", missing, os.path.join(OUT, "x.png")], 6, "cannot read")
    one_line_error(["plot", missing], 1, "usage: svctl plot")
    one_line_error(["plot", missing, "x.png", "y.png"], 1, "usage: svctl plot")
    one_line_error(["plot", missing, "x.png", "--script"], 1, "--script needs a value")
    for bad in ("0", "0s", "0ms"):
        one_line_error(["record", "--every", bad, os.path.join(OUT, "r.jsonl")], 1,
                       "--every must be more than 0")
    for bad in ("-1", "soon"):
        one_line_error(["record", "--every", bad, os.path.join(OUT, "r.jsonl")], 1, "bad duration")
    one_line_error(["record", "--max", "0", os.path.join(OUT, "r.jsonl")], 1, "--max")
    one_line_error(["record", "--until-stable", "x", os.path.join(OUT, "r.jsonl")], 1,
                   "--until-stable")
    one_line_error(["record"], 1, "no output file")
    one_line_error(["--frob", "x", "stats"], 1, "unknown option")
    one_line_error([], 1, "no command")
    one_line_error(["stats"], 2, "cannot connect")
    # A bad JSON line in the input: status 5, one line.
    bad = os.path.join(OUT, "bad.jsonl")
    with open(bad, "w") as f:
        f.write('{"t_ms": 1}\n{not json\n')
    one_line_error(["plot", bad, os.path.join(OUT, "x.png")], 5, "bad JSON")

    # record: a new file each run, whatever the file held before.
    out = os.path.join(OUT, "args.jsonl")
    for saved in (111, 222):
        with open(out, "a") as f:
            f.write('{"t_ms": 1, "saved": 999}\n')     # a run from before
        svctl.record(FakeConsole(saved), out, 0.01, until_stable=2, quiet=True)
        rows = [json.loads(ln) for ln in open(out)]
        check(len(rows) == 3 and all(r["saved"] == saved for r in rows),
              "run %d: rows %r" % (saved, rows))
    try:
        svctl.record(FakeConsole(1), out, 0, quiet=True)
        check(False, "record() took a period of 0")
    except svctl.SvError as e:
        check("more than 0" in str(e), "record(every=0): %s" % e)


main("svctl arguments and exit statuses", test)
