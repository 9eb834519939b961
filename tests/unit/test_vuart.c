// SPDX-License-Identifier: MIT
/* test_vuart.c - the virtual 16550A: Linux-style probe, transmit, receive, IRQs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/vuart.h"
#include "mm/errno.h"

#define COM1 VUART_COM1_PORT

static struct vuart u;
static uint8_t sink[4096];
static size_t nsink;
static int irq_level, irq_calls;

static void tx(void *ctx, uint8_t b)
{
	assert_ptr_equal(ctx, &u);
	if (nsink < sizeof(sink))
		sink[nsink++] = b;
}

static void irq(void *ctx, int level)
{
	assert_ptr_equal(ctx, &u);
	assert_int_not_equal(level, irq_level);	/* called on changes only */
	irq_level = level;
	irq_calls++;
}

static int setup(void **state)
{
	(void)state;
	nsink = 0;
	irq_level = irq_calls = 0;
	vuart_init(&u, COM1, tx, irq, &u);
	return 0;
}

static void outb(unsigned off, uint8_t v)
{
	uint32_t val = v;

	assert_int_equal(vuart_io(&u, (uint16_t)(COM1 + off), 1, false, &val), 0);
}

static uint8_t inb(unsigned off)
{
	uint32_t val = 0xdeadbeef;

	assert_int_equal(vuart_io(&u, (uint16_t)(COM1 + off), 1, true, &val), 0);
	assert_true(val <= 0xff);
	return (uint8_t)val;
}

static void test_reset_values(void **state)
{
	(void)state;
	assert_int_equal(inb(1), 0x00);		/* IER */
	assert_int_equal(inb(2), 0x01);		/* IIR: nothing pending */
	assert_int_equal(inb(3), 0x00);		/* LCR */
	assert_int_equal(inb(4), 0x00);		/* MCR */
	assert_int_equal(inb(5), 0x60);		/* LSR: THRE | TEMT */
	assert_int_equal(inb(6) & 0xf0, 0xb0);	/* DCD, DSR, CTS */
	assert_int_equal(irq_calls, 0);
}

static void test_linux_probe(void **state)
{
	(void)state;
	/* autoconfig(): the scratch register holds values. */
	outb(7, 0xa5);
	assert_int_equal(inb(7), 0xa5);
	outb(7, 0x5a);
	assert_int_equal(inb(7), 0x5a);
	/* IER: upper nibble reads 0, lower nibble sticks. */
	outb(1, 0x00);
	assert_int_equal(inb(1) & 0x0f, 0);
	outb(1, 0xff);
	assert_int_equal(inb(1), 0x0f);
	outb(1, 0x00);
	/* Loopback: MCR outputs appear on MSR (0x90 for RTS|OUT2). */
	outb(4, 0x10 | 0x0a);
	assert_int_equal(inb(6) & 0xf0, 0x90);
	outb(4, 0x00);
	/* FIFO: enabling shows 11 in IIR bits 7-6 (a 16550A). */
	outb(2, 0x01);
	assert_int_equal(inb(2) & 0xc0, 0xc0);
	/* Not a 16750: no 64-byte FIFO bit with DLAB set. */
	outb(3, 0x80);
	outb(2, 0x21);
	outb(3, 0x00);
	assert_int_equal(inb(2) & 0x20, 0);
	/* The divisor latch behind DLAB. */
	outb(3, 0x80);
	outb(0, 0x01);
	outb(1, 0x00);
	assert_int_equal(inb(0), 0x01);
	assert_int_equal(inb(1), 0x00);
	outb(3, 0x03);				/* 8N1, DLAB off */
	assert_int_equal(inb(1), 0x00);		/* IER again */
	assert_int_equal(u.dll, 1);
	assert_int_equal(nsink, 0);
	/* FIFO off: IIR bits 7-6 clear. */
	outb(2, 0x00);
	assert_int_equal(inb(2), 0x01);
	assert_int_equal(inb(5), 0x60);
}

