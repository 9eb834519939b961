// SPDX-License-Identifier: MIT
/*
 * test_loader.c - the Multiboot v1 loader (kernel/loader.c) over simulated guest RAM.
 *
 * Images are built in memory (ELF32, ELF64, a.out kludge); every loaded byte,
 * the zeroed bss, the entry and the boot information are checked; then each
 * rejection, then a mutation fuzz loop. The loader is compiled into this test
 * (the #include below) so that mk/loader.mk can build it with
 * -fsanitize=address,undefined: an overread of the image is caught.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/vcpustate.h"
#include "kernel/loader.c"	/* a sanitized copy; see the file comment */

#include "guest_sim.h"

#define RAM_TOP		(4ull << 20)

/* ---- building images ---- */

/* put_mbh - a Multiboot header at @off with @flags (and a.out fields if given). */
static void put_mbh(uint8_t *img, size_t off, uint32_t flags, const uint32_t aout[5])
{
	w32(img + off, MB1_HEADER_MAGIC);
	w32(img + off + 4, flags);
	w32(img + off + 8, (uint32_t)-(MB1_HEADER_MAGIC + flags));
	for (int i = 0; aout && i < 5; i++)
		w32(img + off + 12 + 4 * i, aout[i]);
}

static void fill(uint8_t *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)((i * 131 + seed * 17 + (i >> 8)) | 1);	/* never 0 */
}

struct img {
	uint8_t *b;
	size_t size;
};

/* ELF32: text 0x800 bytes at 0x100000 (linked at 0xc0100000), a PT_NOTE,
 * data 0x300 file bytes + bss to 0x2000 at 0x104000. Entry 0xc0100010. */
#define E32_HDR		0x200
#define E32_TEXT_OFF	0x1000
#define E32_TEXT_PA	0x100000u
#define E32_TEXT_VA	0xc0100000u
#define E32_TEXT_SZ	0x800u
#define E32_DATA_OFF	0x2000
#define E32_DATA_PA	0x104000u
#define E32_DATA_FSZ	0x300u
#define E32_DATA_MSZ	0x2000u
#define E32_SIZE	(E32_DATA_OFF + E32_DATA_FSZ)

static struct img make_elf32(void)
{
	struct img im = { calloc(1, E32_SIZE), E32_SIZE };
	uint8_t *e = im.b;

	fill(e + E32_TEXT_OFF, E32_TEXT_SZ, 1);
	fill(e + E32_DATA_OFF, E32_DATA_FSZ, 2);
	sim_elf_header(e, false, E32_TEXT_VA + 0x10, 3);
	sim_phdr32(e + 52, 1, E32_TEXT_OFF, E32_TEXT_VA, E32_TEXT_PA, E32_TEXT_SZ, E32_TEXT_SZ);
	sim_phdr32(e + 84, 4, 0x180, 0, 0, 0x20, 0x20);	/* PT_NOTE: skipped */
	sim_phdr32(e + 116, 1, E32_DATA_OFF, E32_TEXT_VA + 0x4000, E32_DATA_PA,
		 E32_DATA_FSZ, E32_DATA_MSZ);
	put_mbh(e, E32_HDR, MB1_HF_PAGE_ALIGN | MB1_HF_MEMINFO, NULL);
	return im;
}

/* ELF64: one segment of 0x1000 file bytes + 0x2000 bss at 0x200000 (linked at
 * 0xffffffff80200000) and one page at 0x9f000 (low RAM, just under the hole). */
#define E64_HDR		0x100
#define E64_A_OFF	0x1000
#define E64_A_PA	0x200000ull
#define E64_A_VA	0xffffffff80200000ull
#define E64_A_FSZ	0x1000u
#define E64_A_MSZ	0x3000u
#define E64_B_OFF	0x2000
#define E64_B_PA	0x9f000ull
#define E64_B_SZ	0x1000u
#define E64_SIZE	(E64_B_OFF + E64_B_SZ)

static struct img make_elf64(void)
{
	struct img im = { calloc(1, E64_SIZE), E64_SIZE };
	uint8_t *e = im.b;

	fill(e + E64_A_OFF, E64_A_FSZ, 3);
	fill(e + E64_B_OFF, E64_B_SZ, 4);
	sim_elf_header(e, true, E64_A_VA + 0x100, 2);
	sim_phdr64(e + 64, 1, E64_A_OFF, E64_A_VA, E64_A_PA, E64_A_FSZ, E64_A_MSZ);
	sim_phdr64(e + 120, 1, E64_B_OFF, E64_B_PA, E64_B_PA, E64_B_SZ, E64_B_SZ);
	put_mbh(e, E64_HDR, MB1_HF_MEMINFO | MB1_HF_VIDEO, NULL);
	return im;
}

/* a.out kludge: a flat binary loaded at 0x100000, header at file offset 0x40,
 * 0x1800 bytes loaded (the file has 0x100 more), bss to 0x4000, entry 0x100080. */
#define AOUT_HDR	0x40
#define AOUT_LOAD	0x100000u
#define AOUT_LEN	0x1800u
#define AOUT_BSS_END	(AOUT_LOAD + 0x4000u)
#define AOUT_ENTRY	(AOUT_LOAD + 0x80u)
#define AOUT_SIZE	(AOUT_LEN + 0x100)

static struct img make_aout(void)
{
	struct img im = { calloc(1, AOUT_SIZE), AOUT_SIZE };
	const uint32_t aout[5] = { AOUT_LOAD + AOUT_HDR, AOUT_LOAD, AOUT_LOAD + AOUT_LEN,
				   AOUT_BSS_END, AOUT_ENTRY };

	fill(im.b, AOUT_SIZE, 5);
	put_mbh(im.b, AOUT_HDR, MB1_HF_AOUT_KLUDGE | MB1_HF_PAGE_ALIGN, aout);
	return im;
}

