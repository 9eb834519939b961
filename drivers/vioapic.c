// SPDX-License-Identifier: MIT
/*
 * vioapic.c - a virtual 82093AA I/O APIC.
 *
 * Facts from the Intel 82093AA I/O APIC datasheet: the indirect register
 * window (IOREGSEL at +0x00 selects, IOWIN at +0x10 reads and writes, both
 * 32-bit), the ID register (bits 24-27), the version register (version
 * 0x11, maximum redirection entry 23 in bits 16-23), the arbitration ID
 * (bits 24-27, loaded when the ID is written), and the 64-bit redirection
 * entries at 0x10 + 2n: vector, delivery mode, destination mode, delivery
 * status (RO), pin polarity, remote IRR (RO; set when a local APIC accepts
 * a level interrupt, cleared by its EOI), trigger mode, mask, destination
 * in bits 56-63. Masked edges are lost; a masked asserted level is
 * delivered once unmasked. NMI, SMI, INIT and ExtINT are edge-only.
 *
 * Delivery is immediate, so delivery status always reads idle. Remote IRR
 * is cleared when an entry is made edge-triggered: Linux's EOI for
 * I/O APICs without an EOI register (version < 0x20) relies on it, by
 * switching the masked entry to edge and back.
 */
#include <stddef.h>
#include <string.h>

#include "drivers/vioapic.h"
#include "mm/errno.h"

#define DM_FIXED	0
#define DM_LOWEST	1
/* Writable bits of the low dword: vector, mode, dest mode, polarity, trigger, mask. */
#define RTE_LO_RW	(0xfffull | VIOAPIC_RTE_ACTIVE_LOW | VIOAPIC_RTE_LEVEL | \
			 VIOAPIC_RTE_MASKED)
#define RTE_HI_RW	(0xffull << VIOAPIC_RTE_DEST_SHIFT)

static unsigned rte_mode(uint64_t rte)
{
	return (unsigned)(rte >> VIOAPIC_RTE_DM_SHIFT) & 7;
}

/* rte_level - the entry behaves level-triggered: only fixed and lowest priority can. */
static bool rte_level(uint64_t rte)
{
	unsigned m = rte_mode(rte);

	return (rte & VIOAPIC_RTE_LEVEL) && (m == DM_FIXED || m == DM_LOWEST);
}

/* asserted - pin @pin is active after its entry's polarity. */
static bool asserted(const struct vioapic *io, unsigned pin)
{
	bool high = (io->pins >> pin) & 1;

	return high != !!(io->rte[pin] & VIOAPIC_RTE_ACTIVE_LOW);
}

/* send - deliver entry @pin's message (remote IRR is set first for a level entry). */
static void send(struct vioapic *io, unsigned pin)
{
	uint64_t rte = io->rte[pin];
	unsigned m = rte_mode(rte);

	if (m == 3 || m == 6)
		return;		/* reserved delivery modes */
	if (rte_level(rte))
		io->rte[pin] |= VIOAPIC_RTE_REMOTE_IRR;
	io->deliveries++;
	if (io->deliver)
		io->deliver(io->ctx, (uint8_t)(rte >> VIOAPIC_RTE_DEST_SHIFT),
			    rte & VIOAPIC_RTE_LOGICAL, (uint8_t)m,
			    (uint8_t)(rte & VIOAPIC_RTE_VECTOR), rte_level(rte));
}

/* level_eval - a level entry requests while asserted, unmasked and without remote IRR. */
static void level_eval(struct vioapic *io, unsigned pin)
{
	uint64_t rte = io->rte[pin];

	if (rte_level(rte) && asserted(io, pin) &&
	    !(rte & (VIOAPIC_RTE_MASKED | VIOAPIC_RTE_REMOTE_IRR)))
		send(io, pin);
}

void vioapic_set_irq(struct vioapic *io, unsigned pin, int level)
{
	bool was;

	if (pin >= VIOAPIC_PINS)
		return;
	was = asserted(io, pin);
	if (level)
		io->pins |= 1u << pin;
	else
		io->pins &= ~(1u << pin);
	if (rte_level(io->rte[pin])) {
		level_eval(io, pin);
		return;
	}
	if (was || !asserted(io, pin))
		return;
	if (io->rte[pin] & VIOAPIC_RTE_MASKED)
		io->masked_edges++;
	else
		send(io, pin);
}

void vioapic_eoi(struct vioapic *io, uint8_t vector)
{
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
		uint64_t rte = io->rte[pin];

		if (!(rte & VIOAPIC_RTE_REMOTE_IRR) ||
		    (rte & VIOAPIC_RTE_VECTOR) != vector)
			continue;
		io->rte[pin] &= ~VIOAPIC_RTE_REMOTE_IRR;
		io->eois++;
		level_eval(io, pin);
	}
}

