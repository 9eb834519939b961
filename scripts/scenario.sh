#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scenario.sh - boot one scenario on one emulator and check its serial log.
#
#   scenario.sh iso SCENARIO.sc          build the scenario's ISO
#   scenario.sh run SCENARIO.sc EMU      boot it and print "ok - NAME@EMU" or "not ok - ..."
#
# For make run SCENARIO=FILE (an interactive boot of a scenario file of one's own):
#   scenario.sh run-iso SCENARIO.sc OUT.iso "OPTIONS"   its ISO without test_exit,
#                                        OPTIONS added to CMDLINE
#   scenario.sh files SCENARIO.sc        the module files, one per line
#   scenario.sh mem SCENARIO.sc          its MEM
#
# A scenario file (tests/scenarios/*.sc) is bash that sets:
#   CMDLINE    the hypervisor's command line (test_exit is always added)
#   MODULES    array of "build/guests/X.elf OPTIONS" module specs
#   EMULATORS  where it runs: qemu (SVM+NPT), bochs (VMX+EPT), bochs-amd (SVM on
#              Bochs' ryzen model), qemu-xsave (-cpu max: SVM+NPT with XSAVE and AVX),
#              qemu-svm-nonpt, qemu-novirt
#   RESULT     the expected verdict line: PASS, FAIL or PANIC
#   EXPECT     array of extended regexps that must each match a log line
#   EXPECT_NOT array of extended regexps that must match no line
#   MEM        MiB of RAM for the emulated machine (default 512)
#   TIMEOUT    seconds a run may go without new serial output, i.e. without
#              progress (Bochs gets BOCHS_FACTOR times more); a run is stopped
#              after that much silence, or after CEILING_FACTOR times it in all.
#              Both are ceilings for a stuck run, far above a run's own time
#              (also on a machine whose cores are busy), never a time a
#              passing run is expected to take. Bochs's factor is large: its
#              runs have long silent stretches that grow with the machine's
#              load (sharing engine set-up after "virt: using VMX": ~35 s
#              on a busy machine; 165 s of silence was seen with load 8).
set -u
cd "$(dirname "$0")/.."
mode=$1 sc=$2 emu=${3:-}
name=$(basename "$sc" .sc)
CMDLINE="" MODULES=() EMULATORS="qemu bochs" RESULT=PASS EXPECT=() EXPECT_NOT=() TIMEOUT=60 BOCHS_FACTOR=6
MEM=512
CEILING_FACTOR=${CEILING_FACTOR:-4}
# shellcheck disable=SC1090
source "$sc"
iso=build/scenarios/$name.iso

case $mode in
iso) exec scripts/mkiso.sh "$iso" build/sharevisor.elf "test_exit $CMDLINE" "${MODULES[@]}" ;;
run-iso) exec scripts/mkiso.sh "$3" build/sharevisor.elf "$CMDLINE${4:+ $4}" "${MODULES[@]}" ;;
files) for spec in "${MODULES[@]}"; do echo "${spec%% *}"; done; exit 0 ;;
mem) echo "$MEM"; exit 0 ;;
esac

log=build/scenarios/$name@$emu.log
rm -f "$log"
quiet=$TIMEOUT
case $emu in bochs*) quiet=$((TIMEOUT * BOCHS_FACTOR)) ;; esac
ceiling=$((quiet * CEILING_FACTOR))
start=$SECONDS
stalled=0

# watched CMD... - run CMD until it ends; stop it (and its children: timeout
# signals its process group) after $quiet seconds in which the serial log did
# not grow, or after $ceiling seconds in all (status 124). Returns CMD's status.
watched() {
	local pid size=-1 n last=$SECONDS
	timeout "$ceiling" "$@" &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		n=$(stat -c %s "$log" 2>/dev/null || echo 0)
		if [ "$n" != "$size" ]; then
			size=$n last=$SECONDS
		elif (( SECONDS - last >= quiet )); then
			stalled=1
			kill -TERM "$pid" 2>/dev/null
			break
		fi
	done
	wait "$pid"
}
qemu() {
	watched qemu-system-x86_64 -M pc -accel tcg -cpu "$1" -m "$MEM" \
		-display none -serial "file:$log" -monitor none -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -cdrom "$iso" >"$log.stdout" 2>&1
}
case $emu in
qemu) qemu qemu64,+svm,+npt ;;
qemu-xsave) qemu max ;;
qemu-svm-nonpt) qemu qemu64,+svm ;;
qemu-novirt) qemu qemu64 ;;
bochs) watched scripts/bochs.sh "$iso" "$log" corei7_skylake_x "$MEM" ;;
bochs-amd) watched scripts/bochs.sh "$iso" "$log" ryzen "$MEM" ;;
*) echo "not ok - $name@$emu (unknown emulator)"; exit 1 ;;
esac
rc=$?
took=$((SECONDS - start))

declare -A code=([PASS]=0 [FAIL]=1 [PANIC]=2)
problems=()
stopped=0
if [ $stalled -eq 1 ]; then
	problems+=("no progress: no serial output for ${quiet}s, stopped after ${took}s")
	stopped=1
elif [ $rc -eq 124 ]; then
	problems+=("still running after ${ceiling}s (the ceiling), stopped")
	stopped=1
fi
case $emu in
qemu*) want=$(( (code[$RESULT] << 1) | 1 ))
	[ $stopped -eq 1 ] || [ $rc -eq $want ] || problems+=("QEMU exit status $rc, expected $want") ;;
bochs*) [ $stopped -eq 1 ] || [ $rc -eq 0 ] || problems+=("Bochs exit status $rc") ;;
esac
touch "$log"
grep -q "^sharevisor: test end: $RESULT" "$log" || problems+=("no 'test end: $RESULT' line")
for re in "${EXPECT[@]}"; do
	grep -Eq -- "$re" "$log" || problems+=("missing: $re")
done
for re in "${EXPECT_NOT[@]}"; do
	grep -Eq -- "$re" "$log" && problems+=("unexpected: $re")
done
# One write for the whole report, so that parallel runs do not interleave.
if [ ${#problems[@]} -eq 0 ]; then
	echo "ok - $name@$emu (${took}s)"
else
	report="not ok - $name@$emu (${took}s)"$'\n'
	report+=$(printf '    %s\n' "${problems[@]}")$'\n'
	report+="    log $log, last lines:"$'\n'
	report+=$(tail -n 15 "$log" | tr -d '\r' | sed 's/^/    | /')
	printf '%s\n' "$report"
fi
