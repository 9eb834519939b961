// SPDX-License-Identifier: MIT
/*
 * wild - touches guest-physical memory far beyond its RAM: 3 GiB with
 * paging off, then 64 GiB - 1 through a PAE 2 MiB mapping.
 *
 * Under sharevisor these addresses behave as on a PC bus with nothing
 * there: reads return all ones and writes vanish (the hypervisor emulates
 * the access and counts it); the guest checks exactly that and passes.
 * Bare, where whatever the emulator does is fine, it prints what it read
 * and exits with code 2. Without 36 physical address bits, the 64 GiB access
 * goes to the top of the physical address space instead. Option: at=3g|64g (default: both, in that order).
 */
#include "rt.h"

#define CR0_PG		(1u << 31)
#define CR4_PAE		(1u << 5)
#define PDE_P_RW_PS	0x83u
#define PDPTE_P		0x1u

static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pd_low[512] __attribute__((aligned(4096)));
static uint64_t pd_top[512] __attribute__((aligned(4096)));

/* touch - read, write and read back the 32-bit word at virtual address VA. */
static void touch(uint32_t va, uint64_t pa)
{
	volatile uint8_t *p = (volatile uint8_t *)va;
	uint8_t before, after;

	rt_printf("wild: touching %llx\n", pa);
	before = *p;
	*p = 0x5a;
	after = *p;
	rt_printf("wild: read %x, after writing 5a read %x\n", before, after);
	if (rt_hv_present()) {
		EXPECT(before == 0xff);
		EXPECT(after == 0xff);
	}
}

/* at_3g - plain physical access, paging off. */
static void at_3g(void)
{
	if (rt_opt("at") && !rt_opt_is("at", "3g"))
		return;
	touch(0xc0000000u, 0xc0000000u);
}

/* at_64g - map the last 2 MiB below 64 GiB (or MAXPHYADDR) at 0xffe00000. */
static void at_64g(void)
{
	uint32_t bits;
	uint64_t top;

	if (rt_opt("at") && !rt_opt_is("at", "64g"))
		return;
	if (!(cpuid(1, 0).edx & (1u << 6))) {
		rt_skip("no PAE");
		return;
	}
	/* MAXPHYADDR: leaf 0x80000008, else 36 with PSE-36, else 32. */
	if (cpuid(0x80000000u, 0).eax >= 0x80000008u)
		bits = cpuid(0x80000008u, 0).eax & 0xff;
	else
		bits = cpuid(1, 0).edx & (1u << 17) ? 36 : 32;
	if (bits > 36)
		bits = 36;
	top = 1ull << bits;
	/* Identity-map the low 1 GiB (image, stack, IDT) with 2 MiB pages. */
	for (uint32_t i = 0; i < 512; i++)
		pd_low[i] = ((uint64_t)i << 21) | PDE_P_RW_PS;
	pd_top[511] = (top - (1u << 21)) | PDE_P_RW_PS;
	pdpt[0] = (uint32_t)pd_low | PDPTE_P;
	pdpt[3] = (uint32_t)pd_top | PDPTE_P;
	__asm__ volatile("mov %0, %%cr3" : : "r"(pdpt) : "memory");
	__asm__ volatile("mov %%cr4, %%eax; or %0, %%eax; mov %%eax, %%cr4"
			 : : "i"(CR4_PAE) : "eax", "memory");
	__asm__ volatile("mov %%cr0, %%eax; or %0, %%eax; mov %%eax, %%cr0"
			 : : "i"(CR0_PG) : "eax", "memory");
	touch(0xffffffffu, top - 1);
}

/* survived - every access came back: bare, say so and exit 2; under sharevisor, that is right. */
static void survived(void)
{
	if (rt_hv_present())
		return;
	rt_printf("wild: every access returned, exit 2\n");
	rt_exit(2);
}

static const struct rt_test tests[] = {
	{ "at_3g", at_3g },
	{ "at_64g", at_64g },
	{ "survived", survived },
	{ NULL, NULL },
};

RT_GUEST("wild", tests);
