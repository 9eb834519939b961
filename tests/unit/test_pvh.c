// SPDX-License-Identifier: MIT
/*
 * test_pvh.c - the PVH loader (kernel/pvh.c, and loader.c's ELF part) over
 * simulated guest RAM: a synthetic ELF64 kernel with two PT_LOAD segments
 * (one with a bss) and a PT_NOTE holding other notes before the PVH entry
 * note is loaded, and every placed byte, the start info, the memory map,
 * the module, the command line, the GDT and the entry state are checked
 * against what the test put in; then an ELF32 with the note in an SHT_NOTE
 * section, each rejection (nothing written), a failing write, and a
 * mutation fuzz loop. The loaders are compiled into this test so that they
 * run under AddressSanitizer/UBSan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "guest_sim.h"
#include "kernel/vcpustate.h"
#include "kernel/loader.c"	/* sanitized copies */
#include "kernel/pvh.c"

#define RAM		(64 * MIB)
#define SEG0_GPA	0x100000ull
#define SEG0_OFF	0x1000
#define SEG0_FILE	0x3000
#define SEG0_MEM	0x5000		/* 0x2000 bytes of bss */
#define SEG1_GPA	0x400000ull
#define SEG1_OFF	0x4000
#define SEG1_FILE	0x1000
#define NOTE_OFF	0x5000
#define IMG_SIZE	0x5100
#define ENTRY		(SEG0_GPA + 0x40)
#define VBASE		0xffffffff81000000ull
#define RSDP		0xf0000

static uint8_t img[IMG_SIZE];
static size_t entry_desc;	/* file offset of the PVH note's descriptor */
static size_t note_phdr;	/* file offset of the PT_NOTE program header */

/* note - one ELF note at @off (4-byte padding); returns the offset after it. */
static size_t note(size_t off, const char *name, uint32_t type, const void *desc, uint32_t dsz)
{
	uint32_t nsz = (uint32_t)strlen(name) + 1;

	w32(img + off, nsz);
	w32(img + off + 4, dsz);
	w32(img + off + 8, type);
	memcpy(img + off + 12, name, nsz);
	off += 12 + ((nsz + 3) & ~3u);
	memcpy(img + off, desc, dsz);
	return off + ((dsz + 3) & ~3u);
}

/* make_notes - other notes, then the PVH note (8-byte descriptor, as Linux's); returns their end. */
static size_t make_notes(void)
{
	uint8_t id[20], ver[8] = "xen-3.0", ent[8];
	size_t o;

	for (int i = 0; i < 20; i++)
		id[i] = (uint8_t)(i * 13);
	w64(ent, ENTRY);
	o = note(NOTE_OFF, "GNU", 3, id, sizeof(id));
	o = note(o, "Xen", 5, ver, sizeof(ver));		/* XEN_ELFNOTE_XEN_VERSION */
	o = note(o, "Xenx", XEN_ELFNOTE_PHYS32_ENTRY, ent, 8);	/* not "Xen" */
	entry_desc = o + 12 + 4;
	return note(o, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, ent, 8);
}

/* make_elf64 - the synthetic kernel: patterned segments, the notes in a PT_NOTE. */
static void make_elf64(void)
{
	size_t notes_end;

	for (size_t i = 0; i < sizeof(img); i++)
		img[i] = (uint8_t)(i * 7 + (i >> 9) + 1);
	memset(img, 0, 64 + 4 * 56);
	memset(img + NOTE_OFF, 0, IMG_SIZE - NOTE_OFF);
	sim_elf_header(img, true, SEG0_GPA, 4);	/* e_entry: Linux's is its 64-bit entry, unused */
	notes_end = make_notes();
	sim_phdr64(img + 64, 1, SEG0_OFF, VBASE, SEG0_GPA, SEG0_FILE, SEG0_MEM);
	sim_phdr64(img + 64 + 56, 1, SEG1_OFF, VBASE + 0x300000, SEG1_GPA, SEG1_FILE, SEG1_FILE);
	note_phdr = 64 + 56 * 2;
	sim_phdr64(img + note_phdr, 4, NOTE_OFF, VBASE + 0x500000, 0x500000, notes_end - NOTE_OFF,
		   notes_end - NOTE_OFF);
	w64(img + note_phdr + 48, 4);
	sim_phdr64(img + 64 + 56 * 3, 6, 0, 0, 0, 0, 0);	/* PT_PHDR-like, ignored */
}

