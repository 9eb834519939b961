// SPDX-License-Identifier: MIT
/* test_vpic.c - the virtual 8259A pair: init sequences, priority, EOI, cascade. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/vpic.h"
#include "drivers/vpit.h"
#include "drivers/vrtc.h"
#include "drivers/vuart.h"
#include "mm/errno.h"

static struct vpic pic;

static void outb(uint16_t port, uint8_t v)
{
	uint32_t val = v;

	assert_int_equal(vpic_io(&pic, port, 1, false, &val), 0);
}

static uint8_t inb(uint16_t port)
{
	uint32_t val = 0xdeadbeef;

	assert_int_equal(vpic_io(&pic, port, 1, true, &val), 0);
	assert_true(val <= 0xff);
	return (uint8_t)val;
}

/* linux_init - what Linux's init_8259A() writes (vectors 0x30/0x38). */
static void linux_init(bool auto_eoi)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	outb(0x20, 0x11);		/* ICW1: edge, cascade, ICW4 */
	outb(0x21, 0x30);		/* ICW2: vector base */
	outb(0x21, 0x04);		/* ICW3: slave on IR2 */
	outb(0x21, auto_eoi ? 0x03 : 0x01);	/* ICW4: 8086, (auto-)EOI */
	outb(0xa0, 0x11);
	outb(0xa1, 0x38);
	outb(0xa1, 0x02);		/* ICW3: slave id 2 */
	outb(0xa1, 0x01);
	outb(0x21, 0x00);		/* unmask everything */
	outb(0xa1, 0x00);
}

static int setup(void **state)
{
	(void)state;
	vpic_init(&pic);
	return 0;
}

/* ack - the vector delivered now; asserts something was pending. */
static uint8_t ack(void)
{
	uint8_t v = 0;

	assert_true(vpic_pending(&pic, &v));
	assert_int_equal(vpic_ack(&pic), v);
	return v;
}

static void test_reset_state(void **state)
{
	(void)state;
	assert_int_equal(inb(0x21), 0xff);
	assert_int_equal(inb(0xa1), 0xff);
	vpic_set_irq(&pic, 0, 1);
	assert_false(vpic_pending(&pic, NULL));	/* masked */
	outb(0x21, 0xfe);
	assert_int_equal(ack(), 0x08);
}

static void test_linux_probe(void **state)
{
	(void)state;
	/* probe_8259A(): the mask register reads back what was written. */
	outb(0xa1, 0xff);
	outb(0x21, 0xfb);
	assert_int_equal(inb(0x21), 0xfb);
	linux_init(false);
	assert_int_equal(inb(0x21), 0x00);
	assert_int_equal(pic.chip[0].vector_base, 0x30);
	assert_int_equal(pic.chip[1].vector_base, 0x38);
	assert_int_equal(pic.chip[0].icw_step, 0);
	assert_int_equal(pic.chip[1].icw_step, 0);
	assert_false(vpic_pending(&pic, NULL));
}

/* The same PIC behind the VM core's interface (drivers/intc.h): lines in, vectors out. */
static void test_intc_interface(void **state)
{
	struct intc c = { &vpic_intc_ops, &pic };
	uint8_t v = 0;

	(void)state;
	linux_init(false);
	assert_false(intc_pending(&c, &v));
	intc_set_line(&c, 4, 1);
	intc_set_line(&c, 12, 1);	/* slave IR4, through the cascade on master IR2 */
	assert_true(intc_pending(&c, &v));
	assert_int_equal(v, 0x3c);	/* IR2 ranks above IR4 */
	assert_int_equal(intc_ack(&c), 0x3c);
	intc_eoi(&c, 0x3c);		/* no-op: the 8259 learns its EOI from OCW2 */
	assert_false(intc_pending(&c, NULL));	/* IRQ4 waits below the cascade in service */
	outb(0xa0, 0x20);
	outb(0x20, 0x20);
	assert_true(intc_pending(&c, &v));
	assert_int_equal(intc_ack(&c), 0x34);
	intc_set_line(&c, 4, 0);
	intc_set_line(&c, 12, 0);
}

