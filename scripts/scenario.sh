#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scenario.sh - boot one scenario on one emulator and check its serial log.
#
#   scenario.sh iso SCENARIO.sc          build the scenario's ISO
#   scenario.sh run SCENARIO.sc EMU      boot it and print "ok - NAME@EMU" or "not ok - ..."
#
# A scenario file (tests/scenarios/*.sc) is bash that sets:
#   CMDLINE    the hypervisor's command line (test_exit is always added)
#   MODULES    array of "build/guests/X.elf OPTIONS" module specs
#   EMULATORS  where it runs: qemu (SVM+NPT), bochs (VMX+EPT), bochs-amd (SVM on
#              Bochs' ryzen model), qemu-svm-nonpt, qemu-novirt
#   RESULT     the expected verdict line: PASS, FAIL or PANIC
#   EXPECT     array of extended regexps that must each match a log line
#   EXPECT_NOT array of extended regexps that must match no line
#   TIMEOUT    seconds (per run; Bochs gets BOCHS_FACTOR times more)
set -u
cd "$(dirname "$0")/.."
mode=$1 sc=$2 emu=${3:-}
name=$(basename "$sc" .sc)
CMDLINE="" MODULES=() EMULATORS="qemu bochs" RESULT=PASS EXPECT=() EXPECT_NOT=() TIMEOUT=60 BOCHS_FACTOR=3
# shellcheck disable=SC1090
source "$sc"
iso=build/scenarios/$name.iso

if [ "$mode" = iso ]; then
	exec scripts/mkiso.sh "$iso" build/sharevisor.elf "test_exit $CMDLINE" "${MODULES[@]}"
fi

log=build/scenarios/$name@$emu.log
rm -f "$log"
qemu() {
	timeout "$TIMEOUT" qemu-system-x86_64 -M pc -accel tcg -cpu "$1" -m 512 \
		-display none -serial "file:$log" -monitor none -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -cdrom "$iso" >"$log.stdout" 2>&1
}
case $emu in
qemu) qemu qemu64,+svm,+npt ;;
qemu-svm-nonpt) qemu qemu64,+svm ;;
qemu-novirt) qemu qemu64 ;;
bochs) timeout $((TIMEOUT * BOCHS_FACTOR)) scripts/bochs.sh "$iso" "$log" corei7_skylake_x ;;
bochs-amd) timeout $((TIMEOUT * BOCHS_FACTOR)) scripts/bochs.sh "$iso" "$log" ryzen ;;
*) echo "not ok - $name@$emu (unknown emulator)"; exit 1 ;;
esac
rc=$?

declare -A code=([PASS]=0 [FAIL]=1 [PANIC]=2)
problems=()
[ $rc -eq 124 ] && problems+=("timed out after ${TIMEOUT}s")
case $emu in
qemu*) want=$(( (code[$RESULT] << 1) | 1 ))
	[ $rc -eq 124 ] || [ $rc -eq $want ] || problems+=("QEMU exit status $rc, expected $want") ;;
bochs*) [ $rc -eq 124 ] || [ $rc -eq 0 ] || problems+=("Bochs exit status $rc") ;;
esac
touch "$log"
grep -q "^sharevisor: test end: $RESULT" "$log" || problems+=("no 'test end: $RESULT' line")
for re in "${EXPECT[@]}"; do
	grep -Eq -- "$re" "$log" || problems+=("missing: $re")
done
for re in "${EXPECT_NOT[@]}"; do
	grep -Eq -- "$re" "$log" && problems+=("unexpected: $re")
done
if [ ${#problems[@]} -eq 0 ]; then
	echo "ok - $name@$emu"
else
	echo "not ok - $name@$emu"
	printf '    %s\n' "${problems[@]}"
	echo "    log $log, last lines:"
	tail -n 15 "$log" | sed 's/^/    | /'
fi
