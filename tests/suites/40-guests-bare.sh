#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 40-guests-bare.sh - run the test guests bare under QEMU TCG (no hypervisor)
# and check the loader formats of hello: one "ok - guest-bare:NAME" or
# "not ok - guest-bare:NAME" line per case, decided by QEMU's exit status
# AND the serial log (isa-debug-exit: status = (code << 1) | 1; a triple
# fault with -no-reboot exits 0).
# test.sh: show every result
cd "$(dirname "$0")/../.."
G=build/guests
LOGS=build/test-logs/guests-bare
mkdir -p "$LOGS"
make -s guests >"$LOGS/build.log" 2>&1 || { cat "$LOGS/build.log"; echo "not ok - guest-bare:build"; exit 1; }

QEMU_ARGS=(-m 32 -display none -serial stdio -monitor none -no-reboot
	-device isa-debug-exit,iobase=0xf4,iosize=0x04)

# run NAME QEMU KERNEL APPEND STATUS PATTERN [ANTIPATTERN] - one boot, one
# result; KERNEL "cdrom:ISO" boots an ISO instead of QEMU's -kernel loader.
run() {
	local name=$1 qemu=$2 kernel=$3 append=$4 want=$5 pat=$6 anti=${7:-}
	local log=$LOGS/$name.log rc boot
	if [[ $kernel == cdrom:* ]]; then
		boot=(-cdrom "${kernel#cdrom:}")
	else
		boot=(-kernel "$kernel" -append "$append")
	fi
	# shellcheck disable=SC2086
	timeout 120 $qemu "${QEMU_ARGS[@]}" "${boot[@]}" </dev/null >"$log" 2>&1
	rc=$?
	if [ "$rc" -eq "$want" ] && grep -q "$pat" "$log" &&
	   { [ -z "$anti" ] || ! grep -q "$anti" "$log"; }; then
		echo "ok - guest-bare:$name"
	else
		echo "not ok - guest-bare:$name (status $rc, want $want; log $log)"
		tail -15 "$log"
	fi
}

I386=qemu-system-i386
SVM="qemu-system-x86_64 -cpu qemu64,+svm"

run hello            "$I386" $G/hello.elf         "mem=32M expect=bare bare" 1 '^guest hello: PASS'
run hello-objcopy    "$I386" $G/hello-objcopy.elf "mem=32M expect=bare bare" 1 '^guest hello: PASS'
run hello-aout       "$I386" $G/hello.bin         "mem=32M expect=bare bare" 1 '^guest hello: PASS'
run hello-x86_64     "$SVM"  $G/hello.elf         "mem=32M" 1 '^guest hello: PASS'
# The runtime must fail when a check fails: hello cannot find this word.
run hello-fails      "$I386" $G/hello.elf         "expect=absent" 3 '^guest hello: FAIL (1 failures)'
run fill             "$I386" $G/fill.elf          "seed=7" 1 '^guest fill: PASS'
# ... and fill's check must catch a flipped byte (one per pass: 2 failures).
run fill-corrupt     "$I386" $G/fill.elf          "corrupt=1" 3 '^fill: seed 2: 1 bad bytes'
run fill-all         "$SVM"  $G/fill.elf          "seed=9 region=all passes=1" 1 '^guest fill: PASS'
run timer            "$I386" $G/timer.elf         "" 1 '^guest timer: PASS'
run timer-1000hz     "$SVM"  $G/timer.elf         "hz=1000 ticks=50" 1 '^guest timer: PASS'
run priv             "$I386" $G/priv.elf          "" 1 '^guest priv: PASS'
run priv-svm         "$SVM"  $G/priv.elf          "" 1 '^guest priv: PASS'
run tasks            "$I386" $G/tasks.elf         "" 1 '^guest tasks: PASS'
run lmode            "$SVM"  $G/lmode.elf         "" 1 '^guest lmode: PASS'
run lmode-final      "$SVM"  $G/lmode.elf         "final=1" 0 '^lmode: entering long mode with 32-bit' 'still running'
run msrs             "$SVM"  $G/msrs.elf          "" 1 '^guest msrs: PASS'
# The 64-bit kernel: QEMU's -kernel takes only its ELF32 copy; -initrd is its environment module.
run pc64 "qemu-system-x86_64 -cpu max -initrd tests/scenarios/data/env-pc64.txt" \
	$G/pc64-elf32.elf "cpus=1 need_env=1" 1 '^guest pc64: PASS'
