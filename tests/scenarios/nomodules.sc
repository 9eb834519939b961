# No guest module at all: nothing was tested, so the run ends FAIL.
EMULATORS="qemu"
CMDLINE=""
MODULES=()
RESULT=FAIL
EXPECT=(
	'^modules: 0'
	'^verdict: 0 modules: 0 started a VM, 0 did not'
	'^ERROR: no VM was started: no guest modules were given'
)
EXPECT_NOT=('^EXCEPTION' '^PANIC')
