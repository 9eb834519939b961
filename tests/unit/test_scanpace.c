// SPDX-License-Identifier: MIT
/*
 * test_scanpace.c - the scanner's pace (kernel/scanpace.c): quiet passes
 * halve the rate down to 1/8, a busy pass or a burst of work within a pass
 * restores it at once, counter resets start over, and a simulated idle and
 * busy guest gets the budget the rule promises.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/scanpace.h"

static struct scan_pace p;
static struct scan_pace_counters c;

static unsigned pass(uint64_t visits, uint64_t work)
{
	c.visits += visits;
	c.work += work;
	c.full_scans++;
	return scan_pace_update(&p, &c);
}

static void test_quiet_and_busy(void **state)
{
	(void)state;
	c = (struct scan_pace_counters){ 3, 1000, 10 };
	scan_pace_init(&p, &c);
	assert_int_equal(scan_pace_update(&p, &c), 1);	/* no pass ended */
	assert_int_equal(pass(6400, 100), 2);		/* work * 64 == visits: quiet */
	assert_int_equal(pass(6400, 0), 4);
	assert_int_equal(pass(6400, 0), 8);
	assert_int_equal(pass(6400, 0), 8);		/* never below 1/8 */
	assert_int_equal(pass(6400, 101), 1);		/* busy: full rate at once */
	assert_int_equal(pass(6400, 101), 1);
	assert_int_equal(pass(6400, 1), 2);
}

/* Work within the pass under way: up to the burst it waits for the pass's end, beyond it acts now. */
static void test_burst(void **state)
{
	(void)state;
	c = (struct scan_pace_counters){ 0, 0, 0 };
	scan_pace_init(&p, &c);
	pass(100000, 0);
	pass(100000, 0);
	assert_int_equal(p.div, 4);
	c.visits += 500;
	c.work += SCAN_PACE_BURST;
	assert_int_equal(scan_pace_update(&p, &c), 4);
	c.work += 1;
	assert_int_equal(scan_pace_update(&p, &c), 1);
	/* That pass ends busy (257 pages of work in 100,000 visits is quiet by the ratio, but it was burst). */
	assert_int_equal(pass(99500, 0), 2);
}

/* A stats reset (counters back to 0) starts over at the full rate, never underflows. */
static void test_reset(void **state)
{
	(void)state;
	c = (struct scan_pace_counters){ 10, 50000, 300 };
	scan_pace_init(&p, &c);
	pass(6400, 0);
	pass(6400, 0);
	assert_int_equal(p.div, 4);
	c.visits = 0;
	c.work = 0;
	assert_int_equal(scan_pace_update(&p, &c), 1);
	assert_int_equal(pass(6400, 0), 2);
}

/*
 * An idle guest of 140,000 pages: the scanner's visits fall to 1/8 over
 * three passes (1 + 2 + 4 pass lengths, then 8 each). Then it writes 5,000
 * pages per full-rate pass length, each write a COW break or a first touch
 * (work counted at once, wherever the scanner's cursor is): the full rate is
 * back within SCAN_PACE_BURST pages of such work.
 */
static void test_idle_then_busy(void **state)
{
	const uint64_t pages = 140000, rate = 512, per_tick = 5000 * rate / pages;
	uint64_t done = 0, ticks = 0;

	(void)state;
	c = (struct scan_pace_counters){ 0, 0, 0 };
	scan_pace_init(&p, &c);
	while (c.full_scans < 6) {
		uint64_t budget = (rate + p.div - 1) / p.div;

		ticks++;
		c.visits += budget;
		done += budget;
		if (done >= pages) {
			done = 0;
			c.full_scans++;
		}
		scan_pace_update(&p, &c);
	}
	assert_int_equal(p.div, 8);
	assert_true(ticks >= 31 * pages / rate - 6 && ticks <= 31 * pages / rate + 6);
	for (ticks = 0; p.div != 1; ticks++) {
		c.visits += rate / p.div;
		c.work += per_tick;
		scan_pace_update(&p, &c);
	}
	assert_int_equal(ticks, SCAN_PACE_BURST / per_tick + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quiet_and_busy),
		cmocka_unit_test(test_burst),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_idle_then_busy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
