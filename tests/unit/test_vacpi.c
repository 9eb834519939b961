// SPDX-License-Identifier: MIT
/* test_vacpi.c - the ACPI PM block: the PM timer's rate and wrap, SCI_EN, PM1_EN, SLP_EN. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "drivers/vacpi.h"
#include "mm/errno.h"

#define BASE	0x600
#define S	1000000000ull

static struct vacpi a;
static uint64_t now;
static int slept = -1;

static uint64_t clock_now(void *ctx)
{
	assert_ptr_equal(ctx, &a);
	return now;
}

static void sleep_cb(void *ctx, unsigned typ)
{
	assert_ptr_equal(ctx, &a);
	slept = (int)typ;
}

static int setup(void **state)
{
	(void)state;
	now = 5 * S;
	slept = -1;
	vacpi_init(&a, BASE, clock_now, &a, now, sleep_cb);
	return 0;
}

static uint32_t in(uint16_t port, unsigned size)
{
	uint32_t v = 0;

	assert_int_equal(vacpi_io(&a, port, size, true, &v), 0);
	return v;
}

static void out(uint16_t port, unsigned size, uint32_t v)
{
	assert_int_equal(vacpi_io(&a, port, size, false, &v), 0);
}

static void test_timer(void **state)
{
	(void)state;
	assert_int_equal(in(BASE + 8, 4), 0);
	now += S;
	assert_int_equal(in(BASE + 8, 4), VACPI_PM_HZ);
	now += S / 2;
	assert_int_equal(in(BASE + 8, 4), VACPI_PM_HZ + VACPI_PM_HZ / 2);
	/* Byte reads of the same instant agree with the 32-bit read. */
	uint32_t t = in(BASE + 8, 4);
	assert_int_equal(in(BASE + 8, 1) | in(BASE + 9, 1) << 8 | in(BASE + 10, 2) << 16, t);
	/* 32 bits wrap after 2^32 / 3579545 s (about 20 minutes). */
	now = 5 * S + 1200 * S;
	assert_int_equal(in(BASE + 8, 4), (uint32_t)(1200ull * VACPI_PM_HZ));
	/* Read-only. */
	out(BASE + 8, 4, 0);
	assert_int_equal(in(BASE + 8, 4), (uint32_t)(1200ull * VACPI_PM_HZ));
}

static void test_registers(void **state)
{
	(void)state;
	assert_int_equal(in(BASE, 2), 0);		/* PM1_STS: no events */
	assert_int_equal(in(BASE + 4, 2), 1);		/* SCI_EN: in ACPI mode */
	out(BASE + 2, 2, 0xffff);
	assert_int_equal(in(BASE + 2, 2), 0x0721);	/* TMR, GBL, PWRBTN, SLPBTN, RTC */
	out(BASE, 2, 0xffff);				/* write 1 to clear: nothing set */
	assert_int_equal(in(BASE, 2), 0);
	out(BASE + 4, 2, 0x0002);			/* BM_RLD; SCI_EN stays 1 */
	assert_int_equal(in(BASE + 4, 2), 0x0003);
	assert_int_equal(slept, -1);
}

static void test_sleep(void **state)
{
	(void)state;
	out(BASE + 4, 2, 3u << 10);			/* SLP_TYP without SLP_EN: nothing */
	assert_int_equal(slept, -1);
	out(BASE + 4, 2, (VACPI_SLP_S5 << 10) | (1u << 13));
	assert_int_equal(slept, VACPI_SLP_S5);
	assert_int_equal(in(BASE + 4, 2) & (1u << 13), 0);	/* SLP_EN is write-only */
	/* The high byte alone carries SLP_TYP and SLP_EN. */
	slept = -1;
	out(BASE + 5, 1, (2u << 2) | (1u << 5));
	assert_int_equal(slept, 2);
}

static void test_bad(void **state)
{
	uint32_t v = 0;

	(void)state;
	assert_int_equal(vacpi_io(&a, BASE, 3, true, &v), -SV_EINVAL);
	assert_int_equal(vacpi_io(&a, BASE + 10, 4, true, &v), -SV_EINVAL);
	assert_int_equal(vacpi_io(&a, BASE - 1, 1, true, &v), -SV_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_timer, setup),
		cmocka_unit_test_setup(test_registers, setup),
		cmocka_unit_test_setup(test_sleep, setup),
		cmocka_unit_test_setup(test_bad, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
