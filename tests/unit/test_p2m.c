// SPDX-License-Identifier: MIT
/*
 * test_p2m.c - the generic p2m walker over simulated physical memory, with
 * every entry format: EPT without A/D, EPT with A/D, and NPT.
 *
 * Table frames live in a malloc'ed block that plays physical memory (as in
 * test_frame.c); leaf addresses are plain numbers that are never touched.
 * Each test is registered once per format; the test's state carries it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/svm/npt.h"
#include "arch/x86/vmx/ept.h"
#include "mm/errno.h"
#include "mm/frame.h"
#include "mm/p2m.h"

#define SIM_BYTES (16ull << 20)
#define K4 P2M_SIZE_4K
#define M2 P2M_SIZE_2M
#define G1 P2M_SIZE_1G

static const struct p2m_format *const formats[] = {
	&ept_format, &ept_format_ad, &npt_format,
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

struct sim {
	unsigned char *mem;
	struct frame_pool fp;
	const struct p2m_format *fmt;
	struct p2m p;
	uint64_t free0;		/* free frames before p2m_init */
	uint64_t hv0;		/* hypervisor frames before p2m_init (pool metadata) */
};

static int sim_setup(void **state)
{
	const struct p2m_format *fmt = *state;
	struct sim *s = calloc(1, sizeof(*s));
	const struct mem_range usable[] = { { 0x100000, SIM_BYTES } };

	s->mem = aligned_alloc(4096, SIM_BYTES);
	memset(s->mem, 0xa5, SIM_BYTES);	/* new tables must be zeroed by p2m */
	assert_int_equal(frame_pool_init(&s->fp, usable, 1, NULL, 0,
					 (uintptr_t)s->mem), 0);
	s->fmt = fmt;
	s->free0 = frame_free_count(&s->fp);
	s->hv0 = s->fp.count[FRAME_HV];
	assert_int_equal(p2m_init(&s->p, fmt, &s->fp, 3, P2M_F_1G), 0);
	*state = s;
	return 0;
}

static int sim_teardown(void **state)
{
	struct sim *s = *state;

	free(s->mem);
	free(s);
	return 0;
}

/* destroy_and_check - destroy the map; every table frame must be back in the pool. */
static void destroy_and_check(struct sim *s)
{
	assert_int_equal(p2m_check(&s->p), 0);
	p2m_destroy(&s->p, NULL, NULL);
	assert_int_equal(s->p.tables, 0);
	assert_int_equal(frame_free_count(&s->fp), s->free0);
	assert_int_equal(s->fp.count[FRAME_HV], s->hv0);
	assert_int_equal(frame_pool_check(&s->fp), 0);
}

/* raw - the entry for @gpa at @level, found by walking the tables by hand. */
static uint64_t *raw(struct sim *s, uint64_t gpa, int level)
{
	uint64_t *t = frame_va(&s->fp, s->p.root_pa);

	for (int l = P2M_LEVELS;; l--) {
		uint64_t *e = &t[(gpa >> (12 + 9 * (l - 1))) & 511];

		if (l == level)
			return e;
		assert_true(s->fmt->present(*e));
		assert_false(*e & s->fmt->large_bit);
		t = frame_va(&s->fp, *e & s->fmt->addr_mask);
	}
}

static void expect_leaf(struct sim *s, uint64_t gpa, uint64_t hpa,
			uint64_t size, unsigned perms, enum p2m_mtype mt)
{
	struct p2m_leaf lf;
	uint64_t got = 0;

	assert_int_equal(p2m_lookup(&s->p, gpa, &got, &lf), 0);
	assert_int_equal(got, hpa);
	assert_int_equal(lf.size, size);
	assert_int_equal(lf.gpa, gpa & ~(size - 1));
	assert_int_equal(lf.hpa, hpa & ~(size - 1));
	assert_int_equal(lf.perms, perms);
	assert_int_equal(lf.mt, mt);
}

static void test_init_destroy(void **state)
{
	struct sim *s = *state;
	uint64_t *root = frame_va(&s->fp, p2m_root_pa(&s->p));

	assert_int_not_equal(p2m_root_pa(&s->p), 0);
	assert_int_equal(p2m_root_pa(&s->p) & 0xfff, 0);
	assert_int_equal(s->p.tables, 1);
	assert_int_equal(frame_free_count(&s->fp), s->free0 - 1);
	assert_int_equal(frame_meta(&s->fp, s->p.root_pa)->kind, FRAME_HV);
	assert_int_equal(frame_meta(&s->fp, s->p.root_pa)->owner, 3);
	for (int i = 0; i < 512; i++)
		assert_int_equal(root[i], 0);
	assert_int_equal(p2m_lookup(&s->p, 0, NULL, NULL), -SV_ENOENT);
	destroy_and_check(s);
}

static void test_map_lookup_unmap_4k(void **state)
{
	struct sim *s = *state;
	uint64_t old = 0;

	assert_int_equal(p2m_map(&s->p, 0x1000, 0x2345000, K4, P2M_RW, P2M_MT_WB), 0);
	assert_int_equal(s->p.tables, 4);
	assert_int_equal(s->p.leaves[0], 1);
	expect_leaf(s, 0x1000, 0x2345000, K4, P2M_RW, P2M_MT_WB);
	expect_leaf(s, 0x1abc, 0x2345abc, K4, P2M_RW, P2M_MT_WB);
	assert_int_equal(p2m_lookup(&s->p, 0x0fff, NULL, NULL), -SV_ENOENT);
	assert_int_equal(p2m_lookup(&s->p, 0x2000, NULL, NULL), -SV_ENOENT);

	/* A neighbour shares the tables; a far page needs its own. */
	assert_int_equal(p2m_map(&s->p, 0x2000, 0x9000, K4, P2M_RX, P2M_MT_UC), 0);
	assert_int_equal(s->p.tables, 4);
	assert_int_equal(p2m_map(&s->p, 0x0000123456789000ull, 0xfedcba987000ull, K4,
				 P2M_RWX, P2M_MT_WB), 0);
	assert_int_equal(s->p.tables, 7);
	expect_leaf(s, 0x2000, 0x9000, K4, P2M_RX, P2M_MT_UC);
	expect_leaf(s, 0x0000123456789008ull, 0xfedcba987008ull, K4, P2M_RWX, P2M_MT_WB);
	/* The highest page of the 48-bit space. */
	assert_int_equal(p2m_map(&s->p, 0xfffffffff000ull, 0x5000, K4, P2M_R, P2M_MT_WB), 0);
	expect_leaf(s, 0xffffffffffffull, 0x5fff, K4, P2M_R, P2M_MT_WB);

	assert_int_equal(p2m_unmap(&s->p, 0x1000, K4, &old), 0);
	assert_int_equal(old, 0x2345000);
	assert_int_equal(p2m_lookup(&s->p, 0x1000, NULL, NULL), -SV_ENOENT);
	assert_int_equal(p2m_unmap(&s->p, 0x1000, K4, &old), -SV_ENOENT);
	assert_int_equal(s->p.tables, 10);
	/* Unmapping the last page under a table frees the tables that became empty. */
	assert_int_equal(p2m_unmap(&s->p, 0x0000123456789000ull, K4, NULL), 0);
	assert_int_equal(s->p.tables, 7);
	assert_int_equal(p2m_unmap(&s->p, 0x2000, K4, &old), 0);
	assert_int_equal(old, 0x9000);
	assert_int_equal(p2m_unmap(&s->p, 0xfffffffff000ull, K4, &old), 0);
	assert_int_equal(s->p.tables, 1);
	assert_int_equal(s->p.leaves[0], 0);
	destroy_and_check(s);
}

