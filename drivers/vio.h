/* SPDX-License-Identifier: MIT */
/*
 * vio.h - the port-I/O handler shape shared by the virtual devices.
 *
 * The VM core keeps a table of struct vio_range per VM and dispatches each
 * I/O exit to the range holding the port. A handler sees one access of 1, 2
 * or 4 bytes; devices built from 8-bit registers (all of ours) split wider
 * accesses into byte accesses at consecutive ports, so "outw 0x20" hits
 * 0x20 then 0x21 as on the ISA bus. Devices take time from a vclock_fn given
 * at init because the handler shape carries no timestamp.
 *
 * Wiring one VM (the core owns the structs, one set per VM):
 *
 *   vpic_init(&vm->pic);
 *   vpit_init(&vm->pit, irq0_cb, host_clock, vm, now);   irq0_cb -> vpic_set_irq(.., 0, l)
 *   vuart_init(&vm->uart, 0x3f8, tx_cb, irq4_cb, vm);    irq4_cb -> vpic_set_irq(.., 4, l)
 *   vrtc_init(&vm->rtc, ram_bytes, wall_s, now, host_clock, vm);
 *   vpic_ranges(), vpit_ranges(), vuart_ranges(), vrtc_ranges() fill the table.
 *
 * Before each VM entry: vpit_update(now); then if vpic_pending() and the
 * vCPU is interruptible, inject vpic_ack(), else ask for an interrupt-window
 * exit. A halted vCPU sleeps until vpit_next_deadline_ns() or a UART push.
 *
 * Concurrency: the devices take no locks. The caller serialises every call
 * on one VM's devices (e.g. one per-VM device lock held around the handler,
 * vpit_update, vpic_*, vuart_rx_push); the irq callbacks are called with
 * that lock held and must not take it again.
 */
#ifndef SV_DRIVERS_VIO_H
#define SV_DRIVERS_VIO_H

#include <stdbool.h>
#include <stdint.h>

/*
 * vio_fn - one port access. @in: read (the value goes to *val, zero-extended
 * to 32 bits) or write (the low @size bytes of *val). Returns 0 when handled,
 * or a negative SV_E* (mm/errno.h) for an access the device refuses (a size
 * other than 1/2/4, a port it does not own).
 */
typedef int (*vio_fn)(void *dev, uint16_t port, unsigned size, bool in,
		      uint32_t *val);

/* vio_range - @count ports from @base go to @fn with @dev. */
struct vio_range {
	uint16_t base;
	uint16_t count;
	vio_fn fn;
	void *dev;
};

/* vclock_fn - a monotonic nanosecond clock (the host clock the core uses). */
typedef uint64_t (*vclock_fn)(void *ctx);

/* vio_range_has - true when @port falls in @r. */
static inline bool vio_range_has(const struct vio_range *r, uint16_t port)
{
	return port >= r->base && (uint32_t)port - r->base < r->count;
}

#endif
