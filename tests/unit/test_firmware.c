// SPDX-License-Identifier: MIT
/*
 * test_firmware.c - the ACPI and MP tables, read back the way an OS finds
 * and parses them: the RSDP and the MP floating pointer by their scan of
 * the BIOS area, every checksum, the XSDT/RSDT to the FADT and the MADT,
 * and the MADT and MP entries against the VM's configuration.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/firmware.h"
#include "mm/errno.h"

static uint8_t area[FW_AREA_SIZE];

static uint32_t g32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t g16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint64_t g64(const uint8_t *p) { return g32(p) | (uint64_t)g32(p + 4) << 32; }

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* at - the bytes at guest-physical @gpa inside the area. */
static const uint8_t *at(uint64_t gpa, size_t n)
{
	assert_true(gpa >= FW_AREA_GPA && gpa + n <= FW_AREA_GPA + FW_AREA_SIZE);
	return area + (gpa - FW_AREA_GPA);
}

/* scan - the first 16-byte aligned @sig in the area (ACPI 5.2.5.1, MP spec 4), or NULL. */
static const uint8_t *scan(const char *sig, size_t len)
{
	for (size_t off = 0; off + 16 <= sizeof(area); off += 16)
		if (!memcmp(area + off, sig, len))
			return area + off;
	return NULL;
}

/* table - an ACPI table at @gpa: signature, length within the area, checksum 0. */
static const uint8_t *table(uint64_t gpa, const char *sig)
{
	const uint8_t *t = at(gpa, 36);
	uint32_t len = g32(t + 4);

	assert_memory_equal(t, sig, 4);
	assert_true(len >= 36);
	at(gpa, len);
	assert_int_equal(sum(t, len), 0);
	return t;
}

