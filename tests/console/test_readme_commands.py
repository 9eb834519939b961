#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# test_readme_commands.py - the README's table of console commands and the
# hypervisor's command table (kernel/shell_parse.c, shell_cmds[]) agree: every
# command the shell knows has a row (its name and arguments as `help` prints
# them), and every command in the table is one the shell knows. No boot.
import os
import re

from svtest import ROOT, check, main


def shell_commands():
    src = open(os.path.join(ROOT, "kernel", "shell_parse.c")).read()
    rows = re.findall(r'\[CMD_\w+\]\s*=\s*\{\s*"([^"]+)",\s*"([^"]*)"', src)
    check(len(rows) >= 10, "found only %d commands in shell_parse.c" % len(rows))
    return {name: args for name, args in rows}


def readme_commands():
    text = open(os.path.join(ROOT, "README.md")).read()
    sec = text[text.index("## The console"):]
    sec = sec[:sec.index("\n## ", 1)]
    cells = []
    for ln in sec.splitlines():
        m = re.match(r"\| (`[^|]*(?:\\\|[^|]*)*`[^|]*) \|", ln)
        if m and not ln.startswith("| Key"):
            cells += re.findall(r"`([^`]+)`", m.group(1).replace("\\|", "|"))
    return cells


def test(boots):
    known = shell_commands()
    cells = readme_commands()
    check(cells, "no command table under the README's 'The console'")
    for name, args in known.items():
        want = (name + " " + args).strip()
        check(want in cells, "README's command table has no row `%s`" % want)
    for c in cells:
        check(any(c == (n + " " + a).strip() for n, a in known.items()),
              "README's command table lists `%s`, which the shell does not know as such" % c)


main("README's console command table = the shell's commands", test)
