// SPDX-License-Identifier: MIT
/*
 * vlapic.c - a virtual local APIC (xAPIC and x2APIC) with its timer.
 *
 * Facts from the Intel SDM vol. 3A chapter 11: the register map (table
 * 11-1) and the x2APIC MSR map (11.12.1.2, table 11-6), IA32_APIC_BASE and
 * its mode transitions (11.4.4, 11.12.5), the power-up and INIT states
 * (11.4.7.1, 11.4.7.3), software disable through SVR bit 8 (11.4.7.2), the
 * LVT (11.5.1), ESR (11.5.3), the timer and its divide configuration
 * (11.5.4, 11.5.4.1 TSC-deadline), the ICR and destinations (11.6.1,
 * 11.6.2), IRR/ISR/TMR acceptance, TPR/PPR and EOI (11.8), the spurious
 * vector (11.9). The version register reports 0x14 (integrated xAPIC) with
 * six LVT entries (max LVT 5: timer, thermal, performance counter, LINT0,
 * LINT1, error; no CMCI, no EOI-broadcast suppression).
 *
 * Choices where the SDM leaves room (documented in vlapic.h as well):
 * - Thermal and performance-counter LVTs are stored but never fire.
 * - APR and RRD read 0 in xAPIC mode (they are reserved in x2APIC mode).
 * - A sent fixed vector 0-15 sets "send illegal vector" and still goes
 *   out; each receiver refuses it with "receive illegal vector", so a
 *   self-IPI of such a vector sets both.
 * - Fixed interrupts are refused while the APIC is software-disabled;
 *   IRR bits already held are still delivered ("held ... require handling
 *   by the CPU", 11.4.7.2).
 * - The reserved timer mode 11 counts as one-shot.
 * - TMR keeps the trigger mode of the latest acceptance of a vector.
 */
#include <stddef.h>
#include <string.h>

#include "drivers/vlapic.h"
#include "mm/errno.h"

#define NS_PER_S	1000000000ull

#define LVT_TIMER	0
#define LVT_THERMAL	1
#define LVT_PERF	2
#define LVT_LINT0	3
#define LVT_LINT1	4
#define LVT_ERROR	5

#define LVT_VECTOR	0xffu
#define LVT_DM		(7u << 8)
#define LVT_RO		(VLAPIC_LVT_PENDING | VLAPIC_LVT_REMOTE_IRR)

#define SVR_VALID	0x3ffu		/* vector, enable, focus checking */
#define TPR_VALID	0xffu
#define DIV_VALID	0xbu		/* bits 0, 1 and 3 (SDM figure 11-10) */
/* ICR low: vector, mode, dest mode, status, level, trigger, shorthand. */
#define ICR_VALID	0x000cdfffu
#define ICR_DEST_MODE	(1u << 11)
#define ICR_ASSERT	(1u << 14)
#define ICR_TRIGGER	(1u << 15)
#define ICR_SH_SHIFT	18

#define XAPIC_BROADCAST		0xffu
#define X2APIC_BROADCAST	0xffffffffu

/* The 256-bit registers (IRR, ISR, TMR) as eight 32-bit words. */
static bool vec_test(const uint32_t *r, unsigned v)
{
	return (r[v >> 5] >> (v & 31)) & 1;
}

static void vec_set(uint32_t *r, unsigned v)
{
	r[v >> 5] |= 1u << (v & 31);
}

static void vec_clear(uint32_t *r, unsigned v)
{
	r[v >> 5] &= ~(1u << (v & 31));
}

/* vec_highest - the highest vector set in @r, or -1. */
static int vec_highest(const uint32_t *r)
{
	for (int i = 7; i >= 0; i--)
		if (r[i])
			return i * 32 + 31 - __builtin_clz(r[i]);
	return -1;
}

bool vlapic_hw_enabled(const struct vlapic *a)
{
	return a->base_msr & VLAPIC_BASE_EN;
}

static bool sw_enabled(const struct vlapic *a)
{
	return a->svr & VLAPIC_SVR_ENABLE;
}

bool vlapic_x2apic_mode(const struct vlapic *a)
{
	return vlapic_hw_enabled(a) && (a->base_msr & VLAPIC_BASE_EXTD);
}

uint32_t vlapic_id(const struct vlapic *a)
{
	return vlapic_x2apic_mode(a) ? a->cfg.apic_id : a->xapic_id;
}

/* x2apic_ldr - the read-only x2APIC LDR: cluster (ID[31:4]) << 16 | 1 << ID[3:0] (11.12.10.2). */
static uint32_t x2apic_ldr(const struct vlapic *a)
{
	uint32_t id = a->cfg.apic_id;

	return (id >> 4) << 16 | 1u << (id & 15);
}