static void test_large_leaves(void **state)
{
	struct sim *s = *state;
	uint64_t old;

	assert_int_equal(p2m_map(&s->p, 0x40000000, 0x80000000, G1, P2M_RWX, P2M_MT_WB), 0);
	assert_int_equal(s->p.tables, 2);
	assert_int_equal(s->p.leaves[2], 1);
	expect_leaf(s, 0x40000000, 0x80000000, G1, P2M_RWX, P2M_MT_WB);
	expect_leaf(s, 0x7fffffff, 0xbfffffff, G1, P2M_RWX, P2M_MT_WB);
	expect_leaf(s, 0x4abcd123, 0x8abcd123, G1, P2M_RWX, P2M_MT_WB);
	assert_int_equal(p2m_lookup(&s->p, 0x80000000, NULL, NULL), -SV_ENOENT);

	assert_int_equal(p2m_map(&s->p, 0x200000, 0x1e00000, M2, P2M_R, P2M_MT_UC), 0);
	assert_int_equal(s->p.tables, 3);
	expect_leaf(s, 0x3fffff, 0x1ffffff, M2, P2M_R, P2M_MT_UC);
	expect_leaf(s, 0x200000, 0x1e00000, M2, P2M_R, P2M_MT_UC);
	assert_int_equal(p2m_lookup(&s->p, 0x1fffff, NULL, NULL), -SV_ENOENT);
	assert_int_equal(p2m_lookup(&s->p, 0x400000, NULL, NULL), -SV_ENOENT);

	assert_int_equal(p2m_unmap(&s->p, 0x40000000, G1, &old), 0);
	assert_int_equal(old, 0x80000000);
	assert_int_equal(p2m_unmap(&s->p, 0x200000, M2, &old), 0);
	assert_int_equal(old, 0x1e00000);
	assert_int_equal(s->p.tables, 1);
	destroy_and_check(s);

	/* Without P2M_F_1G, 1 GiB leaves are refused. */
	assert_int_equal(p2m_init(&s->p, s->fmt, &s->fp, 3, 0), 0);
	assert_int_equal(p2m_map(&s->p, 0, 0, G1, P2M_RWX, P2M_MT_WB), -SV_ENOTSUP);
	assert_int_equal(p2m_unmap(&s->p, 0, G1, NULL), -SV_ENOENT);
	assert_int_equal(p2m_map(&s->p, 0, 0, M2, P2M_RWX, P2M_MT_WB), 0);
	destroy_and_check(s);
}

static void test_split_2m_on_protect(void **state)
{
	struct sim *s = *state;
	const uint64_t gpa = 0x40600000, hpa = 0x123400000ull;
	unsigned rights = P2M_RWX;

	assert_int_equal(p2m_map(&s->p, gpa, hpa, M2, P2M_RWX, P2M_MT_UC), 0);
	assert_int_equal(s->p.tables, 3);
	/* Same permissions: nothing to do, no split. */
	assert_int_equal(p2m_protect(&s->p, gpa + 7 * K4, P2M_RWX), 0);
	assert_int_equal(s->p.tables, 3);
	assert_int_equal(s->p.leaves[1], 1);

	assert_int_equal(p2m_protect(&s->p, gpa + 5 * K4, P2M_R), 0);
	assert_int_equal(s->p.tables, 4);
	assert_int_equal(s->p.leaves[1], 0);
	assert_int_equal(s->p.leaves[0], 512);
	for (uint64_t i = 0; i < 512; i++)
		expect_leaf(s, gpa + i * K4 + 0x10, hpa + i * K4 + 0x10, K4,
			    i == 5 ? P2M_R : rights, P2M_MT_UC);
	assert_int_equal(p2m_lookup(&s->p, gpa - 1, NULL, NULL), -SV_ENOENT);
	assert_int_equal(p2m_lookup(&s->p, gpa + M2, NULL, NULL), -SV_ENOENT);

	/* Back to full rights: the 512 leaves stay 4 KiB (no merge). */
	assert_int_equal(p2m_protect(&s->p, gpa + 5 * K4, P2M_RWX), 0);
	expect_leaf(s, gpa + 5 * K4, hpa + 5 * K4, K4, P2M_RWX, P2M_MT_UC);
	destroy_and_check(s);
}

static void test_split_1g_on_unmap(void **state)
{
	struct sim *s = *state;
	const uint64_t gpa = 3 * G1, hpa = 7 * G1, hole = gpa + 300 * M2 + 17 * K4;
	struct p2m_leaf lf;

	assert_int_equal(p2m_map(&s->p, gpa, hpa, G1, P2M_RX, P2M_MT_WB), 0);
	assert_int_equal(p2m_unmap(&s->p, hole, K4, NULL), 0);
	assert_int_equal(s->p.tables, 4);	/* root, PDPT, the new PD and PT */
	assert_int_equal(s->p.leaves[2], 0);
	assert_int_equal(s->p.leaves[1], 511);
	assert_int_equal(s->p.leaves[0], 511);
	for (uint64_t off = 0; off < G1; off += K4) {
		uint64_t h;

		if (gpa + off == hole) {
			assert_int_equal(p2m_lookup(&s->p, gpa + off, &h, &lf), -SV_ENOENT);
			continue;
		}
		assert_int_equal(p2m_lookup(&s->p, gpa + off, &h, &lf), 0);
		assert_int_equal(h, hpa + off);
		assert_int_equal(lf.perms, P2M_RX);
		assert_int_equal(lf.size, (off >> 21) == 300 ? K4 : M2);
	}
	destroy_and_check(s);
}

