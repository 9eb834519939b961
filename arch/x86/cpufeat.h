/* SPDX-License-Identifier: MIT */
/* cpufeat.h - the CPU's vendor and hardware-virtualization features, probed once at boot. */
#ifndef SV_ARCH_X86_CPUFEAT_H
#define SV_ARCH_X86_CPUFEAT_H

#include <stdbool.h>
#include <stdint.h>

/* VMX capability MSRs (Intel SDM vol. 3D appendix A). */
#define MSR_FEATURE_CONTROL	0x3a
#define MSR_VMX_BASIC		0x480
#define MSR_VMX_PINBASED	0x481
#define MSR_VMX_PROCBASED	0x482
#define MSR_VMX_EXIT		0x483
#define MSR_VMX_ENTRY		0x484
#define MSR_VMX_MISC		0x485
#define MSR_VMX_CR0_FIXED0	0x486
#define MSR_VMX_CR0_FIXED1	0x487
#define MSR_VMX_CR4_FIXED0	0x488
#define MSR_VMX_CR4_FIXED1	0x489
#define MSR_VMX_PROCBASED2	0x48b
#define MSR_VMX_EPT_VPID_CAP	0x48c
#define MSR_VMX_TRUE_PINBASED	0x48d
#define MSR_VMX_TRUE_PROCBASED	0x48e
#define MSR_VMX_TRUE_EXIT	0x48f
#define MSR_VMX_TRUE_ENTRY	0x490
#define MSR_VM_CR		0xc0010114	/* AMD APM vol. 2 15.30.1 */
#define MSR_VM_HSAVE_PA		0xc0010117

struct cpu_features {
	char vendor[13];
	char brand[49];
	bool intel, amd;
	bool rdtscp;		/* CPUID.80000001:EDX[27]: RDTSCP and IA32_TSC_AUX */
	/* Intel VMX */
	bool vmx;		/* CPUID.1:ECX[5] */
	bool vmx_locked_off;	/* FEATURE_CONTROL locked without VMX outside SMX */
	bool ept, vpid, unrestricted, ept_4level, ept_wb, ept_2m, ept_1g, ept_ad;
	bool invept_single, invept_all, invvpid;
	bool preempt_timer;
	bool true_ctls;		/* VMX_BASIC[55]: use the TRUE_* control MSRs */
	/* AMD SVM */
	bool svm;		/* CPUID.80000001:ECX[2] */
	bool svm_locked_off;	/* VM_CR.SVMDIS */
	bool npt, nrips, vmcb_clean, flush_by_asid, decode_assists;
	uint32_t nasids;
};

extern struct cpu_features cpu_features;

/* cpufeat_probe - fill cpu_features from CPUID and the capability MSRs. */
void cpufeat_probe(void);

#endif
