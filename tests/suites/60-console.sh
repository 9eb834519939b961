#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 60-console.sh - console tests, two at a time: most tests/console/test_*.py boot
# QEMU with test_exit and the serial line on a UNIX socket and drive the console
# through scripts/svctl's Console class; test_tmux_run.py and test_tmux_bochs.py
# run `make run` and `make run-bochs` in tmux; test_plot.py, test_svctl_args.py
# and test_readme_commands.py boot nothing. Each test's waits
# follow progress (tests/console/svtest.py); TEST_KILL is a last ceiling
# above svtest's own, and a test killed there still gets its "not ok" line.
# test.sh: show every result
cd "$(dirname "$0")/../.."
set -u
out=build/console-tests
g=build/guests
mkdir -p "$out"

# iso NAME HV_CMDLINE MODULE... - build/console-tests/NAME.iso, or a "not ok" line.
iso() {
	local name=$1 cmdline=$2 log
	shift 2
	log=$(scripts/mkiso.sh "$out/$name.iso" build/sharevisor.elf "test_exit $cmdline" "$@" 2>&1) &&
		return 0
	echo "not ok - console ISO $name"
	echo "$log"
	exit 0
}
share() { echo "$g/share.elf vm=$1 mem=4M cmdline=\"seed=3 linger=1\""; }
idle() { echo "$g/idle.elf vm=$1 mem=4M"; }

iso console scan_rate=256 "$(share a)" "$(share b)" "$(idle idle)"
iso destroy-without share=off "$(idle i1)" "$(idle i2)"
iso destroy-with share=off "$(idle i1)" "$(idle i2)" "$(idle victim)"
iso halted "" "$(idle idle)" "$g/hostile.elf vm=halter mem=4M cmdline=\"seed=1 mode=halt steps=1\""
# The Linux guest (make linux-guest); test_linux_shell.py says so when it is missing.
[ -f build/linux/initrd.img ] &&
	iso linux "" "build/linux/vmlinuz vm=lx mem=256M cmdline=\"console=ttyS0\"" "build/linux/initrd.img for=lx" \
		"build/linux/vmlinuz vm=spin mem=96M cmdline=\"console=ttyS0\""

# one TEST.py - run it; a "not ok" line if it had to be killed.
one() {
	timeout "${TEST_KILL:-480}" python3 -u "$1"
	local rc=$?
	[ $rc -eq 124 ] && echo "not ok - $(basename "$1" .py) (killed after ${TEST_KILL:-480}s)"
	return 0
}
export -f one
ls tests/console/test_*.py | xargs -P "${CONSOLE_JOBS:-2}" -n 1 bash -c 'one "$1"' _
