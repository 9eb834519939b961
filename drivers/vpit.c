// SPDX-License-Identifier: MIT
/*
 * vpit.c - a virtual 8254 programmable interval timer and port 0x61.
 *
 * Facts from the Intel 8254 datasheet: the control word (SC1-SC0 channel
 * or 11 = read-back, RW1-RW0 00 = counter latch / LSB / MSB / LSB then MSB,
 * M2-M0 mode with 6 and 7 aliasing 2 and 3, BCD), the read-back command
 * (D5 = 0 latches counts, D4 = 0 latches status, D3-D1 select counters;
 * status = OUT, null count, RW, mode, BCD; status before count when both),
 * a count of 0 meaning 2^16 (10^4 in BCD), and the modes: 0 interrupt on
 * terminal count (OUT low until the count expires; writing the first byte
 * of a two-byte count stops counting), 1 gate-triggered one-shot, 2 rate
 * generator (OUT low for the one clock at count 1), 3 square wave (OUT high
 * for ceil(N/2), low for floor(N/2) clocks), 4 software strobe and 5
 * hardware strobe (OUT low for one clock at count 0); GATE low suspends
 * modes 0, 2, 3 and 4 and a rising GATE restarts 1, 2, 3 and 5. Port 0x61
 * is the PC/AT system control port B: bit 0 channel 2 gate, bit 1 speaker
 * data, bit 4 refresh toggle (every ~15 us), bit 5 channel 2 OUT.
 *
 * Every counter is computed from the host clock: elapsed ticks since the
 * count started, so reads decrease in step with time and nothing is
 * counted by loops. Simplifications: a new count in modes 2 and 3 takes
 * effect at once instead of at the end of the current period; the count is
 * loaded at the write, not on the next clock edge; with an odd count mode 3
 * reads N-1, N-3, ... in both halves (high for (N+1)/2 clocks, low N/2).
 */
#include <stddef.h>
#include <string.h>

#include "drivers/vpit.h"
#include "mm/errno.h"

#define NS_PER_S	1000000000ull
#define REFRESH_NS	15085ull	/* port 0x61 bit 4 period / 2 */

uint64_t vpit_ns_to_ticks(uint64_t ns)
{
	return ns / NS_PER_S * VPIT_HZ + ns % NS_PER_S * VPIT_HZ / NS_PER_S;
}

uint64_t vpit_ticks_to_ns(uint64_t ticks)
{
	uint64_t r = ticks % VPIT_HZ;

	if (ticks / VPIT_HZ >= UINT64_MAX / NS_PER_S)
		return UINT64_MAX;
	return ticks / VPIT_HZ * NS_PER_S + (r * NS_PER_S + VPIT_HZ - 1) / VPIT_HZ;
}

/* elapsed - ticks the count of @c has run at @tick. */
static uint64_t elapsed(const struct vpit_channel *c, uint64_t tick)
{
	return c->running ? tick - c->start : c->frozen;
}

/* modulus - the counter's range: 2^16 binary, 10^4 BCD. */
static uint32_t modulus(const struct vpit_channel *c)
{
	return c->bcd ? 10000 : 65536;
}

/* ch_count - the counting element's value after @d ticks (0..modulus-1). */
static uint32_t ch_count(const struct vpit_channel *c, uint64_t d)
{
	uint32_t n = c->reload, m = modulus(c), r, h1;

	if (!c->loaded)
		return n % m;
	switch (c->mode) {
	case 2:
		return (uint32_t)(n - d % n) % m;
	case 3:
		/* Down by two from the even count in each half-period. */
		r = (uint32_t)(d % n);
		h1 = (n + 1) / 2;
		return ((n & ~1u) - 2 * (r < h1 ? r : r - h1)) % m;
	default:	/* 0, 1, 4, 5 count down and wrap */
		return (uint32_t)((n + m - d % m) % m);
	}
}

/* ch_out - the OUT pin of @c after @d ticks. */
static int ch_out(const struct vpit_channel *c, uint64_t d)
{
	uint32_t n = c->reload;

	if (!c->loaded)
		return c->mode != 0;
	switch (c->mode) {
	case 0:
		return d >= n;
	case 1:
		return !c->triggered || d >= n;
	case 2:
		return !c->gate || n < 2 || d % n != n - 1;
	case 3:
		return !c->gate || n < 2 || d % n < (n + 1) / 2;
	case 4:
		return d != n;
	default:	/* 5 */
		return !c->triggered || d != n;
	}
}

