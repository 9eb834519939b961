// SPDX-License-Identifier: MIT
/*
 * ctlreg.c - architectural checks on CR0, CR4, EFER and XCR0 writes, and
 * the virtual debug registers.
 *
 * The rules are the #GP conditions of MOV to CR0/CR4, WRMSR to EFER and
 * XSETBV in the Intel SDM (vol. 2B "MOV - Move to/from Control Registers",
 * vol. 3A 2.5 and 4.1, vol. 1 13.3) and AMD APM vol. 2 (3.1, 14.6). Both
 * backends route every such write through these checks (kernel/exit.c),
 * so a guest gets the fault hardware would give, and no VMCB or VMCS ever
 * holds a combination the CPU's entry checks would refuse.
 */
#include "kernel/ctlreg.h"
#include "kernel/x86def.h"

uint64_t ctl_cr4_allowed(const uint32_t l1[4], const uint32_t l7[4])
{
	/* Bits every x86-64 CPU has (TSD; PCE gates RDPMC, which exists without a PMU to count). */
	uint64_t ok = CR4_TSD | CR4_PCE;
	const uint32_t edx1 = l1[3], ecx1 = l1[2], ebx7 = l7[1], ecx7 = l7[2];

	if (edx1 & CPUID1_EDX_VME)
		ok |= CR4_VME | CR4_PVI;
	if (edx1 & CPUID1_EDX_DE)
		ok |= CR4_DE;
	if (edx1 & CPUID1_EDX_PSE)
		ok |= CR4_PSE;
	if (edx1 & CPUID1_EDX_PAE)
		ok |= CR4_PAE;
	if (edx1 & CPUID1_EDX_MCE)
		ok |= CR4_MCE;
	if (edx1 & CPUID1_EDX_PGE)
		ok |= CR4_PGE;
	if (edx1 & CPUID1_EDX_FXSR)
		ok |= CR4_OSFXSR;
	if (edx1 & CPUID1_EDX_SSE)
		ok |= CR4_OSXMMEXCPT;
	if (ecx1 & CPUID1_ECX_PCID)
		ok |= CR4_PCIDE;
	if (ecx1 & CPUID1_ECX_XSAVE)
		ok |= CR4_OSXSAVE;
	if (ebx7 & CPUID7_EBX_FSGSBASE)
		ok |= CR4_FSGSBASE;
	if (ebx7 & CPUID7_EBX_SMEP)
		ok |= CR4_SMEP;
	if (ebx7 & CPUID7_EBX_SMAP)
		ok |= CR4_SMAP;
	if (ecx7 & CPUID7_ECX_UMIP)
		ok |= CR4_UMIP;
	return ok;
}

uint64_t ctl_efer_allowed(const uint32_t l81[4])
{
	uint64_t ok = 0;

	if (l81[3] & CPUID81_EDX_SYSCALL)
		ok |= EFER_SCE;
	if (l81[3] & CPUID81_EDX_LM)
		ok |= EFER_LME;
	if (l81[3] & CPUID81_EDX_NX)
		ok |= EFER_NXE;
	return ok;
}

bool ctl_cr0_ok(const struct ctl_state *s, uint64_t val)
{
	bool pg_on = !(s->cr0 & CR0_PG) && (val & CR0_PG);
	bool pg_off = (s->cr0 & CR0_PG) && !(val & CR0_PG);

	if (val >> 32)
		return false;			/* reserved bits 63:32 */
	if ((val & CR0_PG) && !(val & CR0_PE))
		return false;
	if ((val & CR0_NW) && !(val & CR0_CD))
		return false;
	/* Long mode needs PAE paging (SDM vol. 3A 9.8.5). */
	if (pg_on && (s->efer & EFER_LME) && !(s->cr4 & CR4_PAE))
		return false;
	/* Paging cannot be turned off from 64-bit code, nor while PCIDs are on (4.10.1). */
	if (pg_off && (s->cs_long || (s->cr4 & CR4_PCIDE)))
		return false;
	return true;
}

