// SPDX-License-Identifier: MIT
/*
 * loader.c - Multiboot v1 kernels into guest RAM, and their boot information.
 *
 * Three steps, each a function: find and check the Multiboot header; turn the
 * image into a plan (a list of segments: file bytes + zeroed tail, and an
 * entry point), checking every field against the file and guest RAM; only
 * then write the plan to the guest and build the information structure in a
 * free spot of guest RAM. The image is untrusted: all arithmetic on its
 * fields is done in 64 bits with explicit overflow checks, and fields are
 * read byte by byte (no alignment or aliasing assumptions). The ELF steps
 * and a note search are exported (elf_plan, elf_write, elf_find_note) for
 * the PVH loader, so one set of segment rules serves both.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kernel/errmsg.h"
#include "kernel/loader.h"
#include "kernel/vcpustate.h"
#include "mm/errno.h"

#define PAGE_4K		4096ull
#define ALIGN_UP(x)	(((x) + PAGE_4K - 1) & ~(PAGE_4K - 1))
#define ALIGN_DOWN(x)	((x) & ~(PAGE_4K - 1))

/* ELF constants (System V ABI; only what the loader needs). */
#define ELFCLASS32	1
#define ELFCLASS64	2
#define ELFDATA2LSB	1
#define ET_EXEC		2
#define EM_386		3
#define EM_X86_64	62
#define PT_LOAD		1
#define PT_NOTE		4
#define SHT_NOTE	7
#define ELF32_EHDR	52
#define ELF32_PHDR	32
#define ELF64_EHDR	64
#define ELF64_PHDR	56

struct plan {
	struct elf_segment seg[MB1_MAX_SEGMENTS];
	unsigned int nseg;
	uint64_t entry;
	uint64_t mod_gpa[MB1_MAX_MODS];	/* where each module goes */
	const struct mb1_module *mods;
	unsigned int nmods;
};

/* What every step needs: the image, the guest, and the message buffer. */
struct load_ctx {
	const uint8_t *img;
	size_t size;
	const struct guest_mem *gm;
	char *err;
	size_t errlen;
};

/* load_error - a one-line message into the caller's buffer; evaluates to @rc. */
#define load_error(c, rc, ...) errmsg((c)->err, (c)->errlen, (rc), __VA_ARGS__)

/* add_note - append @s to the boot note (separated by "; "), truncating. */
static void add_note(struct mb1_boot *boot, const char *s)
{
	size_t n = strlen(boot->note);

	if (n && n + 2 < sizeof(boot->note)) {
		memcpy(boot->note + n, "; ", 2);
		n += 2;
		boot->note[n] = '\0';
	}
	snprintf(boot->note + n, sizeof(boot->note) - n, "%s", s);
}

/* Little-endian readers; the caller has checked that the bytes are in the image. */
static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* in_file - true if [off, off + n) lies within the image (no overflow). */
static bool in_file(const struct load_ctx *c, uint64_t off, uint64_t n)
{
	return off <= c->size && n <= c->size - off;
}

/* guest_ram_ranges - fill @out with low and high RAM; returns 2 or -SV_EINVAL. */
int guest_ram_ranges(uint64_t ram_bytes, struct guest_range out[GUEST_RAM_RANGES])
{
	if (ram_bytes < GUEST_RAM_MIN || ram_bytes > GUEST_RAM_MAX || (ram_bytes & 0xfff))
		return -SV_EINVAL;
	out[0].start = 0;
	out[0].end = GUEST_LOW_RAM_END;
	out[1].start = GUEST_HIGH_RAM_START;
	out[1].end = ram_bytes;
	return GUEST_RAM_RANGES;
}

/* guest_range_is_ram - true if [gpa, gpa + n) is inside one RAM range. */
bool guest_range_is_ram(uint64_t ram_bytes, uint64_t gpa, uint64_t n)
{
	struct guest_range r[GUEST_RAM_RANGES];
	int nr = guest_ram_ranges(ram_bytes, r);

	for (int i = 0; i < nr; i++)
		if (n && gpa >= r[i].start && gpa <= r[i].end && n <= r[i].end - gpa)
			return true;
	return false;
}

/*
 * find_header - the Multiboot header: magic at a 4-byte aligned offset, all
 * of it within the first MB1_SEARCH_BYTES and the file, valid checksum.
 * Returns 0 and sets @off/@flags, or -SV_ENOEXEC.
 */
