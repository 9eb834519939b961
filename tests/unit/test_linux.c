// SPDX-License-Identifier: MIT
/*
 * test_linux.c - the Linux bzImage loader (kernel/linux.c) over simulated
 * guest RAM: a synthetic bzImage with a protocol 2.15 setup header is
 * loaded and every placed byte, the zero page, the e820 map, the command
 * line, the initrd, the GDT and the entry state are checked against what
 * the test put in; then the placement rules, each rejection (nothing
 * written), a failing write, and a mutation fuzz loop. The loader is
 * compiled into this test so that it runs under AddressSanitizer/UBSan.
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
#include "kernel/linux.c"	/* a sanitized copy */

#define MIB		(1ull << 20)
#define SETUP_SECTS	4
#define PM_OFF		((SETUP_SECTS + 1) * 512)
#define PM_BYTES	(96 * 1024 + 123)
#define HDR_END		0x268
#define INIT_SIZE	(3 * MIB)
#define PREF		(16 * MIB)
#define ALIGN		(2 * MIB)
#define RSDP		0xf0000

static uint8_t img[PM_OFF + PM_BYTES];

/* make_bzimage - a bzImage with a protocol @version header and a patterned kernel. */
static void make_bzimage(uint16_t version)
{
	memset(img, 0, sizeof(img));
	for (size_t i = 0; i < sizeof(img); i++)
		img[i] = (uint8_t)(i * 7 + (i >> 9));
	memset(img + LINUX_HDR_START, 0, HDR_END - LINUX_HDR_START);
	img[LINUX_HDR_START] = SETUP_SECTS;
	w16(img + LINUX_HDR_BOOT_FLAG, 0xaa55);
	img[LINUX_HDR_JUMP] = 0xeb;
	img[LINUX_HDR_JUMP + 1] = HDR_END - (LINUX_HDR_JUMP + 2);
	memcpy(img + LINUX_HDR_MAGIC, "HdrS", 4);
	w16(img + LINUX_HDR_VERSION, version);
	img[LINUX_HDR_LOADFLAGS] = LINUX_LOADED_HIGH;
	w32(img + LINUX_HDR_CODE32_START, 0x100000);
	w32(img + LINUX_HDR_INITRD_MAX, 0x7fffffff);
	w32(img + LINUX_HDR_ALIGNMENT, ALIGN);
	img[LINUX_HDR_RELOCATABLE] = 1;
	w16(img + LINUX_HDR_XLOADFLAGS, 1);
	w32(img + LINUX_HDR_CMDLINE_SIZE, 2047);
	w64(img + LINUX_HDR_PREF_ADDRESS, PREF);
	w32(img + LINUX_HDR_INIT_SIZE, INIT_SIZE);
	w32(img + LINUX_HDR_SYSSIZE, (PM_BYTES + 15) / 16 - 1);	/* what build.c writes, rounded down */
}

static uint8_t initrd_bytes[10000];

