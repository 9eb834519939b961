// SPDX-License-Identifier: MIT
/*
 * vuart.c - a virtual 16550A UART.
 *
 * Facts from the National Semiconductor PC16550D datasheet: the register
 * map (RBR/THR and DLL at offset 0, IER and DLM at 1 selected by LCR.DLAB,
 * IIR read / FCR write at 2, LCR, MCR, LSR, MSR, SCR), IER bits 0-3 only,
 * IIR priorities (line status 0x06 > received data 0x04 / character timeout
 * 0x0c > THR empty 0x02 > modem status 0x00; bit 0 = no interrupt; bits 7-6
 * set when FCR.0 enables the FIFOs), the THR-empty interrupt being cleared
 * by reading IIR (when it is the source) or writing THR and raised when
 * ETBEI is enabled with THR empty, FCR bits (enable, clear RX/TX, trigger
 * level 1/4/8/14; changing FCR.0 clears the FIFOs), loopback (MCR.4: DTR,
 * RTS, OUT1, OUT2 appear as DSR, CTS, RI, DCD; transmit loops to receive;
 * the outputs, so the PC's OUT2 interrupt gate, go inactive), and the reset
 * values (IER, IIR = 0x01, LCR, MCR cleared, LSR = 0x60).
 *
 * Simplifications: no line errors, no break, no baud-rate timing (the
 * divisor is stored only); the character timeout is reported as soon as
 * fewer bytes than the trigger level are waiting.
 */
#include <stddef.h>
#include <string.h>

#include "drivers/vuart.h"
#include "mm/errno.h"

#define IER_ERBFI	0x01	/* received data available */
#define IER_ETBEI	0x02	/* THR empty */
#define IER_EDSSI	0x08	/* modem status */
#define IIR_NONE	0x01
#define IIR_MSR		0x00
#define IIR_THRE	0x02
#define IIR_RDA		0x04
#define IIR_TIMEOUT	0x0c
#define IIR_FIFO	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_CONNECTED	0xb0	/* DCD, DSR, CTS: a terminal is attached */

/* rx_trigger - bytes that make a "received data available" interrupt. */
static unsigned rx_trigger(const struct vuart *u)
{
	static const uint8_t level[4] = { 1, 4, 8, 14 };

	return (u->fcr & FCR_ENABLE) ? level[u->fcr >> 6] : 1;
}

/* iir_id - the interrupt identification (bits 3-0) now. */
static uint8_t iir_id(const struct vuart *u)
{
	if (u->rx_count && (u->ier & IER_ERBFI))
		return u->rx_count >= rx_trigger(u) ? IIR_RDA : IIR_TIMEOUT;
	if (u->thr_int && (u->ier & IER_ETBEI))
		return IIR_THRE;
	if (u->msr_delta && (u->ier & IER_EDSSI))
		return IIR_MSR;
	return IIR_NONE;
}

/* update_irq - drive the IRQ line: a pending source, gated by OUT2. */
static void update_irq(struct vuart *u)
{
	int level = iir_id(u) != IIR_NONE && (u->mcr & MCR_OUT2) &&
		    !(u->mcr & MCR_LOOP);

	if (level != u->irq_level) {
		u->irq_level = level;
		if (u->irq)
			u->irq(u->ctx, level);
	}
}

/* rx_put - append @b to the queue; false when full. */
static bool rx_put(struct vuart *u, uint8_t b)
{
	if (u->rx_count >= VUART_RX_CAP)
		return false;
	u->rx[(u->rx_head + u->rx_count) % VUART_RX_CAP] = b;
	u->rx_count++;
	return true;
}

/* rx_drop - discard up to @n of the oldest queued bytes. */
static void rx_drop(struct vuart *u, unsigned n)
{
	if (n > u->rx_count)
		n = u->rx_count;
	u->rx_head = (u->rx_head + n) % VUART_RX_CAP;
	u->rx_count -= n;
}

/* msr_lines_now - MSR bits 7-4 as the modem inputs now are. */
static uint8_t msr_lines_now(const struct vuart *u)
{
	uint8_t m = u->mcr;

	if (!(m & MCR_LOOP))
		return MSR_CONNECTED;
	return (uint8_t)((m & 1) << 5 | (m & 2) << 3 | (m & 4) << 4 |
			 (m & 8) << 4);
}

/* msr_track - record delta bits for a change of the modem inputs. */
static void msr_track(struct vuart *u)
{
	uint8_t now = msr_lines_now(u), chg = now ^ u->msr_lines;

	if (chg & 0x10)
		u->msr_delta |= 0x01;	/* DCTS */
	if (chg & 0x20)
		u->msr_delta |= 0x02;	/* DDSR */
	if ((chg & 0x40) && !(now & 0x40))
		u->msr_delta |= 0x04;	/* TERI: RI trailing edge */
	if (chg & 0x80)
		u->msr_delta |= 0x08;	/* DDCD */
	u->msr_lines = now;
}

