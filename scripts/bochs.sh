#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bochs.sh - boot an ISO under Bochs, headless (see ../shared EMULATORS.md facts
# recorded in docs/EMULATORS.md).
#
#   bochs.sh ISO SERIAL_LOG [CPU_MODEL] [MEGS]
#
# CPU_MODEL: corei7_skylake_x (Intel VMX + EPT, the default) or ryzen (AMD SVM).
# The serial port goes to SERIAL_LOG (or, with BOCHS_SERIAL="mode=socket-server,
# dev=127.0.0.1:PORT", to a TCP port svctl connects to); Bochs's own log to SERIAL_LOG.bochs.
# The run ends when the hypervisor executes the magic breakpoint (test mode):
# the debugger rc file then says quit, and Bochs exits 0.
set -eu
iso=$(readlink -f "$1")
log=$(readlink -f "$(dirname "$2")")/$(basename "$2")
model=${3:-corei7_skylake_x}
megs=${4:-512}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/bochsrc" <<RC
config_interface: textconfig
display_library: rfb, options="timeout=0"
megs: $megs
cpu: model=$model, count=1, ips=100000000, reset_on_triple_fault=0, ignore_bad_msrs=0
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=cdrom, path=$iso, status=inserted
boot: cdrom
clock: sync=none, time0=local
com1: enabled=1, ${BOCHS_SERIAL:-mode=file, dev=$log}
port_e9_hack: enabled=1
speaker: enabled=0
sound: driver=dummy
log: $log.bochs
panic: action=fatal
error: action=report
info: action=report
debug: action=ignore
magic_break: enabled=1
RC
printf 'c\nquit\n' >"$dir/dbg.rc"
cd "$dir"
exec bochs-bin -q -f "$dir/bochsrc" -rc "$dir/dbg.rc" </dev/null >"$log.stdout" 2>&1
