// SPDX-License-Identifier: MIT
/* test_vrtc.c - the virtual CMOS/RTC: time in BCD and binary, setting it, memory bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/vrtc.h"
#include "mm/errno.h"

#define S	1000000000ull
#define EPOCH	1795756257ll	/* Fri 2026-11-27 05:10:57 UTC */
#define T0	(7 * S)		/* host time at which the guest clock reads EPOCH */
#define MIB	(1024ull * 1024)

static struct vrtc rtc;
static uint64_t now;

static uint64_t clock_now(void *ctx)
{
	assert_ptr_equal(ctx, &rtc);
	return now;
}

static int setup(void **state)
{
	(void)state;
	now = T0;
	vrtc_init(&rtc, 64 * MIB, EPOCH, T0, clock_now, &rtc);
	return 0;
}

static uint8_t cmos(uint8_t reg)
{
	uint32_t v = reg;

	assert_int_equal(vrtc_io(&rtc, 0x70, 1, false, &v), 0);
	assert_int_equal(vrtc_io(&rtc, 0x71, 1, true, &v), 0);
	assert_true(v <= 0xff);
	return (uint8_t)v;
}

static void cmos_write(uint8_t reg, uint8_t val)
{
	uint32_t v = reg;

	assert_int_equal(vrtc_io(&rtc, 0x70, 1, false, &v), 0);
	v = val;
	assert_int_equal(vrtc_io(&rtc, 0x71, 1, false, &v), 0);
}

static unsigned mem16(uint8_t reg)
{
	return cmos(reg) | cmos((uint8_t)(reg + 1)) << 8;
}

static void test_tm_roundtrip(void **state)
{
	struct vrtc_tm tm;

	(void)state;
	vrtc_to_tm(EPOCH, &tm);
	assert_int_equal(tm.year, 2026);
	assert_int_equal(tm.mon, 11);
	assert_int_equal(tm.mday, 27);
	assert_int_equal(tm.hour, 5);
	assert_int_equal(tm.min, 10);
	assert_int_equal(tm.sec, 57);
	assert_int_equal(tm.wday, 5);
	for (int64_t t = -86400ll * 800; t < 4102444800ll; t += 86400 * 37 + 3601) {
		vrtc_to_tm(t, &tm);
		assert_int_equal(vrtc_from_tm(&tm), t);
	}
	vrtc_to_tm(951782400, &tm);		/* 2000-02-29, a leap day */
	assert_int_equal(tm.mon, 2);
	assert_int_equal(tm.mday, 29);
}

static void test_bcd(void **state)
{
	(void)state;
	assert_int_equal(cmos(VRTC_B), 0x02);	/* BCD, 24 h */
	assert_int_equal(cmos(VRTC_SEC), 0x57);
	assert_int_equal(cmos(VRTC_MIN), 0x10);
	assert_int_equal(cmos(VRTC_HOUR), 0x05);
	assert_int_equal(cmos(VRTC_WDAY), 0x06);	/* Friday; Sunday = 1 */
	assert_int_equal(cmos(VRTC_MDAY), 0x27);
	assert_int_equal(cmos(VRTC_MON), 0x11);
	assert_int_equal(cmos(VRTC_YEAR), 0x26);
	assert_int_equal(cmos(VRTC_CENTURY), 0x20);
	assert_int_equal(cmos(VRTC_D), 0x80);
	assert_int_equal(cmos(VRTC_C), 0x00);
	/* Time goes on with the host clock: 3 s later, and over midnight. */
	now = T0 + 3 * S;
	assert_int_equal(cmos(VRTC_SEC), 0x00);
	assert_int_equal(cmos(VRTC_MIN), 0x11);
	now = T0 + (uint64_t)(24 * 3600 - (5 * 3600 + 10 * 60 + 57)) * S;
	assert_int_equal(cmos(VRTC_HOUR), 0x00);
	assert_int_equal(cmos(VRTC_MDAY), 0x28);
	assert_int_equal(cmos(VRTC_WDAY), 0x07);
}

