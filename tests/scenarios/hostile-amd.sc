# hostile.sc on Bochs's AMD model (ryzen), with v86=0: the first virtual-8086
# step of a guest ends that Bochs model itself (">>PANIC<< VM is set in long
# mode !"), most likely a Bochs SVM-model limit (QEMU SVM and Bochs VMX run the same).
# crx: random control- and debug-register writes; this model has AltMovCr8, so
# a LOCK MOV CR0 exits as a CR8 write (it must give #UD, not stop the VM).
EMULATORS="bochs-amd"
CMDLINE="scan_rate=256"
MODULES=(
	"build/guests/share.elf vm=share mem=4M cmdline=\"seed=3 check=1\""
	"build/guests/fill.elf vm=fill mem=4M"
	"build/guests/hostile.elf vm=insn-1 mem=4M cmdline=\"seed=1 mode=insn steps=100 v86=0\""
	"build/guests/hostile.elf vm=io-1 mem=4M cmdline=\"seed=1 mode=io steps=100\""
	"build/guests/hostile.elf vm=msr-1 mem=4M cmdline=\"seed=1 mode=msr steps=100\""
	"build/guests/hostile.elf vm=int-1 mem=4M cmdline=\"seed=1 mode=int steps=100\""
	"build/guests/hostile.elf vm=desc-1 mem=4M cmdline=\"seed=1 mode=desc steps=100\""
	"build/guests/hostile.elf vm=virt-1 mem=4M cmdline=\"seed=1 mode=virt steps=100\""
	"build/guests/hostile.elf vm=hcall-1 mem=4M cmdline=\"seed=1 mode=hcall steps=100\""
	"build/guests/hostile.elf vm=storm-1 mem=4M cmdline=\"seed=1 mode=storm steps=100\""
	"build/guests/hostile.elf vm=crx-1 mem=4M cmdline=\"seed=1 mode=crx steps=100\""
	"build/guests/hostile.elf vm=io-2 mem=4M cmdline=\"seed=2 mode=io steps=100\""
	"build/guests/hostile.elf vm=desc-2 mem=4M cmdline=\"seed=2 mode=desc steps=100\""
	"build/guests/hostile.elf vm=int-2 mem=4M cmdline=\"seed=2 mode=int steps=100\""
	"build/guests/hostile.elf vm=crx-2 mem=4M cmdline=\"seed=2 mode=crx steps=100\""
	"build/guests/hostile.elf vm=storm-2 mem=4M cmdline=\"seed=2 mode=storm steps=100\""
)
RESULT=PASS
TIMEOUT=120
EXPECT=(
	'^frames after the VMs: .* guest 0, pattern 0, content 0'
	"^vm [0-9]+ 'share': PASS, code 0"
	"^vm [0-9]+ 'fill': PASS, code 0"
	"^\[insn-1\] hostile: mode=insn seed=1 steps=[0-9]+ .* done"
	"^vm [0-9]+ 'insn-1': PASS, code 0"
	"^\[io-1\] hostile: mode=io seed=1 steps=[0-9]+ .* done"
	"^vm [0-9]+ 'io-1': PASS, code 0"
	"^\[msr-1\] hostile: mode=msr seed=1 steps=[0-9]+ .* done"
	"^vm [0-9]+ 'msr-1': PASS, code 0"
	"^\[int-1\] hostile: mode=int seed=1 steps=[0-9]+ .* done"
	"^vm [0-9]+ 'int-1': PASS, code 0"
	"^\[desc-1\] hostile: mode=desc seed=1 steps=[0-9]+ .* done"
	"^vm [0-9]+ 'desc-1': PASS, code 0"
	"^\[virt-1\] hostile: mode=virt seed=1 steps=[0-9]+ .* done"
	"^vm [0-9]+ 'virt-1': PASS, code 0"
	"^\[hcall-1\] hostile: mode=hcall seed=1 steps=[0-9]+ .* done"
	"^vm [0-9]+ 'hcall-1': PASS, code 0"
	"^\[storm-1\] hostile: mode=storm seed=1 steps=[0-9]+ .* done"
	"^vm [0-9]+ 'storm-1': PASS, code 0"
	"^\[crx-1\] hostile: mode=crx seed=1 steps=[0-9]+ .* done"
	"^vm [0-9]+ 'crx-1': PASS, code 0"
	"^\[io-2\] hostile: mode=io seed=2 steps=[0-9]+ .* done"
	"^vm [0-9]+ 'io-2': PASS, code 0"
	"^\[desc-2\] hostile: mode=desc seed=2 steps=[0-9]+ .* done"
	"^vm [0-9]+ 'desc-2': PASS, code 0"
	"^\[int-2\] hostile: mode=int seed=2 steps=[0-9]+ .* done"
	"^vm [0-9]+ 'int-2': PASS, code 0"
	"^\[crx-2\] hostile: mode=crx seed=2 steps=[0-9]+ .* done"
	"^vm [0-9]+ 'crx-2': PASS, code 0"
	"^\[storm-2\] hostile: mode=storm seed=2 steps=[0-9]+ .* done"
	"^vm [0-9]+ 'storm-2': PASS, code 0"
)
EXPECT_NOT=('^EXCEPTION' '^PANIC' 'stopped by the hypervisor' 'hostile: storm .* bad=[1-9]')