# QEMU's own APIC: the self-NMI test's timing (the second right after the IRET) holds bare too.
run apic             "$I386" $G/apic.elf          "" 1 '^apic: 2 NMIs, nested at most 1 deep, the second 0 loop'
run emul             "$SVM"  $G/emul.elf          "" 1 '^guest emul: PASS'
run share            "$I386" $G/share.elf         "seed=3 vm=a" 1 '^share: counters unavailable'
run share-pass       "$SVM"  $G/share.elf         "seed=3 vm=b units=7" 1 '^guest share: PASS'
# Misbehaving guests, bare: wild's accesses return (exit code 2), triple
# triple-faults (QEMU exits 0 with -no-reboot) and never reaches PASS.
run wild             "$I386" $G/wild.elf          "" 5 '^wild: every access returned'
run triple           "$I386" $G/triple.elf        "" 0 '^triple: loading an empty IDT' 'guest triple: PASS'

# GRUB's own Multiboot v1 loader (the one sharevisor's users have) boots the
# ELF64 form, which QEMU's -kernel refuses, and the a.out-kludge form.
# grub_run NAME FILE APPEND - boot FILE through a one-entry GRUB ISO.
grub_run() {
	local name=$1 file=$2 append=$3 dir=$LOGS/$1.isodir
	rm -rf "$dir" && mkdir -p "$dir/boot/grub" && cp "$file" "$dir/kernel"
	printf 'set timeout=0\nset default=0\nmenuentry guest {\n multiboot /kernel %s\n boot\n}\n' \
		"$append" >"$dir/boot/grub/grub.cfg"
	if ! grub-mkrescue -o "$LOGS/$name.iso" "$dir" >"$LOGS/$name.mkrescue.log" 2>&1; then
		rm -rf "$dir"
		echo "not ok - guest-bare:$name (grub-mkrescue failed, log $LOGS/$name.mkrescue.log)"
		return
	fi
	rm -rf "$dir"
	run "$name" "$I386" "cdrom:$LOGS/$name.iso" "" 1 '^guest hello: PASS'
	rm -f "$LOGS/$name.iso"
}

if command -v grub-mkrescue >/dev/null; then
	grub_run grub-hello64 $G/hello64.elf "mem=32M expect=grub grub"
	grub_run grub-hello-aout $G/hello.bin "mem=32M expect=grub grub"
fi

# mb_header FILE - print "OFFSET FLAGS" of a valid Multiboot v1 header in the
# first 8 KiB (magic, flags and checksum summing to 0), or nothing.
mb_header() {
	local -a w
	local i
	read -r -a w <<<"$(od -An -tx4 -v -N8192 "$1" | tr -s ' \n' ' ')"
	for ((i = 0; i + 2 < ${#w[@]}; i++)); do
		if [ "${w[i]}" = 1badb002 ] &&
		   (( (0x${w[i]} + 0x${w[i+1]} + 0x${w[i+2]}) % 4294967296 == 0 )); then
			echo "$((i * 4)) ${w[i+1]}"
			return
		fi
	done
}

# entry FILE - the ELF entry point, in decimal.
entry() {
	echo $(( $(readelf -h "$1" | sed -n 's/.*Entry point address: *//p') ))
}

# class FILE - ELF32 or ELF64.
class() {
	readelf -h "$1" | sed -n 's/.*Class: *//p'
}

# format NAME OK DETAILS - one result line for a static check of a file.
format() {
	if [ "$2" = yes ]; then echo "ok - guest-format:$1"; else echo "not ok - guest-format:$1 ($3)"; fi
}

# ELF64 with the same 32-bit entry and a Multiboot header (QEMU cannot boot it).
h=$(mb_header $G/hello64.elf)
ok=no
[ "$(class $G/hello64.elf)" = ELF64 ] && [ "$(entry $G/hello64.elf)" = "$(entry $G/hello.elf)" ] &&
	[ -n "$h" ] && ok=yes
format hello64 $ok "class $(class $G/hello64.elf), header '$h'"

# a.out kludge: header at offset 0 of the flat file, flag bit 16 set.
h=$(mb_header $G/hello.bin)
ok=no
[ -n "$h" ] && [ "${h%% *}" = 0 ] && (( (0x${h#* } >> 16) & 1 )) && ok=yes
format hello-aout $ok "header '$h'"

# objcopy -O elf32-i386 round trip: ELF32, same entry, header kept.
h=$(mb_header $G/hello-objcopy.elf)
ok=no
[ "$(class $G/hello-objcopy.elf)" = ELF32 ] && [ "$(entry $G/hello-objcopy.elf)" = "$(entry $G/hello.elf)" ] &&
	[ -n "$h" ] && ok=yes
format hello-objcopy $ok "class $(class $G/hello-objcopy.elf), header '$h'"
