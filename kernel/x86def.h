/* SPDX-License-Identifier: MIT */
/*
 * x86def.h - architectural constants of x86-64, written once: control
 * register, EFER, RFLAGS and page-table bits, MSR numbers, the CPUID
 * feature bits the policy reads or hides. Plain numbers, so assembly
 * (boot.S) and C (kernel/ policy, arch/x86 mechanism) share them.
 * Sources: Intel SDM vol. 3A ch. 2 and 4, vol. 4 (MSRs), vol. 2A (CPUID);
 * AMD APM vol. 2 ch. 3 and appendix A.
 */
#ifndef SV_KERNEL_X86DEF_H
#define SV_KERNEL_X86DEF_H

#ifdef __ASSEMBLY__
#define X86_BIT(n)	(1 << (n))
#else
#define X86_BIT(n)	(1ull << (n))
#endif

/* CR0 (SDM vol. 3A 2.5). */
#define CR0_PE		X86_BIT(0)
#define CR0_MP		X86_BIT(1)
#define CR0_EM		X86_BIT(2)
#define CR0_TS		X86_BIT(3)
#define CR0_ET		X86_BIT(4)
#define CR0_NE		X86_BIT(5)
#define CR0_WP		X86_BIT(16)
#define CR0_AM		X86_BIT(18)
#define CR0_NW		X86_BIT(29)
#define CR0_CD		X86_BIT(30)
#define CR0_PG		X86_BIT(31)

/* CR4 (SDM vol. 3A 2.5). */
#define CR4_VME		X86_BIT(0)
#define CR4_PVI		X86_BIT(1)
#define CR4_TSD		X86_BIT(2)
#define CR4_DE		X86_BIT(3)
#define CR4_PSE		X86_BIT(4)
#define CR4_PAE		X86_BIT(5)
#define CR4_MCE		X86_BIT(6)
#define CR4_PGE		X86_BIT(7)
#define CR4_PCE		X86_BIT(8)
#define CR4_OSFXSR	X86_BIT(9)
#define CR4_OSXMMEXCPT	X86_BIT(10)
#define CR4_UMIP	X86_BIT(11)
#define CR4_LA57	X86_BIT(12)
#define CR4_VMXE	X86_BIT(13)
#define CR4_SMXE	X86_BIT(14)
#define CR4_FSGSBASE	X86_BIT(16)
#define CR4_PCIDE	X86_BIT(17)
#define CR4_OSXSAVE	X86_BIT(18)
#define CR4_SMEP	X86_BIT(20)
#define CR4_SMAP	X86_BIT(21)
#define CR4_PKE		X86_BIT(22)

/* EFER (SDM vol. 3A 2.2.1, APM vol. 2 3.1.7). */
#define EFER_SCE	X86_BIT(0)
#define EFER_LME	X86_BIT(8)
#define EFER_LMA	X86_BIT(10)
#define EFER_NXE	X86_BIT(11)
#define EFER_SVME	X86_BIT(12)

/* RFLAGS (SDM vol. 1 3.4.3). */
#define RFLAGS_FIXED	X86_BIT(1)
#define RFLAGS_TF	X86_BIT(8)
#define RFLAGS_IF	X86_BIT(9)
#define RFLAGS_DF	X86_BIT(10)
#define RFLAGS_RF	X86_BIT(16)
#define DR6_BS		X86_BIT(14)	/* single step */
#define DR6_BT		X86_BIT(15)	/* task switch to a TSS with T set */
#define DR7_LOCAL	0x155ull	/* L0-L3 and LE: a task switch clears them (SDM vol. 3B 17.2.4) */
#define RFLAGS_VM	X86_BIT(17)

/* Page-table entry bits (SDM vol. 3A 4.5). */
#define PTE_P		0x001
#define PTE_W		0x002
#define PTE_U		0x004
#define PTE_PWT		0x008
#define PTE_PCD		0x010
#define PTE_A		0x020
#define PTE_D		0x040
#define PTE_PS		0x080
#define PTE_G		0x100

