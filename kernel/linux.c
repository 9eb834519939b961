// SPDX-License-Identifier: MIT
/*
 * linux.c - a Linux bzImage into guest RAM: check the setup header, plan
 * where the kernel and the initrd go, then write them, the zero page, the
 * command line and the loader's GDT (see linux.h). The image is untrusted:
 * fields are read byte by byte and all arithmetic is done in 64 bits.
 */
#include <string.h>

#include "kernel/errmsg.h"
#include "kernel/linux.h"
#include "kernel/vcpustate.h"
#include "mm/errno.h"

#define PAGE_4K		4096ull
#define MIB		(1ull << 20)
#define HDR_END_MAX	0x290		/* the setup header never reaches this far (zero-page.rst) */
#define XLF_KERNEL_64	0x01

static uint32_t rd(const uint8_t *p, size_t off, unsigned n)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint32_t)p[off + i] << (8 * i);
	return v;
}

static uint64_t rd64(const uint8_t *p, size_t off)
{
	return rd(p, off, 4) | (uint64_t)rd(p, off + 4, 4) << 32;
}

static void wr(uint8_t *p, size_t off, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[off + i] = (uint8_t)(v >> (8 * i));
}

bool linux_is_bzimage(const void *image, size_t size)
{
	return image && size >= LINUX_HDR_MAGIC + 4 &&
	       !memcmp((const uint8_t *)image + LINUX_HDR_MAGIC, "HdrS", 4);
}

/* fits - [addr, addr + len) lies in guest RAM above 1 MiB. */
static bool fits(const struct guest_mem *gm, uint64_t addr, uint64_t len)
{
	return addr >= GUEST_HIGH_RAM_START && len <= gm->ram_bytes && addr <= gm->ram_bytes - len;
}

/* 0 null, 0x08 unused, 0x10 flat code (execute/read), 0x18 flat data (read/write). */
const uint64_t linux_gdt[LINUX_GDT_ENTRIES] = { 0, 0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull };

unsigned linux_e820_map(uint64_t ram_bytes, struct linux_e820 *e)
{
	struct guest_range r[GUEST_RAM_RANGES];

	guest_ram_ranges(ram_bytes, r);
	e[0] = (struct linux_e820){ r[0].start, r[0].end - r[0].start, 1 };
	e[1] = (struct linux_e820){ 0xe0000, GUEST_HIGH_RAM_START - 0xe0000, 2 };
	e[2] = (struct linux_e820){ r[1].start, r[1].end - r[1].start, 1 };
	return 3;
}

