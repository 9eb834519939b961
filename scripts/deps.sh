#!/bin/sh
# SPDX-License-Identifier: MIT
# deps.sh - install the Debian/Ubuntu packages sharevisor needs, when missing.
#
# Idempotent and fast when everything is present (one dpkg-query call).
# Exits non-zero with a clear message when it cannot install.
set -eu

# A|B: either package will do (names differ between Debian and Ubuntu releases);
# the first one apt knows is installed when neither is.
PKGS="gcc libc6-dev binutils make grub-pc-bin grub-common xorriso mtools \
qemu-system-x86 bochs bochsbios vgabios libcmocka-dev libpcre2-dev \
clang libclang-rt-dev|libclang-rt-14-dev|libclang-rt-18-dev python3 gnuplot-nox libcapstone-dev tmux"

installed() {
	case "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" in
	*"install ok installed"*) return 0 ;;
	*) return 1 ;;
	esac
}

missing=""
for spec in $PKGS; do
	found=""
	for p in $(echo "$spec" | tr '|' ' '); do
		installed "$p" && found=1 && break
	done
	[ -n "$found" ] || missing="$missing $spec"
done

[ -z "$missing" ] && exit 0

echo "deps: missing packages:$missing"
if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: error: apt-get not found; install these packages by hand:$missing" >&2
	exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		SUDO="sudo -n"
	else
		echo "deps: error: not root and no password-less sudo; run as root:" >&2
		echo "  apt-get install -y$missing" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || { echo "deps: error: apt-get update failed" >&2; exit 1; }
# Resolve each A|B to the first name this system's apt knows.
resolved=""
for spec in $missing; do
	pick=""
	for p in $(echo "$spec" | tr '|' ' '); do
		if apt-cache show "$p" >/dev/null 2>&1; then pick=$p; break; fi
	done
	resolved="$resolved ${pick:-${spec%%|*}}"
done
missing=$resolved
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
	{ echo "deps: error: apt-get install failed for:$missing" >&2; exit 1; }
echo "deps: installed:$missing"
