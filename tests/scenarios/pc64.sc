# A 64-bit Multiboot kernel (ELF64, entered in 32-bit mode) that starts as
# the 64-bit test kernels of other hypervisors' suites do: GS_BASE in
# 32-bit mode, long mode, APIC_BASE and the LAPIC's ID and version, the CPU
# count from its environment module (a for= module) against the MADT,
# SYSCALL/SYSRET at CPL 0 and through CPL 3, XSAVE, RDTSCP with TSC_AUX,
# self-IPIs (xAPIC and x2APIC), and a vector held back by CR8 taken right
# after the MOV that lowers CR8 (the TPR threshold on VMX). Two of them run
# side by side with a page-checking neighbour.
EMULATORS="qemu qemu-xsave bochs bochs-amd"
CMDLINE=""
MODULES=(
	"build/guests/pc64.elf vm=p1 mem=8M cmdline=\"cpus=1 need_env=1\""
	"tests/scenarios/data/env-pc64.txt for=p1"
	"build/guests/pc64.elf vm=p2 mem=8M cmdline=\"cpus=1 need_env=1\""
	"tests/scenarios/data/env-pc64.txt for=p2"
	"build/guests/share.elf vm=share mem=4M cmdline=\"seed=6 check=1\""
)
RESULT=PASS
TIMEOUT=120
EXPECT=(
	'^frames after the VMs: .* guest 0, pattern 0, content 0'
	'^\[p1\] test gs_base: ok'
	'^\[p1\] pc64: module .*NR_CPUS=1; MADT: 1 CPUs'
	'^\[p1\] test syscall_sysret: ok'
	'^\[p1\] test self_ipi_xapic: ok'
	'^\[p1\] pc64: CR8 15: 0 IPIs taken; after CR8 0: 1'
	"^vm [0-9]+ 'p1': PASS, code 0"
	"^vm [0-9]+ 'p2': PASS, code 0"
	"^vm [0-9]+ 'share': PASS, code 0"
)
EXPECT_NOT=('^EXCEPTION' '^PANIC' 'FAILED' 'skip: no x2APIC')
if [ "$emu" != qemu ]; then
	EXPECT+=('^\[p1\] pc64: XCR0 [37], XSAVE area' '^\[p1\] pc64: RDTSCP aux 2a')
fi
