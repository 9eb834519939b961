// SPDX-License-Identifier: MIT
/*
 * vpic.c - a virtual 8259A PIC pair with ELCR, for event injection.
 *
 * Facts from the Intel 8259A datasheet: initialisation (ICW1 with A0=0 and
 * D4=1 restarts the sequence, clears IMR and the edge-sense latches; ICW2
 * vector base T7-T3; ICW3 unless SNGL; ICW4 if IC4 with AEOI and SFNM),
 * operation command words (OCW1 = IMR; OCW2 EOI kinds by R/SL/EOI bits; OCW3
 * RR/RIS register select, P poll, ESMM/SMM special mask), fully nested
 * priority with IR0 highest, the INTA sequence moving IRR to ISR, and the
 * spurious IR7 when a request vanishes before INTA. ELCR at 0x4d0/0x4d1 is
 * the PIIX/ICH edge/level control (IRQ 0, 1, 2, 8 and 13 stay edge).
 *
 * Special fully nested mode (ICW4.SFNM on the master) lets the slave's own
 * priority decide nesting while master IR2 is in service.
 *
 * Not modelled: priority rotation (OCW2 rotate commands act as their plain
 * EOI; set-priority is ignored), 8080 mode and buffered mode (ICW4 bits ignored), cascade wiring other
 * than the PC's (ICW3 recorded only).
 */
#include <stddef.h>
#include <string.h>

#include "drivers/vpic.h"
#include "mm/errno.h"

#define ICW1_IC4	0x01
#define ICW1_SNGL	0x02
#define ICW1_LTIM	0x08
#define ICW1_INIT	0x10
#define ICW4_AEOI	0x02
#define ICW4_SFNM	0x10
#define OCW3_SEL	0x08	/* D4=0, D3=1: OCW3; D3=0: OCW2 */
#define OCW3_RIS	0x01
#define OCW3_RR		0x02
#define OCW3_P		0x04
#define OCW3_SMM	0x20
#define OCW3_ESMM	0x40

/* level_inputs - the inputs of @c that are level-triggered. */
static uint8_t level_inputs(const struct vpic_chip *c)
{
	return c->ltim ? 0xff : c->elcr;
}

/* chip_irr - the request register of @c as its priority logic sees it. */
static uint8_t chip_irr(const struct vpic_chip *c)
{
	uint8_t lvl = level_inputs(c);

	return (uint8_t)((c->irr & ~lvl) | (c->pins & lvl));
}

/*
 * chip_winner - the input @c would present on INTA given requests @irr:
 * the highest-priority unmasked request not blocked by an in-service level
 * of higher or equal priority. Returns 0..7, or -1 when INT is low.
 */
static int chip_winner(const struct vpic_chip *c, uint8_t irr)
{
	uint8_t req = irr & (uint8_t)~c->imr;
	int irq;

	if (c->special_mask) {
		/* SMM: every unmasked level not in service may interrupt. */
		req &= (uint8_t)~c->isr;
		return req ? __builtin_ctz(req) : -1;
	}
	if (!req)
		return -1;
	irq = __builtin_ctz(req);
	if (!c->isr || __builtin_ctz(c->isr) > irq)
		return irq;
	/* SFNM: a slave may nest a higher request of its own (cascade == ISR). */
	if (c->sfnm && __builtin_ctz(c->isr) == irq && ((c->cascade >> irq) & 1))
		return irq;
	return -1;
}

/* chip_input - drive input @irq of @c to @level (edges latch in IRR). */
static void chip_input(struct vpic_chip *c, unsigned irq, int level)
{
	uint8_t bit = (uint8_t)(1u << irq);

	if (level) {
		if (!(c->pins & bit) && !(level_inputs(c) & bit))
			c->irr |= bit;	/* edge: latch the 0->1 transition */
		c->pins |= bit;
	} else {
		c->pins &= (uint8_t)~bit;
	}
}

/*
 * cascade_sync - the slave's INT output drives master IR2 like any other
 * input: an edge is latched by the master and stays requested if the
 * slave's request goes away (which then makes a spurious IRQ15 on INTA).
 */
static void cascade_sync(struct vpic *pic)
{
	const struct vpic_chip *s = &pic->chip[1];

	chip_input(&pic->chip[0], VPIC_CASCADE_IRQ,
		   chip_winner(s, chip_irr(s)) >= 0);
}