static int find_header(struct load_ctx *c, uint32_t *off, uint32_t *flags)
{
	uint64_t limit = c->size < MB1_SEARCH_BYTES ? c->size : MB1_SEARCH_BYTES;

	for (uint64_t o = 0; o + 12 <= limit; o += 4) {
		const uint8_t *h = c->img + o;
		uint32_t f;

		if (rd32(h) != MB1_HEADER_MAGIC)
			continue;
		f = rd32(h + 4);
		if ((uint32_t)(MB1_HEADER_MAGIC + f + rd32(h + 8)) != 0)
			continue;	/* not a header: keep looking, like GRUB */
		if ((f & MB1_HF_AOUT_KLUDGE) && o + 32 > limit)
			return load_error(c, -SV_ENOEXEC,
					  "multiboot header at 0x%llx: a.out fields cut off (file or 8K limit)",
					  (unsigned long long)o);
		*off = (uint32_t)o;
		*flags = f;
		return 0;
	}
	return load_error(c, -SV_ENOEXEC, "no multiboot header (magic 0x%08x) in the first %llu bytes",
			  MB1_HEADER_MAGIC, (unsigned long long)limit);
}

/* plan_aout - the a.out kludge: addresses from the header; returns 0 or -SV_ENOEXEC. */
static int plan_aout(struct load_ctx *c, uint32_t hoff, struct plan *p)
{
	const uint8_t *h = c->img + hoff;
	uint64_t header_addr = rd32(h + 12), load_addr = rd32(h + 16);
	uint64_t load_end = rd32(h + 20), bss_end = rd32(h + 24);
	uint64_t entry = rd32(h + 28), text_off, load_len, mem_len;

	if (load_addr > header_addr)
		return load_error(c, -SV_ENOEXEC, "a.out: load_addr 0x%llx above header_addr 0x%llx",
				  (unsigned long long)load_addr, (unsigned long long)header_addr);
	if (header_addr - load_addr > hoff)
		return load_error(c, -SV_ENOEXEC,
				  "a.out: header_addr - load_addr (0x%llx) exceeds the header's file offset 0x%x",
				  (unsigned long long)(header_addr - load_addr), hoff);
	text_off = hoff - (header_addr - load_addr);
	if (load_end == 0) {
		load_len = c->size - text_off;
	} else {
		if (load_end <= header_addr)
			return load_error(c, -SV_ENOEXEC,
					  "a.out: load_end_addr 0x%llx not above header_addr 0x%llx",
					  (unsigned long long)load_end, (unsigned long long)header_addr);
		load_len = load_end - load_addr;
		if (!in_file(c, text_off, load_len))
			return load_error(c, -SV_ENOEXEC,
					  "a.out: truncated image: needs 0x%llx bytes from offset 0x%llx, file has 0x%zx",
					  (unsigned long long)load_len, (unsigned long long)text_off, c->size);
	}
	mem_len = load_len;
	if (bss_end) {
		if (bss_end < load_addr + load_len)
			return load_error(c, -SV_ENOEXEC,
					  "a.out: bss_end_addr 0x%llx below the end of the loaded text 0x%llx",
					  (unsigned long long)bss_end,
					  (unsigned long long)(load_addr + load_len));
		mem_len = bss_end - load_addr;
	}
	if (entry < load_addr || entry - load_addr >= load_len)
		return load_error(c, -SV_ENOEXEC,
				  "a.out: entry_addr 0x%llx outside the loaded text [0x%llx, 0x%llx)",
				  (unsigned long long)entry, (unsigned long long)load_addr,
				  (unsigned long long)(load_addr + load_len));
	p->seg[0] = (struct elf_segment){ .gpa = load_addr, .off = text_off,
					  .filesz = load_len, .memsz = mem_len };
	p->nseg = 1;
	p->entry = entry;
	return 0;
}

/* ELF field offsets differ by class; this table names them once. */
struct elf_layout {
	unsigned int ehdr_size, phdr_size, shdr_size;
	unsigned int e_entry, e_phoff, e_phentsize, e_phnum, e_shoff, e_shentsize, e_shnum;
	unsigned int p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
	unsigned int sh_offset, sh_size, sh_addralign;
	bool wide;			/* 64-bit address fields */
	uint16_t machine;
	const char *name;
};

static const struct elf_layout elf32_layout = {
	.ehdr_size = ELF32_EHDR, .phdr_size = ELF32_PHDR, .shdr_size = 40,
	.e_entry = 24, .e_phoff = 28, .e_phentsize = 42, .e_phnum = 44,
	.e_shoff = 32, .e_shentsize = 46, .e_shnum = 48,
	.p_offset = 4, .p_vaddr = 8, .p_paddr = 12, .p_filesz = 16, .p_memsz = 20, .p_align = 28,
	.sh_offset = 16, .sh_size = 20, .sh_addralign = 32,
	.wide = false, .machine = EM_386, .name = "ELF32",
};

static const struct elf_layout elf64_layout = {
	.ehdr_size = ELF64_EHDR, .phdr_size = ELF64_PHDR, .shdr_size = 64,
	.e_entry = 24, .e_phoff = 32, .e_phentsize = 54, .e_phnum = 56,
	.e_shoff = 40, .e_shentsize = 58, .e_shnum = 60,
	.p_offset = 8, .p_vaddr = 16, .p_paddr = 24, .p_filesz = 32, .p_memsz = 40, .p_align = 48,
	.sh_offset = 24, .sh_size = 32, .sh_addralign = 48,
	.wide = true, .machine = EM_X86_64, .name = "ELF64",
};

