/* SPDX-License-Identifier: MIT */
/*
 * vpic.h - a virtual 8259A PIC pair (master 0x20/0x21, slave 0xa0/0xa1,
 * cascaded on IRQ2) plus the ELCR edge/level registers at 0x4d0/0x4d1.
 *
 * The interrupt path, designed for unmodified OSes: devices drive input
 * lines with vpic_set_irq(); the VM core, after every exit that may have
 * changed device state (and before each VM entry), asks vpic_pending(). If
 * it returns true and the vCPU can take an external interrupt (RFLAGS.IF,
 * no STI/MOV SS shadow), the core calls vpic_ack() - the INTA cycle - and
 * injects the vector it returns; otherwise it requests an interrupt-window
 * exit and tries again then. vpic_ack() is called exactly once per injected
 * vector, never speculatively. There are no callbacks: the PIC is polled.
 */
#ifndef SV_DRIVERS_VPIC_H
#define SV_DRIVERS_VPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/intc.h"
#include "drivers/vio.h"

#define VPIC_MASTER_PORT	0x20	/* 0x20 command, 0x21 data */
#define VPIC_SLAVE_PORT		0xa0	/* 0xa0 command, 0xa1 data */
#define VPIC_ELCR_PORT		0x4d0	/* 0x4d0 master ELCR, 0x4d1 slave */
#define VPIC_CASCADE_IRQ	2	/* the slave's INT drives master IR2 */

/* One 8259A. */
struct vpic_chip {
	uint8_t irr;		/* latched edge requests (level ones come from pins) */
	uint8_t isr;		/* in service */
	uint8_t imr;		/* masked (OCW1) */
	uint8_t pins;		/* current input line levels */
	uint8_t elcr;		/* 1 = level-triggered input (ELCR) */
	uint8_t elcr_mask;	/* ELCR bits that may be set on a PC */
	uint8_t vector_base;	/* ICW2 & 0xf8 */
	uint8_t icw_step;	/* 0 = operational; 2, 3, 4 = next ICW expected */
	uint8_t cascade;	/* ICW3 (master: inputs with a slave; PC wiring assumed) */
	bool icw4_needed;	/* ICW1.IC4 */
	bool single;		/* ICW1.SNGL: no ICW3 */
	bool ltim;		/* ICW1.LTIM: every input level-triggered */
	bool auto_eoi;		/* ICW4.AEOI */
	bool sfnm;		/* ICW4.SFNM: special fully nested (master) */
	bool read_isr;		/* OCW3: a command-port read returns ISR, else IRR */
	bool poll;		/* OCW3.P: the next command-port read is a poll */
	bool special_mask;	/* OCW3 SMM */
};

struct vpic {
	struct vpic_chip chip[2];	/* [0] master, [1] slave */
	uint64_t spurious;		/* INTA cycles that found nothing (IRQ7/15) */
	uint64_t acks;			/* vectors handed out by vpic_ack */
};

#define VPIC_NRANGES	3

/* vpic_ranges - fill @r with the PIC's port ranges (all go to vpic_io). */
void vpic_ranges(struct vpic *pic, struct vio_range r[VPIC_NRANGES]);

/* vpic_init - both chips as after power-on: uninitialised, base 0x08/0x70. */
void vpic_init(struct vpic *pic);

/*
 * vpic_io - the vio_fn for 0x20-0x21, 0xa0-0xa1 and 0x4d0-0x4d1 (register
 * the three ranges with the same handler). Returns 0, or -SV_EINVAL for a
 * bad size or a port that is not the PIC's.
 */
int vpic_io(void *dev, uint16_t port, unsigned size, bool in, uint32_t *val);

/*
 * vpic_set_irq - drive ISA input line @irq (0..15) to @level (0/1). An edge
 * input latches a request on a 0->1 transition; a level input requests while
 * high. IRQ2 is the cascade and is ignored (PC/AT boards route ISA IRQ2 to
 * IRQ9: pass 9). Out-of-range lines are ignored.
 */
void vpic_set_irq(struct vpic *pic, unsigned irq, int level);

/*
 * vpic_pending - true when the PIC pair asserts INTR to the CPU: the highest
 * priority unmasked request is not blocked by an in-service one of higher or
 * equal priority. *vector (may be NULL) gets what vpic_ack() would return.
 */
bool vpic_pending(const struct vpic *pic, uint8_t *vector);

/*
 * vpic_ack - the INTA cycle: moves the winning request from IRR to ISR
 * (unless auto-EOI) on the master and, through the cascade, the slave.
 * Returns the vector. With nothing pending it returns the spurious vector
 * (IRQ7 of the master, or IRQ15 of the slave when the master saw the
 * cascade), sets no ISR bit on the chip that found nothing, and counts it.
 */
uint8_t vpic_ack(struct vpic *pic);

/* vpic_intc_ops - the interface above as struct intc_ops (chip: a struct vpic). */
extern const struct intc_ops vpic_intc_ops;

#endif
