// SPDX-License-Identifier: MIT
/*
 * msr.c - the MSR policy: one table of the MSRs guests have.
 *
 * The backends let a guest reach the MSRs the hardware switches for it
 * directly, with no exit: FS/GS/KERNEL_GS_BASE, STAR/LSTAR/CSTAR/SFMASK
 * and SYSENTER_CS/ESP/EIP (VMCS guest fields or a lazy switch on VMX,
 * VMLOAD/VMSAVE on SVM). Every other RDMSR and WRMSR exits and lands here;
 * docs/ARCHITECTURE.md lists the table. An MSR not in it gives #GP, as on
 * a CPU without it, and a log line naming it (the first few per VM).
 */
#include "kernel/arch.h"
#include "kernel/guestcpu.h"
#include "kernel/msr.h"
#include "kernel/mtrr.h"
#include "kernel/printk.h"
#include "kernel/pvclock.h"
#include "kernel/vm.h"
#include "kernel/vmapic.h"
#include "kernel/x86def.h"

#define UNKNOWN_MSR_LOG	8	/* log lines per VM for MSRs it does not have */

/*
 * IA32_MISC_ENABLE (SDM vol. 4 table 2-2): fast strings on, BTS and PEBS
 * unavailable (no performance monitoring). Writes may change fast strings
 * and the automatic thermal control and xTPR bits, which mean nothing to a
 * VM; every other bit keeps its value (limit-CPUID and XD-disable stay 0).
 */
#define MISC_ENABLE_INIT	(X86_BIT(0) | X86_BIT(11) | X86_BIT(12))
#define MISC_ENABLE_WRITABLE	(X86_BIT(0) | X86_BIT(3) | X86_BIT(23))

/* pat_ok - each byte a memory type: 2, 3 and 8 up are reserved (SDM vol. 3A 13.12.2). */
static bool pat_ok(uint64_t val)
{
	for (int i = 0; i < 8; i++) {
		uint8_t t = (uint8_t)(val >> (8 * i));

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

static bool rd_tsc(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	(void)msr;
	*val = arch_read_tsc() + v->tsc_offset;
	return true;
}

/* move_tsc - the guest's TSC jumps by @delta: a new TSC offset (RDTSC runs unintercepted). */
static void move_tsc(struct vcpu *v, uint64_t delta)
{
	v->tsc_offset += delta;
	virt->set_reg(v, VREG_TSC_OFFSET, v->tsc_offset);
	pvclock_tsc_moved(v);
}

/* wr_tsc - the TSC becomes @val; TSC_ADJUST moves by as much (SDM vol. 3B 18.17.3). */
static bool wr_tsc(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	uint64_t delta = *val - (arch_read_tsc() + v->tsc_offset);

	(void)msr;
	v->tsc_adjust += delta;
	move_tsc(v, delta);
	return true;
}

static bool rd_tsc_adjust(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	(void)msr;
	*val = v->tsc_adjust;
	return true;
}

/* wr_tsc_adjust - the TSC moves by what the write adds to TSC_ADJUST. */
static bool wr_tsc_adjust(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	(void)msr;
	move_tsc(v, *val - v->tsc_adjust);
	v->tsc_adjust = *val;
	return true;
}

static bool rd_mtrr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	return mtrr_msr(&v->mtrr, msr, false, val, guest_maxphyaddr(v));
}

static bool wr_mtrr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	return mtrr_msr(&v->mtrr, msr, true, val, guest_maxphyaddr(v));
}

static bool rd_pat(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	(void)msr;
	*val = v->pat;
	return true;
}

static bool wr_pat(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	(void)msr;
	if (!pat_ok(*val))
		return false;
	v->pat = *val;
	virt->set_reg(v, VREG_PAT, *val);
	return true;
}

static bool rd_efer(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	(void)msr;
	*val = virt->get_reg(v, VREG_EFER);
	return true;
}

static bool wr_efer(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	struct ctl_state cs = guest_ctl_state(v);
	uint64_t efer;
	(void)msr;

	if (!ctl_efer_value(&cs, guest_efer_allowed(v), *val, &efer))
		return false;
	virt->set_reg(v, VREG_EFER, efer);
	return true;
}

static bool rd_misc_enable(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	(void)msr;
	*val = v->misc_enable;
	return true;
}

static bool wr_misc_enable(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	(void)msr;
	v->misc_enable = (v->misc_enable & ~MISC_ENABLE_WRITABLE) | (*val & MISC_ENABLE_WRITABLE);
	return true;
}

/* AMD's legacy performance counters: no PMU is offered, so they count nothing. */
static bool rd_zero(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	(void)msr;
	(void)v;
	*val = 0;
	return true;
}

static bool wr_ignore(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	(void)msr;
	(void)v;
	(void)val;
	return true;
}

/*
 * AMD's configuration MSRs, as a VM sees them: SYSCFG, HWCR and the K8
 * interrupt-pending message read 0 (no MTRR DRAM-modification bits, no
 * SMM lock, nothing pending); DE_CFG says LFENCE serialises, which Linux
 * wants before it trusts LFENCE; a write must leave the value unchanged.
 */
static uint64_t amd_cfg_value(uint32_t msr)
{
	return msr == MSR_AMD_DE_CFG ? AMD_DE_CFG_LFENCE : 0;
}

static bool rd_amd_cfg(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	(void)v;
	*val = amd_cfg_value(msr);
	return true;
}

static bool wr_amd_cfg(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	(void)v;
	return *val == amd_cfg_value(msr);
}

/* The local APIC's MSRs: the base, the x2APIC registers, the TSC deadline (drivers/vlapic.c). */
static bool rw_apic_base(struct vcpu *v, uint64_t *val, bool write)
{
	if (vlapic_base_msr(&v->lapic, write, val, guest_maxphyaddr(v)))
		return false;
	if (write)
		vm_apic_base_moved(v);
	return true;
}