static void test_priority_nesting(void **state)
{
	(void)state;
	linux_init(false);
	vpic_set_irq(&pic, 3, 1);
	vpic_set_irq(&pic, 1, 1);
	assert_int_equal(ack(), 0x31);
	vpic_set_irq(&pic, 0, 1);
	assert_int_equal(ack(), 0x30);		/* nests above IRQ1 */
	outb(0x20, 0x0b);			/* OCW3: read ISR */
	assert_int_equal(inb(0x20), 0x03);
	vpic_set_irq(&pic, 5, 1);
	assert_false(vpic_pending(&pic, NULL));	/* IRQ0 in service */
	outb(0x20, 0x20);			/* non-specific EOI: IRQ0 */
	assert_int_equal(inb(0x20), 0x02);
	assert_false(vpic_pending(&pic, NULL));	/* 3 and 5 below IRQ1 */
	outb(0x20, 0x20);
	assert_int_equal(ack(), 0x33);
	outb(0x20, 0x20);
	assert_int_equal(ack(), 0x35);
	outb(0x20, 0x20);
	assert_false(vpic_pending(&pic, NULL));
	assert_int_equal(inb(0x20), 0x00);
}

static void test_mask_and_irr(void **state)
{
	(void)state;
	linux_init(false);
	outb(0x21, 0x10);			/* mask IRQ4 */
	vpic_set_irq(&pic, 4, 1);
	assert_false(vpic_pending(&pic, NULL));
	outb(0x20, 0x0a);			/* OCW3: read IRR */
	assert_int_equal(inb(0x20), 0x10);	/* requested though masked */
	outb(0x21, 0x00);
	assert_int_equal(ack(), 0x34);
	assert_int_equal(inb(0x20), 0x00);
}

static void test_specific_eoi(void **state)
{
	(void)state;
	linux_init(false);
	vpic_set_irq(&pic, 6, 1);
	vpic_set_irq(&pic, 7, 1);
	assert_int_equal(ack(), 0x36);
	outb(0x20, 0x0b);
	outb(0x20, 0x65);			/* specific EOI for IRQ5: nothing */
	assert_int_equal(inb(0x20), 0x40);
	outb(0x20, 0x66);			/* specific EOI for IRQ6 */
	assert_int_equal(inb(0x20), 0x00);
	assert_int_equal(ack(), 0x37);
	outb(0x20, 0xe7);			/* rotate on specific EOI = EOI */
	assert_int_equal(inb(0x20), 0x00);
}

static void test_auto_eoi(void **state)
{
	(void)state;
	linux_init(true);
	vpic_set_irq(&pic, 0, 1);
	assert_int_equal(ack(), 0x30);
	outb(0x20, 0x0b);
	assert_int_equal(inb(0x20), 0x00);	/* nothing in service */
	vpic_set_irq(&pic, 0, 0);
	vpic_set_irq(&pic, 0, 1);
	assert_int_equal(ack(), 0x30);		/* no EOI needed */
}

static void test_edge(void **state)
{
	(void)state;
	linux_init(false);
	vpic_set_irq(&pic, 1, 1);
	vpic_set_irq(&pic, 1, 0);		/* pulse: the edge stays latched */
	assert_int_equal(ack(), 0x31);
	outb(0x20, 0x20);
	assert_false(vpic_pending(&pic, NULL));
	vpic_set_irq(&pic, 1, 1);
	assert_int_equal(ack(), 0x31);
	outb(0x20, 0x20);
	vpic_set_irq(&pic, 1, 1);		/* still high: no new edge */
	assert_false(vpic_pending(&pic, NULL));
}

static void test_level_elcr(void **state)
{
	(void)state;
	linux_init(false);
	outb(0x4d1, 0xff);			/* only 0xde may be level */
	assert_int_equal(inb(0x4d1), 0xde);
	outb(0x4d0, 0xff);
	assert_int_equal(inb(0x4d0), 0xf8);
	vpic_set_irq(&pic, 11, 1);
	assert_int_equal(ack(), 0x3b);
	outb(0xa0, 0x20);
	outb(0x20, 0x20);
	assert_int_equal(ack(), 0x3b);		/* still asserted */
	vpic_set_irq(&pic, 11, 0);
	outb(0xa0, 0x20);
	outb(0x20, 0x20);
	assert_false(vpic_pending(&pic, NULL));
	/* A level request that goes away before INTA: spurious IRQ7. */
	vpic_set_irq(&pic, 5, 1);		/* edge on master */
	vpic_set_irq(&pic, 5, 0);
	outb(0x4d0, 0x20);			/* make IRQ5 level: line is low */
	assert_false(vpic_pending(&pic, NULL));
	assert_int_equal(vpic_ack(&pic), 0x37);
	assert_int_equal(pic.spurious, 1);
	outb(0x20, 0x0b);
	assert_int_equal(inb(0x20), 0x00);	/* spurious sets no ISR bit */
}

