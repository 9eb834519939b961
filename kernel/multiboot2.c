// SPDX-License-Identifier: MIT
/*
 * multiboot2.c - decode and validate the Multiboot2 boot information.
 *
 * Layout (spec 3.6): u32 total_size, u32 reserved, then tags, each 8-byte
 * aligned: u32 type, u32 size (header included), payload; type 0 ends the
 * list. Nothing is trusted: every size is checked against the space left.
 * Plain C, also built on the host for unit tests.
 */
#include <stdio.h>
#include <string.h>

#include "kernel/multiboot2.h"
#include "mm/errno.h"

#define MB2_TAG_END	0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER	2
#define MB2_TAG_MODULE	3
#define MB2_TAG_MMAP	6

#define MB2_MAX_SIZE	(1u << 20)	/* a sanity bound, far above what GRUB produces */

static uint32_t rd32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t rd64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* terminated - the string at @s of at most @n bytes, or NULL when not NUL-terminated. */
static const char *terminated(const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '\0')
			return (const char *)s;
	return NULL;
}

#define FAIL(...)                                   \
	do {                                        \
		snprintf(err, errlen, __VA_ARGS__); \
		return -SV_EINVAL;                  \
	} while (0)

static int parse_mmap(const unsigned char *t, uint32_t size,
		      struct boot_info *out, char *err, size_t errlen)
{
	uint32_t esz, off;

	if (size < 16)
		FAIL("memory map tag too short (%u bytes)", size);
	esz = rd32(t + 8);
	if (esz < 24 || esz % 8)
		FAIL("memory map entry size %u is invalid", esz);
	for (off = 16; off + esz <= size; off += esz) {
		struct boot_mmap_entry *e;

		if (out->n_mmap == BOOT_MAX_MMAP)
			FAIL("memory map has more than %d entries", BOOT_MAX_MMAP);
		e = &out->mmap[out->n_mmap++];
		e->base = rd64(t + off);
		e->len = rd64(t + off + 8);
		e->type = rd32(t + off + 16);
		if (e->base + e->len < e->base)
			FAIL("memory map entry %zu wraps around", out->n_mmap - 1);
	}
	return 0;
}

int mb2_parse(const void *info, uint64_t info_pa, struct boot_info *out,
	      char *err, size_t errlen)
{
	const unsigned char *p = info;
	uint32_t total, off;
	int have_end = 0, have_mmap = 0;

	memset(out, 0, sizeof(*out));
	out->cmdline = "";
	out->loader = "";
	if (!info || info_pa == 0)
		FAIL("no Multiboot2 boot information");
	if (info_pa % 8)
		FAIL("boot information at %#llx is not 8-byte aligned",
		     (unsigned long long)info_pa);
	total = rd32(p);
	if (total < 16 || total > MB2_MAX_SIZE || total % 8)
		FAIL("boot information size %u is invalid", total);
	out->info_start = info_pa;
	out->info_end = info_pa + total;

	for (off = 8; off + 8 <= total && !have_end;) {
		uint32_t type = rd32(p + off), size = rd32(p + off + 4);
		const unsigned char *t = p + off;

		if (size < 8 || size > total - off)
			FAIL("tag type %u at offset %u has bad size %u", type, off, size);
		switch (type) {
		case MB2_TAG_END:
			have_end = 1;
			break;
		case MB2_TAG_CMDLINE:
		case MB2_TAG_LOADER: {
			const char *s = terminated(t + 8, size - 8);
			if (!s)
				FAIL("tag type %u: string not terminated", type);
			if (type == MB2_TAG_CMDLINE)
				out->cmdline = s;
			else
				out->loader = s;
			break;
		}
		case MB2_TAG_MODULE: {
			struct boot_module *m;
			if (size < 17)
				FAIL("module tag too short (%u bytes)", size);
			if (out->n_mods == BOOT_MAX_MODULES)
				FAIL("more than %d modules", BOOT_MAX_MODULES);
			m = &out->mods[out->n_mods++];
			m->start = rd32(t + 8);
			m->end = rd32(t + 12);
			m->cmdline = terminated(t + 16, size - 16);
			if (!m->cmdline)
				FAIL("module %zu: command line not terminated", out->n_mods - 1);
			if (m->end < m->start)
				FAIL("module %zu: end %#llx before start %#llx",
				     out->n_mods - 1, (unsigned long long)m->end,
				     (unsigned long long)m->start);
			break;
		}
		case MB2_TAG_MMAP:
			if (parse_mmap(t, size, out, err, errlen))
				return -SV_EINVAL;
			have_mmap = 1;
			break;
		default:
			break;	/* tags we do not use */
		}
		off += (size + 7) & ~7u;
	}
	if (!have_end)
		FAIL("boot information has no end tag");
	if (!have_mmap || out->n_mmap == 0)
		FAIL("boot information has no memory map");
	return 0;
}

const char *mb2_mem_type_name(uint32_t type)
{
	switch (type) {
	case MB2_MEM_AVAILABLE:
		return "usable";
	case MB2_MEM_RESERVED:
		return "reserved";
	case MB2_MEM_ACPI_RECLAIMABLE:
		return "ACPI";
	case MB2_MEM_NVS:
		return "ACPI NVS";
	case MB2_MEM_BADRAM:
		return "bad RAM";
	default:
		return "unknown";
	}
}