static uint8_t initrd_bytes[10000];

static void test_load(void **state)
{
	struct sim *s = sim_new(RAM);
	struct mb1_module rd = { initrd_bytes, sizeof(initrd_bytes), "initrd" };
	const char *cl = "console=ttyS0 panic=-1";
	const uint64_t si = PVH_START_INFO_GPA;
	struct pvh_boot b;
	struct vcpu_boot_state st;
	struct guest_range r[GUEST_RAM_RANGES];
	uint64_t ram = 0, map_ram = 0, prev_end = 0, mm, mod;
	char err[128] = "";

	(void)state;
	for (size_t i = 0; i < sizeof(initrd_bytes); i++)
		initrd_bytes[i] = (uint8_t)(i ^ 0x5a);
	make_elf64();
	assert_true(pvh_has_note(img, sizeof(img)));
	assert_false(mb1_has_header(img, sizeof(img)));
	assert_int_equal(pvh_load(&s->gm, img, sizeof(img), cl, &rd, RSDP, &b, err, sizeof(err)), 0);
	assert_int_equal(s->bad, 0);
	assert_int_equal(b.entry, ENTRY);
	assert_int_equal(b.format, MB1_FMT_ELF64);
	assert_int_equal(b.nseg, 2);
	assert_int_equal(b.kernel_start, SEG0_GPA);
	assert_int_equal(b.kernel_end, SEG1_GPA + SEG1_FILE);
	assert_int_equal(b.kernel_bytes, SEG0_FILE + SEG1_FILE);
	/* The segments at p_paddr, the bss zeroed, nothing around them touched. */
	assert_memory_equal(s->ram + SEG0_GPA, img + SEG0_OFF, SEG0_FILE);
	for (uint64_t a = SEG0_GPA + SEG0_FILE; a < SEG0_GPA + SEG0_MEM; a++)
		assert_int_equal(s->ram[a], 0);
	assert_int_equal(s->ram[SEG0_GPA + SEG0_MEM], POISON);
	assert_int_equal(s->ram[SEG0_GPA - 1], POISON);
	assert_memory_equal(s->ram + SEG1_GPA, img + SEG1_OFF, SEG1_FILE);
	assert_int_equal(s->ram[SEG1_GPA + SEG1_FILE], POISON);
	/* The initrd: page-aligned, as high as RAM allows, above the kernel. */
	assert_int_equal(b.initrd_size, sizeof(initrd_bytes));
	assert_int_equal(b.initrd_addr & 0xfff, 0);
	assert_true(b.initrd_addr + sizeof(initrd_bytes) <= RAM);
	assert_true(b.initrd_addr + sizeof(initrd_bytes) + 4096 > RAM);
	assert_memory_equal(s->ram + b.initrd_addr, initrd_bytes, sizeof(initrd_bytes));
	/* struct hvm_start_info. */
	assert_int_equal(sim_rd(s, si + 0, 4), 0x336ec578);
	assert_int_equal(sim_rd(s, si + 4, 4), 1);
	assert_int_equal(sim_rd(s, si + 8, 4), 0);
	assert_int_equal(sim_rd(s, si + 12, 4), 1);
	mod = sim_rd(s, si + 16, 8);
	assert_int_equal(sim_rd(s, si + 24, 8), PVH_CMDLINE_GPA);
	assert_int_equal(sim_rd(s, si + 32, 8), RSDP);
	mm = sim_rd(s, si + 40, 8);
	assert_int_equal(sim_rd(s, si + 48, 4), b.memmap_entries);
	assert_int_equal(sim_rd(s, si + 52, 4), 0);
	assert_string_equal((const char *)s->ram + sim_rd(s, si + 24, 8), cl);
	/* Module 0: the initrd, with its string. */
	assert_true(mod > si && mod + 32 <= si + 4096);
	assert_int_equal(sim_rd(s, mod, 8), b.initrd_addr);
	assert_int_equal(sim_rd(s, mod + 8, 8), sizeof(initrd_bytes));
	assert_string_equal((const char *)s->ram + sim_rd(s, mod + 16, 8), "initrd");
	assert_int_equal(sim_rd(s, mod + 24, 8), 0);
	/* The memory map: ascending, exactly guest RAM as RAM, the BIOS area reserved. */
	assert_true(mm > si && mm + 24 * b.memmap_entries <= si + 4096);
	assert_true(b.memmap_entries >= 2);
	guest_ram_ranges(RAM, r);
	for (int i = 0; i < GUEST_RAM_RANGES; i++)
		ram += r[i].end - r[i].start;
	for (unsigned i = 0; i < b.memmap_entries; i++) {
		uint64_t e = mm + 24 * i, a = sim_rd(s, e, 8), n = sim_rd(s, e + 8, 8);

		assert_true(a >= prev_end);
		prev_end = a + n;
		assert_int_equal(sim_rd(s, e + 20, 4), 0);
		if (sim_rd(s, e + 16, 4) == 1) {
			assert_true(guest_range_is_ram(RAM, a, n));
			map_ram += n;
		} else {
			assert_int_equal(sim_rd(s, e + 16, 4), 2);
			assert_true(a >= 0xe0000 && a + n <= 0x100000);
		}
	}
	assert_int_equal(map_ram, ram);
	/* The GDT and the entry state. */
	assert_int_equal(sim_rd(s, LINUX_GDT_GPA + 0x10, 8), 0x00cf9a000000ffffull);
	assert_int_equal(sim_rd(s, LINUX_GDT_GPA + 0x18, 8), 0x00cf92000000ffffull);
	pvh_boot_state(&b, &st);
	assert_int_equal(st.rip, ENTRY);
	assert_int_equal(st.regs.rbx, si);
	assert_int_equal(st.seg[SEG_CS].sel, 0x10);
	assert_int_equal(st.seg[SEG_CS].base, 0);
	assert_int_equal(st.seg[SEG_CS].limit, 0xffffffff);
	for (int sr = SEG_ES; sr <= SEG_DS; sr++) {
		if (sr == SEG_CS)
			continue;
		assert_int_equal(st.seg[sr].sel, 0x18);
		assert_int_equal(st.seg[sr].base, 0);
		assert_int_equal(st.seg[sr].limit, 0xffffffff);
	}
	assert_int_equal(st.gdtr.base, LINUX_GDT_GPA);
	assert_int_equal(st.gdtr.limit, 31);
	assert_int_equal(st.cr0 & 0x80000001u, 1);	/* PE, no paging */
	assert_int_equal(st.cr4, 0);
	assert_int_equal(st.efer, 0);
	assert_int_equal(st.rflags & 0x200, 0);	/* interrupts off */
	sim_free(s);
}