static void test_binary_12h(void **state)
{
	(void)state;
	cmos_write(VRTC_B, VRTC_B_DM | VRTC_B_24H);
	assert_int_equal(cmos(VRTC_SEC), 57);
	assert_int_equal(cmos(VRTC_MDAY), 27);
	assert_int_equal(cmos(VRTC_YEAR), 26);
	assert_int_equal(cmos(VRTC_CENTURY), 20);
	cmos_write(VRTC_B, VRTC_B_DM);		/* 12-hour binary */
	assert_int_equal(cmos(VRTC_HOUR), 5);	/* 5 AM */
	now = T0 + 12 * 3600 * S;
	assert_int_equal(cmos(VRTC_HOUR), 0x80 | 5);	/* 5 PM */
	cmos_write(VRTC_B, 0);			/* 12-hour BCD */
	now = T0 + 7 * 3600 * S;		/* 12:10 PM */
	assert_int_equal(cmos(VRTC_HOUR), 0x80 | 0x12);
	now = T0 + 19 * 3600 * S;		/* 00:10 next day = 12 AM */
	assert_int_equal(cmos(VRTC_HOUR), 0x12);
}

static void test_set_time(void **state)
{
	(void)state;
	/* hwclock-style: SET, write the fields, clear SET. */
	cmos_write(VRTC_B, VRTC_B_SET | VRTC_B_24H);
	now += 5 * S;
	assert_int_equal(cmos(VRTC_SEC), 0x57);	/* frozen while SET */
	cmos_write(VRTC_YEAR, 0x99);
	cmos_write(VRTC_CENTURY, 0x19);
	cmos_write(VRTC_MON, 0x12);
	cmos_write(VRTC_MDAY, 0x31);
	cmos_write(VRTC_HOUR, 0x23);
	cmos_write(VRTC_MIN, 0x59);
	cmos_write(VRTC_SEC, 0x58);
	assert_int_equal(cmos(VRTC_A) & VRTC_A_UIP, 0);
	cmos_write(VRTC_B, VRTC_B_24H);
	now += 2 * S;
	assert_int_equal(cmos(VRTC_SEC), 0x00);	/* 2000-01-01 00:00:00 */
	assert_int_equal(cmos(VRTC_YEAR), 0x00);
	assert_int_equal(cmos(VRTC_CENTURY), 0x20);
	assert_int_equal(cmos(VRTC_MON), 0x01);
	assert_int_equal(vrtc_now(&rtc, now), 946684800);
	/* A single field written while running moves the clock. */
	cmos_write(VRTC_MIN, 0x30);
	assert_int_equal(cmos(VRTC_MIN), 0x30);
	assert_int_equal(cmos(VRTC_SEC), 0x00);
	/* Garbage is clamped, never stored as an impossible time. */
	cmos_write(VRTC_MON, 0xff);
	assert_int_equal(cmos(VRTC_MON), 0x12);
	cmos_write(VRTC_SEC, 0x99);
	assert_int_equal(cmos(VRTC_SEC), 0x59);
}

static void test_uip(void **state)
{
	(void)state;
	assert_int_equal(cmos(VRTC_A), 0x26);
	now = T0 + S - 100000;			/* 100 us before the second */
	assert_int_equal(cmos(VRTC_A), 0x26 | VRTC_A_UIP);
	now = T0 + S + 1;
	assert_int_equal(cmos(VRTC_A), 0x26);
	cmos_write(VRTC_A, 0xff);		/* UIP is read-only */
	assert_int_equal(cmos(VRTC_A), 0x7f);
	cmos_write(VRTC_C, 0xff);
	cmos_write(VRTC_D, 0x00);
	assert_int_equal(cmos(VRTC_C), 0);
	assert_int_equal(cmos(VRTC_D), 0x80);
}

