// SPDX-License-Identifier: MIT
/* idt.c - the interrupt descriptor table: 256 interrupt gates to entry.S's stubs. */
#include <stdint.h>

#include "arch/x86/asm.h"
#include "arch/x86/x86.h"

struct idt_gate {
	uint16_t off0;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;		/* 0x8e: present, DPL 0, 64-bit interrupt gate */
	uint16_t off1;
	uint32_t off2;
	uint32_t reserved;
} __attribute__((packed));

extern const uint64_t idt_stubs[256];
static struct idt_gate idt[256] __attribute__((aligned(16)));

void idt_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) p = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	for (int v = 0; v < 256; v++) {
		uint64_t a = idt_stubs[v];

		idt[v].off0 = a & 0xffff;
		idt[v].sel = GDT_CS;
		idt[v].ist = v == 8 ? IST_DF : v == 2 ? IST_NMI : v == 18 ? IST_MC : 0;
		idt[v].type = 0x8e;
		idt[v].off1 = (a >> 16) & 0xffff;
		idt[v].off2 = a >> 32;
		idt[v].reserved = 0;
	}
	__asm__ volatile("lidt %0" : : "m"(p));
}

uint64_t idt_base(void)
{
	return (uint64_t)(uintptr_t)idt;
}