/* The exact bits the hardware will see, per format. */
static void test_raw_bits(void **state)
{
	struct sim *s = *state;
	const bool ept = s->fmt != &npt_format;
	const uint64_t h = 0xabcde000ull;

	assert_int_equal(p2m_map(&s->p, 0x1000, h, K4, P2M_RW, P2M_MT_WB), 0);
	assert_int_equal(p2m_map(&s->p, 0x2000, h, K4, P2M_R, P2M_MT_WB), 0);
	assert_int_equal(p2m_map(&s->p, 0x3000, h, K4, P2M_RWX, P2M_MT_UC), 0);
	assert_int_equal(p2m_map(&s->p, 0x3000000, 0x40000000, M2, P2M_RX, P2M_MT_WB), 0);
	assert_int_equal(p2m_map(&s->p, G1, 0x40000000, G1, P2M_RWX, P2M_MT_WB), 0);

	if (ept) {
		assert_int_equal(*raw(s, 0x1000, 1), h | 0x3 | (6 << 3));
		assert_int_equal(*raw(s, 0x2000, 1), h | 0x1 | (6 << 3));
		assert_int_equal(*raw(s, 0x3000, 1), h | 0x7);		/* UC = type 0 */
		assert_int_equal(*raw(s, 0x3000000, 2), 0x40000000 | 0x5 | (6 << 3) | 0x80);
		assert_int_equal(*raw(s, G1, 3), 0x40000000 | 0x7 | (6 << 3) | 0x80);
		/* Tables: RWX, nothing else but the address. */
		assert_int_equal(*raw(s, 0, 4) & 0xfff, 0x7);
		assert_int_equal(*raw(s, 0, 3) & 0xfff, 0x7);
		assert_int_equal(*raw(s, 0, 2) & 0xfff, 0x7);
		assert_int_equal(ept_eptp(s->fmt, s->p.root_pa),
				 s->p.root_pa | 6 | (3 << 3) |
				 (s->fmt == &ept_format_ad ? 1 << 6 : 0));
	} else {
		const uint64_t P = 1, RW = 2, US = 4, PWT = 8, PCD = 16, PS = 0x80,
			       NX = 1ull << 63;

		assert_int_equal(*raw(s, 0x1000, 1), h | P | RW | US | NX);
		assert_int_equal(*raw(s, 0x2000, 1), h | P | US | NX);
		assert_int_equal(*raw(s, 0x3000, 1), h | P | RW | US | PWT | PCD);
		assert_int_equal(*raw(s, 0x3000000, 2), 0x40000000 | P | US | PS);
		assert_int_equal(*raw(s, G1, 3), 0x40000000 | P | RW | US | PS);
		assert_int_equal(*raw(s, 0, 4) & ~NPT_ADDR_MASK, P | RW | US);
		assert_int_equal(*raw(s, 0, 3) & ~NPT_ADDR_MASK, P | RW | US);
		assert_int_equal(*raw(s, 0, 2) & ~NPT_ADDR_MASK, P | RW | US);
		assert_int_equal(npt_ncr3(s->p.root_pa), s->p.root_pa);
	}
	/* protect changes only the permission bits. */
	assert_int_equal(p2m_protect(&s->p, 0x1000, P2M_RX), 0);
	assert_int_equal(p2m_protect(&s->p, 0x3000, P2M_R), 0);
	if (ept) {
		assert_int_equal(*raw(s, 0x1000, 1), h | 0x5 | (6 << 3));
		assert_int_equal(*raw(s, 0x3000, 1), h | 0x1);
	} else {
		assert_int_equal(*raw(s, 0x1000, 1), h | 0x5);
		assert_int_equal(*raw(s, 0x3000, 1), h | 0x1d | (1ull << 63));
	}
	destroy_and_check(s);
}

static void test_permission_sets(void **state)
{
	struct sim *s = *state;

	for (unsigned perms = 0; perms < 16; perms++) {
		uint64_t gpa = perms * K4;
		bool ok = perms == P2M_R || perms == P2M_RW || perms == P2M_RX ||
			  perms == P2M_RWX;
		int want = ok ? 0 : (perms == 0 || perms > 7) ? -SV_EINVAL : -SV_ENOTSUP;

		assert_int_equal(p2m_map(&s->p, gpa, gpa, K4, perms, P2M_MT_WB), want);
		if (ok)
			expect_leaf(s, gpa, gpa, K4, perms, P2M_MT_WB);
	}
	/* Write-only and execute-only cannot be expressed: refused, not widened. */
	assert_int_equal(p2m_protect(&s->p, P2M_R * K4, P2M_W), -SV_ENOTSUP);
	assert_int_equal(p2m_protect(&s->p, P2M_R * K4, P2M_X), -SV_ENOTSUP);
	assert_int_equal(p2m_protect(&s->p, P2M_R * K4, P2M_W | P2M_X), -SV_ENOTSUP);
	assert_int_equal(p2m_protect(&s->p, P2M_R * K4, 0), -SV_EINVAL);
	expect_leaf(s, P2M_R * K4, P2M_R * K4, K4, P2M_R, P2M_MT_WB);
	destroy_and_check(s);
}

/* hw_set - what the CPU does on an access through the leaf at @gpa. */
static void hw_set(struct sim *s, uint64_t gpa, int level, bool write)
{
	uint64_t *e = raw(s, gpa, level);

	*e |= s->fmt->accessed_bit | (write ? s->fmt->dirty_bit : 0);
}