int linux_load(const struct guest_mem *gm, const void *image, size_t size, const char *cmdline,
	       const struct mb1_module *initrd, uint64_t rsdp, struct linux_boot *boot, char *err,
	       size_t errlen)
{
	static uint8_t zp[PAGE_4K];	/* the zero page being built (one load at a time) */
	const uint8_t *img = image;
	struct linux_e820 map[LINUX_E820_MAX];
	uint64_t pm_off, align, load, need, top, rd_addr = 0, rd_size = 0;
	size_t hdr_end, cl_len;
	unsigned setup_sects, nmap;
	uint16_t version;
	int rc;

	if (!gm || !gm->write || !gm->zero || !boot || (!image && size))
		return errmsg(err, errlen, -SV_EINVAL, "linux: bad arguments");
	if (!cmdline)
		cmdline = "";
	memset(boot, 0, sizeof(*boot));
	if (!linux_is_bzimage(image, size) || size < 1024)
		return errmsg(err, errlen, -SV_ENOEXEC, "linux: not a bzImage (no \"HdrS\" at 0x202)");
	if (rd(img, LINUX_HDR_BOOT_FLAG, 2) != 0xaa55)
		return errmsg(err, errlen, -SV_ENOEXEC, "linux: bzImage without boot flag 0xaa55 at 0x1fe");
	version = (uint16_t)rd(img, LINUX_HDR_VERSION, 2);
	if (version < LINUX_MIN_VERSION)
		return errmsg(err, errlen, -SV_ENOEXEC,
			      "linux: boot protocol %u.%02u is too old (2.06 or later needed)",
			      version >> 8, version & 0xff);
	hdr_end = LINUX_HDR_JUMP + 2 + img[LINUX_HDR_JUMP + 1];
	if (hdr_end < LINUX_HDR_CMDLINE_SIZE + 4 || hdr_end > HDR_END_MAX)
		return errmsg(err, errlen, -SV_ENOEXEC,
			      "linux: setup header ends at %#zx (protocol %u.%02u wants %#x to %#x)",
			      hdr_end, version >> 8, version & 0xff, LINUX_HDR_CMDLINE_SIZE + 4,
			      HDR_END_MAX);
	if (version >= 0x020a && hdr_end < LINUX_HDR_INIT_SIZE + 4)
		return errmsg(err, errlen, -SV_ENOEXEC,
			      "linux: setup header too short (%#zx) for protocol %u.%02u", hdr_end,
			      version >> 8, version & 0xff);
	if (!(img[LINUX_HDR_LOADFLAGS] & LINUX_LOADED_HIGH))
		return errmsg(err, errlen, -SV_ENOEXEC,
			      "linux: a zImage (loaded low) is not supported: LOADED_HIGH is clear");
	setup_sects = img[LINUX_HDR_START] ? img[LINUX_HDR_START] : 4;
	pm_off = (uint64_t)(setup_sects + 1) * 512;
	if (pm_off >= size)
		return errmsg(err, errlen, -SV_ENOEXEC,
			      "linux: truncated bzImage: %zu bytes, the kernel starts at %llu", size,
			      (unsigned long long)pm_off);
	if ((uint64_t)rd(img, LINUX_HDR_SYSSIZE, 4) * 16 > size - pm_off)
		return errmsg(err, errlen, -SV_ENOEXEC,
			      "linux: truncated bzImage: %zu bytes, the header says %llu", size,
			      (unsigned long long)(pm_off + (uint64_t)rd(img, LINUX_HDR_SYSSIZE, 4) * 16));
	boot->version = version;
	boot->kernel_bytes = size - pm_off;
	boot->relocatable = version >= 0x020a && img[LINUX_HDR_RELOCATABLE];
	boot->kernel64 = version >= 0x020c && (rd(img, LINUX_HDR_XLOADFLAGS, 2) & XLF_KERNEL_64);
	need = version >= 0x020a ? rd(img, LINUX_HDR_INIT_SIZE, 4) : 4 * boot->kernel_bytes;
	if (need < boot->kernel_bytes)
		need = boot->kernel_bytes;
	boot->init_size = need;

	/* Where the kernel goes (linux.h). */
	load = GUEST_HIGH_RAM_START;
	if (boot->relocatable) {
		align = rd(img, LINUX_HDR_ALIGNMENT, 4);
		if (!align || (align & (align - 1)))
			return errmsg(err, errlen, -SV_ENOEXEC,
				      "linux: kernel_alignment %#llx is not a power of two",
				      (unsigned long long)align);
		load = rd64(img, LINUX_HDR_PREF_ADDRESS);
		if ((load & (align - 1)) || !fits(gm, load, need))
			load = (GUEST_HIGH_RAM_START + align - 1) & ~(align - 1);
	}
	if (!fits(gm, load, need))
		return errmsg(err, errlen, -SV_ENOMEM,
			      "linux: the kernel needs %llu KiB from %#llx, more than the VM's %llu MiB of RAM",
			      (unsigned long long)(need >> 10), (unsigned long long)load,
			      (unsigned long long)(gm->ram_bytes / MIB));
	boot->load_addr = load;

	/* The initrd: as high as allowed, above the kernel's working area. */
	if (initrd) {
		top = (uint64_t)rd(img, LINUX_HDR_INITRD_MAX, 4) + 1;
		if (top > gm->ram_bytes)
			top = gm->ram_bytes;
		rd_size = initrd->size;
		rd_addr = rd_size <= top ? (top - rd_size) & ~(PAGE_4K - 1) : 0;
		if (!rd_size)
			return errmsg(err, errlen, -SV_ENOEXEC, "linux: the initrd is empty");
		if (rd_addr < load + need)
			return errmsg(err, errlen, -SV_ENOMEM,
				      "linux: the initrd (%llu KiB) does not fit between the kernel "
				      "(up to %#llx) and %#llx", (unsigned long long)(rd_size >> 10),
				      (unsigned long long)(load + need), (unsigned long long)top);
		boot->initrd_addr = rd_addr;
		boot->initrd_size = rd_size;
	}
	cl_len = strlen(cmdline);
	if (cl_len > LINUX_CMDLINE_MAX || cl_len > rd(img, LINUX_HDR_CMDLINE_SIZE, 4))
		return errmsg(err, errlen, -SV_EINVAL,
			      "linux: command line of %zu bytes, the kernel takes at most %u", cl_len,
			      rd(img, LINUX_HDR_CMDLINE_SIZE, 4) < LINUX_CMDLINE_MAX ?
				      rd(img, LINUX_HDR_CMDLINE_SIZE, 4) : LINUX_CMDLINE_MAX);

	/* The zero page: the setup header from the file, then what the loader owns. */
	memset(zp, 0, sizeof(zp));
	memcpy(zp + LINUX_HDR_START, img + LINUX_HDR_START, hdr_end - LINUX_HDR_START);
	zp[LINUX_HDR_TYPE_OF_LOADER] = 0xff;	/* a loader without an assigned ID */
	wr(zp, LINUX_HDR_CODE32_START, load, 4);
	wr(zp, LINUX_HDR_CMD_LINE_PTR, LINUX_CMDLINE_GPA, 4);
	wr(zp, LINUX_HDR_RAMDISK_IMAGE, rd_addr, 4);
	wr(zp, LINUX_HDR_RAMDISK_SIZE, rd_size, 4);
	wr(zp, LINUX_BP_ALT_MEM_K, (gm->ram_bytes - GUEST_HIGH_RAM_START) >> 10, 4);
	if (version >= 0x020e)
		wr(zp, LINUX_BP_ACPI_RSDP, rsdp, 8);
	nmap = linux_e820_map(gm->ram_bytes, map);
	zp[LINUX_BP_E820_ENTRIES] = (uint8_t)nmap;
	memcpy(zp + LINUX_BP_E820_TABLE, map, nmap * sizeof(map[0]));
	boot->e820_entries = nmap;

	/* Everything checked: now the writes. */
	if ((rc = gm->write(gm->ctx, load, img + pm_off, boot->kernel_bytes)) ||
	    (need > boot->kernel_bytes &&
	     (rc = gm->zero(gm->ctx, load + boot->kernel_bytes, need - boot->kernel_bytes))) ||
	    (initrd && (rc = gm->write(gm->ctx, rd_addr, initrd->data, rd_size))) ||
	    (rc = gm->write(gm->ctx, LINUX_ZERO_PAGE_GPA, zp, sizeof(zp))) ||
	    (rc = gm->write(gm->ctx, LINUX_CMDLINE_GPA, cmdline, cl_len + 1)) ||
	    (rc = gm->write(gm->ctx, LINUX_GDT_GPA, linux_gdt, sizeof(linux_gdt))))
		return errmsg(err, errlen, rc, "linux: writing guest memory failed (error %d)", rc);
	return 0;
}

void linux_flat32_state(struct vcpu_boot_state *s, uint32_t eip)
{
	vcpu_state_flat32(s, eip, LINUX_GDT_CS, LINUX_GDT_DS);
	s->gdtr.base = LINUX_GDT_GPA;
	s->gdtr.limit = sizeof(linux_gdt) - 1;
}

void linux_boot_state(const struct linux_boot *b, struct vcpu_boot_state *s)
{
	linux_flat32_state(s, (uint32_t)b->load_addr);
	s->regs.rsi = LINUX_ZERO_PAGE_GPA;
}
