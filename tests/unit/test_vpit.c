// SPDX-License-Identifier: MIT
/* test_vpit.c - the virtual 8254: periodic IRQ0, one-shot, latches, port 0x61. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/vpic.h"
#include "drivers/vpit.h"
#include "mm/errno.h"

#define MS	1000000ull
#define T0	(5000 * MS)	/* the host clock is not at 0 when the VM starts */

static struct vpit pit;
static struct vpic pic;
static uint64_t now;		/* the fake host clock */
static int level, rises;	/* IRQ0 as the callback drove it */

static void irq0(void *ctx, int lvl)
{
	assert_ptr_equal(ctx, &pit);
	if (lvl && !level)
		rises++;
	level = lvl;
	vpic_set_irq(&pic, 0, lvl);
}

static uint64_t clock_now(void *ctx)
{
	(void)ctx;
	return now;
}

static int setup(void **state)
{
	(void)state;
	now = T0;
	level = rises = 0;
	vpit_init(&pit, irq0, clock_now, &pit, now);
	vpic_init(&pic);
	return 0;
}

static void outb(uint16_t port, uint8_t v)
{
	uint32_t val = v;

	assert_int_equal(vpit_io(&pit, port, 1, false, &val), 0);
}

static uint8_t inb(uint16_t port)
{
	uint32_t val = 0xdeadbeef;

	assert_int_equal(vpit_io(&pit, port, 1, true, &val), 0);
	assert_true(val <= 0xff);
	return (uint8_t)val;
}

/* latched - counter latch command then LSB, MSB of channel @ch. */
static unsigned latched(int ch)
{
	unsigned lo, hi;

	outb(0x43, (uint8_t)(ch << 6));
	lo = inb((uint16_t)(0x40 + ch));
	hi = inb((uint16_t)(0x40 + ch));
	return lo | hi << 8;
}

static void program(int ch, uint8_t mode, unsigned count)
{
	outb(0x43, (uint8_t)(ch << 6 | 0x30 | mode << 1));
	outb((uint16_t)(0x40 + ch), (uint8_t)count);
	outb((uint16_t)(0x40 + ch), (uint8_t)(count >> 8));
}

static void test_conversions(void **state)
{
	(void)state;
	assert_int_equal(vpit_ns_to_ticks(1000000000ull), VPIT_HZ);
	assert_int_equal(vpit_ns_to_ticks(3600ull * 1000000000ull), 3600ull * VPIT_HZ);
	for (uint64_t t = 0; t < 3000000; t += 9973) {
		uint64_t ns = vpit_ticks_to_ns(t);

		assert_int_equal(vpit_ns_to_ticks(ns), t);
		assert_true(ns == 0 || vpit_ns_to_ticks(ns - 1) < t);
	}
	/* Large clocks do not overflow. */
	assert_int_equal(vpit_ns_to_ticks(86400ull * 365 * 1000000000ull),
			 86400ull * 365 * VPIT_HZ);
}

/* pic_busy - the reinjection hook as the VM core answers it: IRQ0 waits in the 8259's IRR. */
static bool pic_busy(void *ctx)
{
	(void)ctx;
	return (pic.chip[0].irr & 1) && !(pic.chip[0].imr & 1);
}

/*
 * With lost-tick reinjection, a guest that did not run for 55 ms at 100 Hz
 * still gets every period: one edge per update while IRQ0 is free, each
 * taken (INTA, EOI) before the next goes out; an edge while the previous
 * one waits is kept for later, not merged; a full backlog drops the rest,
 * counted; reprogramming channel 0 empties it.
 */