/* ---- checking a loaded guest ---- */

static uint32_t ram32(const struct sim *s, uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, s->ram + gpa, 4);
	return v;
}

/* check_info - the Multiboot information at EBX, as the spec lays it out. */
static void check_info_mods(const struct sim *s, const struct mb1_boot *b, const char *cmdline,
			    unsigned int nmods)
{
	struct mb1_info info;
	struct mb1_mmap_entry mm[3];

	assert_int_equal(b->eax, 0x2badb002);
	assert_int_equal(b->ebx, b->info_start);
	assert_int_equal(b->ebx & 0xfff, 0);
	assert_true(b->info_end > b->info_start);
	assert_true(sim_ok(s, b->info_start, b->info_end - b->info_start));
	/* not overlapping the image's extent */
	assert_true(b->info_end <= b->image_start || b->info_start >= b->image_end);

	memcpy(&info, s->ram + b->ebx, sizeof(info));
	assert_int_equal(sizeof(info), 88);
	assert_int_equal(info.flags, (1u << 0) | (1u << 2) | (1u << 3) | (1u << 6) | (1u << 9));
	assert_int_equal(ram32(s, b->ebx + 4), 640);				/* mem_lower */
	assert_int_equal(ram32(s, b->ebx + 8), (s->top - 0x100000) / 1024);	/* mem_upper */
	assert_int_equal(info.mods_count, nmods);
	if (!nmods)
		assert_int_equal(info.mods_addr, 0);
	assert_int_equal(ram32(s, b->ebx + 44), 72);				/* mmap_length */
	assert_int_equal(info.mmap_addr, ram32(s, b->ebx + 48));
	assert_true(info.mmap_addr >= b->info_start && info.mmap_addr + 72 <= b->info_end);
	memcpy(mm, s->ram + info.mmap_addr, sizeof(mm));
	assert_int_equal(mm[0].size, 20);
	assert_int_equal(mm[0].base, 0);
	assert_int_equal(mm[0].len, 0xa0000);
	assert_int_equal(mm[0].type, 1);
	assert_int_equal(mm[1].size, 20);
	assert_int_equal(mm[1].base, 0xa0000);
	assert_int_equal(mm[1].len, 0x60000);
	assert_int_equal(mm[1].type, 2);
	assert_int_equal(mm[2].size, 20);
	assert_int_equal(mm[2].base, 0x100000);
	assert_int_equal(mm[2].len, s->top - 0x100000);
	assert_int_equal(mm[2].type, 1);
	assert_true(info.cmdline >= b->info_start && info.cmdline < b->info_end);
	assert_string_equal((const char *)s->ram + info.cmdline, cmdline);
	assert_true(info.boot_loader_name >= b->info_start && info.boot_loader_name < b->info_end);
	assert_string_equal((const char *)s->ram + info.boot_loader_name, "sharevisor");
	assert_true(info.boot_loader_name + 11 <= b->info_end);
}

static void check_info(const struct sim *s, const struct mb1_boot *b, const char *cmdline)
{
	check_info_mods(s, b, cmdline, 0);
}

/* check_seg - file bytes copied, bss zeroed, a poisoned byte on either side. */
static void check_seg(const struct sim *s, uint64_t pa, const uint8_t *src, size_t fsz, size_t msz)
{
	assert_memory_equal(s->ram + pa, src, fsz);
	for (size_t i = fsz; i < msz; i++)
		if (s->ram[pa + i] != 0)
			fail_msg("bss byte at 0x%llx is 0x%02x", (unsigned long long)(pa + i),
				 s->ram[pa + i]);
	if (pa > 0)
		assert_int_equal(s->ram[pa - 1], POISON);
	assert_int_equal(s->ram[pa + msz], POISON);
}

