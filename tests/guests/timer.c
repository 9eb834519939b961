// SPDX-License-Identifier: MIT
/*
 * timer - programs the PIT and counts IRQ0 ticks through the IDT, waiting
 * with sti;hlt; checks that ticks come, stop when masked, and that the TSC
 * moved a plausible amount per tick.
 *
 * Options: hz=N (default 100), ticks=N (default 20).
 */
#include "rt.h"

#define FIRST_TICK_SPINS	(1u << 26)

/* pit_counts - channel 0's count changes while the PIT runs. */
static void pit_counts(void)
{
	uint16_t a, b;
	unsigned int i;

	rt_timer_start(rt_opt_u32("hz", 100));
	a = rt_pit_read();
	for (i = 0; i < 100000 && (b = rt_pit_read()) == a; i++)
		;
	EXPECT(i < 100000);
	rt_timer_stop();
}

/* first_tick - with IF=1, a tick arrives within a bounded spin. */
static void first_tick(void)
{
	uint32_t start;
	unsigned int i;

	rt_ticks = 0;
	rt_timer_start(rt_opt_u32("hz", 100));
	start = rt_ticks;
	sti();
	for (i = 0; i < FIRST_TICK_SPINS && rt_ticks == start; i++)
		__asm__ volatile("pause");
	cli();
	EXPECT(rt_ticks != start);
}

/* count_ticks - N ticks by sti;hlt; each wake-up is one tick or more. */
static void count_ticks(void)
{
	uint32_t n = rt_opt_u32("ticks", 20), hz = rt_opt_u32("hz", 100);
	uint32_t start, wakeups = 0;
	uint64_t t0, t1, per_tick;

	rt_timer_start(hz);
	start = rt_ticks;
	t0 = rdtsc();
	while (rt_ticks - start < n) {
		sti_hlt();
		wakeups++;
	}
	cli();
	t1 = rdtsc();
	per_tick = t1 - t0;
	u64_divmod(&per_tick, n);
	rt_printf("timer: %u ticks at %u Hz, %u wake-ups, %llu TSC/tick\n",
		  rt_ticks - start, hz, wakeups, per_tick);
	EXPECT(rt_ticks - start >= n);
	EXPECT(wakeups >= 1 && wakeups <= 4 * n);	/* HLT waits, mostly */
	EXPECT(t1 > t0);
	/* Plausible: over 10 us at 100 MHz, under 10 s at 10 GHz per tick. */
	EXPECT(per_tick * hz >= 1000000ull / 1000);
	EXPECT(per_tick <= 100000000000ull);
	rt_timer_stop();
}

/* masked - no tick while IRQ0 is masked, even with IF=1. */
static void masked(void)
{
	uint32_t start;

	rt_timer_stop();
	start = rt_ticks;
	sti();
	for (unsigned int i = 0; i < 1000000; i++)
		__asm__ volatile("pause");
	cli();
	EXPECT(rt_ticks == start);
}

static const struct rt_test tests[] = {
	{ "pit_counts", pit_counts },
	{ "first_tick", first_tick },
	{ "count_ticks", count_ticks },
	{ "masked", masked },
	{ NULL, NULL },
};

RT_GUEST("timer", tests);
