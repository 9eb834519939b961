/* SPDX-License-Identifier: MIT */
/*
 * pvh.h - load an uncompressed kernel ELF (a Linux vmlinux) through its PVH
 * entry: Xen's x86 HVM direct boot ABI (Xen's docs/misc/pvh.pandoc, the
 * structures of xen/include/public/arch-x86/hvm/start_info.h), which Linux
 * implements in arch/x86/platform/pvh/ (CONFIG_PVH). No decompressor and no
 * firmware run before the kernel. Plain C over struct guest_mem like
 * linux.c, so host unit tests run it over a buffer.
 *
 * Accepted: an ELF32 (EM_386) or ELF64 (EM_X86_64) executable whose PT_LOAD
 * segments pass elf_plan() (loader.h: in the file, in guest RAM, not
 * overlapping) and which has an ELF note named "Xen" of type
 * XEN_ELFNOTE_PHYS32_ENTRY (18) in a PT_NOTE segment (or, without any, an
 * SHT_NOTE section). The note's descriptor is the 32-bit physical entry:
 * 4 bytes, or 8 with the upper half zero (Linux emits it with _ASM_PTR); the
 * entry must be one of the loaded file bytes. Segments go to p_paddr,
 * p_filesz bytes copied, the rest of p_memsz zeroed. The initrd is module 0,
 * page-aligned as high as guest RAM allows, above the kernel's end.
 *
 * Guest-physical layout below 640 KiB: linux.h's low pages, which no
 * segment may overlap ([PVH_LOW_START, PVH_LOW_END)):
 *   LINUX_GDT_GPA       the loader's GDT, as for a bzImage
 *   PVH_START_INFO_GPA  struct hvm_start_info; at +PVH_MODLIST_OFF the module
 *                       list, at +PVH_MEMMAP_OFF the memory map (linux.c's
 *                       e820 map: guest RAM, the BIOS area reserved), at
 *                       +PVH_MODSTR_OFF module 0's string (if it has one)
 *   PVH_CMDLINE_GPA     the command line, NUL-terminated
 * Linux copies the start info and the memory map into its own data before
 * it uses any memory (xen_prepare_pvh), and keeps the first 1 MiB reserved.
 *
 * Entry (pvh.pandoc; Linux's arch/x86/platform/pvh/head.S): 32-bit
 * protected mode, paging off, CS a flat 4 GiB execute/read segment and DS =
 * ES = SS flat read/write ones (the loader's GDT, linux_flat32_state()),
 * CR4 = 0, EFER = 0, interrupts off, EBX = PVH_START_INFO_GPA, EIP = the
 * note's entry. The kernel loads its own GDT, stack and page tables.
 */
#ifndef SV_KERNEL_PVH_H
#define SV_KERNEL_PVH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/linux.h"
#include "kernel/loader.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18		/* Xen's public/elfnote.h */
#define XEN_HVM_START_MAGIC_VALUE 0x336ec578u	/* start_info.h */
#define PVH_START_INFO_VERSION	1		/* 1: the memory map fields are valid */

#define PVH_START_INFO_GPA	LINUX_ZERO_PAGE_GPA	/* 0x7000: where a bzImage's zero page goes */
#define PVH_CMDLINE_GPA		LINUX_CMDLINE_GPA	/* 0x8000 */
#define PVH_MODLIST_OFF		0x40
#define PVH_MEMMAP_OFF		0x80
#define PVH_MODSTR_OFF		0xd00			/* after LINUX_E820_MAX map entries */
#define PVH_MODSTR_MAX		(0x1000 - PVH_MODSTR_OFF - 1)
#define PVH_LOW_START		LINUX_GDT_GPA		/* [0x6000, 0x9000): GDT, start info, cmdline */
#define PVH_LOW_END		(PVH_CMDLINE_GPA + 0x1000)
/* Linux's x86 COMMAND_LINE_SIZE is 2048 with the NUL (arch/x86/include/asm/setup.h). */
#define PVH_CMDLINE_MAX		2047

