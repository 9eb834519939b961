// SPDX-License-Identifier: MIT
/* uart.c - the host's 16550 UART on COM1: 115200 8N1, polled transmit and receive. */
#include "arch/x86/cpu.h"
#include "drivers/uart.h"

/* 16550 registers, offsets from the base port. */
#define UART_THR 0	/* transmit holding (write), receive buffer (read) */
#define UART_IER 1	/* interrupt enable */
#define UART_FCR 2	/* FIFO control */
#define UART_LCR 3	/* line control */
#define UART_MCR 4	/* modem control */
#define UART_LSR 5	/* line status */
#define UART_DLL 0	/* divisor latch low (LCR.DLAB = 1) */
#define UART_DLM 1	/* divisor latch high (LCR.DLAB = 1) */

#define LCR_8N1	 0x03
#define LCR_DLAB 0x80
#define LSR_DR	 0x01	/* data ready */
#define LSR_THRE 0x20	/* transmit holding register empty */
#define LSR_TEMT 0x40	/* transmitter empty (holding + shift register) */

void uart_init(void)
{
	outb(COM1_BASE + UART_IER, 0x00);
	outb(COM1_BASE + UART_LCR, LCR_DLAB);
	outb(COM1_BASE + UART_DLL, 1);	/* 115200 / 1 */
	outb(COM1_BASE + UART_DLM, 0);
	outb(COM1_BASE + UART_LCR, LCR_8N1);
	outb(COM1_BASE + UART_FCR, 0x07);	/* enable and clear FIFOs */
	outb(COM1_BASE + UART_MCR, 0x03);	/* DTR, RTS */
}

void uart_putc(char c)
{
	unsigned spins = 0;

	/* Bounded wait: a disconnected UART must not hang the hypervisor. */
	while (!(inb(COM1_BASE + UART_LSR) & LSR_THRE) && ++spins < 1000000)
		cpu_relax();
	outb(COM1_BASE + UART_THR, (uint8_t)c);
}

/*
 * Received bytes: the interrupt handler moves them from the 16-byte FIFO
 * into this ring at once, so a pasted line is not lost while guests run.
 */
#define RX_RING 1024
static uint8_t rx_ring[RX_RING];
static volatile unsigned rx_head, rx_tail;	/* head: next write; tail: next read */
static uint64_t rx_dropped;

void uart_rx_interrupt(void)
{
	unsigned spins = 0;

	while ((inb(COM1_BASE + UART_LSR) & LSR_DR) && ++spins < 64) {
		uint8_t c = inb(COM1_BASE + UART_THR);

		if (rx_head - rx_tail < RX_RING)
			rx_ring[rx_head++ % RX_RING] = c;
		else
			rx_dropped++;
	}
}

void uart_enable_rx_interrupt(void)
{
	outb(COM1_BASE + UART_MCR, 0x0b);	/* DTR, RTS, OUT2 (gates the IRQ line on a PC) */
	outb(COM1_BASE + UART_IER, 0x01);	/* received data available */
}

bool uart_rx_pending(void)
{
	return rx_head != rx_tail;	/* cheap: called at every VM exit */
}

int uart_getc(void)
{
	if (rx_head == rx_tail)
		uart_rx_interrupt();	/* polled mode, or bytes since the last interrupt */
	if (rx_head == rx_tail)
		return -1;
	return rx_ring[rx_tail++ % RX_RING];
}

void uart_drain(void)
{
	unsigned spins = 0;

	while (!(inb(COM1_BASE + UART_LSR) & LSR_TEMT) && ++spins < 10000000)
		cpu_relax();
}