static void test_reinject(void **state)
{
	const unsigned latch = (VPIT_HZ + 50) / 100;
	uint32_t imr = 0xfe, eoi = 0x20;
	int taken = 0;

	(void)state;
	pit.irq_busy = pic_busy;
	vpic_io(&pic, 0x21, 1, false, &imr);
	program(0, 2, latch);
	now = T0 + 55 * MS;
	assert_int_equal(vpit_update(&pit, now), 1);	/* one edge now, four waiting */
	assert_int_equal(pit.irq0_backlog, 4);
	assert_int_equal(vpit_update(&pit, now), 0);	/* not taken yet: nothing more */
	while (vpic_pending(&pic, NULL)) {
		assert_int_equal(vpic_ack(&pic), 0x08);
		vpic_io(&pic, 0x20, 1, false, &eoi);
		taken++;
		vpit_update(&pit, now);
	}
	assert_int_equal(taken, 5);
	assert_int_equal(pit.irq0_reinjected, 4);
	assert_int_equal(pit.irq0_coalesced, 0);
	/* A period ends while the last edge still waits: kept, raised once it is taken. */
	now += 10 * MS;
	assert_int_equal(vpit_update(&pit, now), 1);
	now += 10 * MS;
	assert_int_equal(vpit_update(&pit, now), 0);
	assert_int_equal(pit.irq0_backlog, 1);
	assert_int_equal(vpic_ack(&pic), 0x08);
	vpic_io(&pic, 0x20, 1, false, &eoi);
	assert_int_equal(vpit_update(&pit, now), 1);
	assert_int_equal(pit.irq0_backlog, 0);
	assert_int_equal(vpic_ack(&pic), 0x08);
	vpic_io(&pic, 0x20, 1, false, &eoi);
	/* 20 s away: the backlog holds VPIT_BACKLOG_MAX, the rest is dropped and counted. */
	now += 20000 * MS;
	assert_int_equal(vpit_update(&pit, now), 1);
	assert_int_equal(pit.irq0_backlog, VPIT_BACKLOG_MAX);
	assert_int_equal(pit.irq0_coalesced, 2000 - 1 - VPIT_BACKLOG_MAX);
	/* A new count for channel 0 empties it. */
	program(0, 2, latch);
	assert_int_equal(pit.irq0_backlog, 0);
}

static void test_periodic_100hz(void **state)
{
	const unsigned latch = (VPIT_HZ + 50) / 100;	/* Linux's LATCH */
	uint64_t dl;

	(void)state;
	uint32_t imr = 0xfe;

	vpic_io(&pic, 0x21, 1, false, &imr);	/* PIC: unmask IRQ0 */
	program(0, 2, latch);
	dl = vpit_next_deadline_ns(&pit);
	assert_int_equal(dl, T0 + vpit_ticks_to_ns(latch) - 0);
	for (int ms = 1; ms <= 1000; ms++) {
		now = T0 + (uint64_t)ms * MS;
		vpit_update(&pit, now);
		if (vpic_pending(&pic, NULL)) {
			assert_int_equal(vpic_ack(&pic), 0x08);
			uint32_t eoi = 0x20;
			vpic_io(&pic, 0x20, 1, false, &eoi);
		}
	}
	/* 1193182 / 11932 = 99.998: the 100th edge is 20 us after 1 s. */
	assert_int_equal(rises, 99);
	assert_int_equal(pit.irq0_coalesced, 0);
	now = T0 + 1000 * MS + 20000;
	vpit_update(&pit, now);
	assert_int_equal(rises, 100);
	assert_int_equal(pic.acks, 99);
	/* A guest that does not run for 55 ms: one edge, 4 periods lost. */
	now += 55 * MS;
	assert_int_equal(vpit_update(&pit, now), 1);
	assert_int_equal(rises, 101);
	assert_int_equal(pit.irq0_coalesced, 4);
	/* The deadline is the next edge: nothing before it, one at it. */
	dl = vpit_next_deadline_ns(&pit);
	assert_true(dl > now && dl <= now + 10 * MS + 1);
	assert_int_equal(vpit_update(&pit, dl - 1), 0);
	assert_int_equal(vpit_update(&pit, dl), 1);
}

static void test_counter_reads_down(void **state)
{
	const unsigned n = 11932;
	unsigned prev = n + 1;

	(void)state;
	program(0, 2, n);
	for (int i = 0; i < 50; i++) {
		uint64_t d = vpit_ns_to_ticks(now) - vpit_ns_to_ticks(T0);
		unsigned v = latched(0);

		assert_int_equal(v, n - d % n);
		if (d < n)
			assert_true(v < prev);
		prev = v;
		now += 173 * 1000;	/* 173 us: ~206 ticks */
	}
	/* It reloaded after 8.6 ms and is counting down again. */
	assert_true(prev <= n);
	/* Live lo/hi reads without a latch are consistent too. */
	unsigned lo = inb(0x40), hi = inb(0x40);
	uint64_t d = vpit_ns_to_ticks(now) - vpit_ns_to_ticks(T0);
	assert_int_equal(lo | hi << 8, n - d % n);
}

