/* SPDX-License-Identifier: MIT */
/*
 * ctlreg.h - the architectural checks on a guest's writes to CR0, CR4, EFER
 * and XCR0, written once for both vendors.
 *
 * Plain C (also built on the host for tests/unit/test_ctlreg.c): each check
 * takes the guest's current state and the value it wants, and answers
 * whether the CPU would accept it or raise #GP. Which bits exist at all
 * comes from the CPUID the guest sees (ctl_*_allowed), so a guest can set a
 * bit exactly when its CPUID advertises the feature.
 */
#ifndef SV_KERNEL_CTLREG_H
#define SV_KERNEL_CTLREG_H

#include <stdbool.h>
#include <stdint.h>

/* The guest state a control-register write is checked against. */
struct ctl_state {
	uint64_t cr0, cr3, cr4;
	uint64_t efer;		/* with LMA as the CPU keeps it */
	bool cs_long;		/* executing 64-bit code (EFER.LMA and CS.L) */
};

/* ctl_cr4_allowed - the CR4 bits a guest with CPUID leaves 1 and 7.0 (@l1, @l7: EAX..EDX) may set. */
uint64_t ctl_cr4_allowed(const uint32_t l1[4], const uint32_t l7[4]);

/* ctl_efer_allowed - the EFER bits a guest with CPUID leaf 0x80000001 (@l81) may set (LMA not among them). */
uint64_t ctl_efer_allowed(const uint32_t l81[4]);

/* ctl_cr0_ok - true if MOV to CR0 of @val is accepted; false where the CPU gives #GP(0). */
bool ctl_cr0_ok(const struct ctl_state *s, uint64_t val);

/* ctl_cr4_ok - true if MOV to CR4 of @val is accepted with @allowed bits; false for #GP(0). */
bool ctl_cr4_ok(const struct ctl_state *s, uint64_t allowed, uint64_t val);

/*
 * ctl_pdptes_load - true if a MOV to CR0 or CR4 taking @s to @cr0 and @cr4
 * loads the four PAE PDPTEs from CR3 (SDM vol. 3A 4.4.1): PAE paging is in
 * use afterwards (PG, PAE, EFER.LME clear) and the write changes CD, NW or
 * PG of CR0, or PAE, PGE, PSE or SMEP of CR4. The MOV then gives #GP(0)
 * unless ctl_pdptes_ok() holds for them.
 */
bool ctl_pdptes_load(const struct ctl_state *s, uint64_t cr0, uint64_t cr4);

/*
 * ctl_pdptes_ok - false if a present entry of @pdpte sets a reserved bit
 * (2:1, 8:5, 63:@maxphyaddr; SDM vol. 3A table 4-8).
 */
bool ctl_pdptes_ok(const uint64_t pdpte[4], unsigned maxphyaddr);

/*
 * ctl_efer_value - the EFER a WRMSR of @val leaves: LMA is read-only (the
 * written bit is ignored, the CPU's kept). Returns false for #GP(0):
 * a bit outside @allowed, or LME changed while paging is on.
 */
bool ctl_efer_value(const struct ctl_state *s, uint64_t allowed, uint64_t val, uint64_t *efer);

/*
 * ctl_xcr0_ok - true if XSETBV of @val to XCR[@index] is accepted when the
 * guest may enable the state components in @allowed (SDM vol. 1 13.3):
 * only XCR0, x87 always on, AVX only with SSE, the three AVX-512 components
 * together and only with AVX, nothing outside @allowed.
 */
bool ctl_xcr0_ok(uint64_t allowed, uint32_t index, uint64_t val);

/*
 * The debug registers a vCPU sees. They are virtual: every MOV to or from a
 * DR exits, and the hardware's DR7 in guest mode stays at its reset value,
 * so guest breakpoints never fire (and no VM's addresses reach another).
 * DR6 is not here: the CPU sets its bits on a guest #DB, so the backend
 * keeps it where guest mode can update it (the VMCB; DR6 itself on VMX).
 */
struct dbg_regs {
	uint64_t dr[4];		/* DR0-DR3, the breakpoint addresses as written */
	uint64_t dr7;
};

#define DR6_INIT	0xffff0ff0ull	/* DR6 at reset: no debug condition (SDM vol. 3B 17.2.3) */
#define DR7_INIT	0x400ull	/* DR7 at reset: bit 10 reads as 1, nothing enabled */

/* ctl_dbg_reset - @d as after power-on. */
void ctl_dbg_reset(struct dbg_regs *d);

/* What a MOV to or from a debug register raises. */
enum dr_fault {
	DR_OK,
	DR_UD,		/* DR4/DR5 with CR4.DE set, or DR8-DR15 */
	DR_GP,		/* CPL > 0, or bits 63:32 set in a value for DR6/DR7 */
	DR_DB,		/* DR7.GD was set: a debug exception, with DR6.BD set and GD cleared */
};

/*
 * ctl_dr_access - MOV to (@write) or from debug register @n for a vCPU at
 * privilege level @cpl with CR4 @cr4: reads *@val from, or writes *@val to,
 * @d and *@dr6, as the CPU would (SDM vol. 2B "MOV - Move to/from Debug
 * Registers", vol. 3B 17.2). On a fault nothing but DR6.BD and DR7.GD (for
 * DR_DB) changes; the instruction did not execute.
 */
enum dr_fault ctl_dr_access(struct dbg_regs *d, uint64_t *dr6, unsigned cpl, uint64_t cr4,
			    unsigned n, bool write, uint64_t *val);

#endif
