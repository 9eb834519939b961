/* SPDX-License-Identifier: MIT */
/*
 * vpit.h - a virtual 8254 PIT (ports 0x40-0x43) and the PC's port 0x61
 * (channel 2 gate, speaker data, OUT2 readback).
 *
 * Time: the counters are functions of the host clock (the PIT input is
 * 1193182 Hz), never of how often the guest runs. Channel 0's OUT drives
 * ISA IRQ0 through the irq callback given at init (the core wires it to
 * vpic_set_irq(pic, 0, level)). The core calls vpit_update() when it is
 * about to enter the guest or when the deadline from vpit_next_deadline_ns()
 * has passed; a halted guest can sleep until that deadline. The port handler
 * reads the clock given at init and runs vpit_update() first itself, so no
 * edge is lost when the guest reprograms a channel.
 *
 * Missed periods are not queued: if several periods of channel 0 elapsed
 * since the last update, one edge is raised (the PIC latches one request,
 * as on hardware that lost the others) and the rest are counted in
 * irq0_coalesced.
 */
#ifndef SV_DRIVERS_VPIT_H
#define SV_DRIVERS_VPIT_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/vio.h"

#define VPIT_HZ			1193182u	/* input clock of every channel */
#define VPIT_PORT		0x40		/* 0x40-0x42 counters, 0x43 control */
#define VPIT_PORT_SYSCTL	0x61		/* PC system control port B */
#define VPIT_NO_DEADLINE	UINT64_MAX

/* One counter. Times are in PIT ticks of the host clock. */
struct vpit_channel {
	uint32_t reload;	/* count as loaded, 1..65536 (binary) or 1..10000 (BCD) */
	uint64_t start;		/* tick at which the current count started */
	uint64_t frozen;	/* elapsed ticks while not running */
	uint64_t edges;		/* OUT rising edges already reported since start */
	uint8_t mode;		/* 0..5 (6, 7 are stored as 2, 3) */
	uint8_t rw;		/* 1 LSB, 2 MSB, 3 LSB then MSB */
	bool bcd;
	bool loaded;		/* a count has been written since the control word */
	bool running;		/* counting (loaded, gate allows, triggered) */
	bool triggered;		/* modes 1, 5: a gate edge started the count */
	bool gate;
	bool write_msb;		/* rw 3: the next write is the MSB */
	uint8_t write_lsb;	/* the LSB written first */
	bool read_msb;		/* rw 3: the next read is the MSB */
	bool count_latched;	/* counter latch / read-back latched a value */
	uint16_t latch;
	uint8_t latch_bytes;	/* bytes of the latch left to read */
	bool latch_msb;		/* rw 3: the next latch byte is the MSB */
	bool status_latched;
	uint8_t status;
};

struct vpit {
	struct vpit_channel ch[3];
	uint8_t sysctl;		/* port 0x61 bits 0-3 as written */
	uint64_t last_tick;	/* clock at the last update (never goes back) */
	uint64_t last_ns;
	int out0;		/* channel 0 OUT level last driven on IRQ0 */
	void (*irq)(void *ctx, int level);	/* IRQ0 line, may be NULL */
	vclock_fn clock;	/* used by vpit_io; may be NULL (time 0) */
	void *ctx;		/* passed to irq and clock */
	/*
	 * Lost-tick reinjection (NULL: periods that pass between updates
	 * merge into one edge): irq_busy(ctx) says the last IRQ0 edge still
	 * waits in an interrupt controller; edges that would be lost then, or
	 * that passed between updates, wait in irq0_backlog (up to
	 * VPIT_BACKLOG_MAX) and go out one per update while IRQ0 is free.
	 */
	bool (*irq_busy)(void *ctx);
	uint32_t irq0_backlog;
	uint64_t irq0_edges;	/* IRQ0 rising edges raised */
	uint64_t irq0_coalesced;	/* periods merged into an earlier edge, or dropped from a full backlog */
	uint64_t irq0_reinjected;	/* backlog edges raised */
};

#define VPIT_BACKLOG_MAX	1000	/* a second of ticks at 1 kHz */

/*
 * vpit_init - channels in mode 3 without a count (OUT high, no counting,
 * no IRQ0 edges; @irq is not called), gates of channels 0 and 1 high,
 * channel 2's gate low (port 0x61 = 0). @irq drives
 * IRQ0, @clock is the time source of the port handler, both get @ctx.
 */
void vpit_init(struct vpit *pit, void (*irq)(void *ctx, int level),
	       vclock_fn clock, void *ctx, uint64_t now_ns);

#define VPIT_NRANGES	2

/* vpit_ranges - fill @r with 0x40-0x43 and 0x61 (both go to vpit_io). */
void vpit_ranges(struct vpit *pit, struct vio_range r[VPIT_NRANGES]);

/* vpit_io - the vio_fn for 0x40-0x43 and 0x61; 0 or -SV_EINVAL. */
int vpit_io(void *dev, uint16_t port, unsigned size, bool in, uint32_t *val);

/* vpit_access - vpit_io at an explicit time @now_ns (tests, the core). */
int vpit_access(struct vpit *pit, uint16_t port, unsigned size, bool in,
		uint32_t *val, uint64_t now_ns);

/*
 * vpit_update - advance to @now_ns (earlier times are treated as the last
 * one) and drive IRQ0: one rising edge if channel 0's OUT rose at least once
 * since the last update (with irq_busy: and IRQ0 is free; else one from the
 * backlog when IRQ0 is free). Returns the number of edges raised (0 or 1).
 */
int vpit_update(struct vpit *pit, uint64_t now_ns);

/*
 * vpit_next_deadline_ns - the host time of channel 0's next OUT rising edge
 * after the last update, or VPIT_NO_DEADLINE when none is coming.
 */
uint64_t vpit_next_deadline_ns(const struct vpit *pit);

/* vpit_ns_to_ticks - PIT input ticks elapsed at @ns (floor). */
uint64_t vpit_ns_to_ticks(uint64_t ns);

/* vpit_ticks_to_ns - the first host time at which @ticks have elapsed. */
uint64_t vpit_ticks_to_ns(uint64_t ticks);

#endif
