#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mkiso.sh - build a GRUB (Multiboot2) ISO holding the hypervisor and guest modules.
#
#   mkiso.sh OUT.iso HYPERVISOR.elf "HV CMDLINE" ["GUEST.elf OPTIONS"]...
#
# Each guest spec becomes `module2 /guests/NAME OPTIONS`; the hypervisor reads
# the options (vm=, mem=, cmdline=, domain=) from the module's command line.
# OUT.iso is left as it is when its grub.cfg and the files' paths (kept in
# OUT.iso.cfg) are the same and no file that goes into it (nor this script) is newer.
set -eu
out=$1 elf=$2 cmdline=$3
shift 3
stage=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$stage" "$stage.cfg" "$log"' EXIT
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
manifest=$stage.cfg
{ cat "$stage/boot/grub/grub.cfg"; printf 'file %s\n' "$elf" "${@%% *}"; } >"$manifest"
if [ -f "$out" ] && cmp -s "$manifest" "$out.cfg"; then
	fresh=1
	for f in "$elf" "$0" "$@"; do
		f=${f%% *}
		[ -z "$f" ] || [ ! "$f" -nt "$out" ] || fresh=0
	done
	[ $fresh = 0 ] || exit 0
fi
mkdir -p "$(dirname "$out")"
rm -f "$out.cfg"
if ! grub-mkrescue -o "$out" "$stage" >"$log" 2>&1; then
	cat "$log" >&2
	echo "mkiso: grub-mkrescue failed" >&2
	exit 1
fi
cp "$manifest" "$out.cfg"
