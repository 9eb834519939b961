#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 60-console.sh - console scenario tests: each tests/console/test_*.py boots QEMU
# with test_exit and the serial line on a UNIX socket and drives the console
# through scripts/svctl's Console class; two at a time, each bounded in time.
cd "$(dirname "$0")/../.."
set -u
out=build/console-tests
mkdir -p "$out"
g=build/guests
isos=(
	"console|scan_rate=256|$g/share.elf vm=a mem=4M cmdline=\"seed=3 linger=1\"|$g/share.elf vm=b mem=4M cmdline=\"seed=3 linger=1\"|$g/idle.elf vm=idle mem=4M"
	"destroy-without|share=off|$g/idle.elf vm=i1 mem=4M|$g/idle.elf vm=i2 mem=4M"
	"destroy-with|share=off|$g/idle.elf vm=i1 mem=4M|$g/idle.elf vm=i2 mem=4M|$g/idle.elf vm=victim mem=4M"
)
for spec in "${isos[@]}"; do
	IFS='|' read -r -a f <<<"$spec"
	if ! log=$(scripts/mkiso.sh "$out/${f[0]}.iso" build/sharevisor.elf "test_exit ${f[1]}" "${f[@]:2}" 2>&1); then
		echo "not ok - console ISO ${f[0]}"
		echo "$log"
		exit 0
	fi
done
ls tests/console/test_*.py | xargs -P "${CONSOLE_JOBS:-2}" -n 1 timeout 150 python3