static void test_cascade(void **state)
{
	(void)state;
	linux_init(false);
	vpic_set_irq(&pic, 12, 1);
	vpic_set_irq(&pic, 3, 1);
	assert_int_equal(ack(), 0x3c);		/* IR2 beats IR3 */
	outb(0x20, 0x0b);
	outb(0xa0, 0x0b);
	assert_int_equal(inb(0x20), 0x04);
	assert_int_equal(inb(0xa0), 0x10);
	/* Fully nested: master IR2 in service blocks even slave IRQ8. */
	vpic_set_irq(&pic, 8, 1);
	assert_false(vpic_pending(&pic, NULL));
	outb(0xa0, 0x20);			/* EOI slave (IRQ12) */
	assert_false(vpic_pending(&pic, NULL));	/* ...until the master's EOI */
	outb(0x20, 0x20);
	assert_int_equal(ack(), 0x38);
	vpic_set_irq(&pic, 14, 1);
	assert_false(vpic_pending(&pic, NULL));
	outb(0xa0, 0x20);
	outb(0x20, 0x20);
	assert_int_equal(ack(), 0x3e);
	outb(0xa0, 0x20);
	outb(0x20, 0x20);
	assert_int_equal(ack(), 0x33);
	outb(0x20, 0x0a);
	assert_int_equal(inb(0x20), 0x00);
	vpic_set_irq(&pic, 2, 1);		/* the cascade line is not an input */
	assert_false(vpic_pending(&pic, NULL));
	outb(0xa1, 0x01);			/* mask IRQ8 on the slave */
	vpic_set_irq(&pic, 8, 0);
	vpic_set_irq(&pic, 8, 1);
	assert_false(vpic_pending(&pic, NULL));
	assert_int_equal(inb(0x20), 0x00);	/* master IR2 not requested */
}

static void test_sfnm(void **state)
{
	(void)state;
	linux_init(false);
	outb(0x20, 0x11);			/* master again, ICW4 with SFNM */
	outb(0x21, 0x30);
	outb(0x21, 0x04);
	outb(0x21, 0x11);
	outb(0x21, 0x00);
	vpic_set_irq(&pic, 12, 1);
	assert_int_equal(ack(), 0x3c);
	vpic_set_irq(&pic, 14, 1);
	assert_false(vpic_pending(&pic, NULL));	/* lower on the slave */
	vpic_set_irq(&pic, 8, 1);
	assert_int_equal(ack(), 0x38);		/* higher on the slave nests */
	outb(0x20, 0x0b);
	assert_int_equal(inb(0x20), 0x04);
	outb(0xa0, 0x0b);
	assert_int_equal(inb(0xa0), 0x11);
}

static void test_slave_spurious(void **state)
{
	uint8_t v = 0;

	(void)state;
	linux_init(false);
	outb(0x4d1, 0x04);			/* IRQ10 level-triggered */
	vpic_set_irq(&pic, 10, 1);
	assert_true(vpic_pending(&pic, &v));
	assert_int_equal(v, 0x3a);
	vpic_set_irq(&pic, 10, 0);		/* gone before INTA */
	/* The master latched IR2: INTA finds nothing on the slave. */
	assert_true(vpic_pending(&pic, &v));
	assert_int_equal(v, 0x3f);
	assert_int_equal(vpic_ack(&pic), 0x3f);
	assert_int_equal(pic.spurious, 1);
	outb(0x20, 0x0b);
	outb(0xa0, 0x0b);
	assert_int_equal(inb(0x20), 0x04);	/* master IR2 in service... */
	assert_int_equal(inb(0xa0), 0x00);	/* ...the slave nothing */
	outb(0x20, 0x20);			/* Linux EOIs the master only */
	assert_false(vpic_pending(&pic, NULL));
	/* Masking on the slave after the request reached the master. */
	vpic_set_irq(&pic, 9, 1);
	outb(0xa1, 0x02);
	assert_int_equal(vpic_ack(&pic), 0x3f);
	outb(0x20, 0x20);
	outb(0xa1, 0x00);			/* unmasked again: a new edge */
	assert_int_equal(ack(), 0x39);
}

static void test_slave_auto_eoi(void **state)
{
	(void)state;
	linux_init(true);
	outb(0xa0, 0x11);			/* slave in auto-EOI too */
	outb(0xa1, 0x38);
	outb(0xa1, 0x02);
	outb(0xa1, 0x03);
	outb(0xa1, 0x00);
	vpic_set_irq(&pic, 9, 1);
	vpic_set_irq(&pic, 11, 1);
	assert_int_equal(ack(), 0x39);
	assert_int_equal(ack(), 0x3b);		/* INT stayed high: re-latched */
	assert_false(vpic_pending(&pic, NULL));
}

