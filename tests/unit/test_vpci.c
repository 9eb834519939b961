// SPDX-License-Identifier: MIT
/*
 * test_vpci.c - PCI configuration mechanism 1 (drivers/vpci.c): the
 * address register takes doubleword accesses only, the data port reads the
 * host bridge at 00:00.0 at every size and offset, nothing else exists,
 * and nothing is writable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "drivers/vpci.h"
#include "mm/errno.h"

static struct vpci pci;

static uint32_t in(uint16_t port, unsigned size)
{
	uint32_t v = 0x5a5a5a5a;

	assert_int_equal(vpci_io(&pci, port, size, true, &v), 0);
	return v;
}

static void out(uint16_t port, unsigned size, uint32_t v)
{
	assert_int_equal(vpci_io(&pci, port, size, false, &v), 0);
}

static uint32_t cfg(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
	out(VPCI_ADDR_PORT, 4, VPCI_ENABLE | bus << 16 | dev << 11 | fn << 8 | reg);
	return in(VPCI_DATA_PORT, 4);
}

/* What Linux's pci_check_type1() does, then the host bridge's header. */
static void test_type1_probe(void **state)
{
	(void)state;
	vpci_init(&pci);
	out(0xcfb, 1, 0x01);			/* byte access: not CONFIG_ADDRESS */
	assert_int_equal(in(VPCI_ADDR_PORT, 4), 0);
	out(VPCI_ADDR_PORT, 4, 0x80000000u);
	assert_int_equal(in(VPCI_ADDR_PORT, 4), 0x80000000u);
	out(VPCI_ADDR_PORT, 4, 0xffffffffu);	/* reserved bits 30:24 and 1:0 read 0 */
	assert_int_equal(in(VPCI_ADDR_PORT, 4), 0x80fffffcu);
	assert_int_equal(in(VPCI_ADDR_PORT, 2), 0xffffffffu);	/* word: ordinary I/O */
	assert_int_equal(cfg(0, 0, 0, 0x00), 0x12378086u);
	assert_int_equal(cfg(0, 0, 0, 0x08) >> 8, 0x060000u);	/* host bridge */
	assert_int_equal((cfg(0, 0, 0, 0x0c) >> 16) & 0xff, 0);	/* header type 0, one function */
	for (unsigned bar = 0x10; bar < 0x28; bar += 4)
		assert_int_equal(cfg(0, 0, 0, bar), 0);
	assert_int_equal(cfg(0, 0, 0, 0xfc), 0);
}

/* Sub-doubleword reads at each offset; the class word Linux's sanity check reads. */
static void test_sizes(void **state)
{
	(void)state;
	vpci_init(&pci);
	out(VPCI_ADDR_PORT, 4, VPCI_ENABLE | 0x08);
	assert_int_equal(in(VPCI_DATA_PORT + 2, 2), 0x0600);	/* PCI_CLASS_DEVICE */
	assert_int_equal(in(VPCI_DATA_PORT + 0, 1), 0x02);	/* revision */
	assert_int_equal(in(VPCI_DATA_PORT + 3, 1), 0x06);
	out(VPCI_ADDR_PORT, 4, VPCI_ENABLE);
	assert_int_equal(in(VPCI_DATA_PORT, 2), 0x8086);
	assert_int_equal(in(VPCI_DATA_PORT + 2, 2), 0x1237);
	assert_int_equal(in(VPCI_DATA_PORT + 1, 1), 0x80);
}

/* No other bus, device or function; disabled address reads all ones; writes change nothing. */
static void test_nothing_else(void **state)
{
	uint32_t v = 0;

	(void)state;
	vpci_init(&pci);
	for (unsigned dev = 0; dev < 32; dev++)
		for (unsigned fn = 0; fn < 8; fn++)
			if (dev || fn)
				assert_int_equal(cfg(0, dev, fn, 0), 0xffffffffu);
	assert_int_equal(cfg(1, 0, 0, 0), 0xffffffffu);
	assert_int_equal(cfg(255, 31, 7, 0), 0xffffffffu);
	out(VPCI_ADDR_PORT, 4, 0x00000000u);		/* enable clear */
	assert_int_equal(in(VPCI_DATA_PORT, 4), 0xffffffffu);
	out(VPCI_ADDR_PORT, 4, VPCI_ENABLE | 0x04);
	out(VPCI_DATA_PORT, 4, 0x0007);			/* command register: dropped */
	assert_int_equal(cfg(0, 0, 0, 0x04), 0);
	out(VPCI_ADDR_PORT, 4, VPCI_ENABLE | 0x10);
	out(VPCI_DATA_PORT, 4, 0xffffffffu);		/* BAR sizing: no BAR */
	assert_int_equal(in(VPCI_DATA_PORT, 4), 0);
	assert_int_equal(vpci_io(&pci, VPCI_DATA_PORT + 3, 2, true, &v), -SV_EINVAL);
	assert_int_equal(vpci_io(&pci, VPCI_DATA_PORT, 3, true, &v), -SV_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type1_probe),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_nothing_else),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
