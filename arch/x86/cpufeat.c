// SPDX-License-Identifier: MIT
/*
 * cpufeat.c - probe and report the CPU's virtualization features.
 *
 * Intel: CPUID.1:ECX[5] for VMX; the allowed-1 settings of the secondary
 * processor-based controls (MSR 0x48B high half, SDM vol. 3D A.3.3) for
 * EPT (bit 1), VPID (bit 5), unrestricted guest (bit 7); IA32_VMX_EPT_VPID_CAP
 * (SDM A.10) for the EPT walk length, WB, large pages, A/D and INVEPT/INVVPID.
 * AMD: CPUID.80000001:ECX[2] for SVM; CPUID 0x8000000A (APM vol. 2 15.4,
 * and the CPUID specification) for NPT, NRIPS, VMCB clean bits,
 * flush-by-ASID, decode assists and the number of ASIDs.
 */
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/cpufeat.h"
#include "kernel/arch.h"
#include "arch/x86/x86.h"
#include "kernel/printk.h"

struct cpu_features cpu_features;

static void probe_vmx(struct cpu_features *f)
{
	uint64_t fc = 0, basic, proc, proc2 = 0, cap = 0, pin;

	rdmsr_safe(MSR_FEATURE_CONTROL, &fc);
	/* Bit 0 lock, bit 2 VMXON outside SMX (SDM vol. 3C 24.7). */
	f->vmx_locked_off = (fc & 1) && !(fc & 4);
	basic = rdmsr(MSR_VMX_BASIC);
	f->true_ctls = basic & (1ull << 55);
	pin = rdmsr(f->true_ctls ? MSR_VMX_TRUE_PINBASED : MSR_VMX_PINBASED);
	f->preempt_timer = (pin >> 32) & (1u << 6);
	proc = rdmsr(f->true_ctls ? MSR_VMX_TRUE_PROCBASED : MSR_VMX_PROCBASED);
	if ((proc >> 32) & (1u << 31))	/* activate secondary controls allowed */
		proc2 = rdmsr(MSR_VMX_PROCBASED2) >> 32;
	f->ept = proc2 & (1u << 1);
	f->vpid = proc2 & (1u << 5);
	f->unrestricted = proc2 & (1u << 7);
	if (f->ept || f->vpid)
		cap = rdmsr(MSR_VMX_EPT_VPID_CAP);
	f->ept_4level = cap & (1ull << 6);
	f->ept_wb = cap & (1ull << 14);
	f->ept_2m = cap & (1ull << 16);
	f->ept_1g = cap & (1ull << 17);
	f->ept_ad = cap & (1ull << 21);
	f->invept_single = (cap & (1ull << 20)) && (cap & (1ull << 25));
	f->invept_all = (cap & (1ull << 20)) && (cap & (1ull << 26));
	f->invvpid = cap & (1ull << 32);
}

static void probe_svm(struct cpu_features *f)
{
	uint32_t a, b, c, d;
	uint64_t vmcr = 0;

	/* VM_CR may not exist (Bochs' AMD models raise #GP): read it safely. */
	if (rdmsr_safe(MSR_VM_CR, &vmcr))
		f->svm_locked_off = vmcr & (1u << 4);
	cpuid(0x80000000, &a, &b, &c, &d);
	if (a < 0x8000000a)
		return;
	cpuid(0x8000000a, &a, &b, &c, &d);
	f->nasids = b;
	f->npt = d & (1u << 0);
	f->nrips = d & (1u << 3);
	f->vmcb_clean = d & (1u << 5);
	f->flush_by_asid = d & (1u << 6);
	f->decode_assists = d & (1u << 7);
}

void cpufeat_probe(void)
{
	struct cpu_features *f = &cpu_features;
	uint32_t a, b, c, d, max_ext;

	memset(f, 0, sizeof(*f));
	cpuid(0, &a, &b, &c, &d);
	memcpy(f->vendor, &b, 4);
	memcpy(f->vendor + 4, &d, 4);
	memcpy(f->vendor + 8, &c, 4);
	f->intel = !strcmp(f->vendor, "GenuineIntel");
	f->amd = !strcmp(f->vendor, "AuthenticAMD");
	cpuid(1, &a, &b, &c, &d);
	f->vmx = c & (1u << 5);
	cpuid(0x80000000, &max_ext, &b, &c, &d);
	if (max_ext >= 0x80000004) {
		uint32_t *w = (uint32_t *)f->brand;
		for (uint32_t l = 0; l < 3; l++)
			cpuid(0x80000002 + l, &w[4 * l], &w[4 * l + 1],
			      &w[4 * l + 2], &w[4 * l + 3]);
	}
	if (max_ext >= 0x80000001) {
		cpuid(0x80000001, &a, &b, &c, &d);
		f->svm = c & (1u << 2);
		f->rdtscp = d & (1u << 27);
	}
	if (f->vmx)
		probe_vmx(f);
	if (f->svm)
		probe_svm(f);
}

static const char *yn(bool v)
{
	return v ? "yes" : "no";
}

void arch_cpu_report(void)
{
	const struct cpu_features *f = &cpu_features;
	const char *brand = f->brand;

	while (*brand == ' ')
		brand++;
	pr_info("cpu: %s, %s, TSC %llu MHz\n", f->vendor, *brand ? brand : "(no brand string)",
		(unsigned long long)tsc_khz() / 1000);
	if (f->vmx)
		pr_info("cpu: VMX yes%s, EPT %s (4-level %s, WB %s, 2M %s, 1G %s, A/D %s), "
			"VPID %s, unrestricted guest %s, preemption timer %s, "
			"INVEPT single %s all %s\n",
			f->vmx_locked_off ? " (disabled by firmware)" : "",
			yn(f->ept), yn(f->ept_4level), yn(f->ept_wb), yn(f->ept_2m),
			yn(f->ept_1g), yn(f->ept_ad), yn(f->vpid), yn(f->unrestricted),
			yn(f->preempt_timer), yn(f->invept_single), yn(f->invept_all));
	if (f->svm)
		pr_info("cpu: SVM yes%s, NPT %s, ASIDs %u, NRIPS %s, VMCB clean bits %s, "
			"flush-by-ASID %s, decode assists %s\n",
			f->svm_locked_off ? " (disabled by firmware)" : "",
			yn(f->npt), f->nasids, yn(f->nrips), yn(f->vmcb_clean),
			yn(f->flush_by_asid), yn(f->decode_assists));
	if (!f->vmx && !f->svm)
		pr_info("cpu: no hardware virtualization (neither VMX nor SVM)\n");
}
