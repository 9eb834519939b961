# The exception report path: test_fault=nx must print a full report and stop.
EMULATORS="qemu bochs"
CMDLINE="test_fault=nx"
RESULT=PANIC
EXPECT=(
	'^EXCEPTION vector 14 '
	'^  RIP [0-9a-f]{16} CS 0008'
	'CR2 [0-9a-f]{16}'
	'^  RAX [0-9a-f]{16} RBX'
	'^  backtrace: 0x[0-9a-f]+ 0x[0-9a-f]+'
)
EXPECT_NOT=('^boot complete')
