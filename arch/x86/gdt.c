// SPDX-License-Identifier: MIT
/*
 * gdt.c - the hypervisor's GDT and TSS.
 *
 * Flat 64-bit code and data segments and a TSS whose interrupt stack table
 * gives double faults, NMIs and machine checks a known-good stack (SDM vol. 3A
 * 6.14.5). VMX also requires a non-zero host TR selector (SDM 26.2.3).
 */
#include <stdint.h>
#include <string.h>

#include "arch/x86/asm.h"
#include "arch/x86/x86.h"

#define IST_STACK_SIZE 8192

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

static struct tss tss;
static uint64_t gdt[5] __attribute__((aligned(16)));
static uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

void gdt_init(void)
{
	uint64_t base = (uint64_t)(uintptr_t)&tss, limit = sizeof(tss) - 1;
	struct desc_ptr p = { sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt };

	memset(&tss, 0, sizeof(tss));
	for (int i = 0; i < 3; i++)
		tss.ist[i] = (uint64_t)(uintptr_t)(ist_stacks[i] + IST_STACK_SIZE);
	tss.iomap_base = sizeof(tss);	/* no I/O permission bitmap */

	gdt[0] = 0;
	gdt[GDT_CS / 8] = 0x00af9a000000ffffull;	/* 64-bit code, DPL 0 */
	gdt[GDT_DS / 8] = 0x00cf92000000ffffull;	/* data, DPL 0 */
	/* 64-bit available TSS (type 9), present; SDM vol. 3A 8.2.3. */
	gdt[GDT_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
			   (0x89ull << 40) | (((limit >> 16) & 0xf) << 48) |
			   (((base >> 24) & 0xff) << 56);
	gdt[GDT_TSS / 8 + 1] = base >> 32;

	__asm__ volatile("lgdt %0" : : "m"(p));
	__asm__ volatile("pushq %0\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w1, %%ax\n\t"
			 "movw %%ax, %%ds\n\t"
			 "movw %%ax, %%es\n\t"
			 "movw %%ax, %%ss\n\t"
			 : : "i"((uint64_t)GDT_CS), "i"(GDT_DS) : "rax", "memory");
	__asm__ volatile("ltr %w0" : : "r"((uint16_t)GDT_TSS));
}

uint64_t gdt_base(void)
{
	return (uint64_t)(uintptr_t)gdt;
}

uint64_t tss_base(void)
{
	return (uint64_t)(uintptr_t)&tss;
}