uint8_t vlapic_ppr(const struct vlapic *a)
{
	int isrv = vec_highest(a->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

	/* SDM 11.8.3.1: PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4] << 4. */
	return (uint8_t)((a->tpr & 0xf0) >= isr_class ? a->tpr : isr_class);
}

uint8_t vlapic_get_tpr(const struct vlapic *a)
{
	return (uint8_t)a->tpr;
}

void vlapic_set_tpr(struct vlapic *a, uint8_t tpr)
{
	a->tpr = tpr;
}

/* lvt_valid - the bits of LVT @idx a write may set (read-only bits included). */
static uint32_t lvt_valid(const struct vlapic *a, int idx)
{
	uint32_t common = LVT_VECTOR | VLAPIC_LVT_PENDING | VLAPIC_LVT_MASKED;

	switch (idx) {
	case LVT_TIMER:
		return common | VLAPIC_TIMER_PERIODIC |
		       (a->cfg.tsc_deadline ? VLAPIC_TIMER_TSCDL : 0);
	case LVT_THERMAL:
	case LVT_PERF:
		return common | LVT_DM;
	case LVT_LINT0:
	case LVT_LINT1:
		return common | LVT_DM | VLAPIC_LVT_ACTIVE_LOW |
		       VLAPIC_LVT_REMOTE_IRR | VLAPIC_LVT_LEVEL;
	default:
		return common;
	}
}

static uint32_t lvt_mode(uint32_t lvt)
{
	return (lvt & LVT_DM) >> 8;
}

static uint32_t timer_mode(const struct vlapic *a)
{
	return a->lvt[LVT_TIMER] & VLAPIC_TIMER_MODE_MASK;
}

static void raise_nmi(struct vlapic *a)
{
	if (a->nmi_pending)
		a->nmi_coalesced++;
	a->nmi_pending = true;
	a->nmis++;
}

static void local_deliver(struct vlapic *a, int idx, bool level);

/*
 * raise_error - log @bits in the ESR and, once per ESR write (the write
 * re-arms it, 11.5.3), raise the LVT error interrupt. Disarming before the
 * delivery bounds the recursion of an error LVT with an illegal vector.
 */
static void raise_error(struct vlapic *a, uint32_t bits)
{
	a->esr_pending |= bits;
	if (!a->esr_armed || (a->lvt[LVT_ERROR] & VLAPIC_LVT_MASKED))
		return;
	a->esr_armed = false;
	local_deliver(a, LVT_ERROR, false);
}

int vlapic_accept(struct vlapic *a, uint8_t mode, uint8_t vector, bool level)
{
	switch (mode) {
	case VLAPIC_DM_FIXED:
	case VLAPIC_DM_LOWEST:
		if (!vlapic_hw_enabled(a))
			return -SV_ENOENT;
		if (vector < 16) {
			/* Vectors 0-15 are illegal (11.5.2). */
			raise_error(a, VLAPIC_ESR_RECV_ILLEGAL);
			return -SV_ENOENT;
		}
		if (!sw_enabled(a)) {
			a->dropped++;
			return -SV_ENOENT;
		}
		if (vec_test(a->irr, vector))
			a->coalesced++;
		vec_set(a->irr, vector);
		/* 11.8.4: TMR set for level, cleared for edge, on acceptance. */
		if (level)
			vec_set(a->tmr, vector);
		else
			vec_clear(a->tmr, vector);
		return 0;
	case VLAPIC_DM_NMI:
		if (!vlapic_hw_enabled(a))
			return -SV_ENOENT;
		raise_nmi(a);
		return 0;
	default:
		return -SV_ENOTSUP;
	}
}

int vlapic_set_irq(struct vlapic *a, uint8_t vector, bool level)
{
	return vlapic_accept(a, VLAPIC_DM_FIXED, vector, level);
}

/* local_deliver - LVT @idx fires (an expiry, an edge, a level, an error). */
static void local_deliver(struct vlapic *a, int idx, bool level)
{
	uint32_t lvt = a->lvt[idx];
	uint32_t mode = idx == LVT_TIMER || idx == LVT_ERROR ?
			VLAPIC_DM_FIXED : lvt_mode(lvt);

	if (lvt & VLAPIC_LVT_MASKED)
		return;
	switch (mode) {
	case VLAPIC_DM_FIXED:
		if (vlapic_accept(a, VLAPIC_DM_FIXED, (uint8_t)(lvt & LVT_VECTOR), level) == 0 &&
		    level)
			a->lvt[idx] |= VLAPIC_LVT_REMOTE_IRR;
		break;
	case VLAPIC_DM_NMI:
		raise_nmi(a);
		break;
	case VLAPIC_DM_EXTINT:
		break;	/* the 8259 is polled: vlapic_extint_wired */
	default:
		a->ignored++;	/* SMI, INIT, reserved modes */
		break;
	}
}

/* lint_asserted - LINT @pin is active after its LVT polarity (11.5.1). */
static bool lint_asserted(const struct vlapic *a, int pin)
{
	bool high = (a->lint_pins >> pin) & 1;

	return high != !!(a->lvt[LVT_LINT0 + pin] & VLAPIC_LVT_ACTIVE_LOW);
}

static bool lint_is_level_fixed(uint32_t lvt)
{
	return lvt_mode(lvt) == VLAPIC_DM_FIXED && (lvt & VLAPIC_LVT_LEVEL);
}

/* lint_level_eval - a level-triggered fixed LINT requests while asserted and remote IRR is clear. */
static void lint_level_eval(struct vlapic *a, int pin)
{
	uint32_t lvt = a->lvt[LVT_LINT0 + pin];

	if (!vlapic_hw_enabled(a) || !lint_is_level_fixed(lvt) ||
	    (lvt & (VLAPIC_LVT_MASKED | VLAPIC_LVT_REMOTE_IRR)))
		return;
	if (lint_asserted(a, pin))
		local_deliver(a, LVT_LINT0 + pin, true);
}

void vlapic_lint(struct vlapic *a, int pin, int level)
{
	uint8_t bit;
	bool was;

	if (pin < 0 || pin > 1)
		return;
	bit = (uint8_t)(1u << pin);
	was = lint_asserted(a, pin);
	if (!vlapic_hw_enabled(a)) {
		/* 11.4.3: a disabled APIC passes LINT0 as INTR, LINT1 as NMI. */
		if (pin == 1 && level && !(a->lint_pins & bit))
			raise_nmi(a);
		a->lint_pins = (uint8_t)(level ? a->lint_pins | bit : a->lint_pins & ~bit);
		return;
	}
	a->lint_pins = (uint8_t)(level ? a->lint_pins | bit : a->lint_pins & ~bit);
	if (lint_is_level_fixed(a->lvt[LVT_LINT0 + pin])) {
		lint_level_eval(a, pin);
		return;
	}
	if (!was && lint_asserted(a, pin))
		local_deliver(a, LVT_LINT0 + pin, false);
}

bool vlapic_extint_wired(const struct vlapic *a)
{
	uint32_t lvt = a->lvt[LVT_LINT0];

	if (!vlapic_hw_enabled(a))
		return true;
	return !(lvt & VLAPIC_LVT_MASKED) && lvt_mode(lvt) == VLAPIC_DM_EXTINT;
}

bool vlapic_nmi_pending(const struct vlapic *a)
{
	return a->nmi_pending;
}

void vlapic_nmi_ack(struct vlapic *a)
{
	a->nmi_pending = false;
}

bool vlapic_pending(const struct vlapic *a, uint8_t *vector)
{
	int irrv;

	if (!vlapic_hw_enabled(a))
		return false;
	irrv = vec_highest(a->irr);
	if (irrv < 0 || ((unsigned)irrv & 0xf0) <= (vlapic_ppr(a) & 0xf0u))
		return false;
	if (vector)
		*vector = (uint8_t)irrv;
	return true;
}

bool vlapic_irr_has(const struct vlapic *a, uint8_t vector)
{
	return vec_test(a->irr, vector);
}

uint8_t vlapic_tpr_threshold(const struct vlapic *a)
{
	int irrv = vec_highest(a->irr), isrv;
	unsigned irr_class;

	if (irrv < 0 || !vlapic_hw_enabled(a))
		return 0;	/* nothing requested: the common case, decided by the IRR alone */
	irr_class = (unsigned)irrv >> 4;
	isrv = vec_highest(a->isr);
	if ((isrv >= 0 && irr_class <= (unsigned)isrv >> 4) || irr_class > (a->tpr >> 4))
		return 0;	/* held back by the ISR (EOI exits), or deliverable */
	return (uint8_t)irr_class;
}

uint8_t vlapic_ack(struct vlapic *a)
{
	uint8_t v;

	if (!vlapic_pending(a, &v)) {
		/* 11.9: an INTA that finds nothing gets the spurious vector. */
		a->spurious++;
		return (uint8_t)(a->svr & 0xff);
	}
	vec_clear(a->irr, v);
	vec_set(a->isr, v);
	return v;
}

void vlapic_eoi(struct vlapic *a)
{
	int v = vec_highest(a->isr);

	if (v < 0)
		return;
	vec_clear(a->isr, (unsigned)v);
	/* A level-triggered LINT of this vector may request again (11.5.1 remote IRR). */
	for (int pin = 0; pin < 2; pin++) {
		uint32_t *lvt = &a->lvt[LVT_LINT0 + pin];

		if ((*lvt & VLAPIC_LVT_REMOTE_IRR) && (*lvt & LVT_VECTOR) == (unsigned)v) {
			*lvt &= ~VLAPIC_LVT_REMOTE_IRR;
			lint_level_eval(a, pin);
		}
	}
	if (vec_test(a->tmr, (unsigned)v) && a->cfg.eoi)
		a->cfg.eoi(a->cfg.ctx, (uint8_t)v);
}

/* ---- Timer (11.5.4) ---- */

/* timer_divisor - the divide configuration register as a divisor: 0b1011 = 1, 0b0000 = 2, ... 0b1010 = 128. */
static uint32_t timer_divisor(const struct vlapic *a)
{
	uint32_t s = (a->timer_div & 3) | ((a->timer_div >> 1) & 4);

	return 1u << ((s + 1) & 7);
}

/* tick_ns - nanoseconds per count of the current-count register. */
static uint64_t tick_ns(const struct vlapic *a)
{
	return timer_divisor(a) * VLAPIC_TICK_NS;
}

/* timer_ticks - divided timer ticks since the count was last based. */
static uint64_t timer_ticks(const struct vlapic *a)
{
	return (a->now_ns - a->t_base_ns) / tick_ns(a);
}

static bool timer_periodic(const struct vlapic *a)
{
	return timer_mode(a) == VLAPIC_TIMER_PERIODIC && a->timer_init;
}

/* timer_count - the current-count register now. */
static uint32_t timer_count(const struct vlapic *a)
{
	uint64_t d;

	if (!a->t_running || timer_mode(a) == VLAPIC_TIMER_TSCDL)
		return 0;
	d = timer_ticks(a);
	if (d < a->t_count)
		return (uint32_t)(a->t_count - d);
	if (!timer_periodic(a))
		return 0;
	return (uint32_t)(a->timer_init - (d - a->t_count) % a->timer_init);
}

/* timer_expiries - counts reaching 0 since the count was based. */
static uint64_t timer_expiries(const struct vlapic *a)
{
	uint64_t d = timer_ticks(a);

	if (d < a->t_count)
		return 0;
	if (!timer_periodic(a))
		return 1;
	return 1 + (d - a->t_count) / a->timer_init;
}

/* timer_start - count down from @count from now (0 stops the timer). */
static void timer_start(struct vlapic *a, uint32_t count)
{
	a->t_running = count != 0;
	a->t_base_ns = a->now_ns;
	a->t_count = count;
	a->t_fired = 0;
}

/* timer_rebase - keep the current count but count on from now (divide or mode change). */
static void timer_rebase(struct vlapic *a)
{
	if (a->t_running)
		timer_start(a, timer_count(a));
}

/* timer_fire - @n expiries happened; one interrupt carries them. Returns 1 if delivered. */
static int timer_fire(struct vlapic *a, uint64_t n)
{
	if (a->lvt[LVT_TIMER] & VLAPIC_LVT_MASKED)
		return 0;
	a->timer_irqs++;
	a->timer_coalesced += n - 1;
	local_deliver(a, LVT_TIMER, false);
	return 1;
}

/* timer_sync - deliver the expiries up to now_ns. */
static int timer_sync(struct vlapic *a)
{
	uint64_t e;

	if (timer_mode(a) == VLAPIC_TIMER_TSCDL) {
		if (!a->tsc_deadline || a->now_ns < a->tsc_deadline_ns)
			return 0;
		a->tsc_deadline = 0;	/* the MSR reads 0 once it fired */
		return timer_fire(a, 1);
	}
	if (!a->t_running)
		return 0;
	e = timer_expiries(a);
	if (e <= a->t_fired)
		return 0;
	e -= a->t_fired;
	a->t_fired += e;
	if (!timer_periodic(a))
		a->t_running = false;	/* one-shot: stays at 0 */
	return timer_fire(a, e);
}

static void advance(struct vlapic *a, uint64_t now_ns)
{
	if (now_ns > a->now_ns)
		a->now_ns = now_ns;
}

int vlapic_update(struct vlapic *a, uint64_t now_ns)
{
	advance(a, now_ns);
	return timer_sync(a);
}

/* sync_clock - catch up with the clock given at init before a register access. */
static void sync_clock(struct vlapic *a)
{
	vlapic_update(a, a->cfg.clock ? a->cfg.clock(a->cfg.ctx) : a->now_ns);
}

uint64_t vlapic_next_deadline_ns(const struct vlapic *a)
{
	uint64_t ticks;

	if (!vlapic_hw_enabled(a) || (a->lvt[LVT_TIMER] & VLAPIC_LVT_MASKED))
		return VLAPIC_NO_DEADLINE;
	if (timer_mode(a) == VLAPIC_TIMER_TSCDL)
		return a->tsc_deadline ? a->tsc_deadline_ns : VLAPIC_NO_DEADLINE;
	if (!a->t_running)
		return VLAPIC_NO_DEADLINE;
	if (timer_periodic(a))
		ticks = a->t_count + a->t_fired * (uint64_t)a->timer_init;
	else
		ticks = a->t_count;
	return a->t_base_ns + ticks * tick_ns(a);
}

/* lvt_timer_write - the timer LVT changes from @old to @new at now_ns (11.5.4.1). */
static void lvt_timer_write(struct vlapic *a, uint32_t old, uint32_t new_lvt)
{
	uint32_t om = old & VLAPIC_TIMER_MODE_MASK, nm = new_lvt & VLAPIC_TIMER_MODE_MASK;

	if ((om == VLAPIC_TIMER_TSCDL) != (nm == VLAPIC_TIMER_TSCDL)) {
		/* Switching to or from TSC-deadline disarms the timer. */
		a->lvt[LVT_TIMER] = new_lvt;
		a->timer_init = 0;
		a->tsc_deadline = 0;
		timer_start(a, 0);
		return;
	}
	if (om != nm)
		timer_rebase(a);	/* one-shot <-> periodic: count on */
	a->lvt[LVT_TIMER] = new_lvt;
}

static uint64_t tsc_ns(uint64_t ticks, uint64_t hz)
{
	uint64_t q = ticks / hz, r = ticks % hz;

	if (q >= UINT64_MAX / NS_PER_S)
		return UINT64_MAX;
	return q * NS_PER_S + (r * NS_PER_S + hz - 1) / hz;
}

int vlapic_tsc_deadline_msr(struct vlapic *a, bool write, uint64_t *val)
{
	uint64_t tsc, hz = a->cfg.tsc_hz ? a->cfg.tsc_hz : NS_PER_S, dl;

	if (!a->cfg.tsc_deadline || !val)
		return -SV_EINVAL;
	sync_clock(a);
	if (!write) {
		*val = timer_mode(a) == VLAPIC_TIMER_TSCDL ? a->tsc_deadline : 0;
		return 0;
	}
	if (timer_mode(a) != VLAPIC_TIMER_TSCDL || !vlapic_hw_enabled(a))
		return 0;
	a->tsc_deadline = *val;
	if (!*val)
		return 0;
	tsc = a->cfg.tsc ? a->cfg.tsc(a->cfg.ctx) : 0;
	dl = *val <= tsc ? 0 : tsc_ns(*val - tsc, hz);
	a->tsc_deadline_ns = dl > UINT64_MAX - a->now_ns ? UINT64_MAX - 1 : a->now_ns + dl;
	timer_sync(a);
	return 0;
}

/* ---- Interrupt command register (11.6) ---- */

bool vlapic_match_dest(const struct vlapic *a, uint32_t dest, bool logical, bool x2)
{
	uint32_t ldr;

	if (!vlapic_hw_enabled(a))
		return false;
	if (vlapic_x2apic_mode(a)) {
		if (dest == X2APIC_BROADCAST || (!x2 && dest == XAPIC_BROADCAST))
			return true;
		if (!logical)
			return dest == a->cfg.apic_id;
		ldr = x2apic_ldr(a);
		/* 11.12.10.2: cluster in bits 31-16, a bit mask in 15-0. */
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	}
	dest &= 0xff;
	if (dest == XAPIC_BROADCAST)
		return true;
	if (!logical)
		return dest == a->xapic_id;
	ldr = a->ldr >> 24;
	if ((a->dfr >> 28) == 0xf)	/* flat model: a bit mask (11.6.2.2) */
		return dest & ldr;
	/* Cluster model: cluster in bits 7-4, members in 3-0. */
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
}

/* send_ipi - the ICR was written: deliver our own share, hand the rest to cfg.ipi. */
static void send_ipi(struct vlapic *a, uint32_t lo, uint32_t dest)
{
	struct vlapic_ipi m = {
		.src_id = vlapic_id(a),
		.dest = dest,
		.vector = (uint8_t)(lo & 0xff),
		.mode = (uint8_t)((lo >> 8) & 7),
		.shorthand = (uint8_t)((lo >> ICR_SH_SHIFT) & 3),
		.logical = lo & ICR_DEST_MODE,
		.level = lo & ICR_TRIGGER,
		.assert = lo & ICR_ASSERT,
		.x2apic = vlapic_x2apic_mode(a),
	};
	uint32_t bcast = m.x2apic ? X2APIC_BROADCAST : XAPIC_BROADCAST;
	bool others;

	a->ipis++;
	if (m.mode == 3 || m.mode == VLAPIC_DM_EXTINT) {
		a->ignored++;	/* 011 and 111 are reserved in the ICR (11.6.1) */
		return;
	}
	if ((m.mode == VLAPIC_DM_FIXED || m.mode == VLAPIC_DM_LOWEST) && m.vector < 16)
		raise_error(a, VLAPIC_ESR_SEND_ILLEGAL);
	switch (m.shorthand) {
	case VLAPIC_SH_SELF:
		m.to_self = true;
		others = false;
		break;
	case VLAPIC_SH_ALL:
		m.to_self = others = true;
		break;
	case VLAPIC_SH_OTHERS:
		m.to_self = false;
		others = true;
		break;
	default:
		m.to_self = vlapic_match_dest(a, dest, m.logical, m.x2apic);
		/* IDs are unique: a physical ID of our own reaches nobody else. */
		others = m.logical || dest == bcast || dest != vlapic_id(a);
		break;
	}
	if (m.to_self) {
		if (m.mode == VLAPIC_DM_FIXED ||
		    (m.mode == VLAPIC_DM_LOWEST && m.shorthand == VLAPIC_SH_SELF)) {
			vlapic_accept(a, VLAPIC_DM_FIXED, m.vector, m.level);
			m.self_done = true;
		} else if (m.mode == VLAPIC_DM_NMI) {
			raise_nmi(a);
			m.self_done = true;
		}
	}
	if ((others || (m.to_self && !m.self_done)) && a->cfg.ipi)
		a->cfg.ipi(a->cfg.ctx, &m);
}

/* ---- Registers ---- */

static void lapic_reset(struct vlapic *a, bool keep_id)
{
	uint32_t id = a->xapic_id;

	a->xapic_id = keep_id ? id : (a->cfg.apic_id & 0xff);
	a->tpr = a->ldr = a->esr = a->esr_pending = 0;
	a->esr_armed = true;
	a->icr_lo = a->icr_hi = 0;
	a->dfr = 0xffffffff;
	a->svr = 0xff;
	for (int i = 0; i < VLAPIC_NR_LVT; i++)
		a->lvt[i] = VLAPIC_LVT_MASKED;
	memset(a->irr, 0, sizeof(a->irr));
	memset(a->isr, 0, sizeof(a->isr));
	memset(a->tmr, 0, sizeof(a->tmr));
	a->timer_init = a->timer_div = 0;
	a->tsc_deadline = a->tsc_deadline_ns = 0;
	timer_start(a, 0);
	a->nmi_pending = false;
}

void vlapic_init(struct vlapic *a, const struct vlapic_config *cfg)
{
	memset(a, 0, sizeof(*a));
	a->cfg = *cfg;
	a->base_msr = VLAPIC_DEFAULT_BASE | VLAPIC_BASE_EN |
		      (cfg->bsp ? VLAPIC_BASE_BSP : 0);
	a->now_ns = cfg->clock ? cfg->clock(cfg->ctx) : 0;
	lapic_reset(a, false);
}

void vlapic_init_signal(struct vlapic *a)
{
	lapic_reset(a, true);
}

void vlapic_virtual_wire(struct vlapic *a)
{
	a->svr = VLAPIC_SVR_ENABLE | 0xff;
	a->lvt[LVT_LINT0] = VLAPIC_DM_EXTINT << 8;
	a->lvt[LVT_LINT1] = VLAPIC_DM_NMI << 8;
}

bool vlapic_mmio_enabled(const struct vlapic *a, uint64_t *base)
{
	if (base)
		*base = a->base_msr & ~0xfffull;
	return vlapic_hw_enabled(a) && !vlapic_x2apic_mode(a);
}

/* svr_write - software disable masks every LVT (11.4.7.2). */
static void svr_write(struct vlapic *a, uint32_t v)
{
	a->svr = v;
	if (v & VLAPIC_SVR_ENABLE)
		return;
	for (int i = 0; i < VLAPIC_NR_LVT; i++)
		a->lvt[i] |= VLAPIC_LVT_MASKED;
}

/* lvt_write - LVT @idx gets @v; read-only bits keep their value. */
static int lvt_write(struct vlapic *a, int idx, uint32_t v, bool x2)
{
	uint32_t valid = lvt_valid(a, idx), old = a->lvt[idx], n;

	if (x2 && (v & ~valid))
		return -SV_EINVAL;
	v &= valid;
	if (!sw_enabled(a))
		v |= VLAPIC_LVT_MASKED;	/* 11.4.7.2: masks cannot be cleared */
	n = (v & ~LVT_RO) | (old & VLAPIC_LVT_REMOTE_IRR);
	if (idx == LVT_TIMER) {
		lvt_timer_write(a, old, n);
		return 0;
	}
	if ((idx == LVT_LINT0 || idx == LVT_LINT1) && !lint_is_level_fixed(n))
		n &= ~VLAPIC_LVT_REMOTE_IRR;	/* only a level fixed LINT has one */
	a->lvt[idx] = n;
	if (idx == LVT_LINT0 || idx == LVT_LINT1)
		lint_level_eval(a, idx - LVT_LINT0);
	return 0;
}

/*
 * reg_read - register at @off (a 16-byte slot of table 11-1) in xAPIC or
 * x2APIC (@x2) form. Returns 0, or -SV_EINVAL: reserved (xAPIC: illegal
 * register address; x2APIC: #GP, also for write-only registers).
 */
static int reg_read(struct vlapic *a, uint32_t off, bool x2, uint64_t *v)
{
	switch (off) {
	case VLAPIC_ID:
		*v = x2 ? a->cfg.apic_id : a->xapic_id << 24;
		return 0;
	case VLAPIC_VER:
		*v = VLAPIC_VERSION | (VLAPIC_NR_LVT - 1) << 16;
		return 0;
	case VLAPIC_TPR:
		*v = a->tpr;
		return 0;
	case VLAPIC_PPR:
		*v = vlapic_ppr(a);
		return 0;
	case VLAPIC_APR:
	case VLAPIC_RRD:
	case VLAPIC_EOI:
		*v = 0;		/* xAPIC: not modelled / write-only */
		return x2 ? -SV_EINVAL : 0;
	case VLAPIC_LDR:
		*v = x2 ? x2apic_ldr(a) : a->ldr;
		return 0;
	case VLAPIC_DFR:
		*v = a->dfr;
		return x2 ? -SV_EINVAL : 0;
	case VLAPIC_SVR:
		*v = a->svr;
		return 0;
	case VLAPIC_ESR:
		*v = a->esr;
		return 0;
	case VLAPIC_ICR_LO:
		/* Delivery status (bit 12) is always idle: a send completes at once. */
		*v = x2 ? (a->icr_lo | (uint64_t)a->icr_hi << 32) : a->icr_lo;
		return 0;
	case VLAPIC_ICR_HI:
		*v = a->icr_hi;
		return x2 ? -SV_EINVAL : 0;
	case VLAPIC_LVT_TIMER: case VLAPIC_LVT_THERMAL: case VLAPIC_LVT_PERF:
	case VLAPIC_LVT_LINT0: case VLAPIC_LVT_LINT1: case VLAPIC_LVT_ERROR:
		*v = a->lvt[(off - VLAPIC_LVT_TIMER) >> 4];
		return 0;
	case VLAPIC_TIMER_INIT:
		*v = a->timer_init;
		return 0;
	case VLAPIC_TIMER_CUR:
		*v = timer_count(a);
		return 0;
	case VLAPIC_TIMER_DIV:
		*v = a->timer_div;
		return 0;
	default:
		break;
	}
	if (off >= VLAPIC_ISR && off < VLAPIC_ISR + 0x80)
		*v = a->isr[(off - VLAPIC_ISR) >> 4];
	else if (off >= VLAPIC_TMR && off < VLAPIC_TMR + 0x80)
		*v = a->tmr[(off - VLAPIC_TMR) >> 4];
	else if (off >= VLAPIC_IRR && off < VLAPIC_IRR + 0x80)
		*v = a->irr[(off - VLAPIC_IRR) >> 4];
	else
		return -SV_EINVAL;	/* reserved, CMCI, SELF_IPI (write-only) */
	return 0;
}

/* read_only - @off is a register reg_read accepts and writes never change. */
static bool read_only(uint32_t off)
{
	return off == VLAPIC_VER || off == VLAPIC_PPR || off == VLAPIC_APR ||
	       off == VLAPIC_RRD || off == VLAPIC_TIMER_CUR ||
	       (off >= VLAPIC_ISR && off < VLAPIC_IRR + 0x80);
}

/*
 * reg_write - write @v to the register at @off. xAPIC: reserved bits are
 * ignored, read-only registers keep their value. x2APIC (@x2): both are a
 * #GP, as are bits 63-32 of anything but the ICR (11.12.1.3).
 */
static int reg_write(struct vlapic *a, uint32_t off, bool x2, uint64_t v)
{
	uint32_t w = (uint32_t)v;

	if (x2 && off != VLAPIC_ICR_LO && (v >> 32))
		return -SV_EINVAL;
	switch (off) {
	case VLAPIC_ID:
		if (x2)
			return -SV_EINVAL;
		a->xapic_id = w >> 24;
		return 0;
	case VLAPIC_TPR:
		if (x2 && (w & ~TPR_VALID))
			return -SV_EINVAL;
		a->tpr = w & TPR_VALID;
		return 0;
	case VLAPIC_EOI:
		if (x2 && w)
			return -SV_EINVAL;	/* 11.12.1.2: non-zero EOI is #GP */
		vlapic_eoi(a);
		return 0;
	case VLAPIC_LDR:
		if (x2)
			return -SV_EINVAL;
		a->ldr = w & 0xff000000;
		return 0;
	case VLAPIC_DFR:
		if (x2)
			return -SV_EINVAL;
		a->dfr = w | 0x0fffffff;	/* bits 0-27 read as ones */
		return 0;
	case VLAPIC_SVR:
		if (x2 && (w & ~SVR_VALID))
			return -SV_EINVAL;
		svr_write(a, w & SVR_VALID);
		return 0;
	case VLAPIC_ESR:
		if (x2 && w)
			return -SV_EINVAL;	/* 11.5.3: only 0 in x2APIC mode */
		/* The write latches the errors since the last write and re-arms. */
		a->esr = a->esr_pending;
		a->esr_pending = 0;
		a->esr_armed = true;
		return 0;
	case VLAPIC_ICR_LO:
		if (x2) {
			/* Bits 13, 16-17, 20-31 reserved; 12 (status) ignored. */
			if (w & ~ICR_VALID)
				return -SV_EINVAL;
			a->icr_hi = (uint32_t)(v >> 32);
			a->icr_lo = w & ICR_VALID & ~VLAPIC_LVT_PENDING;
			send_ipi(a, a->icr_lo, a->icr_hi);
		} else {
			a->icr_lo = w & ICR_VALID & ~VLAPIC_LVT_PENDING;
			send_ipi(a, a->icr_lo, a->icr_hi >> 24);
		}
		return 0;
	case VLAPIC_ICR_HI:
		if (x2)
			return -SV_EINVAL;
		a->icr_hi = w & 0xff000000;
		return 0;
	case VLAPIC_LVT_TIMER: case VLAPIC_LVT_THERMAL: case VLAPIC_LVT_PERF:
	case VLAPIC_LVT_LINT0: case VLAPIC_LVT_LINT1: case VLAPIC_LVT_ERROR:
		return lvt_write(a, (int)((off - VLAPIC_LVT_TIMER) >> 4), w, x2);
	case VLAPIC_TIMER_INIT:
		/* 11.5.4.1: ignored in TSC-deadline mode; 0 stops the timer. */
		if (timer_mode(a) != VLAPIC_TIMER_TSCDL) {
			a->timer_init = w;
			timer_start(a, w);
		}
		return 0;
	case VLAPIC_TIMER_DIV:
		if (x2 && (w & ~DIV_VALID))
			return -SV_EINVAL;
		timer_rebase(a);
		a->timer_div = w & DIV_VALID;
		return 0;
	case VLAPIC_SELF_IPI:
		/* x2APIC only: a fixed, edge, self-directed vector (11.12.11). */
		if (!x2 || (w & ~0xffu))
			return -SV_EINVAL;
		send_ipi(a, w | VLAPIC_SH_SELF << ICR_SH_SHIFT, 0);
		return 0;
	default:
		if (read_only(off))
			return x2 ? -SV_EINVAL : 0;
		return -SV_EINVAL;
	}
}

int vlapic_mmio(struct vlapic *a, uint32_t offset, unsigned size, bool write,
		uint32_t *val)
{
	uint64_t v = 0;
	int r;

	if (offset >= 4096 || !val)
		return -SV_EINVAL;
	if (!vlapic_mmio_enabled(a, NULL))
		return -SV_ENOENT;
	sync_clock(a);
	/* 11.4.1: registers are 32-bit loads/stores at 16-byte aligned offsets. */
	if (size != 4 || (offset & 0xf)) {
		a->bad_accesses++;
		if (!write)
			*val = 0;
		return 0;
	}
	if (write) {
		r = reg_write(a, offset, false, *val);
	} else {
		r = reg_read(a, offset, false, &v);
		*val = r ? 0 : (uint32_t)v;
	}
	if (r) {
		a->bad_accesses++;
		raise_error(a, VLAPIC_ESR_ILLEGAL_REG);
	}
	return 0;
}

int vlapic_msr(struct vlapic *a, uint32_t msr, bool write, uint64_t *val)
{
	if (msr < VLAPIC_MSR_X2APIC_FIRST || msr > VLAPIC_MSR_X2APIC_LAST || !val)
		return -SV_EINVAL;
	if (!vlapic_x2apic_mode(a))
		return -SV_EINVAL;
	sync_clock(a);
	if (write)
		return reg_write(a, (msr - VLAPIC_MSR_X2APIC_FIRST) << 4, true, *val);
	return reg_read(a, (msr - VLAPIC_MSR_X2APIC_FIRST) << 4, true, val);
}

enum apic_state { ST_DISABLED, ST_XAPIC, ST_X2APIC, ST_INVALID };

static enum apic_state base_state(uint64_t v)
{
	if (!(v & VLAPIC_BASE_EN))
		return v & VLAPIC_BASE_EXTD ? ST_INVALID : ST_DISABLED;
	return v & VLAPIC_BASE_EXTD ? ST_X2APIC : ST_XAPIC;
}

int vlapic_base_msr(struct vlapic *a, bool write, uint64_t *val,
		    unsigned maxphyaddr)
{
	uint64_t rsvd, v;
	enum apic_state from, to;

	if (!val)
		return -SV_EINVAL;
	if (!write) {
		*val = a->base_msr;
		return 0;
	}
	v = *val;
	rsvd = 0xffull | 1ull << 9 | (a->cfg.x2apic ? 0 : VLAPIC_BASE_EXTD);
	if (maxphyaddr < 64)
		rsvd |= ~0ull << maxphyaddr;
	if (v & rsvd)
		return -SV_EINVAL;
	from = base_state(a->base_msr);
	to = base_state(v);
	/* SDM 11.12.5 figure 11-27: x2APIC leaves only to disabled; disabled enters only xAPIC. */
	if (to == ST_INVALID || (from == ST_X2APIC && to == ST_XAPIC) ||
	    (from == ST_DISABLED && to == ST_X2APIC))
		return -SV_EINVAL;
	sync_clock(a);
	a->base_msr = (v & ~VLAPIC_BASE_BSP) | (a->base_msr & VLAPIC_BASE_BSP);
	/* 11.4.3: a global disable may lose the state: back to power-up. */
	if (to == ST_DISABLED && from != ST_DISABLED)
		lapic_reset(a, false);
	return 0;
}

/* The APIC behind the VM core's interrupt-controller interface (drivers/intc.h). */
static bool extint_pending(const struct vlapic *a, uint8_t *vector)
{
	return a->cfg.extint && vlapic_extint_wired(a) &&
	       intc_pending(a->cfg.extint, vector);
}

static bool intc_pending_fn(const void *chip, uint8_t *vector)
{
	const struct vlapic *a = chip;
	uint8_t v;

	if (extint_pending(a, &v) || vlapic_pending(a, &v)) {
		if (vector)
			*vector = v;
		return true;
	}
	return false;
}

static uint8_t intc_ack_fn(void *chip)
{
	struct vlapic *a = chip;
	uint8_t v;

	/* ExtINT bypasses IRR/ISR: the 8259 runs its own INTA (11.5.1). */
	if (extint_pending(a, &v))
		return intc_ack(a->cfg.extint);
	return vlapic_ack(a);
}

static void intc_set_line_fn(void *chip, unsigned line, int level)
{
	vlapic_lint(chip, (int)line, level);
}

static bool intc_nmi_pending_fn(const void *chip)
{
	return vlapic_nmi_pending(chip);
}

static void intc_nmi_ack_fn(void *chip)
{
	vlapic_nmi_ack(chip);
}

const struct intc_ops vlapic_intc_ops = {
	.pending = intc_pending_fn,
	.ack = intc_ack_fn,
	.eoi = NULL,	/* the guest writes the EOI register */
	.set_line = intc_set_line_fn,
	.nmi_pending = intc_nmi_pending_fn,
	.nmi_ack = intc_nmi_ack_fn,
};
