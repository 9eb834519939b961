// SPDX-License-Identifier: MIT
/*
 * test_vioapic.c - the virtual I/O APIC: reset state, redirection entries,
 * edge and level delivery, remote IRR and EOI, masking, the ISA wiring,
 * the path to a local APIC and back, and random operations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/vioapic.h"
#include "drivers/vlapic.h"
#include "mm/errno.h"

/* Redirection entry fields (82093AA datasheet 3.2.4), spelled out for the tests. */
#define MASKED		(1u << 16)
#define LEVEL		(1u << 15)
#define REMOTE_IRR	(1u << 14)
#define ACTIVE_LOW	(1u << 13)
#define LOGICAL		(1u << 11)
#define DM(m)		((uint32_t)(m) << 8)

struct msg {
	uint8_t dest, mode, vector;
	bool logical, level;
};

static struct vioapic io;
static struct msg msgs[64];
static int nmsgs;
static struct vlapic *route_to;		/* when set, messages go to this APIC */

static void deliver(void *ctx, uint8_t dest, bool logical, uint8_t mode,
		    uint8_t vector, bool level)
{
	assert_ptr_equal(ctx, &io);
	assert_true(nmsgs < 64);
	msgs[nmsgs++] = (struct msg){ dest, mode, vector, logical, level };
	if (route_to && vlapic_match_dest(route_to, dest, logical, false))
		vlapic_accept(route_to, mode, vector, level);
}

static int setup(void **state)
{
	(void)state;
	nmsgs = 0;
	route_to = NULL;
	vioapic_init(&io, 1, deliver, &io);
	return 0;
}

static uint32_t reg_rd(uint8_t reg)
{
	uint32_t v = reg;

	assert_int_equal(vioapic_mmio(&io, VIOAPIC_IOREGSEL, 4, true, &v), 0);
	v = 0xdeadbeef;
	assert_int_equal(vioapic_mmio(&io, VIOAPIC_IOWIN, 4, false, &v), 0);
	return v;
}

static void reg_wr(uint8_t reg, uint32_t val)
{
	uint32_t v = reg;

	assert_int_equal(vioapic_mmio(&io, VIOAPIC_IOREGSEL, 4, true, &v), 0);
	assert_int_equal(vioapic_mmio(&io, VIOAPIC_IOWIN, 4, true, &val), 0);
}

/* program - entry @pin: low dword @lo, destination @dest (bits 56-63). */
static void program(unsigned pin, uint32_t lo, uint8_t dest)
{
	reg_wr((uint8_t)(0x11 + 2 * pin), (uint32_t)dest << 24);
	reg_wr((uint8_t)(0x10 + 2 * pin), lo);
}

static uint32_t rte_lo(unsigned pin)
{
	return reg_rd((uint8_t)(0x10 + 2 * pin));
}

static void test_reset_values(void **state)
{
	(void)state;
	assert_int_equal(reg_rd(VIOAPIC_REG_ID), 1u << 24);
	/* Version 0x11, maximum redirection entry 23. */
	assert_int_equal(reg_rd(VIOAPIC_REG_VER), 23u << 16 | 0x11);
	assert_int_equal(reg_rd(VIOAPIC_REG_ARB), 1u << 24);
	for (unsigned pin = 0; pin < 24; pin++) {
		assert_int_equal(rte_lo(pin), MASKED);
		assert_int_equal(reg_rd((uint8_t)(0x11 + 2 * pin)), 0);
		assert_int_equal(vioapic_rte(&io, pin), MASKED);
	}
	assert_int_equal(vioapic_rte(&io, 24), 0);
	/* IOREGSEL reads back what was selected (8 bits). */
	uint32_t v = 0xffffff12;

	assert_int_equal(vioapic_mmio(&io, VIOAPIC_IOREGSEL, 4, true, &v), 0);
	assert_int_equal(vioapic_mmio(&io, VIOAPIC_IOREGSEL, 4, false, &v), 0);
	assert_int_equal(v, 0x12);
	assert_int_equal(io.bad_accesses, 0);
}