static void test_elf32(void **state)
{
	struct sim *s = sim_new(RAM_TOP);
	struct img im = make_elf32();
	struct mb1_boot b;
	char err[MB1_ERR_MAX];

	(void)state;
	assert_int_equal(mb1_load(&s->gm, im.b, im.size, "seed=3 verbose", &b, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(b.format, MB1_FMT_ELF32);
	assert_int_equal(b.eip, E32_TEXT_PA + 0x10);	/* virtual entry translated */
	assert_int_equal(b.header_offset, E32_HDR);
	assert_int_equal(b.header_flags, 3);
	assert_int_equal(b.image_start, E32_TEXT_PA);
	assert_int_equal(b.image_end, E32_DATA_PA + E32_DATA_MSZ);
	assert_string_equal(b.note, "");
	check_seg(s, E32_TEXT_PA, im.b + E32_TEXT_OFF, E32_TEXT_SZ, E32_TEXT_SZ);
	check_seg(s, E32_DATA_PA, im.b + E32_DATA_OFF, E32_DATA_FSZ, E32_DATA_MSZ);
	/* the gap between the segments is untouched */
	for (uint64_t a = E32_TEXT_PA + E32_TEXT_SZ; a < E32_DATA_PA; a++)
		assert_int_equal(s->ram[a], POISON);
	check_info(s, &b, "seed=3 verbose");
	assert_true(b.info_end <= 0xa0000);		/* info goes to low RAM */
	assert_int_equal(b.info_start, 0x9f000);
	assert_int_equal(s->bad, 0);
	free(im.b);
	sim_free(s);
}

/* Modules: placed page-aligned above the kernel, in order, with their strings; too big is ENOMEM. */
static void test_modules(void **state)
{
	struct sim *s = sim_new(RAM_TOP);
	struct img im = make_elf32();
	uint8_t a[5000], bmod[3];
	struct mb1_module mods[3] = {
		{ a, sizeof(a), "env nr_cpus=1" }, { bmod, sizeof(bmod), NULL }, { NULL, 0, "empty" },
	};
	struct mb1_mod_entry e[3];
	struct mb1_info info;
	struct mb1_boot b;
	char err[MB1_ERR_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(a); i++)
		a[i] = (uint8_t)(i * 7 + 1);
	memcpy(bmod, "xyz", 3);
	assert_int_equal(mb1_load_mods(&s->gm, im.b, im.size, "k", mods, 3, &b, err, sizeof(err)), 0);
	check_info_mods(s, &b, "k", 3);
	memcpy(&info, s->ram + b.ebx, sizeof(info));
	assert_true(info.mods_addr >= b.info_start && info.mods_addr + sizeof(e) <= b.info_end);
	memcpy(e, s->ram + info.mods_addr, sizeof(e));
	/* In order, page-aligned, above the kernel, not overlapping the info. */
	assert_true(e[0].mod_start >= b.image_end);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(e[i].mod_start & 0xfff, 0);
		assert_int_equal(e[i].mod_end - e[i].mod_start, mods[i].size);
		assert_true(e[i].mod_end <= b.info_start || e[i].mod_start >= b.info_end);
		assert_int_equal(e[i].reserved, 0);
		if (i)
			assert_true(e[i].mod_start >= e[i - 1].mod_end);
	}
	assert_memory_equal(s->ram + e[0].mod_start, a, sizeof(a));
	assert_memory_equal(s->ram + e[1].mod_start, "xyz", 3);
	assert_string_equal((const char *)s->ram + e[0].string, "env nr_cpus=1");
	assert_string_equal((const char *)s->ram + e[1].string, "");
	assert_string_equal((const char *)s->ram + e[2].string, "empty");
	assert_int_equal(b.nmods, 3);
	assert_int_equal(b.mods_start, e[0].mod_start);
	assert_int_equal(b.mods_end, e[2].mod_end);
	assert_int_equal(s->bad, 0);
	sim_free(s);

	/* A module bigger than the RAM above the kernel: ENOMEM naming it, nothing written. */
	s = sim_new(RAM_TOP);
	mods[1].size = RAM_TOP;
	mods[1].data = calloc(1, RAM_TOP);
	assert_int_equal(mb1_load_mods(&s->gm, im.b, im.size, "k", mods, 3, &b, err, sizeof(err)),
			 -SV_ENOMEM);
	assert_non_null(strstr(err, "module 1 ("));
	for (uint64_t i = 0; i < RAM_TOP; i++)
		assert_int_equal(s->ram[i], POISON);
	free((void *)mods[1].data);
	assert_int_equal(mb1_load_mods(&s->gm, im.b, im.size, "k", mods, MB1_MAX_MODS + 1, &b, err,
				       sizeof(err)), -SV_EINVAL);
	free(im.b);
	sim_free(s);
}

/* The vCPU state a Multiboot v1 kernel starts in: 32-bit flat protected mode, paging off. */
static void test_boot_state(void **state)
{
	struct mb1_boot b = { .eip = 0x10000c, .eax = MB1_BOOT_MAGIC, .ebx = 0x9f000 };
	struct vcpu_boot_state st;

	(void)state;
	memset(&st, 0xa5, sizeof(st));
	mb1_boot_state(&b, &st);
	assert_int_equal(st.rip, 0x10000c);
	assert_int_equal(st.regs.rax, 0x2badb002);
	assert_int_equal(st.regs.rbx, 0x9f000);
	assert_int_equal(st.regs.rcx | st.regs.rdx | st.regs.rsi | st.regs.rdi | st.regs.r15, 0);
	assert_int_equal(st.rsp, 0);
	assert_int_equal(st.cr0, 1 | 0x10);			/* PE, ET */
	assert_int_equal(st.cr3 | st.cr4 | st.efer, 0);
	assert_int_equal(st.rflags, 2);				/* IF clear */
	assert_int_equal(st.seg[SEG_CS].sel, 0x08);
	assert_int_equal(st.seg[SEG_CS].attr, 0xc9b);		/* code, 32-bit, 4 KiB granular */
	for (int i = 0; i < SEG_COUNT; i++) {
		if (i == SEG_CS || i == SEG_LDTR || i == SEG_TR)
			continue;
		assert_int_equal(st.seg[i].sel, 0x10);
		assert_int_equal(st.seg[i].attr, 0xc93);	/* data, writable */
		assert_int_equal(st.seg[i].base, 0);
		assert_int_equal(st.seg[i].limit, 0xffffffff);
	}
	assert_int_equal(st.seg[SEG_LDTR].attr, 0);		/* unusable */
	assert_int_equal(st.seg[SEG_TR].attr, 0x8b);		/* busy 32-bit TSS */
}

/* entry=real: CS from the load address, IP the entry's offset; refused where real mode cannot reach. */
static void test_boot_state_real(void **state)
{
	struct mb1_boot b = { .eip = 0x8020, .eax = MB1_BOOT_MAGIC, .ebx = 0x9f000, .image_start = 0x8000 };
	struct vcpu_boot_state st;
	char err[MB1_ERR_MAX];

	(void)state;
	assert_int_equal(mb1_boot_state_real(&b, &st, err, sizeof(err)), 0);
	assert_int_equal(st.seg[SEG_CS].sel, 0x800);
	assert_int_equal(st.seg[SEG_CS].base, 0x8000);
	assert_int_equal(st.seg[SEG_CS].limit, 0xffff);
	assert_int_equal(st.seg[SEG_CS].attr, 0x9b);		/* 16-bit code */
	assert_int_equal(st.seg[SEG_SS].base, 0x8000);
	assert_int_equal(st.rip, 0x20);
	assert_int_equal(st.cr0 & 1, 0);			/* PE clear */
	assert_int_equal(st.regs.rax, 0x2badb002);
	assert_int_equal(st.regs.rbx, 0x9f000);
	b.image_start = 0x100000, b.eip = 0x10000c;		/* above 1 MiB */
	assert_int_equal(mb1_boot_state_real(&b, &st, err, sizeof(err)), -SV_ENOEXEC);
	assert_non_null(strstr(err, "entry=real"));
	b.image_start = 0x8008, b.eip = 0x8010;			/* not 16-byte aligned */
	assert_int_equal(mb1_boot_state_real(&b, &st, err, sizeof(err)), -SV_ENOEXEC);
	b.image_start = 0x10000, b.eip = 0x20000;		/* entry beyond 64 KiB */
	assert_int_equal(mb1_boot_state_real(&b, &st, err, sizeof(err)), -SV_ENOEXEC);
}

static void test_elf64(void **state)
{
	struct sim *s = sim_new(RAM_TOP);
	struct img im = make_elf64();
	struct mb1_boot b;
	char err[MB1_ERR_MAX];

	(void)state;
	assert_int_equal(mb1_load(&s->gm, im.b, im.size, NULL, &b, err, sizeof(err)), 0);
	assert_int_equal(b.format, MB1_FMT_ELF64);
	assert_int_equal(b.eip, E64_A_PA + 0x100);
	assert_non_null(strstr(b.note, "video"));
	check_seg(s, E64_A_PA, im.b + E64_A_OFF, E64_A_FSZ, E64_A_MSZ);
	assert_memory_equal(s->ram + E64_B_PA, im.b + E64_B_OFF, E64_B_SZ);
	check_info(s, &b, "");
	/* the page under the hole is taken: the info goes just below it */
	assert_int_equal(b.info_start, 0x9e000);
	assert_true(b.info_end <= E64_B_PA);
	assert_int_equal(s->bad, 0);
	free(im.b);
	sim_free(s);
}

static void test_aout(void **state)
{
	struct sim *s = sim_new(RAM_TOP);
	struct img im = make_aout();
	struct mb1_boot b;
	char err[MB1_ERR_MAX];

	(void)state;
	assert_int_equal(mb1_load(&s->gm, im.b, im.size, "x", &b, err, sizeof(err)), 0);
	assert_int_equal(b.format, MB1_FMT_AOUT);
	assert_int_equal(b.eip, AOUT_ENTRY);
	check_seg(s, AOUT_LOAD, im.b, AOUT_LEN, AOUT_BSS_END - AOUT_LOAD);
	check_info(s, &b, "x");
	free(im.b);

	/* load_end_addr = 0: to the end of the file; bss_end_addr = 0: no bss. */
	sim_free(s);
	s = sim_new(RAM_TOP);
	im = make_aout();
	{
		const uint32_t aout[5] = { AOUT_LOAD + AOUT_HDR, AOUT_LOAD, 0, 0, AOUT_ENTRY };

		put_mbh(im.b, AOUT_HDR, MB1_HF_AOUT_KLUDGE, aout);
	}
	assert_int_equal(mb1_load(&s->gm, im.b, im.size, "", &b, err, sizeof(err)), 0);
	check_seg(s, AOUT_LOAD, im.b, AOUT_SIZE, AOUT_SIZE);
	assert_int_equal(b.image_end, AOUT_LOAD + AOUT_SIZE);
	free(im.b);

	/* The kludge takes precedence over ELF: an ELF32 file with flag 16. */
	sim_free(s);
	s = sim_new(RAM_TOP);
	im = make_elf32();
	{
		/* load the whole file at 0x300000, header at 0x300000 + E32_HDR */
		const uint32_t aout[5] = { 0x300000 + E32_HDR, 0x300000, 0, 0x300000 + 0x4000,
					   0x300000 + E32_TEXT_OFF };

		put_mbh(im.b, E32_HDR, MB1_HF_AOUT_KLUDGE, aout);
	}
	assert_int_equal(mb1_load(&s->gm, im.b, im.size, "", &b, err, sizeof(err)), 0);
	assert_int_equal(b.format, MB1_FMT_AOUT);
	assert_non_null(strstr(b.note, "kludge"));
	assert_int_equal(b.eip, 0x300000 + E32_TEXT_OFF);
	check_seg(s, 0x300000, im.b, E32_SIZE, 0x4000);
	assert_int_equal(s->ram[E32_TEXT_PA], POISON);	/* ELF segments not used */
	free(im.b);
	sim_free(s);
}

/* The layout function the p2m set-up shares. */
static void test_ram_ranges(void **state)
{
	struct guest_range r[GUEST_RAM_RANGES];

	(void)state;
	assert_int_equal(guest_ram_ranges(64ull << 20, r), 2);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[0].end, 0xa0000);
	assert_int_equal(r[1].start, 0x100000);
	assert_int_equal(r[1].end, 64ull << 20);
	assert_int_equal(guest_ram_ranges(2ull << 20, r), 2);
	assert_int_equal(guest_ram_ranges(3ull << 30, r), 2);
	assert_int_equal(guest_ram_ranges((2ull << 20) - 4096, r), -SV_EINVAL);
	assert_int_equal(guest_ram_ranges((3ull << 30) + 4096, r), -SV_EINVAL);
	assert_int_equal(guest_ram_ranges((4ull << 20) + 1, r), -SV_EINVAL);
	assert_true(guest_range_is_ram(RAM_TOP, 0, 0xa0000));
	assert_false(guest_range_is_ram(RAM_TOP, 0, 0xa0001));
	assert_false(guest_range_is_ram(RAM_TOP, 0x9ffff, 2));
	assert_false(guest_range_is_ram(RAM_TOP, 0xfffff, 1));
	assert_true(guest_range_is_ram(RAM_TOP, 0x100000, RAM_TOP - 0x100000));
	assert_false(guest_range_is_ram(RAM_TOP, 0x100000, RAM_TOP - 0x100000 + 1));
	assert_false(guest_range_is_ram(RAM_TOP, RAM_TOP, 1));
	assert_false(guest_range_is_ram(RAM_TOP, 0x1000, 0));
	assert_false(guest_range_is_ram(RAM_TOP, UINT64_MAX - 10, 100));
	assert_false(guest_range_is_ram(RAM_TOP, 0x100000, UINT64_MAX));
}

