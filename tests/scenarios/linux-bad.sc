# Linux guests with bad input get one clear line and only that VM is not
# started: a truncated bzImage, a VM too small for the kernel, two initrds;
# through PVH, a truncated vmlinux, a VM too small for it, and an ELF kernel
# with neither a PVH note nor a Multiboot header (the hypervisor's own, which
# is Multiboot2).
# A kernel without an initrd still starts: it panics for want of a root file
# system, visibly; with panic=-1 and on_reboot=stop its reset stops the VM,
# without panic= (Linux then spins for ever) Linux's panic trailer does.
# Modules that start no VM are a failure, so the verdict is FAIL.
EMULATORS="qemu"
CMDLINE=""
MODULES=(
	"build/linux/vmlinuz-cut vm=cut mem=128M cmdline=\"console=ttyS0\""
	"build/linux/vmlinuz vm=tiny mem=32M cmdline=\"console=ttyS0\""
	"build/linux/vmlinuz vm=two mem=128M cmdline=\"console=ttyS0\""
	"build/linux/initrd.img for=two"
	"build/linux/initrd.img for=two"
	"build/linux/vmlinuz vm=noinit mem=128M on_reboot=stop cmdline=\"console=ttyS0 panic=-1\""
	"build/linux/vmlinuz vm=spin mem=128M cmdline=\"console=ttyS0\""
	"build/linux/vmlinux-cut vm=pcut mem=128M cmdline=\"console=ttyS0\""
	"build/linux/vmlinux vm=ptiny mem=64M cmdline=\"console=ttyS0\""
	"build/sharevisor.elf vm=nonote mem=32M"
)
RESULT=FAIL
TIMEOUT=200
EXPECT=(
	'^frames after the VMs: .* guest 0, pattern 0, content 0'
	'^ERROR: vm cut: linux: truncated bzImage: 4194304 bytes, the header says [0-9]+; VM not started'
	"^ERROR: vm tiny: linux: the kernel needs [0-9]+ KiB from 0x[0-9a-f]+, more than the VM's 32 MiB of RAM; VM not started"
	'^ERROR: vm two: a Linux guest takes one module, its initrd \(2 have for=two\); VM not started'
	'^ERROR: module [34]: for=two: no VM of that name was started; module not used'
	"^vm [0-9]+ 'noinit': no initrd \(no for=noinit module\)"
	'^\[noinit\] \[ *[0-9.]+\] Kernel panic - not syncing: VFS: Unable to mount root fs'
	"^vm [0-9]+ 'noinit': exited with code 0 \(reset through port 0xcf9 \(on_reboot=stop\)\)"
	"^vm [0-9]+ 'spin': stopped by the hypervisor: Linux panicked: VFS: Unable to mount root fs on unknown-block\(0,0\)"
	'^ERROR: vm pcut: pvh: ELF64: segment 0: truncated image \(0x[0-9a-f]+ bytes at 0x[0-9a-f]+, file has 0x400000\); VM not started'
	'^ERROR: vm ptiny: pvh: segment [0-9]+ \[0x[0-9a-f]+, 0x[0-9a-f]+\) is outside guest RAM \(RAM top 0x4000000\); VM not started'
	'^ERROR: vm nonote: pvh: no PVH entry note \(ELF note "Xen" type 18, XEN_ELFNOTE_PHYS32_ENTRY\); no Multiboot header either; VM not started'
	'^verdict: 10 modules: 2 started a VM, 8 did not; VMs: 1 exited with code 0, 1 failed, 0 destroyed'
)
EXPECT_NOT=('^EXCEPTION' '^PANIC')