/* chip_take - INTA on @c for input @irq: IRR -> ISR (unless auto-EOI). */
static void chip_take(struct vpic_chip *c, int irq)
{
	c->irr &= (uint8_t)~(1u << irq);
	if (!c->auto_eoi)
		c->isr |= (uint8_t)(1u << irq);
}

static void chip_reset(struct vpic_chip *c, uint8_t base, uint8_t elcr_mask)
{
	memset(c, 0, sizeof(*c));
	c->vector_base = base;
	c->imr = 0xff;
	c->elcr_mask = elcr_mask;
}

void vpic_init(struct vpic *pic)
{
	memset(pic, 0, sizeof(*pic));
	/*
	 * Guests start without firmware, so the state is what a PC BIOS leaves:
	 * vectors 0x08/0x70, cascade set up, every input masked.
	 */
	chip_reset(&pic->chip[0], 0x08, 0xf8);
	chip_reset(&pic->chip[1], 0x70, 0xde);
	pic->chip[0].cascade = 1u << VPIC_CASCADE_IRQ;
	pic->chip[1].cascade = VPIC_CASCADE_IRQ;
	pic->chip[0].icw4_needed = pic->chip[1].icw4_needed = true;
}

void vpic_ranges(struct vpic *pic, struct vio_range r[VPIC_NRANGES])
{
	r[0] = (struct vio_range){ VPIC_MASTER_PORT, 2, vpic_io, pic };
	r[1] = (struct vio_range){ VPIC_SLAVE_PORT, 2, vpic_io, pic };
	r[2] = (struct vio_range){ VPIC_ELCR_PORT, 2, vpic_io, pic };
}

void vpic_set_irq(struct vpic *pic, unsigned irq, int level)
{
	if (irq > 15 || irq == VPIC_CASCADE_IRQ)
		return;
	chip_input(&pic->chip[irq >> 3], irq & 7, level);
	cascade_sync(pic);
}

bool vpic_pending(const struct vpic *pic, uint8_t *vector)
{
	const struct vpic_chip *s = &pic->chip[1];
	int m = chip_winner(&pic->chip[0], chip_irr(&pic->chip[0])), sl;
	uint8_t v;

	if (m < 0)
		return false;
	if (m == VPIC_CASCADE_IRQ) {
		sl = chip_winner(s, chip_irr(s));
		v = (uint8_t)(s->vector_base + (sl < 0 ? 7 : sl));
	} else {
		v = (uint8_t)(pic->chip[0].vector_base + m);
	}
	if (vector)
		*vector = v;
	return true;
}

uint8_t vpic_ack(struct vpic *pic)
{
	struct vpic_chip *mc = &pic->chip[0], *s = &pic->chip[1];
	int m = chip_winner(mc, chip_irr(&pic->chip[0])), sl;

	if (m < 0) {
		pic->spurious++;
		return (uint8_t)(mc->vector_base + 7);
	}
	pic->acks++;
	if (m != VPIC_CASCADE_IRQ) {
		chip_take(mc, m);
		return (uint8_t)(mc->vector_base + m);
	}
	sl = chip_winner(s, chip_irr(s));
	chip_take(mc, VPIC_CASCADE_IRQ);
	/*
	 * The slave's INT drops for the INTA cycle; if it is still asserted
	 * afterwards (auto-EOI, a higher request) the master sees a new edge.
	 */
	chip_input(mc, VPIC_CASCADE_IRQ, 0);
	if (sl < 0) {
		/* The master's IR2 stays in service, as on the real pair. */
		pic->acks--;
		pic->spurious++;
		cascade_sync(pic);
		return (uint8_t)(s->vector_base + 7);
	}
	chip_take(s, sl);
	cascade_sync(pic);
	return (uint8_t)(s->vector_base + sl);
}

/* ocw2 - an end-of-interrupt command; rotation is treated as plain EOI. */
static void ocw2(struct vpic_chip *c, uint8_t val)
{
	switch (val >> 5) {
	case 1:	/* non-specific EOI */
	case 5:	/* rotate on non-specific EOI */
		if (c->isr)
			c->isr &= (uint8_t)(c->isr - 1);	/* highest priority */
		break;
	case 3:	/* specific EOI */
	case 7:	/* rotate on specific EOI */
		c->isr &= (uint8_t)~(1u << (val & 7));
		break;
	default:	/* rotate in AEOI set/clear, set priority, no-op */
		break;
	}
}