/* ---- rejections ---- */

enum base { B_ELF32, B_ELF64, B_AOUT, B_NONE };

struct reject {
	const char *name;
	enum base base;
	void (*mutate)(struct img *im);
	int rc;
	const char *msg;	/* substring of the message */
};

static void m_empty(struct img *im) { im->size = 0; }
static void m_tiny(struct img *im) { im->size = 8; }
static void m_nomagic(struct img *im) { memset(im->b + E32_HDR, 0, 12); }
static void m_checksum(struct img *im) { im->b[E32_HDR + 8] ^= 1; }
static void m_flag3(struct img *im) { put_mbh(im->b, E32_HDR, 3 | (1u << 3), NULL); }
static void m_flag15(struct img *im) { put_mbh(im->b, E32_HDR, 1u << 15, NULL); }

static void m_hdr_past_8k(struct img *im)
{
	uint8_t *b = calloc(1, 8192 + 64);

	memcpy(b, im->b, 8192 + 64 < im->size ? 8192 + 64 : im->size);
	memset(b + E32_HDR, 0, 12);
	put_mbh(b, 8192, 3, NULL);
	free(im->b);
	im->b = b;
	im->size = 8192 + 64;
}

static void m_aout_cut(struct img *im)
{
	/* kludge header whose a.out fields run past the end of the file */
	memset(im->b + AOUT_HDR, 0, 12);
	put_mbh(im->b, AOUT_SIZE - 16, MB1_HF_AOUT_KLUDGE, NULL);
}

