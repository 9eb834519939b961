# Multiboot modules for guests: lines with for=NAME are modules of that VM's
# kernel, in line order, with their cmdline= as the module's string; a
# for= naming no VM is an error line, and a VM whose modules do not fit in
# its RAM is not started (the others run).
EMULATORS="qemu bochs"
CMDLINE=""
MODULES=(
	"build/guests/hello.elf vm=h1 cmdline=\"mods=2 modword=sharevisor-module-env\""
	"tests/scenarios/data/env.txt for=h1 cmdline=mod0"
	"build/guests/hello.elf vm=h0"
	"tests/scenarios/data/env.txt for=h1 cmdline=mod1"
	"tests/scenarios/data/env.txt for=ghost"
	"build/guests/hello.elf vm=tiny mem=2M"
	"build/sharevisor.elf for=tiny"
	"build/sharevisor.elf for=tiny"
)
RESULT=FAIL
TIMEOUT=60
EXPECT=(
	'^frames after the VMs: .* guest 0, pattern 0, content 0'
	"^vm [0-9]+ 'h1': 2 modules at "
	'^\[h1\] module 0: [0-9a-f]+-[0-9a-f]+ .mod0.'
	'^\[h1\] module 1: [0-9a-f]+-[0-9a-f]+ .mod1.'
	'^\[h1\] test modules: ok'
	'^\[h0\] modules: 0'
	"^vm [0-9]+ 'h1': PASS, code 0"
	"^vm [0-9]+ 'h0': PASS, code 0"
	'module 4: for=ghost: no VM of that name was started; module not used'
	'vm tiny: module [0-9]+ \([0-9]+ bytes\) does not fit in guest RAM above the kernel'
	"^vm [0-9]+ 'h1': 32 MiB RAM"
	'^\[h1\] test cmdline: ok'
)
EXPECT_NOT=('^EXCEPTION' '^PANIC' 'FAILED' "^vm [0-9]+ 'tiny': ")
