// SPDX-License-Identifier: MIT
/*
 * gmem.c - guest-physical and guest-linear reads for emulation.
 *
 * The page walk follows the guest's mode (Intel SDM vol. 3A 4.3-4.5):
 *   CR0.PG = 0              linear == physical
 *   CR4.PAE = 0             2 levels of 32-bit entries, 4 MiB pages with PS
 *   CR4.PAE = 1, EFER.LMA=0 PDPT (4 entries) + 2 levels of 64-bit entries
 *   EFER.LMA = 1            4 levels of 64-bit entries, 1 GiB / 2 MiB pages
 * Only presence and page size matter here: the hypervisor reads on the
 * guest's behalf, so access rights are the guest's business.
 */
#include <string.h>

#include "kernel/gmem.h"
#include "kernel/mem.h"
#include "kernel/vm.h"
#include "kernel/x86def.h"
#include "mm/errno.h"

#define ADDR_MASK	0x000ffffffffff000ull

int guest_read_phys(struct vm *vm, uint64_t gpa, void *buf, size_t n)
{
	unsigned char *out = buf;

	while (n) {
		uint64_t off = gpa & ~PAGE_MASK, hpa;
		size_t chunk = PAGE_SIZE - off < n ? PAGE_SIZE - off : n;

		if (!vm_is_ram(vm, gpa & PAGE_MASK, PAGE_SIZE))
			return -SV_EFAULT;
		if (p2m_lookup(&vm->p2m, gpa & PAGE_MASK, &hpa, NULL))
			memset(out, 0, chunk);
		else
			memcpy(out, (unsigned char *)frame_va(&hv_frames, hpa & PAGE_MASK) + off,
			       chunk);
		out += chunk;
		gpa += chunk;
		n -= chunk;
	}
	return 0;
}

static int read_entry(struct vm *vm, uint64_t gpa, unsigned size, uint64_t *e)
{
	uint32_t e32;

	*e = 0;
	if (size == 4) {
		if (guest_read_phys(vm, gpa, &e32, 4))
			return -SV_EFAULT;
		*e = e32;
		return 0;
	}
	return guest_read_phys(vm, gpa, e, 8);
}

int guest_linear_to_phys(struct vcpu *v, uint64_t la, uint64_t *gpa)
{
	uint64_t cr0 = virt->get_reg(v, VREG_CR0), cr3 = virt->get_reg(v, VREG_CR3);
	uint64_t cr4 = virt->get_reg(v, VREG_CR4), efer = virt->get_reg(v, VREG_EFER);
	uint64_t table, e;
	int levels, shift;
	unsigned esize;

	if (!(cr0 & CR0_PG)) {
		*gpa = la & 0xffffffffull;
		return 0;
	}
	if (!(cr4 & CR4_PAE)) {
		levels = 2, esize = 4, shift = 22;
		la &= 0xffffffffull;
		table = cr3 & 0xfffff000ull;
	} else if (!(efer & EFER_LMA)) {
		la &= 0xffffffffull;
		if (read_entry(v->vm, (cr3 & 0xffffffe0ull) + ((la >> 30) & 3) * 8, 8, &e) ||
		    !(e & PTE_P))
			return -SV_EFAULT;
		levels = 2, esize = 8, shift = 21;
		table = e & ADDR_MASK;
	} else {
		levels = 4, esize = 8, shift = 39;
		table = cr3 & ADDR_MASK;
	}
	for (; levels > 0; levels--, shift -= esize == 4 ? 10 : 9) {
		unsigned idx_bits = esize == 4 ? 10 : 9;
		uint64_t idx = (la >> shift) & ((1u << idx_bits) - 1);

		if (read_entry(v->vm, table + idx * esize, esize, &e) || !(e & PTE_P))
			return -SV_EFAULT;
		/* PS makes a large page at the PD (and 64-bit PDPT) level; 32-bit needs CR4.PSE. */
		if (levels == 1 || (levels > 1 && (e & PTE_PS) &&
				    (esize == 8 ? levels <= 3 : (cr4 & CR4_PSE)))) {
			uint64_t page_mask = (1ull << shift) - 1;
			uint64_t base = esize == 4 && levels == 2 ?
				(e & 0xffc00000ull) | ((e >> 13) & 0xff) << 32 :
				e & ADDR_MASK & ~page_mask;

			*gpa = base | (la & page_mask);
			return 0;
		}
		table = (esize == 4 ? e & 0xfffff000ull : e & ADDR_MASK);
	}
	return -SV_EFAULT;
}

int guest_read_linear(struct vcpu *v, uint64_t la, void *buf, size_t n)
{
	unsigned char *out = buf;

	while (n) {
		uint64_t off = la & ~PAGE_MASK, gpa;
		size_t chunk = PAGE_SIZE - off < n ? PAGE_SIZE - off : n;

		if (guest_linear_to_phys(v, la, &gpa) || guest_read_phys(v->vm, gpa, out, chunk))
			return -SV_EFAULT;
		out += chunk;
		la += chunk;
		n -= chunk;
	}
	return 0;
}