void vuart_reset(struct vuart *u)
{
	u->ier = u->lcr = u->mcr = u->fcr = 0;
	u->thr_int = false;
	u->msr_lines = msr_lines_now(u);
	u->msr_delta = 0;
	update_irq(u);
}

void vuart_init(struct vuart *u, uint16_t base,
		void (*tx)(void *ctx, uint8_t byte),
		void (*irq)(void *ctx, int level), void *ctx)
{
	memset(u, 0, sizeof(*u));
	u->base = base;
	u->tx = tx;
	u->irq = irq;
	u->ctx = ctx;
	u->dll = 12;	/* 9600 baud, what a PC BIOS leaves */
	vuart_reset(u);
}

void vuart_ranges(struct vuart *u, struct vio_range *r)
{
	*r = (struct vio_range){ u->base, VUART_NPORTS, vuart_io, u };
}

bool vuart_rx_push(struct vuart *u, uint8_t byte)
{
	if ((u->mcr & MCR_LOOP) || !rx_put(u, byte)) {
		u->rx_dropped++;
		return false;
	}
	update_irq(u);
	return true;
}

unsigned vuart_rx_space(const struct vuart *u)
{
	return (u->mcr & MCR_LOOP) ? 0 : VUART_RX_CAP - u->rx_count;
}

/* uart_read - a read of register @off. */
static uint8_t uart_read(struct vuart *u, unsigned off)
{
	uint8_t v;

	switch (off) {
	case 0:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		if (!u->rx_count)
			return 0;
		v = u->rx[u->rx_head];
		rx_drop(u, 1);
		u->rx_bytes++;
		return v;
	case 1:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case 2:
		v = iir_id(u);
		if (v == IIR_THRE)
			u->thr_int = false;	/* reading IIR clears it */
		return (uint8_t)(v | ((u->fcr & FCR_ENABLE) ? IIR_FIFO : 0));
	case 3:
		return u->lcr;
	case 4:
		return u->mcr;
	case 5:
		return (uint8_t)((u->rx_count ? LSR_DR : 0) | LSR_THRE | LSR_TEMT);
	case 6:
		v = (uint8_t)(u->msr_lines | u->msr_delta);
		u->msr_delta = 0;
		return v;
	default:
		return u->scr;
	}
}

/* fcr_write - FIFO control. */
static void fcr_write(struct vuart *u, uint8_t v)
{
	uint8_t en = v & FCR_ENABLE;

	if (en != (u->fcr & FCR_ENABLE))
		rx_drop(u, VUART_FIFO);	/* toggling FCR.0 resets the FIFOs */
	else if (en && (v & FCR_CLEAR_RX))
		rx_drop(u, VUART_FIFO);
	u->fcr = en ? (uint8_t)(v & 0xc1) : 0;
}

/* uart_write - a write of @v to register @off. */
static void uart_write(struct vuart *u, unsigned off, uint8_t v)
{
	uint8_t old;

	switch (off) {
	case 0:
		if (u->lcr & LCR_DLAB) {
			u->dll = v;
			break;
		}
		if (u->mcr & MCR_LOOP) {
			if (!rx_put(u, v))
				u->rx_dropped++;
		} else {
			u->tx_bytes++;
			if (u->tx)
				u->tx(u->ctx, v);
		}
		u->thr_int = true;	/* sent at once: THR is empty again */
		break;
	case 1:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			break;
		}
		old = u->ier;
		u->ier = v & 0x0f;
		if ((u->ier & IER_ETBEI) && !(old & IER_ETBEI))
			u->thr_int = true;
		break;
	case 2:
		fcr_write(u, v);
		break;
	case 3:
		u->lcr = v;
		break;
	case 4:
		u->mcr = v & 0x1f;
		msr_track(u);
		break;
	case 5:
	case 6:
		break;	/* LSR and MSR writes are factory tests: ignored */
	default:
		u->scr = v;
		break;
	}
	update_irq(u);
}

int vuart_io(void *dev, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	struct vuart *u = dev;
	uint32_t out = 0;

	if ((size != 1 && size != 2 && size != 4) || !val)
		return -SV_EINVAL;
	for (unsigned i = 0; i < size; i++) {
		uint16_t p = (uint16_t)(port + i);
		uint8_t b = (uint8_t)(*val >> (8 * i));

		if (p < u->base || p - u->base >= VUART_NPORTS) {
			if (i == 0)
				return -SV_EINVAL;
			b = 0xff;
		} else if (in) {
			b = uart_read(u, p - u->base);
		} else {
			uart_write(u, p - u->base, b);
		}
		out |= (uint32_t)b << (8 * i);
	}
	if (in) {
		*val = out;
		update_irq(u);
	}
	return 0;
}
