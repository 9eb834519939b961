/* SPDX-License-Identifier: MIT */
/*
 * idle_loop.h - a living guest's main loop, shared by idle.c and share.c.
 *
 * Halts between PIT ticks (sti; hlt at 100 Hz), polls COM1's LSR data-ready
 * bit after every wake-up and echoes each received byte as a line
 * "WHO: got 'X' (0xNN)"; returns when it receives 'q'.
 */
#ifndef GUEST_IDLE_LOOP_H
#define GUEST_IDLE_LOOP_H

#include "rt.h"
#include "../../kernel/hvabi.h"

#define IDLE_UART_RBR	0	/* receive buffer */
#define IDLE_UART_LSR	5	/* line status */
#define IDLE_LSR_DR	0x01	/* data ready */

static inline void idle_loop(const char *who)
{
	rt_timer_start(100);
	for (;;) {
		sti_hlt();
		cli();
		while (inb(SV_PORT_COM1 + IDLE_UART_LSR) & IDLE_LSR_DR) {
			uint8_t c = inb(SV_PORT_COM1 + IDLE_UART_RBR);

			rt_printf("%s: got '%c' (0x%02x)\n", who,
				  c >= 0x20 && c < 0x7f ? (char)c : '?', c);
			if (c == 'q') {
				rt_timer_stop();
				return;
			}
		}
	}
}

#endif
