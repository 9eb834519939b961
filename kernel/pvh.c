// SPDX-License-Identifier: MIT
/*
 * pvh.c - a kernel ELF through its PVH entry into guest RAM: check the ELF
 * and its segments (elf_plan, loader.c), find the entry note, plan where
 * the initrd goes, then write the segments, the initrd, the start info
 * page, the command line and the loader's GDT (see pvh.h). The image is
 * untrusted: fields are read byte by byte and all arithmetic is in 64 bits.
 */
#include <string.h>

#include "kernel/errmsg.h"
#include "kernel/pvh.h"
#include "kernel/vcpustate.h"
#include "mm/errno.h"

#define PAGE_4K		4096ull
#define MIB		(1ull << 20)
#define ERR_INNER	160		/* a message from loader.c, before "pvh: " goes in front */

static uint64_t rd_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

bool pvh_has_note(const void *image, size_t size)
{
	uint64_t off, n;

	return elf_find_note(image, size, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &off, &n, NULL, 0) == 1;
}

/*
 * find_entry - the PVH note's entry into @entry. Returns 0, or -SV_ENOEXEC
 * with @err set: no note, a descriptor neither 4 nor 8 bytes, above 4 GiB.
 */
static int find_entry(const uint8_t *img, size_t size, uint32_t *entry, char *err, size_t errlen)
{
	char inner[ERR_INNER];
	uint64_t off, n, v;
	int rc = elf_find_note(img, size, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &off, &n, inner,
			       sizeof(inner));

	if (rc < 0)
		return errmsg(err, errlen, rc, "pvh: %s", inner);
	if (!rc)
		return errmsg(err, errlen, -SV_ENOEXEC,
			      "pvh: no PVH entry note (ELF note \"Xen\" type %d, XEN_ELFNOTE_PHYS32_ENTRY)",
			      XEN_ELFNOTE_PHYS32_ENTRY);
	if (n != 4 && n != 8)
		return errmsg(err, errlen, -SV_ENOEXEC,
			      "pvh: the PVH entry note's descriptor has %llu bytes (4 or 8 wanted)",
			      (unsigned long long)n);
	v = rd_le(img + off, (unsigned)n);
	if (v >> 32)
		return errmsg(err, errlen, -SV_ENOEXEC,
			      "pvh: the PVH entry %#llx is above 4 GiB (entered with paging off)",
			      (unsigned long long)v);
	*entry = (uint32_t)v;
	return 0;
}

/* check_image - no segment over the boot information, the entry among the loaded bytes. */
static int check_image(const struct elf_image *ei, uint32_t entry, char *err, size_t errlen)
{
	for (unsigned i = 0; i < ei->nseg; i++) {
		const struct elf_segment *s = &ei->seg[i];

		if (s->gpa < PVH_LOW_END && s->gpa + s->memsz > PVH_LOW_START)
			return errmsg(err, errlen, -SV_ENOEXEC,
				      "pvh: segment %u [%#llx, %#llx) overlaps the boot information at "
				      "[%#llx, %#llx)", i, (unsigned long long)s->gpa,
				      (unsigned long long)(s->gpa + s->memsz),
				      (unsigned long long)PVH_LOW_START, (unsigned long long)PVH_LOW_END);
	}
	if (!elf_has_byte(ei, entry))
		return errmsg(err, errlen, -SV_ENOEXEC,
			      "pvh: the PVH entry %#x is not inside a loaded segment", entry);
	return 0;
}

/*
 * build_start_info - the start info page (pvh.h's layout) into @page: the
 * memory map of a VM with RAM top @ram_bytes, module 0 at @rd_addr (@rd_size
 * 0: no module) with string @rd_str, @rsdp. Returns the map's entries.
 */
static unsigned build_start_info(uint8_t *page, uint64_t ram_bytes, uint64_t rd_addr,
				 uint64_t rd_size, const char *rd_str, uint64_t rsdp)
{
	struct linux_e820 map[LINUX_E820_MAX];
	struct hvm_start_info si = {
		.magic = XEN_HVM_START_MAGIC_VALUE,
		.version = PVH_START_INFO_VERSION,
		.cmdline_paddr = PVH_CMDLINE_GPA,
		.rsdp_paddr = rsdp,
		.memmap_paddr = PVH_START_INFO_GPA + PVH_MEMMAP_OFF,
	};
	unsigned n = linux_e820_map(ram_bytes, map);

	memset(page, 0, PAGE_4K);
	for (unsigned i = 0; i < n; i++) {
		struct hvm_memmap_table_entry e = { map[i].addr, map[i].size, map[i].type, 0 };

		memcpy(page + PVH_MEMMAP_OFF + i * sizeof(e), &e, sizeof(e));
	}
	si.memmap_entries = n;
	if (rd_size) {
		struct hvm_modlist_entry m = { .paddr = rd_addr, .size = rd_size };

		if (rd_str[0]) {
			m.cmdline_paddr = PVH_START_INFO_GPA + PVH_MODSTR_OFF;
			memcpy(page + PVH_MODSTR_OFF, rd_str, strlen(rd_str) + 1);
		}
		memcpy(page + PVH_MODLIST_OFF, &m, sizeof(m));
		si.nr_modules = 1;
		si.modlist_paddr = PVH_START_INFO_GPA + PVH_MODLIST_OFF;
	}
	memcpy(page, &si, sizeof(si));
	return n;
}