static void test_load(void **state)
{
	struct sim *s = sim_new(64 * MIB);
	struct mb1_module rd = { initrd_bytes, sizeof(initrd_bytes), NULL };
	const char *cl = "console=ttyS0 panic=-1";
	uint8_t *zp = s->ram + LINUX_ZERO_PAGE_GPA;
	struct linux_boot b;
	struct vcpu_boot_state st;
	struct guest_range r[GUEST_RAM_RANGES];
	uint64_t ram = 0, e820_ram = 0;
	char err[128] = "";

	(void)state;
	for (size_t i = 0; i < sizeof(initrd_bytes); i++)
		initrd_bytes[i] = (uint8_t)(i ^ 0x5a);
	make_bzimage(0x020f);
	assert_true(linux_is_bzimage(img, sizeof(img)));
	assert_int_equal(linux_load(&s->gm, img, sizeof(img), cl, &rd, RSDP, &b, err, sizeof(err)), 0);
	assert_int_equal(s->bad, 0);
	assert_int_equal(b.version, 0x020f);
	assert_true(b.relocatable && b.kernel64);
	/* The kernel at pref_address, then zeros to init_size. */
	assert_int_equal(b.load_addr, PREF);
	assert_int_equal(b.kernel_bytes, PM_BYTES);
	assert_memory_equal(s->ram + PREF, img + PM_OFF, PM_BYTES);
	for (uint64_t a = PREF + PM_BYTES; a < PREF + INIT_SIZE; a++)
		assert_int_equal(s->ram[a], 0);
	/* The initrd: page-aligned, as high as RAM allows, above the kernel's area. */
	assert_int_equal(b.initrd_size, sizeof(initrd_bytes));
	assert_int_equal(b.initrd_addr & 0xfff, 0);
	assert_true(b.initrd_addr + sizeof(initrd_bytes) <= 64 * MIB);
	assert_true(b.initrd_addr + sizeof(initrd_bytes) + 4096 > 64 * MIB);
	assert_true(b.initrd_addr >= PREF + INIT_SIZE);
	assert_memory_equal(s->ram + b.initrd_addr, initrd_bytes, sizeof(initrd_bytes));
	/* The zero page: the file's header with the loader's fields filled in. */
	for (size_t o = LINUX_HDR_START; o < HDR_END; o++)
		if (o < LINUX_HDR_TYPE_OF_LOADER ||
		    (o > LINUX_HDR_LOADFLAGS && o < LINUX_HDR_CODE32_START) ||
		    (o >= LINUX_HDR_RAMDISK_SIZE + 4 && o < LINUX_HDR_CMD_LINE_PTR) ||
		    o >= LINUX_HDR_CMD_LINE_PTR + 4)
			assert_int_equal(zp[o], img[o]);
	assert_int_equal(zp[LINUX_HDR_TYPE_OF_LOADER], 0xff);
	assert_int_equal(zp[LINUX_HDR_LOADFLAGS], img[LINUX_HDR_LOADFLAGS]);
	assert_int_equal(sim_rd(s, LINUX_ZERO_PAGE_GPA + LINUX_HDR_CODE32_START, 4), PREF);
	assert_int_equal(sim_rd(s, LINUX_ZERO_PAGE_GPA + LINUX_HDR_RAMDISK_IMAGE, 4), b.initrd_addr);
	assert_int_equal(sim_rd(s, LINUX_ZERO_PAGE_GPA + LINUX_HDR_RAMDISK_SIZE, 4), sizeof(initrd_bytes));
	assert_int_equal(sim_rd(s, LINUX_ZERO_PAGE_GPA + LINUX_HDR_CMD_LINE_PTR, 4), LINUX_CMDLINE_GPA);
	assert_string_equal((const char *)s->ram + LINUX_CMDLINE_GPA, cl);
	assert_int_equal(sim_rd(s, LINUX_ZERO_PAGE_GPA + LINUX_BP_ACPI_RSDP, 8), RSDP);
	/* Outside the header and the loader's fields the zero page is zero. */
	for (size_t o = 0; o < 4096; o++)
		if ((o < LINUX_HDR_START || o >= HDR_END) &&
		    !(o >= LINUX_BP_ACPI_RSDP && o < LINUX_BP_ACPI_RSDP + 8) &&
		    !(o >= LINUX_BP_ALT_MEM_K && o < LINUX_BP_ALT_MEM_K + 4) && o != LINUX_BP_E820_ENTRIES &&
		    !(o >= LINUX_BP_E820_TABLE && o < LINUX_BP_E820_TABLE + 20 * b.e820_entries))
			assert_int_equal(zp[o], 0);
	/* e820: exactly the guest's RAM ranges as RAM, and the BIOS area reserved. */
	assert_int_equal(zp[LINUX_BP_E820_ENTRIES], b.e820_entries);
	guest_ram_ranges(64 * MIB, r);
	for (int i = 0; i < GUEST_RAM_RANGES; i++)
		ram += r[i].end - r[i].start;
	for (unsigned i = 0; i < b.e820_entries; i++) {
		uint64_t e = LINUX_ZERO_PAGE_GPA + LINUX_BP_E820_TABLE + 20 * i;
		uint64_t a = sim_rd(s, e, 8), n = sim_rd(s, e + 8, 8);

		if (sim_rd(s, e + 16, 4) == 1) {
			assert_true(guest_range_is_ram(64 * MIB, a, n));
			e820_ram += n;
		} else {
			assert_true(a >= 0xe0000 && a + n <= 0x100000);
		}
	}
	assert_int_equal(e820_ram, ram);
	/* The GDT and the 32-bit entry state. */
	assert_int_equal(sim_rd(s, LINUX_GDT_GPA + 0x10, 8), 0x00cf9a000000ffffull);
	assert_int_equal(sim_rd(s, LINUX_GDT_GPA + 0x18, 8), 0x00cf92000000ffffull);
	linux_boot_state(&b, &st);
	assert_int_equal(st.rip, PREF);
	assert_int_equal(st.seg[SEG_CS].sel, 0x10);
	assert_int_equal(st.seg[SEG_DS].sel, 0x18);
	assert_int_equal(st.seg[SEG_SS].sel, 0x18);
	assert_int_equal(st.regs.rsi, LINUX_ZERO_PAGE_GPA);
	assert_int_equal(st.regs.rbx | st.regs.rbp | st.regs.rdi, 0);
	assert_int_equal(st.gdtr.base, LINUX_GDT_GPA);
	assert_int_equal(st.gdtr.limit, 31);
	assert_int_equal(st.cr0 & 0x80000001u, 1);	/* PE, no paging */
	sim_free(s);
}

