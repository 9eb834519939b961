# Several VMs share one CPU: RAM fill/verify (demand-populated), timer interrupts, hello.
EMULATORS="qemu bochs bochs-amd"
CMDLINE=""
MODULES=(
	"build/guests/hello.elf vm=hello cmdline=\"greeting=hi\""
	"build/guests/fill.elf vm=fill mem=8M cmdline=\"seed=7\""
	"build/guests/timer.elf vm=timer"
)
RESULT=PASS
TIMEOUT=90
EXPECT=(
	'^frames after the VMs: .* guest 0, pattern 0, content 0'
	"^vm [0-9]+ 'hello': 32 MiB RAM"
	'^\[hello\] guest hello: PASS'
	'^\[fill\] guest fill: PASS'
	'^\[timer\] guest timer: PASS'
	"^vm [0-9]+ 'hello': PASS, code 0"
	"^vm [0-9]+ 'fill': PASS, code 0 .* npf [0-9]+.* [0-9]+ pages populated"
	"^vm [0-9]+ 'timer': PASS, code 0 .* hlt [0-9]+.*; [1-9][0-9]* interrupts injected"
)
