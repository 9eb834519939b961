#!/usr/bin/env bash
# Host unit tests (cmocka), one result line per test case.
cd "$(dirname "$0")/../.."
for t in build/host/tests/test_*; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP timeout 300 "$t" 2>&1)
	rc=$?
	echo "$out" | sed -n -e "s/^ok [0-9]* - /ok - $n: /p" -e "s/^not ok [0-9]* - /not ok - $n: /p"
	if [ $rc -ne 0 ] && ! echo "$out" | grep -q '^not ok'; then
		echo "not ok - $n (exit $rc)"
		echo "$out" | tail -20
	elif [ $rc -ne 0 ]; then
		echo "$out" | grep -v '^ok' | head -40
	fi
done
