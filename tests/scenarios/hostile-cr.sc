# The hostile guest's control-register modes: cr runs the known-bad sequence
# first (CR0.PE off and on, DR0-DR3 and DR7; then EFER.LME, CR4.PAE|PSE and
# CR0.PG with a 32-bit PSE page directory: long mode with the wrong tables,
# a triple fault on hardware), crx random CR0/CR3/CR4/CR8/EFER/XCR0/DR0-7
# writes. The hypervisor must stop the cr VM alone (or keep it running) and
# the neighbours must pass. QEMU needs the DR accesses intercepted (its VMRUN
# DR7 handling crashes it otherwise, docs/ARCHITECTURE.md).
EMULATORS="qemu bochs"
CMDLINE="scan_rate=256"
MODULES=(
	"build/guests/share.elf vm=share mem=4M cmdline=\"seed=3 check=1\""
	"build/guests/fill.elf vm=fill mem=4M"
	"build/guests/hostile.elf vm=cr-1 mem=4M cmdline=\"seed=1 mode=cr steps=100\""
	"build/guests/hostile.elf vm=crx-1 mem=4M cmdline=\"seed=1 mode=crx steps=150\""
	"build/guests/hostile.elf vm=crx-2 mem=4M cmdline=\"seed=2 mode=crx steps=150\""
	"build/guests/hostile.elf vm=crx-3 mem=4M cmdline=\"seed=3 mode=crx steps=150\""
)
RESULT=FAIL
TIMEOUT=120
EXPECT=(
	'^sharevisor: test end:'
	"^vm [0-9]+ 'share': PASS, code 0"
	"^vm [0-9]+ 'fill': PASS, code 0"
	'^\[cr-1\] hostile: cr known-bad part 1 done'
	"^vm [0-9]+ 'cr-1': (PASS, code 0 |FAIL, code -1 \\(triple fault)"
	"^vm [0-9]+ 'crx-1': PASS, code 0"
	"^vm [0-9]+ 'crx-2': PASS, code 0"
	"^vm [0-9]+ 'crx-3': PASS, code 0"
)
EXPECT_NOT=('^EXCEPTION' '^PANIC')
