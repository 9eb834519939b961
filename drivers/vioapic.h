/* SPDX-License-Identifier: MIT */
/*
 * vioapic.h - a virtual 82093AA I/O APIC, one per VM: 24 redirection
 * entries behind IOREGSEL/IOWIN at 0xfec00000.
 *
 * Devices drive pins with vioapic_set_irq() (ISA lines through
 * vioapic_intc_ops.set_line, which applies the PC's IRQ0 -> pin 2
 * override). An unmasked entry sends its message through the deliver
 * callback, which the core routes to the local APICs it addresses
 * (vlapic_match_dest + vlapic_accept). A level-triggered entry then keeps
 * its remote IRR set until a local APIC's EOI of its vector reaches
 * vioapic_eoi() (wire vlapic cfg.eoi to it); an entry whose line is still
 * asserted is delivered again. There is no EOI register (version 0x11).
 *
 * The 8259 is not behind this model: the core drives each ISA line into
 * both the 8259 and the I/O APIC, and the local APIC passes the 8259's
 * ExtINT through LINT0 (virtual wire) while its LVT says so. Pin 0, wired
 * to the 8259's INTR on a PC, is not driven; an entry in ExtINT mode is
 * passed to the callback like any other (the core decides what it means).
 */
#ifndef SV_DRIVERS_VIOAPIC_H
#define SV_DRIVERS_VIOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/intc.h"

#define VIOAPIC_DEFAULT_BASE	0xfec00000ull
#define VIOAPIC_PINS		24
#define VIOAPIC_VERSION		0x11	/* 82093AA: no EOI register */
#define VIOAPIC_NO_PIN		VIOAPIC_PINS

/* MMIO offsets and the registers behind IOWIN (datasheet 3.1, 3.2). */
#define VIOAPIC_IOREGSEL	0x00
#define VIOAPIC_IOWIN		0x10
#define VIOAPIC_REG_ID		0x00
#define VIOAPIC_REG_VER		0x01
#define VIOAPIC_REG_ARB		0x02
#define VIOAPIC_REG_REDTBL	0x10	/* entry n: low 0x10 + 2n, high 0x11 + 2n */

/* Redirection entry bits (datasheet 3.2.4). */
#define VIOAPIC_RTE_VECTOR	0xffull
#define VIOAPIC_RTE_DM_SHIFT	8	/* 000 fixed, 001 lowest, 010 SMI, 100 NMI, 101 INIT, 111 ExtINT */
#define VIOAPIC_RTE_LOGICAL	(1ull << 11)
#define VIOAPIC_RTE_PENDING	(1ull << 12)	/* delivery status, read-only */
#define VIOAPIC_RTE_ACTIVE_LOW	(1ull << 13)
#define VIOAPIC_RTE_REMOTE_IRR	(1ull << 14)	/* read-only */
#define VIOAPIC_RTE_LEVEL	(1ull << 15)
#define VIOAPIC_RTE_MASKED	(1ull << 16)
#define VIOAPIC_RTE_DEST_SHIFT	56

/* Where the PC's ISA devices arrive (the MADT's interrupt source override for IRQ0). */
#define VIOAPIC_PIN_PIT		2
#define VIOAPIC_PIN_COM1	4
#define VIOAPIC_PIN_RTC		8

/*
 * vioapic_deliver_fn - send one interrupt message: @dest (8 bits) in
 * physical or @logical mode, delivery @mode (VLAPIC_DM_* values), @vector,
 * @level = level-triggered (the receiving APIC sets TMR and EOIs back).
 */
typedef void (*vioapic_deliver_fn)(void *ctx, uint8_t dest, bool logical,
				   uint8_t mode, uint8_t vector, bool level);

struct vioapic {
	uint8_t id;		/* ID register bits 24-27 */
	uint8_t arb;		/* arbitration ID, loaded from the ID on its writes */
	uint8_t ioregsel;
	uint64_t rte[VIOAPIC_PINS];
	uint32_t pins;		/* input line levels as driven (before polarity) */
	vioapic_deliver_fn deliver;	/* may be NULL */
	void *ctx;
	/* Counters. */
	uint64_t deliveries;	/* messages sent */
	uint64_t masked_edges;	/* edges on masked entries (lost, as on the chip) */
	uint64_t eois;		/* remote IRRs cleared by an EOI */
	uint64_t bad_accesses;	/* MMIO of a wrong size/offset, unknown registers */
};

/*
 * vioapic_init - reset state: ID @id, every entry masked with all other
 * bits 0, IOREGSEL 0. @deliver gets @ctx.
 */
void vioapic_init(struct vioapic *io, uint8_t id, vioapic_deliver_fn deliver,
		  void *ctx);

/*
 * vioapic_mmio - one guest access at @offset from the base: 32-bit
 * IOREGSEL (+0x00) and IOWIN (+0x10). Other sizes, alignments and offsets
 * in the page read 0, are ignored when written and counted, as are
 * unknown registers behind IOWIN. Returns 0, or -SV_EINVAL for @offset >=
 * 4096.
 */
int vioapic_mmio(struct vioapic *io, uint32_t offset, unsigned size,
		 bool write, uint32_t *val);

/*
 * vioapic_set_irq - drive pin @pin (0..23) to @level (0/1); the entry's
 * polarity decides what "asserted" means. Edge: deliver on the asserting
 * edge if unmasked (masked edges are lost). Level: deliver while asserted,
 * unmasked and remote IRR clear, setting remote IRR. NMI, SMI, INIT and
 * ExtINT entries are edge-triggered whatever their trigger bit says.
 */
void vioapic_set_irq(struct vioapic *io, unsigned pin, int level);

/*
 * vioapic_eoi - a local APIC EOIed level-triggered @vector: clear remote
 * IRR of the level entries with that vector; those still asserted and
 * unmasked are delivered again.
 */
void vioapic_eoi(struct vioapic *io, uint8_t vector);

/* vioapic_rte - redirection entry @pin as the guest reads it (0 for a bad pin). */
uint64_t vioapic_rte(const struct vioapic *io, unsigned pin);

/* vioapic_isa_pin - the pin of ISA IRQ @irq: IRQ0 -> 2, IRQ2 (cascade) none, others identity; VIOAPIC_NO_PIN if none. */
unsigned vioapic_isa_pin(unsigned irq);

/*
 * vioapic_intc_ops - the I/O APIC as a struct intc (chip: a struct
 * vioapic): set_line takes an ISA IRQ (vioapic_isa_pin); eoi is
 * vioapic_eoi; pending is always false and ack returns 0 - the local
 * APICs are the controllers that interrupt vCPUs.
 */
extern const struct intc_ops vioapic_intc_ops;

#endif
