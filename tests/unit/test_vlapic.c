// SPDX-License-Identifier: MIT
/*
 * test_vlapic.c - the virtual local APIC: reset state, register bits,
 * priorities, EOI, timer modes, ICR, ESR, IA32_APIC_BASE and x2APIC MSRs.
 * Expected values are built from the SDM's field definitions (the macros
 * below), never from a run of the model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/vlapic.h"

#define TK	VLAPIC_TICK_NS	/* ns per undivided timer tick */
#include "drivers/vpic.h"
#include "mm/errno.h"

#define MS		1000000ull
#define T0		(7000 * MS)	/* the host clock is not 0 at VM start */
#define APIC_ID		3
#define MAXPHY		39
#define TSC_HZ		2500000000ull	/* 2.5 GHz guest TSC */
#define TSC0		123456789ull

/* Field values from SDM chapter 11, spelled out for the tests. */
#define LVT_MASK	(1u << 16)
#define DM(m)		((uint32_t)(m) << 8)
#define SVR_EN		(1u << 8)
#define ICR_LOGICAL	(1u << 11)
#define ICR_ASSERT	(1u << 14)
#define ICR_LEVEL	(1u << 15)
#define SH(s)		((uint32_t)(s) << 18)
#define MODE_PERIODIC	(1u << 17)
#define MODE_TSCDL	(2u << 17)

static struct vlapic apic;
static struct vlapic_config cfg;
static uint64_t now;			/* the fake host clock (ns) */
static uint64_t tsc_at_t0;		/* the fake guest TSC at T0 */
static uint8_t eois[64];		/* vectors the EOI callback saw */
static int neois;
static struct vlapic_ipi ipis[16];	/* messages handed to the IPI callback */
static int nipis;

static uint64_t clock_now(void *ctx)
{
	assert_ptr_equal(ctx, &apic);
	return now;
}

/* fake_tsc - the guest TSC runs at TSC_HZ from tsc_at_t0 at T0. */
static uint64_t fake_tsc(void *ctx)
{
	(void)ctx;
	return tsc_at_t0 + (now - T0) * (TSC_HZ / 1000000000ull) +
	       (now - T0) * (TSC_HZ % 1000000000ull) / 1000000000ull;
}

static void eoi_cb(void *ctx, uint8_t vector)
{
	assert_ptr_equal(ctx, &apic);
	assert_true(neois < (int)sizeof(eois));
	eois[neois++] = vector;
}

static void ipi_cb(void *ctx, const struct vlapic_ipi *m)
{
	assert_ptr_equal(ctx, &apic);
	assert_true(nipis < 16);
	ipis[nipis++] = *m;
}

static void make_apic(bool bsp, bool x2apic, bool tscdl)
{
	now = T0;
	tsc_at_t0 = TSC0;
	neois = nipis = 0;
	cfg = (struct vlapic_config){
		.apic_id = APIC_ID, .bsp = bsp, .x2apic = x2apic,
		.tsc_deadline = tscdl, .tsc_hz = TSC_HZ, .clock = clock_now,
		.tsc = fake_tsc, .eoi = eoi_cb, .ipi = ipi_cb, .ctx = &apic,
	};
	vlapic_init(&apic, &cfg);
}

static int setup(void **state)
{
	(void)state;
	make_apic(true, true, true);
	return 0;
}

static uint32_t rd(uint32_t off)
{
	uint32_t v = 0xdeadbeef;

	assert_int_equal(vlapic_mmio(&apic, off, 4, false, &v), 0);
	return v;
}

static void wr(uint32_t off, uint32_t v)
{
	assert_int_equal(vlapic_mmio(&apic, off, 4, true, &v), 0);
}

static int msr_rd(uint32_t msr, uint64_t *v)
{
	return vlapic_msr(&apic, msr, false, v);
}

static int msr_wr(uint32_t msr, uint64_t v)
{
	return vlapic_msr(&apic, msr, true, &v);
}

static uint64_t must_rd(uint32_t msr)
{
	uint64_t v = 0xdeadbeef;

	assert_int_equal(msr_rd(msr, &v), 0);
	return v;
}

static int base_wr(uint64_t v)
{
	return vlapic_base_msr(&apic, true, &v, MAXPHY);
}

static uint64_t base_rd(void)
{
	uint64_t v;

	assert_int_equal(vlapic_base_msr(&apic, false, &v, MAXPHY), 0);
	return v;
}

static void enter_x2apic(void)
{
	assert_int_equal(base_wr(VLAPIC_DEFAULT_BASE | VLAPIC_BASE_EN | VLAPIC_BASE_EXTD), 0);
	assert_true(vlapic_x2apic_mode(&apic));
}

/* read_esr - the SDM's protocol: write (latches errors since the last write), then read. */
static uint32_t read_esr(void)
{
	wr(VLAPIC_ESR, 0);
	return rd(VLAPIC_ESR);
}

/* vec_reg - whether @v is set in the 256-bit register at @base (8 slots of 16 bytes). */
static bool vec_reg(uint32_t base, unsigned v)
{
	return (rd(base + 0x10 * (v / 32)) >> (v % 32)) & 1;
}

static uint8_t must_ack(void)
{
	uint8_t v, got;

	assert_true(vlapic_pending(&apic, &v));
	got = vlapic_ack(&apic);
	assert_int_equal(got, v);
	return got;
}

static void sw_enable(uint8_t spurious)
{
	wr(VLAPIC_SVR, SVR_EN | spurious);
}

/* ---------------------------------------------------------------- */

static void test_reset_values(void **state)
{
	static const uint32_t lvts[] = {
		VLAPIC_LVT_TIMER, VLAPIC_LVT_THERMAL, VLAPIC_LVT_PERF,
		VLAPIC_LVT_LINT0, VLAPIC_LVT_LINT1, VLAPIC_LVT_ERROR,
	};
	uint64_t base;

	(void)state;
	/* SDM 11.4.4: default base, enabled, BSP flag on the BSP only. */
	assert_int_equal(base_rd(), VLAPIC_DEFAULT_BASE | VLAPIC_BASE_EN | VLAPIC_BASE_BSP);
	assert_true(vlapic_mmio_enabled(&apic, &base));
	assert_int_equal(base, VLAPIC_DEFAULT_BASE);
	assert_false(vlapic_x2apic_mode(&apic));
	/* SDM 11.4.7.1 power-up state. */
	assert_int_equal(rd(VLAPIC_ID), APIC_ID << 24);
	/* Version 0x14, max LVT entry 5 (six LVTs), no EOI-broadcast suppression. */
	assert_int_equal(rd(VLAPIC_VER), 0x14u | 5u << 16);
	assert_int_equal(rd(VLAPIC_TPR), 0);
	assert_int_equal(rd(VLAPIC_APR), 0);
	assert_int_equal(rd(VLAPIC_PPR), 0);
	assert_int_equal(rd(VLAPIC_LDR), 0);
	assert_int_equal(rd(VLAPIC_DFR), 0xffffffffu);
	assert_int_equal(rd(VLAPIC_SVR), 0xff);
	for (uint32_t i = 0; i < 8; i++) {
		assert_int_equal(rd(VLAPIC_ISR + 0x10 * i), 0);
		assert_int_equal(rd(VLAPIC_TMR + 0x10 * i), 0);
		assert_int_equal(rd(VLAPIC_IRR + 0x10 * i), 0);
	}
	assert_int_equal(rd(VLAPIC_ESR), 0);
	assert_int_equal(rd(VLAPIC_ICR_LO), 0);
	assert_int_equal(rd(VLAPIC_ICR_HI), 0);
	for (unsigned i = 0; i < sizeof(lvts) / sizeof(lvts[0]); i++)
		assert_int_equal(rd(lvts[i]), LVT_MASK);
	assert_int_equal(rd(VLAPIC_TIMER_INIT), 0);
	assert_int_equal(rd(VLAPIC_TIMER_CUR), 0);
	assert_int_equal(rd(VLAPIC_TIMER_DIV), 0);
	assert_false(vlapic_pending(&apic, NULL));
	assert_false(vlapic_nmi_pending(&apic));
	assert_int_equal(vlapic_next_deadline_ns(&apic), VLAPIC_NO_DEADLINE);
	/* Power-up: software-disabled, LINT0 masked: the 8259 does not get through. */
	assert_false(vlapic_extint_wired(&apic));
	/* An AP has no BSP flag. */
	make_apic(false, true, true);
	assert_int_equal(base_rd(), VLAPIC_DEFAULT_BASE | VLAPIC_BASE_EN);
}

static void test_virtual_wire(void **state)
{
	(void)state;
	vlapic_virtual_wire(&apic);
	assert_int_equal(rd(VLAPIC_SVR), SVR_EN | 0xff);
	assert_int_equal(rd(VLAPIC_LVT_LINT0), DM(VLAPIC_DM_EXTINT));
	assert_int_equal(rd(VLAPIC_LVT_LINT1), DM(VLAPIC_DM_NMI));
	assert_true(vlapic_extint_wired(&apic));
	wr(VLAPIC_LVT_LINT0, DM(VLAPIC_DM_EXTINT) | LVT_MASK);
	assert_false(vlapic_extint_wired(&apic));
	wr(VLAPIC_LVT_LINT0, DM(VLAPIC_DM_FIXED) | 0x40);
	assert_false(vlapic_extint_wired(&apic));
	/* Globally disabled: LINT0 is the CPU's INTR pin (SDM 11.4.3). */
	assert_int_equal(base_wr(VLAPIC_DEFAULT_BASE), 0);
	assert_true(vlapic_extint_wired(&apic));
}