static bool rd_apic_base(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	(void)msr;
	return rw_apic_base(v, val, false);
}

static bool wr_apic_base(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	(void)msr;
	return rw_apic_base(v, val, true);
}

static bool rd_x2apic(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	return !vlapic_msr(&v->lapic, msr, false, val);
}

static bool wr_x2apic(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	return !vlapic_msr(&v->lapic, msr, true, val);
}

static bool rd_tsc_deadline(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	(void)msr;
	return !vlapic_tsc_deadline_msr(&v->lapic, false, val);
}

static bool wr_tsc_deadline(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	(void)msr;
	return !vlapic_tsc_deadline_msr(&v->lapic, true, val);
}

static bool rd_pvclock(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	return pvclock_msr(v, msr, false, val);
}

static bool wr_pvclock(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	return pvclock_msr(v, msr, true, val);
}

enum msr_vendor { ANY, INTEL, AMD };

struct msr_desc {
	uint32_t first, last;	/* a range of MSR numbers */
	enum msr_vendor vendor;	/* where the MSR exists */
	bool (*rd)(struct vcpu *v, uint32_t msr, uint64_t *val);
	bool (*wr)(struct vcpu *v, uint32_t msr, uint64_t *val);	/* NULL: read-only, WRMSR #GP */
};

static const struct msr_desc msrs[] = {
	{ MSR_IA32_TSC, MSR_IA32_TSC, ANY, rd_tsc, wr_tsc },
	{ MSR_IA32_TSC_ADJUST, MSR_IA32_TSC_ADJUST, ANY, rd_tsc_adjust, wr_tsc_adjust },
	{ MSR_IA32_MTRRCAP, MSR_IA32_MTRRCAP, ANY, rd_mtrr, NULL },
	{ MSR_MTRR_PHYSBASE0, MSR_MTRR_PHYSMASK7, ANY, rd_mtrr, wr_mtrr },
	{ MSR_MTRR_FIX64K_00000, MSR_MTRR_FIX64K_00000, ANY, rd_mtrr, wr_mtrr },
	{ MSR_MTRR_FIX16K_80000, MSR_MTRR_FIX16K_A0000, ANY, rd_mtrr, wr_mtrr },
	{ MSR_MTRR_FIX4K_C0000, MSR_MTRR_FIX4K_F8000, ANY, rd_mtrr, wr_mtrr },
	{ MSR_IA32_MTRR_DEF_TYPE, MSR_IA32_MTRR_DEF_TYPE, ANY, rd_mtrr, wr_mtrr },
	{ MSR_IA32_APIC_BASE, MSR_IA32_APIC_BASE, ANY, rd_apic_base, wr_apic_base },
	{ MSR_X2APIC_FIRST, MSR_X2APIC_LAST, ANY, rd_x2apic, wr_x2apic },
	{ MSR_IA32_TSC_DEADLINE, MSR_IA32_TSC_DEADLINE, ANY, rd_tsc_deadline, wr_tsc_deadline },
	{ MSR_IA32_MISC_ENABLE, MSR_IA32_MISC_ENABLE, INTEL, rd_misc_enable, wr_misc_enable },
	{ MSR_IA32_PAT, MSR_IA32_PAT, ANY, rd_pat, wr_pat },
	{ MSR_EFER, MSR_EFER, ANY, rd_efer, wr_efer },
	{ MSR_IA32_UCODE_REV, MSR_IA32_UCODE_REV, ANY, rd_zero, wr_ignore },
	{ MSR_AMD_PERF_CTL0, MSR_AMD_PERF_CTR3, AMD, rd_zero, wr_ignore },
	{ MSR_AMD_SYSCFG, MSR_AMD_SYSCFG, AMD, rd_amd_cfg, wr_amd_cfg },
	{ MSR_AMD_HWCR, MSR_AMD_HWCR, AMD, rd_amd_cfg, wr_amd_cfg },
	{ MSR_AMD_INT_PENDING, MSR_AMD_INT_PENDING, AMD, rd_amd_cfg, NULL },
	{ MSR_AMD_DE_CFG, MSR_AMD_DE_CFG, AMD, rd_amd_cfg, wr_amd_cfg },
	{ MSR_KVM_WALL_CLOCK_NEW, MSR_KVM_SYSTEM_TIME_NEW, ANY, rd_pvclock, wr_pvclock },
};

static const struct msr_desc *msr_find(uint32_t msr)
{
	bool intel = guest_is_intel();

	for (unsigned i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
		const struct msr_desc *d = &msrs[i];

		if (msr >= d->first && msr <= d->last &&
		    (d->vendor == ANY || (d->vendor == INTEL) == intel))
			return d;
	}
	return NULL;
}

void msr_vcpu_reset(struct vcpu *v)
{
	v->misc_enable = MISC_ENABLE_INIT;
	v->tsc_offset = 0;
	v->tsc_adjust = 0;
	v->pvclock_msr = 0;
	mtrr_reset(&v->mtrr, guest_maxphyaddr(v));
}

bool msr_access(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	const struct msr_desc *d = msr_find(msr);
	struct vm *vm = v->vm;

	if (d && (write ? d->wr : d->rd))
		return write ? d->wr(v, msr, val) : d->rd(v, msr, val);
	if (vm->unknown_msrs++ < UNKNOWN_MSR_LOG)
		pr_info("vm %d '%s': #GP for %s of MSR %#x (%s)%s\n", vm->id, vm->name,
			write ? "WRMSR" : "RDMSR", msr, d ? "read-only" : "not offered",
			vm->unknown_msrs == UNKNOWN_MSR_LOG ? "; no more such lines for this VM" : "");
	return false;
}
