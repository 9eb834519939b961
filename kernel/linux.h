/* SPDX-License-Identifier: MIT */
/*
 * linux.h - load a Linux bzImage into a guest (the x86 boot protocol,
 * Linux's Documentation/arch/x86/boot.rst), plain C over struct guest_mem
 * like the Multiboot loader, so host unit tests run it over a buffer.
 *
 * Accepted: a bzImage of boot protocol 2.06 or later ("HdrS" at file
 * offset 0x202, boot_flag 0xAA55 at 0x1fe, LOADED_HIGH in loadflags). The
 * protected-mode kernel (the file from (setup_sects + 1) * 512 on, at least
 * syssize * 16 bytes of it: a shorter file is truncated) goes to
 * its load address: pref_address when the kernel is relocatable (protocol
 * 2.10+) and that address is kernel_alignment-aligned and fits, else the
 * lowest kernel_alignment-aligned address from 1 MiB up; a non-relocatable
 * kernel goes to 1 MiB. [load, load + init_size) must lie in guest RAM
 * (init_size: protocol 2.10+; older kernels are given four times the
 * protected-mode size). The initrd goes as high as initrd_addr_max and
 * RAM allow, page-aligned, above the kernel's init_size.
 *
 * Guest-physical layout below 640 KiB (all in low RAM, none of it used by
 * the kernel before it has read it):
 *   LINUX_GDT_GPA      the loader's GDT: 0x10 flat code, 0x18 flat data
 *   LINUX_ZERO_PAGE_GPA struct boot_params: the file's setup header, then
 *                      type_of_loader 0xff, cmd_line_ptr, ramdisk_image and
 *                      ramdisk_size, code32_start = the load address, the
 *                      e820 map (guest RAM, the BIOS area 0xe0000-0xfffff
 *                      reserved) and, for protocol 2.14+, acpi_rsdp_addr
 *   LINUX_CMDLINE_GPA  the command line, NUL-terminated
 *
 * Entry: the 32-bit protocol (protected mode, paging off, CS = 0x10, DS =
 * ES = SS = 0x18 in the loader's GDT, ESI = the zero page, EBX = EBP = EDI
 * = 0, EIP = the load address). Every bzImage has it, 32- and 64-bit
 * kernels alike, it needs no page tables of ours in guest memory, and the
 * kernel's own start-up code builds the long-mode tables it wants.
 */
#ifndef SV_KERNEL_LINUX_H
#define SV_KERNEL_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/loader.h"

#define LINUX_GDT_GPA		0x6000ull
#define LINUX_ZERO_PAGE_GPA	0x7000ull
#define LINUX_CMDLINE_GPA	0x8000ull
#define LINUX_CMDLINE_MAX	4095		/* bytes without the NUL: [0x8000, 0x9000) */
#define LINUX_E820_MAX		128		/* entries boot_params has room for */
#define LINUX_GDT_ENTRIES	4
#define LINUX_GDT_CS		0x10		/* flat 4 GiB code, execute/read */
#define LINUX_GDT_DS		0x18		/* flat 4 GiB data, read/write */
#define LINUX_MIN_VERSION	0x0206

/* Zero-page / setup-header offsets (boot.rst, zero-page.rst). */
#define LINUX_BP_ACPI_RSDP	0x070
#define LINUX_BP_ALT_MEM_K	0x1e0
#define LINUX_BP_E820_ENTRIES	0x1e8
#define LINUX_HDR_START		0x1f1		/* setup_sects */
#define LINUX_HDR_SYSSIZE	0x1f4		/* protected-mode code, 16-byte units (2.04+) */
#define LINUX_HDR_BOOT_FLAG	0x1fe
#define LINUX_HDR_JUMP		0x200		/* 0xeb, then the header's length - 2 at 0x201 */
#define LINUX_HDR_MAGIC		0x202		/* "HdrS" */
#define LINUX_HDR_VERSION	0x206
#define LINUX_HDR_TYPE_OF_LOADER 0x210
#define LINUX_HDR_LOADFLAGS	0x211
#define LINUX_HDR_CODE32_START	0x214
#define LINUX_HDR_RAMDISK_IMAGE	0x218
#define LINUX_HDR_RAMDISK_SIZE	0x21c
#define LINUX_HDR_CMD_LINE_PTR	0x228
#define LINUX_HDR_INITRD_MAX	0x22c
#define LINUX_HDR_ALIGNMENT	0x230
#define LINUX_HDR_RELOCATABLE	0x234
#define LINUX_HDR_XLOADFLAGS	0x236
#define LINUX_HDR_CMDLINE_SIZE	0x238
#define LINUX_HDR_PREF_ADDRESS	0x258
#define LINUX_HDR_INIT_SIZE	0x260
#define LINUX_BP_E820_TABLE	0x2d0
#define LINUX_LOADED_HIGH	0x01		/* loadflags bit 0 */

