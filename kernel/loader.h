/* SPDX-License-Identifier: MIT */
/*
 * loader.h - load a Multiboot v1 kernel into a guest and build its boot info.
 *
 * The loader is plain C over a two-call guest memory interface (struct
 * guest_mem), so the same code runs in the hypervisor (over p2m) and in host
 * unit tests (over a buffer). Images are untrusted bytes: every field is
 * checked, nothing is written to the guest before the whole image has been
 * validated, and every rejection comes with a one-line message.
 *
 * Guest-physical layout (like a PC; QEMU's convention for -m):
 *
 *   0          .. 0x9ffff        low RAM (640 KiB)                 mmap type 1
 *   0xa0000    .. 0xfffff        hole: VGA + ROM area, not RAM     mmap type 2
 *   0x100000   .. ram_bytes - 1  high RAM                          mmap type 1
 *   ram_bytes  .. 4 GiB          nothing (device MMIO lives at the top)
 *
 * So ram_bytes is the top of guest RAM, not its size: the hole's 384 KiB are
 * not backed, and a VM with mem=64M has 64M - 384K of RAM. ram_bytes must be
 * a multiple of 4 KiB in [GUEST_RAM_MIN, GUEST_RAM_MAX]; the maximum keeps
 * [3 GiB, 4 GiB) free for the LAPIC/IOAPIC and other MMIO and all RAM
 * reachable by a 32-bit kernel with paging off. guest_ram_ranges() is the one
 * definition; the p2m set-up uses it too.
 *
 * Accepted images (Multiboot 0.6.96 section 3.1; what GRUB and QEMU -kernel
 * take): a Multiboot header (magic 0x1BADB002, 4-byte aligned, wholly in the
 * first 8 KiB, magic + flags + checksum == 0), and then
 *   - flags bit 16 (a.out kludge): the header's load/bss/entry addresses are
 *     used, whatever the file format (it takes precedence over ELF);
 *   - else ELF32 (EM_386, ET_EXEC) or ELF64 (EM_X86_64, ET_EXEC): PT_LOAD
 *     segments go to p_paddr, p_filesz bytes copied and the rest of p_memsz
 *     zeroed; e_entry is translated from virtual to physical through the
 *     segment containing it (as GRUB does), and must lie below 4 GiB.
 * Header flags: bit 0 (page-align modules) is always met (modules start on a page),
 * bit 1 (memory info) is always provided, bit 2 (video mode) is ignored with a
 * note in mb1_boot.note; any other bit in 0..15 is a required feature we lack
 * and rejects the image. Bits 17..31 are ignored.
 *
 * Boot state (for the VM core to set): 32-bit protected mode, paging off,
 * flat 4 GiB code/data segments, EIP = mb1_boot.eip, EAX = 0x2BADB002,
 * EBX = mb1_boot.ebx (the info structure's guest-physical address).
 */
#ifndef SV_KERNEL_LOADER_H
#define SV_KERNEL_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Guest-physical layout (see above). */
#define GUEST_LOW_RAM_END	0xa0000ull	/* end of low RAM = start of the hole */
#define GUEST_HIGH_RAM_START	0x100000ull	/* end of the hole */
#define GUEST_RAM_MIN		(2ull << 20)
#define GUEST_RAM_MAX		(3ull << 30)
#define GUEST_RAM_RANGES	2		/* entries guest_ram_ranges() fills */

/* Multiboot v1 constants (spec 0.6.96). */
#define MB1_HEADER_MAGIC	0x1badb002u
#define MB1_BOOT_MAGIC		0x2badb002u	/* EAX at entry */
#define MB1_SEARCH_BYTES	8192		/* the header lies within these */
#define MB1_MAX_SEGMENTS	16		/* PT_LOAD segments we accept */
#define MB1_MAX_PHDRS		128		/* program headers we look at */
#define MB1_CMDLINE_MAX		4096		/* bytes, without the NUL */
#define MB1_ERR_MAX		128		/* a good size for the error buffer */
#define MB1_MAX_MODS		16		/* modules per guest */

/* Header flags (Multiboot header "flags"). */
#define MB1_HF_PAGE_ALIGN	(1u << 0)
#define MB1_HF_MEMINFO		(1u << 1)
#define MB1_HF_VIDEO		(1u << 2)
#define MB1_HF_AOUT_KLUDGE	(1u << 16)

/* Info flags (struct mb1_info.flags) the loader sets. */
#define MB1_INFO_MEM		(1u << 0)
#define MB1_INFO_CMDLINE	(1u << 2)
#define MB1_INFO_MODS		(1u << 3)
#define MB1_INFO_MMAP		(1u << 6)
#define MB1_INFO_LOADER_NAME	(1u << 9)

