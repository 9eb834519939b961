// SPDX-License-Identifier: MIT
/*
 * timer.c - 8259 PIC remap and 8254 PIT channel 0 as a periodic tick.
 */
#include "rt.h"

#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xa0
#define PIC2_DATA	0xa1
#define PIC_EOI		0x20

#define PIT_CH0		0x40
#define PIT_CMD		0x43
#define PIT_HZ		1193182u

volatile uint32_t rt_ticks;

/* irq0 - count one tick and acknowledge it at the master PIC. */
static void irq0(struct rt_frame *f)
{
	(void)f;
	rt_ticks++;
	outb(PIC1_CMD, PIC_EOI);
}

/* pic_remap - ICW1-4: edge triggered, cascaded, IRQ0-15 at RT_IRQ_BASE. */
static void pic_remap(void)
{
	outb(PIC1_CMD, 0x11);
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, RT_IRQ_BASE);
	outb(PIC2_DATA, RT_IRQ_BASE + 8);
	outb(PIC1_DATA, 0x04);		/* slave on IRQ2 */
	outb(PIC2_DATA, 0x02);		/* cascade identity */
	outb(PIC1_DATA, 0x01);		/* 8086 mode */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xff);		/* everything masked for now */
	outb(PIC2_DATA, 0xff);
}

/* rt_timer_start - periodic IRQ0 at HZ (18..1193182), unmasked. */
void rt_timer_start(uint32_t hz)
{
	uint32_t div = hz ? PIT_HZ / hz : 0;

	if (div == 0 || div > 0xffff)
		div = 0xffff;
	cli();
	pic_remap();
	rt_set_handler(RT_IRQ_BASE + 0, irq0);
	outb(PIT_CMD, 0x34);		/* channel 0, lo/hi byte, mode 2 */
	outb(PIT_CH0, (uint8_t)div);
	outb(PIT_CH0, (uint8_t)(div >> 8));
	outb(PIC1_DATA, 0xfe);		/* unmask IRQ0 only */
}

/* rt_timer_stop - mask IRQ0. */
void rt_timer_stop(void)
{
	outb(PIC1_DATA, 0xff);
}

/* rt_pit_read - latch channel 0 and read its 16-bit count. */
uint16_t rt_pit_read(void)
{
	uint8_t lo, hi;

	outb(PIT_CMD, 0x00);		/* counter latch, channel 0 */
	lo = inb(PIT_CH0);
	hi = inb(PIT_CH0);
	return (uint16_t)(lo | hi << 8);
}