static void test_poll(void **state)
{
	(void)state;
	linux_init(false);
	outb(0x20, 0x0c);			/* OCW3 poll */
	assert_int_equal(inb(0x20), 0x00);
	vpic_set_irq(&pic, 4, 1);
	outb(0x20, 0x0c);
	assert_int_equal(inb(0x20), 0x84);
	outb(0x20, 0x0b);
	assert_int_equal(inb(0x20), 0x10);	/* the poll was an INTA */
}

static void test_bad_access(void **state)
{
	uint32_t v = 0;

	(void)state;
	assert_int_equal(vpic_io(&pic, 0x22, 1, true, &v), -SV_EINVAL);
	assert_int_equal(vpic_io(&pic, 0x20, 3, true, &v), -SV_EINVAL);
	assert_int_equal(vpic_io(&pic, 0x20, 2, true, &v), 0);
	assert_int_equal(v >> 8, 0xff);		/* IMR in the high byte */
	assert_int_equal(vpic_io(&pic, 0x21, 4, true, &v), 0);
	assert_int_equal(v >> 8, 0xffffff);
}

static void test_random(void **state)
{
	static const uint16_t ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0,
					  0x4d1, 0x22, 0xa2, 0x4cf };
	static const unsigned sizes[] = { 1, 2, 4, 3, 0 };

	(void)state;
	srand(1234);
	for (int i = 0; i < 200000; i++) {
		uint32_t v = (uint32_t)rand() | (uint32_t)rand() << 16;
		uint8_t vec = 0;
		int op = rand() % 8;

		if (op < 4) {
			vpic_io(&pic, ports[rand() % 9], sizes[rand() % 5],
				rand() & 1, &v);
		} else if (op < 6) {
			vpic_set_irq(&pic, (unsigned)rand() % 20, rand() & 1);
		} else if (vpic_pending(&pic, &vec)) {
			assert_true((vec & 0xf8) == pic.chip[0].vector_base ||
				    (vec & 0xf8) == pic.chip[1].vector_base);
			assert_int_equal(vpic_ack(&pic), vec);
		} else if (op == 7) {
			vec = vpic_ack(&pic);	/* a stray INTA: spurious */
			assert_true(vec == pic.chip[0].vector_base + 7 ||
				    vec == pic.chip[1].vector_base + 7);
		}
		assert_true(pic.chip[0].icw_step <= 4);
		assert_true(pic.chip[1].icw_step <= 4);
		assert_int_equal(pic.chip[0].vector_base & 7, 0);
		assert_int_equal(pic.chip[0].elcr & ~0xf8, 0);
		assert_int_equal(pic.chip[1].elcr & ~0xde, 0);
	}
}

/* One VM's device set, wired the way the VM core does it. */
struct vm {
	struct vpic pic;
	struct vpit pit;
	struct vuart uart;
	struct vrtc rtc;
	struct vio_range io[VPIC_NRANGES + VPIT_NRANGES + 2];
	unsigned nio;
	uint64_t now;
	char out[64];
	unsigned nout;
};

static uint64_t vm_clock(void *ctx)
{
	return ((struct vm *)ctx)->now;
}

static void vm_irq0(void *ctx, int level)
{
	vpic_set_irq(&((struct vm *)ctx)->pic, 0, level);
}

static void vm_irq4(void *ctx, int level)
{
	vpic_set_irq(&((struct vm *)ctx)->pic, VUART_COM1_IRQ, level);
}

static void vm_tx(void *ctx, uint8_t b)
{
	struct vm *vm = ctx;

	if (vm->nout < sizeof(vm->out))
		vm->out[vm->nout++] = (char)b;
}

static void vm_init(struct vm *vm)
{
	memset(vm, 0, sizeof(*vm));
	vm->now = 1000;
	vpic_init(&vm->pic);
	vpit_init(&vm->pit, vm_irq0, vm_clock, vm, vm->now);
	vuart_init(&vm->uart, VUART_COM1_PORT, vm_tx, vm_irq4, vm);
	vrtc_init(&vm->rtc, 32u << 20, 0, vm->now, vm_clock, vm);
	vpic_ranges(&vm->pic, vm->io);
	vpit_ranges(&vm->pit, vm->io + VPIC_NRANGES);
	vuart_ranges(&vm->uart, vm->io + VPIC_NRANGES + VPIT_NRANGES);
	vrtc_ranges(&vm->rtc, vm->io + VPIC_NRANGES + VPIT_NRANGES + 1);
	vm->nio = VPIC_NRANGES + VPIT_NRANGES + 2;
}

