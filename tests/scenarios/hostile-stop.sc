# The hostile guest's VM-ending actions, each its own VM: loads and stores
# outside RAM (3 GiB, the PC hole, IOAPIC, LAPIC, past the end of RAM,
# 64 GiB - 1 by PAE) and INS/OUTS (now handled: all ones where nothing is,
# the emulator for string I/O, so those VMs must pass), deliberate triple faults (empty IDT, garbage
# IDT under an injected #GP, paging with garbage tables, an unpushable
# fault), a hardware task switch (done by the hypervisor: it must pass),
# random bytes in ring 0. Each VM either
# finishes (the action was handled as hardware would) or is stopped with a
# one-line reason; the neighbours must pass. No bochs-amd: a guest triple
# fault ends Bochs's AMD model itself (tests/guests/README.md); see
# hostile-stop-amd for the rest there.
EMULATORS="qemu bochs"
CMDLINE="scan_rate=256"
MODULES=(
	"build/guests/share.elf vm=share mem=4M cmdline=\"seed=3 check=1\""
	"build/guests/fill.elf vm=fill mem=4M"
	"build/guests/hostile.elf vm=mem-1 mem=4M cmdline=\"seed=1 mode=mem steps=20\""
	"build/guests/hostile.elf vm=mem-2 mem=4M cmdline=\"seed=2 mode=mem steps=20\""
	"build/guests/hostile.elf vm=mem-3 mem=4M cmdline=\"seed=3 mode=mem steps=20\""
	"build/guests/hostile.elf vm=strio-1 mem=4M cmdline=\"seed=1 mode=strio steps=20\""
	"build/guests/hostile.elf vm=strio-2 mem=4M cmdline=\"seed=2 mode=strio steps=20\""
	"build/guests/hostile.elf vm=triple-1 mem=4M cmdline=\"seed=1 mode=triple steps=1\""
	"build/guests/hostile.elf vm=triple-2 mem=4M cmdline=\"seed=2 mode=triple steps=1\""
	"build/guests/hostile.elf vm=triple-3 mem=4M cmdline=\"seed=3 mode=triple steps=1\""
	"build/guests/hostile.elf vm=triple-4 mem=4M cmdline=\"seed=4 mode=triple steps=1\""
	"build/guests/hostile.elf vm=task-1 mem=4M cmdline=\"seed=1 mode=task steps=1\""
	"build/guests/hostile.elf vm=insn0-1 mem=4M cmdline=\"seed=1 mode=insn0 steps=100\""
	"build/guests/hostile.elf vm=insn0-2 mem=4M cmdline=\"seed=2 mode=insn0 steps=100\""
)
RESULT=FAIL
TIMEOUT=120
EXPECT=(
	'^sharevisor: test end: FAIL'
	"^vm [0-9]+ 'share': PASS, code 0"
	"^vm [0-9]+ 'fill': PASS, code 0"
	"^vm [0-9]+ 'mem-1': PASS, code 0 .*hole (reads|writes)"
	"^vm [0-9]+ 'mem-2': PASS, code 0 .*hole (reads|writes)"
	"^vm [0-9]+ 'mem-3': PASS, code 0 .*hole (reads|writes)"
	"^vm [0-9]+ 'strio-1': PASS, code 0"
	"^vm [0-9]+ 'strio-2': PASS, code 0"
	"^vm [0-9]+ 'triple-1': (PASS, code 0 |FAIL, code -1 \\(triple fault)"
	"^vm [0-9]+ 'triple-2': (PASS, code 0 |FAIL, code -1 \\(triple fault)"
	"^vm [0-9]+ 'triple-3': (PASS, code 0 |FAIL, code -1 \\(triple fault)"
	"^vm [0-9]+ 'triple-4': (PASS, code 0 |FAIL, code -1 \\(triple fault)"
	"^vm [0-9]+ 'task-1': PASS, code 0"
	"^vm [0-9]+ 'insn0-1': (PASS, code 0 |FAIL, code -1 \\([a-z])"
	"^vm [0-9]+ 'insn0-2': (PASS, code 0 |FAIL, code -1 \\([a-z])"
)
EXPECT_NOT=('^EXCEPTION' '^PANIC')
