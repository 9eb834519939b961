# SPDX-License-Identifier: MIT
# svtest.py - harness for the console scenario tests (tests/console/test_*.py).
#
# Boots QEMU (TCG, SVM+NPT) on an ISO whose hypervisor runs with test_exit,
# with the serial line on a UNIX socket, and drives the console through the
# Console class of scripts/svctl. A test is a function of (Boot, Console)
# run by run_test(), which bounds it in time, prints "ok - NAME" or
# "not ok - NAME" with the reason and the tail of the serial transcript,
# and kills its own QEMU if it is still running.
#
# Every wait follows progress, so that a busy machine (other jobs on every
# core) makes a test slower, never fail: a wait for an answer, a prompt or
# a line gives up only after QUIET seconds in which nothing at all arrived
# on the serial line, or at a CEILING far above any run's time; a wait for a
# state (poll()) has a ceiling only. No test asserts how long anything took.
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


QUIET = 60      # seconds without any serial output before a wait gives up
CEILING = 300   # seconds any one wait may take in all
TEST_CEILING = 420   # seconds a whole test may take (run_test)


class Failed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failed(what)


class Boot:
    """One QEMU run of ISO; its serial line on build/console-tests/TAG.sock."""

    def __init__(self, iso, tag, mem=512):
        self.iso = iso
        self.mem = mem
        self.tag = tag
        self.sock = os.path.join(OUT, tag + ".sock")
        self.serial_log = os.path.join(OUT, tag + ".serial.log")
        self.qemu = None
        self.con = None
        self.transcript = []    # every complete line read, guest lines too

    def _line(self, ln):
        self.transcript.append(ln)

    def start(self):
        os.makedirs(OUT, exist_ok=True)
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        self.qemu = subprocess.Popen(
            ["qemu-system-x86_64", "-M", "pc", "-accel", "tcg", "-cpu", "qemu64,+svm,+npt",
             "-m", str(self.mem), "-display", "none", "-monitor", "none", "-no-reboot",
             "-serial", "unix:%s,server=on,wait=off" % self.sock,
             "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-cdrom", self.iso],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.con = Console(self.sock, timeout=QUIET, log=open(self.serial_log, "wb"),
                           ceiling=CEILING, on_line=self._line)
        self.con.open(wait=CEILING)
        self.con.sync()
        return self.con

    def stop(self):
        if self.con:
            self.con.close()
            if self.con.log:
                self.con.log.close()
        if self.qemu and self.qemu.poll() is None:
            self.qemu.kill()
            self.qemu.wait()

    def wait_guest(self, regex, timeout=QUIET):
        """Wait for a line matching REGEX; every line read since the boot counts
        (during commands, expect() and sync() too). Gives up after TIMEOUT
        seconds without any output, or at the ceiling."""
        pat = re.compile(regex)
        con, start, seen = self.con, time.monotonic(), 0
        while True:
            for ln in self.transcript[seen:]:
                m = pat.search(ln)
                if m:
                    return m
            seen = len(self.transcript)
            if con._late(start, timeout):
                raise Failed("no line matching %r (waited %s)" % (regex, con._waited(start)))
            con.pump(0.2)

    def poll(self, fn, what, ceiling=CEILING, every=0.2):
        """Ask FN() (console commands) until it returns a true value, and return
        that; raise Failed(WHAT) after CEILING seconds."""
        start = time.monotonic()
        while True:
            v = fn()
            if v:
                return v
            if time.monotonic() - start >= ceiling:
                raise Failed("%s (after %.0f s)" % (what, time.monotonic() - start))
            time.sleep(every)

    def finish(self, verdict="PASS", timeout=QUIET):
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
        start = time.monotonic()
        end = "sharevisor: test end: %s" % verdict
        seen = any(end in ln for ln in self.transcript)
        while not seen and con.fileno() is not None and not con._late(start, timeout):
            try:
                con.pump(0.2)
            except svctl.ConnectError:
                break
            seen = any(end in ln for ln in self.transcript)
        if not seen:
            with open(self.serial_log, "rb") as f:
                seen = ("sharevisor: test end: %s" % verdict).encode() in f.read()
        check(seen, "no 'sharevisor: test end: %s' line" % verdict)
        try:
            rc = self.qemu.wait(timeout=timeout)
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


def run_test(name, fn, timeout=TEST_CEILING):
    """Run FN() bounded by TIMEOUT seconds (a ceiling for a stuck test, not a
    time it should take); print ok/not ok; exit status 0/1."""
    os.chdir(ROOT)
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(timeout)
    boots = []
    t0 = time.monotonic()
    out = []    # the report, written at once: tests run side by side
    try:
        fn(boots)
        signal.alarm(0)
        out.append("ok - %s (%.1fs)" % (name, time.monotonic() - t0))
        return 0
    except Exception as e:  # every failure becomes one "not ok" with details
        signal.alarm(0)
        out.append("not ok - %s (%.1fs)" % (name, time.monotonic() - t0))
        out.append("    %s: %s" % (type(e).__name__, e))
        if not isinstance(e, (Failed, svctl.SvError)):
            for ln in traceback.format_exc().splitlines()[-6:]:
                out.append("    | " + ln)
        for b in boots:
            out.append("    serial log %s, last lines:" % b.serial_log)
            try:
                with open(b.serial_log, "rb") as f:
                    tail = f.read().decode("latin-1").replace("\r", "").splitlines()[-12:]
                for ln in tail:
                    out.append("    | " + ln)
            except OSError:
                pass
        return 1
    finally:
        for b in boots:
            b.stop()
        sys.stdout.write("".join(ln + "\n" for ln in out))
        sys.stdout.flush()


def boot(boots, iso, tag, mem=512):
    """Start a Boot (MEM MiB of RAM), register it for clean-up, return (Boot, Console)."""
    b = Boot(iso, tag, mem)
    boots.append(b)
    return b, b.start()


def main(name, fn, timeout=TEST_CEILING):
    sys.exit(run_test(name, fn, timeout))