/* vm_io - the core's dispatcher; -SV_ENOENT when no device has the port. */
static int vm_io(struct vm *vm, uint16_t port, bool in, uint32_t *val)
{
	for (unsigned i = 0; i < vm->nio; i++)
		if (vio_range_has(&vm->io[i], port))
			return vm->io[i].fn(vm->io[i].dev, port, 1, in, val);
	return -SV_ENOENT;
}

static void vm_out(struct vm *vm, uint16_t port, uint8_t v)
{
	uint32_t val = v;

	assert_int_equal(vm_io(vm, port, false, &val), 0);
}

static void test_wiring(void **state)
{
	static struct vm a, b;
	uint32_t v;
	uint8_t vec;

	(void)state;
	vm_init(&a);
	vm_init(&b);
	/* Every range answers its ports, nothing overlaps. */
	for (unsigned i = 0; i < a.nio; i++)
		for (unsigned p = 0; p < a.io[i].count; p++) {
			v = 0;
			assert_int_equal(a.io[i].fn(a.io[i].dev,
				(uint16_t)(a.io[i].base + p), 1, true, &v), 0);
		}
	assert_int_equal(vm_io(&a, 0x80, true, &v), -SV_ENOENT);
	/* VM a: timer at 100 Hz and the UART's RX interrupt. */
	vm_out(&a, 0x21, 0xec);				/* unmask IRQ0, IRQ1, IRQ4 */
	vm_out(&a, 0x43, 0x34);
	vm_out(&a, 0x40, 0x9c);
	vm_out(&a, 0x40, 0x2e);
	vm_out(&a, 0x3fc, 0x08);			/* OUT2 */
	vm_out(&a, 0x3f9, 0x01);			/* ERBFI */
	a.now += 10 * 1000 * 1000 + 1000;
	vpit_update(&a.pit, a.now);
	assert_true(vuart_rx_push(&a.uart, '!'));
	assert_true(vpic_pending(&a.pic, &vec));
	assert_int_equal(vpic_ack(&a.pic), 0x08);	/* timer first */
	vm_out(&a, 0x20, 0x20);
	assert_int_equal(vpic_ack(&a.pic), 0x0c);	/* then COM1 */
	v = 0;
	assert_int_equal(vm_io(&a, 0x3f8, true, &v), 0);
	assert_int_equal(v, '!');
	vm_out(&a, 0x20, 0x20);
	assert_false(vpic_pending(&a.pic, NULL));
	vm_out(&a, 0x3f8, 'A');
	assert_int_equal(a.nout, 1);
	/* VM b saw none of it. */
	assert_false(vpic_pending(&b.pic, NULL));
	assert_int_equal(b.nout, 0);
	assert_int_equal(b.pit.irq0_edges, 0);
	assert_int_equal(vpit_next_deadline_ns(&b.pit), VPIT_NO_DEADLINE);
	vm_out(&b, 0x70, 0x15);
	assert_int_equal(vm_io(&b, 0x71, true, &v), 0);
	assert_int_equal(v, 0x80);			/* 640 KiB, low byte */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_state, setup),
		cmocka_unit_test_setup(test_linux_probe, setup),
		cmocka_unit_test_setup(test_priority_nesting, setup),
		cmocka_unit_test_setup(test_intc_interface, setup),
		cmocka_unit_test_setup(test_mask_and_irr, setup),
		cmocka_unit_test_setup(test_specific_eoi, setup),
		cmocka_unit_test_setup(test_auto_eoi, setup),
		cmocka_unit_test_setup(test_edge, setup),
		cmocka_unit_test_setup(test_level_elcr, setup),
		cmocka_unit_test_setup(test_cascade, setup),
		cmocka_unit_test_setup(test_sfnm, setup),
		cmocka_unit_test_setup(test_slave_spurious, setup),
		cmocka_unit_test_setup(test_slave_auto_eoi, setup),
		cmocka_unit_test_setup(test_poll, setup),
		cmocka_unit_test_setup(test_bad_access, setup),
		cmocka_unit_test_setup(test_random, setup),
		cmocka_unit_test(test_wiring),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
