# hostile-stop on Bochs's AMD model, without what may triple-fault (a guest
# triple fault ends that Bochs model itself): outside-RAM accesses, INS/OUTS
# and a hardware task switch.
EMULATORS="bochs-amd"
CMDLINE="scan_rate=256"
MODULES=(
	"build/guests/share.elf vm=share mem=4M cmdline=\"seed=3 check=1\""
	"build/guests/fill.elf vm=fill mem=4M"
	"build/guests/hostile.elf vm=mem-1 mem=4M cmdline=\"seed=1 mode=mem steps=20\""
	"build/guests/hostile.elf vm=mem-2 mem=4M cmdline=\"seed=2 mode=mem steps=20\""
	"build/guests/hostile.elf vm=mem-3 mem=4M cmdline=\"seed=3 mode=mem steps=20\""
	"build/guests/hostile.elf vm=strio-1 mem=4M cmdline=\"seed=1 mode=strio steps=20\""
	"build/guests/hostile.elf vm=strio-2 mem=4M cmdline=\"seed=2 mode=strio steps=20\""
	"build/guests/hostile.elf vm=task-1 mem=4M cmdline=\"seed=1 mode=task steps=1\""
)
RESULT=PASS
TIMEOUT=120
EXPECT=(
	"^vm [0-9]+ 'share': PASS, code 0"
	"^vm [0-9]+ 'fill': PASS, code 0"
	"^vm [0-9]+ 'mem-1': PASS, code 0 .*hole (reads|writes)"
	"^vm [0-9]+ 'mem-2': PASS, code 0 .*hole (reads|writes)"
	"^vm [0-9]+ 'mem-3': PASS, code 0 .*hole (reads|writes)"
	"^vm [0-9]+ 'strio-1': PASS, code 0"
	"^vm [0-9]+ 'strio-2': PASS, code 0"
	"^vm [0-9]+ 'task-1': PASS, code 0"
)
EXPECT_NOT=('^EXCEPTION' '^PANIC')
