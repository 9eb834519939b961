/* SPDX-License-Identifier: MIT */
/* uart.h - the host's 16550 UART (COM1), polled. */
#ifndef SV_DRIVERS_UART_H
#define SV_DRIVERS_UART_H

#include <stdbool.h>
#include <stdint.h>

#define COM1_BASE 0x3f8

/* uart_init - program COM1 for 115200 8N1, FIFOs on, interrupts off. */
void uart_init(void);
void uart_putc(char c);
/* uart_getc - a received byte, or -1 when none is waiting. */
int uart_getc(void);
/* uart_rx_interrupt - move received bytes from the FIFO to the ring (IRQ4 handler). */
void uart_rx_interrupt(void);
/* uart_enable_rx_interrupt - raise IRQ4 when a byte arrives. */
void uart_enable_rx_interrupt(void);
/* uart_rx_pending - input is waiting in the ring (filled by the interrupt handler). */
bool uart_rx_pending(void);
/* uart_drain - wait until the transmitter is empty (before stopping the machine). */
void uart_drain(void);

#endif
