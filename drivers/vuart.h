/* SPDX-License-Identifier: MIT */
/*
 * vuart.h - a virtual 16550A UART (COM1 at 0x3f8 by default, IRQ4).
 *
 * Transmit is instantaneous: each byte written to THR goes to the tx sink
 * at once, so LSR.THRE and LSR.TEMT always read 1. Input comes from the
 * operator console through vuart_rx_push() into one queue: the chip's
 * 16-byte receive FIFO followed by a small ring. The interrupt line is
 * driven through the irq callback whenever its level changes; as on a PC,
 * it is gated by MCR.OUT2.
 */
#ifndef SV_DRIVERS_VUART_H
#define SV_DRIVERS_VUART_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/vio.h"

#define VUART_COM1_PORT	0x3f8
#define VUART_COM1_IRQ	4
#define VUART_NPORTS	8
#define VUART_FIFO	16	/* the 16550A receive FIFO */
#define VUART_RX_CAP	256	/* FIFO + ring: bytes queued before push fails */

struct vuart {
	uint16_t base;
	uint8_t ier;		/* low 4 bits */
	uint8_t lcr;
	uint8_t mcr;		/* low 5 bits */
	uint8_t scr;
	uint8_t dll, dlm;	/* divisor latch */
	uint8_t fcr;		/* FIFO enable (bit 0) and trigger level bits 6-7 */
	uint8_t msr_delta;	/* MSR bits 0-3 since the last MSR read */
	uint8_t msr_lines;	/* MSR bits 4-7 last reported */
	bool thr_int;		/* THR-empty interrupt pending */
	int irq_level;		/* the level last driven on the IRQ line */
	uint8_t rx[VUART_RX_CAP];
	unsigned rx_head;	/* index of the oldest byte */
	unsigned rx_count;
	void (*tx)(void *ctx, uint8_t byte);	/* transmit sink, may be NULL */
	void (*irq)(void *ctx, int level);	/* interrupt line, may be NULL */
	void *ctx;
	uint64_t tx_bytes;	/* bytes sent to the sink */
	uint64_t rx_bytes;	/* bytes read by the guest */
	uint64_t rx_dropped;	/* pushes refused (queue full or loopback) */
};

/* vuart_init - a reset UART at @base; @tx, @irq get @ctx (either may be NULL). */
void vuart_init(struct vuart *u, uint16_t base,
		void (*tx)(void *ctx, uint8_t byte),
		void (*irq)(void *ctx, int level), void *ctx);

/* vuart_reset - the chip's master reset (registers; the rx queue is kept). */
void vuart_reset(struct vuart *u);

/* vuart_ranges - fill *@r with base..base+7 going to vuart_io. */
void vuart_ranges(struct vuart *u, struct vio_range *r);

/* vuart_io - the vio_fn for base..base+7; 0 or -SV_EINVAL. */
int vuart_io(void *dev, uint16_t port, unsigned size, bool in, uint32_t *val);

/*
 * vuart_rx_push - queue one received byte for the guest. Returns false
 * (and counts a drop) when the queue is full or the UART is in loopback
 * mode, where the serial input is disconnected.
 */
bool vuart_rx_push(struct vuart *u, uint8_t byte);

/* vuart_rx_space - bytes vuart_rx_push() would accept now. */
unsigned vuart_rx_space(const struct vuart *u);

#endif