static void test_accessed_dirty(void **state)
{
	struct sim *s = *state;
	struct p2m_leaf lf;

	assert_int_equal(p2m_map(&s->p, 0x5000, 0x9000, K4, P2M_RW, P2M_MT_WB), 0);
	assert_int_equal(p2m_map(&s->p, 0x400000, 0x800000, M2, P2M_RW, P2M_MT_WB), 0);
	if (!p2m_has_ad(&s->p)) {
		assert_true(s->fmt == &ept_format);
		assert_int_equal(p2m_test_and_clear_dirty(&s->p, 0x5000), -SV_ENOTSUP);
		assert_int_equal(p2m_test_and_clear_accessed(&s->p, 0x5000), -SV_ENOTSUP);
		destroy_and_check(s);
		return;
	}
	/* A freshly mapped page is clean. */
	assert_int_equal(p2m_test_and_clear_dirty(&s->p, 0x5000), 0);
	assert_int_equal(p2m_test_and_clear_accessed(&s->p, 0x5000), 0);
	hw_set(s, 0x5000, 1, false);
	assert_int_equal(p2m_test_and_clear_dirty(&s->p, 0x5000), 0);
	assert_int_equal(p2m_lookup(&s->p, 0x5000, NULL, &lf), 0);
	assert_true(lf.accessed);
	assert_false(lf.dirty);
	assert_int_equal(p2m_test_and_clear_accessed(&s->p, 0x5000), 1);
	assert_int_equal(p2m_test_and_clear_accessed(&s->p, 0x5000), 0);
	hw_set(s, 0x5000, 1, true);
	/* protect keeps A/D. */
	assert_int_equal(p2m_protect(&s->p, 0x5000, P2M_R), 0);
	assert_int_equal(p2m_test_and_clear_ad(&s->p, 0x5000, P2M_ACCESSED | P2M_DIRTY),
			 P2M_ACCESSED | P2M_DIRTY);
	assert_int_equal(p2m_test_and_clear_ad(&s->p, 0x5000, P2M_ACCESSED | P2M_DIRTY), 0);
	assert_int_equal(p2m_test_and_clear_ad(&s->p, 0x5000, 4), -SV_EINVAL);
	assert_int_equal(p2m_test_and_clear_dirty(&s->p, 0x6000), -SV_ENOENT);
	assert_int_equal(p2m_test_and_clear_dirty(&s->p, 1ull << 48), -SV_ERANGE);

	/* A large leaf is one unit; a split hands its A/D bits to all 512 parts. */
	hw_set(s, 0x400000, 2, true);
	assert_int_equal(p2m_protect(&s->p, 0x400000 + 9 * K4, P2M_R), 0);
	for (uint64_t i = 0; i < 512; i++) {
		assert_int_equal(p2m_lookup(&s->p, 0x400000 + i * K4, NULL, &lf), 0);
		assert_true(lf.dirty && lf.accessed);
	}
	assert_int_equal(p2m_test_and_clear_dirty(&s->p, 0x400000 + 9 * K4), 1);
	assert_int_equal(p2m_test_and_clear_dirty(&s->p, 0x400000 + 9 * K4), 0);
	assert_int_equal(p2m_test_and_clear_dirty(&s->p, 0x400000 + 10 * K4), 1);
	/* remap starts clean. */
	assert_int_equal(p2m_remap(&s->p, 0x400000 + 11 * K4, 0x7000, P2M_RW, NULL), 0);
	assert_int_equal(p2m_test_and_clear_ad(&s->p, 0x400000 + 11 * K4,
					       P2M_ACCESSED | P2M_DIRTY), 0);
	destroy_and_check(s);
}

static void test_remap(void **state)
{
	struct sim *s = *state;
	uint64_t old = 0;

	assert_int_equal(p2m_remap(&s->p, 0x1000, 0x2000, P2M_R, &old), -SV_ENOENT);
	assert_int_equal(p2m_map(&s->p, 0x1000, 0x5000, K4, P2M_RW, P2M_MT_UC), 0);
	assert_int_equal(p2m_map(&s->p, 0x1000, 0x6000, K4, P2M_RW, P2M_MT_WB), -SV_EEXIST);
	assert_int_equal(p2m_remap(&s->p, 0x1000, 0x6000, P2M_R, &old), 0);
	assert_int_equal(old, 0x5000);
	expect_leaf(s, 0x1000, 0x6000, K4, P2M_R, P2M_MT_UC);	/* type kept */
	assert_int_equal(p2m_remap(&s->p, 0x1000, 0x6001, P2M_R, &old), -SV_EINVAL);
	assert_int_equal(p2m_remap(&s->p, 0x1000, 1ull << 52, P2M_R, &old), -SV_ERANGE);
	assert_int_equal(p2m_remap(&s->p, 0x1000, 0x7000, P2M_W, &old), -SV_ENOTSUP);

	/* Inside a 2 MiB leaf: split, one page moves. */
	assert_int_equal(p2m_map(&s->p, M2, 0x10000000, M2, P2M_RWX, P2M_MT_WB), 0);
	assert_int_equal(p2m_remap(&s->p, M2 + 3 * K4, 0x9000, P2M_RX, &old), 0);
	assert_int_equal(old, 0x10000000 + 3 * K4);
	expect_leaf(s, M2 + 3 * K4, 0x9000, K4, P2M_RX, P2M_MT_WB);
	expect_leaf(s, M2 + 4 * K4, 0x10000000 + 4 * K4, K4, P2M_RWX, P2M_MT_WB);
	destroy_and_check(s);
}

