// SPDX-License-Identifier: MIT
/*
 * test_mtrr.c - the MTRR MSRs as the SDM (vol. 3A 12.11) defines them: which
 * numbers exist, the state after reset, and for every bit of every MSR
 * whether a write of it is accepted or #GPs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "kernel/mtrr.h"
#include "kernel/x86def.h"

static const uint32_t fixed_msrs[MTRR_FIXED_MSRS] = {
	0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b, 0x26c, 0x26d, 0x26e, 0x26f,
};

static bool valid_type(unsigned t)
{
	return t == 0 || t == 1 || t == 4 || t == 5 || t == 6;
}

static void test_which_msrs(void **state)
{
	unsigned n = 0;

	(void)state;
	for (uint32_t msr = 0; msr < 0x1000; msr++)
		n += mtrr_is_msr(msr);
	/* MTRRcap, DEF_TYPE, 16 variable-range MSRs, 11 fixed-range ones. */
	assert_int_equal(n, 2 + 2 * MTRR_VAR_COUNT + MTRR_FIXED_MSRS);
	for (unsigned i = 0; i < MTRR_FIXED_MSRS; i++)
		assert_true(mtrr_is_msr(fixed_msrs[i]));
	assert_true(mtrr_is_msr(0xfe) && mtrr_is_msr(0x2ff) && mtrr_is_msr(0x200) && mtrr_is_msr(0x20f));
	assert_false(mtrr_is_msr(0x210) || mtrr_is_msr(0x251) || mtrr_is_msr(0x25a) || mtrr_is_msr(0x270));
}

static void test_reset(void **state)
{
	struct mtrr_state m;
	uint64_t v;

	(void)state;
	mtrr_reset(&m, 39);
	assert_true(mtrr_msr(&m, 0xfe, false, &v, 39));
	assert_int_equal(v, 8 | (1u << 8) | (1u << 10));	/* 8 ranges, fixed, WC */
	v = 0;
	assert_false(mtrr_msr(&m, 0xfe, true, &v, 39));	/* read-only */
	assert_true(mtrr_msr(&m, 0x2ff, false, &v, 39));
	assert_int_equal(v, (1u << 11) | MTRR_WB);
	assert_true(mtrr_msr(&m, 0x200, false, &v, 39));
	assert_int_equal(v, 0xc0000000ull | MTRR_UC);
	/* Mask: address bits 38..30 and V. A range matches when (addr & mask) == (base & mask). */
	assert_true(mtrr_msr(&m, 0x201, false, &v, 39));
	assert_int_equal(v, 0x7fc0000000ull | (1u << 11));
	for (uint32_t msr = 0x202; msr <= 0x20f; msr++) {
		assert_true(mtrr_msr(&m, msr, false, &v, 39));
		assert_int_equal(v, 0);
	}
}

/* test_every_bit - each bit of each writable MTRR alone (over a valid value): accepted exactly when not reserved. */
static void test_every_bit(void **state)
{
	const unsigned phys = 36;
	struct mtrr_state m;
	uint64_t v, back;

	(void)state;
	mtrr_reset(&m, phys);
	for (int bit = 0; bit < 64; bit++) {
		uint64_t b = 1ull << bit;
		bool ok;

		/* DEF_TYPE over WB: type bits 7:0 must stay a valid type, FE (10) and E (11). */
		v = MTRR_WB | b;
		ok = bit == 10 || bit == 11 || (bit < 8 && valid_type((MTRR_WB | b) & 0xff));
		assert_int_equal(mtrr_msr(&m, 0x2ff, true, &v, phys), ok);
		/* PHYSBASE over WB: type, and bits 35..12. */
		v = MTRR_WB | b;
		ok = (bit >= 12 && bit < (int)phys) || (bit < 8 && valid_type((MTRR_WB | b) & 0xff));
		assert_int_equal(mtrr_msr(&m, 0x204, true, &v, phys), ok);
		/* PHYSMASK: V (11) and bits 35..12. */
		v = b;
		ok = bit == 11 || (bit >= 12 && bit < (int)phys);
		assert_int_equal(mtrr_msr(&m, 0x205, true, &v, phys), ok);
		if (ok) {
			assert_true(mtrr_msr(&m, 0x205, false, &back, phys));
			assert_int_equal(back, b);
		}
	}
	/* Fixed ranges: each byte on its own must be a valid type. */
	for (unsigned i = 0; i < MTRR_FIXED_MSRS; i++) {
		for (int byte = 0; byte < 8; byte++) {
			for (unsigned t = 0; t < 256; t++) {
				v = (uint64_t)t << (8 * byte);
				assert_int_equal(mtrr_msr(&m, fixed_msrs[i], true, &v, phys), valid_type(t));
			}
		}
		v = 0x0605040100060504ull + i;
		assert_int_equal(mtrr_msr(&m, fixed_msrs[i], true, &v, phys), valid_type(4 + i));
	}
	/* Each fixed MSR has its own slot. */
	for (unsigned i = 0; i < MTRR_FIXED_MSRS; i++) {
		v = 0x0101010101010100ull | (i % 2 ? 1 : 6);
		assert_true(mtrr_msr(&m, fixed_msrs[i], true, &v, phys));
	}
	for (unsigned i = 0; i < MTRR_FIXED_MSRS; i++) {
		assert_true(mtrr_msr(&m, fixed_msrs[i], false, &back, phys));
		assert_int_equal(back, 0x0101010101010100ull | (i % 2 ? 1 : 6));
	}
	/* A refused write changes nothing; a non-MTRR number is refused both ways. */
	v = 0x4000 | MTRR_WB;
	assert_true(mtrr_msr(&m, 0x206, true, &v, phys));
	v = 0x4000 | 2;
	assert_false(mtrr_msr(&m, 0x206, true, &v, phys));
	assert_true(mtrr_msr(&m, 0x206, false, &back, phys));
	assert_int_equal(back, 0x4000 | MTRR_WB);
	assert_false(mtrr_msr(&m, 0x251, false, &back, phys));
	/* 52 address bits: bit 51 of a base is an address bit, not reserved. */
	v = (1ull << 51) | MTRR_WB;
	assert_true(mtrr_msr(&m, 0x206, true, &v, 52));
	assert_false(mtrr_msr(&m, 0x206, true, &v, 48));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_which_msrs),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_every_bit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
