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
 * switched: the x87/SSE/AVX state (XSAVE area, or the FXSAVE image on a
 * CPU without XSAVE) with XCR0; DR6 on VMX (guest debug registers are
 * virtual, every MOV DR exits, but the CPU sets DR6's bits on a guest #DB
 * and the VMCS has no DR6; the VMCB has); and the MSRs a backend lets the
 * guest read and write directly while neither the VMCS nor VMLOAD/VMSAVE
 * switches them (VMX: KERNEL_GS_BASE and the SYSCALL MSRs; both: TSC_AUX,
 * which RDTSCP reads).
 *
 * With XSAVE the extended state goes with XCR0, which neither VMX nor SVM
 * switches: the CPU's XCR0 is the owner's (XGETBV runs natively, XSETBV
 * exits to the policy). A switch sets XCR0 to every component offered,
 * saves the old owner's area and restores the new one's with all of them
 * (a component a guest never enabled comes back in its initial state or as
 * that guest left it, never another guest's), then loads the new owner's
 * XCR0. Plain XSAVE, not XSAVEOPT: its modified-state tracking is not
 * kept per area across VM entries. The owner's XCR0 is read back from the
 * CPU (XGETBV), not trusted from the last XSETBV exit: QEMU's TCG does not
 * implement SVM's XSETBV intercept, so there a guest writes XCR0 itself.
 */
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/lazy.h"
#include "arch/x86/x86.h"
#include "kernel/arch.h"
#include "kernel/printk.h"

static struct lazy_state *owner;
static uint64_t xcr0_offered;	/* 0: no XSAVE, FXSAVE switches x87/SSE */

static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

/* xsetbv0 - XCR0 = @val, unless it holds that already (XSETBV is serialising). */
static void xsetbv0(uint64_t val)
{
	if (xgetbv0() != val)
		__asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)));
}

void lazy_setup(void)
{
	uint32_t a, b, c, d;

	cpuid_count(1, 0, &a, &b, &c, &d);
	if (!(c & CPUID1_ECX_XSAVE))
		return;
	write_cr4(read_cr4() | CR4_OSXSAVE);
	cpuid_count(0xd, 0, &a, &b, &c, &d);
	xcr0_offered = a & (XCR0_X87 | XCR0_SSE | XCR0_AVX);
	if (!(xcr0_offered & XCR0_SSE))
		xcr0_offered &= ~(uint64_t)XCR0_AVX;	/* AVX needs SSE (SDM vol. 1 13.3) */
	xsetbv0(xcr0_offered);
	/* EBX: the area for what XCR0 now enables (SDM vol. 2A, CPUID leaf 0DH). */
	cpuid_count(0xd, 0, &a, &b, &c, &d);
	if (b > LAZY_AREA_BYTES) {
		xcr0_offered &= ~(uint64_t)XCR0_AVX;
		xsetbv0(xcr0_offered);
	}
}

uint64_t arch_xcr0_offered(void)
{
	return xcr0_offered;
}

void lazy_init(struct lazy_state *l, bool hw_dr6, const uint32_t *msrs, unsigned n)
{
	if ((uintptr_t)l->area & 63)
		panic("XSAVE area at %p not 64-byte aligned (SDM vol. 1 13.4)", (void *)l->area);
	memset(l, 0, sizeof(*l));
	/*
	 * The state FNINIT and reset give (SDM vol. 1 table 10-2 and 8.1); an
	 * XSAVE header of zeros, so XRSTOR starts every component initialised
	 * (MXCSR is still loaded from the area).
	 */
	l->area[0] = 0x7f;	/* FCW = 0x037f */
	l->area[1] = 0x03;
	l->area[24] = 0x80;	/* MXCSR = 0x1f80 */
	l->area[25] = 0x1f;
	l->xcr0 = XCR0_X87;
	l->dr6 = 0xffff0ff0;	/* no debug condition (SDM vol. 3B 17.2.3) */
	l->hw_dr6 = hw_dr6;
	l->msrs = msrs;
	l->nmsrs = n < LAZY_MSRS_MAX ? n : LAZY_MSRS_MAX;
}

void lazy_load(struct lazy_state *l)
{
	if (owner == l)
		return;
	if (owner && xcr0_offered)
		owner->xcr0 = xgetbv0();
	if (xcr0_offered)
		xsetbv0(xcr0_offered);
	if (owner) {
		if (xcr0_offered)
			__asm__ volatile("xsave64 %0" : "=m"(owner->area) : "a"(~0u), "d"(~0u));
		else
			__asm__ volatile("fxsave64 %0" : "=m"(owner->area));
		if (owner->hw_dr6)
			__asm__ volatile("mov %%dr6, %0" : "=r"(owner->dr6));
		for (unsigned i = 0; i < owner->nmsrs; i++)
			owner->msr[i] = rdmsr(owner->msrs[i]);
	}
	if (xcr0_offered) {
		__asm__ volatile("xrstor64 %0" : : "m"(l->area), "a"(~0u), "d"(~0u));
		xsetbv0(l->xcr0);
	} else {
		__asm__ volatile("fxrstor64 %0" : : "m"(l->area));
	}
	if (l->hw_dr6)
		__asm__ volatile("mov %0, %%dr6" : : "r"(l->dr6));
	for (unsigned i = 0; i < l->nmsrs; i++)
		wrmsr(l->msrs[i], l->msr[i]);
	owner = l;
}

uint64_t lazy_xcr0(const struct lazy_state *l)
{
	return owner == l && xcr0_offered ? xgetbv0() : l->xcr0;
}

void lazy_set_xcr0(struct lazy_state *l, uint64_t val)
{
	l->xcr0 = val;
	if (owner == l)
		xsetbv0(val);
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