/* shdr32 - section header @i of an ELF32 image (section headers at 0x200). */
static void shdr32(unsigned i, uint32_t type, uint32_t off, uint32_t size)
{
	uint8_t *p = img + 0x200 + 40 * i;

	memset(p, 0, 40);
	w32(p + 4, type);
	w32(p + 16, off);
	w32(p + 20, size);
	w32(p + 32, 4);
}

/* An ELF32 kernel whose note is only in an SHT_NOTE section; no initrd, a short descriptor. */
static void test_elf32_section_note(void **state)
{
	struct sim *s = sim_new(RAM);
	struct pvh_boot b;
	struct vcpu_boot_state st;
	uint8_t ent[4];
	size_t end;

	(void)state;
	make_elf64();
	memset(img, 0, 0x400);
	memset(img + NOTE_OFF, 0, IMG_SIZE - NOTE_OFF);
	sim_elf_header(img, false, SEG0_GPA, 1);
	w32(img + 32, 0x200);		/* e_shoff */
	w16(img + 46, 40);
	w16(img + 48, 3);
	sim_phdr32(img + 52, 1, SEG0_OFF, SEG0_GPA, SEG0_GPA, SEG0_FILE, SEG0_MEM);
	w32(ent, ENTRY + 4);
	end = note(NOTE_OFF, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, ent, 4);
	shdr32(0, 0, 0, 0);
	shdr32(1, 1, SEG0_OFF, SEG0_FILE);	/* SHT_PROGBITS */
	shdr32(2, 7, NOTE_OFF, (uint32_t)(end - NOTE_OFF));
	assert_true(pvh_has_note(img, sizeof(img)));
	assert_int_equal(pvh_load(&s->gm, img, sizeof(img), NULL, NULL, 0, &b, NULL, 0), 0);
	assert_int_equal(b.format, MB1_FMT_ELF32);
	assert_int_equal(b.entry, ENTRY + 4);
	assert_int_equal(b.initrd_size, 0);
	assert_int_equal(sim_rd(s, PVH_START_INFO_GPA + 12, 4), 0);	/* nr_modules */
	assert_int_equal(sim_rd(s, PVH_START_INFO_GPA + 16, 8), 0);	/* modlist_paddr */
	assert_int_equal(sim_rd(s, PVH_START_INFO_GPA + 32, 8), 0);	/* rsdp_paddr */
	assert_int_equal(s->ram[PVH_CMDLINE_GPA], 0);
	pvh_boot_state(&b, &st);
	assert_int_equal(st.rip, ENTRY + 4);
	/* A PT_NOTE without the note hides the sections: no note then. */
	sim_phdr32(img + 52 + 32, 4, NOTE_OFF, 0, 0, 0, 0);
	w16(img + 44, 2);
	assert_false(pvh_has_note(img, sizeof(img)));
	sim_free(s);
}

