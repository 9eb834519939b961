# Misbehaving guests are stopped with a report (or get the fault real hardware
# gives); the well-behaved VMs beside them still pass.
EMULATORS="qemu bochs"
CMDLINE=""
MODULES=(
	"build/guests/wild.elf vm=wild"
	"build/guests/hello.elf vm=hello"
	"build/guests/triple.elf vm=triple"
	"build/guests/triple.elf vm=stack cmdline=\"how=stack\""
	"build/guests/priv.elf vm=priv"
	"build/guests/priv.elf vm=priv2"
	"build/guests/fill.elf vm=fill mem=4M"
)
RESULT=FAIL
TIMEOUT=90
EXPECT=(
	'^frames after the VMs: .* guest 0, pattern 0, content 0'
	'^\[wild\] wild: read ff, after writing 5a read ff'
	"^vm [0-9]+ 'wild': PASS, code 0 .*; 4 hole reads, 2 hole writes"
	"^vm [0-9]+ 'triple': stopped by the hypervisor: triple fault"
	'^\[priv\] test cpuid_hidden: ok'
	'^\[priv\] test cr4_vmxe: ok'
	'^\[priv\] guest priv: PASS'
	"^vm [0-9]+ 'hello': PASS, code 0"
	"^vm [0-9]+ 'priv': PASS, code 0 .* invd 1"
	'^\[priv\] test invd: ok'
	'^\[priv\] test dr_kept: ok'
	'^\[priv\] test dr_arch: ok'
	'^\[priv\] test single_step: ok'
	'^\[priv\] test pat: ok'
	'^\[priv2\] test dr_kept: ok'
	"^vm [0-9]+ 'priv2': PASS, code 0"
	"^vm [0-9]+ 'fill': PASS, code 0"
	"^vm [0-9]+ 'triple': FAIL, code -1"
	"^vm [0-9]+ 'stack': stopped by the hypervisor: event delivery: write access to gpa 0xc0000ff[0-9a-f] outside guest RAM"
)
EXPECT_NOT=('^EXCEPTION' '^PANIC' 'wild: every access returned' 'wild.*FAIL')