static void m_not_elf(struct img *im) { im->b[1] = 'X'; }
static void m_class(struct img *im) { im->b[4] = 3; }
static void m_bigendian(struct img *im) { im->b[5] = 2; }
static void m_etype(struct img *im) { w16(im->b + 16, 3); }
static void m_machine(struct img *im) { w16(im->b + 18, 62); }
static void m_machine64(struct img *im) { w16(im->b + 18, 3); }
static void m_trunc_ehdr(struct img *im)
{
	/* an ELF64 header cut at 40 bytes, multiboot header moved into it */
	uint8_t *b = calloc(1, 40);

	memcpy(b, im->b, 16);
	put_mbh(b, 16, 2, NULL);
	free(im->b);
	im->b = b;
	im->size = 40;
}
static void m_phnum0(struct img *im) { w16(im->b + 44, 0); }
static void m_phnum_big(struct img *im) { w16(im->b + 44, 129); }
static void m_phnum_xnum(struct img *im) { w16(im->b + 44, 0xffff); }
static void m_phentsize(struct img *im) { w16(im->b + 42, 31); }
static void m_phoff_far(struct img *im) { w32(im->b + 28, E32_SIZE - 64); }
static void m_phoff_wrap(struct img *im) { w64(im->b + 32, UINT64_MAX - 8); }
static void m_filesz_gt_memsz(struct img *im) { w32(im->b + 116 + 16, E32_DATA_MSZ + 1); }
static void m_seg_trunc(struct img *im) { im->size = E32_SIZE - 1; }
static void m_seg_off_wrap(struct img *im) { w32(im->b + 116 + 4, 0xffffff00); }
static void m_seg_off_wrap64(struct img *im) { w64(im->b + 64 + 8, UINT64_MAX - 0x10); }
static void m_seg_hole(struct img *im) { w32(im->b + 116 + 12, 0x9f000); }
static void m_seg_in_hole(struct img *im) { w32(im->b + 116 + 12, 0xb8000); }
static void m_seg_beyond(struct img *im) { w32(im->b + 116 + 12, (uint32_t)RAM_TOP - 0x1000); }
static void m_seg_far(struct img *im) { w32(im->b + 116 + 12, 0xfffff000); }
static void m_seg_wrap64(struct img *im) { w64(im->b + 64 + 24, UINT64_MAX - 0xfff); }
static void m_seg_high64(struct img *im) { w64(im->b + 64 + 24, 1ull << 40); }
static void m_overlap(struct img *im) { w32(im->b + 116 + 12, E32_TEXT_PA + 0x7ff); }
static void m_noload(struct img *im)
{
	w32(im->b + 52, 6);
	w32(im->b + 116, 0x6474e551);
}
static void m_bss_only_entry(struct img *im) { w32(im->b + 24, E32_TEXT_VA + 0x4000 + E32_DATA_FSZ); }
static void m_entry_out(struct img *im) { w32(im->b + 24, 0x200000); }
static void m_entry_4g(struct img *im) { w64(im->b + 24, 0x100000000ull); }
static void m_many_segs(struct img *im)
{
	/* 17 one-page PT_LOAD segments (a fresh header table at 0x400) */
	w32(im->b + 28, 0x400);
	w16(im->b + 44, 17);
	for (int i = 0; i < 17; i++)
		sim_phdr32(im->b + 0x400 + 32 * i, 1, E32_TEXT_OFF, E32_TEXT_VA,
			 E32_TEXT_PA + 0x1000u * (unsigned)i, 0x10, 0x10);
}

static void put_aout(struct img *im, uint32_t hdr, uint32_t load, uint32_t end, uint32_t bss,
		     uint32_t entry)
{
	const uint32_t a[5] = { hdr, load, end, bss, entry };

	put_mbh(im->b, AOUT_HDR, MB1_HF_AOUT_KLUDGE, a);
}