struct reject {
	const char *what;
	void (*mutate)(void);
	size_t size;		/* 0: the whole image */
	uint64_t ram;		/* 0: RAM */
	size_t initrd;		/* initrd bytes, or ~0: none */
	size_t cmdline;		/* command-line bytes */
	int rc;
};

static void m_none(void) { }
static void m_not_elf(void) { img[1] = 'e'; }
static void m_machine(void) { w16(img + 18, 40); }
static void m_no_note(void) { w32(img + entry_desc - 16 + 8, XEN_ELFNOTE_PHYS32_ENTRY + 1); }
static void m_short_desc(void) { w32(img + entry_desc - 16 + 4, 2); }
static void m_odd_desc(void) { w32(img + entry_desc - 16 + 4, 6); }
static void m_high_entry(void) { w32(img + entry_desc + 4, 1); }
static void m_entry_bss(void) { w32(img + entry_desc, SEG0_GPA + SEG0_FILE + 8); }
static void m_note_runs(void) { w32(img + entry_desc - 16 + 4, 0x1000); }
static void m_note_outside(void) { w64(img + note_phdr + 8, IMG_SIZE - 8); }
static void m_huge_filesz(void) { w64(img + 64 + 32, 0xffffffffffff0000ull); w64(img + 64 + 40, 0xffffffffffff0000ull); }
static void m_huge_off(void) { w64(img + 64 + 8, 0xfffffffffffff000ull); }
static void m_wrap_memsz(void) { w64(img + 64 + 56 + 40, 0xfffffffffff00000ull); }
static void m_low_seg(void) { w64(img + 64 + 24, 0x7000); }
static void m_low_seg2(void) { w64(img + 64 + 24, 0x3000); }
static void m_hole_seg(void) { w64(img + 64 + 24, 0xc0000); }
static void m_overlap(void) { w64(img + 64 + 56 + 24, SEG0_GPA + 0x1000); }
static void m_phnum(void) { w16(img + 56, 2000); }

static const struct reject rejects[] = {
	{ "not ELF", m_not_elf, 0, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "wrong machine", m_machine, 0, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "truncated header", m_none, 40, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "truncated program headers", m_none, 200, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "truncated segment", m_none, SEG0_OFF + 0x100, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "truncated notes", m_none, NOTE_OFF + 0x20, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "no note", m_no_note, 0, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "short descriptor", m_short_desc, 0, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "6-byte descriptor", m_odd_desc, 0, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "entry above 4 GiB", m_high_entry, 0, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "entry in the bss", m_entry_bss, 0, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "note runs past its area", m_note_runs, 0, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "note area outside the file", m_note_outside, 0, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "huge p_filesz", m_huge_filesz, 0, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "huge p_offset", m_huge_off, 0, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "p_memsz wraps", m_wrap_memsz, 0, 0, ~(size_t)0, 0, -SV_ENOMEM },
	{ "segment on the start info", m_low_seg, 0, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "segment on the GDT", m_low_seg2, 0, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "segment in the hole", m_hole_seg, 0, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "segments overlap", m_overlap, 0, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "too many program headers", m_phnum, 0, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "segment outside RAM", m_none, 0, 4 * MIB, ~(size_t)0, 0, -SV_ENOMEM },
	{ "initrd too big", m_none, 0, 0, 60 * MIB, 0, -SV_ENOMEM },
	{ "empty initrd", m_none, 0, 0, 0, 0, -SV_ENOEXEC },
	{ "command line too long", m_none, 0, 0, ~(size_t)0, PVH_CMDLINE_MAX + 1, -SV_EINVAL },
};

