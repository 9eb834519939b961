# A guest that starts in real mode (entry=real) and waits for the timer as a
# BIOS leaves it (PIT channel 0 at 18.2 Hz, the 8259 at vectors 0x08/0x70):
# its own IVT entry for vector 8 must see five ticks. An image that cannot
# run in real mode is refused with a clear line.
EMULATORS="qemu bochs bochs-amd"
CMDLINE=""
MODULES=(
	"build/guests/real16.bin vm=real16 mem=4M entry=real"
	"build/guests/hello.elf vm=notreal mem=4M entry=real"
)
RESULT=FAIL
TIMEOUT=60
EXPECT=(
	'^frames after the VMs: .* guest 0, pattern 0, content 0'
	'^\[real16\] guest real16: start'
	'^\[real16\] guest real16: PASS \(5 ticks\)'
	"^vm [0-9]+ 'real16': PASS, code 0 .*interrupts injected"
	'vm notreal: entry=real: the image at 0x100000 .* is not a real-mode image'
)
EXPECT_NOT=('^EXCEPTION' '^PANIC')