/* ch_edges - OUT rising edges of @c in its first @d ticks. */
static uint64_t ch_edges(const struct vpit_channel *c, uint64_t d)
{
	uint32_t n = c->reload;

	if (!c->loaded || !c->running)
		return c->edges;	/* frozen: nothing new */
	switch (c->mode) {
	case 0:
	case 1:
		return d >= n;
	case 2:
	case 3:
		return n < 2 ? 0 : d / n;
	default:	/* 4, 5 */
		return d >= (uint64_t)n + 1;
	}
}

/* ch_next_edge - the tick of @c's next OUT rising edge, or UINT64_MAX. */
static uint64_t ch_next_edge(const struct vpit_channel *c)
{
	uint32_t n = c->reload;

	if (!c->loaded || !c->running)
		return UINT64_MAX;
	switch (c->mode) {
	case 0:
	case 1:
		return c->edges ? UINT64_MAX : c->start + n;
	case 2:
	case 3:
		return n < 2 ? UINT64_MAX : c->start + (c->edges + 1) * n;
	default:
		return c->edges ? UINT64_MAX : c->start + n + 1;
	}
}

/* advance - move the clock to @now_ns (never backwards). */
static void advance(struct vpit *pit, uint64_t now_ns)
{
	if (now_ns > pit->last_ns) {
		pit->last_ns = now_ns;
		pit->last_tick = vpit_ns_to_ticks(now_ns);
	}
}

/* pulse - a rising edge on IRQ0, the line left at channel 0's OUT level @out. */
static void pulse(struct vpit *pit, int out)
{
	if (!pit->irq)
		return;
	pit->irq(pit->ctx, 0);
	pit->irq(pit->ctx, 1);
	if (!out)
		pit->irq(pit->ctx, 0);
}

/* backlog_add - @n periods to deliver later, as far as the backlog holds them. */
static void backlog_add(struct vpit *pit, uint64_t n)
{
	uint64_t room = VPIT_BACKLOG_MAX - pit->irq0_backlog;

	if (n > room) {
		pit->irq0_coalesced += n - room;
		n = room;
	}
	pit->irq0_backlog += (uint32_t)n;
}

/* irq0_busy - IRQ0's last edge still waits to be taken (only with reinjection). */
static bool irq0_busy(const struct vpit *pit)
{
	return pit->irq_busy && pit->irq_busy(pit->ctx);
}

/* irq0_sync - drive IRQ0 from channel 0; returns edges raised (0 or 1). */
static int irq0_sync(struct vpit *pit)
{
	struct vpit_channel *c = &pit->ch[0];
	uint64_t d = elapsed(c, pit->last_tick), e = ch_edges(c, d);
	int out = ch_out(c, d), raised = 0;

	if (e > c->edges) {
		uint64_t n = e - c->edges;

		c->edges = e;
		if (!pit->irq_busy) {
			pit->irq0_coalesced += n - 1;
		} else if (irq0_busy(pit)) {
			backlog_add(pit, n);	/* an edge now would merge with the waiting one */
			n = 0;
		} else {
			backlog_add(pit, n - 1);
		}
		if (n) {
			pulse(pit, out);
			raised = 1;
		}
	} else if (pit->irq0_backlog && !irq0_busy(pit)) {
		pit->irq0_backlog--;
		pit->irq0_reinjected++;
		pulse(pit, out);
		raised = 1;
	} else if (out != pit->out0) {
		if (pit->irq)
			pit->irq(pit->ctx, out);
		raised = out;	/* a reprogrammed OUT rising is an edge too */
	}
	pit->out0 = out;
	pit->irq0_edges += (uint64_t)raised;
	return raised;
}

int vpit_update(struct vpit *pit, uint64_t now_ns)
{
	advance(pit, now_ns);
	return irq0_sync(pit);
}

uint64_t vpit_next_deadline_ns(const struct vpit *pit)
{
	uint64_t t = ch_next_edge(&pit->ch[0]);

	return t == UINT64_MAX ? VPIT_NO_DEADLINE : vpit_ticks_to_ns(t);
}

/* ch_restart - start counting the loaded count afresh at @tick. */
static void ch_restart(struct vpit_channel *c, uint64_t tick, bool run)
{
	c->start = tick;
	c->frozen = 0;
	c->edges = 0;
	c->running = run;
}