static void test_errors(void **state)
{
	struct sim *s = *state;
	const uint64_t big = 1ull << 48;
	uint64_t tables;

	/* Sizes and alignment. */
	assert_int_equal(p2m_map(&s->p, 0, 0, 8192, P2M_RW, P2M_MT_WB), -SV_EINVAL);
	assert_int_equal(p2m_map(&s->p, 0, 0, 0, P2M_RW, P2M_MT_WB), -SV_EINVAL);
	assert_int_equal(p2m_map(&s->p, 0x1000, 0, M2, P2M_RW, P2M_MT_WB), -SV_EINVAL);
	assert_int_equal(p2m_map(&s->p, 0, 0x1000, M2, P2M_RW, P2M_MT_WB), -SV_EINVAL);
	assert_int_equal(p2m_map(&s->p, M2, 0, G1, P2M_RW, P2M_MT_WB), -SV_EINVAL);
	assert_int_equal(p2m_map(&s->p, 0x800, 0, K4, P2M_RW, P2M_MT_WB), -SV_EINVAL);
	assert_int_equal(p2m_map(&s->p, 0, 0x800, K4, P2M_RW, P2M_MT_WB), -SV_EINVAL);
	assert_int_equal(p2m_map(&s->p, 0, 0, K4, P2M_RW, (enum p2m_mtype)7), -SV_EINVAL);
	/* Ranges. */
	assert_int_equal(p2m_map(&s->p, big, 0, K4, P2M_RW, P2M_MT_WB), -SV_ERANGE);
	assert_int_equal(p2m_map(&s->p, ~0xfffull, 0, K4, P2M_RW, P2M_MT_WB), -SV_ERANGE);
	assert_int_equal(p2m_map(&s->p, 0, 1ull << 52, K4, P2M_RW, P2M_MT_WB), -SV_ERANGE);
	assert_int_equal(p2m_lookup(&s->p, big, NULL, NULL), -SV_ERANGE);
	assert_int_equal(p2m_unmap(&s->p, big, K4, NULL), -SV_ERANGE);
	assert_int_equal(p2m_protect(&s->p, big, P2M_R), -SV_ERANGE);
	assert_int_equal(s->p.tables, 1);	/* nothing was built for failed calls */

	/* Overlaps. */
	assert_int_equal(p2m_map(&s->p, M2 + K4, 0x1000, K4, P2M_RW, P2M_MT_WB), 0);
	assert_int_equal(p2m_map(&s->p, 4 * M2, 0, M2, P2M_RW, P2M_MT_WB), 0);
	tables = s->p.tables;
	assert_int_equal(p2m_map(&s->p, M2 + K4, 0x2000, K4, P2M_RW, P2M_MT_WB), -SV_EEXIST);
	assert_int_equal(p2m_map(&s->p, M2, 0, M2, P2M_RW, P2M_MT_WB), -SV_EEXIST);
	assert_int_equal(p2m_map(&s->p, 4 * M2 + 5 * K4, 0, K4, P2M_RW, P2M_MT_WB),
			 -SV_EEXIST);
	assert_int_equal(p2m_map(&s->p, 0, 0, G1, P2M_RW, P2M_MT_WB), -SV_EEXIST);
	assert_int_equal(s->p.tables, tables);
	expect_leaf(s, M2 + K4, 0x1000, K4, P2M_RW, P2M_MT_WB);

	/* Unmap, protect, lookup of what is not there. */
	assert_int_equal(p2m_unmap(&s->p, M2 + 2 * K4, K4, NULL), -SV_ENOENT);
	assert_int_equal(p2m_unmap(&s->p, 8 * M2, M2, NULL), -SV_ENOENT);
	assert_int_equal(p2m_unmap(&s->p, M2, M2, NULL), -SV_EINVAL);	/* 4 KiB leaves there */
	assert_int_equal(p2m_unmap(&s->p, 0, G1, NULL), -SV_EINVAL);
	assert_int_equal(p2m_unmap(&s->p, 0x1000, M2, NULL), -SV_EINVAL);
	assert_int_equal(p2m_unmap(&s->p, 0, 12345, NULL), -SV_EINVAL);
	assert_int_equal(p2m_protect(&s->p, M2 + 2 * K4, P2M_R), -SV_ENOENT);
	assert_int_equal(p2m_protect(&s->p, M2 + K4 + 1, P2M_R), -SV_EINVAL);
	assert_int_equal(p2m_lookup(&s->p, M2 + 2 * K4, NULL, NULL), -SV_ENOENT);
	assert_int_equal(s->p.tables, tables);
	destroy_and_check(s);
}

static void test_check_detects_corruption(void **state)
{
	struct sim *s = *state;

	assert_int_equal(p2m_map(&s->p, 0x1000, 0x1000, K4, P2M_RW, P2M_MT_WB), 0);
	assert_int_equal(p2m_map(&s->p, 0x2000, 0x2000, K4, P2M_RW, P2M_MT_WB), 0);
	assert_int_equal(p2m_map(&s->p, M2, M2, M2, P2M_RW, P2M_MT_WB), 0);
	assert_int_equal(p2m_check(&s->p), 0);
	*raw(s, M2, 2) |= 1ull << 12;		/* misaligned 2 MiB leaf */
	assert_int_equal(p2m_check(&s->p), -3);
	*raw(s, M2, 2) &= ~(1ull << 12);
	*raw(s, 0x1000, 1) = 0;			/* a leaf lost behind the counters */
	assert_int_equal(p2m_check(&s->p), -7);
	*raw(s, 0x2000, 1) = 0;			/* and now an empty table */
	assert_int_equal(p2m_check(&s->p), -5);
	p2m_destroy(&s->p, NULL, NULL);
	assert_int_equal(frame_free_count(&s->fp), s->free0);
}

struct collect {
	struct p2m_leaf leaf[16];
	int n;
	int stop_at;		/* return 42 at this leaf, or -1 */
};

static int collect_fn(void *arg, const struct p2m_leaf *leaf)
{
	struct collect *c = arg;

	assert_true(c->n < 16);
	c->leaf[c->n++] = *leaf;
	return c->n - 1 == c->stop_at ? 42 : 0;
}

static void test_iterator(void **state)
{
	struct sim *s = *state;
	static const struct {
		uint64_t gpa, hpa, size;
		unsigned perms;
	} m[] = {
		{ 0x0, 0x100000, K4, P2M_R },
		{ 0x3000, 0x200000, K4, P2M_RW },
		{ 0x600000, 0x40000000, M2, P2M_RX },
		{ 0x80000000, 0x80000000, G1, P2M_RWX },
		{ 0x8000000000ull, 0x5000, K4, P2M_RW },	/* another L4 slot */
		{ 0xfffffffff000ull, 0x6000, K4, P2M_R },	/* the very last page */
	};
	const int n = sizeof(m) / sizeof(m[0]);
	struct collect c = { .n = 0, .stop_at = -1 };
	struct p2m_leaf lf;
	uint64_t cursor = 0;

	assert_int_equal(p2m_next(&s->p, &cursor, ~0ull, &lf), -SV_ENOENT);
	for (int i = n - 1; i >= 0; i--)
		assert_int_equal(p2m_map(&s->p, m[i].gpa, m[i].hpa, m[i].size,
					 m[i].perms, P2M_MT_WB), 0);
	/* Everything, in gpa order. */
	assert_int_equal(p2m_for_each(&s->p, 0, ~0ull, collect_fn, &c), 0);
	assert_int_equal(c.n, n);
	for (int i = 0; i < n; i++) {
		assert_int_equal(c.leaf[i].gpa, m[i].gpa);
		assert_int_equal(c.leaf[i].hpa, m[i].hpa);
		assert_int_equal(c.leaf[i].size, m[i].size);
		assert_int_equal(c.leaf[i].perms, m[i].perms);
	}
	/* A sub-range: a large leaf that starts before it is reported. */
	c.n = 0;
	assert_int_equal(p2m_for_each(&s->p, 0x7ff000, 0x80001000, collect_fn, &c), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.leaf[0].gpa, 0x600000);
	assert_int_equal(c.leaf[1].gpa, 0x80000000);
	c.n = 0;
	assert_int_equal(p2m_for_each(&s->p, 0x1000, 0x3000, collect_fn, &c), 0);
	assert_int_equal(c.n, 0);
	/* Early stop passes the callback's value on. */
	c.n = 0;
	c.stop_at = 2;
	assert_int_equal(p2m_for_each(&s->p, 0, ~0ull, collect_fn, &c), 42);
	assert_int_equal(c.n, 3);
	/* A resumable cursor, as the scanner uses it. */
	cursor = 0x1000;
	assert_int_equal(p2m_next(&s->p, &cursor, ~0ull, &lf), 0);
	assert_int_equal(lf.gpa, 0x3000);
	assert_int_equal(cursor, 0x4000);
	assert_int_equal(p2m_next(&s->p, &cursor, ~0ull, &lf), 0);
	assert_int_equal(lf.gpa, 0x600000);
	assert_int_equal(cursor, 0x800000);
	cursor = 0x8000001000ull;
	assert_int_equal(p2m_next(&s->p, &cursor, ~0ull, &lf), 0);
	assert_int_equal(lf.gpa, 0xfffffffff000ull);
	assert_int_equal(p2m_next(&s->p, &cursor, ~0ull, &lf), -SV_ENOENT);
	destroy_and_check(s);
}

