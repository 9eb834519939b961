# SPDX-License-Identifier: MIT
# svtest.py - harness for the console scenario tests (tests/console/test_*.py).
#
# Boots QEMU (TCG, SVM+NPT) on an ISO whose hypervisor runs with test_exit,
# with the serial line on a UNIX socket, and drives the console through the
# Console class of scripts/svctl. A test is a function of (Boot, Console)
# run by run_test(), which bounds it in time, prints "ok - NAME" or
# "not ok - NAME" with the reason and the tail of the serial transcript,
# and kills its own QEMU if it is still running.
import importlib.machinery
import importlib.util
import os
import re
import signal
import subprocess
import sys
import time
import traceback

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "build", "console-tests")


def _load_svctl():
    path = os.path.join(ROOT, "scripts", "svctl")
    loader = importlib.machinery.SourceFileLoader("svctl", path)
    spec = importlib.util.spec_from_loader("svctl", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


svctl = _load_svctl()
Console = svctl.Console


class Failed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failed(what)


class Boot:
    """One QEMU run of ISO; its serial line on build/console-tests/TAG.sock."""

    def __init__(self, iso, tag):
        self.iso = iso
        self.tag = tag
        self.sock = os.path.join(OUT, tag + ".sock")
        self.serial_log = os.path.join(OUT, tag + ".serial.log")
        self.qemu = None
        self.con = None

    def start(self):
        os.makedirs(OUT, exist_ok=True)
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        self.qemu = subprocess.Popen(
            ["qemu-system-x86_64", "-M", "pc", "-accel", "tcg", "-cpu", "qemu64,+svm,+npt",
             "-m", "512", "-display", "none", "-monitor", "none", "-no-reboot",
             "-serial", "unix:%s,server=on,wait=off" % self.sock,
             "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-cdrom", self.iso],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.con = Console(self.sock, timeout=20, log=open(self.serial_log, "wb"))
        self.con.open(wait=30)
        self.con.sync(timeout=60)
        return self.con

    def stop(self):
        if self.con:
            self.con.close()
            if self.con.log:
                self.con.log.close()
        if self.qemu and self.qemu.poll() is None:
            self.qemu.kill()
            self.qemu.wait()

    def wait_guest(self, regex, timeout=60):
        """Wait for a line matching REGEX: guest lines seen during commands count."""
        pat = re.compile(regex)
        for ln in self.con.guest:
            m = pat.search(ln)
            if m:
                return m
        return self.con.expect(regex, timeout)

    def finish(self, verdict="PASS", timeout=30):
        """Destroy every VM; the hypervisor must end the run with VERDICT."""
        con = self.con
        for vm in con.vms():
            try:
                ans = con.cmd("vm destroy " + vm["name"])
            except svctl.ConnectError:
                break   # the last one ended the run before the prompt came back
            check(any(re.match(r"^vm '%s' destroyed, \d+ frames released$" % re.escape(
                vm["name"]), ln) for ln in ans), "vm destroy %s: %r" % (vm["name"], ans))
        # The last destroy may have ended the run already: the line is in the log.
        deadline = time.monotonic() + timeout
        seen = any("sharevisor: test end: %s" % verdict in ln for ln in con.lines)
        while not seen and con.fileno() is not None and time.monotonic() < deadline:
            try:
                con.pump(0.2)
            except svctl.ConnectError:
                break
            seen = any("sharevisor: test end: %s" % verdict in ln for ln in con.take_lines())
        if not seen:
            with open(self.serial_log, "rb") as f:
                seen = ("sharevisor: test end: %s" % verdict).encode() in f.read()
        check(seen, "no 'sharevisor: test end: %s' line" % verdict)
        try:
            rc = self.qemu.wait(timeout=max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise Failed("QEMU still running after the verdict")
        want = {"PASS": 0, "FAIL": 1}[verdict] << 1 | 1
        check(rc == want, "QEMU exit status %d, expected %d" % (rc, want))


def mkiso(tag, cmdline, modules):
    """Build build/console-tests/TAG.iso (test_exit is always added)."""
    iso = os.path.join(OUT, tag + ".iso")
    os.makedirs(OUT, exist_ok=True)
    subprocess.run([os.path.join(ROOT, "scripts", "mkiso.sh"), iso,
                    os.path.join(ROOT, "build", "sharevisor.elf"), "test_exit " + cmdline] +
                   list(modules), check=True, cwd=ROOT)
    return iso


def _alarm(signum, frame):
    raise Failed("timed out")


def run_test(name, fn, timeout=90):
    """Run FN() bounded by TIMEOUT seconds; print ok/not ok; exit status 0/1."""
    os.chdir(ROOT)
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(timeout)
    boots = []
    t0 = time.monotonic()
    try:
        fn(boots)
        signal.alarm(0)
        print("ok - %s (%.1fs)" % (name, time.monotonic() - t0))
        return 0
    except Exception as e:  # every failure becomes one "not ok" with details
        signal.alarm(0)
        print("not ok - %s" % name)
        print("    %s: %s" % (type(e).__name__, e))
        if not isinstance(e, (Failed, svctl.SvError)):
            for ln in traceback.format_exc().splitlines()[-6:]:
                print("    | " + ln)
        for b in boots:
            print("    serial log %s, last lines:" % b.serial_log)
            try:
                with open(b.serial_log, "rb") as f:
                    tail = f.read().decode("latin-1").replace("\r", "").splitlines()[-12:]
                for ln in tail:
                    print("    | " + ln)
            except OSError:
                pass
        return 1
    finally:
        for b in boots:
            b.stop()


def boot(boots, iso, tag):
    """Start a Boot, register it for clean-up, return (Boot, Console)."""
    b = Boot(iso, tag)
    boots.append(b)
    return b, b.start()


def main(name, fn, timeout=90):
    sys.exit(run_test(name, fn, timeout))