/* Where the kernel goes: pref_address, else aligned from 1 MiB; 1 MiB when not relocatable. */
static void test_placement(void **state)
{
	struct sim *s = sim_new(12 * MIB);
	struct linux_boot b;

	(void)state;
	make_bzimage(0x020f);
	assert_int_equal(linux_load(&s->gm, img, sizeof(img), NULL, NULL, 0, &b, NULL, 0), 0);
	assert_int_equal(b.load_addr, ALIGN);		/* 16 MiB + 3 MiB does not fit in 12 MiB */
	assert_int_equal(b.initrd_size, 0);
	assert_int_equal(sim_rd(s, LINUX_ZERO_PAGE_GPA + LINUX_HDR_RAMDISK_IMAGE, 8), 0);
	w64(img + LINUX_HDR_PREF_ADDRESS, PREF + 4096);	/* not aligned: ignored */
	sim_free(s);
	s = sim_new(64 * MIB);
	assert_int_equal(linux_load(&s->gm, img, sizeof(img), NULL, NULL, 0, &b, NULL, 0), 0);
	assert_int_equal(b.load_addr, ALIGN);
	img[LINUX_HDR_RELOCATABLE] = 0;
	assert_int_equal(linux_load(&s->gm, img, sizeof(img), NULL, NULL, 0, &b, NULL, 0), 0);
	assert_int_equal(b.load_addr, 0x100000);
	assert_false(b.relocatable);
	/* Protocol 2.06: no init_size, pref_address or acpi_rsdp_addr; four times the kernel. */
	make_bzimage(0x0206);
	assert_int_equal(linux_load(&s->gm, img, sizeof(img), NULL, NULL, RSDP, &b, NULL, 0), 0);
	assert_int_equal(b.load_addr, 0x100000);
	assert_int_equal(b.init_size, 4ull * PM_BYTES);
	assert_false(b.kernel64);
	assert_int_equal(sim_rd(s, LINUX_ZERO_PAGE_GPA + LINUX_BP_ACPI_RSDP, 8), 0);
	sim_free(s);
}

struct reject {
	const char *what;
	void (*mutate)(void);
	size_t size;		/* 0: the whole image */
	uint64_t ram;		/* 0: 64 MiB */
	size_t initrd;		/* initrd bytes, or ~0: none */
	size_t cmdline;		/* command-line bytes */
	int rc;
};

static void m_none(void) { }
static void m_magic(void) { img[LINUX_HDR_MAGIC] = 'h'; }
static void m_flag(void) { img[LINUX_HDR_BOOT_FLAG] = 0; }
static void m_old(void) { w16(img + LINUX_HDR_VERSION, 0x0205); }
static void m_zimage(void) { img[LINUX_HDR_LOADFLAGS] = 0; }
static void m_short_hdr(void) { img[LINUX_HDR_JUMP + 1] = 0x20; }
static void m_long_hdr(void) { img[LINUX_HDR_JUMP + 1] = 0xff; }
static void m_align(void) { w32(img + LINUX_HDR_ALIGNMENT, 3 * MIB); }
static void m_sects(void) { img[LINUX_HDR_START] = 250; }
static void m_huge(void) { w32(img + LINUX_HDR_INIT_SIZE, 0xfff00000u); }
static void m_tiny_cl(void) { w32(img + LINUX_HDR_CMDLINE_SIZE, 10); }

