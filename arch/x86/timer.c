// SPDX-License-Identifier: MIT
/*
 * timer.c - the host tick: PIT channel 0 through the legacy 8259 PIC.
 *
 * The PIC is remapped to vectors 0x20-0x2f and every line but IRQ0 is
 * masked (COM1's IRQ4 is unmasked by arch_serial_irq). While a guest runs, the tick makes an external-interrupt VM exit
 * on both vendors; that is how the scheduler preempts guests (one mechanism
 * for VMX and SVM, and the sharing scanner's budget clock later). SMP will
 * move this to the local APIC timer.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/x86.h"
#include "kernel/arch.h"

#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xa0
#define PIC2_DATA	0xa1
#define PIC_EOI		0x20
#define TICK_VECTOR	0x20
#define PIT_HZ		1193182u

static volatile uint64_t ticks;

static void tick(struct trap_frame *tf)
{
	(void)tf;
	ticks++;
	outb(PIC1_CMD, PIC_EOI);
}

static void spurious(struct trap_frame *tf)
{
	(void)tf;	/* IRQ7 with nothing in service: no EOI (8259A datasheet) */
}

void arch_timer_init(unsigned hz)
{
	uint32_t div = PIT_HZ / hz;

	/* ICW1-4: edge, cascade, vectors 0x20/0x28, slave on IRQ2, 8086 mode. */
	outb(PIC1_CMD, 0x11);
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, TICK_VECTOR);
	outb(PIC2_DATA, TICK_VECTOR + 8);
	outb(PIC1_DATA, 4);
	outb(PIC2_DATA, 2);
	outb(PIC1_DATA, 1);
	outb(PIC2_DATA, 1);
	outb(PIC1_DATA, 0xfe);	/* only IRQ0 */
	outb(PIC2_DATA, 0xff);
	irq_set_handler(TICK_VECTOR, tick);
	irq_set_handler(TICK_VECTOR + 7, spurious);
	irq_set_handler(TICK_VECTOR + 15, spurious);

	outb(0x43, 0x34);	/* channel 0, lo/hi, mode 2 (rate generator) */
	outb(0x40, div & 0xff);
	outb(0x40, (div >> 8) & 0xff);
}

static void (*serial_fn)(void);

static void serial_irq(struct trap_frame *tf)
{
	(void)tf;
	if (serial_fn)
		serial_fn();
	outb(PIC1_CMD, PIC_EOI);
}

void arch_serial_irq(void (*fn)(void))
{
	serial_fn = fn;
	irq_set_handler(TICK_VECTOR + 4, serial_irq);
	outb(PIC1_DATA, inb(PIC1_DATA) & ~(1u << 4));	/* unmask IRQ4 (COM1) */
}

uint64_t arch_ticks(void)
{
	return ticks;
}

void arch_idle(void)
{
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}