static void test_register_bits_xapic(void **state)
{
	const uint32_t lint_rw = 0xff | DM(7) | VLAPIC_LVT_ACTIVE_LOW | VLAPIC_LVT_LEVEL | LVT_MASK;

	(void)state;
	sw_enable(0xff);
	/* ID is writable in bits 24-31 (11.4.6), reserved bits ignored. */
	wr(VLAPIC_ID, 0xffffffff);
	assert_int_equal(rd(VLAPIC_ID), 0xff000000u);
	wr(VLAPIC_ID, APIC_ID << 24);
	/* Read-only registers keep their value. */
	wr(VLAPIC_VER, 0);
	assert_int_equal(rd(VLAPIC_VER), 0x14u | 5u << 16);
	wr(VLAPIC_PPR, 0xff);
	assert_int_equal(rd(VLAPIC_PPR), 0);
	wr(VLAPIC_ISR, 0xffffffff);
	wr(VLAPIC_IRR + 0x70, 0xffffffff);
	wr(VLAPIC_TMR + 0x30, 0xffffffff);
	assert_int_equal(rd(VLAPIC_ISR), 0);
	assert_int_equal(rd(VLAPIC_IRR + 0x70), 0);
	assert_int_equal(rd(VLAPIC_TMR + 0x30), 0);
	wr(VLAPIC_TIMER_CUR, 1234);
	assert_int_equal(rd(VLAPIC_TIMER_CUR), 0);
	/* TPR 8 bits. */
	wr(VLAPIC_TPR, 0xffffffff);
	assert_int_equal(rd(VLAPIC_TPR), 0xff);
	wr(VLAPIC_TPR, 0);
	/* LDR bits 24-31; DFR model bits 28-31, the rest reads as ones. */
	wr(VLAPIC_LDR, 0xffffffff);
	assert_int_equal(rd(VLAPIC_LDR), 0xff000000u);
	wr(VLAPIC_DFR, 0);
	assert_int_equal(rd(VLAPIC_DFR), 0x0fffffffu);
	wr(VLAPIC_DFR, 0xffffffff);
	assert_int_equal(rd(VLAPIC_DFR), 0xffffffffu);
	/* SVR: vector, enable, focus checking; EOI-broadcast suppression (bit 12) is not offered. */
	wr(VLAPIC_SVR, 0xffffffff);
	assert_int_equal(rd(VLAPIC_SVR), 0xffu | SVR_EN | VLAPIC_SVR_FOCUS_OFF);
	/* LVTs: only their defined bits; delivery status and remote IRR read 0. */
	wr(VLAPIC_LVT_TIMER, 0xffffffff);
	assert_int_equal(rd(VLAPIC_LVT_TIMER), 0xffu | LVT_MASK | MODE_PERIODIC | MODE_TSCDL);
	wr(VLAPIC_LVT_TIMER, LVT_MASK);
	wr(VLAPIC_LVT_THERMAL, 0xffffffff);
	assert_int_equal(rd(VLAPIC_LVT_THERMAL), 0xffu | DM(7) | LVT_MASK);
	wr(VLAPIC_LVT_PERF, 0xffffffff);
	assert_int_equal(rd(VLAPIC_LVT_PERF), 0xffu | DM(7) | LVT_MASK);
	wr(VLAPIC_LVT_LINT0, 0xffffffff);
	assert_int_equal(rd(VLAPIC_LVT_LINT0), lint_rw);
	wr(VLAPIC_LVT_LINT1, 0xffffffff);
	assert_int_equal(rd(VLAPIC_LVT_LINT1), lint_rw);
	wr(VLAPIC_LVT_ERROR, 0xffffffff);
	assert_int_equal(rd(VLAPIC_LVT_ERROR), 0xffu | LVT_MASK);
	wr(VLAPIC_LVT_ERROR, 0);
	assert_int_equal(rd(VLAPIC_LVT_ERROR), 0);
	/* Divide configuration: bits 0, 1, 3. */
	wr(VLAPIC_TIMER_DIV, 0xffffffff);
	assert_int_equal(rd(VLAPIC_TIMER_DIV), 0xb);
	/* ICR high: destination in bits 24-31. */
	wr(VLAPIC_ICR_HI, 0xffffffff);
	assert_int_equal(rd(VLAPIC_ICR_HI), 0xff000000u);
	/* EOI reads 0 in xAPIC mode. */
	assert_int_equal(rd(VLAPIC_EOI), 0);
	assert_int_equal(apic.bad_accesses, 0);
	/* Without TSC-deadline support the timer mode is one bit wide. */
	make_apic(true, true, false);
	sw_enable(0xff);
	wr(VLAPIC_LVT_TIMER, 0xffffffff);
	assert_int_equal(rd(VLAPIC_LVT_TIMER), 0xffu | LVT_MASK | MODE_PERIODIC);
}

