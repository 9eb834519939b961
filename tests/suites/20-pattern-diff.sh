#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Differential test of the pattern engine against PCRE2 (tests/fuzz/pattern_diff.c):
# a fixed seed (reproducible) and a fresh one (printed; rerun with -s SEED).
cd "$(dirname "$0")/../.."
make -s build/host/pattern-diff >/dev/null 2>&1 || { echo "not ok - pattern-diff: build failed"; exit 0; }
run() {
	local name=$1; shift
	local out
	out=$(timeout 120 build/host/pattern-diff "$@" 2>&1)
	local rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok - pattern-diff $name: $(echo "$out" | tail -1 | sed 's/^pattern-diff: //')"
	else
		echo "not ok - pattern-diff $name (exit $rc)"
		echo "$out" | tail -15
	fi
}
run fixed-seed -s 20261127 -n 3000
run fresh-seed -s "${PATTERN_DIFF_SEED:-$(date +%s%N)}" -n 1500