static void test_nmi_and_ram(void **state)
{
	uint32_t v = 0x80 | 0x40;

	(void)state;
	assert_int_equal(vrtc_io(&rtc, 0x70, 1, false, &v), 0);
	assert_true(rtc.nmi_masked);
	assert_int_equal(rtc.index, 0x40);
	v = 0xab;
	assert_int_equal(vrtc_io(&rtc, 0x71, 1, false, &v), 0);
	assert_int_equal(cmos(0x40), 0xab);
	assert_false(rtc.nmi_masked);
	assert_int_equal(vrtc_io(&rtc, 0x72, 1, true, &v), -SV_EINVAL);
	assert_int_equal(vrtc_io(&rtc, 0x70, 0, true, &v), -SV_EINVAL);
	/* A 16-bit OUT: index then data. */
	v = 0x5541;
	assert_int_equal(vrtc_io(&rtc, 0x70, 2, false, &v), 0);
	assert_int_equal(cmos(0x41), 0x55);
}

/* check_mem - the memory bytes for @ram bytes of RAM. */
static void check_mem(uint64_t ram, unsigned base, unsigned ext, unsigned high)
{
	unsigned sum = 0;

	vrtc_init(&rtc, ram, EPOCH, T0, clock_now, &rtc);
	assert_int_equal(mem16(0x15), base);
	assert_int_equal(mem16(0x17), ext);
	assert_int_equal(mem16(0x30), ext);
	assert_int_equal(mem16(0x34), high);
	for (uint8_t r = 0x10; r <= 0x2d; r++)
		sum += cmos(r);
	assert_int_equal(cmos(0x2e) << 8 | cmos(0x2f), sum);
}

static void test_memory_bytes(void **state)
{
	(void)state;
	check_mem(512 * 1024, 512, 0, 0);
	check_mem(16 * MIB, 640, 15 * 1024, 0);
	check_mem(32 * MIB, 640, 31 * 1024, 256);
	check_mem(64 * MIB, 640, 63 * 1024, 768);
	check_mem(128 * MIB, 640, 0xfc00, 1792);
	check_mem(8192 * MIB, 640, 0xfc00, 0xff00);
}

static void test_random(void **state)
{
	static const unsigned sizes[] = { 1, 1, 2, 4, 3 };

	(void)state;
	srand(99);
	for (int i = 0; i < 300000; i++) {
		uint32_t v = (uint32_t)rand() | (uint32_t)rand() << 16;
		uint8_t b;

		now += (uint64_t)(rand() % 3) * 700000000ull;
		vrtc_io(&rtc, (uint16_t)(0x6f + rand() % 4), sizes[rand() % 5],
			rand() & 1, &v);
		assert_true(rtc.index < VRTC_NREGS);
		if ((rtc.cmos[VRTC_B] & (VRTC_B_DM | VRTC_B_24H)) == VRTC_B_24H) {
			b = cmos(VRTC_SEC);
			assert_true((b & 15) <= 9 && b <= 0x59);
			b = cmos(VRTC_HOUR);
			assert_true((b & 15) <= 9 && b <= 0x23);
			b = cmos(VRTC_MON);
			assert_true(b >= 1 && b <= 0x12 && (b & 15) <= 9);
			b = cmos(VRTC_MDAY);
			assert_true(b >= 1 && b <= 0x31 && (b & 15) <= 9);
		}
		assert_int_equal(cmos(VRTC_D), 0x80);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_tm_roundtrip, setup),
		cmocka_unit_test_setup(test_bcd, setup),
		cmocka_unit_test_setup(test_binary_12h, setup),
		cmocka_unit_test_setup(test_set_time, setup),
		cmocka_unit_test_setup(test_uip, setup),
		cmocka_unit_test_setup(test_nmi_and_ram, setup),
		cmocka_unit_test_setup(test_memory_bytes, setup),
		cmocka_unit_test_setup(test_random, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