#define MB1_LOADER_NAME		"sharevisor"

/* The Multiboot information structure, as the guest sees it (offsets 0..87). */
struct mb1_info {
	uint32_t flags;
	uint32_t mem_lower;		/* KiB of RAM from 0 (640) */
	uint32_t mem_upper;		/* KiB of RAM from 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;		/* gpa of a NUL-terminated string */
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;		/* bytes of mmap entries */
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;	/* gpa of "sharevisor" */
	uint32_t apm_table;
	uint32_t vbe_control_info;
	uint32_t vbe_mode_info;
	uint16_t vbe_mode;
	uint16_t vbe_interface_seg;
	uint16_t vbe_interface_off;
	uint16_t vbe_interface_len;
} __attribute__((packed));

/* One module entry of the information structure (mods_addr points at the first). */
struct mb1_mod_entry {
	uint32_t mod_start;		/* gpa, page-aligned */
	uint32_t mod_end;		/* gpa of the byte after it */
	uint32_t string;		/* gpa of its NUL-terminated string */
	uint32_t reserved;
} __attribute__((packed));

/* A module to hand to the guest: bytes from the host, and its string. */
struct mb1_module {
	const void *data;
	size_t size;
	const char *string;		/* NULL = "" */
};

/* One memory map entry; "size" (20) does not count itself. */
struct mb1_mmap_entry {
	uint32_t size;
	uint64_t base;
	uint64_t len;
	uint32_t type;			/* MB1_MEM_* */
} __attribute__((packed));

#define MB1_MEM_RAM		1
#define MB1_MEM_RESERVED	2

/*
 * struct guest_mem - how the loader reaches guest RAM. write() copies @n
 * bytes to guest-physical @gpa, zero() clears them; both return 0, or a
 * negative SV_E* (e.g. -SV_EFAULT) if any byte is outside guest RAM.
 */
struct guest_mem {
	void *ctx;
	uint64_t ram_bytes;		/* top of guest RAM, see the layout */
	int (*write)(void *ctx, uint64_t gpa, const void *src, size_t n);
	int (*zero)(void *ctx, uint64_t gpa, size_t n);
};

/* A guest-physical range [start, end). */
struct guest_range {
	uint64_t start;
	uint64_t end;
};

enum mb1_format {
	MB1_FMT_NONE = 0,
	MB1_FMT_ELF32,
	MB1_FMT_ELF64,
	MB1_FMT_AOUT,			/* the a.out kludge (header flag 16) */
};

/* The result of a load: the entry registers, and what was placed where. */
struct mb1_boot {
	uint32_t eip;			/* entry point (guest-physical) */
	uint32_t eax;			/* MB1_BOOT_MAGIC */
	uint32_t ebx;			/* gpa of struct mb1_info */
	enum mb1_format format;
	uint32_t header_flags;		/* the image's Multiboot header flags */
	uint32_t header_offset;		/* file offset of the header */
	uint64_t image_start;		/* lowest loaded gpa (incl. bss) */
	uint64_t image_end;		/* highest loaded gpa + 1 */
	uint32_t info_start;		/* [info_start, info_end): info, mmap, strings */
	uint32_t info_end;
	unsigned int nmods;		/* modules placed */
	uint64_t mods_start;		/* [mods_start, mods_end): the modules, one after another */
	uint64_t mods_end;
	char note[96];			/* a debug note ("" if none), e.g. ignored video mode */
};

/*
 * guest_ram_ranges - the guest-physical RAM of a VM whose RAM top is
 * @ram_bytes: fills @out[0] (low RAM) and @out[1] (high RAM). Returns the
 * number of ranges (GUEST_RAM_RANGES), or -SV_EINVAL if @ram_bytes is not a
 * multiple of 4 KiB in [GUEST_RAM_MIN, GUEST_RAM_MAX].
 */
int guest_ram_ranges(uint64_t ram_bytes, struct guest_range out[GUEST_RAM_RANGES]);

/* guest_range_is_ram - true if [gpa, gpa + n) lies within one RAM range (n > 0). */
bool guest_range_is_ram(uint64_t ram_bytes, uint64_t gpa, uint64_t n);

