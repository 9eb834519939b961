# The instruction emulator at work: string port I/O and accesses to
# guest-physical space with nothing there (all ones, writes dropped), with
# the counts in the summary; a page-checking neighbour still passes.
EMULATORS="qemu bochs bochs-amd"
CMDLINE=""
MODULES=(
	"build/guests/emul.elf vm=emul mem=4M"
	"build/guests/fill.elf vm=fill mem=4M cmdline=\"seed=5\""
)
RESULT=PASS
TIMEOUT=60
EXPECT=(
	'^frames after the VMs: .* guest 0, pattern 0, content 0'
	'^\[emul\] emul: this line went out by rep outsb'
	'^\[emul\] test ins_float: ok'
	'^\[emul\] test holes: ok'
	'^\[emul\] test bios_rom: ok'
	"^vm [0-9]+ 'emul': PASS, code 0 .* hole reads, [0-9]+ hole writes"
	"^vm [0-9]+ 'fill': PASS, code 0"
)
EXPECT_NOT=('^EXCEPTION' '^PANIC' 'FAILED')