static void test_square_wave(void **state)
{
	(void)state;
	program(0, 3, 1000);
	now += vpit_ticks_to_ns(100);
	assert_int_equal(latched(0), 1000 - 200);	/* counts by two */
	outb(0x43, 0xe2);				/* read-back status ch0 */
	assert_int_equal(inb(0x40) & 0x80, 0x80);	/* first half: OUT high */
	now = T0 + vpit_ticks_to_ns(600);
	outb(0x43, 0xe2);
	assert_int_equal(inb(0x40) & 0x80, 0);		/* second half: low */
	assert_int_equal(latched(0), 1000 - 2 * 100);	/* 600 = 500 + 100 */
	/* An odd count: N-1, N-3, ... in the high half and in the low half. */
	program(1, 3, 5);
	unsigned seq[5];
	for (int i = 0; i < 5; i++) {
		now = T0 + vpit_ticks_to_ns(600 + (unsigned)i);
		seq[i] = latched(1);
	}
	assert_int_equal(seq[0], 4);
	assert_int_equal(seq[1], 2);
	assert_int_equal(seq[2], 0);
	assert_int_equal(seq[3], 4);
	assert_int_equal(seq[4], 2);
	now = T0 + vpit_ticks_to_ns(10000);
	vpit_update(&pit, now);
	assert_int_equal(rises, 1);
	assert_int_equal(pit.irq0_coalesced, 9);
}

static void test_mode0_oneshot(void **state)
{
	(void)state;
	program(0, 0, 1000);
	assert_int_equal(level, 0);			/* OUT low after the write */
	assert_int_equal(vpit_next_deadline_ns(&pit),
			 T0 + vpit_ticks_to_ns(1000));
	now = T0 + vpit_ticks_to_ns(999);
	assert_int_equal(vpit_update(&pit, now), 0);
	assert_int_equal(latched(0), 1);
	now = T0 + vpit_ticks_to_ns(1000);
	assert_int_equal(vpit_update(&pit, now), 1);
	assert_int_equal(level, 1);
	assert_int_equal(vpit_next_deadline_ns(&pit), VPIT_NO_DEADLINE);
	now += 1000 * MS;
	assert_int_equal(vpit_update(&pit, now), 0);	/* once only */
	assert_int_equal(rises, 1);
	/* The counter wraps past zero and keeps counting down. */
	assert_int_equal(latched(0),
		(unsigned)((1000 + 65536 - (vpit_ns_to_ticks(now) -
		 vpit_ns_to_ticks(T0)) % 65536) % 65536));
	/* Re-arming: the first byte of a new count drops OUT. */
	outb(0x40, 0x10);
	assert_int_equal(level, 0);
	outb(0x40, 0x00);
	assert_int_equal(latched(0), 0x10);
}

static void test_count_zero(void **state)
{
	(void)state;
	program(0, 2, 0);		/* 0 means 65536 */
	assert_int_equal(latched(0), 0);
	now = T0 + vpit_ticks_to_ns(1);
	assert_int_equal(latched(0), 65535);
	now = T0 + vpit_ticks_to_ns(65536) - 1;
	vpit_update(&pit, now);
	assert_int_equal(rises, 0);
	now = T0 + vpit_ticks_to_ns(65536);
	vpit_update(&pit, now);
	assert_int_equal(rises, 1);
}