static void test_registers(void **state)
{
	uint32_t v;

	(void)state;
	/* ID: bits 24-27; the arbitration ID follows it. Version and arbitration are read-only. */
	reg_wr(VIOAPIC_REG_ID, 0xffffffff);
	assert_int_equal(reg_rd(VIOAPIC_REG_ID), 0x0f000000u);
	assert_int_equal(reg_rd(VIOAPIC_REG_ARB), 0x0f000000u);
	reg_wr(VIOAPIC_REG_VER, 0);
	reg_wr(VIOAPIC_REG_ARB, 0);
	assert_int_equal(reg_rd(VIOAPIC_REG_VER), 23u << 16 | 0x11);
	assert_int_equal(reg_rd(VIOAPIC_REG_ARB), 0x0f000000u);
	/* Entry low dword: only vector, mode, dest mode, polarity, trigger, mask; status and remote IRR read-only. */
	reg_wr(0x10 + 2 * 5, 0xffffffff);
	assert_int_equal(rte_lo(5), 0xffu | DM(7) | LOGICAL | ACTIVE_LOW | LEVEL | MASKED);
	/* High dword: destination bits 56-63 only. */
	reg_wr(0x11 + 2 * 5, 0xffffffff);
	assert_int_equal(reg_rd(0x11 + 2 * 5), 0xff000000u);
	assert_int_equal(vioapic_rte(&io, 5),
			 0xffull << 56 | (0xffu | DM(7) | LOGICAL | ACTIVE_LOW | LEVEL | MASKED));
	/* The last entry is 0x3e/0x3f; 0x40 and above are not registers. */
	reg_wr(0x3f, 0x12345678);
	assert_int_equal(reg_rd(0x3f), 0x12000000u);
	assert_int_equal(reg_rd(0x40), 0);
	reg_wr(0x40, 1);
	assert_int_equal(reg_rd(0x03), 0);
	assert_int_equal(reg_rd(0x0f), 0);
	assert_int_equal(io.bad_accesses, 4);
	/* Only 32-bit accesses to IOREGSEL and IOWIN; nothing else in the page. */
	v = 0x10;
	assert_int_equal(vioapic_mmio(&io, VIOAPIC_IOREGSEL, 1, true, &v), 0);
	assert_int_equal(vioapic_mmio(&io, VIOAPIC_IOWIN, 2, false, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(vioapic_mmio(&io, 0x40, 4, false, &v), 0);	/* no EOI register in 0x11 */
	assert_int_equal(v, 0);
	assert_int_equal(vioapic_mmio(&io, 0x04, 4, true, &v), 0);
	assert_int_equal(io.bad_accesses, 8);
	assert_int_equal(vioapic_mmio(&io, 0x1000, 4, false, &v), -SV_EINVAL);
	/* Programming with the line idle sends nothing. */
	assert_int_equal(nmsgs, 0);
}

static void test_edge(void **state)
{
	(void)state;
	program(4, 0x34, 0x00);
	vioapic_set_irq(&io, 4, 1);
	assert_int_equal(nmsgs, 1);
	assert_int_equal(msgs[0].vector, 0x34);
	assert_int_equal(msgs[0].dest, 0);
	assert_int_equal(msgs[0].mode, VLAPIC_DM_FIXED);
	assert_false(msgs[0].logical || msgs[0].level);
	/* Held high: no more. Low, high: another. */
	vioapic_set_irq(&io, 4, 1);
	assert_int_equal(nmsgs, 1);
	vioapic_set_irq(&io, 4, 0);
	assert_int_equal(nmsgs, 1);
	vioapic_set_irq(&io, 4, 1);
	assert_int_equal(nmsgs, 2);
	/* Edge entries never get remote IRR, and an EOI of their vector changes nothing. */
	assert_int_equal(rte_lo(4), 0x34);
	vioapic_eoi(&io, 0x34);
	assert_int_equal(nmsgs, 2);
	/* Masked edges are lost, also after unmasking. */
	vioapic_set_irq(&io, 4, 0);
	program(4, 0x34 | MASKED, 0);
	vioapic_set_irq(&io, 4, 1);
	assert_int_equal(io.masked_edges, 1);
	program(4, 0x34, 0);
	assert_int_equal(nmsgs, 2);
	/* Logical destination and lowest priority are passed on as programmed. */
	vioapic_set_irq(&io, 4, 0);
	program(4, LOGICAL | DM(VLAPIC_DM_LOWEST) | 0x35, 0x0f);
	vioapic_set_irq(&io, 4, 1);
	assert_int_equal(nmsgs, 3);
	assert_true(msgs[2].logical);
	assert_int_equal(msgs[2].mode, VLAPIC_DM_LOWEST);
	assert_int_equal(msgs[2].dest, 0x0f);
	/* Pins outside 0-23 are ignored. */
	vioapic_set_irq(&io, 24, 1);
	assert_int_equal(nmsgs, 3);
	assert_int_equal(io.deliveries, 3);
}

static void test_level_remote_irr(void **state)
{
	(void)state;
	program(9, LEVEL | 0x49, 0x02);
	vioapic_set_irq(&io, 9, 1);
	assert_int_equal(nmsgs, 1);
	assert_true(msgs[0].level);
	assert_int_equal(msgs[0].dest, 2);
	assert_int_equal(rte_lo(9), LEVEL | REMOTE_IRR | 0x49);
	/* Asserted again while remote IRR is set: nothing. */
	vioapic_set_irq(&io, 9, 1);
	assert_int_equal(nmsgs, 1);
	/* An EOI of another vector: nothing. */
	vioapic_eoi(&io, 0x48);
	assert_int_equal(rte_lo(9), LEVEL | REMOTE_IRR | 0x49);
	/* EOI with the line still asserted: delivered again. */
	vioapic_eoi(&io, 0x49);
	assert_int_equal(nmsgs, 2);
	assert_int_equal(rte_lo(9), LEVEL | REMOTE_IRR | 0x49);
	/* Line released before the EOI: remote IRR cleared, nothing more. */
	vioapic_set_irq(&io, 9, 0);
	vioapic_eoi(&io, 0x49);
	assert_int_equal(nmsgs, 2);
	assert_int_equal(rte_lo(9), LEVEL | 0x49);
	assert_int_equal(io.eois, 2);
	/* Two entries sharing a vector are both released by one EOI. */
	program(10, LEVEL | 0x49, 0x02);
	vioapic_set_irq(&io, 9, 1);
	vioapic_set_irq(&io, 10, 1);
	assert_int_equal(nmsgs, 4);
	vioapic_set_irq(&io, 9, 0);
	vioapic_eoi(&io, 0x49);
	assert_int_equal(nmsgs, 5);	/* pin 10 again */
	assert_int_equal(rte_lo(9), LEVEL | 0x49);
	assert_int_equal(rte_lo(10), LEVEL | REMOTE_IRR | 0x49);
	/* The guest cannot write remote IRR or delivery status. */
	program(10, LEVEL | 0x49 | (1u << 12), 0x02);
	assert_int_equal(rte_lo(10), LEVEL | REMOTE_IRR | 0x49);
}

static void test_level_masking(void **state)
{
	(void)state;
	program(11, LEVEL | MASKED | 0x5b, 0);
	vioapic_set_irq(&io, 11, 1);
	assert_int_equal(nmsgs, 0);
	/* Unmasked while still asserted: delivered. */
	program(11, LEVEL | 0x5b, 0);
	assert_int_equal(nmsgs, 1);
	/* Masked with remote IRR set: the EOI clears it but sends nothing until unmasked. */
	program(11, LEVEL | MASKED | 0x5b, 0);
	vioapic_eoi(&io, 0x5b);
	assert_int_equal(nmsgs, 1);
	assert_int_equal(rte_lo(11), LEVEL | MASKED | 0x5b);
	program(11, LEVEL | 0x5b, 0);
	assert_int_equal(nmsgs, 2);
	/* Released while masked: unmasking sends nothing. */
	program(11, LEVEL | MASKED | 0x5b, 0);
	vioapic_eoi(&io, 0x5b);
	vioapic_set_irq(&io, 11, 0);
	program(11, LEVEL | 0x5b, 0);
	assert_int_equal(nmsgs, 2);
}

/*
 * Linux's EOI for I/O APICs without an EOI register (version < 0x20): mask,
 * switch the entry to edge and back to level. Remote IRR must clear.
 */
static void test_edge_switch_clears_remote_irr(void **state)
{
	(void)state;
	program(12, LEVEL | 0x6c, 0);
	vioapic_set_irq(&io, 12, 1);
	assert_int_equal(rte_lo(12), LEVEL | REMOTE_IRR | 0x6c);
	vioapic_set_irq(&io, 12, 0);
	reg_wr(0x10 + 2 * 12, MASKED | 0x6c);
	assert_int_equal(rte_lo(12), MASKED | 0x6c);
	reg_wr(0x10 + 2 * 12, MASKED | LEVEL | 0x6c);
	reg_wr(0x10 + 2 * 12, LEVEL | 0x6c);
	assert_int_equal(rte_lo(12), LEVEL | 0x6c);
	vioapic_set_irq(&io, 12, 1);
	assert_int_equal(nmsgs, 2);
}

static void test_polarity(void **state)
{
	(void)state;
	/* Active low, level (a PCI-style line): asserted while the pin is 0. */
	vioapic_set_irq(&io, 16, 1);	/* idle high */
	program(16, ACTIVE_LOW | LEVEL | 0x70, 0);
	assert_int_equal(nmsgs, 0);
	vioapic_set_irq(&io, 16, 0);
	assert_int_equal(nmsgs, 1);
	vioapic_set_irq(&io, 16, 1);
	vioapic_eoi(&io, 0x70);
	assert_int_equal(nmsgs, 1);
	/* Active low, edge: the falling edge of the pin. */
	program(17, ACTIVE_LOW | 0x71, 0);
	vioapic_set_irq(&io, 17, 1);
	assert_int_equal(nmsgs, 1);
	vioapic_set_irq(&io, 17, 0);
	assert_int_equal(nmsgs, 2);
	assert_int_equal(msgs[1].vector, 0x71);
}

static void test_edge_only_modes(void **state)
{
	(void)state;
	/* NMI, SMI, INIT and ExtINT are edge-only: no remote IRR even with the level bit. */
	program(3, LEVEL | DM(VLAPIC_DM_NMI), 0);
	vioapic_set_irq(&io, 3, 1);
	assert_int_equal(nmsgs, 1);
	assert_int_equal(msgs[0].mode, VLAPIC_DM_NMI);
	assert_false(msgs[0].level);
	assert_int_equal(rte_lo(3), LEVEL | DM(VLAPIC_DM_NMI));
	vioapic_set_irq(&io, 3, 1);
	assert_int_equal(nmsgs, 1);
	vioapic_set_irq(&io, 3, 0);
	vioapic_set_irq(&io, 3, 1);
	assert_int_equal(nmsgs, 2);
	program(0, DM(VLAPIC_DM_EXTINT), 0);
	vioapic_set_irq(&io, 0, 1);
	assert_int_equal(nmsgs, 3);
	assert_int_equal(msgs[2].mode, VLAPIC_DM_EXTINT);
	/* Reserved delivery modes (011, 110) send nothing. */
	program(1, DM(3) | 0x40, 0);
	program(6, DM(6) | 0x40, 0);
	vioapic_set_irq(&io, 1, 1);
	vioapic_set_irq(&io, 6, 1);
	assert_int_equal(nmsgs, 3);
}

static void test_isa_wiring(void **state)
{
	struct intc c = { &vioapic_intc_ops, &io };
	uint8_t v;

	(void)state;
	/* IRQ0 (PIT) arrives on pin 2, IRQ2 nowhere, the rest on their own number. */
	assert_int_equal(vioapic_isa_pin(0), VIOAPIC_PIN_PIT);
	assert_int_equal(vioapic_isa_pin(2), VIOAPIC_NO_PIN);
	assert_int_equal(vioapic_isa_pin(4), VIOAPIC_PIN_COM1);
	assert_int_equal(vioapic_isa_pin(8), VIOAPIC_PIN_RTC);
	assert_int_equal(vioapic_isa_pin(15), 15);
	assert_int_equal(vioapic_isa_pin(24), VIOAPIC_NO_PIN);
	program(VIOAPIC_PIN_PIT, 0x30, 0);
	program(VIOAPIC_PIN_COM1, 0x34, 0);
	program(VIOAPIC_PIN_RTC, 0x38, 0);
	program(0, 0x20, 0);
	intc_set_line(&c, 0, 1);
	assert_int_equal(nmsgs, 1);
	assert_int_equal(msgs[0].vector, 0x30);
	intc_set_line(&c, 2, 1);
	assert_int_equal(nmsgs, 1);
	intc_set_line(&c, 4, 1);
	intc_set_line(&c, 8, 1);
	assert_int_equal(nmsgs, 3);
	assert_int_equal(msgs[1].vector, 0x34);
	assert_int_equal(msgs[2].vector, 0x38);
	/* The I/O APIC never interrupts a vCPU itself; its EOI is vioapic_eoi. */
	assert_false(intc_pending(&c, &v));
	assert_int_equal(intc_ack(&c), 0);
	program(9, LEVEL | 0x39, 0);
	intc_set_line(&c, 9, 1);
	assert_int_equal(rte_lo(9), LEVEL | REMOTE_IRR | 0x39);
	intc_eoi(&c, 0x39);
	assert_int_equal(nmsgs, 5);
}

static uint64_t fake_clock(void *ctx)
{
	(void)ctx;
	return 0;
}

static void lapic_eoi_to_ioapic(void *ctx, uint8_t vector)
{
	vioapic_eoi(ctx, vector);
}

/* The whole path: a level line -> I/O APIC -> local APIC -> guest EOI -> remote IRR. */
static void test_with_lapic(void **state)
{
	static struct vlapic apic;
	struct vlapic_config cfg = {
		.apic_id = 0, .bsp = true, .clock = fake_clock,
		.eoi = lapic_eoi_to_ioapic, .ctx = &io,
	};
	uint32_t svr = VLAPIC_SVR_ENABLE | 0xff, eoi = 0;
	uint8_t v;

	(void)state;
	vlapic_init(&apic, &cfg);
	assert_int_equal(vlapic_mmio(&apic, VLAPIC_SVR, 4, true, &svr), 0);
	route_to = &apic;
	/* A UART-style level line on pin 4, physical destination APIC 0. */
	program(VIOAPIC_PIN_COM1, LEVEL | 0x44, 0);
	vioapic_set_irq(&io, VIOAPIC_PIN_COM1, 1);
	assert_true(vlapic_pending(&apic, &v));
	assert_int_equal(v, 0x44);
	assert_int_equal(vlapic_ack(&apic), 0x44);
	/* Still asserted; the handler has not run: no second message. */
	vioapic_set_irq(&io, VIOAPIC_PIN_COM1, 1);
	assert_int_equal(nmsgs, 1);
	/* The guest EOIs with the line still up: the I/O APIC sends again. */
	assert_int_equal(vlapic_mmio(&apic, VLAPIC_EOI, 4, true, &eoi), 0);
	assert_int_equal(nmsgs, 2);
	assert_true(vlapic_pending(&apic, &v));
	assert_int_equal(vlapic_ack(&apic), 0x44);
	/* The device drops its line, then the EOI: done. */
	vioapic_set_irq(&io, VIOAPIC_PIN_COM1, 0);
	assert_int_equal(vlapic_mmio(&apic, VLAPIC_EOI, 4, true, &eoi), 0);
	assert_int_equal(nmsgs, 2);
	assert_false(vlapic_pending(&apic, NULL));
	assert_int_equal(rte_lo(VIOAPIC_PIN_COM1), LEVEL | 0x44);
	/* An edge line (PIT on pin 2) leaves no EOI message. */
	program(VIOAPIC_PIN_PIT, 0x30, 0);
	vioapic_set_irq(&io, VIOAPIC_PIN_PIT, 1);
	assert_int_equal(vlapic_ack(&apic), 0x30);
	assert_int_equal(vlapic_mmio(&apic, VLAPIC_EOI, 4, true, &eoi), 0);
	assert_int_equal(io.eois, 2);
	/* A destination that is not this APIC: it is not interrupted. */
	vioapic_set_irq(&io, VIOAPIC_PIN_PIT, 0);
	program(VIOAPIC_PIN_PIT, 0x30, 5);
	vioapic_set_irq(&io, VIOAPIC_PIN_PIT, 1);
	assert_false(vlapic_pending(&apic, NULL));
	route_to = NULL;
}

/* Random operations: no crash; remote IRR only on level entries; no message while it is set. */
static uint64_t rng = 0x243f6a8885a308d3ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static void test_random_ops(void **state)
{
	uint64_t before[VIOAPIC_PINS];
	uint32_t v;

	(void)state;
	for (int iter = 0; iter < 200000; iter++) {
		uint32_t r = rnd(), w = rnd();
		unsigned pin = w % VIOAPIC_PINS;
		int sent_before = nmsgs;

		if (nmsgs > 40)
			nmsgs = sent_before = 0;
		memcpy(before, io.rte, sizeof(before));
		switch (r % 6) {
		case 0: case 1:
			vioapic_set_irq(&io, pin, (w >> 8) & 1);
			/* A line change sends at most one message; none from an entry with remote IRR. */
			assert_true(nmsgs - sent_before <= 1);
			if (before[pin] & REMOTE_IRR)
				assert_int_equal(nmsgs, sent_before);
			break;
		case 2:
			vioapic_eoi(&io, (uint8_t)(0x40 + (w & 7)));
			break;
		case 3:
			/* Vectors from a small set, so EOIs and sharing happen. */
			v = (rnd() & ~0xffu) | (0x40 + (w & 7));
			reg_wr((uint8_t)(0x10 + 2 * pin + ((w >> 9) & 1)), v);
			break;
		case 4:
			v = rnd();
			vioapic_mmio(&io, (w >> 8) & 0xfff, 1 + (w >> 20) % 4, (w >> 30) & 1, &v);
			break;
		default:
			v = reg_rd((uint8_t)w);
			break;
		}
		for (unsigned p = 0; p < VIOAPIC_PINS; p++) {
			uint64_t e = io.rte[p];
			unsigned mode = (unsigned)(e >> 8) & 7;
			bool level = (e & LEVEL) && (mode == 0 || mode == 1);

			if (!level)
				assert_false(e & REMOTE_IRR);
			assert_false(e & (1u << 12));	/* delivery status: always idle */
			assert_int_equal(e & 0x00fffffffffe0000ull, 0);	/* reserved bits */
			/* A deliverable asserted level entry has been delivered (remote IRR). */
			bool high = (io.pins >> p) & 1, act = high != !!(e & ACTIVE_LOW);

			if (level && act && !(e & MASKED) && mode != 3 && mode != 6)
				assert_true(e & REMOTE_IRR);
		}
	}
	assert_true(io.deliveries > 1000);
	assert_true(io.eois > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_values, setup),
		cmocka_unit_test_setup(test_registers, setup),
		cmocka_unit_test_setup(test_edge, setup),
		cmocka_unit_test_setup(test_level_remote_irr, setup),
		cmocka_unit_test_setup(test_level_masking, setup),
		cmocka_unit_test_setup(test_edge_switch_clears_remote_irr, setup),
		cmocka_unit_test_setup(test_polarity, setup),
		cmocka_unit_test_setup(test_edge_only_modes, setup),
		cmocka_unit_test_setup(test_isa_wiring, setup),
		cmocka_unit_test_setup(test_with_lapic, setup),
		cmocka_unit_test_setup(test_random_ops, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