static uint64_t rdaddr(const struct elf_layout *l, const uint8_t *p)
{
	return l->wide ? rd64(p) : rd32(p);
}

/* is_elf - true if the image starts with the ELF magic. */
static bool is_elf(const struct load_ctx *c)
{
	return c->size >= 4 && c->img[0] == 0x7f && c->img[1] == 'E' &&
	       c->img[2] == 'L' && c->img[3] == 'F';
}

/*
 * elf_header - the identification and the header of an ELF image: @l gets
 * its class's layout and @fmt its format. Returns 0 or -SV_ENOEXEC.
 */
static int elf_header(struct load_ctx *c, const struct elf_layout **l, enum mb1_format *fmt)
{
	const uint8_t *e = c->img;

	if (!is_elf(c))
		return load_error(c, -SV_ENOEXEC, "not an ELF file");
	if (c->size < 16)
		return load_error(c, -SV_ENOEXEC, "ELF: truncated identification");
	if (e[4] == ELFCLASS32) {
		*l = &elf32_layout;
		*fmt = MB1_FMT_ELF32;
	} else if (e[4] == ELFCLASS64) {
		*l = &elf64_layout;
		*fmt = MB1_FMT_ELF64;
	} else {
		return load_error(c, -SV_ENOEXEC, "ELF: unknown class %u", e[4]);
	}
	if (e[5] != ELFDATA2LSB)
		return load_error(c, -SV_ENOEXEC, "%s: not little-endian", (*l)->name);
	if (c->size < (*l)->ehdr_size)
		return load_error(c, -SV_ENOEXEC, "%s: truncated header (%zu bytes)", (*l)->name,
				  c->size);
	return 0;
}

/* plan_elf - PT_LOAD segments by p_paddr and the entry; returns 0 or -SV_ENOEXEC. */
static int plan_elf(struct load_ctx *c, struct plan *p, enum mb1_format *fmt)
{
	const struct elf_layout *l;
	const uint8_t *e = c->img;
	uint64_t phoff, entry, phys_entry;
	unsigned int phnum, phentsize;
	bool translated = false;
	int rc = elf_header(c, &l, fmt);

	if (rc)
		return rc;
	if (rd16(e + 16) != ET_EXEC)
		return load_error(c, -SV_ENOEXEC, "%s: e_type %u is not ET_EXEC", l->name, rd16(e + 16));
	if (rd16(e + 18) != l->machine)
		return load_error(c, -SV_ENOEXEC, "%s: e_machine %u is not %s", l->name,
				  rd16(e + 18), l->wide ? "x86-64" : "i386");
	phoff = rdaddr(l, e + l->e_phoff);
	phentsize = rd16(e + l->e_phentsize);
	phnum = rd16(e + l->e_phnum);
	entry = rdaddr(l, e + l->e_entry);
	if (phnum == 0)
		return load_error(c, -SV_ENOEXEC, "%s: no program headers", l->name);
	if (phnum > MB1_MAX_PHDRS)
		return load_error(c, -SV_ENOEXEC, "%s: %u program headers (max %d)", l->name,
				  phnum, MB1_MAX_PHDRS);
	if (phentsize < l->phdr_size)
		return load_error(c, -SV_ENOEXEC, "%s: e_phentsize %u too small (%u)", l->name,
				  phentsize, l->phdr_size);
	if (!in_file(c, phoff, (uint64_t)phnum * phentsize))
		return load_error(c, -SV_ENOEXEC, "%s: program headers at 0x%llx beyond the file",
				  l->name, (unsigned long long)phoff);

	p->nseg = 0;
	phys_entry = entry;
	for (unsigned int i = 0; i < phnum; i++) {
		const uint8_t *ph = e + phoff + (uint64_t)i * phentsize;
		struct elf_segment s;
		uint64_t vaddr;

		if (rd32(ph) != PT_LOAD)
			continue;
		s.off = rdaddr(l, ph + l->p_offset);
		vaddr = rdaddr(l, ph + l->p_vaddr);
		s.gpa = rdaddr(l, ph + l->p_paddr);
		s.filesz = rdaddr(l, ph + l->p_filesz);
		s.memsz = rdaddr(l, ph + l->p_memsz);
		if (s.memsz == 0)
			continue;
		if (s.filesz > s.memsz)
			return load_error(c, -SV_ENOEXEC, "%s: segment %u: p_filesz 0x%llx > p_memsz 0x%llx",
					  l->name, i, (unsigned long long)s.filesz,
					  (unsigned long long)s.memsz);
		if (!in_file(c, s.off, s.filesz))
			return load_error(c, -SV_ENOEXEC,
					  "%s: segment %u: truncated image (0x%llx bytes at 0x%llx, file has 0x%zx)",
					  l->name, i, (unsigned long long)s.filesz,
					  (unsigned long long)s.off, c->size);
		if (p->nseg == MB1_MAX_SEGMENTS)
			return load_error(c, -SV_ENOEXEC, "%s: more than %d PT_LOAD segments",
					  l->name, MB1_MAX_SEGMENTS);
		/* Entry is virtual: map it through the segment holding it (as GRUB does). */
		if (!translated && entry >= vaddr && entry - vaddr < s.memsz) {
			phys_entry = s.gpa + (entry - vaddr);
			translated = true;
		}
		p->seg[p->nseg++] = s;
	}
	if (p->nseg == 0)
		return load_error(c, -SV_ENOEXEC, "%s: no PT_LOAD segments", l->name);
	p->entry = phys_entry;
	return 0;
}

