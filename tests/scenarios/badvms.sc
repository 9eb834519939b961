# Bad guest images and bad options: a clear message each, that VM is not
# started, and the good VM still runs.
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
RESULT=PASS
EXPECT=(
	"^ERROR: vm text: .*[Mm]ultiboot.*; VM not started"
	"^ERROR: module 1: .*mem.*; VM not started"
	"^ERROR: module 2: .*mem.*; VM not started"
	"^ERROR: module 4: a VM named 'good' exists already; VM not started"
	"^ERROR: module 5: .*vm.*; VM not started"
	"^ERROR: module 6: .*colour.*; VM not started"
	"^vm [0-9]+ 'good': PASS, code 0"
)