bool ctl_cr4_ok(const struct ctl_state *s, uint64_t allowed, uint64_t val)
{
	bool lma = s->efer & EFER_LMA;

	if (val & ~allowed)
		return false;
	if (lma && !(val & CR4_PAE))
		return false;			/* long mode keeps PAE */
	if (lma && ((val ^ s->cr4) & CR4_LA57))
		return false;			/* paging depth fixed in long mode */
	/* PCIDE may be set only in long mode and with PCID 0 in CR3 (SDM vol. 3A 4.10.1). */
	if (!(s->cr4 & CR4_PCIDE) && (val & CR4_PCIDE) && (!lma || (s->cr3 & 0xfff)))
		return false;
	return true;
}

bool ctl_pdptes_load(const struct ctl_state *s, uint64_t cr0, uint64_t cr4)
{
	const uint64_t cr0_bits = CR0_CD | CR0_NW | CR0_PG;
	const uint64_t cr4_bits = CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP;

	if (!(cr0 & CR0_PG) || !(cr4 & CR4_PAE) || (s->efer & EFER_LME))
		return false;
	return ((cr0 ^ s->cr0) & cr0_bits) || ((cr4 ^ s->cr4) & cr4_bits);
}

bool ctl_pdptes_ok(const uint64_t pdpte[4], unsigned maxphyaddr)
{
	uint64_t rsvd = X86_BIT(1) | X86_BIT(2) | (0xfull << 5);

	if (maxphyaddr < 64)
		rsvd |= ~0ull << maxphyaddr;
	for (int i = 0; i < 4; i++)
		if ((pdpte[i] & 1) && (pdpte[i] & rsvd))
			return false;
	return true;
}

bool ctl_efer_value(const struct ctl_state *s, uint64_t allowed, uint64_t val, uint64_t *efer)
{
	uint64_t want = val & ~EFER_LMA;

	if (want & ~allowed)
		return false;
	/* LME may change only with paging off (SDM vol. 3A 9.8.5, APM vol. 2 14.6.1). */
	if ((s->cr0 & CR0_PG) && ((want ^ s->efer) & EFER_LME))
		return false;
	*efer = want | (s->efer & EFER_LMA);
	return true;
}

bool ctl_xcr0_ok(uint64_t allowed, uint32_t index, uint64_t val)
{
	if (index != 0 || (val & ~allowed) || !(val & XCR0_X87))
		return false;
	if ((val & XCR0_AVX) && !(val & XCR0_SSE))
		return false;
	if ((val & XCR0_AVX512) && ((val & XCR0_AVX512) != XCR0_AVX512 || !(val & XCR0_AVX)))
		return false;
	return true;
}

/* DR6 bits a MOV may change: B0-B3, BD, BS, BT (BLD and RTM are not offered, so they read 1). */
#define DR6_WRITABLE	0xe00full
/* DR7 bits that exist: L0-G3, LE, GE, GD, R/W and LEN 0-3 (bit 10 is 1; 11, 12, 14, 15 are 0). */
#define DR7_WRITABLE	0xffff23ffull
#define DR6_BD		X86_BIT(13)
#define DR7_GD		X86_BIT(13)

void ctl_dbg_reset(struct dbg_regs *d)
{
	for (int i = 0; i < 4; i++)
		d->dr[i] = 0;
	d->dr7 = DR7_INIT;
}

enum dr_fault ctl_dr_access(struct dbg_regs *d, uint64_t *dr6, unsigned cpl, uint64_t cr4,
			    unsigned n, bool write, uint64_t *val)
{
	if (n > 7)
		return DR_UD;
	if (cpl > 0)
		return DR_GP;
	/* DR4 and DR5 are DR6 and DR7 unless debugging extensions are on (17.2.2). */
	if (n == 4 || n == 5) {
		if (cr4 & CR4_DE)
			return DR_UD;
		n += 2;
	}
	/* General detect: the access faults before it happens (17.2.4). */
	if (d->dr7 & DR7_GD) {
		d->dr7 &= ~DR7_GD;
		*dr6 |= DR6_BD;
		return DR_DB;
	}
	if (!write) {
		*val = n < 4 ? d->dr[n] : n == 6 ? *dr6 : d->dr7;
		return DR_OK;
	}
	if (n < 4) {
		d->dr[n] = *val;
		return DR_OK;
	}
	if (*val >> 32)
		return DR_GP;		/* 64-bit mode only: a 32-bit operand has none */
	if (n == 6)
		*dr6 = (*val & DR6_WRITABLE) | (DR6_INIT & ~DR6_WRITABLE);
	else
		d->dr7 = (*val & DR7_WRITABLE) | DR7_INIT;
	return DR_OK;
}
