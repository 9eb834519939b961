# The Linux guests of linux.sc, two of them, booted through the PVH entry
# instead: build/linux/vmlinux (the same Debian kernel uncompressed, the ELF
# with its XEN_ELFNOTE_PHYS32_ENTRY note; scripts/linux-guest.sh) with the
# initrd as PVH module 0, the memory map, the command line and the RSDP in
# struct hvm_start_info. No decompressor runs. Each reaches user space,
# passes the memory checker with the other VM's shared pages merged too, and
# powers off through ACPI.
LINUX_VMS=${LINUX_VMS:-2} LINUX_MEM=${LINUX_MEM:-1024}
# shellcheck disable=SC1091
source tests/scenarios/linux.sc
MODULES=("${MODULES[@]/#build\/linux\/vmlinuz /build/linux/vmlinux }")
pvh_line="^vm [0-9]+ 'lx1': .*Linux vmlinux \(PVH entry 0x[0-9a-f]+, ELF64\)"
EXPECT=("${EXPECT[@]/*Linux bzImage*/$pvh_line}")
EXPECT+=("^vm [0-9]+ 'lx1': initrd of [0-9]+ KiB at 0x[0-9a-f]+ \\(PVH module 0\\)"
	 '^\[lx1\] \[ *[0-9.]+\] BIOS-e820: \[mem 0x0000000000100000-0x000000000fffffff\] usable')
