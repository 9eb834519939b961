#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test.sh - run every test suite and print one summary line per suite and a
# final "N passed, N failed" line. Exits non-zero if anything failed.
#
# A suite is an executable tests/suites/NN-name.sh; it prints one line per
# test, "ok - NAME" or "not ok - NAME" (details may follow on other lines),
# and its own exit status is ignored: only the ok/not ok lines count. A suite
# that prints no result line at all counts as one failure.
#
# While a suite runs, its output goes to build/test-logs/NN-name.log as it
# comes, and every "not ok" line is shown at once, as "  [NN-name MM:SS] not
# ok - NAME" (MM:SS: time since the start of the run). A suite whose file has
# a line "# test.sh: show every result" (the slow ones, which boot
# emulators) has its "ok" lines shown the same way, so a long run is never
# silent; TEST_VERBOSE=1 shows them for every suite. After the last suite,
# every failure is shown again with the log lines that follow it (its
# details), just above the final line, so the tail of a run says what broke.
set -u
cd "$(dirname "$0")/.."

make -s all check-headers >build.log 2>&1 || { cat build.log; echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
rm -f build.log
# The Linux test guest (Debian's kernel, busybox, an initramfs): fetched once,
# then cached in build/linux/. Without it the Linux scenarios fail, saying so.
make -s linux-guest || echo "test.sh: no Linux test guest: the linux scenarios will fail"


t0=$(date +%s)

# show NAME LIVE LOG - copy a suite's output from stdin to LOG line by line
# (unbuffered), and its result lines to the terminal as they arrive.
show() {
	local name=$1 live=$2 line now
	while IFS= read -r line || [ -n "$line" ]; do
		printf '%s\n' "$line" >&4
		case $line in
		"not ok - "*) ;;
		"ok - "*) [ "$live" = 1 ] || continue ;;
		*) continue ;;
		esac
		printf -v now '%(%s)T' -1
		printf '  [%s %02d:%02d] %s\n' "$name" $(( (now - t0) / 60 )) $(( (now - t0) % 60 )) "$line"
	done 4>"$3"
}

total_pass=0
total_fail=0
mkdir -p build/test-logs
for suite in tests/suites/*.sh; do
	name=$(basename "$suite" .sh)
	log=build/test-logs/$name.log
	live=${TEST_VERBOSE:-0}
	grep -q '^# test.sh: show every result' "$suite" && live=1
	start=$(date +%s)
	bash "$suite" 2>&1 </dev/null | show "$name" "$live" "$log"
	pass=$(grep -c '^ok - ' "$log")
	fail=$(grep -c '^not ok - ' "$log")
	if [ $((pass + fail)) -eq 0 ]; then
		echo "not ok - $name (suite printed no results)" >>"$log"
		echo "  [$name] not ok - $name (suite printed no results)"
		fail=1
	fi
	echo "suite $name: $pass passed, $fail failed ($(( $(date +%s) - start ))s, log $log)"
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
done
if [ "$total_fail" -gt 0 ]; then
	echo "failures (with the next lines of their suite's log):"
	for log in build/test-logs/*.log; do
		grep -A 12 '^not ok - ' "$log" | sed "s|^|  $(basename "$log" .log): |"
	done
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