static void test_transmit(void **state)
{
	(void)state;
	outb(3, 0x03);
	for (const char *p = "hello\n"; *p; p++) {
		assert_true(inb(5) & 0x20);	/* THRE */
		outb(0, (uint8_t)*p);
	}
	assert_int_equal(nsink, 6);
	assert_memory_equal(sink, "hello\n", 6);
	assert_int_equal(u.tx_bytes, 6);
	assert_int_equal(inb(5), 0x60);
	assert_int_equal(irq_calls, 0);		/* IER = 0: no interrupt */
}

static void test_receive(void **state)
{
	(void)state;
	outb(4, 0x0b);				/* DTR, RTS, OUT2 */
	outb(1, 0x01);				/* ERBFI */
	assert_int_equal(irq_level, 0);
	assert_true(vuart_rx_push(&u, 'x'));
	assert_int_equal(irq_level, 1);
	assert_int_equal(inb(5), 0x61);		/* DR */
	assert_int_equal(inb(2), 0x04);		/* received data available */
	assert_true(vuart_rx_push(&u, 'y'));
	assert_int_equal(inb(0), 'x');
	assert_int_equal(irq_level, 1);
	assert_int_equal(inb(0), 'y');
	assert_int_equal(irq_level, 0);
	assert_int_equal(inb(5), 0x60);
	assert_int_equal(inb(2), 0x01);
	assert_int_equal(inb(0), 0);		/* an empty RBR */
	/* FIFO with trigger level 4: timeout id below it, RDA at it. */
	outb(2, 0x41);
	for (int i = 0; i < 3; i++)
		assert_true(vuart_rx_push(&u, (uint8_t)('a' + i)));
	assert_int_equal(inb(2), 0xcc);
	assert_true(vuart_rx_push(&u, 'd'));
	assert_int_equal(inb(2), 0xc4);
	outb(2, 0x43);				/* clear the RX FIFO */
	assert_int_equal(inb(5), 0x60);
	assert_int_equal(irq_level, 0);
	/* Without OUT2 the PC's interrupt line stays low. */
	outb(4, 0x03);
	assert_true(vuart_rx_push(&u, 'z'));
	assert_int_equal(irq_level, 0);
	assert_int_equal(inb(2), 0xc4 | 0x08);	/* still identified */
	outb(4, 0x0b);
	assert_int_equal(irq_level, 1);
}

static void test_thre_interrupt(void **state)
{
	(void)state;
	outb(4, 0x08);
	outb(1, 0x02);				/* ETBEI with THR empty */
	assert_int_equal(irq_level, 1);
	assert_int_equal(inb(2), 0x02);		/* reading IIR clears it */
	assert_int_equal(irq_level, 0);
	assert_int_equal(inb(2), 0x01);
	outb(0, 'a');				/* sent at once: THRE again */
	assert_int_equal(irq_level, 1);
	outb(1, 0x00);				/* Linux's stop_tx */
	assert_int_equal(irq_level, 0);
	outb(1, 0x02);				/* start_tx: a fresh THRE */
	assert_int_equal(irq_level, 1);
	/* RX data outranks THRE; THRE comes back after the data is read. */
	outb(1, 0x03);
	assert_true(vuart_rx_push(&u, 'q'));
	assert_int_equal(inb(2), 0x04);
	assert_int_equal(inb(0), 'q');
	assert_int_equal(inb(2), 0x02);
	assert_int_equal(inb(2), 0x01);
	assert_int_equal(irq_level, 0);
	/* Modem status interrupt from a loopback line change. */
	outb(1, 0x08);
	outb(4, 0x18);
	assert_int_equal(inb(6), 0x80 | 0x03);	/* DCD; CTS and DSR dropped */
	outb(4, 0x19);				/* DTR -> DSR changes */
	assert_int_equal(inb(2), 0x00);
	assert_int_equal(inb(6) & 0x0f, 0x02);	/* DDSR, cleared by the read */
	assert_int_equal(inb(2), 0x01);
}

