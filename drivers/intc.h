/* SPDX-License-Identifier: MIT */
/*
 * intc.h - an interrupt controller as the VM core sees it: one interface
 * for the 8259 pair today and the local APIC and I/O APIC next.
 *
 * Devices drive input lines (set_line); the VM core asks the controller
 * that interrupts a vCPU for its highest pending vector (pending) before
 * each entry, runs the INTA cycle (ack) exactly once per vector it
 * injects, and passes an end of interrupt on where the controller learns
 * it from elsewhere (eoi: the I/O APIC from the local APIC's EOI register;
 * NULL where the guest writes the EOI to the controller itself, as the
 * 8259's OCW2). A local APIC also raises NMIs (nmi_pending, nmi_ack). The
 * controllers are polled; there are no callbacks.
 */
#ifndef SV_DRIVERS_INTC_H
#define SV_DRIVERS_INTC_H

#include <stdbool.h>
#include <stdint.h>

struct intc_ops {
	/* pending - true when the controller asserts an interrupt; *vector gets what ack would return. */
	bool (*pending)(const void *chip, uint8_t *vector);
	/* ack - the INTA cycle: the vector to deliver now; it becomes in service. */
	uint8_t (*ack)(void *chip);
	/* eoi - the end of interrupt @vector, signalled outside the controller (may be NULL). */
	void (*eoi)(void *chip, uint8_t vector);
	/* set_line - drive input line @line to @level (0/1). */
	void (*set_line)(void *chip, unsigned line, int level);
	/* nmi_pending - an NMI waits for delivery (NULL: the controller raises none). */
	bool (*nmi_pending)(const void *chip);
	/* nmi_ack - the pending NMI was injected. */
	void (*nmi_ack)(void *chip);
};

struct intc {
	const struct intc_ops *ops;
	void *chip;
};

static inline bool intc_pending(const struct intc *c, uint8_t *vector)
{
	return c->ops->pending(c->chip, vector);
}

static inline uint8_t intc_ack(const struct intc *c)
{
	return c->ops->ack(c->chip);
}

static inline void intc_eoi(const struct intc *c, uint8_t vector)
{
	if (c->ops->eoi)
		c->ops->eoi(c->chip, vector);
}

static inline bool intc_nmi_pending(const struct intc *c)
{
	return c->ops->nmi_pending && c->ops->nmi_pending(c->chip);
}

static inline void intc_nmi_ack(const struct intc *c)
{
	c->ops->nmi_ack(c->chip);
}

static inline void intc_set_line(const struct intc *c, unsigned line, int level)
{
	c->ops->set_line(c->chip, line, level);
}

#endif