static void m_a_load_above(struct img *im)
{
	put_aout(im, AOUT_LOAD, AOUT_LOAD + 4, 0, 0, AOUT_ENTRY);
}
static void m_a_before_file(struct img *im)
{
	put_aout(im, AOUT_LOAD + AOUT_HDR, AOUT_LOAD - 4, 0, 0, AOUT_ENTRY);
}
static void m_a_end_low(struct img *im)
{
	put_aout(im, AOUT_LOAD + AOUT_HDR, AOUT_LOAD, AOUT_LOAD + AOUT_HDR, 0, AOUT_ENTRY);
}
static void m_a_trunc(struct img *im)
{
	put_aout(im, AOUT_LOAD + AOUT_HDR, AOUT_LOAD, AOUT_LOAD + AOUT_SIZE + 1, 0, AOUT_ENTRY);
}
static void m_a_bss_low(struct img *im)
{
	put_aout(im, AOUT_LOAD + AOUT_HDR, AOUT_LOAD, AOUT_LOAD + AOUT_LEN,
		 AOUT_LOAD + AOUT_LEN - 1, AOUT_ENTRY);
}
static void m_a_entry(struct img *im)
{
	put_aout(im, AOUT_LOAD + AOUT_HDR, AOUT_LOAD, AOUT_LOAD + AOUT_LEN, AOUT_BSS_END,
		 AOUT_LOAD + AOUT_LEN);
}
static void m_a_hole(struct img *im)
{
	put_aout(im, 0x9f000 + AOUT_HDR, 0x9f000, 0, 0, 0x9f000 + AOUT_HDR);
}
static void m_a_beyond(struct img *im)
{
	put_aout(im, 0xffffe000 + AOUT_HDR, 0xffffe000, 0, 0xfffffff0, 0xffffe000 + AOUT_HDR);
}

static const struct reject rejects[] = {
	{ "empty", B_ELF32, m_empty, -SV_ENOEXEC, "no multiboot header" },
	{ "tiny", B_ELF32, m_tiny, -SV_ENOEXEC, "no multiboot header" },
	{ "no magic", B_ELF32, m_nomagic, -SV_ENOEXEC, "no multiboot header" },
	{ "bad checksum", B_ELF32, m_checksum, -SV_ENOEXEC, "no multiboot header" },
	{ "header past 8K", B_ELF32, m_hdr_past_8k, -SV_ENOEXEC, "no multiboot header" },
	{ "flag 3", B_ELF32, m_flag3, -SV_ENOEXEC, "unsupported features (0x0008)" },
	{ "flag 15", B_ELF32, m_flag15, -SV_ENOEXEC, "unsupported" },
	{ "a.out fields cut", B_AOUT, m_aout_cut, -SV_ENOEXEC, "cut off" },
	{ "not ELF", B_ELF32, m_not_elf, -SV_ENOEXEC, "not ELF" },
	{ "ELF class", B_ELF32, m_class, -SV_ENOEXEC, "class" },
	{ "big-endian", B_ELF32, m_bigendian, -SV_ENOEXEC, "little-endian" },
	{ "ET_DYN", B_ELF32, m_etype, -SV_ENOEXEC, "ET_EXEC" },
	{ "ELF32 x86-64", B_ELF32, m_machine, -SV_ENOEXEC, "i386" },
	{ "ELF64 i386", B_ELF64, m_machine64, -SV_ENOEXEC, "x86-64" },
	{ "truncated ehdr", B_ELF64, m_trunc_ehdr, -SV_ENOEXEC, "truncated header" },
	{ "phnum 0", B_ELF32, m_phnum0, -SV_ENOEXEC, "no program headers" },
	{ "phnum 129", B_ELF32, m_phnum_big, -SV_ENOEXEC, "program headers (max" },
	{ "phnum xnum", B_ELF32, m_phnum_xnum, -SV_ENOEXEC, "program headers (max" },
	{ "phentsize", B_ELF32, m_phentsize, -SV_ENOEXEC, "e_phentsize" },
	{ "phoff far", B_ELF32, m_phoff_far, -SV_ENOEXEC, "beyond the file" },
	{ "phoff wraps", B_ELF64, m_phoff_wrap, -SV_ENOEXEC, "beyond the file" },
	{ "filesz > memsz", B_ELF32, m_filesz_gt_memsz, -SV_ENOEXEC, "p_filesz" },
	{ "truncated segment", B_ELF32, m_seg_trunc, -SV_ENOEXEC, "truncated image" },
	{ "offset wraps", B_ELF32, m_seg_off_wrap, -SV_ENOEXEC, "truncated image" },
	{ "offset wraps 64", B_ELF64, m_seg_off_wrap64, -SV_ENOEXEC, "truncated image" },
	{ "across the hole", B_ELF32, m_seg_hole, -SV_ENOEXEC, "640K-1M hole" },
	{ "in the hole", B_ELF32, m_seg_in_hole, -SV_ENOEXEC, "640K-1M hole" },
	{ "beyond RAM", B_ELF32, m_seg_beyond, -SV_ENOMEM, "outside guest RAM" },
	{ "far beyond RAM", B_ELF32, m_seg_far, -SV_ENOMEM, "outside guest RAM" },
	{ "paddr wraps", B_ELF64, m_seg_wrap64, -SV_ENOMEM, "outside guest RAM" },
	{ "paddr 1T", B_ELF64, m_seg_high64, -SV_ENOMEM, "outside guest RAM" },
	{ "overlap", B_ELF32, m_overlap, -SV_ENOEXEC, "overlap" },
	{ "no PT_LOAD", B_ELF32, m_noload, -SV_ENOEXEC, "no PT_LOAD" },
	{ "too many segments", B_ELF32, m_many_segs, -SV_ENOEXEC, "more than 16 PT_LOAD" },
	{ "entry in bss", B_ELF32, m_bss_only_entry, -SV_ENOEXEC, "entry" },
	{ "entry outside", B_ELF32, m_entry_out, -SV_ENOEXEC, "not inside a loaded segment" },
	{ "entry >= 4G", B_ELF64, m_entry_4g, -SV_ENOEXEC, "above 4 GiB" },
	{ "a.out load_addr > header_addr", B_AOUT, m_a_load_above, -SV_ENOEXEC, "load_addr" },
	{ "a.out load before file", B_AOUT, m_a_before_file, -SV_ENOEXEC, "exceeds" },
	{ "a.out load_end low", B_AOUT, m_a_end_low, -SV_ENOEXEC, "load_end_addr" },
	{ "a.out truncated", B_AOUT, m_a_trunc, -SV_ENOEXEC, "truncated" },
	{ "a.out bss_end low", B_AOUT, m_a_bss_low, -SV_ENOEXEC, "bss_end_addr" },
	{ "a.out entry", B_AOUT, m_a_entry, -SV_ENOEXEC, "entry_addr" },
	{ "a.out hole", B_AOUT, m_a_hole, -SV_ENOEXEC, "hole" },
	{ "a.out beyond", B_AOUT, m_a_beyond, -SV_ENOMEM, "outside guest RAM" },
};