/*
 * check_segments - every segment inside one guest RAM range, no two
 * overlapping. Returns 0, -SV_ENOMEM (a segment beyond RAM: more mem= may
 * help) or -SV_ENOEXEC.
 */
static int check_segments(struct load_ctx *c, const struct plan *p)
{
	uint64_t top = c->gm->ram_bytes;

	for (unsigned int i = 0; i < p->nseg; i++) {
		const struct elf_segment *s = &p->seg[i];
		bool wraps = s->memsz > UINT64_MAX - s->gpa;
		uint64_t end = wraps ? UINT64_MAX : s->gpa + s->memsz;

		if (!guest_range_is_ram(top, s->gpa, s->memsz)) {
			if (end <= top && s->gpa < GUEST_HIGH_RAM_START && end > GUEST_LOW_RAM_END)
				return load_error(c, -SV_ENOEXEC,
						  "segment %u [0x%llx, 0x%llx) overlaps the 640K-1M hole",
						  i, (unsigned long long)s->gpa, (unsigned long long)end);
			return load_error(c, -SV_ENOMEM,
					  "segment %u [0x%llx, 0x%llx) is outside guest RAM (RAM top 0x%llx)",
					  i, (unsigned long long)s->gpa, (unsigned long long)end,
					  (unsigned long long)top);
		}
		for (unsigned int j = 0; j < i; j++) {
			const struct elf_segment *o = &p->seg[j];

			if (s->gpa < o->gpa + o->memsz && o->gpa < s->gpa + s->memsz)
				return load_error(c, -SV_ENOEXEC, "segments %u and %u overlap at 0x%llx",
						  j, i, (unsigned long long)(s->gpa > o->gpa ? s->gpa : o->gpa));
		}
	}
	return 0;
}

/* in_segment_bytes - true if @gpa is one of the file bytes of one of @n segments @seg. */
static bool in_segment_bytes(const struct elf_segment *seg, unsigned int n, uint64_t gpa)
{
	for (unsigned int i = 0; i < n; i++)
		if (gpa >= seg[i].gpa && gpa - seg[i].gpa < seg[i].filesz)
			return true;
	return false;
}

/*
 * check_plan - the segments as check_segments() wants them, the entry below
 * 4 GiB and in a segment's file bytes. Returns 0, -SV_ENOMEM or -SV_ENOEXEC.
 */
static int check_plan(struct load_ctx *c, const struct plan *p)
{
	int rc = check_segments(c, p);

	if (rc)
		return rc;
	if (p->entry >= (1ull << 32))
		return load_error(c, -SV_ENOEXEC,
				  "entry 0x%llx is above 4 GiB (entered in 32-bit mode)",
				  (unsigned long long)p->entry);
	if (!in_segment_bytes(p->seg, p->nseg, p->entry))
		return load_error(c, -SV_ENOEXEC, "entry 0x%llx is not inside a loaded segment",
				  (unsigned long long)p->entry);
	return 0;
}

/* write_plan - copy and zero the @n segments @seg; returns 0 or the write()/zero() error. */
static int write_plan(struct load_ctx *c, const struct elf_segment *seg, unsigned int n)
{
	const struct guest_mem *gm = c->gm;
	int rc;

	for (unsigned int i = 0; i < n; i++) {
		const struct elf_segment *s = &seg[i];

		rc = s->filesz ? gm->write(gm->ctx, s->gpa, c->img + s->off, s->filesz) : 0;
		if (!rc && s->memsz > s->filesz)
			rc = gm->zero(gm->ctx, s->gpa + s->filesz, s->memsz - s->filesz);
		if (rc)
			return load_error(c, rc, "writing segment %u at 0x%llx failed (%d)", i,
					  (unsigned long long)s->gpa, rc);
	}
	return 0;
}

/* image_bounds - the lowest gpa of the @n segments @seg into @start, their highest + 1 into @end. */
static void image_bounds(const struct elf_segment *seg, unsigned int n, uint64_t *start,
			 uint64_t *end)
{
	*start = n ? UINT64_MAX : 0;
	*end = 0;
	for (unsigned int i = 0; i < n; i++) {
		if (seg[i].gpa < *start)
			*start = seg[i].gpa;
		if (seg[i].gpa + seg[i].memsz > *end)
			*end = seg[i].gpa + seg[i].memsz;
	}
}

