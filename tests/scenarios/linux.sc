# Unmodified Linux guests: Debian's own kernel (scripts/linux-guest.sh fetches
# it and busybox-static, and builds the initramfs) booted as a bzImage with
# its initrd as a for= module and the command line console=ttyS0 plus the
# memory checker's options. Four of 256 MiB side by side on QEMU (SVM+NPT)
# (linux-vmx.sc: one on Bochs, VMX+EPT): each reaches user space, fills 64 MiB with zero,
# pattern, shared (the same in every VM) and random pages, waits for two full
# scans, finds its zero and pattern pages merged and the other VMs' copies of
# its shared pages too, verifies every byte, rewrites in place (COW breaks),
# verifies again and powers off through ACPI; every frame comes back.
EMULATORS="${LINUX_EMULATORS:-qemu}"
CMDLINE=""
MEM=${LINUX_MEM:-1536}
MODULES=()
n=${LINUX_VMS:-4}
peers=$((n - 1))
for i in $(seq 1 "$n"); do
	MODULES+=("build/linux/vmlinuz vm=lx$i mem=256M cmdline=\"console=ttyS0 memcheck=64 seed=$i shared=7 nap=120 peers=$peers end=poweroff\""
		  "build/linux/initrd.img for=lx$i")
done
RESULT=PASS
TIMEOUT=300
EXPECT=(
	'^frames after the VMs: .* guest 0, pattern 0, content 0'
	"^vm [0-9]+ 'lx1': .*Linux bzImage \(boot protocol 2\.[0-9]+, 64-bit\)"
	'^\[lx1\] sharevisor-linux: user space, kernel [0-9]'
	'^\[lx1\] memcheck: merged after [0-9]+ full scans: .*: ok'
	'^\[lx1\] memcheck: 16384 pages verified twice: 0 bad bytes after the wait, 0 after the rewrite: PASS'
	"^vm [0-9]+ 'lx1': PASS, code 0 \(powered off \(ACPI S5\)\)"
)
for i in $(seq 2 "$n"); do
	EXPECT+=("^\[lx$i\] memcheck: 16384 pages verified twice: .*: PASS"
		 "^vm [0-9]+ 'lx$i': PASS, code 0 \(powered off \(ACPI S5\)\)")
done
# The TSC's frequency from the paravirtual clock (kernel/pvclock.h), time kept on the TSC:
# kvm-clock on QEMU's CPUs (no invariant TSC), tsc where the TSC is invariant; the local
# APIC timer as the clock-event device (lapic-deadline: TSC-deadline mode).
EXPECT+=('^\[lx1\] \[ *[0-9.]+\] tsc: Detected [0-9.]+ MHz processor'
	 '^\[lx1\] \[ *[0-9.]+\] Calibrating delay loop \(skipped\)'
	 '^\[lx1\] sharevisor-linux: clocksource (tsc|kvm-clock)'
	 '^\[lx1\] sharevisor-linux: clockevent lapic')
EXPECT_NOT=('^EXCEPTION' '^PANIC' 'Kernel panic' 'memcheck: .*FAIL' 'unchecked MSR access'
	    'Marking TSC unstable' 'calibration failed')
