// SPDX-License-Identifier: MIT
/*
 * fpu.c - x87/SSE state of guests, switched lazily.
 *
 * The hypervisor itself never touches x87/SSE registers (built with
 * -mno-sse -mno-80387), so the registers hold the state of the last guest
 * that ran. Before a vCPU enters, fpu_load() saves the previous owner's
 * state into its area and restores this one's: guests never see each
 * other's registers, and a guest that keeps the CPU pays nothing. The
 * debug address registers DR0-DR3 are switched the same way (the VMCS and
 * the VMCB hold DR7 but not them; the hypervisor uses none).
 */
#include <string.h>

#include "arch/x86/fpu.h"

static struct fpu_area *owner;

void fpu_area_init(struct fpu_area *a, bool hw_dr6)
{
	memset(a, 0, sizeof(*a));
	/* The state FNINIT and reset give (SDM vol. 1 table 10-2 and 8.1). */
	a->bytes[0] = 0x7f;	/* FCW = 0x037f */
	a->bytes[1] = 0x03;
	a->bytes[24] = 0x80;	/* MXCSR = 0x1f80 */
	a->bytes[25] = 0x1f;
	a->dr6 = 0xffff0ff0;	/* no debug condition (SDM vol. 3B 17.2.3) */
	a->hw_dr6 = hw_dr6;
}

void fpu_load(struct fpu_area *a)
{
	if (owner == a)
		return;
	if (owner) {
		__asm__ volatile("fxsave64 %0" : "=m"(owner->bytes));
		if (owner->hw_dr6)
			__asm__ volatile("mov %%dr6, %0" : "=r"(owner->dr6));
	}
	__asm__ volatile("fxrstor64 %0" : : "m"(a->bytes));
	if (a->hw_dr6)
		__asm__ volatile("mov %0, %%dr6" : : "r"(a->dr6));
	owner = a;
}

uint64_t fpu_dr6(const struct fpu_area *a)
{
	uint64_t v = a->dr6;

	if (owner == a)
		__asm__ volatile("mov %%dr6, %0" : "=r"(v));
	return v;
}

void fpu_set_dr6(struct fpu_area *a, uint64_t val)
{
	a->dr6 = val;
	if (owner == a)
		__asm__ volatile("mov %0, %%dr6" : : "r"(val));
}

void fpu_forget(struct fpu_area *a)
{
	if (owner == a)
		owner = NULL;
}
