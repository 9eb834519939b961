// SPDX-License-Identifier: MIT
/*
 * svm_check.c - VMRUN's consistency checks on the guest state, done first.
 *
 * VMRUN refuses an illegal guest state with exit code VMEXIT_INVALID
 * (APM vol. 2 15.5.1). The policy keeps every value a guest can write
 * legal (kernel/ctlreg.c), so a failure here is a hypervisor bug or a
 * path the policy missed; either way the backend reports it for that VM
 * instead of running VMRUN, because not every implementation refuses
 * cleanly (QEMU's TCG loads part of the guest state before it checks, and
 * its exit from there inherits the CR0 quirk svm.c describes).
 */
#include "arch/x86/asm.h"
#include "arch/x86/svm/svm.h"

/* EFER bits that exist on AMD64: SCE, LME, LMA, NXE, SVME, LMSLE, FFXSR, TCE (APM vol. 2 3.1.7). */
#define EFER_DEFINED	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME | \
			 X86_BIT(13) | X86_BIT(14) | X86_BIT(15))
/* CR4 bits that exist: 0-14, 16-24 (bit 15 and 25 up are reserved). */
#define CR4_DEFINED	(0x1ffffffull & ~X86_BIT(15))

const char *svm_state_error(const struct vmcb *c)
{
	bool lme_pg = (c->efer & EFER_LME) && (c->cr0 & CR0_PG);

	if (!(c->efer & EFER_SVME))
		return "guest state invalid: EFER.SVME clear";
	if (c->efer & ~EFER_DEFINED)
		return "guest state invalid: EFER reserved bits";
	if (c->cr0 >> 32)
		return "guest state invalid: CR0 bits 63:32";
	if ((c->cr0 & CR0_NW) && !(c->cr0 & CR0_CD))
		return "guest state invalid: CR0.NW without CR0.CD";
	if (c->cr4 & ~CR4_DEFINED)
		return "guest state invalid: CR4 reserved bits";
	if ((c->dr6 >> 32) || (c->dr7 >> 32))
		return "guest state invalid: DR6/DR7 bits 63:32";
	if (lme_pg && !(c->cr4 & CR4_PAE))
		return "guest state invalid: long mode without CR4.PAE";
	if (lme_pg && !(c->cr0 & CR0_PE))
		return "guest state invalid: long mode without CR0.PE";
	if (lme_pg && (c->cs.attrib & VMCB_ATTR_L) && (c->cs.attrib & VMCB_ATTR_DB))
		return "guest state invalid: CS.L and CS.D both set";
	if (!!(c->efer & EFER_LMA) != lme_pg)
		return "guest state invalid: EFER.LMA is not LME && CR0.PG";
	if (c->asid == 0)
		return "guest state invalid: ASID 0";
	return NULL;
}