/*
 * place_initrd - module 0 as high as RAM allows, page-aligned, above the
 * kernel and 1 MiB: boot->initrd_addr/initrd_size. Returns 0, -SV_ENOEXEC
 * (empty), -SV_EINVAL (its string too long) or -SV_ENOMEM, with @err set.
 */
static int place_initrd(const struct guest_mem *gm, const struct elf_image *ei,
			const struct mb1_module *initrd, struct pvh_boot *boot, char *err,
			size_t errlen)
{
	uint64_t size = initrd->size, low, at;
	size_t str = initrd->string ? strlen(initrd->string) : 0;

	if (!size)
		return errmsg(err, errlen, -SV_ENOEXEC, "pvh: the initrd is empty");
	if (str > PVH_MODSTR_MAX)
		return errmsg(err, errlen, -SV_EINVAL, "pvh: the initrd's string has %zu bytes, at most %d",
			      str, PVH_MODSTR_MAX);
	low = ei->end > GUEST_HIGH_RAM_START ? ei->end : GUEST_HIGH_RAM_START;
	at = size <= gm->ram_bytes ? (gm->ram_bytes - size) & ~(PAGE_4K - 1) : 0;
	if (at < low)
		return errmsg(err, errlen, -SV_ENOMEM,
			      "pvh: the initrd (%llu KiB) does not fit between the kernel (up to %#llx) "
			      "and the top of the VM's %llu MiB of RAM", (unsigned long long)(size >> 10),
			      (unsigned long long)ei->end, (unsigned long long)(gm->ram_bytes / MIB));
	boot->initrd_addr = at;
	boot->initrd_size = size;
	return 0;
}

int pvh_load(const struct guest_mem *gm, const void *image, size_t size, const char *cmdline,
	     const struct mb1_module *initrd, uint64_t rsdp, struct pvh_boot *boot, char *err,
	     size_t errlen)
{
	static uint8_t page[PAGE_4K];	/* the start info page being built (one load at a time) */
	struct guest_range ram[GUEST_RAM_RANGES];
	struct elf_image ei;
	char inner[ERR_INNER];
	const char *rd_str;
	uint32_t entry = 0;
	size_t cl_len;
	int rc;

	if (!gm || !gm->write || !gm->zero || !boot || (!image && size) ||
	    (initrd && !initrd->data && initrd->size))
		return errmsg(err, errlen, -SV_EINVAL, "pvh: bad arguments");
	memset(boot, 0, sizeof(*boot));
	if (guest_ram_ranges(gm->ram_bytes, ram) < 0)
		return errmsg(err, errlen, -SV_EINVAL, "pvh: guest RAM top %#llx is not valid",
			      (unsigned long long)gm->ram_bytes);
	if (!cmdline)
		cmdline = "";
	rc = elf_plan(gm, image, size, &ei, inner, sizeof(inner));
	if (rc)
		return errmsg(err, errlen, rc, "pvh: %s", inner);
	if ((rc = find_entry(image, size, &entry, err, errlen)) ||
	    (rc = check_image(&ei, entry, err, errlen)))
		return rc;
	boot->entry = entry;
	boot->format = ei.format;
	boot->kernel_start = ei.start;
	boot->kernel_end = ei.end;
	boot->nseg = ei.nseg;
	for (unsigned i = 0; i < ei.nseg; i++)
		boot->kernel_bytes += ei.seg[i].filesz;

	if (initrd && (rc = place_initrd(gm, &ei, initrd, boot, err, errlen)))
		return rc;
	rd_str = initrd && initrd->string ? initrd->string : "";
	cl_len = strlen(cmdline);
	if (cl_len > PVH_CMDLINE_MAX)
		return errmsg(err, errlen, -SV_EINVAL,
			      "pvh: command line of %zu bytes, the kernel takes at most %d", cl_len,
			      PVH_CMDLINE_MAX);
	boot->memmap_entries = build_start_info(page, gm->ram_bytes, boot->initrd_addr,
						boot->initrd_size, rd_str, rsdp);

	/* Everything checked: now the writes. */
	if ((rc = elf_write(gm, image, size, &ei, inner, sizeof(inner))))
		return errmsg(err, errlen, rc, "pvh: %s", inner);
	if ((initrd && (rc = gm->write(gm->ctx, boot->initrd_addr, initrd->data, initrd->size))) ||
	    (rc = gm->write(gm->ctx, PVH_START_INFO_GPA, page, sizeof(page))) ||
	    (rc = gm->write(gm->ctx, PVH_CMDLINE_GPA, cmdline, cl_len + 1)) ||
	    (rc = gm->write(gm->ctx, LINUX_GDT_GPA, linux_gdt, sizeof(linux_gdt))))
		return errmsg(err, errlen, rc, "pvh: writing guest memory failed (error %d)", rc);
	return 0;
}

void pvh_boot_state(const struct pvh_boot *b, struct vcpu_boot_state *s)
{
	linux_flat32_state(s, b->entry);
	s->regs.rbx = PVH_START_INFO_GPA;
}
