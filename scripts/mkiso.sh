#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mkiso.sh - build a GRUB (Multiboot2) ISO holding the hypervisor and guest modules.
#
#   mkiso.sh OUT.iso HYPERVISOR.elf "HV CMDLINE" ["GUEST.elf OPTIONS"]...
#
# Each guest spec becomes `module2 /guests/NAME OPTIONS`; the hypervisor reads
# the options (vm=, mem=, cmdline=, domain=) from the module's command line.
set -eu
out=$1 elf=$2 cmdline=$3
shift 3
stage=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$stage" "$log"' EXIT
mkdir -p "$stage/boot/grub" "$stage/guests"
cp "$elf" "$stage/boot/sharevisor.elf"
{
	echo "set timeout=0"
	echo "set default=0"
	echo "menuentry \"sharevisor\" {"
	echo "	multiboot2 /boot/sharevisor.elf $cmdline"
	for spec in "$@"; do
		[ -n "$spec" ] || continue
		path=${spec%% *}
		opts=""
		[ "$path" != "$spec" ] && opts=${spec#* }
		[ -f "$path" ] || { echo "mkiso: guest image $path not found" >&2; exit 1; }
		cp "$path" "$stage/guests/"
		echo "	module2 /guests/$(basename "$path") $opts"
	done
	echo "	boot"
	echo "}"
} >"$stage/boot/grub/grub.cfg"
mkdir -p "$(dirname "$out")"
if ! grub-mkrescue -o "$out" "$stage" >"$log" 2>&1; then
	cat "$log" >&2
	echo "mkiso: grub-mkrescue failed" >&2
	exit 1
fi
