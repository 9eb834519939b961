/* SPDX-License-Identifier: MIT */
/*
 * multiboot2.h - the boot information GRUB hands over (Multiboot2 spec 2.0, ch. 3.6).
 *
 * mb2_parse() validates every tag before trusting it and copies what the
 * hypervisor needs into a struct boot_info. Strings still point into the
 * boot information, which stays reserved for the hypervisor's lifetime.
 */
#ifndef SV_KERNEL_MULTIBOOT2_H
#define SV_KERNEL_MULTIBOOT2_H

#include <stddef.h>
#include <stdint.h>

#define MB2_BOOTLOADER_MAGIC 0x36d76289u

#define BOOT_MAX_MMAP	 128
#define BOOT_MAX_MODULES 32

/* Memory map entry types (Multiboot2 spec 3.6.8). */
enum {
	MB2_MEM_AVAILABLE = 1,
	MB2_MEM_RESERVED = 2,
	MB2_MEM_ACPI_RECLAIMABLE = 3,
	MB2_MEM_NVS = 4,
	MB2_MEM_BADRAM = 5,
};

struct boot_mmap_entry {
	uint64_t base;
	uint64_t len;
	uint32_t type;
};

struct boot_module {
	uint64_t start;		/* physical, [start, end) */
	uint64_t end;
	const char *cmdline;	/* the text after the module path on the module2 line, path included */
};

struct boot_info {
	const char *cmdline;	/* never NULL: "" when GRUB gave none */
	const char *loader;	/* boot loader name, or "" */
	struct boot_mmap_entry mmap[BOOT_MAX_MMAP];
	size_t n_mmap;
	struct boot_module mods[BOOT_MAX_MODULES];
	size_t n_mods;
	uint64_t info_start;	/* the boot information itself, physical [start, end) */
	uint64_t info_end;
};

/*
 * mb2_parse - validate and decode the Multiboot2 information at @info
 * (physical address @info_pa, reachable at @info). Returns 0, or -SV_EINVAL
 * with a one-line reason in @err when the information is absent or malformed.
 */
int mb2_parse(const void *info, uint64_t info_pa, struct boot_info *out,
	      char *err, size_t errlen);

/* mb2_mem_type_name - a short name for a memory map entry type. */
const char *mb2_mem_type_name(uint32_t type);

#endif
