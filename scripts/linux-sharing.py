#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""linux-sharing.py - what sharing saves on idle Linux guests, and what it costs.

    scripts/linux-sharing.py [N [SECONDS [MEM_MIB]]]

Boots N (default 4) Debian Linux guests of 256 MiB (`make linux-guest`; the
command line is console=ttyS0 only) under QEMU TCG (SVM+NPT, MEM_MIB of RAM,
default 2048; hypervisor options from $HV_OPTS), records when each reaches its shell (host time since QEMU
started), then samples `stats json` every second for SECONDS (default 60)
while they sit idle and prints one line per sample: populated guest pages,
pages saved (intra-VM pattern sharing, inter-VM content sharing), saved as a
share of populated pages, the scanner's CPU share over the last sample, full
scans so far, the scanner's rate at that moment (pages per 10 ms) and COW
breaks so far. $LINUX_CMDLINE replaces the guests' command line. The serial
transcript goes to build/linux-sharing.log.
Ends with the time the saving took to reach 99% of its last value after
the last guest went idle, and the scanner's CPU share after that.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "console"))
import svtest  # noqa: E402


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    secs = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    mem = int(sys.argv[3]) if len(sys.argv) > 3 else 2048
    cmdline = os.environ.get("LINUX_CMDLINE", "console=ttyS0")
    mods = []
    for i in range(1, n + 1):
        mods += ["build/linux/vmlinuz vm=lx%d mem=256M cmdline=\"%s\"" % (i, cmdline),
                 "build/linux/initrd.img for=lx%d" % i]
    iso = svtest.mkiso("linux-sharing", os.environ.get("HV_OPTS", ""), mods)
    boots = []
    try:
        t0 = time.monotonic()
        b, con = svtest.boot(boots, iso, "linux-sharing", mem)
        up = {}
        while len(up) < n:
            for i in range(1, n + 1):
                if i not in up and any("sharevisor-linux: shell" in ln for ln in b.transcript):
                    if any(ln.startswith("[lx%d] sharevisor-linux: shell" % i) for ln in b.transcript):
                        up[i] = time.monotonic() - t0
            con.pump(0.5)
            if time.monotonic() - t0 > 1200:
                sys.exit("linux-sharing: the guests did not all reach their shells in 20 min")
        print("shells reached (s since QEMU started): " +
              ", ".join("lx%d %.1f" % (i, up[i]) for i in sorted(up)))
        idle_at = time.monotonic()
        rows, prev = [], None
        print("%6s %10s %9s %9s %9s %7s %8s %6s %5s %7s" % ("t_s", "populated", "saved", "intra", "inter",
                                                           "saved%", "scan_cpu", "scans", "rate", "cow"))
        while time.monotonic() - idle_at < secs:
            s = con.stats()
            t = time.monotonic() - idle_at
            cpu = ""
            if prev:
                dt = s["t_ms"] - prev["t_ms"]
                cpu = "%.2f%%" % (100.0 * (s["scanner_ms"] - prev["scanner_ms"]) / dt) if dt else ""
            pct = 100.0 * s["saved"] / s["populated_pages"] if s["populated_pages"] else 0
            print("%6.1f %10d %9d %9d %9d %6.1f%% %8s %6d %5d %7d" % (t, s["populated_pages"], s["saved"],
                  s["saved_intra"], s["saved_inter"], pct, cpu, s["full_scans"], s["scan_rate_now"],
                  s["cow_pattern"] + s["cow_content"]))
            sys.stdout.flush()
            rows.append((t, s))
            prev = s
            time.sleep(1)
        last = rows[-1][1]["saved"]
        conv = next(t for t, s in rows if s["saved"] >= 0.99 * last)
        tail = [s for t, s in rows if t >= conv]
        cpu = 100.0 * (tail[-1]["scanner_ms"] - tail[0]["scanner_ms"]) / max(1, tail[-1]["t_ms"] - tail[0]["t_ms"])
        print("saved %d of %d populated pages (%.1f%%): %d intra-VM, %d inter-VM; 99%% of it "
              "%.1f s after the last shell; scanner CPU after that %.2f%%" %
              (last, rows[-1][1]["populated_pages"], 100.0 * last / rows[-1][1]["populated_pages"],
               rows[-1][1]["saved_intra"], rows[-1][1]["saved_inter"], conv, cpu))
    finally:
        for b in boots:
            b.stop()
            with open(os.path.join("build", "linux-sharing.log"), "w") as f:
                f.write("\n".join(b.transcript) + "\n")


if __name__ == "__main__":
    main()
