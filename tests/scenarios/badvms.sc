# Bad guest images and bad options: a clear message each, that VM is not
# started, and the good VM still runs. A module that starts no VM is a
# failure, so the verdict is FAIL; the good VM's own line says PASS.
EMULATORS="qemu"
CMDLINE=""
MODULES=(
	"tests/scenarios/data/module.txt vm=text"
	"build/guests/hello.elf vm=badmem mem=lots"
	"build/guests/hello.elf vm=tiny mem=1M"
	"build/guests/hello.elf vm=good"
	"build/guests/hello.elf vm=good"
	"build/guests/hello.elf vm=bad/name"
	"build/guests/hello.elf vm=opt colour=blue"
)
RESULT=FAIL
EXPECT=(
	"^ERROR: vm text: .*[Mm]ultiboot.*; VM not started"
	"^ERROR: module 1: .*mem.*; VM not started"
	"^ERROR: module 2: .*mem.*; VM not started"
	"^ERROR: module 4: a VM named 'good' exists already; VM not started"
	"^ERROR: module 5: .*vm.*; VM not started"
	"^ERROR: module 6: .*colour.*; VM not started"
	"^vm [0-9]+ 'good': PASS, code 0"
	'^verdict: 7 modules: 1 started a VM, 6 did not; VMs: 1 exited with code 0, 0 failed, 0 destroyed'
	'^ERROR: 6 of 7 modules did not start a VM'
)