/* chip_write - a write to command (@a0 = 0) or data (@a0 = 1) port of chip @n. */
static void chip_write(struct vpic *pic, int n, int a0, uint8_t val)
{
	struct vpic_chip *c = &pic->chip[n];

	if (!a0 && (val & ICW1_INIT)) {
		c->irr = c->isr = c->imr = 0;
		/* Edge sense reset: a high input needs a new 0->1 transition. */
		c->special_mask = c->read_isr = c->poll = false;
		c->auto_eoi = c->sfnm = false;
		c->icw4_needed = val & ICW1_IC4;
		c->single = val & ICW1_SNGL;
		c->ltim = val & ICW1_LTIM;
		c->icw_step = 2;
		return;
	}
	if (!a0) {
		if (!(val & OCW3_SEL)) {
			ocw2(c, val);
			return;
		}
		if (val & OCW3_RR)
			c->read_isr = val & OCW3_RIS;
		c->poll = val & OCW3_P;
		if (val & OCW3_ESMM)
			c->special_mask = val & OCW3_SMM;
		return;
	}
	switch (c->icw_step) {
	case 2:
		c->vector_base = val & 0xf8;
		c->icw_step = c->single ? (c->icw4_needed ? 4 : 0) : 3;
		break;
	case 3:
		c->cascade = val;
		c->icw_step = c->icw4_needed ? 4 : 0;
		break;
	case 4:
		c->auto_eoi = val & ICW4_AEOI;
		c->sfnm = val & ICW4_SFNM;
		c->icw_step = 0;
		break;
	default:
		c->imr = val;	/* OCW1 */
		break;
	}
}

/* chip_poll - an OCW3 poll read: 0x80 | level with the INTA done, or 0. */
static uint8_t chip_poll(struct vpic *pic, int n)
{
	struct vpic_chip *c = &pic->chip[n];
	int irq = chip_winner(c, chip_irr(c));

	c->poll = false;
	if (irq < 0)
		return 0;
	chip_take(c, irq);
	return (uint8_t)(0x80 | irq);
}

/* chip_read - a read of chip @n's command (@a0 = 0) or data port. */
static uint8_t chip_read(struct vpic *pic, int n, int a0)
{
	struct vpic_chip *c = &pic->chip[n];

	if (c->poll)
		return chip_poll(pic, n);
	if (a0)
		return c->imr;
	return c->read_isr ? c->isr : chip_irr(c);
}

/* pic_byte - one byte access at @port; false when the port is not ours. */
static bool pic_byte(struct vpic *pic, uint16_t port, bool in, uint8_t *val)
{
	struct vpic_chip *c;

	switch (port) {
	case 0x20: case 0x21: case 0xa0: case 0xa1:
		if (in)
			*val = chip_read(pic, port >= 0xa0, port & 1);
		else
			chip_write(pic, port >= 0xa0, port & 1, *val);
		return true;
	case 0x4d0: case 0x4d1:
		c = &pic->chip[port & 1];
		if (in)
			*val = c->elcr;
		else
			c->elcr = *val & c->elcr_mask;
		return true;
	default:
		return false;
	}
}

int vpic_io(void *dev, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	struct vpic *pic = dev;
	uint32_t out = 0;

	if ((size != 1 && size != 2 && size != 4) || !val)
		return -SV_EINVAL;
	for (unsigned i = 0; i < size; i++) {
		uint8_t b = (uint8_t)(*val >> (8 * i));

		if (!pic_byte(pic, (uint16_t)(port + i), in, &b)) {
			if (i == 0)
				return -SV_EINVAL;
			b = 0xff;	/* an unowned byte lane floats high */
		}
		out |= (uint32_t)b << (8 * i);
	}
	if (in)
		*val = out;
	cascade_sync(pic);
	return 0;
}

/* The PIC behind the VM core's interrupt-controller interface (drivers/intc.h). */
static bool intc_pending_fn(const void *chip, uint8_t *vector)
{
	return vpic_pending(chip, vector);
}

static uint8_t intc_ack_fn(void *chip)
{
	return vpic_ack(chip);
}

static void intc_set_line_fn(void *chip, unsigned line, int level)
{
	vpic_set_irq(chip, line, level);
}

const struct intc_ops vpic_intc_ops = {
	.pending = intc_pending_fn,
	.ack = intc_ack_fn,
	.eoi = NULL,	/* the guest's OCW2 on the command port */
	.set_line = intc_set_line_fn,
};