static void test_bad_accesses(void **state)
{
	uint32_t v = 0x1234;

	(void)state;
	sw_enable(0xff);
	/* Reserved offsets: read 0, ESR bit 7 (xAPIC), counted. CMCI is not offered. */
	assert_int_equal(rd(0x2f0), 0);
	assert_int_equal(rd(0x3f0), 0);		/* SELF_IPI is x2APIC-only */
	wr(0x3a0, 0x55);
	assert_int_equal(rd(0x3a0), 0);
	assert_int_equal(apic.bad_accesses, 4);
	assert_int_equal(read_esr(), VLAPIC_ESR_ILLEGAL_REG);
	assert_int_equal(read_esr(), 0);
	/* Not a 32-bit access at a register: reads 0, writes ignored. */
	assert_int_equal(vlapic_mmio(&apic, VLAPIC_TPR, 1, true, &v), 0);
	assert_int_equal(vlapic_mmio(&apic, VLAPIC_TPR, 2, false, &v), 0);
	assert_int_equal(v, 0);
	v = 0x77;
	assert_int_equal(vlapic_mmio(&apic, VLAPIC_TPR + 4, 4, true, &v), 0);
	assert_int_equal(vlapic_mmio(&apic, VLAPIC_TPR + 2, 4, false, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(vlapic_mmio(&apic, VLAPIC_TPR, 8, false, &v), 0);
	assert_int_equal(rd(VLAPIC_TPR), 0);
	assert_int_equal(apic.bad_accesses, 4 + 5);
	/* Outside the page. */
	assert_int_equal(vlapic_mmio(&apic, 4096, 4, false, &v), -SV_EINVAL);
}

static void test_sw_disable(void **state)
{
	(void)state;
	/* Software-disabled (reset): LVT masks cannot be cleared (11.4.7.2). */
	wr(VLAPIC_LVT_LINT0, DM(VLAPIC_DM_EXTINT));
	assert_int_equal(rd(VLAPIC_LVT_LINT0), DM(VLAPIC_DM_EXTINT) | LVT_MASK);
	/* Fixed interrupts are refused while disabled. */
	assert_int_equal(vlapic_set_irq(&apic, 0x40, false), -SV_ENOENT);
	assert_int_equal(apic.dropped, 1);
	assert_false(vec_reg(VLAPIC_IRR, 0x40));
	/* NMI still works. */
	assert_int_equal(vlapic_accept(&apic, VLAPIC_DM_NMI, 0, false), 0);
	assert_true(vlapic_nmi_pending(&apic));
	vlapic_nmi_ack(&apic);
	assert_false(vlapic_nmi_pending(&apic));
	/* Enable, unmask, accept; disable again: every LVT masked, IRR held. */
	sw_enable(0xef);
	wr(VLAPIC_LVT_LINT0, DM(VLAPIC_DM_EXTINT));
	wr(VLAPIC_LVT_ERROR, 0xfe);
	assert_int_equal(rd(VLAPIC_LVT_LINT0), DM(VLAPIC_DM_EXTINT));
	assert_int_equal(vlapic_set_irq(&apic, 0x40, false), 0);
	wr(VLAPIC_SVR, 0xef);
	assert_int_equal(rd(VLAPIC_LVT_LINT0), DM(VLAPIC_DM_EXTINT) | LVT_MASK);
	assert_int_equal(rd(VLAPIC_LVT_ERROR), 0xfeu | LVT_MASK);
	assert_int_equal(rd(VLAPIC_LVT_TIMER), LVT_MASK);
	assert_true(vec_reg(VLAPIC_IRR, 0x40));
	assert_int_equal(must_ack(), 0x40);
	/* Re-enabling does not unmask. */
	sw_enable(0xef);
	assert_int_equal(rd(VLAPIC_LVT_LINT0), DM(VLAPIC_DM_EXTINT) | LVT_MASK);
	/* An INTA that finds nothing returns the spurious vector and sets no ISR bit. */
	assert_false(vlapic_pending(&apic, NULL));
	assert_int_equal(vlapic_ack(&apic), 0xef);
	assert_int_equal(apic.spurious, 1);
	assert_true(vec_reg(VLAPIC_ISR, 0x40));
	assert_false(vec_reg(VLAPIC_ISR, 0xef));
	sw_enable(0x3f);
	assert_int_equal(vlapic_ack(&apic), 0x3f);
}

static void test_tpr_ppr(void **state)
{
	uint8_t v;

	(void)state;
	sw_enable(0xff);
	assert_int_equal(vlapic_set_irq(&apic, 0x45, false), 0);
	assert_true(vec_reg(VLAPIC_IRR, 0x45));
	/* TPR class 4 blocks class 4 (11.8.3.1: deliver only above the PPR's class). */
	wr(VLAPIC_TPR, 0x40);
	assert_int_equal(rd(VLAPIC_PPR), 0x40);
	assert_false(vlapic_pending(&apic, &v));
	wr(VLAPIC_TPR, 0x4f);
	assert_false(vlapic_pending(&apic, &v));
	wr(VLAPIC_TPR, 0x3f);
	assert_true(vlapic_pending(&apic, &v));
	assert_int_equal(v, 0x45);
	/* The CR8 interface is the same register. */
	vlapic_set_tpr(&apic, 0x50);
	assert_int_equal(rd(VLAPIC_TPR), 0x50);
	assert_false(vlapic_pending(&apic, NULL));
	vlapic_set_tpr(&apic, 0);
	assert_int_equal(vlapic_get_tpr(&apic), 0);
	/* In service: PPR = ISR class when above TPR, TPR otherwise. */
	assert_int_equal(must_ack(), 0x45);
	assert_int_equal(rd(VLAPIC_PPR), 0x40);
	wr(VLAPIC_TPR, 0x38);
	assert_int_equal(rd(VLAPIC_PPR), 0x40);
	wr(VLAPIC_TPR, 0x4a);
	assert_int_equal(rd(VLAPIC_PPR), 0x4a);
	wr(VLAPIC_TPR, 0x62);
	assert_int_equal(rd(VLAPIC_PPR), 0x62);
	wr(VLAPIC_EOI, 0);
	assert_int_equal(rd(VLAPIC_PPR), 0x62);
	wr(VLAPIC_TPR, 0);
	assert_int_equal(rd(VLAPIC_PPR), 0);
}

static void test_nested_priorities(void **state)
{
	(void)state;
	sw_enable(0xff);
	assert_int_equal(vlapic_set_irq(&apic, 0x30, false), 0);
	assert_int_equal(must_ack(), 0x30);
	assert_true(vec_reg(VLAPIC_ISR, 0x30));
	assert_false(vec_reg(VLAPIC_IRR, 0x30));
	assert_int_equal(rd(VLAPIC_PPR), 0x30);
	/* Same class as in service: waits. Higher class: nests. */
	assert_int_equal(vlapic_set_irq(&apic, 0x35, false), 0);
	assert_false(vlapic_pending(&apic, NULL));
	assert_int_equal(vlapic_set_irq(&apic, 0x51, false), 0);
	assert_int_equal(vlapic_set_irq(&apic, 0x2f, false), 0);
	assert_int_equal(must_ack(), 0x51);
	assert_int_equal(rd(VLAPIC_PPR), 0x50);
	assert_false(vlapic_pending(&apic, NULL));
	/* EOI retires the highest in service first. */
	wr(VLAPIC_EOI, 0);
	assert_false(vec_reg(VLAPIC_ISR, 0x51));
	assert_true(vec_reg(VLAPIC_ISR, 0x30));
	assert_int_equal(rd(VLAPIC_PPR), 0x30);
	assert_false(vlapic_pending(&apic, NULL));
	wr(VLAPIC_EOI, 0);
	assert_int_equal(rd(VLAPIC_PPR), 0);
	assert_int_equal(must_ack(), 0x35);
	/* 0x2f (class 2) waits behind 0x35 (class 3) in service. */
	assert_false(vlapic_pending(&apic, NULL));
	wr(VLAPIC_EOI, 0);
	assert_int_equal(must_ack(), 0x2f);
	wr(VLAPIC_EOI, 0);
	/* An EOI with nothing in service changes nothing. */
	wr(VLAPIC_EOI, 0);
	for (uint32_t i = 0; i < 8; i++) {
		assert_int_equal(rd(VLAPIC_ISR + 0x10 * i), 0);
		assert_int_equal(rd(VLAPIC_IRR + 0x10 * i), 0);
	}
	assert_int_equal(neois, 0);
	/* An edge that finds its IRR bit set is merged and counted. */
	assert_int_equal(vlapic_set_irq(&apic, 0x80, false), 0);
	assert_int_equal(vlapic_set_irq(&apic, 0x80, false), 0);
	assert_int_equal(apic.coalesced, 1);
}

static void test_tmr_eoi_callback(void **state)
{
	(void)state;
	sw_enable(0xff);
	assert_int_equal(vlapic_set_irq(&apic, 0x61, true), 0);
	assert_int_equal(vlapic_set_irq(&apic, 0x62, false), 0);
	assert_true(vec_reg(VLAPIC_TMR, 0x61));
	assert_false(vec_reg(VLAPIC_TMR, 0x62));
	assert_int_equal(must_ack(), 0x62);
	/* 0x61 is the same class as 0x62 in service. */
	assert_false(vlapic_pending(&apic, NULL));
	wr(VLAPIC_EOI, 0);
	assert_int_equal(neois, 0);	/* edge: no EOI message */
	assert_int_equal(must_ack(), 0x61);
	wr(VLAPIC_EOI, 0);
	assert_int_equal(neois, 1);
	assert_int_equal(eois[0], 0x61);
	/* Accepting the vector as edge clears its TMR bit (11.8.4). */
	assert_int_equal(vlapic_set_irq(&apic, 0x61, false), 0);
	assert_false(vec_reg(VLAPIC_TMR, 0x61));
	assert_int_equal(must_ack(), 0x61);
	wr(VLAPIC_EOI, 0);
	assert_int_equal(neois, 1);
}

/* timer_setup - software-enabled, timer vector 0xec in @mode, divide @div, count @n at T0. */
static void timer_setup(uint32_t mode, uint32_t div, uint32_t n)
{
	sw_enable(0xff);
	wr(VLAPIC_LVT_TIMER, mode | 0xec);
	wr(VLAPIC_TIMER_DIV, div);
	wr(VLAPIC_TIMER_INIT, n);
}

/* take_timer - ack and EOI the timer vector; false when none was pending. */
static bool take_timer(void)
{
	uint8_t v;

	if (!vlapic_pending(&apic, &v))
		return false;
	assert_int_equal(v, 0xec);
	assert_int_equal(vlapic_ack(&apic), 0xec);
	wr(VLAPIC_EOI, 0);
	return true;
}

static void test_timer_oneshot_divide(void **state)
{
	/* SDM figure 11-10: divide value bits 3, 1, 0. */
	static const struct { uint32_t reg, div; } divs[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
	};
	const uint32_t n = 1000;

	(void)state;
	for (unsigned i = 0; i < sizeof(divs) / sizeof(divs[0]); i++) {
		uint64_t due = T0 + (uint64_t)n * divs[i].div * TK;

		make_apic(true, true, true);
		timer_setup(VLAPIC_TIMER_ONESHOT, divs[i].reg, n);
		assert_int_equal(rd(VLAPIC_TIMER_INIT), n);
		assert_int_equal(rd(VLAPIC_TIMER_CUR), n);
		assert_int_equal(vlapic_next_deadline_ns(&apic), due);
		/* The count falls by one every divisor ticks of TK ns. */
		now = T0 + 10ull * divs[i].div * TK + divs[i].div * TK - 1;
		assert_int_equal(rd(VLAPIC_TIMER_CUR), n - 10);
		assert_int_equal(vlapic_update(&apic, due - 1), 0);
		now = due - 1;
		assert_int_equal(rd(VLAPIC_TIMER_CUR), 1);
		assert_false(vlapic_pending(&apic, NULL));
		assert_int_equal(vlapic_update(&apic, due), 1);
		assert_true(take_timer());
		now = due;
		assert_int_equal(rd(VLAPIC_TIMER_CUR), 0);
		/* One-shot: no second interrupt, no deadline. */
		assert_int_equal(vlapic_update(&apic, due + 100 * n * divs[i].div), 0);
		assert_int_equal(vlapic_next_deadline_ns(&apic), VLAPIC_NO_DEADLINE);
		assert_int_equal(apic.timer_irqs, 1);
		/* Writing the initial count again re-arms from now. */
		now = due + 100ull * n * divs[i].div + 5000;
		wr(VLAPIC_TIMER_INIT, n);
		assert_int_equal(vlapic_next_deadline_ns(&apic), now + (uint64_t)n * divs[i].div * TK);
		/* 0 stops it. */
		wr(VLAPIC_TIMER_INIT, 0);
		assert_int_equal(vlapic_next_deadline_ns(&apic), VLAPIC_NO_DEADLINE);
		assert_int_equal(rd(VLAPIC_TIMER_CUR), 0);
	}
}

static void test_timer_periodic(void **state)
{
	const uint32_t n = 3125, div = 8;	/* 1 ms period */
	const uint64_t period = (uint64_t)n * div * TK;
	int irqs = 0;

	(void)state;
	timer_setup(VLAPIC_TIMER_PERIODIC, 0x2, n);
	for (int us = 1; us <= 100000; us += 7) {
		now = T0 + (uint64_t)us * 1000;
		vlapic_update(&apic, now);
		irqs += take_timer();
		/* The count is a function of time: n - (elapsed / (div * TK)) mod n. */
		assert_int_equal(rd(VLAPIC_TIMER_CUR),
				 n - ((now - T0) / (div * TK)) % n);
	}
	/* 99.995 ms elapsed: 99 periods. */
	assert_int_equal(irqs, (int)((now - T0) / period));
	assert_int_equal(apic.timer_coalesced, 0);
	/* A vCPU that does not run for 10.5 periods: one interrupt, the rest counted. */
	uint64_t before = apic.timer_irqs, last = T0 + (uint64_t)irqs * period;

	now = last + 10 * period + period / 2;
	assert_int_equal(vlapic_update(&apic, now), 1);
	assert_int_equal(apic.timer_irqs, before + 1);
	assert_int_equal(apic.timer_coalesced, 9);
	assert_true(take_timer());
	/* The next deadline is the next period boundary. */
	assert_int_equal(vlapic_next_deadline_ns(&apic), last + 11 * period);
	assert_int_equal(vlapic_update(&apic, last + 11 * period - 1), 0);
	assert_int_equal(vlapic_update(&apic, last + 11 * period), 1);
	assert_true(take_timer());
	/* Masked: counting goes on, nothing is delivered, no deadline to wake for. */
	now = last + 11 * period + 10;
	wr(VLAPIC_LVT_TIMER, VLAPIC_TIMER_PERIODIC | LVT_MASK | 0xec);
	assert_int_equal(vlapic_next_deadline_ns(&apic), VLAPIC_NO_DEADLINE);
	assert_int_equal(vlapic_update(&apic, last + 20 * period), 0);
	assert_false(vlapic_pending(&apic, NULL));
	/* Unmasking does not deliver the periods that passed while masked. */
	now = last + 20 * period + 5;
	wr(VLAPIC_LVT_TIMER, VLAPIC_TIMER_PERIODIC | 0xec);
	assert_false(vlapic_pending(&apic, NULL));
	assert_int_equal(vlapic_next_deadline_ns(&apic), last + 21 * period);
	assert_int_equal(vlapic_update(&apic, last + 21 * period), 1);
}

static void test_timer_reprogram(void **state)
{
	const uint32_t n = 1000;

	(void)state;
	/* Divide change mid-count: the count goes on from where it is, at the new rate. */
	timer_setup(VLAPIC_TIMER_ONESHOT, 0x0, n);	/* divide by 2 */
	now = T0 + 2 * 400 * TK;
	assert_int_equal(rd(VLAPIC_TIMER_CUR), n - 400);
	wr(VLAPIC_TIMER_DIV, 0x2);			/* divide by 8 */
	assert_int_equal(rd(VLAPIC_TIMER_CUR), n - 400);
	assert_int_equal(vlapic_next_deadline_ns(&apic), now + 8ull * TK * (n - 400));
	now += 8 * 100 * TK;
	assert_int_equal(rd(VLAPIC_TIMER_CUR), n - 500);
	/* One-shot -> periodic mid-count: it reloads at 0. */
	wr(VLAPIC_LVT_TIMER, VLAPIC_TIMER_PERIODIC | 0xec);
	uint64_t due = now + 8ull * TK * (n - 500);

	assert_int_equal(vlapic_update(&apic, due), 1);
	now = due;
	assert_int_equal(rd(VLAPIC_TIMER_CUR), n);
	assert_int_equal(vlapic_next_deadline_ns(&apic), due + 8ull * TK * n);
	/* Periodic -> one-shot: the current period is the last. */
	now = due + 8 * 10 * TK;
	wr(VLAPIC_LVT_TIMER, VLAPIC_TIMER_ONESHOT | 0xec);
	assert_int_equal(vlapic_update(&apic, due + 8ull * TK * n), 1);
	assert_int_equal(vlapic_update(&apic, due + 8ull * TK * n * 5), 0);
	/* INIT resets the timer. */
	wr(VLAPIC_TIMER_INIT, n);
	vlapic_init_signal(&apic);
	assert_int_equal(vlapic_next_deadline_ns(&apic), VLAPIC_NO_DEADLINE);
	assert_int_equal(rd(VLAPIC_TIMER_INIT), 0);
}

/* tsc_now - the fake guest TSC at the fake clock's now. */
static uint64_t tsc_now(void)
{
	return fake_tsc(NULL);
}

static void test_tsc_deadline(void **state)
{
	uint64_t v, dl, due;

	(void)state;
	sw_enable(0xff);
	/* Outside TSC-deadline mode the MSR reads 0 and ignores writes. */
	v = tsc_now() + 1000;
	assert_int_equal(vlapic_tsc_deadline_msr(&apic, true, &v), 0);
	assert_int_equal(vlapic_tsc_deadline_msr(&apic, false, &v), 0);
	assert_int_equal(v, 0);
	wr(VLAPIC_LVT_TIMER, MODE_TSCDL | 0xec);
	/* The initial count is ignored; the current count reads 0 (11.5.4.1). */
	wr(VLAPIC_TIMER_INIT, 5000);
	assert_int_equal(rd(VLAPIC_TIMER_INIT), 0);
	assert_int_equal(rd(VLAPIC_TIMER_CUR), 0);
	assert_int_equal(vlapic_next_deadline_ns(&apic), VLAPIC_NO_DEADLINE);
	/* Arm 2.5 M TSC cycles ahead = 1 ms at 2.5 GHz. */
	now = T0 + 3 * MS;
	dl = tsc_now() + TSC_HZ / 1000;
	assert_int_equal(vlapic_tsc_deadline_msr(&apic, true, &dl), 0);
	assert_int_equal(vlapic_tsc_deadline_msr(&apic, false, &v), 0);
	assert_int_equal(v, dl);
	due = now + MS;
	assert_int_equal(vlapic_next_deadline_ns(&apic), due);
	assert_int_equal(vlapic_update(&apic, due - 1), 0);
	assert_int_equal(vlapic_update(&apic, due), 1);
	assert_true(take_timer());
	/* Fired: the MSR reads 0, nothing more. */
	now = due;
	assert_int_equal(vlapic_tsc_deadline_msr(&apic, false, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(vlapic_update(&apic, due + 10 * MS), 0);
	/* Disarm by writing 0. */
	now = T0 + 20 * MS;
	dl = tsc_now() + TSC_HZ;
	assert_int_equal(vlapic_tsc_deadline_msr(&apic, true, &dl), 0);
	v = 0;
	assert_int_equal(vlapic_tsc_deadline_msr(&apic, true, &v), 0);
	assert_int_equal(vlapic_next_deadline_ns(&apic), VLAPIC_NO_DEADLINE);
	assert_int_equal(vlapic_update(&apic, now + 2000 * MS), 0);
	/* A deadline already past fires at once. */
	now = T0 + 3000 * MS;
	dl = tsc_now() - 1;
	assert_int_equal(vlapic_tsc_deadline_msr(&apic, true, &dl), 0);
	assert_true(take_timer());
	/* Leaving TSC-deadline mode disarms. */
	dl = tsc_now() + 100;
	assert_int_equal(vlapic_tsc_deadline_msr(&apic, true, &dl), 0);
	wr(VLAPIC_LVT_TIMER, VLAPIC_TIMER_ONESHOT | 0xec);
	wr(VLAPIC_LVT_TIMER, MODE_TSCDL | 0xec);
	assert_int_equal(vlapic_tsc_deadline_msr(&apic, false, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(vlapic_update(&apic, now + 10 * MS), 0);
	/* Without the CPUID feature the MSR is a #GP and the mode cannot be selected. */
	make_apic(true, true, false);
	assert_int_equal(vlapic_tsc_deadline_msr(&apic, false, &v), -SV_EINVAL);
	assert_int_equal(vlapic_tsc_deadline_msr(&apic, true, &v), -SV_EINVAL);
	sw_enable(0xff);
	enter_x2apic();
	assert_int_equal(msr_wr(0x832, MODE_TSCDL | 0xec), -SV_EINVAL);
	assert_int_equal(msr_wr(0x832, MODE_PERIODIC | 0xec), 0);
}

static void test_self_ipi_icr(void **state)
{
	(void)state;
	sw_enable(0xff);
	/* Shorthand self, fixed: our own IRR, nobody else told. */
	wr(VLAPIC_ICR_LO, SH(VLAPIC_SH_SELF) | 0x41);
	assert_true(vec_reg(VLAPIC_IRR, 0x41));
	assert_int_equal(nipis, 0);
	/* Delivery status (bit 12) reads idle after a send. */
	assert_int_equal(rd(VLAPIC_ICR_LO), SH(VLAPIC_SH_SELF) | 0x41);
	/* Physical destination = our ID: also local only. */
	wr(VLAPIC_ICR_HI, APIC_ID << 24);
	wr(VLAPIC_ICR_LO, 0x42);
	assert_true(vec_reg(VLAPIC_IRR, 0x42));
	assert_int_equal(nipis, 0);
	/* NMI to ourselves. */
	wr(VLAPIC_ICR_LO, DM(VLAPIC_DM_NMI));
	assert_true(vlapic_nmi_pending(&apic));
	assert_int_equal(nipis, 0);
	assert_int_equal(must_ack(), 0x42);
	wr(VLAPIC_EOI, 0);
	assert_int_equal(must_ack(), 0x41);
	assert_int_equal(apic.ipis, 3);
}

static void test_x2apic_self_ipi(void **state)
{
	uint64_t v;

	(void)state;
	sw_enable(0xff);
	enter_x2apic();
	assert_int_equal(msr_wr(0x83f, 0x77), 0);
	assert_int_equal(must_ack(), 0x77);
	assert_int_equal(must_rd(0x818 + 0x77 / 32) >> (0x77 % 32) & 1, 0);	/* edge */
	assert_int_equal(must_rd(0x810 + 0x77 / 32) >> (0x77 % 32) & 1, 1);	/* in service */
	assert_int_equal(msr_wr(0x80b, 0), 0);	/* EOI */
	assert_int_equal(must_rd(0x810 + 0x77 / 32), 0);
	assert_int_equal(nipis, 0);
	/* SELF_IPI is write-only; bits 8-31 are reserved. */
	assert_int_equal(msr_rd(0x83f, &v), -SV_EINVAL);
	assert_int_equal(msr_wr(0x83f, 0x177), -SV_EINVAL);
	/* ICR as one 64-bit MSR: our own x2APIC ID in bits 63-32. */
	assert_int_equal(msr_wr(0x830, (uint64_t)APIC_ID << 32 | 0x78), 0);
	assert_int_equal(must_ack(), 0x78);
	assert_int_equal(must_rd(0x830), (uint64_t)APIC_ID << 32 | 0x78);
	assert_int_equal(nipis, 0);
}

static void test_icr_shorthands(void **state)
{
	(void)state;
	sw_enable(0xff);
	/* All including self: our share now, the rest for the core. */
	wr(VLAPIC_ICR_LO, SH(VLAPIC_SH_ALL) | 0x50);
	assert_true(vec_reg(VLAPIC_IRR, 0x50));
	assert_int_equal(nipis, 1);
	assert_int_equal(ipis[0].shorthand, VLAPIC_SH_ALL);
	assert_int_equal(ipis[0].vector, 0x50);
	assert_int_equal(ipis[0].mode, VLAPIC_DM_FIXED);
	assert_int_equal(ipis[0].src_id, APIC_ID);
	assert_true(ipis[0].to_self && ipis[0].self_done);
	/* All excluding self. */
	wr(VLAPIC_ICR_LO, SH(VLAPIC_SH_OTHERS) | 0x51);
	assert_false(vec_reg(VLAPIC_IRR, 0x51));
	assert_int_equal(nipis, 2);
	assert_int_equal(ipis[1].shorthand, VLAPIC_SH_OTHERS);
	assert_false(ipis[1].to_self);
	/* A physical destination that is not us. */
	wr(VLAPIC_ICR_HI, 7u << 24);
	wr(VLAPIC_ICR_LO, ICR_ASSERT | 0x52);
	assert_false(vec_reg(VLAPIC_IRR, 0x52));
	assert_int_equal(nipis, 3);
	assert_int_equal(ipis[2].dest, 7);
	assert_false(ipis[2].logical);
	assert_false(ipis[2].to_self);
	assert_true(ipis[2].assert);
	/* Logical flat: LDR bit 2 is ours; destination bits 2 and 4. */
	wr(VLAPIC_LDR, 0x04u << 24);
	wr(VLAPIC_ICR_HI, 0x14u << 24);
	wr(VLAPIC_ICR_LO, ICR_LOGICAL | 0x53);
	assert_true(vec_reg(VLAPIC_IRR, 0x53));
	assert_int_equal(nipis, 4);
	assert_true(ipis[3].logical && ipis[3].to_self && ipis[3].self_done);
	/* INIT and SIPI are the core's, even to ourselves. */
	wr(VLAPIC_ICR_HI, APIC_ID << 24);
	wr(VLAPIC_ICR_LO, DM(VLAPIC_DM_INIT) | ICR_ASSERT | ICR_LEVEL);
	assert_int_equal(nipis, 5);
	assert_int_equal(ipis[4].mode, VLAPIC_DM_INIT);
	assert_true(ipis[4].to_self && !ipis[4].self_done);
	assert_true(ipis[4].level && ipis[4].assert);
	wr(VLAPIC_ICR_LO, SH(VLAPIC_SH_OTHERS) | DM(VLAPIC_DM_STARTUP) | 0x9a);
	assert_int_equal(nipis, 6);
	assert_int_equal(ipis[5].mode, VLAPIC_DM_STARTUP);
	assert_int_equal(ipis[5].vector, 0x9a);
	/* Lowest priority: the core arbitrates. */
	wr(VLAPIC_ICR_HI, 0xffu << 24);
	wr(VLAPIC_ICR_LO, DM(VLAPIC_DM_LOWEST) | 0x54);
	assert_int_equal(nipis, 7);
	assert_true(ipis[6].to_self && !ipis[6].self_done);
	assert_false(vec_reg(VLAPIC_IRR, 0x54));
	/* Broadcast NMI: ours is taken, the others go to the core. */
	wr(VLAPIC_ICR_LO, DM(VLAPIC_DM_NMI));
	assert_true(vlapic_nmi_pending(&apic));
	assert_int_equal(nipis, 8);
	assert_true(ipis[7].self_done);
	/* Reserved delivery modes send nothing. */
	wr(VLAPIC_ICR_LO, DM(3) | 0x55);
	wr(VLAPIC_ICR_LO, DM(VLAPIC_DM_EXTINT) | 0x55);
	assert_int_equal(nipis, 8);
	assert_false(vec_reg(VLAPIC_IRR, 0x55));
	/* x2APIC: a 32-bit destination. */
	enter_x2apic();
	assert_int_equal(msr_wr(0x830, 0x12345ull << 32 | 0x56), 0);
	assert_int_equal(nipis, 9);
	assert_int_equal(ipis[8].dest, 0x12345);
	assert_true(ipis[8].x2apic);
	assert_false(ipis[8].to_self);
}

static void test_match_dest(void **state)
{
	(void)state;
	sw_enable(0xff);
	/* Physical and broadcast. */
	assert_true(vlapic_match_dest(&apic, APIC_ID, false, false));
	assert_false(vlapic_match_dest(&apic, APIC_ID + 1, false, false));
	assert_true(vlapic_match_dest(&apic, 0xff, false, false));
	assert_true(vlapic_match_dest(&apic, 0xff, true, false));
	/* Flat: LDR 0x20 matches any mask with bit 5. */
	wr(VLAPIC_LDR, 0x20u << 24);
	assert_true(vlapic_match_dest(&apic, 0x21, true, false));
	assert_false(vlapic_match_dest(&apic, 0x1f, true, false));
	/* Cluster: cluster 3, member bit 1 (LDR 0x32). */
	wr(VLAPIC_DFR, 0x0fffffff);
	wr(VLAPIC_LDR, 0x32u << 24);
	assert_true(vlapic_match_dest(&apic, 0x36, true, false));
	assert_false(vlapic_match_dest(&apic, 0x34, true, false));
	assert_false(vlapic_match_dest(&apic, 0x22, true, false));
	/* x2APIC: cluster = ID >> 4 in bits 31-16, member 1 << (ID & 15). */
	make_apic(true, true, true);
	cfg.apic_id = 0x25;
	vlapic_init(&apic, &cfg);
	sw_enable(0xff);
	enter_x2apic();
	assert_int_equal(must_rd(0x80d), 2u << 16 | 1u << 5);
	assert_true(vlapic_match_dest(&apic, 2u << 16 | 1u << 5 | 1u, true, true));
	assert_false(vlapic_match_dest(&apic, 1u << 16 | 1u << 5, true, true));
	assert_false(vlapic_match_dest(&apic, 2u << 16 | 1u << 4, true, true));
	assert_true(vlapic_match_dest(&apic, 0x25, false, true));
	assert_true(vlapic_match_dest(&apic, 0xffffffff, false, true));
	assert_false(vlapic_match_dest(&apic, 0xff, false, true));
	/* An 8-bit broadcast from the I/O APIC still reaches an x2APIC. */
	assert_true(vlapic_match_dest(&apic, 0xff, false, false));
	/* A disabled APIC is nobody's destination. */
	assert_int_equal(base_wr(VLAPIC_DEFAULT_BASE), 0);
	assert_false(vlapic_match_dest(&apic, 0x25, false, false));
}

static void test_esr_illegal_vector(void **state)
{
	(void)state;
	sw_enable(0xff);
	/* Receive: vectors 0-15 are refused and logged, seen only after an ESR write. */
	assert_int_equal(vlapic_set_irq(&apic, 5, false), -SV_ENOENT);
	assert_false(vec_reg(VLAPIC_IRR, 5));
	assert_int_equal(rd(VLAPIC_ESR), 0);
	assert_int_equal(read_esr(), VLAPIC_ESR_RECV_ILLEGAL);
	assert_int_equal(read_esr(), 0);
	/* Send: the sender logs it; the message still leaves. */
	wr(VLAPIC_ICR_LO, SH(VLAPIC_SH_OTHERS) | 0x03);
	assert_int_equal(nipis, 1);
	assert_int_equal(read_esr(), VLAPIC_ESR_SEND_ILLEGAL);
	/* To ourselves: sent and received illegal. */
	wr(VLAPIC_ICR_LO, SH(VLAPIC_SH_SELF) | 0x0f);
	assert_int_equal(read_esr(), VLAPIC_ESR_SEND_ILLEGAL | VLAPIC_ESR_RECV_ILLEGAL);
	/* A timer LVT with an illegal vector: the expiry is refused, logged. */
	wr(VLAPIC_LVT_TIMER, 0x08);
	wr(VLAPIC_TIMER_INIT, 10);
	assert_int_equal(vlapic_update(&apic, T0 + 2 * 10 * TK), 1);
	assert_false(vlapic_pending(&apic, NULL));
	assert_int_equal(read_esr(), VLAPIC_ESR_RECV_ILLEGAL);
	/* The error LVT fires once per ESR write (11.5.3: the write re-arms). */
	wr(VLAPIC_LVT_ERROR, 0xfe);
	vlapic_set_irq(&apic, 1, false);
	assert_int_equal(must_ack(), 0xfe);
	wr(VLAPIC_EOI, 0);
	vlapic_set_irq(&apic, 2, false);
	assert_false(vlapic_pending(&apic, NULL));
	assert_int_equal(read_esr(), VLAPIC_ESR_RECV_ILLEGAL);
	vlapic_set_irq(&apic, 3, false);
	assert_int_equal(must_ack(), 0xfe);
	wr(VLAPIC_EOI, 0);
	/* An error LVT with an illegal vector logs once more and stops. */
	read_esr();
	wr(VLAPIC_LVT_ERROR, 0x04);
	vlapic_set_irq(&apic, 1, false);
	assert_false(vlapic_pending(&apic, NULL));
	assert_int_equal(read_esr(), VLAPIC_ESR_RECV_ILLEGAL);
	/* x2APIC: ESR writes must be 0, and there is no illegal-register bit (a #GP instead). */
	enter_x2apic();
	assert_int_equal(msr_wr(0x828, 1), -SV_EINVAL);
	assert_int_equal(msr_wr(0x828, 0), 0);
	assert_int_equal(must_rd(0x828), 0);
}

static void test_apic_base_transitions(void **state)
{
	const uint64_t en = VLAPIC_BASE_EN, extd = VLAPIC_BASE_EXTD, b = VLAPIC_DEFAULT_BASE;
	uint32_t v;

	(void)state;
	/* Reserved bits: 0-7, 9, at or above MAXPHYADDR. */
	assert_int_equal(base_wr(b | en | 1), -SV_EINVAL);
	assert_int_equal(base_wr(b | en | 0x80), -SV_EINVAL);
	assert_int_equal(base_wr(b | en | 1u << 9), -SV_EINVAL);
	assert_int_equal(base_wr(b | en | 1ull << MAXPHY), -SV_EINVAL);
	assert_int_equal(base_wr(((1ull << MAXPHY) - 0x1000) | en), 0);
	assert_int_equal(base_wr(b | en), 0);
	/* BSP is read-only. */
	assert_int_equal(base_wr(b | en | VLAPIC_BASE_BSP), 0);
	assert_int_equal(base_rd(), b | en | VLAPIC_BASE_BSP);
	make_apic(false, true, true);
	assert_int_equal(base_wr(b | en | VLAPIC_BASE_BSP), 0);
	assert_int_equal(base_rd(), b | en);
	make_apic(true, true, true);
	/* EXTD without EN is invalid. */
	assert_int_equal(base_wr(b | extd), -SV_EINVAL);
	/* xAPIC -> x2APIC -> xAPIC (#GP) -> disabled -> x2APIC (#GP) -> xAPIC. */
	enter_x2apic();
	assert_false(vlapic_mmio_enabled(&apic, NULL));
	assert_int_equal(vlapic_mmio(&apic, VLAPIC_TPR, 4, false, &v), -SV_ENOENT);
	assert_int_equal(base_wr(b | en), -SV_EINVAL);
	assert_true(vlapic_x2apic_mode(&apic));
	assert_int_equal(base_wr(b), 0);
	assert_false(vlapic_x2apic_mode(&apic));
	assert_int_equal(vlapic_mmio(&apic, VLAPIC_TPR, 4, false, &v), -SV_ENOENT);
	assert_int_equal(base_wr(b | en | extd), -SV_EINVAL);
	assert_int_equal(base_wr(b | en), 0);
	assert_true(vlapic_mmio_enabled(&apic, NULL));
	/* xAPIC -> disabled resets the state (11.4.3). */
	sw_enable(0xff);
	wr(VLAPIC_TPR, 0x20);
	wr(VLAPIC_ID, 9u << 24);
	vlapic_set_irq(&apic, 0x90, false);
	assert_int_equal(base_wr(b), 0);
	assert_false(vlapic_pending(&apic, NULL));
	assert_int_equal(vlapic_set_irq(&apic, 0x91, false), -SV_ENOENT);
	assert_int_equal(base_wr(b | en), 0);
	assert_int_equal(rd(VLAPIC_TPR), 0);
	assert_int_equal(rd(VLAPIC_SVR), 0xff);
	assert_int_equal(rd(VLAPIC_ID), APIC_ID << 24);
	assert_false(vec_reg(VLAPIC_IRR, 0x90));
	/* Relocation: the page moves. */
	uint64_t nb;

	assert_int_equal(base_wr(0xfed00000ull | en), 0);
	assert_true(vlapic_mmio_enabled(&apic, &nb));
	assert_int_equal(nb, 0xfed00000ull);
	/* No x2APIC offered: EXTD is reserved. */
	make_apic(true, false, true);
	assert_int_equal(base_wr(b | en | extd), -SV_EINVAL);
	assert_false(vlapic_x2apic_mode(&apic));
	/* x2APIC keeps the state of xAPIC mode. */
	make_apic(true, true, true);
	sw_enable(0xff);
	wr(VLAPIC_TPR, 0x30);
	enter_x2apic();
	assert_int_equal(must_rd(0x808), 0x30);
	assert_int_equal(must_rd(0x80f), SVR_EN | 0xff);
}

static void test_x2apic_msrs(void **state)
{
	uint64_t v;

	(void)state;
	/* Not in x2APIC mode: every x2APIC MSR is a #GP. */
	assert_int_equal(msr_rd(0x802, &v), -SV_EINVAL);
	assert_int_equal(msr_wr(0x808, 0), -SV_EINVAL);
	make_apic(true, true, true);
	cfg.apic_id = 0x1234;
	vlapic_init(&apic, &cfg);
	enter_x2apic();
	/* ID: the 32-bit x2APIC ID, read-only; LDR derived, read-only. */
	assert_int_equal(must_rd(0x802), 0x1234);
	assert_int_equal(msr_wr(0x802, 0), -SV_EINVAL);
	assert_int_equal(must_rd(0x80d), (0x1234u >> 4) << 16 | 1u << (0x1234 & 15));
	assert_int_equal(msr_wr(0x80d, 0), -SV_EINVAL);
	assert_int_equal(vlapic_id(&apic), 0x1234);
	assert_int_equal(must_rd(0x803), 0x14u | 5u << 16);
	assert_int_equal(msr_wr(0x803, 0x14u | 5u << 16), -SV_EINVAL);
	/* Registers that do not exist in x2APIC mode. */
	static const uint32_t gone[] = {
		0x800, 0x801, 0x804, 0x809 /* APR */, 0x80c /* RRD */,
		0x80e /* DFR */, 0x82f /* CMCI */, 0x831 /* ICR high */,
		0x83a, 0x83d, 0x840, 0x8ff,
	};
	for (unsigned i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		assert_int_equal(msr_rd(gone[i], &v), -SV_EINVAL);
		assert_int_equal(msr_wr(gone[i], 0), -SV_EINVAL);
	}
	assert_int_equal(vlapic_msr(&apic, 0x7ff, false, &v), -SV_EINVAL);
	assert_int_equal(vlapic_msr(&apic, 0x900, false, &v), -SV_EINVAL);
	/* Read-only registers: PPR, ISR, TMR, IRR, current count. */
	assert_int_equal(msr_wr(0x80a, 0), -SV_EINVAL);
	assert_int_equal(msr_wr(0x810, 0), -SV_EINVAL);
	assert_int_equal(msr_wr(0x818, 0), -SV_EINVAL);
	assert_int_equal(msr_wr(0x827, 0), -SV_EINVAL);
	assert_int_equal(msr_wr(0x839, 0), -SV_EINVAL);
	/* EOI: write-only, zero only. */
	assert_int_equal(msr_rd(0x80b, &v), -SV_EINVAL);
	assert_int_equal(msr_wr(0x80b, 1), -SV_EINVAL);
	assert_int_equal(msr_wr(0x80b, 0), 0);
	/* Reserved bits are a #GP (11.12.1.3), bits 63-32 too. */
	assert_int_equal(msr_wr(0x808, 0x100), -SV_EINVAL);
	assert_int_equal(msr_wr(0x808, 1ull << 32), -SV_EINVAL);
	assert_int_equal(msr_wr(0x808, 0xff), 0);
	assert_int_equal(must_rd(0x808), 0xff);
	assert_int_equal(msr_wr(0x80f, 0x1000 | SVR_EN | 0xff), -SV_EINVAL);
	assert_int_equal(msr_wr(0x80f, SVR_EN | 0xff), 0);
	assert_int_equal(msr_wr(0x835, 1u << 17), -SV_EINVAL);	/* LINT0 has no timer mode */
	assert_int_equal(msr_wr(0x837, DM(VLAPIC_DM_NMI)), -SV_EINVAL);	/* error LVT has no mode */
	assert_int_equal(msr_wr(0x83e, 0x4), -SV_EINVAL);
	assert_int_equal(msr_wr(0x83e, 0xb), 0);
	/* Read-only LVT bits may be written back as read (delivery status, remote IRR). */
	assert_int_equal(msr_wr(0x835, VLAPIC_LVT_REMOTE_IRR | VLAPIC_LVT_PENDING | LVT_MASK), 0);
	assert_int_equal(must_rd(0x835), LVT_MASK);
	/* ICR reserved bits: 13, 16-17, 20-31. */
	assert_int_equal(msr_wr(0x830, 1u << 13 | 0x40), -SV_EINVAL);
	assert_int_equal(msr_wr(0x830, 1u << 16 | 0x40), -SV_EINVAL);
	assert_int_equal(msr_wr(0x830, 1u << 20 | 0x40), -SV_EINVAL);
	assert_int_equal(apic.ipis, 0);
	/* Reads and writes that work: timer registers, ESR, TPR. */
	assert_int_equal(msr_wr(0x838, 777), 0);
	assert_int_equal(must_rd(0x838), 777);
	assert_int_equal(must_rd(0x839), 777);
	assert_int_equal(msr_wr(0x828, 0), 0);
	/* xAPIC MMIO is gone while in x2APIC mode. */
	uint32_t w;

	assert_int_equal(vlapic_mmio(&apic, VLAPIC_ID, 4, false, &w), -SV_ENOENT);
}

static void test_lint(void **state)
{
	(void)state;
	vlapic_virtual_wire(&apic);
	/* LINT1 as NMI: the asserting edge. */
	vlapic_lint(&apic, 1, 1);
	assert_true(vlapic_nmi_pending(&apic));
	vlapic_nmi_ack(&apic);
	vlapic_lint(&apic, 1, 1);
	assert_false(vlapic_nmi_pending(&apic));
	vlapic_lint(&apic, 1, 0);
	vlapic_lint(&apic, 1, 1);
	assert_true(vlapic_nmi_pending(&apic));
	vlapic_nmi_ack(&apic);
	vlapic_lint(&apic, 1, 0);
	/* LINT0 fixed, edge, active low: asserted when the pin goes low. */
	wr(VLAPIC_LVT_LINT0, VLAPIC_LVT_ACTIVE_LOW | 0x60);
	vlapic_lint(&apic, 0, 1);
	assert_false(vlapic_pending(&apic, NULL));
	vlapic_lint(&apic, 0, 0);
	assert_int_equal(must_ack(), 0x60);
	assert_false(vec_reg(VLAPIC_TMR, 0x60));
	wr(VLAPIC_EOI, 0);
	/* LINT0 fixed, level: once per EOI while asserted, remote IRR in between. */
	wr(VLAPIC_LVT_LINT0, VLAPIC_LVT_LEVEL | 0x61);
	vlapic_lint(&apic, 0, 1);
	assert_int_equal(rd(VLAPIC_LVT_LINT0), VLAPIC_LVT_LEVEL | VLAPIC_LVT_REMOTE_IRR | 0x61);
	assert_true(vec_reg(VLAPIC_TMR, 0x61));
	assert_int_equal(must_ack(), 0x61);
	vlapic_lint(&apic, 0, 1);
	assert_false(vlapic_pending(&apic, NULL));
	wr(VLAPIC_EOI, 0);
	/* Still asserted: again. The EOI callback sees the TMR vector. */
	assert_int_equal(neois, 1);
	assert_int_equal(eois[0], 0x61);
	assert_int_equal(must_ack(), 0x61);
	vlapic_lint(&apic, 0, 0);
	wr(VLAPIC_EOI, 0);
	assert_false(vlapic_pending(&apic, NULL));
	assert_int_equal(rd(VLAPIC_LVT_LINT0), VLAPIC_LVT_LEVEL | 0x61);
	/* A masked asserted level line requests once unmasked. */
	wr(VLAPIC_LVT_LINT0, LVT_MASK | VLAPIC_LVT_LEVEL | 0x62);
	vlapic_lint(&apic, 0, 1);
	assert_false(vlapic_pending(&apic, NULL));
	wr(VLAPIC_LVT_LINT0, VLAPIC_LVT_LEVEL | 0x62);
	assert_int_equal(must_ack(), 0x62);
	/* Switching to edge drops remote IRR. */
	wr(VLAPIC_LVT_LINT0, 0x62);
	assert_int_equal(rd(VLAPIC_LVT_LINT0), 0x62);
	vlapic_lint(&apic, 0, 0);
	/* LINT0 in NMI mode; bad pins are ignored. */
	wr(VLAPIC_LVT_LINT0, DM(VLAPIC_DM_NMI));
	vlapic_lint(&apic, 0, 1);
	assert_true(vlapic_nmi_pending(&apic));
	vlapic_nmi_ack(&apic);
	vlapic_lint(&apic, 2, 1);
	vlapic_lint(&apic, -1, 1);
	/* Globally disabled: LINT1 is the NMI pin whatever the LVT said. */
	assert_int_equal(base_wr(VLAPIC_DEFAULT_BASE), 0);
	vlapic_lint(&apic, 1, 1);
	assert_true(vlapic_nmi_pending(&apic));
	assert_int_equal(apic.nmis, 4);
}

/* The 8259 through LINT0 behind the vCPU's struct intc. */
static void pic_out(struct vpic *p, uint16_t port, uint8_t v)
{
	uint32_t val = v;

	assert_int_equal(vpic_io(p, port, 1, false, &val), 0);
}

static void test_intc_extint(void **state)
{
	static struct vpic pic;
	struct intc pic_intc = { &vpic_intc_ops, &pic };
	struct intc lapic_intc = { &vlapic_intc_ops, &apic };
	uint8_t v;

	(void)state;
	vpic_init(&pic);
	pic_out(&pic, 0x20, 0x11);
	pic_out(&pic, 0x21, 0x30);
	pic_out(&pic, 0x21, 0x04);
	pic_out(&pic, 0x21, 0x01);
	pic_out(&pic, 0x21, 0x00);
	cfg.extint = &pic_intc;
	vlapic_init(&apic, &cfg);
	vlapic_virtual_wire(&apic);
	/* Virtual wire: the 8259's vector, acknowledged by the 8259; no ISR bit here. */
	vpic_set_irq(&pic, 1, 1);
	assert_true(intc_pending(&lapic_intc, &v));
	assert_int_equal(v, 0x31);
	assert_int_equal(intc_ack(&lapic_intc), 0x31);
	assert_int_equal(pic.acks, 1);
	assert_false(vec_reg(VLAPIC_ISR, 0x31));
	assert_false(intc_pending(&lapic_intc, &v));
	pic_out(&pic, 0x20, 0x20);	/* the 8259's own EOI */
	/* The APIC's own vectors come through the same interface. */
	vlapic_set_irq(&apic, 0x80, false);
	assert_true(intc_pending(&lapic_intc, &v));
	assert_int_equal(v, 0x80);
	/* While both request, the 8259 is taken first. */
	vpic_set_irq(&pic, 1, 0);
	vpic_set_irq(&pic, 1, 1);
	assert_int_equal(intc_ack(&lapic_intc), 0x31);
	pic_out(&pic, 0x20, 0x20);
	assert_int_equal(intc_ack(&lapic_intc), 0x80);
	assert_true(vec_reg(VLAPIC_ISR, 0x80));
	wr(VLAPIC_EOI, 0);
	/* LINT0 masked: the 8259 is cut off. */
	wr(VLAPIC_LVT_LINT0, DM(VLAPIC_DM_EXTINT) | LVT_MASK);
	vpic_set_irq(&pic, 1, 0);
	vpic_set_irq(&pic, 1, 1);
	assert_true(vpic_pending(&pic, NULL));
	assert_false(intc_pending(&lapic_intc, &v));
	/* Globally disabled: the 8259 drives INTR directly. */
	assert_int_equal(base_wr(VLAPIC_DEFAULT_BASE), 0);
	assert_true(intc_pending(&lapic_intc, &v));
	assert_int_equal(v, 0x31);
	/* set_line drives the LINT pins: with the APIC disabled LINT1 is the NMI pin. */
	intc_set_line(&lapic_intc, 1, 1);
	assert_true(vlapic_nmi_pending(&apic));
	cfg.extint = NULL;
}

static void test_init_signal(void **state)
{
	(void)state;
	sw_enable(0xff);
	wr(VLAPIC_ID, 0x21u << 24);
	wr(VLAPIC_TPR, 0x40);
	wr(VLAPIC_LDR, 0x80u << 24);
	vlapic_set_irq(&apic, 0x99, true);
	vlapic_init_signal(&apic);
	/* 11.4.7.3: as at power-up except the ID (and IA32_APIC_BASE). */
	assert_int_equal(rd(VLAPIC_ID), 0x21u << 24);
	assert_int_equal(rd(VLAPIC_TPR), 0);
	assert_int_equal(rd(VLAPIC_LDR), 0);
	assert_int_equal(rd(VLAPIC_SVR), 0xff);
	assert_int_equal(rd(VLAPIC_LVT_LINT0), LVT_MASK);
	assert_false(vec_reg(VLAPIC_IRR, 0x99));
	assert_false(vec_reg(VLAPIC_TMR, 0x99));
	assert_int_equal(base_rd(), VLAPIC_DEFAULT_BASE | VLAPIC_BASE_EN | VLAPIC_BASE_BSP);
	/* An x2APIC stays one. */
	enter_x2apic();
	vlapic_init_signal(&apic);
	assert_true(vlapic_x2apic_mode(&apic));
}

static void test_accept_modes(void **state)
{
	(void)state;
	sw_enable(0xff);
	assert_int_equal(vlapic_accept(&apic, VLAPIC_DM_LOWEST, 0x70, false), 0);
	assert_true(vec_reg(VLAPIC_IRR, 0x70));
	assert_int_equal(vlapic_accept(&apic, VLAPIC_DM_SMI, 0, false), -SV_ENOTSUP);
	assert_int_equal(vlapic_accept(&apic, VLAPIC_DM_INIT, 0, false), -SV_ENOTSUP);
	assert_int_equal(vlapic_accept(&apic, VLAPIC_DM_STARTUP, 0x9a, false), -SV_ENOTSUP);
	assert_int_equal(vlapic_accept(&apic, VLAPIC_DM_EXTINT, 0, false), -SV_ENOTSUP);
	vlapic_accept(&apic, VLAPIC_DM_NMI, 0, false);
	vlapic_accept(&apic, VLAPIC_DM_NMI, 0, false);
	assert_int_equal(apic.nmi_coalesced, 1);
}

/* Random operations: no crash, and the invariants of IRR/ISR/PPR hold after each. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static int highest(const uint32_t *r)
{
	for (int i = 255; i >= 0; i--)
		if ((r[i / 32] >> (i % 32)) & 1)
			return i;
	return -1;
}

/*
 * check_tpr_threshold - the threshold is exactly the TPR class below which
 * something becomes deliverable: with it at t > 0 nothing is pending now,
 * a TPR class of t - 1 lets a vector in and any class >= t does not; with
 * t = 0 something is pending already or no TPR would let anything in.
 */
static void check_tpr_threshold(const struct vlapic *a)
{
	struct vlapic c = *a;
	unsigned t = vlapic_tpr_threshold(a);

	assert_true(t <= (a->tpr >> 4));
	for (unsigned cls = 0; cls < 16; cls++) {
		c.tpr = cls << 4 | (a->tpr & 0xf);
		if (t)
			assert_int_equal(vlapic_pending(&c, NULL), cls < t);
		else if (!vlapic_pending(a, NULL))
			assert_false(vlapic_pending(&c, NULL));
	}
}

static void check_invariants(void)
{
	int isrv = highest(apic.isr), irrv = highest(apic.irr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
	uint32_t ppr = (apic.tpr & 0xf0) >= isr_class ? apic.tpr : isr_class;
	uint8_t v;
	bool p = vlapic_pending(&apic, &v);

	/* Vectors 0-15 never enter IRR or ISR. */
	assert_int_equal(apic.irr[0] & 0xffff, 0);
	assert_int_equal(apic.isr[0] & 0xffff, 0);
	assert_int_equal(vlapic_ppr(&apic), ppr);
	if (vlapic_mmio_enabled(&apic, NULL))
		assert_int_equal(rd(VLAPIC_PPR), ppr);
	if (!(apic.base_msr & VLAPIC_BASE_EN)) {
		assert_false(p);
	} else {
		assert_int_equal(p, irrv >= 0 && ((uint32_t)irrv & 0xf0) > (ppr & 0xf0));
		if (p)
			assert_int_equal(v, irrv);
	}
	if (!(apic.svr & VLAPIC_SVR_ENABLE))
		for (int i = 0; i < VLAPIC_NR_LVT; i++)
			assert_true(apic.lvt[i] & LVT_MASK);
	assert_true(apic.timer_div == (apic.timer_div & 0xb));
	check_tpr_threshold(&apic);
}

/* The TPR threshold VMX's TPR shadow uses: the class only the TPR holds back. */
static void test_tpr_threshold(void **state)
{
	(void)state;
	wr(VLAPIC_SVR, VLAPIC_SVR_ENABLE | 0xff);
	assert_int_equal(vlapic_tpr_threshold(&apic), 0);	/* nothing requested */
	wr(VLAPIC_TPR, 0x80);
	vlapic_set_irq(&apic, 0x61, false);
	assert_false(vlapic_pending(&apic, NULL));
	assert_int_equal(vlapic_tpr_threshold(&apic), 6);	/* TPR 0x5f lets 0x61 in */
	wr(VLAPIC_TPR, 0x60);
	assert_int_equal(vlapic_tpr_threshold(&apic), 6);	/* class 6 still blocks 0x61 */
	wr(VLAPIC_TPR, 0x5f);
	assert_true(vlapic_pending(&apic, NULL));
	assert_int_equal(vlapic_tpr_threshold(&apic), 0);	/* deliverable: no exit needed */
	assert_int_equal(vlapic_ack(&apic), 0x61);
	vlapic_set_irq(&apic, 0x65, false);
	wr(VLAPIC_TPR, 0x70);
	assert_int_equal(vlapic_tpr_threshold(&apic), 0);	/* the ISR holds it: EOI exits */
	wr(VLAPIC_EOI, 0);
	assert_int_equal(vlapic_tpr_threshold(&apic), 6);
	check_tpr_threshold(&apic);
}

static void test_random_ops(void **state)
{
	static const uint32_t offs[] = {
		VLAPIC_TPR, VLAPIC_EOI, VLAPIC_SVR, VLAPIC_LDR, VLAPIC_DFR, VLAPIC_ESR,
		VLAPIC_ICR_LO, VLAPIC_ICR_HI, VLAPIC_LVT_TIMER, VLAPIC_LVT_LINT0,
		VLAPIC_LVT_LINT1, VLAPIC_LVT_ERROR, VLAPIC_TIMER_INIT, VLAPIC_TIMER_DIV,
		VLAPIC_ISR, VLAPIC_IRR + 0x70, 0x2f0, VLAPIC_TIMER_CUR,
	};
	uint64_t v;
	int in_x2 = 0, disabled = 0;

	(void)state;
	for (int iter = 0; iter < 200000; iter++) {
		uint32_t r = rnd(), w = rnd();

		if (nipis >= 15)
			nipis = 0;
		if (neois >= 60)
			neois = 0;
		switch (r % 16) {
		case 0: case 1:
			vlapic_set_irq(&apic, (uint8_t)w, w & 0x100);
			break;
		case 2: case 3: {
			uint8_t pv;
			bool was = vlapic_pending(&apic, &pv);
			uint8_t got = vlapic_ack(&apic);

			if (was) {
				assert_int_equal(got, pv);
				assert_true((apic.isr[got / 32] >> (got % 32)) & 1);
				assert_false((apic.irr[got / 32] >> (got % 32)) & 1);
			} else {
				assert_int_equal(got, apic.svr & 0xff);
			}
			break;
		}
		case 4: {
			int before = highest(apic.isr);

			if (vlapic_mmio_enabled(&apic, NULL))
				wr(VLAPIC_EOI, 0);
			else
				vlapic_eoi(&apic);
			if (before >= 0)
				assert_false((apic.isr[before / 32] >> (before % 32)) & 1);
			break;
		}
		case 5: case 6: case 7: {
			uint32_t off = offs[w % (sizeof(offs) / sizeof(offs[0]))], val = rnd();

			if (off == VLAPIC_SVR && (val & 3))
				val |= SVR_EN;
			if (off == VLAPIC_TIMER_INIT)
				val &= 0xffff;
			vlapic_mmio(&apic, off, 4, (w >> 8) & 1, &val);
			if (vlapic_x2apic_mode(&apic)) {
				v = rnd();
				if (off == VLAPIC_SVR)
					v |= SVR_EN;
				vlapic_msr(&apic, 0x800 + (off >> 4), (w >> 9) & 1, &v);
			}
			break;
		}
		case 8:
			now += w % 100000;
			vlapic_update(&apic, now);
			break;
		case 9:
			vlapic_lint(&apic, (int)(w & 1), (w >> 1) & 1);
			break;
		case 10:
			if (vlapic_nmi_pending(&apic))
				vlapic_nmi_ack(&apic);
			vlapic_accept(&apic, (uint8_t)(w & 7), (uint8_t)(w >> 8), w & 0x10000);
			break;
		case 11:
			if ((w & 0xff) == 0) {
				v = VLAPIC_DEFAULT_BASE | (w & 0x300 ? VLAPIC_BASE_EN : 0) |
				    (w & 0x400 ? VLAPIC_BASE_EXTD : 0);
				vlapic_base_msr(&apic, true, &v, MAXPHY);
			}
			break;
		case 12:
			v = fake_tsc(NULL) + (w % 3000000);
			vlapic_tsc_deadline_msr(&apic, true, &v);
			break;
		case 13:
			vlapic_set_tpr(&apic, (uint8_t)w);
			break;
		case 14:
			if ((w & 0xfff) == 0)
				vlapic_init_signal(&apic);
			break;
		default:
			if (!(apic.svr & SVR_EN) && vlapic_mmio_enabled(&apic, NULL))
				sw_enable(0xff);
			break;
		}
		check_invariants();
		/* Every expiry up to now has been accounted: the next one is ahead. */
		assert_true(vlapic_next_deadline_ns(&apic) > apic.now_ns);
		in_x2 += vlapic_x2apic_mode(&apic);
		disabled += !(apic.base_msr & VLAPIC_BASE_EN);
	}
	/* The run exercised the paths it was meant to. */
	assert_true(apic.timer_irqs > 0);
	assert_true(apic.ipis > 0);
	assert_true(apic.spurious > 0);
	assert_true(in_x2 > 1000 && disabled > 1000);
	printf("# random: %d x2APIC steps, %d disabled, %llu timer irqs, %llu ipis\n", in_x2, disabled,
	       (unsigned long long)apic.timer_irqs, (unsigned long long)apic.ipis);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_values, setup),
		cmocka_unit_test_setup(test_tpr_threshold, setup),
		cmocka_unit_test_setup(test_virtual_wire, setup),
		cmocka_unit_test_setup(test_register_bits_xapic, setup),
		cmocka_unit_test_setup(test_bad_accesses, setup),
		cmocka_unit_test_setup(test_sw_disable, setup),
		cmocka_unit_test_setup(test_tpr_ppr, setup),
		cmocka_unit_test_setup(test_nested_priorities, setup),
		cmocka_unit_test_setup(test_tmr_eoi_callback, setup),
		cmocka_unit_test_setup(test_timer_oneshot_divide, setup),
		cmocka_unit_test_setup(test_timer_periodic, setup),
		cmocka_unit_test_setup(test_timer_reprogram, setup),
		cmocka_unit_test_setup(test_tsc_deadline, setup),
		cmocka_unit_test_setup(test_self_ipi_icr, setup),
		cmocka_unit_test_setup(test_x2apic_self_ipi, setup),
		cmocka_unit_test_setup(test_icr_shorthands, setup),
		cmocka_unit_test_setup(test_match_dest, setup),
		cmocka_unit_test_setup(test_esr_illegal_vector, setup),
		cmocka_unit_test_setup(test_apic_base_transitions, setup),
		cmocka_unit_test_setup(test_x2apic_msrs, setup),
		cmocka_unit_test_setup(test_lint, setup),
		cmocka_unit_test_setup(test_intc_extint, setup),
		cmocka_unit_test_setup(test_init_signal, setup),
		cmocka_unit_test_setup(test_accept_modes, setup),
		cmocka_unit_test_setup(test_random_ops, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
