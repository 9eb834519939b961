# Out of memory: the hypervisor keeps all but 6 MiB from the guests. A VM
# that wants more waits for frames (paused, not crashed); when every VM waits
# and none is free, the biggest is stopped with a report and the others go on.
# Every frame comes back at the end.
EMULATORS="qemu bochs bochs-amd"
CMDLINE="test_reserve=6"
MODULES=(
	"build/guests/hello.elf vm=small mem=2M"
	"build/guests/fill.elf vm=big mem=16M"
)
RESULT=FAIL
TIMEOUT=60
EXPECT=(
	'^frames after the VMs: .* guest 0, pattern 0, content 0'
	'^test_reserve: [0-9]+ frames held back, 1536 left for guests'
	"^warning: vm [0-9]+ 'big': paused, no free memory for gpa"
	"^vm [0-9]+ 'big': stopped by the hypervisor: out of memory: every VM was waiting for a free frame"
	"^vm [0-9]+ 'small': PASS, code 0"
	)
EXPECT_NOT=('^EXCEPTION' '^PANIC')
