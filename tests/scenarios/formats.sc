# The loader takes every Multiboot v1 form: ELF32, ELF64 with a Multiboot
# header, an ELF32 made with objcopy -O elf32-i386, and the a.out kludge.
EMULATORS="qemu bochs bochs-amd"
CMDLINE=""
MODULES=(
	"build/guests/hello.elf vm=elf32"
	"build/guests/hello64.elf vm=elf64"
	"build/guests/hello-objcopy.elf vm=objcopy"
	"build/guests/hello.bin vm=aout"
)
RESULT=PASS
EXPECT=(
	'^frames after the VMs: .* guest 0, pattern 0, content 0'
	"^vm [0-9]+ 'elf32': .* ELF32 image"
	"^vm [0-9]+ 'elf64': .* ELF64 image"
	"^vm [0-9]+ 'objcopy': .* ELF32 image"
	"^vm [0-9]+ 'aout': .* a.out-kludge image"
	"^vm [0-9]+ 'elf32': PASS, code 0"
	"^vm [0-9]+ 'elf64': PASS, code 0"
	"^vm [0-9]+ 'objcopy': PASS, code 0"
	"^vm [0-9]+ 'aout': PASS, code 0"
)
