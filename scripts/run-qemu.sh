#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run-qemu.sh - boot an ISO under QEMU TCG with AMD SVM + NPT, console on this terminal.
#   run-qemu.sh ISO [extra QEMU arguments, e.g. -s -S for gdb]
# QEMU's own escape key is moved from Ctrl-A to Ctrl-] (-echr 0x1d), so that
# Ctrl-A reaches the hypervisor (three of them leave `console NAME`);
# Ctrl-] X quits QEMU, Ctrl-] C toggles QEMU's monitor. With CONSOLE=socket
# the serial line goes to build/console.sock instead (for scripts/svctl;
# QEMU's monitor stays on stdio).
# QEMU_MEM: the machine's MiB (default 512; make run sets it for its guests).
# A reset (the console's `reboot`, a triple fault) reboots the machine as a
# PC would: GRUB and the hypervisor start again (the tests and make demo run
# QEMU with -no-reboot instead, so that a reset ends them).
set -eu
iso=$1
shift
if [ "${CONSOLE:-}" = socket ]; then
	sock=build/console.sock
	rm -f "$sock"
	echo "sharevisor under QEMU (SVM+NPT); console on $sock: 'scripts/svctl stats'," \
		"or 'scripts/svctl term' to type. Quit: 'quit' here, or Ctrl-C."
	exec qemu-system-x86_64 -M pc -accel tcg -cpu qemu64,+svm,+npt -m "${QEMU_MEM:-512}" \
		-display none -serial "unix:$sock,server=on,wait=off" -monitor stdio \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -cdrom "$iso" "$@"
fi
case " $* " in
*" -S "*) echo "QEMU is stopped at the first instruction and waits for gdb on :1234:" \
	"gdb build/sharevisor.elf -ex 'target remote :1234', then 'continue'." ;;
esac
echo "sharevisor under QEMU (SVM+NPT). At the 'sharevisor>' prompt type 'stats' and Enter" \
	"('help' lists the commands). Quit: Ctrl-] X (QEMU's monitor: Ctrl-] C)."
exec qemu-system-x86_64 -M pc -accel tcg -cpu qemu64,+svm,+npt -m "${QEMU_MEM:-512}" \
	-display none -serial mon:stdio -echr 0x1d \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -cdrom "$iso" "$@"
