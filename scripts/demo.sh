#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# demo.sh - boot the default scenario unattended and record its sharing.
#
#   demo.sh ISO [OUTDIR]      (make demo: build/sharevisor.iso, build/demo)
#
# QEMU (SVM+NPT, TCG) runs with the serial line on OUTDIR/console.sock;
# scripts/svctl records `stats json` every DEMO_EVERY (2s) until "saved" stays
# unchanged for DEMO_STABLE (5) samples or DEMO_MAX (120) seconds, prints the
# final `stats` and `vms` tables (also OUTDIR/final.txt), draws OUTDIR/plot.png
# (its gnuplot script, data inline, in OUTDIR/plot.gp), destroys every VM and stops QEMU. The guests' console lines ([name] text) seen
# while recording are in OUTDIR/serial.log.
set -eu
iso=$1 out=${2:-build/demo}
every=${DEMO_EVERY:-2s} stable=${DEMO_STABLE:-5} max=${DEMO_MAX:-120}
svctl=$(dirname "$0")/svctl
sock=$out/console.sock
rm -rf "$out"
mkdir -p "$out"
qemu-system-x86_64 -M pc -accel tcg -cpu qemu64,+svm,+npt -m "${QEMU_MEM:-512}" -display none \
	-serial "unix:$sock,server=on,wait=off" -monitor none -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -cdrom "$iso" >"$out/qemu.log" 2>&1 &
qemu=$!
trap 'kill $qemu 2>/dev/null || true' EXIT INT TERM
export SVCTL_CONN=$sock
echo "demo: QEMU pid $qemu, console $sock;" \
	"recording every $every (until $stable equal samples, at most ${max}s)"
"$svctl" --wait 30 -t 30 record --every "$every" --until-stable "$stable" --max "$max" \
	--guests "$out/serial.log" "$out/stats.jsonl"
{
	echo "sharevisor> stats"
	"$svctl" stats
	echo "sharevisor> vms"
	"$svctl" vms
} | tee "$out/final.txt"
"$svctl" plot "$out/stats.jsonl" "$out/plot.png" --script "$out/plot.gp"
for vm in $("$svctl" vms | awk 'NR > 1 { print $2 }'); do
	"$svctl" vm destroy "$vm"
done
kill $qemu 2>/dev/null || true
wait $qemu 2>/dev/null || true
trap - EXIT INT TERM
echo "demo: wrote $out/stats.jsonl, $out/final.txt, $out/plot.png, $out/plot.gp"