/* overlaps_plan - true if [gpa, gpa + n) overlaps a segment or a module of @p. */
static bool overlaps_plan(const struct plan *p, uint64_t gpa, uint64_t n)
{
	for (unsigned int i = 0; i < p->nseg; i++)
		if (gpa < p->seg[i].gpa + p->seg[i].memsz && p->seg[i].gpa < gpa + n)
			return true;
	for (unsigned int i = 0; i < p->nmods; i++)
		if (gpa < p->mod_gpa[i] + p->mods[i].size && p->mod_gpa[i] < gpa + n)
			return true;
	return false;
}

/*
 * plan_mods - the modules, page-aligned one after another in high RAM,
 * from the first page above the kernel's highest segment. Returns 0, or
 * -SV_ENOMEM naming the first module that does not fit.
 */
static int plan_mods(struct load_ctx *c, struct plan *p)
{
	uint64_t at = GUEST_HIGH_RAM_START, top = c->gm->ram_bytes;

	for (unsigned int i = 0; i < p->nseg; i++)
		if (p->seg[i].gpa + p->seg[i].memsz > at)
			at = p->seg[i].gpa + p->seg[i].memsz;
	for (unsigned int i = 0; i < p->nmods; i++) {
		size_t n = p->mods[i].size;

		at = ALIGN_UP(at);
		if (!guest_range_is_ram(top, at, n ? n : 1) || at + n > (1ull << 32))
			return load_error(c, -SV_ENOMEM,
					  "module %u (%zu bytes) does not fit in guest RAM above the kernel "
					  "(from 0x%llx; RAM top 0x%llx)", i, n, (unsigned long long)at,
					  (unsigned long long)top);
		p->mod_gpa[i] = at;
		at += n;
	}
	return 0;
}

/* write_mods - copy the modules to where plan_mods put them. */
static int write_mods(struct load_ctx *c, const struct plan *p)
{
	for (unsigned int i = 0; i < p->nmods; i++) {
		int rc = p->mods[i].size ? c->gm->write(c->gm->ctx, p->mod_gpa[i], p->mods[i].data,
							 p->mods[i].size) : 0;

		if (rc)
			return load_error(c, rc, "writing module %u at 0x%llx failed (%d)", i,
					  (unsigned long long)p->mod_gpa[i], rc);
	}
	return 0;
}

/* mod_string - module @i's string ("" when it has none). */
static const char *mod_string(const struct plan *p, unsigned int i)
{
	return p->mods[i].string ? p->mods[i].string : "";
}

/* mods_bytes - the module entries and their strings in the information block. */
static uint64_t mods_bytes(const struct plan *p)
{
	uint64_t n = p->nmods * sizeof(struct mb1_mod_entry);

	for (unsigned int i = 0; i < p->nmods; i++)
		n += strlen(mod_string(p, i)) + 1;
	return n;
}

/*
 * place_info - a page-aligned gpa for @n bytes of boot information: the
 * highest free spot in low RAM above page 0, else the first free spot above a
 * segment in high RAM. Returns the gpa, or 0 if there is none.
 */
static uint64_t place_info(const struct plan *p, uint64_t top, uint64_t n)
{
	uint64_t gpa;

	if (n < GUEST_LOW_RAM_END - PAGE_4K)
		for (gpa = ALIGN_DOWN(GUEST_LOW_RAM_END - n); gpa >= PAGE_4K; gpa -= PAGE_4K)
			if (!overlaps_plan(p, gpa, n))
				return gpa;
	for (unsigned int i = 0; i <= p->nseg; i++) {
		gpa = i < p->nseg ? ALIGN_UP(p->seg[i].gpa + p->seg[i].memsz) : GUEST_HIGH_RAM_START;
		if (guest_range_is_ram(top, gpa, n) && !overlaps_plan(p, gpa, n))
			return gpa;
	}
	return 0;
}

/* info_bytes - the size of the information block for a @cmdlen-byte command line and @p's modules. */
static uint64_t info_bytes(const struct plan *p, size_t cmdlen)
{
	return sizeof(struct mb1_info) + (GUEST_RAM_RANGES + 1) * sizeof(struct mb1_mmap_entry) +
	       cmdlen + 1 + sizeof(MB1_LOADER_NAME) + mods_bytes(p);
}

/*
 * build_info - write the Multiboot information at @at (info, memory map,
 * command line, boot loader name, module entries, module strings, in that
 * order; info_bytes() long). Returns 0 and fills boot->ebx/info_*, or the
 * write()/zero() error.
 */
