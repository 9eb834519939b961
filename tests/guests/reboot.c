// SPDX-License-Identifier: MIT
/*
 * reboot - the PC's reset and power-off paths. The guest counts its boots
 * in CMOS RAM (byte 0x7e, which a reset keeps, as on a PC), and on boots
 * 0 and 1 asks for a reset through via=cf9 (the reset control register),
 * via=kbd (the 8042's 0xfe command) or powers off via=acpi (SLP_TYP 5 and
 * SLP_EN in the FADT's PM1a control block at 0x604). On boot 2 it passes.
 * With on_reboot=stop the first request ends the VM instead (code 0).
 */
#include "rt.h"

#define CMOS_BOOTS	0x7e

static uint8_t cmos_read(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static void cmos_write(uint8_t reg, uint8_t v)
{
	outb(0x70, reg);
	outb(0x71, v);
}

static void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static void boots(void)
{
	uint8_t n = cmos_read(CMOS_BOOTS);
	const char *via = rt_opt("via");

	rt_printf("reboot: boot %u\n", n);
	if (n >= 2 || !via)
		return;
	cmos_write(CMOS_BOOTS, (uint8_t)(n + 1));
	EXPECT(cmos_read(CMOS_BOOTS) == n + 1);
	rt_printf("reboot: asking via %s\n", via);
	if (rt_opt_is("via", "cf9")) {
		outb(0xcf9, 0x02);
		outb(0xcf9, 0x06);
	} else if (rt_opt_is("via", "kbd")) {
		outb(0x64, 0xfe);
	} else if (rt_opt_is("via", "acpi")) {
		outw(0x604, (5u << 10) | (1u << 13));
	}
	for (volatile int i = 0; i < 1000000; i++)
		;
	rt_printf("reboot: still running after the request, exit 2\n");
	rt_exit(2);
}

static const struct rt_test tests[] = {
	{ "boots", boots },
	{ NULL, NULL },
};

RT_GUEST("reboot", tests);