struct released {
	uint64_t leaves, bytes, hpa_sum;
};

static int release_fn(void *arg, const struct p2m_leaf *leaf)
{
	struct released *r = arg;

	r->leaves++;
	r->bytes += leaf->size;
	r->hpa_sum += leaf->hpa;
	return 1;	/* ignored by destroy */
}

static void test_destroy_releases_everything(void **state)
{
	struct sim *s = *state;
	struct released r = { 0, 0, 0 };
	uint64_t hsum = 0;

	for (uint64_t i = 0; i < 300; i++) {
		uint64_t gpa = 64 * G1 + (i * 0x10203ull % 4096) * 0x2000000ull +
			       (i % 7) * K4;

		assert_int_equal(p2m_map(&s->p, gpa, (i + 1) * K4, K4, P2M_RW, P2M_MT_WB), 0);
		hsum += (i + 1) * K4;
	}
	assert_int_equal(p2m_map(&s->p, 5 * G1 + M2, 0x200000, M2, P2M_R, P2M_MT_WB), 0);
	assert_int_equal(p2m_map(&s->p, 9 * G1, G1, G1, P2M_R, P2M_MT_WB), 0);
	assert_int_equal(p2m_protect(&s->p, 9 * G1 + 3 * K4, P2M_RW), 0);	/* split */
	hsum += 0x200000;
	for (uint64_t i = 0; i < 512; i++)
		hsum += G1 + i * M2;
	hsum += 511 * G1;	/* the 511 other 4 KiB leaves of the split 2 MiB page */
	for (uint64_t i = 1; i < 512; i++)
		hsum += i * K4;
	assert_true(s->p.tables > 100);
	assert_int_equal(frame_free_count(&s->fp), s->free0 - s->p.tables);

	p2m_destroy(&s->p, release_fn, &r);
	assert_int_equal(r.leaves, 300 + 1 + 511 + 512);
	assert_int_equal(r.bytes, 300 * K4 + M2 + G1);
	assert_int_equal(r.hpa_sum, hsum);
	assert_int_equal(s->p.tables, 0);
	for (int l = 0; l < P2M_LEVELS; l++)
		assert_int_equal(s->p.leaves[l], 0);
	assert_int_equal(frame_free_count(&s->fp), s->free0);
	assert_int_equal(frame_pool_check(&s->fp), 0);
}

/* Out of table frames: a failure leaves the map as it was and leaks no table. */
static void test_out_of_memory(void **state)
{
	struct sim *s = *state;
	uint64_t pa, free_before;
	int got = 0;

	/* Use up the pool until 4 frames are left. */
	while (frame_free_count(&s->fp) > 4)
		assert_int_not_equal(frame_alloc(&s->fp, FRAME_GUEST, 1), 0);
	assert_int_equal(p2m_map(&s->p, 0, 0x1000, K4, P2M_RW, P2M_MT_WB), 0);	/* 3 tables */
	assert_int_equal(frame_free_count(&s->fp), 1);
	/* Another L4 slot needs 3 tables: the one made is given back. */
	assert_int_equal(p2m_map(&s->p, 1ull << 39, 0x2000, K4, P2M_RW, P2M_MT_WB),
			 -SV_ENOMEM);
	assert_int_equal(frame_free_count(&s->fp), 1);
	assert_int_equal(s->p.tables, 4);
	assert_int_equal(p2m_lookup(&s->p, 1ull << 39, NULL, NULL), -SV_ENOENT);
	/* A split takes the last frame; the next one cannot happen. */
	assert_int_equal(p2m_map(&s->p, M2, 0x200000, M2, P2M_RWX, P2M_MT_WB), 0);
	assert_int_equal(p2m_map(&s->p, 2 * M2, 0x400000, M2, P2M_RWX, P2M_MT_WB), 0);
	assert_int_equal(p2m_protect(&s->p, M2, P2M_R), 0);
	assert_int_equal(frame_free_count(&s->fp), 0);
	assert_int_equal(p2m_protect(&s->p, 2 * M2, P2M_R), -SV_ENOMEM);
	assert_int_equal(p2m_unmap(&s->p, 2 * M2 + K4, K4, NULL), -SV_ENOMEM);
	assert_int_equal(p2m_remap(&s->p, 2 * M2, 0x1000, P2M_R, NULL), -SV_ENOMEM);
	expect_leaf(s, 2 * M2 + K4, 0x401000, M2, P2M_RWX, P2M_MT_WB);
	/* Unmapping a whole 2 MiB leaf needs no frame; a 4 KiB page is then mappable. */
	assert_int_equal(p2m_unmap(&s->p, 2 * M2, M2, &pa), 0);
	assert_int_equal(pa, 0x400000);
	free_before = frame_free_count(&s->fp);
	assert_int_equal(free_before, 0);
	assert_int_equal(p2m_map(&s->p, 2 * M2, 0x400000, K4, P2M_RW, P2M_MT_WB), -SV_ENOMEM);
	assert_int_equal(p2m_map(&s->p, 0x5000, 0x5000, K4, P2M_RW, P2M_MT_WB), 0);
	got = p2m_lookup(&s->p, 0x5000, NULL, NULL);
	assert_int_equal(got, 0);
	p2m_destroy(&s->p, NULL, NULL);
	assert_int_equal(frame_free_count(&s->fp), 5);	/* the 4 and the root */
	assert_int_equal(frame_pool_check(&s->fp), 0);
}

