#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run-qemu.sh - boot an ISO under QEMU TCG with AMD SVM + NPT, console on this terminal.
#   run-qemu.sh ISO [extra QEMU arguments, e.g. -s -S for gdb]
# Ctrl-A X quits QEMU. The serial line is also on build/console.sock for scripts.
set -eu
iso=$1
shift
echo "sharevisor under QEMU (SVM+NPT). Quit: Ctrl-A X."
exec qemu-system-x86_64 -M pc -accel tcg -cpu qemu64,+svm,+npt -m 512 \
	-display none -serial mon:stdio -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -cdrom "$iso" "$@"
