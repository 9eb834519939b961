// SPDX-License-Identifier: MIT
/*
 * lazy.c - guest state the CPU does not switch, switched lazily.
 *
 * The hypervisor itself never touches x87/SSE registers (built with
 * -mno-sse -mno-80387), never uses SYSCALL, SWAPGS or RDTSCP, and no debug
 * register, so those registers hold the state of the last guest that ran.
 * Before a vCPU enters, lazy_load() saves the previous owner's state into
 * its struct lazy_state and restores this one's: guests never see each
 * other's registers, and a guest that keeps the CPU pays nothing. What is
 * switched: the FXSAVE image; DR6 on VMX (guest debug registers are
 * virtual, every MOV DR exits, but the CPU sets DR6's bits on a guest #DB
 * and the VMCS has no DR6; the VMCB has); and the MSRs a backend lets the
 * guest read and write directly while neither the VMCS nor VMLOAD/VMSAVE
 * switches them (VMX: KERNEL_GS_BASE and the SYSCALL MSRs; both: TSC_AUX,
 * which RDTSCP reads).
 */
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/lazy.h"

static struct lazy_state *owner;

void lazy_init(struct lazy_state *l, bool hw_dr6, const uint32_t *msrs, unsigned n)
{
	memset(l, 0, sizeof(*l));
	/* The state FNINIT and reset give (SDM vol. 1 table 10-2 and 8.1). */
	l->fx[0] = 0x7f;	/* FCW = 0x037f */
	l->fx[1] = 0x03;
	l->fx[24] = 0x80;	/* MXCSR = 0x1f80 */
	l->fx[25] = 0x1f;
	l->dr6 = 0xffff0ff0;	/* no debug condition (SDM vol. 3B 17.2.3) */
	l->hw_dr6 = hw_dr6;
	l->msrs = msrs;
	l->nmsrs = n < LAZY_MSRS_MAX ? n : LAZY_MSRS_MAX;
}

void lazy_load(struct lazy_state *l)
{
	if (owner == l)
		return;
	if (owner) {
		__asm__ volatile("fxsave64 %0" : "=m"(owner->fx));
		if (owner->hw_dr6)
			__asm__ volatile("mov %%dr6, %0" : "=r"(owner->dr6));
		for (unsigned i = 0; i < owner->nmsrs; i++)
			owner->msr[i] = rdmsr(owner->msrs[i]);
	}
	__asm__ volatile("fxrstor64 %0" : : "m"(l->fx));
	if (l->hw_dr6)
		__asm__ volatile("mov %0, %%dr6" : : "r"(l->dr6));
	for (unsigned i = 0; i < l->nmsrs; i++)
		wrmsr(l->msrs[i], l->msr[i]);
	owner = l;
}

uint64_t lazy_dr6(const struct lazy_state *l)
{
	uint64_t v = l->dr6;

	if (owner == l)
		__asm__ volatile("mov %%dr6, %0" : "=r"(v));
	return v;
}

void lazy_set_dr6(struct lazy_state *l, uint64_t val)
{
	l->dr6 = val;
	if (owner == l)
		__asm__ volatile("mov %0, %%dr6" : : "r"(val));
}

void lazy_forget(struct lazy_state *l)
{
	if (owner == l)
		owner = NULL;
}