/*
 * mb1_load - load the Multiboot v1 kernel @image (@size bytes) into @gm and
 * build its Multiboot information with command line @cmdline (NULL = "").
 * Fills @boot. Returns 0; -SV_ENOEXEC for a malformed or unsupported image;
 * -SV_ENOMEM if it does not fit in guest RAM (or leaves no room for the
 * info); -SV_EINVAL for bad arguments (RAM size, cmdline too long); or the
 * error of a failing write()/zero(). A one-line message is written to @err
 * (NUL-terminated when @errlen > 0; may be NULL). Nothing is written to the
 * guest unless the image passed every check.
 */
int mb1_load(const struct guest_mem *gm, const void *image, size_t size,
	     const char *cmdline, struct mb1_boot *boot, char *err, size_t errlen);

/*
 * mb1_load_mods - mb1_load, with the @nmods modules @mods (at most
 * MB1_MAX_MODS) placed page-aligned in high RAM above the kernel, in order,
 * and listed in the information (mods_count, mods_addr, each with its
 * string). -SV_ENOMEM with a message naming the module if one does not fit.
 */
int mb1_load_mods(const struct guest_mem *gm, const void *image, size_t size, const char *cmdline,
		  const struct mb1_module *mods, unsigned int nmods, struct mb1_boot *boot,
		  char *err, size_t errlen);

/* mb1_has_header - true if @image has a valid Multiboot v1 header where the spec wants it. */
bool mb1_has_header(const void *image, size_t size);

/*
 * The ELF part of the loader, for other boot protocols over ELF executables
 * (kernel/pvh.c): the checks and segment rules are the ones above.
 */

/* One PT_LOAD segment: file bytes [off, off + filesz) to gpa, then zeros up to memsz. */
struct elf_segment {
	uint64_t gpa;
	uint64_t off;
	uint64_t filesz;
	uint64_t memsz;
};

/* An ELF executable's loadable image, as elf_plan() checked it. */
struct elf_image {
	struct elf_segment seg[MB1_MAX_SEGMENTS];
	unsigned int nseg;
	uint64_t entry;			/* e_entry, made physical through its segment */
	uint64_t start, end;		/* lowest gpa, highest gpa + 1 (bss included) */
	enum mb1_format format;		/* MB1_FMT_ELF32 or MB1_FMT_ELF64 */
};

/*
 * elf_plan - check ELF32 (EM_386) or ELF64 (EM_X86_64) executable @image
 * (@size bytes) for loading into @gm: the header, every PT_LOAD segment
 * within the file, in one guest RAM range and overlapping no other. Fills
 * @ei; writes nothing. Returns 0, -SV_ENOEXEC (malformed or truncated),
 * -SV_ENOMEM (a segment outside guest RAM) or -SV_EINVAL, with @err set.
 */
int elf_plan(const struct guest_mem *gm, const void *image, size_t size, struct elf_image *ei,
	     char *err, size_t errlen);

/* elf_has_byte - true if guest byte @gpa is one of the file bytes of a segment of @ei. */
bool elf_has_byte(const struct elf_image *ei, uint64_t gpa);

/* elf_write - copy the segments of @ei (from elf_plan() on @image) into @gm, zeroing each bss; 0 or the write error. */
int elf_write(const struct guest_mem *gm, const void *image, size_t size,
	      const struct elf_image *ei, char *err, size_t errlen);

/*
 * elf_find_note - the first ELF note named @name (NUL included in its
 * namesz) of type @type in a PT_NOTE segment of @image or, when the image
 * has no PT_NOTE at all, in an SHT_NOTE section. Returns 1 with the file
 * offset and size of its descriptor in @desc_off/@desc_size; 0 if there is
 * none; -SV_ENOEXEC (with @err) when @image is no little-endian ELF or a
 * note table, area or note runs past the end of the file or of its area.
 */
int elf_find_note(const void *image, size_t size, const char *name, uint32_t type,
		  uint64_t *desc_off, uint64_t *desc_size, char *err, size_t errlen);

struct vcpu_boot_state;
/* mb1_boot_state - the vCPU state a Multiboot v1 kernel loaded as @b starts in (above). */
void mb1_boot_state(const struct mb1_boot *b, struct vcpu_boot_state *s);

/*
 * mb1_boot_state_real - the same kernel entered in real mode (entry=real):
 * CS = the lowest loaded address / 16, IP = the entry's offset from it,
 * EAX/EBX as in protected mode. Returns 0, or -SV_ENOEXEC (with @err) when
 * the image does not start 16-byte aligned below 1 MiB or the entry is not
 * within 64 KiB of its start.
 */
int mb1_boot_state_real(const struct mb1_boot *b, struct vcpu_boot_state *s, char *err,
			size_t errlen);

#endif
