# Reset and power-off, as a PC does them: a guest that resets through 0xcf9
# or the 8042 is started afresh from its module (keeping its CMOS RAM, where
# it counts its boots) and passes on its third boot; with on_reboot=stop the
# first reset stops it with code 0; ACPI S5 (PM1a control, the FADT's port)
# powers it off with code 0.
EMULATORS="qemu bochs"
CMDLINE=""
MODULES=(
	"build/guests/reboot.elf vm=cf9 mem=4M cmdline=\"via=cf9\""
	"build/guests/reboot.elf vm=kbd mem=4M cmdline=\"via=kbd\""
	"build/guests/reboot.elf vm=stopper mem=4M on_reboot=stop cmdline=\"via=cf9\""
	"build/guests/reboot.elf vm=off mem=4M cmdline=\"via=acpi\""
)
RESULT=PASS
TIMEOUT=60
EXPECT=(
	'^frames after the VMs: .* guest 0, pattern 0, content 0'
	'^\[cf9\] reboot: boot 2'
	'^\[kbd\] reboot: boot 2'
	"^vm [0-9]+ 'cf9': restarted \(2 so far\)"
	"^vm [0-9]+ 'kbd': restarted \(2 so far\)"
	"^vm [0-9]+ 'stopper': exited with code 0 \(reset through port 0xcf9 \(on_reboot=stop\)\)"
	"^vm [0-9]+ 'off': exited with code 0 \(powered off \(ACPI S5\)\)"
	"^vm [0-9]+ 'cf9': PASS, code 0"
	"^vm [0-9]+ 'kbd': PASS, code 0"
)
EXPECT_NOT=('^EXCEPTION' '^PANIC' 'FAILED' 'still running' '\[stopper\] reboot: boot 1' '\[off\] reboot: boot 1')
