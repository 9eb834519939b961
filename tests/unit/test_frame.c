// SPDX-License-Identifier: MIT
/* test_frame.c - the frame allocator and heap over simulated physical memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mm/errno.h"
#include "mm/frame.h"
#include "mm/heap.h"

/* Simulated physical memory: [0, SIM_BYTES) lives at sim_mem. */
#define SIM_BYTES (8ull << 20)

struct sim {
	unsigned char *mem;
	struct frame_pool fp;
};

static int sim_setup(void **state)
{
	struct sim *s = calloc(1, sizeof(*s));

	s->mem = aligned_alloc(4096, SIM_BYTES);
	memset(s->mem, 0xa5, SIM_BYTES);
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

static uintptr_t off(struct sim *s)
{
	return (uintptr_t)s->mem;
}

static bool in_ranges(uint64_t pa, const struct mem_range *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pa + PAGE_SIZE > r[i].start && pa < r[i].end)
			return true;
	return false;
}

/* Allocate everything; check it against usable/reserved; free; reuse. */
static void test_exhaust_reserved_and_reuse(void **state)
{
	struct sim *s = *state;
	const struct mem_range usable[] = {
		{ 0, 0x9f000 },			/* low RAM below the 640K hole */
		{ 0x100000, 0x500000 },		/* 1 MiB .. 5 MiB */
		{ 0x600123, 0x7ff000 },		/* unaligned start */
	};
	const struct mem_range reserved[] = {
		{ 0x100000, 0x180000 },		/* "hypervisor image" */
		{ 0x200800, 0x201100 },		/* "boot info": straddles 2 pages */
		{ 0x300000, 0x340000 },		/* "module" */
	};
	uint64_t expect_total = 0, n = 0, pa;
	uint64_t *got = calloc(SIM_BYTES / PAGE_SIZE, sizeof(uint64_t));
	unsigned char *seen = calloc(SIM_BYTES / PAGE_SIZE, 1);

	assert_int_equal(frame_pool_init(&s->fp, usable, 3, reserved, 3, off(s)), 0);
	assert_int_equal(frame_pool_check(&s->fp), 0);
	/* Usable frames, computed from the ranges: page-aligned inward, minus reserved, minus frame 0. */
	for (pa = PAGE_SIZE; pa < SIM_BYTES; pa += PAGE_SIZE) {
		bool u = false;
		for (int i = 0; i < 3; i++)
			if (pa >= ((usable[i].start + 4095) & PAGE_MASK) &&
			    pa + PAGE_SIZE <= (usable[i].end & PAGE_MASK))
				u = true;
		if (u && !in_ranges(pa, reserved, 3))
			expect_total++;
	}
	assert_int_equal(s->fp.total, expect_total);
	assert_int_equal(s->fp.count[FRAME_FREE] + s->fp.count[FRAME_HV], expect_total);

	while ((pa = frame_alloc(&s->fp, FRAME_GUEST, 7)) != 0) {
		assert_int_equal(pa & ~PAGE_MASK, 0);
		assert_false(in_ranges(pa, reserved, 3));
		assert_true(in_ranges(pa, usable, 3));
		assert_true(pa >= 0x1000);
		assert_true(pa < s->fp.meta_pa || pa >= s->fp.meta_pa + s->fp.meta_bytes);
		assert_false(seen[pa >> PAGE_SHIFT]);	/* no double allocation */
		seen[pa >> PAGE_SHIFT] = 1;
		assert_int_equal(frame_meta(&s->fp, pa)->owner, 7);
		got[n++] = pa;
	}
	assert_int_equal(s->fp.count[FRAME_FREE], 0);
	assert_int_equal(s->fp.count[FRAME_GUEST], n);
	assert_int_equal(n + s->fp.count[FRAME_HV], expect_total);
	assert_int_equal(frame_alloc(&s->fp, FRAME_GUEST, 7), 0);
	assert_int_equal(frame_pool_check(&s->fp), 0);

	for (uint64_t i = 0; i < n; i += 2)
		assert_int_equal(frame_put(&s->fp, got[i]), 0);
	assert_int_equal(s->fp.count[FRAME_FREE], (n + 1) / 2);
	assert_int_equal(frame_pool_check(&s->fp), 0);
	/* Reuse: exactly the freed frames come back. */
	for (uint64_t i = 0; i < n; i += 2) {
		pa = frame_alloc(&s->fp, FRAME_HV, 0);
		assert_int_not_equal(pa, 0);
		assert_true(seen[pa >> PAGE_SHIFT]);
	}
	assert_int_equal(frame_alloc(&s->fp, FRAME_HV, 0), 0);
	assert_int_equal(frame_pool_check(&s->fp), 0);
	free(got);
	free(seen);
}

static void test_refcount_and_kinds(void **state)
{
	struct sim *s = *state;
	const struct mem_range usable[] = { { 0x100000, 0x200000 } };
	uint64_t pa, free0;

	assert_int_equal(frame_pool_init(&s->fp, usable, 1, NULL, 0, off(s)), 0);
	free0 = frame_free_count(&s->fp);
	pa = frame_alloc(&s->fp, FRAME_GUEST, 1);
	frame_get(&s->fp, pa);
	frame_set_kind(&s->fp, pa, FRAME_CONTENT);
	assert_int_equal(s->fp.count[FRAME_CONTENT], 1);
	assert_int_equal(s->fp.count[FRAME_GUEST], 0);
	assert_int_equal(frame_put(&s->fp, pa), 1);
	assert_int_equal(frame_free_count(&s->fp), free0 - 1);
	assert_int_equal(frame_put(&s->fp, pa), 0);
	assert_int_equal(frame_free_count(&s->fp), free0);
	assert_int_equal(s->fp.count[FRAME_CONTENT], 0);
	assert_int_equal(frame_pool_check(&s->fp), 0);
}