static void test_latch_and_readback(void **state)
{
	(void)state;
	program(0, 2, 5000);
	now = T0 + vpit_ticks_to_ns(100);
	outb(0x43, 0x00);		/* latch channel 0 */
	now = T0 + vpit_ticks_to_ns(3000);
	outb(0x43, 0x00);		/* a second latch is ignored */
	assert_int_equal(inb(0x40), (4900 & 0xff));
	now = T0 + vpit_ticks_to_ns(4000);
	assert_int_equal(inb(0x40), 4900 >> 8);	/* still the latched value */
	/* Read-back: status and count of channels 0 and 2. */
	program(2, 0, 0x1234);
	outb(0x43, 0xc0 | 0x08 | 0x02);	/* latch count and status, ch 0 + 2 */
	assert_int_equal(inb(0x40), 0xb4);	/* OUT high (mode 2), rw 3, mode 2 */
	assert_int_equal(inb(0x40), (5000 - 4000) & 0xff);
	assert_int_equal(inb(0x40), (5000 - 4000) >> 8);
	/* Channel 2's gate is low (port 0x61 = 0): mode 0 has not started. */
	assert_int_equal(inb(0x42), 0x30);	/* OUT low, rw 3, mode 0 */
	assert_int_equal(inb(0x42), 0x34);
	assert_int_equal(inb(0x42), 0x12);
	/* Status only (D5 = 1). */
	outb(0x43, 0xe0 | 0x02);
	assert_int_equal(inb(0x40), 0xb4);
	/* Null count until a count is written after a control word. */
	outb(0x43, 0x76);		/* ch1 mode 3 lo/hi */
	outb(0x43, 0xe4);
	assert_int_equal(inb(0x41), 0x40 | 0x80 | 0x36);
	/* Read-only LSB and MSB access modes. */
	outb(0x43, 0x54);		/* ch1, LSB only, mode 2 */
	outb(0x41, 200);
	assert_int_equal(inb(0x41), 200);
	outb(0x43, 0x64);		/* ch1, MSB only, mode 2 */
	outb(0x41, 2);
	assert_int_equal(inb(0x41), 2);
	assert_int_equal(pit.ch[1].reload, 512);
}

static void test_bcd(void **state)
{
	(void)state;
	outb(0x43, 0x35);		/* ch0 lo/hi mode 2 BCD */
	outb(0x40, 0x00);
	outb(0x40, 0x10);		/* 1000 */
	now = T0 + vpit_ticks_to_ns(1);
	assert_int_equal(latched(0), 0x0999);
	outb(0x43, 0x35);
	outb(0x40, 0x00);
	outb(0x40, 0x00);		/* 0 = 10^4 in BCD */
	assert_int_equal(pit.ch[0].reload, 10000);
}

static void test_channel2_calibration(void **state)
{
	/* What Linux's pit_calibrate_tsc() and our hypervisor do: 50 ms. */
	const unsigned latch = VPIT_HZ / 20;
	uint64_t start, seen = 0;

	(void)state;
	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));	/* gate on */
	outb(0x43, 0xb0);		/* ch2, lo/hi, mode 0, binary */
	outb(0x42, (uint8_t)latch);
	start = now;
	outb(0x42, (uint8_t)(latch >> 8));
	assert_int_equal(inb(0x61) & 0x20, 0);
	for (int i = 0; i < 100000 && !seen; i++) {
		now += 10000;			/* 10 us per poll */
		if (inb(0x61) & 0x20)
			seen = now;
	}
	assert_true(seen >= start + 50 * MS - 10000);
	assert_true(seen <= start + 50 * MS + 10000);
	assert_int_equal(inb(0x61) & 0x03, 0x01);
	/* Gate low pauses mode 0; high resumes where it stopped. */
	program(2, 0, 1000);
	now += vpit_ticks_to_ns(300);
	outb(0x61, 0x00);
	unsigned frozen = latched(2);
	now += 1000 * MS;
	assert_int_equal(latched(2), frozen);
	assert_int_equal(inb(0x61) & 0x20, 0);
	outb(0x61, 0x01);
	now += vpit_ticks_to_ns(frozen) + 1000;
	assert_int_equal(inb(0x61) & 0x20, 0x20);
	/* The refresh bit toggles with time. */
	uint8_t a = inb(0x61) & 0x10;
	now += 15085;
	assert_int_not_equal(inb(0x61) & 0x10, a);
}