/* set_gate - the GATE input of @c goes to @g at @tick. */
static void set_gate(struct vpit_channel *c, bool g, uint64_t tick)
{
	if (g == c->gate)
		return;
	c->gate = g;
	if (!c->loaded)
		return;
	switch (c->mode) {
	case 0:
	case 4:
		if (!g) {
			c->frozen = elapsed(c, tick);
			c->running = false;
		} else {
			c->start = tick - c->frozen;
			c->running = true;
		}
		break;
	case 2:
	case 3:
		ch_restart(c, tick, g);	/* low stops, rising reloads */
		break;
	default:	/* 1, 5: a rising edge triggers */
		if (g) {
			c->triggered = true;
			ch_restart(c, tick, true);
		}
		break;
	}
}

/* from_bcd - a 4-digit BCD count to binary (bad digits taken modulo 10^4). */
static uint32_t from_bcd(uint16_t v)
{
	return ((v >> 12) * 1000u + ((v >> 8) & 15) * 100u +
		((v >> 4) & 15) * 10u + (v & 15)) % 10000u;
}

static uint16_t to_bcd(uint32_t v)
{
	return (uint16_t)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 |
			  (v / 10 % 10) << 4 | v % 10);
}

/* load - the guest wrote a complete count @v to @c at @tick. */
static void load(struct vpit_channel *c, uint16_t v, uint64_t tick)
{
	uint32_t n = c->bcd ? from_bcd(v) : v;

	c->reload = n ? n : modulus(c);
	c->loaded = true;	/* null count cleared */
	switch (c->mode) {
	case 1:
	case 5:
		ch_restart(c, tick, c->triggered);
		break;
	default:
		ch_restart(c, tick, c->gate);
		break;
	}
}

/* status_byte - the read-back status of @c at @tick. */
static uint8_t status_byte(const struct vpit_channel *c, uint64_t tick)
{
	return (uint8_t)(ch_out(c, elapsed(c, tick)) << 7 |
			 (c->loaded ? 0 : 0x40) | c->rw << 4 | c->mode << 1 |
			 c->bcd);
}

/* latch_count - a counter latch command on @c (ignored if one is pending). */
static void latch_count(struct vpit_channel *c, uint64_t tick)
{
	uint32_t v;

	if (c->count_latched)
		return;
	v = ch_count(c, elapsed(c, tick));
	c->latch = c->bcd ? to_bcd(v) : (uint16_t)v;
	c->count_latched = true;
	c->latch_bytes = c->rw == 3 ? 2 : 1;
	c->latch_msb = c->rw == 2;
}

/* control - a write to port 0x43. */
static void control(struct vpit *pit, uint8_t val, uint64_t tick)
{
	unsigned sc = val >> 6, rw = (val >> 4) & 3, mode = (val >> 1) & 7;
	struct vpit_channel *c;

	if (sc == 3) {	/* read-back */
		for (int i = 0; i < 3; i++) {
			c = &pit->ch[i];
			if (!(val & (2u << i)))
				continue;
			if (!(val & 0x20))
				latch_count(c, tick);
			if (!(val & 0x10) && !c->status_latched) {
				c->status = status_byte(c, tick);
				c->status_latched = true;
			}
		}
		return;
	}
	c = &pit->ch[sc];
	if (rw == 0) {
		latch_count(c, tick);
		return;
	}
	c->mode = (uint8_t)(mode >= 6 ? mode - 4 : mode);
	c->rw = (uint8_t)rw;
	c->bcd = val & 1;
	c->loaded = c->running = c->triggered = false;
	c->frozen = c->edges = 0;
	c->write_msb = c->read_msb = false;
	c->count_latched = c->status_latched = false;
	if (sc == 0)
		pit->irq0_backlog = 0;	/* the old rate's ticks mean nothing to the new one */
}

/* count_write - a write to counter port 0x40 + @i. */
static void count_write(struct vpit_channel *c, uint8_t b, uint64_t tick)
{
	switch (c->rw) {
	case 1:
		load(c, b, tick);
		break;
	case 2:
		load(c, (uint16_t)(b << 8), tick);
		break;
	default:
		if (!c->write_msb) {
			c->write_lsb = b;
			c->write_msb = true;
			if (c->mode == 0) {	/* the first byte stops counting */
				c->loaded = c->running = false;
				c->frozen = 0;
			}
		} else {
			c->write_msb = false;
			load(c, (uint16_t)(c->write_lsb | b << 8), tick);
		}
		break;
	}
}

