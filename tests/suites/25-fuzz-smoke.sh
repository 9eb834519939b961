#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A short libFuzzer run over the pattern parser/compiler/matcher (make fuzz runs longer).
cd "$(dirname "$0")/../.."
if ! make -s build/host/fuzz-pattern >build/fuzz-build.log 2>&1; then
	echo "not ok - fuzz-pattern: build failed (clang with libFuzzer needed)"
	tail -5 build/fuzz-build.log
	exit 0
fi
mkdir -p build/fuzz/smoke-pattern
cp -n tests/fuzz/corpus-pattern/* build/fuzz/smoke-pattern/ 2>/dev/null
out=$(timeout 60 build/host/fuzz-pattern -max_total_time="${FUZZ_SMOKE_SECONDS:-20}" -max_len=600 \
	-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 build/fuzz/smoke-pattern 2>&1)
rc=$?
runs=$(echo "$out" | sed -n 's/^stat::number_of_executed_units: *//p')
if [ $rc -eq 0 ]; then
	echo "ok - fuzz-pattern smoke: ${runs:-?} inputs, no crash"
else
	echo "not ok - fuzz-pattern smoke (exit $rc)"
	echo "$out" | grep -v '^#' | tail -30
fi