/* MSRs (SDM vol. 4 ch. 2; APM vol. 2 appendix A). */
#define MSR_IA32_TSC		0x10
#define MSR_IA32_APIC_BASE	0x1b
#define MSR_IA32_MTRRCAP	0xfe
#define MSR_IA32_MISC_ENABLE	0x1a0
#define MSR_IA32_PAT		0x277
#define MSR_IA32_TSC_DEADLINE	0x6e0
#define MSR_X2APIC_FIRST	0x800
#define MSR_X2APIC_LAST		0x8ff
#define MSR_IA32_MTRR_DEF_TYPE	0x2ff
#define MSR_MTRR_PHYSBASE0	0x200	/* PHYSBASEn at 0x200 + 2n, PHYSMASKn after it */
#define MSR_MTRR_PHYSMASK7	0x20f
#define MSR_MTRR_FIX64K_00000	0x250
#define MSR_MTRR_FIX16K_80000	0x258
#define MSR_MTRR_FIX16K_A0000	0x259
#define MSR_MTRR_FIX4K_C0000	0x268
#define MSR_MTRR_FIX4K_F8000	0x26f
#define MSR_EFER		0xc0000080
#define MSR_IA32_TSC_ADJUST	0x3b
#define MSR_IA32_SYSENTER_CS	0x174
#define MSR_IA32_SYSENTER_ESP	0x175
#define MSR_IA32_SYSENTER_EIP	0x176
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SFMASK		0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_TSC_AUX		0xc0000103
#define MSR_IA32_UCODE_REV	0x8b		/* Intel BIOS_SIGN_ID, AMD PATCH_LEVEL: the microcode revision */
#define MSR_AMD_PERF_CTL0	0xc0010000	/* PERF_CTL0-3, then PERF_CTR0-3 (APM vol. 2 13.2) */
#define MSR_AMD_SYSCFG		0xc0010010	/* system configuration (APM vol. 2 3.2.1) */
#define MSR_AMD_HWCR		0xc0010015	/* hardware configuration (BKDG) */
#define MSR_AMD_INT_PENDING	0xc0010055	/* K8's interrupt-pending message (C1E, BKDG) */
#define MSR_AMD_DE_CFG		0xc0011029	/* decode configuration; bit 1: LFENCE serialises */
#define AMD_DE_CFG_LFENCE	(1ull << 1)
#define MSR_AMD_PERF_CTR3	0xc0010007

/* CPUID feature bits (SDM vol. 2A CPUID; APM vol. 3 appendix E). */
#define CPUID1_EDX_VME		X86_BIT(1)
#define CPUID1_EDX_DE		X86_BIT(2)
#define CPUID1_EDX_PSE		X86_BIT(3)
#define CPUID1_EDX_PAE		X86_BIT(6)
#define CPUID1_EDX_MCE		X86_BIT(7)
#define CPUID1_EDX_PGE		X86_BIT(13)
#define CPUID1_EDX_FXSR		X86_BIT(24)
#define CPUID1_EDX_SSE		X86_BIT(25)
#define CPUID1_ECX_PCID		X86_BIT(17)
#define CPUID1_ECX_XSAVE	X86_BIT(26)
#define CPUID1_ECX_OSXSAVE	X86_BIT(27)
#define CPUID7_EBX_FSGSBASE	X86_BIT(0)
#define CPUID7_EBX_SMEP		X86_BIT(7)
#define CPUID7_EBX_SMAP		X86_BIT(20)
#define CPUID7_ECX_UMIP		X86_BIT(2)
#define CPUID81_EDX_SYSCALL	X86_BIT(11)
#define CPUID81_EDX_NX		X86_BIT(20)
#define CPUID81_EDX_LM		X86_BIT(29)

/* XCR0 state components (SDM vol. 1 13.1). */
#define XCR0_X87	X86_BIT(0)
#define XCR0_SSE	X86_BIT(1)
#define XCR0_AVX	X86_BIT(2)
#define XCR0_AVX512	(X86_BIT(5) | X86_BIT(6) | X86_BIT(7))	/* opmask, ZMM_Hi256, Hi16_ZMM */

#endif