/* struct hvm_start_info (start_info.h), what EBX points at. */
struct hvm_start_info {
	uint32_t magic;			/* XEN_HVM_START_MAGIC_VALUE */
	uint32_t version;		/* PVH_START_INFO_VERSION */
	uint32_t flags;			/* SIF_* (Xen-only: privileged, initial domain): 0 */
	uint32_t nr_modules;		/* entries at modlist_paddr */
	uint64_t modlist_paddr;		/* struct hvm_modlist_entry[nr_modules]; Linux's initrd is module 0 */
	uint64_t cmdline_paddr;		/* NUL-terminated command line; 0 = none */
	uint64_t rsdp_paddr;		/* the ACPI RSDP; 0 = the kernel scans the BIOS area */
	uint64_t memmap_paddr;		/* struct hvm_memmap_table_entry[memmap_entries] (version 1) */
	uint32_t memmap_entries;	/* 0 makes Linux ask Xen for the map, BUG() when not on Xen */
	uint32_t reserved;
};

/* struct hvm_modlist_entry (start_info.h). */
struct hvm_modlist_entry {
	uint64_t paddr;			/* the module's first byte */
	uint64_t size;			/* its bytes */
	uint64_t cmdline_paddr;		/* its NUL-terminated string; 0 = none */
	uint64_t reserved;
};

/* struct hvm_memmap_table_entry (start_info.h): an e820 entry, 8-byte aligned. */
struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;			/* as e820: 1 RAM, 2 reserved */
	uint32_t reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "start_info.h: 56 bytes");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "start_info.h: 32 bytes");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "start_info.h: 24 bytes");
_Static_assert(PVH_MEMMAP_OFF + LINUX_E820_MAX * sizeof(struct hvm_memmap_table_entry) <=
	       PVH_MODSTR_OFF, "the memory map fits below module 0's string");

/* What a load did, for the VM core and for reports. */
struct pvh_boot {
	uint32_t entry;			/* the note's physical entry */
	enum mb1_format format;		/* MB1_FMT_ELF32 or MB1_FMT_ELF64 */
	uint64_t kernel_start, kernel_end;	/* the segments' lowest gpa and highest + 1 */
	uint64_t kernel_bytes;		/* file bytes copied */
	unsigned int nseg;
	uint64_t initrd_addr, initrd_size;	/* 0, 0: no initrd */
	unsigned int memmap_entries;
};

/* pvh_has_note - @image is an ELF file with a readable PVH entry note (then it is loaded through PVH). */
bool pvh_has_note(const void *image, size_t size);

/*
 * pvh_load - load ELF @image (@size bytes) into @gm through its PVH entry
 * with command line @cmdline (NULL = "") and, when @initrd is not NULL,
 * that initrd as module 0; @rsdp is the gpa of the ACPI RSDP (0: none).
 * Fills @boot. Returns 0; -SV_ENOEXEC for a malformed or truncated image, no
 * PVH note or a bad one, or a segment over the boot information; -SV_ENOMEM
 * when the kernel or the initrd does not fit in guest RAM; -SV_EINVAL for
 * bad arguments or a command line longer than PVH_CMDLINE_MAX; or the error
 * of a failing write()/zero(). @err gets a one-line message starting
 * "pvh: ". Nothing is written to the guest unless every check passed.
 */
int pvh_load(const struct guest_mem *gm, const void *image, size_t size, const char *cmdline,
	     const struct mb1_module *initrd, uint64_t rsdp, struct pvh_boot *boot, char *err,
	     size_t errlen);

struct vcpu_boot_state;

/* pvh_boot_state - the PVH entry state (above) for what pvh_load() loaded. */
void pvh_boot_state(const struct pvh_boot *b, struct vcpu_boot_state *s);

#endif
