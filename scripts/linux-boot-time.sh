#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# linux-boot-time.sh - seconds from QEMU's start to Linux's user space (the
# test initramfs's "sharevisor-linux: user space" line), for one and for N
# guests at once: plain QEMU TCG (-kernel/-initrd, one QEMU per guest, all
# started together) against the same kernel and initramfs as sharevisor's
# guests (one QEMU, SVM+NPT, N VMs of 256 MiB).
#
#   scripts/linux-boot-time.sh [N]     (default 4; needs make all linux-guest)
#
# KERNEL=build/linux/vmlinux times the PVH entry instead (QEMU's -kernel takes
# a PVH vmlinux too).
# Prints one line per case: the slowest guest's time and each guest's.
set -eu
cd "$(dirname "$0")/.."
n=${1:-4}
out=build/boot-time
mkdir -p "$out"
k=${KERNEL:-build/linux/vmlinuz} i=build/linux/initrd.img
[ -f "$k" ] && [ -f "$i" ] || { echo "linux-boot-time: make linux-guest first" >&2; exit 1; }
marker='sharevisor-linux: user space'

# wait_for LOG COUNT START - seconds (since START, ns) when LOG holds COUNT markers.
wait_for() {
	local deadline=$(($(date +%s) + 600)) c
	while c=$(cat "$1" 2>/dev/null | grep -c "$marker") || true; [ "${c:-0}" -lt "$2" ]; do
		[ "$(date +%s)" -lt "$deadline" ] || { echo "timeout"; return; }
		sleep 0.1
	done
	awk -v now="$(date +%s%N)" -v t0="$3" 'BEGIN { printf "%.1f\n", (now - t0) / 1e9 }'
}

# plain COUNT - COUNT plain QEMUs at once.
plain() {
	local pids=() t=() start
	start=$(date +%s%N)
	for g in $(seq 1 "$1"); do
		rm -f "$out/plain$g.log"
		qemu-system-x86_64 -M pc -accel tcg -cpu qemu64 -m 256 -display none -monitor none \
			-serial "file:$out/plain$g.log" -no-reboot -kernel "$k" -initrd "$i" \
			-append "console=ttyS0" >/dev/null 2>&1 &
		pids+=($!)
	done
	for g in $(seq 1 "$1"); do t+=("$(wait_for "$out/plain$g.log" 1 "$start")"); done
	kill "${pids[@]}" 2>/dev/null || true
	wait 2>/dev/null || true
	echo "plain QEMU, $1 guest(s): $(printf '%s\n' "${t[@]}" | sort -n | tail -1) s (each: ${t[*]})"
}

# hv COUNT - sharevisor with COUNT guests.
hv() {
	local mods=() start pid t
	for g in $(seq 1 "$1"); do
		mods+=("$k vm=lx$g mem=256M cmdline=\"console=ttyS0\"" "$i for=lx$g")
	done
	scripts/mkiso.sh "$out/hv$1.iso" build/sharevisor.elf "" "${mods[@]}" >/dev/null
	rm -f "$out/hv$1.log"
	start=$(date +%s%N)
	qemu-system-x86_64 -M pc -accel tcg -cpu qemu64,+svm,+npt -m $(($1 * 256 + 512)) \
		-display none -monitor none -serial "file:$out/hv$1.log" -no-reboot \
		-cdrom "$out/hv$1.iso" >/dev/null 2>&1 &
	pid=$!
	t=$(wait_for "$out/hv$1.log" "$1" "$start")
	kill "$pid" 2>/dev/null || true
	wait 2>/dev/null || true
	echo "sharevisor, $1 guest(s): $t s (the last to reach user space; GRUB and the hypervisor's boot included)"
}

plain 1
hv 1
if [ "$n" -gt 1 ]; then
	plain "$n"
	hv "$n"
fi