static int build_info(struct load_ctx *c, const struct plan *p, uint64_t at, const char *cmdline,
		      size_t cmdlen, struct mb1_boot *boot)
{
	const struct guest_mem *gm = c->gm;
	struct guest_range r[GUEST_RAM_RANGES] = { { 0, 0 } };
	struct mb1_mmap_entry mm[GUEST_RAM_RANGES + 1];
	uint64_t mmap_at, cmd_at, name_at, mods_at, str_at, total = info_bytes(p, cmdlen);
	struct mb1_info info;
	int rc;

	guest_ram_ranges(gm->ram_bytes, r);	/* checked by mb1_load */
	/* Low RAM, the hole (reserved), high RAM: ascending and contiguous. */
	mm[0] = (struct mb1_mmap_entry){ 20, r[0].start, r[0].end - r[0].start, MB1_MEM_RAM };
	mm[1] = (struct mb1_mmap_entry){ 20, r[0].end, r[1].start - r[0].end, MB1_MEM_RESERVED };
	mm[2] = (struct mb1_mmap_entry){ 20, r[1].start, r[1].end - r[1].start, MB1_MEM_RAM };

	mmap_at = sizeof(info);
	cmd_at = mmap_at + sizeof(mm);
	name_at = cmd_at + cmdlen + 1;
	mods_at = name_at + sizeof(MB1_LOADER_NAME);

	memset(&info, 0, sizeof(info));
	info.flags = MB1_INFO_MEM | MB1_INFO_CMDLINE | MB1_INFO_MODS | MB1_INFO_MMAP |
		     MB1_INFO_LOADER_NAME;
	info.mem_lower = (uint32_t)(r[0].end >> 10);
	info.mem_upper = (uint32_t)((r[1].end - r[1].start) >> 10);
	info.cmdline = (uint32_t)(at + cmd_at);
	info.mods_count = p->nmods;
	info.mods_addr = p->nmods ? (uint32_t)(at + mods_at) : 0;
	info.mmap_length = (uint32_t)sizeof(mm);
	info.mmap_addr = (uint32_t)(at + mmap_at);
	info.boot_loader_name = (uint32_t)(at + name_at);

	rc = gm->zero(gm->ctx, at, total);
	if (!rc)
		rc = gm->write(gm->ctx, at, &info, sizeof(info));
	if (!rc)
		rc = gm->write(gm->ctx, at + mmap_at, mm, sizeof(mm));
	if (!rc && cmdlen)
		rc = gm->write(gm->ctx, at + cmd_at, cmdline, cmdlen);
	if (!rc)
		rc = gm->write(gm->ctx, at + name_at, MB1_LOADER_NAME, sizeof(MB1_LOADER_NAME));
	str_at = mods_at + p->nmods * sizeof(struct mb1_mod_entry);
	for (unsigned int i = 0; i < p->nmods && !rc; i++) {
		const char *s = mod_string(p, i);
		struct mb1_mod_entry m = {
			(uint32_t)p->mod_gpa[i], (uint32_t)(p->mod_gpa[i] + p->mods[i].size),
			(uint32_t)(at + str_at), 0,
		};

		rc = gm->write(gm->ctx, at + mods_at + i * sizeof(m), &m, sizeof(m));
		if (!rc)
			rc = gm->write(gm->ctx, at + str_at, s, strlen(s) + 1);
		str_at += strlen(s) + 1;
	}
	if (rc)
		return load_error(c, rc, "writing the multiboot info at 0x%llx failed (%d)",
				  (unsigned long long)at, rc);
	boot->ebx = (uint32_t)at;
	boot->info_start = (uint32_t)at;
	boot->info_end = (uint32_t)(at + total);
	return 0;
}

int mb1_load(const struct guest_mem *gm, const void *image, size_t size,
	     const char *cmdline, struct mb1_boot *boot, char *err, size_t errlen)
{
	return mb1_load_mods(gm, image, size, cmdline, NULL, 0, boot, err, errlen);
}

