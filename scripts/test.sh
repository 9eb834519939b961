#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test.sh - run every test suite and print one summary line per suite and a
# final "N passed, N failed" line. Exits non-zero if anything failed.
#
# A suite is an executable tests/suites/NN-name.sh; it prints one line per
# test, "ok - NAME" or "not ok - NAME" (details may follow on other lines),
# and its own exit status is ignored: only the ok/not ok lines count. A suite
# that prints no result line at all counts as one failure.
set -u
cd "$(dirname "$0")/.."

make -s all check-headers >build.log 2>&1 || { cat build.log; echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
rm -f build.log

total_pass=0
total_fail=0
mkdir -p build/test-logs
for suite in tests/suites/*.sh; do
	name=$(basename "$suite" .sh)
	log=build/test-logs/$name.log
	start=$(date +%s)
	bash "$suite" >"$log" 2>&1
	pass=$(grep -c '^ok - ' "$log")
	fail=$(grep -c '^not ok - ' "$log")
	if [ $((pass + fail)) -eq 0 ]; then
		echo "not ok - $name (suite printed no results)" >>"$log"
		fail=1
	fi
	grep '^not ok - ' "$log" | sed "s/^/  [$name] /"
	echo "suite $name: $pass passed, $fail failed ($(( $(date +%s) - start ))s, log $log)"
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