static void test_rejects(void **state)
{
	static uint8_t big[60 << 20];
	static char cl[5000];

	(void)state;
	for (size_t i = 0; i < sizeof(rejects) / sizeof(rejects[0]); i++) {
		const struct reject *r = &rejects[i];
		struct sim *s = sim_new(r->ram ? r->ram : RAM);
		struct mb1_module rd = { big, r->initrd, NULL };
		struct pvh_boot b;
		char err[128] = "";
		int rc;

		make_elf64();
		r->mutate();
		memset(cl, 'x', r->cmdline);
		cl[r->cmdline] = '\0';
		rc = pvh_load(&s->gm, img, r->size ? r->size : sizeof(img), cl,
			      r->initrd == ~(size_t)0 ? NULL : &rd, 0, &b, err, sizeof(err));
		if (rc != r->rc || s->writes || strncmp(err, "pvh: ", 5) || strlen(err) < 20)
			fail_msg("%s: rc %d (want %d), %lu writes, message '%s'", r->what, rc, r->rc,
				 s->writes, err);
		sim_free(s);
	}
	/* Truncated at the notes, the image is no PVH kernel for the dispatch either. */
	make_elf64();
	assert_false(pvh_has_note(img, NOTE_OFF + 0x20));
	assert_false(pvh_has_note(img, 40));
	assert_false(pvh_has_note(NULL, 0));
	m_no_note();
	assert_false(pvh_has_note(img, sizeof(img)));
}

/* A failing guest write is reported with its error. */
static void test_write_fails(void **state)
{
	struct sim *s = sim_new(RAM);
	struct mb1_module rd = { initrd_bytes, sizeof(initrd_bytes), NULL };
	struct pvh_boot b;
	char err[128];

	(void)state;
	make_elf64();
	/* Segment 0, its bss, segment 1, the initrd, the start info, the command line, the GDT. */
	for (long n = 0; n < 7; n++) {
		s->fail_after = n;
		s->writes = 0;
		assert_int_equal(pvh_load(&s->gm, img, sizeof(img), "a", &rd, 0, &b, err, sizeof(err)),
				 -SV_EIO);
		assert_int_equal(strncmp(err, "pvh: ", 5), 0);
	}
	s->fail_after = 7;
	s->writes = 0;
	assert_int_equal(pvh_load(&s->gm, img, sizeof(img), "a", &rd, 0, &b, err, sizeof(err)), 0);
	sim_free(s);
}

/* Mutations of the headers, the notes and the size: never a write outside RAM, none on failure. */
static void test_fuzz(void **state)
{
	static const size_t spans[][2] = { { 0, 64 + 4 * 56 }, { NOTE_OFF, 0x90 } };
	uint64_t x = 0x243f6a8885a308d3ull;
	struct sim *s = sim_new(24 * MIB);
	struct mb1_module rd = { initrd_bytes, sizeof(initrd_bytes), NULL };
	unsigned ok = 0;

	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		struct pvh_boot b;
		size_t size = sizeof(img);
		int rc;

		s->writes = s->bad = 0;
		make_elf64();
		for (int k = 0; k < 4; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			const size_t *sp = spans[(x >> 60) & 1];

			img[sp[0] + x % sp[1]] = (uint8_t)(x >> 32);
		}
		if ((x & 7) == 0)
			size = (size_t)(x >> 40) % sizeof(img);
		rc = pvh_load(&s->gm, img, size, "console=ttyS0", (x & 2) ? &rd : NULL, 0, &b, NULL, 0);
		if (s->bad)
			fail_msg("iteration %d: rc %d, entry %#x kernel %#llx-%#llx", iter, rc, b.entry,
				 (unsigned long long)b.kernel_start, (unsigned long long)b.kernel_end);
		if (rc)
			assert_int_equal(s->writes, 0);
		else
			ok++;
		(void)pvh_has_note(img, size);
	}
	sim_free(s);
	printf("pvh fuzz: %u of 20000 mutated images loaded\n", ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_elf32_section_note),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_write_fails),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
