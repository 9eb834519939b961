// SPDX-License-Identifier: MIT
/*
 * emul - what the hypervisor's instruction emulator does for a guest:
 * string port I/O (REP OUTSB to COM1 prints a line; REP INSB from a port
 * with no device reads all ones, with DF both ways), and accesses to
 * guest-physical space with nothing there (the BIOS area and far above RAM
 * read all ones, writes vanish; REP MOVSB and STOSB through it; a LOCK OR).
 * Bare, QEMU's own devices answer: the hole checks need sharevisor.
 */
#include "rt.h"

static const char line[] = "emul: this line went out by rep outsb\n";

/* outs_line - REP OUTSB of a whole line to COM1's data port. */
static void outs_line(void)
{
	const char *p = line;
	uint32_t n = sizeof(line) - 1;

	__asm__ volatile("cld; rep outsb" : "+S"(p), "+c"(n) : "d"(0x3f8) : "memory");
	EXPECT(n == 0);
	EXPECT(p == line + sizeof(line) - 1);
}

/* ins_float - REP INSB from a port nobody answers: all ones, forwards and backwards. */
static void ins_float(void)
{
	static uint8_t buf[40];
	uint8_t *p = buf + 4;
	uint32_t n = 16;

	if (!rt_hv_present()) {
		rt_skip("bare: QEMU's own ports");
		return;
	}
	rt_memset(buf, 0x11, sizeof(buf));
	__asm__ volatile("cld; rep insb" : "+D"(p), "+c"(n) : "d"(0x2e0) : "memory");
	EXPECT(n == 0 && p == buf + 20);
	p = buf + 35;
	n = 8;
	__asm__ volatile("std; rep insb; cld" : "+D"(p), "+c"(n) : "d"(0x2e0) : "memory");
	EXPECT(n == 0 && p == buf + 27);
	for (unsigned i = 0; i < sizeof(buf); i++)
		EXPECT(buf[i] == (((i >= 4 && i < 20) || (i >= 28 && i <= 35)) ? 0xff : 0x11));
}

/* holes - nothing at 0xa0000 (no VGA) or at 2 GiB: all ones, writes dropped. */
static void holes(void)
{
	volatile uint32_t *bios = (volatile uint32_t *)0xa0000, *far = (volatile uint32_t *)0x80000000u;
	static uint8_t dst[64];
	const uint8_t *src = (const uint8_t *)0xa0010;
	uint8_t *d = dst;
	uint32_t n = sizeof(dst), v;

	if (!rt_hv_present()) {
		rt_skip("bare: QEMU's BIOS is there");
		return;
	}
	EXPECT(*bios == 0xffffffffu);
	*bios = 0x12345678;
	EXPECT(*bios == 0xffffffffu);
	EXPECT(*far == 0xffffffffu);
	__asm__ volatile("lock orl $1, %0" : "+m"(*far));
	EXPECT(*far == 0xffffffffu);
	/* REP MOVSB from the hole into RAM, REP STOSB into the hole. */
	rt_memset(dst, 0, sizeof(dst));
	__asm__ volatile("cld; rep movsb" : "+S"(src), "+D"(d), "+c"(n) : : "memory");
	for (unsigned i = 0; i < sizeof(dst); i++)
		EXPECT(dst[i] == 0xff);
	d = (uint8_t *)0xa1000;
	n = 100;
	__asm__ volatile("cld; rep stosb" : "+D"(d), "+c"(n) : "a"(0) : "memory");
	EXPECT(n == 0 && *(volatile uint8_t *)0xa1000 == 0xff);
	/* MOVZX and a compare with a memory operand. */
	__asm__ volatile("movzbl (%1), %0" : "=r"(v) : "r"(0xa2000) : "memory");
	EXPECT(v == 0xff);
}

/* bios_rom - the BIOS area holds the firmware tables, read-only: the RSDP at 0xe0000 stays. */
static void bios_rom(void)
{
	volatile char *rsdp = (volatile char *)0xe0000;
	static const char sig[] = "RSD PTR ";

	if (!rt_hv_present()) {
		rt_skip("bare: QEMU's BIOS is there");
		return;
	}
	for (int i = 0; i < 8; i++)
		EXPECT(rsdp[i] == sig[i]);
	rsdp[0] = 'X';				/* a write to ROM vanishes */
	EXPECT(rsdp[0] == 'R');
	__asm__ volatile("lock orb $0x20, %0" : "+m"(rsdp[1]));
	EXPECT(rsdp[1] == 'S');
}

static const struct rt_test tests[] = {
	{ "outs_line", outs_line },
	{ "ins_float", ins_float },
	{ "holes", holes },
	{ "bios_rom", bios_rom },
	{ NULL, NULL },
};

RT_GUEST("emul", tests);
