// SPDX-License-Identifier: MIT
/*
 * trap.c - the guest's IDT: 32 exception vectors and 16 IRQ vectors, a
 * handler table, expected-fault probes, and a report for anything else.
 */
#include "rt.h"

#define NVEC		RT_NVEC
#define GATE_INT	0x8e	/* present, DPL 0, 32-bit (or, in long mode, 64-bit) interrupt gate */

/* An IDT gate (SDM vol. 3A 6.11; in IA-32e mode 16 bytes, 6.14.1). */
struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
#ifdef __x86_64__
	uint32_t off_top, reserved;
#endif
} __attribute__((packed));

static struct idt_gate idt[NVEC] __attribute__((aligned(16)));
static rt_handler_t handlers[NVEC];
extern const uintptr_t rt_isr_table[NVEC];

volatile uint32_t rt_fault_ip, rt_fixup_ip;
volatile int rt_fault_vec = -1;
volatile uint32_t rt_fault_err;

void rt_trap(struct rt_frame *f);

/* rt_trap_init - fill and load the IDT. */
void rt_trap_init(void)
{
	struct {
		uint16_t limit;
		uintptr_t base;
	} __attribute__((packed)) desc = { sizeof(idt) - 1, (uintptr_t)idt };

	for (unsigned int v = 0; v < NVEC; v++) {
		idt[v] = (struct idt_gate){ 0 };
		idt[v].off_lo = (uint16_t)rt_isr_table[v];
		idt[v].off_hi = (uint16_t)(rt_isr_table[v] >> 16);
#ifdef __x86_64__
		idt[v].off_top = (uint32_t)((uint64_t)rt_isr_table[v] >> 32);
#endif
		idt[v].sel = RT_CODE_SEL;
		idt[v].type = GATE_INT;
	}
	__asm__ volatile("lidt %0" : : "m"(desc));
}

/* rt_set_handler - route VECTOR to FN (NULL: back to the default). */
void rt_set_handler(unsigned int vector, rt_handler_t fn)
{
	if (vector < NVEC)
		handlers[vector] = fn;
}

/* rt_trap - called by isr_common for every vector. */
void rt_trap(struct rt_frame *f)
{
	if (f->vector < 32 && rt_fault_ip && RT_FRAME_IP(f) == rt_fault_ip) {
		rt_fault_vec = (int)f->vector;
		rt_fault_err = (uint32_t)f->error;
		RT_FRAME_IP(f) = rt_fixup_ip;
		rt_fault_ip = 0;
		return;
	}
	if (f->vector < NVEC && handlers[f->vector]) {
		handlers[f->vector](f);
		return;
	}
	if (f->vector >= RT_IRQ_BASE)
		return;		/* a stray IRQ (spurious 7/15): ignore */
	rt_printf("guest %s: unexpected exception %u err %x at eip %llx\n", rt_guest.name,
		  (uint32_t)f->vector, (uint32_t)f->error, (unsigned long long)RT_FRAME_IP(f));
	rt_printf("guest %s: FAIL (exception)\n", rt_guest.name);
	rt_exit(3);
}

/* rt_wrmsr_probe - WRMSR MSR := VAL; returns the vector it raised or -1. */
int rt_wrmsr_probe(uint32_t msr, uint64_t val)
{
	rt_fault_vec = -1;
	__asm__ volatile(RT_PROBE_ASM("wrmsr")
			 : : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
			 : "memory");
	rt_fault_ip = 0;
	return rt_fault_vec;
}

/* rt_rdmsr_probe - RDMSR into *VAL; returns the vector it raised or -1. */
int rt_rdmsr_probe(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;

	rt_fault_vec = -1;
	__asm__ volatile(RT_PROBE_ASM("rdmsr")
			 : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	rt_fault_ip = 0;
	*val = ((uint64_t)hi << 32) | lo;
	return rt_fault_vec;
}
