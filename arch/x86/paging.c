// SPDX-License-Identifier: MIT
/*
 * paging.c - the hypervisor's own page tables.
 *
 * An identity map (virtual == physical) of [0, top), top = the end of RAM
 * rounded up to 1 GiB and at least 4 GiB (the MMIO hole, LAPIC and IOAPIC
 * live below 4 GiB). 2 MiB pages, read-write, no-execute, except:
 *   - 2 MiB regions holding the hypervisor image or page 0 use 4 KiB pages:
 *     page 0 is not mapped (NULL dereferences fault), .text is read-only and
 *     executable, .rodata read-only, .data/.bss read-write no-execute;
 *   - regions in [3 GiB, 4 GiB) with no usable RAM are uncached (PCD|PWT with
 *     the power-on PAT, SDM vol. 3A 11.12.3): device memory.
 * CR0.WP (set in boot.S) makes read-only apply to the hypervisor itself.
 */
#include <string.h>

#include "arch/x86/cpu.h"
#include "kernel/arch.h"
#include "kernel/multiboot2.h"
#include "kernel/printk.h"
#include "mm/errno.h"
#include "mm/frame.h"

#define PTE_NX		(1ull << 63)
#define SZ_2M		(2ull << 20)
#define SZ_1G		(1ull << 30)
#define MAX_TOP		(512ull << 30)	/* one PDPT */

extern const char __image_start[], __text_end[], __rodata_end[], __image_end[];

static uint64_t *new_table(struct frame_pool *fp, uint64_t *pa)
{
	uint64_t *t;

	*pa = frame_alloc(fp, FRAME_HV, 0);
	if (!*pa)
		return NULL;
	t = frame_va(fp, *pa);
	memset(t, 0, PAGE_SIZE);
	return t;
}

static uint64_t addr(const char *sym)
{
	return (uint64_t)(uintptr_t)sym;
}

static bool overlaps_image(uint64_t start, uint64_t size)
{
	return start < addr(__image_end) && start + size > addr(__image_start);
}

static bool has_ram(const struct boot_info *bi, uint64_t start, uint64_t size)
{
	for (size_t i = 0; i < bi->n_mmap; i++) {
		const struct boot_mmap_entry *e = &bi->mmap[i];

		if (e->type == MB2_MEM_AVAILABLE && e->base < start + size &&
		    e->base + e->len > start)
			return true;
	}
	return false;
}

/* pte_4k - the entry for the 4 KiB page at @a inside an image region. */
static uint64_t pte_4k(uint64_t a)
{
	if (a == 0)
		return 0;
	if (a >= addr(__image_start) && a < addr(__text_end))
		return a | PTE_P;
	if (a >= addr(__text_end) && a < addr(__rodata_end))
		return a | PTE_P | PTE_NX;
	return a | PTE_P | PTE_W | PTE_NX;
}

int arch_paging_init(struct frame_pool *fp, const struct boot_info *bi)
{
	uint64_t top = 4 * SZ_1G, pml4_pa, pdpt_pa, pa;
	uint64_t *pml4, *pdpt;

	for (size_t i = 0; i < bi->n_mmap; i++) {
		const struct boot_mmap_entry *e = &bi->mmap[i];

		if (e->type == MB2_MEM_AVAILABLE && e->base + e->len > top)
			top = e->base + e->len;
	}
	top = (top + SZ_1G - 1) & ~(SZ_1G - 1);
	if (top > MAX_TOP) {
		pr_warn("paging: RAM above %llu GiB is not mapped\n",
			(unsigned long long)(MAX_TOP >> 30));
		top = MAX_TOP;
	}
	pml4 = new_table(fp, &pml4_pa);
	pdpt = new_table(fp, &pdpt_pa);
	if (!pml4 || !pdpt)
		return -SV_ENOMEM;
	pml4[0] = pdpt_pa | PTE_P | PTE_W;

	for (uint64_t g = 0; g < top / SZ_1G; g++) {
		uint64_t *pd = new_table(fp, &pa);

		if (!pd)
			return -SV_ENOMEM;
		pdpt[g] = pa | PTE_P | PTE_W;
		for (uint64_t i = 0; i < 512; i++) {
			uint64_t a = g * SZ_1G + i * SZ_2M, *pt;

			if (a == 0 || overlaps_image(a, SZ_2M)) {
				pt = new_table(fp, &pa);
				if (!pt)
					return -SV_ENOMEM;
				for (uint64_t j = 0; j < 512; j++)
					pt[j] = pte_4k(a + j * PAGE_SIZE);
				pd[i] = pa | PTE_P | PTE_W;
				continue;
			}
			pd[i] = a | PTE_P | PTE_W | PTE_PS | PTE_NX;
			if (a >= 3 * SZ_1G && a < 4 * SZ_1G && !has_ram(bi, a, SZ_2M))
				pd[i] |= PTE_PCD | PTE_PWT;
		}
	}
	write_cr3(pml4_pa);
	pr_info("paging: identity map of %llu GiB, text read-only, data no-execute, page 0 unmapped\n",
		(unsigned long long)(top >> 30));
	return 0;
}