static void test_gate_restarts_mode2(void **state)
{
	(void)state;
	outb(0x61, 0x01);
	program(2, 2, 100);
	now += vpit_ticks_to_ns(50);
	assert_int_equal(latched(2), 50);
	outb(0x61, 0x00);		/* low: stop, OUT high */
	assert_int_equal(inb(0x61) & 0x20, 0x20);
	now += vpit_ticks_to_ns(10);
	outb(0x61, 0x01);		/* rising: reload */
	assert_int_equal(latched(2), 100);
	/* Mode 1: a one-shot started by the gate. */
	outb(0x61, 0x00);
	program(2, 1, 100);
	assert_int_equal(inb(0x61) & 0x20, 0x20);	/* OUT high until triggered */
	outb(0x61, 0x01);
	assert_int_equal(inb(0x61) & 0x20, 0x00);
	now += vpit_ticks_to_ns(100);
	assert_int_equal(inb(0x61) & 0x20, 0x20);
}

static void test_mode4_strobe(void **state)
{
	(void)state;
	program(0, 4, 500);
	outb(0x43, 0xe2);
	assert_int_equal(inb(0x40) & 0x80, 0x80);	/* OUT high while counting */
	now = T0 + vpit_ticks_to_ns(500);
	vpit_update(&pit, now);
	assert_int_equal(level, 0);		/* low for the clock at 0 */
	now = T0 + vpit_ticks_to_ns(501);
	assert_int_equal(vpit_update(&pit, now), 1);
	assert_int_equal(vpit_next_deadline_ns(&pit), VPIT_NO_DEADLINE);
}

static void test_bad_access(void **state)
{
	uint32_t v = 0;

	(void)state;
	assert_int_equal(vpit_io(&pit, 0x44, 1, true, &v), -SV_EINVAL);
	assert_int_equal(vpit_io(&pit, 0x40, 0, true, &v), -SV_EINVAL);
	assert_int_equal(vpit_io(&pit, 0x43, 1, true, &v), 0);
	assert_int_equal(v, 0xff);
	now = 0;			/* a clock going back is held at the last time */
	assert_int_equal(vpit_update(&pit, now), 0);
	assert_int_equal(pit.last_ns, T0);
}

static void test_random(void **state)
{
	static const uint16_t ports[] = { 0x40, 0x41, 0x42, 0x43, 0x61, 0x44 };
	static const unsigned sizes[] = { 1, 1, 1, 2, 4, 3 };

	(void)state;
	srand(4321);
	for (int i = 0; i < 300000; i++) {
		uint32_t v = (uint32_t)rand() | (uint32_t)rand() << 16;
		uint64_t dl;

		switch (rand() % 4) {
		case 0:
			now += (uint64_t)(rand() % 100000);
			break;
		case 1:
			if (rand() % 100 == 0)
				now += (uint64_t)rand() * 1000;
			break;
		default:
			vpit_io(&pit, ports[rand() % 6], sizes[rand() % 6],
				rand() & 1, &v);
			break;
		}
		if (rand() % 8 == 0) {
			int r = vpit_update(&pit, now);

			assert_true(r == 0 || r == 1);
		}
		dl = vpit_next_deadline_ns(&pit);
		assert_true(dl == VPIT_NO_DEADLINE || dl > pit.last_ns);
		for (int c = 0; c < 3; c++) {
			assert_true(pit.ch[c].reload >= 1 && pit.ch[c].reload <= 65536);
			assert_true(pit.ch[c].mode <= 5);
		}
		assert_true(level == 0 || level == 1);
	}
	/* After the storm the device still works. */
	program(0, 2, 1000);
	now += vpit_ticks_to_ns(1000);
	int before = rises;
	vpit_update(&pit, now);
	assert_int_equal(rises, before + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_conversions, setup),
		cmocka_unit_test_setup(test_periodic_100hz, setup),
		cmocka_unit_test_setup(test_reinject, setup),
		cmocka_unit_test_setup(test_counter_reads_down, setup),
		cmocka_unit_test_setup(test_square_wave, setup),
		cmocka_unit_test_setup(test_mode0_oneshot, setup),
		cmocka_unit_test_setup(test_count_zero, setup),
		cmocka_unit_test_setup(test_latch_and_readback, setup),
		cmocka_unit_test_setup(test_bcd, setup),
		cmocka_unit_test_setup(test_channel2_calibration, setup),
		cmocka_unit_test_setup(test_gate_restarts_mode2, setup),
		cmocka_unit_test_setup(test_mode4_strobe, setup),
		cmocka_unit_test_setup(test_bad_access, setup),
		cmocka_unit_test_setup(test_random, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