/*
 * The randomised test: many random operations against a reference map kept
 * per 4 KiB page over a 4 GiB window that straddles an L4 boundary, so 4 KiB,
 * 2 MiB and 1 GiB leaves, splits and pruning all happen. 4 KiB operations
 * stay in the lower half and 1 GiB ones in the upper half, so that 1 GiB
 * leaves come and go; half of the operations other than map aim at a
 * mapped page, and every 512 operations one 1 GiB slot is emptied. After every
 * operation the touched range is looked up; every 256 operations the whole
 * window is checked, through lookup and through the iterator, and the number
 * of table frames is recomputed from the reference.
 */
#define RW_BASE	 ((1ull << 39) - 2 * G1)
#define RW_BYTES (4 * G1)
#define RW_PAGES (RW_BYTES / K4)

struct ref_page {
	uint64_t hpa;		/* 0: unmapped (hpa 0 is never used) */
	uint64_t size;		/* leaf size */
	uint8_t perms;
	bool dirty;
};

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static struct ref_page *ref_at(struct ref_page *ref, uint64_t gpa)
{
	return &ref[(gpa - RW_BASE) / K4];
}

/* ref_split - break the leaf holding @gpa down until it is at most @size. */
static void ref_split(struct ref_page *ref, uint64_t gpa, uint64_t size)
{
	while (ref_at(ref, gpa)->size > size) {
		uint64_t ls = ref_at(ref, gpa)->size, base = gpa & ~(ls - 1);

		for (uint64_t a = base; a < base + ls; a += K4)
			ref_at(ref, a)->size = ls / 512;
	}
}

