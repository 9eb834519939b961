// SPDX-License-Identifier: MIT
/*
 * fpu.c - x87/SSE state of guests, switched lazily.
 *
 * The hypervisor itself never touches x87/SSE registers (built with
 * -mno-sse -mno-80387), so the registers hold the state of the last guest
 * that ran. Before a vCPU enters, fpu_load() saves the previous owner's
 * state into its area and restores this one's: guests never see each
 * other's registers, and a guest that keeps the CPU pays nothing.
 */
#include <string.h>

#include "arch/x86/fpu.h"

static struct fpu_area *owner;

void fpu_area_init(struct fpu_area *a)
{
	memset(a, 0, sizeof(*a));
	/* The state FNINIT and reset give (SDM vol. 1 table 10-2 and 8.1). */
	a->bytes[0] = 0x7f;	/* FCW = 0x037f */
	a->bytes[1] = 0x03;
	a->bytes[24] = 0x80;	/* MXCSR = 0x1f80 */
	a->bytes[25] = 0x1f;
}

void fpu_load(struct fpu_area *a)
{
	if (owner == a)
		return;
	if (owner)
		__asm__ volatile("fxsave64 %0" : "=m"(*owner));
	__asm__ volatile("fxrstor64 %0" : : "m"(*a));
	owner = a;
}

void fpu_forget(struct fpu_area *a)
{
	if (owner == a)
		owner = NULL;
}
