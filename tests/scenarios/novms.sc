# A run in which no VM starts ends FAIL, not PASS: the only module's vm= name
# is over 15 characters (the loader says so), so nothing was tested.
EMULATORS="qemu"
CMDLINE=""
MODULES=("build/guests/hello.elf vm=a-name-of-twenty-eight-chars")
RESULT=FAIL
EXPECT=(
	"^ERROR: module 0: vm: 'a-name-of-twenty-eight-c\.\.\.' is 28 characters long, at most 15; VM not started"
	'^all VMs have stopped'
	'^verdict: 1 modules: 0 started a VM, 1 did not; VMs: 0 exited with code 0, 0 failed, 0 destroyed'
	'^ERROR: no VM was started: none of the 1 modules loaded'
)
EXPECT_NOT=('^\[' '^EXCEPTION' '^PANIC')