/* An e820 entry as boot_params holds it (20 bytes). */
struct linux_e820 {
	uint64_t addr;
	uint64_t size;
	uint32_t type;			/* 1 RAM, 2 reserved */
} __attribute__((packed));

/* What a load did, for the VM core and for reports. */
struct linux_boot {
	uint16_t version;		/* boot protocol, e.g. 0x020f */
	uint64_t load_addr;		/* the protected-mode kernel's gpa = the 32-bit entry */
	uint64_t init_size;		/* bytes from load_addr the kernel may use while it starts */
	uint64_t kernel_bytes;		/* protected-mode kernel bytes copied */
	uint64_t initrd_addr, initrd_size;	/* 0, 0: no initrd */
	unsigned int e820_entries;
	bool relocatable;
	bool kernel64;			/* xloadflags XLF_KERNEL_64: a 64-bit kernel */
};

/* linux_is_bzimage - @image has the boot protocol's "HdrS" at 0x202 (then it is loaded as Linux). */
bool linux_is_bzimage(const void *image, size_t size);

/*
 * linux_load - load bzImage @image (@size bytes) into @gm with command line
 * @cmdline (NULL = "") and, when @initrd is not NULL, that initrd; @rsdp is
 * the gpa of the ACPI RSDP for boot_params (0: none, Linux scans the BIOS
 * area). Fills @boot. Returns 0; -SV_ENOEXEC for a malformed image or a
 * protocol too old; -SV_ENOMEM when the kernel or the initrd does not fit
 * in guest RAM; -SV_EINVAL for bad arguments or a command line longer than
 * the kernel accepts; or the error of a failing write()/zero(). @err gets
 * a one-line message. Nothing is written to the guest unless every check
 * passed.
 */
int linux_load(const struct guest_mem *gm, const void *image, size_t size, const char *cmdline,
	       const struct mb1_module *initrd, uint64_t rsdp, struct linux_boot *boot, char *err,
	       size_t errlen);

struct vcpu_boot_state;

/* linux_boot_state - the 32-bit protocol's entry state for what linux_load() loaded. */
void linux_boot_state(const struct linux_boot *b, struct vcpu_boot_state *s);

/*
 * What the PVH loader (kernel/pvh.c) shares with this one: the memory map,
 * the loader's GDT (written at LINUX_GDT_GPA) and the flat 32-bit state on it.
 */

/*
 * linux_e820_map - the guest's memory map into @e (room for LINUX_E820_MAX):
 * RAM as guest_ram_ranges() says, the BIOS area 0xe0000-0xfffff reserved, in
 * ascending order. Returns the number of entries.
 */
unsigned linux_e820_map(uint64_t ram_bytes, struct linux_e820 *e);

/* The loader's GDT: 0 null, 0x08 unused, LINUX_GDT_CS, LINUX_GDT_DS. */
extern const uint64_t linux_gdt[LINUX_GDT_ENTRIES];

/*
 * linux_flat32_state - 32-bit protected mode, paging off, interrupts off,
 * CR4 = EFER = 0, CS = LINUX_GDT_CS and DS = ES = SS = FS = GS = LINUX_GDT_DS
 * of the loader's GDT (GDTR = LINUX_GDT_GPA), EIP = @eip, other registers 0.
 */
void linux_flat32_state(struct vcpu_boot_state *s, uint32_t eip);

#endif
