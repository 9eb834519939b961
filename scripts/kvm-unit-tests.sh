#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kvm-unit-tests.sh - run x86 tests of kvm-unit-tests (test kernels written
# for another hypervisor) as sharevisor guests and tabulate their verdicts.
#
#   kvm-unit-tests.sh DIR [TEST...]
#
# DIR is a kvm-unit-tests checkout (not in Debian's archive, so not part of
# `make test`); it is configured and built for x86_64 first if its
# x86/*.flat files are missing. TESTS names x86/NAME.flat files (default:
# a list that needs one CPU and no KVM-specific device). Environment:
# EMULATORS (default "qemu bochs"), PACK (VMs per boot, default 4), OUT
# (default build/kvm-unit-tests). Each test runs as one VM with 128 MiB and
# an environment module (NR_CPUS=1, MEMSIZE=128, TEST_DEVICE=0: what the
# kvm-unit-tests runner passes through QEMU's fw_cfg and initrd). One line
# per test and backend: its SUMMARY line, and how its VM ended (exit code:
# 0 pass, 1 failures, 38 all skipped (77 >> 1), other values an abort; the
# hypervisor's stop reason; or "no end" when the boot timed out).
set -u
cd "$(dirname "$0")/.."
dir=${1:?usage: kvm-unit-tests.sh DIR [TEST...]}
shift
tests=("$@")
# ioapic is left out: it drives IRQ lines through QEMU's pc-testdev ports.
[ ${#tests[@]} -gt 0 ] || tests=(apic debug emulator eventinj idt_test memory msr pcid rdpru
	setjmp sieve smap syscall tsc tsc_adjust umip xsave)
emus=${EMULATORS:-qemu bochs}
pack=${PACK:-4}
out=${OUT:-build/kvm-unit-tests}
mkdir -p "$out"
rm -f "$out"/*.sc "$out"/*.flat "$out"/*.run

if [ ! -f "$dir/x86/msr.flat" ]; then
	echo "building kvm-unit-tests in $dir"
	(cd "$dir" && { [ -f config.mak ] || ./configure --arch=x86_64; } && make -j2) \
		>"$out/build.log" 2>&1 || { tail -20 "$out/build.log"; exit 1; }
fi
printf 'NR_CPUS=1\nMEMSIZE=128\nTEST_DEVICE=0\n' >"$out/kut.env"
for t in "${tests[@]}"; do
	[ -f "$dir/x86/$t.flat" ] || { echo "$t: no $dir/x86/$t.flat"; exit 1; }
	cp "$dir/x86/$t.flat" "$out/k$t.flat"	# k: module names are the VM's, kept apart from ours
done

# One boot per PACK tests and emulator.
n=0
for emu in $emus; do
	for ((i = 0; i < ${#tests[@]}; i += pack)); do
		n=$((n + 1))
		sc=$out/kut-b$n.sc
		{
			echo "EMULATORS=\"$emu\""
			echo 'CMDLINE=""'
			echo 'TIMEOUT=120'
			echo 'RESULT=PASS'
			echo 'MODULES=('
			for t in "${tests[@]:i:pack}"; do
				echo "	\"$out/k$t.flat vm=$t mem=128M\""
				echo "	\"$out/kut.env for=$t\""
			done
			echo ')'
		} >"$sc"
	done
done

run() {
	local sc=$1 emu
	emu=$(sed -n 's/^EMULATORS="\(.*\)"/\1/p' "$sc")
	scripts/scenario.sh iso "$sc" >/dev/null 2>&1 &&
		CEILING_FACTOR=2 scripts/scenario.sh run "$sc" "$emu" >"${sc%.sc}.run" 2>&1
	true
}
export -f run
ls "$out"/kut-b*.sc | xargs -P 2 -I{} bash -c 'run {}'

printf '%-10s %-11s %-40s %s\n' backend test summary end
for sc in $(ls "$out"/kut-b*.sc | sort -V); do
	emu=$(sed -n 's/^EMULATORS="\(.*\)"/\1/p' "$sc")
	log=build/scenarios/$(basename "$sc" .sc)@$emu.log
	sed -n 's/^\t"[^ ]*\/k\([a-z0-9_]*\)\.flat .*/\1/p' "$sc" | while read -r t; do
		sum=$(grep -a -m1 "^\[$t\] SUMMARY:" "$log" 2>/dev/null | sed 's/^\[[^]]*\] SUMMARY: //')
		end=$(grep -a -m1 -E "^vm [0-9]+ '$t': (exited|stopped)" "$log" 2>/dev/null |
		      sed -e "s/^vm [0-9]* '$t': //" -e 's/ (debug-exit port)//')
		printf '%-10s %-11s %-40s %s\n' "$emu" "$t" "${sum:--}" "${end:-no end}"
	done
done