static void check(const struct fw_config *c)
{
	struct fw_layout l;
	const uint8_t *rsdp, *xsdt, *rsdt, *fadt = NULL, *madt = NULL, *e, *mpf, *mp;
	unsigned cpus = 0, ioapics = 0, overrides = 0, nmis = 0, procs = 0, ioints = 0, lints = 0;

	memset(area, 0xee, sizeof(area));
	assert_int_equal(fw_build(c, area, FW_AREA_GPA, sizeof(area), &l), 0);

	rsdp = scan("RSD PTR ", 8);
	assert_non_null(rsdp);
	assert_int_equal(sum(rsdp, 20), 0);
	assert_int_equal(rsdp[15], 2);
	assert_int_equal(g32(rsdp + 20), 36);
	assert_int_equal(sum(rsdp, 36), 0);
	xsdt = table(g64(rsdp + 24), "XSDT");
	rsdt = table(g32(rsdp + 16), "RSDT");
	assert_int_equal((g32(xsdt + 4) - 36) / 8, (g32(rsdt + 4) - 36) / 4);
	for (uint32_t i = 0; i < (g32(xsdt + 4) - 36) / 8; i++) {
		uint64_t p = g64(xsdt + 36 + 8 * i);
		const uint8_t *t = at(p, 4);

		assert_int_equal(g32(rsdt + 36 + 4 * i), p);	/* the same tables */
		if (!memcmp(t, "FACP", 4))
			fadt = table(p, "FACP");
		else if (!memcmp(t, "APIC", 4))
			madt = table(p, "APIC");
	}
	assert_non_null(fadt);
	assert_non_null(madt);

	/* FADT: DSDT (naming \_S5 with SLP_TYP 5), FACS, PM block, SCI, reset register. */
	{
		const uint8_t *d = table(g32(fadt + 40), "DSDT");
		static const uint8_t s5[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x05 };

		assert_true(g32(d + 4) >= 36 + sizeof(s5));
		assert_memory_equal(d + 36, s5, sizeof(s5));
	}
	assert_int_equal(g64(fadt + 140), g32(fadt + 40));
	assert_memory_equal(at(g32(fadt + 36), 64), "FACS", 4);
	assert_int_equal(g32(fadt + 36) % 64, 0);
	assert_int_equal(g16(fadt + 46), c->sci_irq);
	assert_int_equal(g32(fadt + 48), 0);			/* no SMI command */
	assert_int_equal(g32(fadt + 56), c->pm_base);
	assert_int_equal(g32(fadt + 64), c->pm_base + 4);
	assert_int_equal(g32(fadt + 76), c->pm_base + 8);
	assert_int_equal(fadt[91], 4);
	assert_true(g32(fadt + 112) & (1u << 8));		/* 32-bit timer */
	assert_true(g32(fadt + 112) & (1u << 10));		/* reset register */
	assert_int_equal(fadt[116], 1);				/* system I/O */
	assert_int_equal(g64(fadt + 120), c->reset_port);
	assert_int_equal(fadt[128], FW_RESET_VALUE);
	assert_int_equal(g64(fadt + 208 + 4), c->pm_base + 8);	/* X_PM_TMR_BLK */

	/* MADT: every CPU, the I/O APIC, IRQ0 -> GSI 2, the SCI level/high, LINT1 NMI. */
	assert_int_equal(g32(madt + 36), c->lapic_addr);
	assert_int_equal(g32(madt + 40) & 1, 1);
	for (e = madt + 44; e < madt + g32(madt + 4); e += e[1]) {
		assert_true(e[1] >= 2);
		switch (e[0]) {
		case 0:
			assert_int_equal(e[3], cpus);
			assert_int_equal(g32(e + 4), 1);
			cpus++;
			break;
		case 1:
			assert_int_equal(e[2], c->ioapic_id);
			assert_int_equal(g32(e + 4), c->ioapic_addr);
			assert_int_equal(g32(e + 8), 0);
			ioapics++;
			break;
		case 2:
			if (e[3] == 0)
				assert_int_equal(g32(e + 4), 2);
			else
				assert_true(e[3] == c->sci_irq && g32(e + 4) == c->sci_irq &&
					    g16(e + 8) == 0xd);
			overrides++;
			break;
		case 4:
			assert_int_equal(e[2], 0xff);
			assert_int_equal(e[5], 1);
			nmis++;
			break;
		default:
			fail_msg("unexpected MADT entry type %u", e[0]);
		}
	}
	assert_true(e == madt + g32(madt + 4));
	assert_int_equal(cpus, c->ncpus);
	assert_int_equal(ioapics, 1);
	assert_int_equal(overrides, 2);
	assert_int_equal(nmis, 1);

	/* MP table: floating pointer by scan, configuration table, the same platform. */
	mpf = scan("_MP_", 4);
	assert_non_null(mpf);
	assert_int_equal(sum(mpf, 16), 0);
	assert_int_equal(mpf[8], 1);
	assert_int_equal(mpf[11], 0);			/* a configuration table follows */
	mp = at(g32(mpf + 4), 44);
	assert_memory_equal(mp, "PCMP", 4);
	at(g32(mpf + 4), g16(mp + 4));
	assert_int_equal(sum(mp, g16(mp + 4)), 0);
	assert_int_equal(g32(mp + 36), c->lapic_addr);
	e = mp + 44;
	for (unsigned i = 0; i < g16(mp + 34); i++) {
		switch (e[0]) {
		case 0:
			assert_int_equal(e[1], procs);
			assert_int_equal(e[3], procs ? 1 : 3);	/* enabled, BSP first */
			procs++;
			e += 20;
			break;
		case 1:
			assert_memory_equal(e + 2, "ISA   ", 6);
			e += 8;
			break;
		case 2:
			assert_int_equal(e[1], c->ioapic_id);
			assert_int_equal(g32(e + 4), c->ioapic_addr);
			e += 8;
			break;
		case 3:
			assert_int_equal(e[6], c->ioapic_id);
			if (e[1] == 0 && e[5] == 0)
				assert_int_equal(e[7], 2);	/* IRQ0 on pin 2 */
			else if (e[1] == 0)
				assert_int_equal(e[7], e[5]);
			ioints++;
			e += 8;
			break;
		case 4:
			assert_int_equal(e[6], 0xff);
			lints++;
			e += 8;
			break;
		default:
			fail_msg("unexpected MP entry type %u", e[0]);
		}
	}
	assert_true(e == mp + g16(mp + 4));
	assert_int_equal(procs, c->ncpus);
	assert_int_equal(ioints, 16);
	assert_int_equal(lints, 2);
	/* Nothing outside the tables but zeros. */
	for (size_t i = l.used; i < sizeof(area); i++)
		assert_int_equal(area[i], 0);
}

static const struct fw_config pc = {
	.ncpus = 1, .lapic_addr = 0xfee00000, .ioapic_addr = 0xfec00000, .ioapic_id = 1,
	.sci_irq = 9, .pm_base = 0x600, .reset_port = 0xcf9,
};

static void test_one_cpu(void **state)
{
	(void)state;
	check(&pc);
}

static void test_many_cpus(void **state)
{
	struct fw_config c = pc;

	(void)state;
	for (unsigned n = 2; n <= FW_MAX_CPUS; n *= 2) {
		c.ncpus = n;
		c.ioapic_id = (uint8_t)n;
		check(&c);
	}
}

static void test_bad(void **state)
{
	struct fw_config c = pc;
	struct fw_layout l;

	(void)state;
	c.ncpus = 0;
	assert_int_equal(fw_build(&c, area, FW_AREA_GPA, sizeof(area), &l), -SV_EINVAL);
	c.ncpus = FW_MAX_CPUS + 1;
	assert_int_equal(fw_build(&c, area, FW_AREA_GPA, sizeof(area), &l), -SV_EINVAL);
	c = pc;
	c.ioapic_id = 0;	/* the CPU's id */
	assert_int_equal(fw_build(&c, area, FW_AREA_GPA, sizeof(area), &l), -SV_EINVAL);
	c = pc;
	c.sci_irq = 2;
	assert_int_equal(fw_build(&c, area, FW_AREA_GPA, sizeof(area), &l), -SV_EINVAL);
	assert_int_equal(fw_build(&pc, area, FW_AREA_GPA, 200, &l), -SV_ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_cpu),
		cmocka_unit_test(test_many_cpus),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
