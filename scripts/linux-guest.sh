#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# linux-guest.sh - the Linux test guest in build/linux/: Debian's own kernel
# (the linux-image-*-amd64 package that linux-image-amd64 depends on, fetched
# with apt-get download, /boot/vmlinuz-* extracted) and an initramfs of
# busybox-static (fetched the same way), tests/linux/init and the memory
# checker tests/linux/memcheck.c (built static here); build/linux/vmlinux is
# the same kernel uncompressed, the ELF with its PVH entry note
# (scripts/extract-vmlinux.py --trim: its zero file bytes at segment ends as
# bss, no section headers: 41 MB instead of 66); build/linux/vmlinuz-cut and
# vmlinux-cut are the first 4 MiB of each, for the bad-input tests.
#
#   linux-guest.sh        build/linux/vmlinuz, vmlinux and initrd.img
#
# The packages are cached in build/linux/deb/: later runs are offline and
# take well under a second when nothing changed. Without network and
# without a cache it says so and exits 1.
set -eu
cd "$(dirname "$0")/.."
out=build/linux
deb=$out/deb
mkdir -p "$deb"

# apt_update - refresh apt's package lists (a fresh machine may have none), as
# root or with password-less sudo, once.
updated=""
apt_update() {
	[ -z "$updated" ] || return 0
	updated=1
	local sudo=""
	[ "$(id -u)" = 0 ] || { sudo -n true 2>/dev/null && sudo="sudo -n"; } || return 0
	echo "linux-guest: refreshing apt's package lists" >&2
	$sudo apt-get update -qq >/dev/null 2>&1 || true
}

# fetch PACKAGE - its .deb in $deb (the newest one there if already fetched).
fetch() {
	local have
	have=$(ls "$deb/$1"_*.deb 2>/dev/null | tail -1 || true)
	if [ -z "$have" ]; then
		(cd "$deb" && apt-get download -o APT::Sandbox::User=root "$1" >/dev/null 2>&1) ||
		{ apt_update; (cd "$deb" && apt-get download -o APT::Sandbox::User=root "$1" >/dev/null 2>&1); } || {
			echo "linux-guest: cannot download $1 with apt-get (offline, and nothing cached in $deb)" >&2
			exit 1
		}
		have=$(ls "$deb/$1"_*.deb | tail -1)
	fi
	echo "$have"
}

if [ ! -f "$deb/kernel-package" ]; then
	kernel_dep() {
		apt-cache depends linux-image-amd64 2>/dev/null |
			awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
	}
	pkg=$(kernel_dep)
	[ -n "$pkg" ] || { apt_update; pkg=$(kernel_dep); }
	[ -n "$pkg" ] || { echo "linux-guest: apt knows no linux-image-amd64 (no Debian archive?)" >&2; exit 1; }
	echo "$pkg" >"$deb/kernel-package"
fi
kpkg=$(cat "$deb/kernel-package")
kdeb=$(fetch "$kpkg")
bdeb=$(fetch busybox-static)

if [ ! -f "$out/vmlinuz" ] || [ "$kdeb" -nt "$out/vmlinuz" ]; then
	rm -rf "$out/kx" && mkdir -p "$out/kx"
	dpkg-deb --fsys-tarfile "$kdeb" | tar -x -C "$out/kx" --wildcards './boot/vmlinuz-*'
	cp "$out"/kx/boot/vmlinuz-* "$out/vmlinuz"
	rm -rf "$out/kx"
	head -c 4194304 "$out/vmlinuz" >"$out/vmlinuz-cut"	# a truncated copy (bad-input tests)
fi
if [ ! -f "$out/vmlinux" ] || [ "$out/vmlinuz" -nt "$out/vmlinux" ] ||
   [ scripts/extract-vmlinux.py -nt "$out/vmlinux" ]; then
	python3 scripts/extract-vmlinux.py --trim "$out/vmlinuz" "$out/vmlinux"
	head -c 4194304 "$out/vmlinux" >"$out/vmlinux-cut"
fi
if [ ! -f "$out/busybox" ] || [ "$bdeb" -nt "$out/busybox" ]; then
	dpkg-deb --fsys-tarfile "$bdeb" | tar -x -O ./bin/busybox >"$out/busybox"
	chmod 755 "$out/busybox"
fi
if [ ! -f "$out/memcheck" ] || [ tests/linux/memcheck.c -nt "$out/memcheck" ]; then
	gcc -static -O2 -Wall -Wextra -Werror -o "$out/memcheck" tests/linux/memcheck.c
fi
if [ ! -f "$out/initrd.img" ] || [ tests/linux/init -nt "$out/initrd.img" ] ||
   [ "$out/busybox" -nt "$out/initrd.img" ] || [ "$out/memcheck" -nt "$out/initrd.img" ] ||
   [ scripts/mkinitramfs.py -nt "$out/initrd.img" ]; then
	python3 scripts/mkinitramfs.py "$out/initrd.img" \
		dir bin 755 dir dev 755 dir proc 755 dir sys 755 dir tmp 1777 dir etc 755 \
		nod dev/console 600 5 1 nod dev/null 666 1 3 \
		file init 755 tests/linux/init \
		file bin/busybox 755 "$out/busybox" \
		file bin/memcheck 755 "$out/memcheck"
fi
echo "linux-guest: $out/vmlinuz and $out/vmlinux ($kpkg), $out/initrd.img ($(du -k "$out/initrd.img" | cut -f1) KiB)"
