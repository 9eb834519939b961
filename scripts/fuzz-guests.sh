#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fuzz-guests.sh - boot the hostile guest (tests/guests/hostile.c) for many
# seeds, every mode, on every backend, beside page-checking neighbours, and
# classify each run.
#
#   fuzz-guests.sh [SEEDS]        seeds 1..SEEDS (default 3)
#
# Environment: EMULATORS (default "qemu bochs bochs-amd"), MODES (default
# every mode; bochs-amd leaves out the ones that may triple-fault, which
# ends Bochs's AMD model itself: cr, insn0, triple, and insn runs there
# with v86=0: a V86 guest panics that model), STEPS (per mode, default
# 200), PACK (hostile VMs per boot, at most 14, default 12), FIRST_SEED (1),
# JOBS (boots at a time, default 2), OUT (build/fuzz-guests).
#
# A boot is host OK when the log has the "test end:" sentinel, no EXCEPTION
# or PANIC line, the emulator neither aborted nor timed out, and both
# neighbours (share with check=1, fill) passed. Each hostile VM's outcome
# is "done" (exit code 0), "stopped: REASON" (the hypervisor's one-line
# reason, RIP and numbers elided), "fail: code N" (the guest found a
# problem: an INT n at the wrong vector, a storm byte that changed) or
# "lost" (no line about it: the host failed). Prints one line per boot, a
# table of counts per mode, backend and outcome, and a final line; exits 1
# on any host failure or guest "fail".
set -u
cd "$(dirname "$0")/.."
seeds=${1:-3}
first=${FIRST_SEED:-1}
emus=${EMULATORS:-qemu bochs bochs-amd}
steps=${STEPS:-200}
pack=${PACK:-12}
jobs=${JOBS:-2}
out=${OUT:-build/fuzz-guests}
all_modes="insn io msr crx int desc virt hcall storm mem strio task cr insn0 triple"
modes=${MODES:-$all_modes}
[ "$pack" -le 14 ] || pack=14
mkdir -p "$out"
rm -f "$out"/*.sc "$out"/*.res "$out"/*.run

# One boot per PACK (mode, seed) pairs: write its scenario file.
nboot=0
for emu in $emus; do
	pairs=()
	for m in $modes; do
		if [ "$emu" = bochs-amd ]; then
			case $m in cr|insn0|triple) continue ;; esac
		fi
		for ((s = first; s < first + seeds; s++)); do pairs+=("$m:$s"); done
	done
	for ((i = 0; i < ${#pairs[@]}; i += pack)); do
		nboot=$((nboot + 1))
		sc=$out/$(basename "$out")-b$nboot-$emu.sc
		{
			echo "EMULATORS=\"$emu\""
			echo 'CMDLINE="scan_rate=256"'
			echo 'TIMEOUT=240'
			echo 'RESULT=FAIL'
			echo 'MODULES=('
			echo "	\"build/guests/share.elf vm=share mem=4M cmdline=\\\"seed=$((first + i)) check=1\\\"\""
			echo '	"build/guests/fill.elf vm=fill mem=4M"'
			for p in "${pairs[@]:i:pack}"; do
				m=${p%%:*} s=${p##*:}
				extra=""	# Bochs's AMD model panics on a V86 guest
				[ "$emu" = bochs-amd ] && [ "$m" = insn ] && extra=" v86=0"
				echo "	\"build/guests/hostile.elf vm=$m-$s mem=4M cmdline=\\\"seed=$s mode=$m steps=$steps$extra\\\"\""
			done
			echo ')'
		} >"$sc"
	done
done

# boot SC - build, run, classify; writes SC.res lines "emu mode outcome" and "HOST ..." lines.
boot() {
	local sc=$1 emu name log res problems=()
	emu=$(sed -n 's/^EMULATORS="\(.*\)"/\1/p' "$sc")
	name=$(basename "$sc" .sc)
	log=build/scenarios/$name@$emu.log
	res=${sc%.sc}.res
	if ! scripts/scenario.sh iso "$sc" >/dev/null 2>&1; then
		echo "HOST $name@$emu: ISO build failed" >"$res"
		return
	fi
	local t0=$SECONDS
	scripts/scenario.sh run "$sc" "$emu" >"${sc%.sc}.run" 2>&1
	grep -q 'timed out' "${sc%.sc}.run" && problems+=("emulator timed out")
	# QEMU: 1 and 3 are the PASS and FAIL verdicts; anything else (0: the host
	# triple-faulted, 134/139: QEMU aborted) is the host's. Bochs: only 0.
	local st
	st=$(grep -o '\(QEMU\|Bochs\) exit status [0-9]*' "${sc%.sc}.run" | head -1)
	case $st in
	''|"QEMU exit status 1"|"QEMU exit status 3") ;;
	*) problems+=("$st") ;;
	esac
	grep -aq '^sharevisor: test end:' "$log" || problems+=("no test end line")
	grep -aq '^EXCEPTION' "$log" && problems+=("EXCEPTION: $(grep -a -m1 '^EXCEPTION' "$log")")
	grep -aq '^PANIC' "$log" && problems+=("PANIC: $(grep -a -m1 '^PANIC' "$log")")
	for n in share fill; do
		grep -aEq "^vm [0-9]+ '$n': PASS, code 0" "$log" || problems+=("neighbour $n did not pass")
	done
	if [ -f "$log.bochs" ] && grep -aq -i 'panic\|3rd (13) exception\|exception with no resolution' "$log.bochs"; then
		problems+=("bochs: $(grep -a -i -m1 'panic\|exception with no resolution' "$log.bochs" | cut -c1-120)")
	fi
	{
		if [ ${#problems[@]} -gt 0 ]; then
			printf 'HOST %s@%s: %s\n' "$name" "$emu" "$(IFS=';'; echo "${problems[*]}")"
		else
			echo "BOOT $name@$emu ok $((SECONDS - t0))s"
		fi
		sed -n 's/^\t"build\/guests\/hostile.elf vm=\([a-z0-9]*\)-\([0-9]*\) .*/\1 \2/p' "$sc" |
		while read -r m s; do
			local vm=$m-$s line outcome
			line=$(grep -a -m1 -E "^vm [0-9]+ '$vm': (PASS|FAIL), code" "$log")
			stop=$(grep -a -m1 -E "^vm [0-9]+ '$vm': stopped by the hypervisor: " "$log" |
			       sed -e 's/.*stopped by the hypervisor: //' -e 's/ (RIP [^)]*)//' \
				   -e 's/0x[0-9a-f]*/N/g' -e 's/ (\(SVM\|VMX\) exit .*//')
			if [[ $line == *"PASS, code 0"* ]]; then
				outcome=done
			elif [ -n "$stop" ]; then
				outcome="stopped: $stop"
			elif [ -n "$line" ]; then
				outcome="fail: code $(echo "$line" | sed 's/.*code \(-\?[0-9]*\).*/\1/')"
			else
				outcome=lost
			fi
			echo "$emu $m $outcome"
		done
	} >"$res"
}
export -f boot

ls "$out"/*.sc | xargs -P "$jobs" -I{} bash -c 'boot {}'

cat "$out"/*.res | grep -E '^(HOST|BOOT)' | sort -V
echo
printf '%-10s %-7s %5s  %s\n' backend mode count outcome
cat "$out"/*.res | grep -vE '^(HOST|BOOT)' | sort | uniq -c |
	awk '{ n = $1; emu = $2; m = $3; $1 = $2 = $3 = ""; sub(/^ +/, ""); printf "%-10s %-7s %5d  %s\n", emu, m, n, $0 }' |
	sort -k1,1 -k2,2
hostfail=$(cat "$out"/*.res | grep -c '^HOST')
guestfail=$(cat "$out"/*.res | grep -vE '^(HOST|BOOT)' | grep -cE '^[^ ]+ [^ ]+ (fail:|lost)')
vms=$(cat "$out"/*.res | grep -vcE '^(HOST|BOOT)')
echo "fuzz-guests: $nboot boots, $vms hostile VMs (seeds $first..$((first + seeds - 1))), $hostfail host failures, $guestfail guest failures"
[ "$hostfail" -eq 0 ] && [ "$guestfail" -eq 0 ]