static const struct reject rejects[] = {
	{ "no HdrS", m_magic, 0, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "no boot flag", m_flag, 0, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "protocol 2.05", m_old, 0, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "zImage", m_zimage, 0, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "header too short", m_short_hdr, 0, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "header too long", m_long_hdr, 0, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "alignment", m_align, 0, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "truncated", m_none, PM_OFF, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "truncated kernel", m_none, PM_OFF + PM_BYTES / 2, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "setup past the end", m_sects, 0, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "tiny file", m_none, 600, 0, ~(size_t)0, 0, -SV_ENOEXEC },
	{ "kernel too big", m_huge, 0, 0, ~(size_t)0, 0, -SV_ENOMEM },
	{ "RAM too small", m_none, 0, 4 * MIB, ~(size_t)0, 0, -SV_ENOMEM },
	{ "initrd too big", m_none, 0, 0, 46 * MIB, 0, -SV_ENOMEM },
	{ "empty initrd", m_none, 0, 0, 0, 0, -SV_ENOEXEC },
	{ "command line too long", m_tiny_cl, 0, 0, ~(size_t)0, 11, -SV_EINVAL },
	{ "command line over 4095", m_none, 0, 0, ~(size_t)0, 4096, -SV_EINVAL },
};

static void test_rejects(void **state)
{
	static uint8_t big[46 << 20];
	static char cl[5000];

	(void)state;
	for (size_t i = 0; i < sizeof(rejects) / sizeof(rejects[0]); i++) {
		const struct reject *r = &rejects[i];
		struct sim *s = sim_new(r->ram ? r->ram : 64 * MIB);
		struct mb1_module rd = { big, r->initrd, NULL };
		struct linux_boot b;
		char err[128] = "";
		int rc;

		make_bzimage(0x020f);
		r->mutate();
		memset(cl, 'x', r->cmdline);
		cl[r->cmdline] = '\0';
		rc = linux_load(&s->gm, img, r->size ? r->size : sizeof(img), cl,
				r->initrd == ~(size_t)0 ? NULL : &rd, 0, &b, err, sizeof(err));
		if (rc != r->rc || s->writes || strncmp(err, "linux: ", 7))
			fail_msg("%s: rc %d (want %d), %lu writes, message '%s'", r->what, rc, r->rc,
				 s->writes, err);
		sim_free(s);
	}
}

/* A failing guest write is reported with its error. */
static void test_write_fails(void **state)
{
	struct sim *s = sim_new(64 * MIB);
	struct linux_boot b;
	char err[128];

	(void)state;
	make_bzimage(0x020f);
	for (long n = 0; n < 5; n++) {	/* kernel, its zeroed tail, zero page, command line, GDT */
		s->fail_after = n;
		s->writes = 0;
		assert_int_equal(linux_load(&s->gm, img, sizeof(img), "a", NULL, 0, &b, err, sizeof(err)),
				 -SV_EIO);
	}
	sim_free(s);
}

/* Mutations of the header and the size: never a write outside RAM, no write unless it succeeds. */
static void test_fuzz(void **state)
{
	uint64_t x = 0x243f6a8885a308d3ull;
	struct sim *s = sim_new(24 * MIB);
	unsigned ok = 0;

	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		struct linux_boot b;
		size_t size = sizeof(img);
		int rc;

		s->writes = s->bad = 0;
		make_bzimage(0x020f);
		for (int k = 0; k < 4; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			img[LINUX_HDR_START + x % (HDR_END - LINUX_HDR_START)] = (uint8_t)(x >> 32);
		}
		if (x & 1)
			size = (size_t)(x >> 40) % sizeof(img);
		rc = linux_load(&s->gm, img, size, "console=ttyS0", NULL, 0, &b, NULL, 0);
		if (s->bad)
			fail_msg("iteration %d: rc %d, load %#llx init %#llx kernel %#llx", iter, rc,
				 (unsigned long long)b.load_addr, (unsigned long long)b.init_size,
				 (unsigned long long)b.kernel_bytes);
		if (rc)
			assert_int_equal(s->writes, 0);
		else
			ok++;
	}
	sim_free(s);
	printf("linux fuzz: %u of 20000 mutated images loaded\n", ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_placement),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_write_fails),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