/* mb1_load_mods - load a Multiboot v1 image and its modules and build the info; returns 0 or -SV_E*. */
int mb1_load_mods(const struct guest_mem *gm, const void *image, size_t size, const char *cmdline,
		  const struct mb1_module *mods, unsigned int nmods, struct mb1_boot *boot,
		  char *err, size_t errlen)
{
	struct load_ctx c = { .img = image, .size = size, .gm = gm, .err = err, .errlen = errlen };
	struct guest_range ranges[GUEST_RAM_RANGES];
	struct plan plan = { .nseg = 0, .mods = mods, .nmods = nmods };
	uint32_t hoff = 0, flags = 0, unsupported;
	uint64_t info_at;
	size_t cmdlen;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	memset(boot, 0, sizeof(*boot));
	if (!gm || !gm->write || !gm->zero || (!image && size) || (nmods && !mods))
		return load_error(&c, -SV_EINVAL, "bad loader arguments");
	if (nmods > MB1_MAX_MODS)
		return load_error(&c, -SV_EINVAL, "%u modules, at most %d", nmods, MB1_MAX_MODS);
	for (unsigned int i = 0; i < nmods; i++)
		if (!mods[i].data && mods[i].size)
			return load_error(&c, -SV_EINVAL, "bad loader arguments");
	if (guest_ram_ranges(gm->ram_bytes, ranges) < 0)
		return load_error(&c, -SV_EINVAL,
				  "guest RAM size 0x%llx is not a multiple of 4K in [%lluM, %lluM]",
				  (unsigned long long)gm->ram_bytes,
				  (unsigned long long)(GUEST_RAM_MIN >> 20),
				  (unsigned long long)(GUEST_RAM_MAX >> 20));
	if (!cmdline)
		cmdline = "";
	cmdlen = strnlen(cmdline, MB1_CMDLINE_MAX + 1);
	if (cmdlen > MB1_CMDLINE_MAX)
		return load_error(&c, -SV_EINVAL, "command line longer than %d bytes", MB1_CMDLINE_MAX);

	rc = find_header(&c, &hoff, &flags);
	if (rc)
		return rc;
	boot->header_offset = hoff;
	boot->header_flags = flags;
	/* Bits 0..15 are requirements: refuse what we cannot honour (spec 3.1.2). */
	unsupported = flags & 0xffffu & ~(MB1_HF_PAGE_ALIGN | MB1_HF_MEMINFO | MB1_HF_VIDEO);
	if (unsupported)
		return load_error(&c, -SV_ENOEXEC,
				  "multiboot header flags 0x%08x require unsupported features (0x%04x)",
				  flags, unsupported);
	if (flags & MB1_HF_VIDEO)
		add_note(boot, "video mode request (header flag 2) ignored: text console only");

	if (flags & MB1_HF_AOUT_KLUDGE) {
		boot->format = MB1_FMT_AOUT;
		if (is_elf(&c))
			add_note(boot, "ELF image with a.out kludge: header addresses used");
		rc = plan_aout(&c, hoff, &plan);
	} else if (is_elf(&c)) {
		rc = plan_elf(&c, &plan, &boot->format);
	} else {
		rc = load_error(&c, -SV_ENOEXEC,
				"not ELF, and the multiboot header has no a.out kludge (flag 16)");
	}
	if (rc)
		return rc;
	rc = check_plan(&c, &plan);
	if (!rc)
		rc = plan_mods(&c, &plan);
	if (rc)
		return rc;
	info_at = place_info(&plan, gm->ram_bytes, info_bytes(&plan, cmdlen));
	if (!info_at)
		return load_error(&c, -SV_ENOMEM, "no free guest RAM for the multiboot info (%llu bytes)",
				  (unsigned long long)info_bytes(&plan, cmdlen));

	/* Every check passed: only now touch the guest. */
	rc = write_plan(&c, plan.seg, plan.nseg);
	if (!rc)
		rc = write_mods(&c, &plan);
	if (!rc)
		rc = build_info(&c, &plan, info_at, cmdline, cmdlen, boot);
	if (rc)
		return rc;
	boot->nmods = nmods;
	boot->mods_start = nmods ? plan.mod_gpa[0] : 0;
	boot->mods_end = nmods ? plan.mod_gpa[nmods - 1] + mods[nmods - 1].size : 0;

	boot->eip = (uint32_t)plan.entry;
	boot->eax = MB1_BOOT_MAGIC;
	image_bounds(plan.seg, plan.nseg, &boot->image_start, &boot->image_end);
	return 0;
}

bool mb1_has_header(const void *image, size_t size)
{
	struct load_ctx c = { .img = image, .size = image ? size : 0 };
	uint32_t off, flags;

	return !find_header(&c, &off, &flags);
}

int elf_plan(const struct guest_mem *gm, const void *image, size_t size, struct elf_image *ei,
	     char *err, size_t errlen)
{
	struct load_ctx c = { .img = image, .size = size, .gm = gm, .err = err, .errlen = errlen };
	struct plan p = { .nseg = 0 };
	int rc;

	memset(ei, 0, sizeof(*ei));
	if (!gm || (!image && size))
		return load_error(&c, -SV_EINVAL, "bad loader arguments");
	rc = plan_elf(&c, &p, &ei->format);
	if (!rc)
		rc = check_segments(&c, &p);
	if (rc)
		return rc;
	memcpy(ei->seg, p.seg, sizeof(ei->seg));
	ei->nseg = p.nseg;
	ei->entry = p.entry;
	image_bounds(p.seg, p.nseg, &ei->start, &ei->end);
	return 0;
}

bool elf_has_byte(const struct elf_image *ei, uint64_t gpa)
{
	return in_segment_bytes(ei->seg, ei->nseg, gpa);
}

int elf_write(const struct guest_mem *gm, const void *image, size_t size,
	      const struct elf_image *ei, char *err, size_t errlen)
{
	struct load_ctx c = { .img = image, .size = size, .gm = gm, .err = err, .errlen = errlen };

	return write_plan(&c, ei->seg, ei->nseg);
}