static void test_loopback(void **state)
{
	(void)state;
	outb(4, 0x10);
	outb(0, 'L');
	assert_int_equal(nsink, 0);		/* not on the console */
	assert_int_equal(inb(5) & 1, 1);
	assert_int_equal(inb(0), 'L');
	assert_false(vuart_rx_push(&u, 'c'));	/* input disconnected */
	assert_int_equal(vuart_rx_space(&u), 0);
	outb(4, 0x00);
	assert_int_equal(vuart_rx_space(&u), VUART_RX_CAP);
}

static void test_rx_full(void **state)
{
	(void)state;
	for (int i = 0; i < VUART_RX_CAP; i++)
		assert_true(vuart_rx_push(&u, (uint8_t)i));
	assert_false(vuart_rx_push(&u, 0xee));
	assert_int_equal(u.rx_dropped, 1);
	for (int i = 0; i < VUART_RX_CAP; i++)
		assert_int_equal(inb(0), (uint8_t)i);
	assert_int_equal(inb(5) & 1, 0);
	assert_int_equal(u.rx_bytes, VUART_RX_CAP);
}

static void test_wide_and_bad(void **state)
{
	uint32_t v = 0x4241;

	(void)state;
	assert_int_equal(vuart_io(&u, COM1, 2, false, &v), 0);	/* THR then IER */
	assert_int_equal(nsink, 1);
	assert_int_equal(inb(1), 0x02);
	assert_int_equal(vuart_io(&u, COM1 + 8, 1, true, &v), -SV_EINVAL);
	assert_int_equal(vuart_io(&u, COM1 - 1, 1, true, &v), -SV_EINVAL);
	assert_int_equal(vuart_io(&u, COM1, 3, true, &v), -SV_EINVAL);
	assert_int_equal(vuart_io(&u, COM1 + 6, 4, true, &v), 0);
	assert_int_equal(v >> 16, 0xffff);	/* past the UART: floating */
}

static void test_random(void **state)
{
	static const unsigned sizes[] = { 1, 1, 2, 4, 3 };

	(void)state;
	srand(777);
	for (int i = 0; i < 300000; i++) {
		uint32_t v = (uint32_t)rand() | (uint32_t)rand() << 16;
		bool want;

		if (rand() % 4 == 0) {
			vuart_rx_push(&u, (uint8_t)v);
		} else {
			vuart_io(&u, (uint16_t)(COM1 - 1 + rand() % 10),
				 sizes[rand() % 5], rand() & 1, &v);
		}
		assert_true(u.rx_count <= VUART_RX_CAP);
		assert_int_equal(u.ier & 0xf0, 0);
		/* The line is high exactly when a source is enabled and OUT2. */
		want = ((u.rx_count && (u.ier & 1)) || (u.thr_int && (u.ier & 2)) ||
			(u.msr_delta && (u.ier & 8))) &&
		       (u.mcr & 0x18) == 0x08;
		assert_int_equal(irq_level, want);
		assert_int_equal(u.irq_level, want);
	}
	/* Still a working UART afterwards. */
	vuart_reset(&u);
	assert_int_equal(irq_level, 0);
	outb(4, 0x08);
	outb(1, 0x01);
	while (inb(5) & 1)
		inb(0);
	assert_true(vuart_rx_push(&u, 'k'));
	assert_int_equal(irq_level, 1);
	assert_int_equal(inb(0), 'k');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_values, setup),
		cmocka_unit_test_setup(test_linux_probe, setup),
		cmocka_unit_test_setup(test_transmit, setup),
		cmocka_unit_test_setup(test_receive, setup),
		cmocka_unit_test_setup(test_thre_interrupt, setup),
		cmocka_unit_test_setup(test_loopback, setup),
		cmocka_unit_test_setup(test_rx_full, setup),
		cmocka_unit_test_setup(test_wide_and_bad, setup),
		cmocka_unit_test_setup(test_random, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