static struct img make(enum base b)
{
	switch (b) {
	case B_ELF32:
		return make_elf32();
	case B_ELF64:
		return make_elf64();
	case B_AOUT:
		return make_aout();
	default:
		return (struct img){ calloc(1, 64), 64 };
	}
}

/* assert_untouched - RAM still all poison: a rejected image wrote nothing. */
static void assert_untouched(const struct sim *s)
{
	assert_int_equal(s->writes, 0);
	assert_int_equal(s->bad, 0);
	for (uint64_t a = 0; a < s->top; a += 4096)
		assert_int_equal(s->ram[a], POISON);
}

static void test_rejections(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rejects) / sizeof(rejects[0]); i++) {
		const struct reject *r = &rejects[i];
		struct sim *s = sim_new(RAM_TOP);
		struct img im = make(r->base);
		struct mb1_boot b;
		char err[MB1_ERR_MAX];
		uint8_t *copy;
		int rc;

		r->mutate(&im);
		copy = malloc(im.size ? im.size : 1);	/* exact size: ASan sees overreads */
		memcpy(copy, im.b, im.size);
		memset(err, 0, sizeof(err));
		rc = mb1_load(&s->gm, copy, im.size, "c", &b, err, sizeof(err));
		if (rc != r->rc || !strstr(err, r->msg))
			fail_msg("%s: rc %d (want %d), message '%s' (want '%s')", r->name, rc,
				 r->rc, err, r->msg);
		assert_null(strchr(err, '\n'));
		assert_untouched(s);
		free(copy);
		free(im.b);
		sim_free(s);
	}
}

/* Argument errors, no room for the info, a failing write(). */
static void test_other_errors(void **state)
{
	struct sim *s = sim_new(RAM_TOP);
	struct img im = make_elf32();
	struct mb1_boot b;
	char err[MB1_ERR_MAX], *big;
	struct guest_mem gm;

	(void)state;
	big = malloc(MB1_CMDLINE_MAX + 2);
	memset(big, 'x', MB1_CMDLINE_MAX + 1);
	big[MB1_CMDLINE_MAX + 1] = '\0';
	assert_int_equal(mb1_load(&s->gm, im.b, im.size, big, &b, err, sizeof(err)), -SV_EINVAL);
	assert_non_null(strstr(err, "command line"));
	big[MB1_CMDLINE_MAX] = '\0';		/* the maximum is fine (the info spans 2 pages) */
	assert_int_equal(mb1_load(&s->gm, im.b, im.size, big, &b, err, sizeof(err)), 0);
	assert_string_equal((char *)s->ram + ram32(s, b.ebx + 16), big);
	assert_int_equal(b.info_end - b.info_start, 88 + 72 + MB1_CMDLINE_MAX + 1 + 11);
	free(big);

	gm = s->gm;
	gm.ram_bytes = (1ull << 20);
	assert_int_equal(mb1_load(&gm, im.b, im.size, "", &b, err, sizeof(err)), -SV_EINVAL);
	assert_non_null(strstr(err, "RAM size"));
	gm.ram_bytes = RAM_TOP + 1;
	assert_int_equal(mb1_load(&gm, im.b, im.size, "", &b, err, sizeof(err)), -SV_EINVAL);
	gm = s->gm;
	gm.write = NULL;
	assert_int_equal(mb1_load(&gm, im.b, im.size, "", &b, err, sizeof(err)), -SV_EINVAL);
	assert_int_equal(mb1_load(&s->gm, NULL, 10, "", &b, NULL, 0), -SV_EINVAL);
	assert_int_equal(mb1_load(&s->gm, NULL, 0, "", &b, NULL, 0), -SV_ENOEXEC);

	/* A failing write() is reported with its error. */
	for (long n = 0; n < 8; n++) {
		s->writes = 0;
		s->fail_after = n;
		int rc = mb1_load(&s->gm, im.b, im.size, "", &b, err, sizeof(err));

		if (n < 7) {
			assert_int_equal(rc, -SV_EIO);
			assert_non_null(strstr(err, "failed"));
		} else {
			assert_int_equal(rc, 0);	/* 3 segment calls + 4 info calls */
		}
	}
	s->fail_after = -1;
	free(im.b);
	sim_free(s);

	/* An image that fills all of low and high RAM: no room for the info. */
	s = sim_new(2ull << 20);
	im = make_elf32();
	sim_phdr32(im.b + 52, 1, E32_TEXT_OFF, 0x1000, 0x1000, 0x10, 0x9f000);
	sim_phdr32(im.b + 116, 1, E32_DATA_OFF, E32_TEXT_VA, 0x100000, 0x10, 0x100000);
	w32(im.b + 24, 0x1000);
	assert_int_equal(mb1_load(&s->gm, im.b, im.size, "", &b, err, sizeof(err)), -SV_ENOMEM);
	assert_non_null(strstr(err, "multiboot info"));
	assert_untouched(s);
	/* leave one page free in high RAM: the info goes there */
	sim_phdr32(im.b + 116, 1, E32_DATA_OFF, E32_TEXT_VA, 0x100000, 0x10, 0xff000);
	assert_int_equal(mb1_load(&s->gm, im.b, im.size, "", &b, err, sizeof(err)), 0);
	assert_int_equal(b.ebx, 0x1ff000);
	check_info(s, &b, "");
	free(im.b);
	sim_free(s);
}