/*
 * find_note_in - the note @name/@type in the note area [off, off + n) whose
 * entries are padded to @align (4, or 8 for 8-aligned areas). Returns 1 and
 * sets @desc/@desc_n, 0 if it is not there, -SV_ENOEXEC for a note that
 * runs past the area. The caller has checked the area lies in the file.
 */
static int find_note_in(struct load_ctx *c, uint64_t off, uint64_t n, uint64_t align,
			const char *name, uint32_t type, uint64_t *desc, uint64_t *desc_n)
{
	uint64_t end = off + n, namesz = strlen(name) + 1;

	while (end - off >= 12) {
		const uint8_t *h = c->img + off;
		uint64_t nsz = rd32(h), dsz = rd32(h + 4);
		uint64_t d = off + 12 + ((nsz + align - 1) & ~(align - 1));

		if (d > end || dsz > end - d)
			return load_error(c, -SV_ENOEXEC,
					  "ELF note at file offset 0x%llx runs past its note area (ends 0x%llx)",
					  (unsigned long long)off, (unsigned long long)end);
		if (rd32(h + 8) == type && nsz == namesz && !memcmp(h + 12, name, namesz)) {
			*desc = d;
			*desc_n = dsz;
			return 1;
		}
		dsz = (dsz + align - 1) & ~(align - 1);
		if (dsz > end - d)
			break;
		off = d + dsz;
	}
	return 0;
}

int elf_find_note(const void *image, size_t size, const char *name, uint32_t type,
		  uint64_t *desc_off, uint64_t *desc_size, char *err, size_t errlen)
{
	struct load_ctx c = { .img = image, .size = image ? size : 0, .err = err, .errlen = errlen };
	const struct elf_layout *l;
	enum mb1_format fmt;
	uint64_t tab, off, n, align;
	unsigned int num, ent, type_at = 0, off_at, size_at, align_at;
	bool phdrs = true, any = false;
	int rc = elf_header(&c, &l, &fmt);

	if (rc)
		return rc;
	/* PT_NOTE segments; only when there are none, SHT_NOTE sections. */
	for (int pass = 0; pass < 2 && !any; pass++, phdrs = false) {
		tab = rdaddr(l, c.img + (phdrs ? l->e_phoff : l->e_shoff));
		ent = rd16(c.img + (phdrs ? l->e_phentsize : l->e_shentsize));
		num = rd16(c.img + (phdrs ? l->e_phnum : l->e_shnum));
		off_at = phdrs ? l->p_offset : l->sh_offset;
		size_at = phdrs ? l->p_filesz : l->sh_size;
		align_at = phdrs ? l->p_align : l->sh_addralign;
		type_at = phdrs ? 0 : 4;
		if (!num)
			continue;
		if (ent < (phdrs ? l->phdr_size : l->shdr_size) || !in_file(&c, tab, (uint64_t)num * ent))
			return load_error(&c, -SV_ENOEXEC, "%s: %s headers at 0x%llx beyond the file (%zu bytes)",
					  l->name, phdrs ? "program" : "section",
					  (unsigned long long)tab, c.size);
		for (unsigned int i = 0; i < num; i++) {
			const uint8_t *h = c.img + tab + (uint64_t)i * ent;

			if (rd32(h + type_at) != (phdrs ? PT_NOTE : SHT_NOTE))
				continue;
			any = true;
			off = rdaddr(l, h + off_at);
			n = rdaddr(l, h + size_at);
			align = rdaddr(l, h + align_at) == 8 ? 8 : 4;
			if (!in_file(&c, off, n))
				return load_error(&c, -SV_ENOEXEC,
						  "%s: truncated image: note %s %u (0x%llx bytes at 0x%llx) "
						  "beyond the file (%zu bytes)", l->name,
						  phdrs ? "segment" : "section", i, (unsigned long long)n,
						  (unsigned long long)off, c.size);
			rc = find_note_in(&c, off, n, align, name, type, desc_off, desc_size);
			if (rc)
				return rc;
		}
	}
	return 0;
}

void mb1_boot_state(const struct mb1_boot *b, struct vcpu_boot_state *s)
{
	vcpu_state_flat32(s, b->eip, 0x08, 0x10);
	s->regs.rax = b->eax;
	s->regs.rbx = b->ebx;
}

int mb1_boot_state_real(const struct mb1_boot *b, struct vcpu_boot_state *s, char *err,
			size_t errlen)
{
	uint64_t base = b->image_start;

	if ((base & 0xf) || base >= GUEST_HIGH_RAM_START || b->eip < base || b->eip - base > 0xffff)
		return errmsg(err, errlen, -SV_ENOEXEC,
			      "entry=real: the image at 0x%llx (entry 0x%x) is not a real-mode "
			      "image (16-byte aligned below 1 MiB, entry within 64 KiB)",
			      (unsigned long long)base, b->eip);
	vcpu_state_real16(s, (uint16_t)(base >> 4), (uint16_t)(b->eip - base));
	s->regs.rax = b->eax;
	s->regs.rbx = b->ebx;
	return 0;
}
