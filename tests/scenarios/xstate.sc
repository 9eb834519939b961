# The x87/SSE/AVX state and XCR0 per vCPU: three xstate VMs load registers
# of their own (VM 2 with AVX state where offered, VMs 1 and 3 with XCR0 =
# x87|SSE), take turns on the CPU many times and find every byte still
# theirs; leaf 0xd follows XCR0 and XSETBV is checked. QEMU's qemu64 has no
# XSAVE (FXSAVE switches the state there, and XSETBV #UDs); qemu-xsave (-cpu max) has
# XSAVE and AVX; Bochs's Skylake and Ryzen models have both.
EMULATORS="qemu qemu-xsave bochs bochs-amd"
CMDLINE=""
MODULES=(
	"build/guests/xstate.elf vm=x1 mem=4M"
	"build/guests/xstate.elf vm=x2 mem=4M"
	"build/guests/xstate.elf vm=x3 mem=4M"
	"build/guests/share.elf vm=share mem=4M cmdline=\"seed=2 check=1\""
)
RESULT=PASS
TIMEOUT=90
EXPECT=(
	'^frames after the VMs: .* guest 0, pattern 0, content 0'
	"^vm [0-9]+ 'x1': PASS, code 0"
	"^vm [0-9]+ 'x2': PASS, code 0"
	"^vm [0-9]+ 'x3': PASS, code 0"
	"^vm [0-9]+ 'share': PASS, code 0"
)
EXPECT_NOT=('^EXCEPTION' '^PANIC' 'FAILED')
if [ "$emu" = qemu ]; then
	EXPECT+=('^\[x2\] xstate: vm 2 with FXSAVE, xcr0 0: 0 bytes changed')
else
	EXPECT+=('^\[x1\] xstate: vm 1 with XSAVE, xcr0 3: 0 bytes changed'
		 '^\[x2\] xstate: vm 2 with XSAVE, xcr0 7: 0 bytes changed'
		 '^\[x2\] test avx_needs_xcr0: ok')
fi
