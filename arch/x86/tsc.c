// SPDX-License-Identifier: MIT
/*
 * tsc.c - the time-stamp counter as the hypervisor's clock.
 *
 * Calibrated once at boot against PIT channel 2 (gated by port 0x61, mode 0
 * one-shot: the OUT bit rises when the count reaches zero). Under Bochs the
 * TSC counts instructions, so "time" there is emulated time.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/x86.h"
#include "kernel/arch.h"

#define PIT_HZ		1193182u
#define CAL_MS		10u

static uint64_t khz;
static uint64_t start_ns;	/* arch_now_ns() once calibrated: the hypervisor's start */

void tsc_calibrate(void)
{
	uint16_t count = PIT_HZ / (1000 / CAL_MS);
	uint64_t t0, t1;
	unsigned spins = 0;

	outb(0x61, (inb(0x61) & ~0x02) | 0x01);	/* gate on, speaker off */
	outb(0x43, 0xb0);			/* channel 2, lo/hi, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	t0 = rdtsc();
	while (!(inb(0x61) & 0x20) && ++spins < 100000000)
		cpu_relax();
	t1 = rdtsc();
	khz = (t1 - t0) / CAL_MS;
	if (khz == 0)
		khz = 1000000;	/* no PIT answer: assume 1 GHz rather than divide by 0 */
	start_ns = arch_now_ns();
}

uint64_t tsc_khz(void)
{
	return khz;
}

uint64_t arch_now_ns(void)
{
	uint64_t t = rdtsc();

	if (!khz)
		return 0;
	return t / khz * 1000000 + t % khz * 1000000 / khz;
}

uint64_t arch_start_ns(void)
{
	return start_ns;
}