static void test_contig(void **state)
{
	struct sim *s = *state;
	const struct mem_range usable[] = { { 0x100000, 0x140000 } };	/* 64 frames */
	uint64_t a, b, singles[8];

	assert_int_equal(frame_pool_init(&s->fp, usable, 1, NULL, 0, off(s)), 0);
	for (int i = 0; i < 8; i++)
		singles[i] = frame_alloc(&s->fp, FRAME_HV, 0);
	frame_put(&s->fp, singles[3]);	/* a one-frame hole */
	a = frame_alloc_contig(&s->fp, 3, FRAME_HV, 0);
	assert_int_not_equal(a, 0);
	for (int i = 0; i < 3; i++) {
		struct frame *f = frame_meta(&s->fp, a + i * PAGE_SIZE);
		assert_int_equal(f->kind, FRAME_HV);
		assert_int_equal(f->refcount, 1);
	}
	assert_true(a > singles[7] || a + 3 * PAGE_SIZE <= singles[0]);
	b = frame_alloc_contig(&s->fp, 1000, FRAME_HV, 0);
	assert_int_equal(b, 0);
	assert_int_equal(frame_pool_check(&s->fp), 0);
}

static void test_no_usable_ram(void **state)
{
	struct sim *s = *state;
	const struct mem_range usable[] = { { 0x100000, 0x100800 } };	/* < 1 page */
	const struct mem_range whole[] = { { 0x100000, 0x200000 } };
	const struct mem_range all_reserved[] = { { 0, 0x300000 } };

	assert_int_equal(frame_pool_init(&s->fp, usable, 1, NULL, 0, off(s)), -SV_EINVAL);
	assert_int_equal(frame_pool_init(&s->fp, NULL, 0, NULL, 0, off(s)), -SV_EINVAL);
	assert_int_equal(frame_pool_init(&s->fp, whole, 1, all_reserved, 1, off(s)), -SV_EINVAL);
}

static void test_overlapping_map(void **state)
{
	struct sim *s = *state;
	const struct mem_range usable[] = { { 0x100000, 0x200000 }, { 0x180000, 0x280000 } };

	assert_int_equal(frame_pool_init(&s->fp, usable, 2, NULL, 0, off(s)), 0);
	assert_int_equal(s->fp.total, (0x280000 - 0x100000) / PAGE_SIZE);
	assert_int_equal(frame_pool_check(&s->fp), 0);
}

static void test_heap(void **state)
{
	struct sim *s = *state;
	const struct mem_range usable[] = { { 0x100000, 0x400000 } };
	struct heap h;
	void *p[200];
	uint64_t free0, free_all;

	assert_int_equal(frame_pool_init(&s->fp, usable, 1, NULL, 0, off(s)), 0);
	heap_init(&h, &s->fp);
	free_all = frame_free_count(&s->fp);
	for (int i = 0; i < 200; i++) {
		size_t sz = (size_t)(i * 37) % 2500 + 1;
		p[i] = heap_alloc(&h, sz);
		assert_non_null(p[i]);
		for (size_t k = 0; k < sz; k++)
			assert_int_equal(((unsigned char *)p[i])[k], 0);
		memset(p[i], i, sz);
	}
	for (int i = 0; i < 200; i++) {
		size_t sz = (size_t)(i * 37) % 2500 + 1;
		for (size_t k = 0; k < sz; k++)
			assert_int_equal(((unsigned char *)p[i])[k], (unsigned char)i);
	}
	free0 = frame_free_count(&s->fp);
	void *big = heap_alloc(&h, 3 * 4096 + 1);
	assert_non_null(big);
	assert_int_equal(frame_free_count(&s->fp), free0 - 4);
	heap_free(&h, big);
	assert_int_equal(frame_free_count(&s->fp), free0);
	for (int i = 0; i < 200; i++)
		heap_free(&h, p[i]);
	assert_int_equal(h.bytes_in_use, 0);
	/* Emptied class frames went back, but for at most one kept per class. */
	assert_true(h.frames <= HEAP_NCLASSES);
	assert_int_equal(frame_free_count(&s->fp) + h.frames, free_all);
	/* And the heap still works after giving frames back. */
	for (int i = 0; i < 200; i++) {
		p[i] = heap_alloc(&h, (size_t)(i * 53) % 2000 + 1);
		assert_non_null(p[i]);
		memset(p[i], 0x5a, (size_t)(i * 53) % 2000 + 1);
	}
	for (int i = 199; i >= 0; i--)
		heap_free(&h, p[i]);
	assert_int_equal(frame_free_count(&s->fp) + h.frames, free_all);
	assert_null(heap_alloc(&h, 64ull << 20));
	assert_int_equal(frame_pool_check(&s->fp), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exhaust_reserved_and_reuse, sim_setup, sim_teardown),
		cmocka_unit_test_setup_teardown(test_refcount_and_kinds, sim_setup, sim_teardown),
		cmocka_unit_test_setup_teardown(test_contig, sim_setup, sim_teardown),
		cmocka_unit_test_setup_teardown(test_no_usable_ram, sim_setup, sim_teardown),
		cmocka_unit_test_setup_teardown(test_overlapping_map, sim_setup, sim_teardown),
		cmocka_unit_test_setup_teardown(test_heap, sim_setup, sim_teardown),
	};

	return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}