/* rte_write - the guest writes one half of entry @pin. */
static void rte_write(struct vioapic *io, unsigned pin, bool high, uint32_t w)
{
	uint64_t rte = io->rte[pin];

	if (high) {
		io->rte[pin] = (rte & ~RTE_HI_RW) | ((uint64_t)w << 32 & RTE_HI_RW);
		return;
	}
	rte = (rte & ~RTE_LO_RW) | (w & RTE_LO_RW);
	if (!rte_level(rte))
		rte &= ~VIOAPIC_RTE_REMOTE_IRR;
	io->rte[pin] = rte;
	level_eval(io, pin);	/* an unmasked, still asserted level line requests */
}

static uint32_t reg_read(struct vioapic *io, uint8_t reg)
{
	unsigned pin;

	switch (reg) {
	case VIOAPIC_REG_ID:
		return (uint32_t)io->id << 24;
	case VIOAPIC_REG_VER:
		return (uint32_t)(VIOAPIC_PINS - 1) << 16 | VIOAPIC_VERSION;
	case VIOAPIC_REG_ARB:
		return (uint32_t)io->arb << 24;
	default:
		break;
	}
	if (reg < VIOAPIC_REG_REDTBL || reg >= VIOAPIC_REG_REDTBL + 2 * VIOAPIC_PINS) {
		io->bad_accesses++;
		return 0;
	}
	pin = (reg - VIOAPIC_REG_REDTBL) / 2;
	return (uint32_t)(io->rte[pin] >> ((reg & 1) ? 32 : 0));
}

static void reg_write(struct vioapic *io, uint8_t reg, uint32_t w)
{
	switch (reg) {
	case VIOAPIC_REG_ID:
		io->id = (uint8_t)((w >> 24) & 0xf);
		io->arb = io->id;
		return;
	case VIOAPIC_REG_VER:
	case VIOAPIC_REG_ARB:
		return;		/* read-only */
	default:
		break;
	}
	if (reg < VIOAPIC_REG_REDTBL || reg >= VIOAPIC_REG_REDTBL + 2 * VIOAPIC_PINS) {
		io->bad_accesses++;
		return;
	}
	rte_write(io, (unsigned)(reg - VIOAPIC_REG_REDTBL) / 2, reg & 1, w);
}

int vioapic_mmio(struct vioapic *io, uint32_t offset, unsigned size,
		 bool write, uint32_t *val)
{
	if (offset >= 4096 || !val)
		return -SV_EINVAL;
	if (size != 4 || (offset != VIOAPIC_IOREGSEL && offset != VIOAPIC_IOWIN)) {
		io->bad_accesses++;
		if (!write)
			*val = 0;
		return 0;
	}
	if (offset == VIOAPIC_IOREGSEL) {
		if (write)
			io->ioregsel = (uint8_t)*val;	/* bits 8-31 reserved */
		else
			*val = io->ioregsel;
		return 0;
	}
	if (write)
		reg_write(io, io->ioregsel, *val);
	else
		*val = reg_read(io, io->ioregsel);
	return 0;
}

uint64_t vioapic_rte(const struct vioapic *io, unsigned pin)
{
	return pin < VIOAPIC_PINS ? io->rte[pin] : 0;
}

unsigned vioapic_isa_pin(unsigned irq)
{
	if (irq == 0)
		return VIOAPIC_PIN_PIT;
	if (irq == 2 || irq >= VIOAPIC_PINS)
		return VIOAPIC_NO_PIN;
	return irq;
}

void vioapic_init(struct vioapic *io, uint8_t id, vioapic_deliver_fn deliver,
		  void *ctx)
{
	memset(io, 0, sizeof(*io));
	io->id = id & 0xf;
	io->arb = io->id;
	io->deliver = deliver;
	io->ctx = ctx;
	for (unsigned i = 0; i < VIOAPIC_PINS; i++)
		io->rte[i] = VIOAPIC_RTE_MASKED;
}

/* The I/O APIC behind the VM core's interrupt-controller interface (drivers/intc.h). */
static bool intc_pending_fn(const void *chip, uint8_t *vector)
{
	(void)chip;
	(void)vector;
	return false;	/* the local APICs interrupt the vCPUs */
}

static uint8_t intc_ack_fn(void *chip)
{
	(void)chip;
	return 0;
}

static void intc_eoi_fn(void *chip, uint8_t vector)
{
	vioapic_eoi(chip, vector);
}

static void intc_set_line_fn(void *chip, unsigned line, int level)
{
	vioapic_set_irq(chip, vioapic_isa_pin(line), level);
}

const struct intc_ops vioapic_intc_ops = {
	.pending = intc_pending_fn,
	.ack = intc_ack_fn,
	.eoi = intc_eoi_fn,
	.set_line = intc_set_line_fn,
};