/* count_read - a read of counter port 0x40 + @i. */
static uint8_t count_read(struct vpit_channel *c, uint64_t tick)
{
	uint8_t b;
	uint32_t v;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->count_latched) {
		b = c->latch_msb ? (uint8_t)(c->latch >> 8) : (uint8_t)c->latch;
		if (c->rw == 3)
			c->latch_msb = !c->latch_msb;
		if (--c->latch_bytes == 0)
			c->count_latched = false;
		return b;
	}
	v = ch_count(c, elapsed(c, tick));
	if (c->bcd)
		v = to_bcd(v);
	switch (c->rw) {
	case 1:
		return (uint8_t)v;
	case 2:
		return (uint8_t)(v >> 8);
	default:
		b = c->read_msb ? (uint8_t)(v >> 8) : (uint8_t)v;
		c->read_msb = !c->read_msb;
		return b;
	}
}

/* pit_byte - one byte access at @port; false when the port is not ours. */
static bool pit_byte(struct vpit *pit, uint16_t port, bool in, uint8_t *val)
{
	uint64_t tick = pit->last_tick;
	struct vpit_channel *c2 = &pit->ch[2];

	switch (port) {
	case 0x40: case 0x41: case 0x42:
		if (in)
			*val = count_read(&pit->ch[port - 0x40], tick);
		else
			count_write(&pit->ch[port - 0x40], *val, tick);
		return true;
	case 0x43:
		if (in)
			*val = 0xff;	/* the control register is write-only */
		else
			control(pit, *val, tick);
		return true;
	case VPIT_PORT_SYSCTL:
		if (in) {
			*val = (uint8_t)((pit->sysctl & 0x0f) |
				((pit->last_ns / REFRESH_NS) & 1) << 4 |
				ch_out(c2, elapsed(c2, tick)) << 5);
		} else {
			pit->sysctl = *val & 0x0f;
			set_gate(c2, *val & 1, tick);
		}
		return true;
	default:
		return false;
	}
}

int vpit_access(struct vpit *pit, uint16_t port, unsigned size, bool in,
		uint32_t *val, uint64_t now_ns)
{
	uint32_t out = 0;

	if ((size != 1 && size != 2 && size != 4) || !val)
		return -SV_EINVAL;
	vpit_update(pit, now_ns);
	for (unsigned i = 0; i < size; i++) {
		uint8_t b = (uint8_t)(*val >> (8 * i));

		if (!pit_byte(pit, (uint16_t)(port + i), in, &b)) {
			if (i == 0)
				return -SV_EINVAL;
			b = 0xff;
		}
		out |= (uint32_t)b << (8 * i);
	}
	if (in)
		*val = out;
	irq0_sync(pit);	/* a reprogrammed channel 0 may move OUT */
	return 0;
}

int vpit_io(void *dev, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	struct vpit *pit = dev;
	uint64_t now = pit->clock ? pit->clock(pit->ctx) : pit->last_ns;

	return vpit_access(pit, port, size, in, val, now);
}

void vpit_ranges(struct vpit *pit, struct vio_range r[VPIT_NRANGES])
{
	r[0] = (struct vio_range){ VPIT_PORT, 4, vpit_io, pit };
	r[1] = (struct vio_range){ VPIT_PORT_SYSCTL, 1, vpit_io, pit };
}

void vpit_init(struct vpit *pit, void (*irq)(void *ctx, int level),
	       vclock_fn clock, void *ctx, uint64_t now_ns)
{
	memset(pit, 0, sizeof(*pit));
	pit->irq = irq;
	pit->clock = clock;
	pit->ctx = ctx;
	pit->last_ns = now_ns;
	pit->last_tick = vpit_ns_to_ticks(now_ns);
	/*
	 * Control word "mode 3, LSB then MSB" written, no count yet: OUT high,
	 * as a BIOS leaves the PIT. IRQ0 counts as high without driving it, so
	 * neither programming mode 2 nor mode 0 makes a stray edge.
	 */
	pit->out0 = 1;
	for (int i = 0; i < 3; i++) {
		pit->ch[i].mode = 3;
		pit->ch[i].rw = 3;
		pit->ch[i].reload = 65536;
		pit->ch[i].gate = i != 2;
	}
}