static void check_page(struct sim *s, struct ref_page *ref, uint64_t gpa)
{
	struct ref_page *r = ref_at(ref, gpa);
	struct p2m_leaf lf;
	uint64_t h;
	int rc = p2m_lookup(&s->p, gpa, &h, &lf);

	if (!r->hpa) {
		assert_int_equal(rc, -SV_ENOENT);
		return;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(h, r->hpa);
	assert_int_equal(lf.size, r->size);
	assert_int_equal(lf.perms, r->perms);
	assert_int_equal(lf.gpa, gpa & ~(r->size - 1));
	if (p2m_has_ad(&s->p))
		assert_int_equal(lf.dirty, r->dirty);
}

static void check_all(struct sim *s, struct ref_page *ref)
{
	uint64_t tables = 1, last[4] = { ~0ull, ~0ull, ~0ull, ~0ull };
	uint64_t mapped = 0, cursor = RW_BASE, covered = 0;
	struct p2m_leaf lf;

	for (uint64_t i = 0; i < RW_PAGES; i++) {
		uint64_t gpa = RW_BASE + i * K4;
		struct ref_page *r = &ref[i];

		if (!r->hpa)
			continue;
		mapped++;
		/* Tables a leaf of this size needs at levels 3, 2, 1. */
		for (int l = 3; l >= 1; l--) {
			uint64_t key = gpa >> (12 + 9 * l);

			if (r->size >= (1ull << (12 + 9 * l)))
				break;
			if (last[l] != key) {
				last[l] = key;
				tables++;
			}
		}
		if (i % 61 == 0 || r->size == K4)
			check_page(s, ref, gpa);
	}
	assert_int_equal(s->p.tables, tables);
	assert_int_equal(p2m_check(&s->p), 0);
	/* The iterator sees exactly the reference's leaves. */
	while (p2m_next(&s->p, &cursor, RW_BASE + RW_BYTES, &lf) == 0) {
		struct ref_page *r = ref_at(ref, lf.gpa);

		assert_int_not_equal(r->hpa, 0);
		assert_int_equal(r->size, lf.size);
		assert_int_equal(r->hpa, lf.hpa);
		assert_int_equal(r->perms, lf.perms);
		covered += lf.size / K4;
	}
	assert_int_equal(covered, mapped);
	assert_int_equal(s->p.leaves[0] + 512 * s->p.leaves[1] +
			 512 * 512 * s->p.leaves[2], mapped);
}

static const unsigned valid_perms[] = { P2M_R, P2M_RW, P2M_RX, P2M_RWX };

/* ref_find - the first mapped page at or after @gpa, wrapping around the window. */
static uint64_t ref_find(struct ref_page *ref, uint64_t gpa)
{
	uint64_t i = (gpa - RW_BASE) / K4;

	for (uint64_t n = 0; n < RW_PAGES; n++, i = (i + 1) % RW_PAGES)
		if (ref[i].hpa)
			return RW_BASE + i * K4;
	return gpa;	/* nothing mapped */
}

static void random_op(struct sim *s, struct ref_page *ref)
{
	uint64_t pick = rng() % 100, size, gpa, hpa, old;
	unsigned perms = valid_perms[rng() % 4], op = rng() % 8;
	struct ref_page *r;
	int rc, want;

	size = pick < 55 ? K4 : pick < 85 ? M2 : G1;
	if (size == K4 && (rng() & 1))	/* clustered around the 1 GiB boundary */
		gpa = RW_BASE + G1 - 8 * M2 + (rng() % (16 * 512)) * K4;
	else if (size == G1 || (size == M2 && rng() % 16 == 0))
		gpa = RW_BASE + 2 * G1 + (rng() % (2 * G1 / size)) * size;
	else
		gpa = RW_BASE + (rng() % (2 * G1 / size)) * size;
	if (op >= 2 && (rng() & 1)) {
		/* Aim at something mapped, with its own leaf size half the time. */
		gpa = ref_find(ref, gpa);
		size = K4;
		if (ref_at(ref, gpa)->hpa && (rng() & 1)) {
			size = ref_at(ref, gpa)->size;
			gpa &= ~(size - 1);
		}
	}
	hpa = ((rng() % (1ull << 34)) + 1) * size & ((1ull << 46) - 1);
	if (!hpa)
		hpa = size;
	r = ref_at(ref, gpa);

	switch (op) {
	case 0: case 1: {		/* map */
		bool busy = false;

		for (uint64_t a = gpa; a < gpa + size && !busy; a += K4)
			busy = ref_at(ref, a)->hpa != 0;
		rc = p2m_map(&s->p, gpa, hpa, size, perms, P2M_MT_WB);
		assert_int_equal(rc, busy ? -SV_EEXIST : 0);
		if (!busy)
			for (uint64_t a = gpa; a < gpa + size; a += K4)
				*ref_at(ref, a) = (struct ref_page){
					hpa + (a - gpa), size, (uint8_t)perms, false };
		break;
	}
	case 2: case 3: {		/* unmap */
		bool any = false;

		for (uint64_t a = gpa; a < gpa + size && !any; a += K4)
			any = ref_at(ref, a)->hpa != 0;
		want = r->hpa && r->size >= size ? 0 : any ? -SV_EINVAL : -SV_ENOENT;
		rc = p2m_unmap(&s->p, gpa, size, &old);
		assert_int_equal(rc, want);
		if (rc)
			break;
		assert_int_equal(old, r->hpa);
		ref_split(ref, gpa, size);
		for (uint64_t a = gpa; a < gpa + size; a += K4)
			*ref_at(ref, a) = (struct ref_page){ 0, 0, 0, false };
		break;
	}
	case 4:				/* protect */
		gpa &= ~(K4 - 1);
		rc = p2m_protect(&s->p, gpa, perms);
		assert_int_equal(rc, r->hpa ? 0 : -SV_ENOENT);
		if (rc || r->perms == perms)
			break;
		ref_split(ref, gpa, K4);
		r->perms = (uint8_t)perms;
		break;
	case 5:				/* remap */
		hpa = hpa * K4 % (1ull << 46);
		hpa = hpa ? hpa : K4;
		rc = p2m_remap(&s->p, gpa, hpa, perms, &old);
		assert_int_equal(rc, r->hpa ? 0 : -SV_ENOENT);
		if (rc)
			break;
		assert_int_equal(old, r->hpa);
		ref_split(ref, gpa, K4);
		*r = (struct ref_page){ hpa, K4, (uint8_t)perms, false };
		break;
	case 6:				/* the CPU writes through the leaf */
		if (!r->hpa || !p2m_has_ad(&s->p))
			break;
		*raw(s, gpa, r->size == K4 ? 1 : r->size == M2 ? 2 : 3) |=
			s->fmt->dirty_bit;
		for (uint64_t a = gpa & ~(r->size - 1), e = a + r->size; a < e; a += K4)
			ref_at(ref, a)->dirty = true;
		break;
	case 7:				/* the scanner asks */
		rc = p2m_test_and_clear_dirty(&s->p, gpa);
		if (!p2m_has_ad(&s->p)) {
			assert_int_equal(rc, -SV_ENOTSUP);
			break;
		}
		if (!r->hpa) {
			assert_int_equal(rc, -SV_ENOENT);
			break;
		}
		assert_int_equal(rc, r->dirty);
		for (uint64_t a = gpa & ~(r->size - 1), e = a + r->size; a < e; a += K4)
			ref_at(ref, a)->dirty = false;
		break;
	}
	/* Look up the touched range and its neighbours. */
	for (int i = 0; i < 8; i++) {
		uint64_t a = gpa + (rng() % size);

		check_page(s, ref, a & ~(K4 - 1));
	}
	if (gpa > RW_BASE)
		check_page(s, ref, gpa - K4);
	if (gpa + size < RW_BASE + RW_BYTES)
		check_page(s, ref, gpa + size);
}

/* clear_slot - unmap every leaf of one 1 GiB slot through the iterator. */
static void clear_slot(struct sim *s, struct ref_page *ref, uint64_t base)
{
	uint64_t cursor = base;
	struct p2m_leaf lf;

	while (p2m_next(&s->p, &cursor, base + G1, &lf) == 0) {
		assert_int_equal(p2m_unmap(&s->p, lf.gpa, lf.size, NULL), 0);
		for (uint64_t a = lf.gpa; a < lf.gpa + lf.size; a += K4) {
			assert_int_not_equal(ref_at(ref, a)->hpa, 0);
			*ref_at(ref, a) = (struct ref_page){ 0, 0, 0, false };
		}
	}
	for (uint64_t a = base; a < base + G1; a += K4)
		assert_int_equal(ref_at(ref, a)->hpa, 0);
}

static void test_random_against_reference(void **state)
{
	struct sim *s = *state;
	struct ref_page *ref = calloc(RW_PAGES, sizeof(*ref));
	const char *seed = getenv("P2M_SEED");
	int ops = 8000;

	rng_state = seed ? strtoull(seed, NULL, 0) : 0x9e3779b97f4a7c15ull;
	rng_state ^= (s->fmt->name[0] + strlen(s->fmt->name)) * 0x100000001b3ull;
	for (int i = 0; i < ops; i++) {
		random_op(s, ref);
		if (i % 256 == 255)
			check_all(s, ref);
		if (i % 512 == 511)	/* make room for 1 GiB leaves again */
			clear_slot(s, ref, RW_BASE + G1 * (rng() % 4));
	}
	check_all(s, ref);
	/* Unmap everything through the iterator: the tables go with it. */
	for (;;) {
		uint64_t cursor = RW_BASE;
		struct p2m_leaf lf;

		if (p2m_next(&s->p, &cursor, RW_BASE + RW_BYTES, &lf))
			break;
		assert_int_equal(p2m_unmap(&s->p, lf.gpa, lf.size, NULL), 0);
	}
	assert_int_equal(s->p.tables, 1);
	free(ref);
	destroy_and_check(s);
}

#define TESTS(X)                                  \
	X(test_init_destroy)                      \
	X(test_map_lookup_unmap_4k)               \
	X(test_large_leaves)                      \
	X(test_split_2m_on_protect)               \
	X(test_split_1g_on_unmap)                 \
	X(test_raw_bits)                          \
	X(test_permission_sets)                   \
	X(test_accessed_dirty)                    \
	X(test_remap)                             \
	X(test_errors)                            \
	X(test_check_detects_corruption)          \
	X(test_iterator)                          \
	X(test_destroy_releases_everything)       \
	X(test_out_of_memory)                     \
	X(test_random_against_reference)

static const struct {
	const char *name;
	CMUnitTestFunction fn;
} tests[] = {
#define ENTRY(fn) { #fn, fn },
	TESTS(ENTRY)
#undef ENTRY
};
#define NTESTS (sizeof(tests) / sizeof(tests[0]))

/* Every test once per format, named "format/test". */
int main(void)
{
	struct CMUnitTest all[NTESTS * NFORMATS];
	static char names[NTESTS * NFORMATS][64];
	size_t n = 0;

	for (size_t f = 0; f < NFORMATS; f++)
		for (size_t t = 0; t < NTESTS; t++, n++) {
			snprintf(names[n], sizeof(names[n]), "%s/%s",
				 formats[f]->name, tests[t].name + 5);
			all[n] = (struct CMUnitTest){
				.name = names[n],
				.test_func = tests[t].fn,
				.setup_func = sim_setup,
				.teardown_func = sim_teardown,
				.initial_state = (void *)formats[f],
			};
		}
	return _cmocka_run_group_tests("p2m", all, n, NULL, NULL);
}