/* ---- fuzzing ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static const uint32_t interesting[] = {
	0, 1, 0x7f, 0x80, 0xff, 0x1000, 0x9f000, 0xa0000, 0xfffff, 0x100000,
	(uint32_t)RAM_TOP, (uint32_t)RAM_TOP - 1, 0x7fffffff, 0x80000000, 0xfffff000, 0xffffffff,
};

/* mutate - a few random edits: byte flips, interesting words, truncation. */
static void mutate(uint8_t *b, size_t *size, size_t hot)
{
	int edits = 1 + (int)(rnd() % 6);

	for (int k = 0; k < edits && *size; k++) {
		size_t limit = (rnd() & 1) && hot < *size ? hot : *size;
		size_t at = rnd() % limit;

		switch (rnd() % 4) {
		case 0:
			b[at] ^= (uint8_t)(1u << (rnd() % 8));
			break;
		case 1:
			b[at] = (uint8_t)rnd();
			break;
		case 2:
			if (at + 4 <= *size)
				w32(b + (at & ~(size_t)3), interesting[rnd() % 16]);
			break;
		default:
			if (rnd() % 4 == 0)
				*size = rnd() % *size;
			break;
		}
	}
	/* keep the header's checksum valid half the time so deeper code is reached */
	if ((rnd() & 1) && *size >= 512) {
		for (size_t o = 0; o + 12 <= *size && o < 8192; o += 4)
			if (b[o] == 0x02 && b[o + 1] == 0xb0 && b[o + 2] == 0xad && b[o + 3] == 0x1b) {
				uint32_t f = (uint32_t)b[o + 4] | (uint32_t)b[o + 5] << 8 |
					     (uint32_t)b[o + 6] << 16 | (uint32_t)b[o + 7] << 24;

				if (rnd() & 1)
					f &= ~0xfff8u;		/* drop unsupported bits */
				w32(b + o + 4, f);
				w32(b + o + 8, (uint32_t)-(MB1_HEADER_MAGIC + f));
				break;
			}
	}
}

static void test_fuzz(void **state)
{
	struct sim *s = sim_new(RAM_TOP);
	unsigned long loaded = 0, rejected = 0;
	enum base bases[] = { B_ELF32, B_ELF64, B_AOUT };

	(void)state;
	for (int iter = 0; iter < 15000; iter++) {
		struct img im = make(bases[iter % 3]);
		size_t size = im.size;
		struct mb1_boot b;
		char err[MB1_ERR_MAX];
		uint8_t *copy;
		int rc;

		mutate(im.b, &size, 0x300);
		copy = malloc(size ? size : 1);
		memcpy(copy, im.b, size);
		memset(err, 'X', sizeof(err));
		s->bad = 0;
		rc = mb1_load(&s->gm, copy, size, "fuzz", &b, err, sizeof(err));
		assert_int_equal(s->bad, 0);		/* never a write outside RAM */
		assert_non_null(memchr(err, '\0', sizeof(err)));
		if (rc == 0) {
			loaded++;
			assert_true(sim_ok(s, b.eip, 1));
			assert_int_equal(b.eax, MB1_BOOT_MAGIC);
			assert_true(sim_ok(s, b.info_start, b.info_end - b.info_start));
			assert_true(b.image_start < b.image_end);
			assert_string_equal((char *)s->ram + ram32(s, b.ebx + 16), "fuzz");
		} else {
			rejected++;
			assert_true(rc == -SV_ENOEXEC || rc == -SV_ENOMEM);
			assert_true(err[0] != '\0' && err[0] != 'X');
		}
		free(copy);
		free(im.b);
	}
	/* both outcomes must have been exercised */
	assert_true(loaded > 100);
	assert_true(rejected > 100);

	/* pure noise, with and without a valid header in front */
	for (int iter = 0; iter < 3000; iter++) {
		size_t size = rnd() % 9000;
		uint8_t *b = malloc(size ? size : 1);
		struct mb1_boot bt;

		for (size_t i = 0; i < size; i++)
			b[i] = (uint8_t)rnd();
		if (size >= 64 && (iter & 1)) {
			if (iter & 2)
				memcpy(b, "\x7f" "ELF\x01\x01", 6);
			put_mbh(b, 32, rnd() & 0x10003u, NULL);
		}
		s->bad = 0;
		int rc = mb1_load(&s->gm, b, size, "", &bt, NULL, 0);

		assert_true(rc == 0 || rc == -SV_ENOEXEC || rc == -SV_ENOMEM);
		assert_int_equal(s->bad, 0);
		free(b);
	}
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf32),
		cmocka_unit_test(test_boot_state),
		cmocka_unit_test(test_boot_state_real),
		cmocka_unit_test(test_modules),
		cmocka_unit_test(test_elf64),
		cmocka_unit_test(test_aout),
		cmocka_unit_test(test_ram_ranges),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_other_errors),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests_name("loader", tests, NULL, NULL);
}
