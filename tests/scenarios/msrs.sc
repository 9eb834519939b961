# The MSR table: two VMs keep their own FS/GS/KERNEL_GS_BASE, SYSCALL and
# SYSENTER MSRs while they take turns on the CPU (direct access where the
# hardware switches them, a lazy switch on VMX where it does not), GS_BASE
# can be written from 32-bit code, a TSC write moves RDTSC and TSC_ADJUST
# (and the other way round), the MTRRs are checked as the SDM says, the vendor's
# MSRs answer on the vendor's CPU, and an MSR not offered gives #GP and a
# log line naming it.
EMULATORS="qemu bochs bochs-amd"
CMDLINE=""
MODULES=(
	"build/guests/msrs.elf vm=m1 mem=4M"
	"build/guests/msrs.elf vm=m2 mem=4M"
)
RESULT=PASS
TIMEOUT=90
EXPECT=(
	'^frames after the VMs: .* guest 0, pattern 0, content 0'
	'^\[m1\] msrs: vm 1 kept 10 of 10 MSRs'
	'^\[m2\] msrs: vm 2 kept 10 of 10 MSRs'
	'^\[m1\] test tsc_aux: ok'
	'^\[m2\] test tsc_aux: ok'
	'^\[m1\] test tsc_adjust: ok'
	'^\[m2\] test tsc_adjust: ok'
	'^\[m1\] test mtrr: ok'
	'^\[m2\] test mtrr: ok'
	"^vm [0-9]+ 'm1': #GP for RDMSR of MSR 0x345 \(not offered\)"
	"^vm [0-9]+ 'm1': PASS, code 0"
	"^vm [0-9]+ 'm2': PASS, code 0"
)
EXPECT_NOT=('^EXCEPTION' '^PANIC' 'FAILED')
