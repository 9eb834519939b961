/* SPDX-License-Identifier: MIT */
/*
 * vmcs.h - VMCS field encodings, VMX control bits, exit reasons and the
 * VMREAD/VMWRITE wrappers.
 *
 * Field encodings are those of Intel SDM vol. 3D appendix B ("Field Encoding
 * in VMCS"); control bits are cited from vol. 3C chapter 25 ("VM-Execution
 * Control Fields" and the exit/entry control sections); exit reasons from
 * appendix C ("VMX Basic Exit Reasons").
 */
#ifndef SV_ARCH_X86_VMX_VMCS_H
#define SV_ARCH_X86_VMX_VMCS_H

#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stdint.h>
#endif

/* 16-bit fields (B.1). */
#define VMCS_VPID			0x0000
#define VMCS_GUEST_ES_SEL		0x0800
#define VMCS_GUEST_CS_SEL		0x0802
#define VMCS_GUEST_SS_SEL		0x0804
#define VMCS_GUEST_DS_SEL		0x0806
#define VMCS_GUEST_FS_SEL		0x0808
#define VMCS_GUEST_GS_SEL		0x080a
#define VMCS_GUEST_LDTR_SEL		0x080c
#define VMCS_GUEST_TR_SEL		0x080e
#define VMCS_HOST_ES_SEL		0x0c00
#define VMCS_HOST_CS_SEL		0x0c02
#define VMCS_HOST_SS_SEL		0x0c04
#define VMCS_HOST_DS_SEL		0x0c06
#define VMCS_HOST_FS_SEL		0x0c08
#define VMCS_HOST_GS_SEL		0x0c0a
#define VMCS_HOST_TR_SEL		0x0c0c

/* 64-bit fields (B.2). */
#define VMCS_IO_BITMAP_A		0x2000
#define VMCS_IO_BITMAP_B		0x2002
#define VMCS_MSR_BITMAP			0x2004
#define VMCS_EXIT_MSR_STORE_ADDR	0x2006
#define VMCS_EXIT_MSR_LOAD_ADDR		0x2008
#define VMCS_ENTRY_MSR_LOAD_ADDR	0x200a
#define VMCS_TSC_OFFSET			0x2010
#define VMCS_VIRTUAL_APIC_ADDR		0x2012
#define VMCS_EPTP			0x201a
#define VMCS_GUEST_PHYS_ADDR		0x2400	/* read-only */
#define VMCS_LINK_POINTER		0x2800
#define VMCS_GUEST_DEBUGCTL		0x2802
#define VMCS_GUEST_PAT			0x2804
#define VMCS_GUEST_EFER			0x2806
#define VMCS_GUEST_PDPTE0		0x280a
#define VMCS_HOST_PAT			0x2c00
#define VMCS_HOST_EFER			0x2c02

/* 32-bit fields (B.3). */
#define VMCS_PIN_CTLS			0x4000
#define VMCS_PROC_CTLS			0x4002
#define VMCS_EXCEPTION_BITMAP		0x4004
#define VMCS_PF_ERROR_MASK		0x4006
#define VMCS_PF_ERROR_MATCH		0x4008
#define VMCS_CR3_TARGET_COUNT		0x400a
#define VMCS_EXIT_CTLS			0x400c
#define VMCS_EXIT_MSR_STORE_COUNT	0x400e
#define VMCS_EXIT_MSR_LOAD_COUNT	0x4010
#define VMCS_ENTRY_CTLS			0x4012
#define VMCS_ENTRY_MSR_LOAD_COUNT	0x4014
#define VMCS_ENTRY_INTR_INFO		0x4016
#define VMCS_ENTRY_EXC_ERROR		0x4018
#define VMCS_ENTRY_INSN_LEN		0x401a
#define VMCS_TPR_THRESHOLD		0x401c
#define VMCS_PROC_CTLS2			0x401e
#define VMCS_INSN_ERROR			0x4400	/* read-only from here ... */
#define VMCS_EXIT_REASON		0x4402
#define VMCS_EXIT_INTR_INFO		0x4404
#define VMCS_EXIT_INTR_ERROR		0x4406
#define VMCS_IDT_VECTORING_INFO		0x4408
#define VMCS_IDT_VECTORING_ERROR	0x440a
#define VMCS_EXIT_INSN_LEN		0x440c
#define VMCS_EXIT_INSN_INFO		0x440e	/* ... to here */
#define VMCS_GUEST_ES_LIMIT		0x4800
#define VMCS_GUEST_CS_LIMIT		0x4802
#define VMCS_GUEST_SS_LIMIT		0x4804
#define VMCS_GUEST_DS_LIMIT		0x4806
#define VMCS_GUEST_FS_LIMIT		0x4808
#define VMCS_GUEST_GS_LIMIT		0x480a
#define VMCS_GUEST_LDTR_LIMIT		0x480c
#define VMCS_GUEST_TR_LIMIT		0x480e
#define VMCS_GUEST_GDTR_LIMIT		0x4810
#define VMCS_GUEST_IDTR_LIMIT		0x4812
#define VMCS_GUEST_ES_AR		0x4814
#define VMCS_GUEST_CS_AR		0x4816
#define VMCS_GUEST_SS_AR		0x4818
#define VMCS_GUEST_DS_AR		0x481a
#define VMCS_GUEST_FS_AR		0x481c
#define VMCS_GUEST_GS_AR		0x481e
#define VMCS_GUEST_LDTR_AR		0x4820
#define VMCS_GUEST_TR_AR		0x4822
#define VMCS_GUEST_INTERRUPTIBILITY	0x4824
#define VMCS_GUEST_ACTIVITY		0x4826
#define VMCS_GUEST_SYSENTER_CS		0x482a
#define VMCS_HOST_SYSENTER_CS		0x4c00

/* Natural-width fields (B.4). */
#define VMCS_CR0_MASK			0x6000
#define VMCS_CR4_MASK			0x6002
#define VMCS_CR0_SHADOW			0x6004
#define VMCS_CR4_SHADOW			0x6006
#define VMCS_EXIT_QUALIFICATION		0x6400	/* read-only */
#define VMCS_GUEST_LINEAR_ADDR		0x640a	/* read-only */
#define VMCS_GUEST_CR0			0x6800
#define VMCS_GUEST_CR3			0x6802
#define VMCS_GUEST_CR4			0x6804
#define VMCS_GUEST_ES_BASE		0x6806
#define VMCS_GUEST_CS_BASE		0x6808
#define VMCS_GUEST_SS_BASE		0x680a
#define VMCS_GUEST_DS_BASE		0x680c
#define VMCS_GUEST_FS_BASE		0x680e
#define VMCS_GUEST_GS_BASE		0x6810
#define VMCS_GUEST_LDTR_BASE		0x6812
#define VMCS_GUEST_TR_BASE		0x6814
#define VMCS_GUEST_GDTR_BASE		0x6816
#define VMCS_GUEST_IDTR_BASE		0x6818
#define VMCS_GUEST_DR7			0x681a
#define VMCS_GUEST_RSP			0x681c
#define VMCS_GUEST_RIP			0x681e
#define VMCS_GUEST_RFLAGS		0x6820
#define VMCS_GUEST_PENDING_DBG		0x6822
#define VMCS_GUEST_SYSENTER_ESP		0x6824
#define VMCS_GUEST_SYSENTER_EIP		0x6826
#define VMCS_HOST_CR0			0x6c00
#define VMCS_HOST_CR3			0x6c02
#define VMCS_HOST_CR4			0x6c04
#define VMCS_HOST_FS_BASE		0x6c06
#define VMCS_HOST_GS_BASE		0x6c08
#define VMCS_HOST_TR_BASE		0x6c0a
#define VMCS_HOST_GDTR_BASE		0x6c0c
#define VMCS_HOST_IDTR_BASE		0x6c0e
#define VMCS_HOST_SYSENTER_ESP		0x6c10
#define VMCS_HOST_SYSENTER_EIP		0x6c12
#define VMCS_HOST_RSP			0x6c14
#define VMCS_HOST_RIP			0x6c16

/* Pin-based VM-execution controls (25.6.1). */
#define PIN_EXTINT_EXIT		(1u << 0)	/* external interrupts cause exits */
#define PIN_NMI_EXIT		(1u << 3)	/* NMIs cause exits */
#define PIN_VIRTUAL_NMIS	(1u << 5)
#define PIN_PREEMPT_TIMER	(1u << 6)

/* Primary processor-based VM-execution controls (25.6.2). */
#define PROC_INTR_WINDOW	(1u << 2)	/* exit when RFLAGS.IF = 1 and nothing blocks */
#define PROC_TSC_OFFSET		(1u << 3)	/* RDTSC returns the TSC plus the TSC offset */
#define PROC_HLT_EXIT		(1u << 7)
#define PROC_INVLPG_EXIT	(1u << 9)
#define PROC_MWAIT_EXIT		(1u << 10)
#define PROC_RDPMC_EXIT		(1u << 11)
#define PROC_RDTSC_EXIT		(1u << 12)
#define PROC_CR3_LOAD_EXIT	(1u << 15)
#define PROC_CR3_STORE_EXIT	(1u << 16)
#define PROC_CR8_LOAD_EXIT	(1u << 19)
#define PROC_CR8_STORE_EXIT	(1u << 20)
#define PROC_TPR_SHADOW		(1u << 21)	/* CR8 reads/writes go to the virtual-APIC page */
#define PROC_NMI_WINDOW		(1u << 22)
#define PROC_MOV_DR_EXIT	(1u << 23)
#define PROC_UNCOND_IO_EXIT	(1u << 24)
#define PROC_IO_BITMAPS		(1u << 25)
#define PROC_MTF		(1u << 27)
#define PROC_MSR_BITMAPS	(1u << 28)
#define PROC_MONITOR_EXIT	(1u << 29)
#define PROC_PAUSE_EXIT		(1u << 30)
#define PROC_SECONDARY		(1u << 31)

/* Secondary processor-based VM-execution controls (25.6.2). */
#define PROC2_EPT		(1u << 1)
#define PROC2_RDTSCP		(1u << 3)	/* without it RDTSCP is #UD in the guest */
#define PROC2_VPID		(1u << 5)
#define PROC2_UNRESTRICTED	(1u << 7)	/* guest may run with CR0.PE = 0 or PG = 0 */
#define PROC2_INVPCID		(1u << 12)	/* without it INVPCID is #UD in the guest */

/* VM-exit controls (25.7.1). */
#define EXIT_SAVE_DEBUG		(1u << 2)
#define EXIT_HOST_64		(1u << 9)	/* "host address-space size": a 64-bit host */
#define EXIT_ACK_INTR		(1u << 15)	/* acknowledge the interrupt controller on exit */
#define EXIT_SAVE_PAT		(1u << 18)
#define EXIT_LOAD_PAT		(1u << 19)
#define EXIT_SAVE_EFER		(1u << 20)
#define EXIT_LOAD_EFER		(1u << 21)

/* VM-entry controls (25.8.1). */
#define ENTRY_LOAD_DEBUG	(1u << 2)
#define ENTRY_IA32E		(1u << 9)	/* "IA-32e mode guest": must equal EFER.LMA */
#define ENTRY_LOAD_PAT		(1u << 14)
#define ENTRY_LOAD_EFER		(1u << 15)

/*
 * Event information (25.8.3 for VM-entry interruption information; the exit
 * interruption and IDT-vectoring fields use the same layout, 25.9.2-3).
 */
#define INTR_INFO_VECTOR_MASK	0xffu
#define INTR_INFO_TYPE_SHIFT	8
#define INTR_INFO_TYPE_MASK	(7u << 8)
#define INTR_TYPE_EXT		(0u << 8)	/* external interrupt */
#define INTR_TYPE_NMI		(2u << 8)
#define INTR_TYPE_HW_EXC	(3u << 8)	/* hardware exception */
#define INTR_TYPE_SW_INT	(4u << 8)	/* INT n */
#define INTR_TYPE_PRIV_SW_EXC	(5u << 8)	/* INT1 */
#define INTR_TYPE_SW_EXC	(6u << 8)	/* INT3, INTO */
#define INTR_INFO_ERROR		(1u << 11)	/* deliver an error code */
#define INTR_INFO_NMI_UNBLOCK	(1u << 12)	/* exit/vectoring info only: NMI unblocking by IRET */
#define INTR_INFO_VALID		(1u << 31)

/* Guest interruptibility state (25.4.2, table 25-3). */
#define INTR_BLOCK_STI		(1u << 0)
#define INTR_BLOCK_MOV_SS	(1u << 1)
#define INTR_BLOCK_NMI		(1u << 3)

/* Segment access rights as the VMCS holds them (25.4.1): type, S, DPL, P, AVL, L, D/B, G. */
#define AR_L			(1u << 13)	/* CS.L: 64-bit code segment */
#define AR_UNUSABLE		(1u << 16)

/* Basic exit reasons (appendix C); bit 31 of the exit reason flags an entry failure. */
#define EXIT_REASON_EXCEPTION_NMI	0
#define EXIT_REASON_EXTINT		1
#define EXIT_REASON_TRIPLE_FAULT	2
#define EXIT_REASON_INIT		3
#define EXIT_REASON_SIPI		4
#define EXIT_REASON_IO_SMI		5
#define EXIT_REASON_OTHER_SMI		6
#define EXIT_REASON_INTR_WINDOW		7
#define EXIT_REASON_NMI_WINDOW		8
#define EXIT_REASON_TASK_SWITCH		9
#define EXIT_REASON_CPUID		10
#define EXIT_REASON_GETSEC		11
#define EXIT_REASON_HLT			12
#define EXIT_REASON_INVD		13
#define EXIT_REASON_INVLPG		14
#define EXIT_REASON_RDPMC		15
#define EXIT_REASON_RDTSC		16
#define EXIT_REASON_RSM			17
#define EXIT_REASON_VMCALL		18
#define EXIT_REASON_VMCLEAR		19
#define EXIT_REASON_VMLAUNCH		20
#define EXIT_REASON_VMPTRLD		21
#define EXIT_REASON_VMPTRST		22
#define EXIT_REASON_VMREAD		23
#define EXIT_REASON_VMRESUME		24
#define EXIT_REASON_VMWRITE		25
#define EXIT_REASON_VMXOFF		26
#define EXIT_REASON_VMXON		27
#define EXIT_REASON_CR_ACCESS		28
#define EXIT_REASON_DR_ACCESS		29
#define EXIT_REASON_IO			30
#define EXIT_REASON_RDMSR		31
#define EXIT_REASON_WRMSR		32
#define EXIT_REASON_BAD_GUEST_STATE	33
#define EXIT_REASON_MSR_LOADING		34
#define EXIT_REASON_MWAIT		36
#define EXIT_REASON_MTF			37
#define EXIT_REASON_MONITOR		39
#define EXIT_REASON_PAUSE		40
#define EXIT_REASON_MACHINE_CHECK	41
#define EXIT_REASON_TPR_BELOW		43
#define EXIT_REASON_APIC_ACCESS		44
#define EXIT_REASON_VIRT_EOI		45
#define EXIT_REASON_GDTR_IDTR		46
#define EXIT_REASON_LDTR_TR		47
#define EXIT_REASON_EPT_VIOLATION	48
#define EXIT_REASON_EPT_MISCONFIG	49
#define EXIT_REASON_INVEPT		50
#define EXIT_REASON_RDTSCP		51
#define EXIT_REASON_PREEMPT_TIMER	52
#define EXIT_REASON_INVVPID		53
#define EXIT_REASON_WBINVD		54
#define EXIT_REASON_XSETBV		55
#define EXIT_REASON_APIC_WRITE		56
#define EXIT_REASON_RDRAND		57
#define EXIT_REASON_INVPCID		58
#define EXIT_REASON_VMFUNC		59
#define EXIT_REASON_ENCLS		60
#define EXIT_REASON_RDSEED		61
#define EXIT_REASON_PML_FULL		62
#define EXIT_REASON_XSAVES		63
#define EXIT_REASON_XRSTORS		64
#define EXIT_REASON_ENTRY_FAIL		(1u << 31)	/* 28.8: the entry failed */
#define EXIT_REASON_BASIC_MASK		0xffffu

/*
 * Not a hardware exit reason: vmx.c reports a VMLAUNCH/VMRESUME that failed
 * as an instruction (VMfailValid/VMfailInvalid, 31.2) with this raw code.
 */
#define EXIT_REASON_VMFAIL		0xffffffffu

/* Exit qualification of control-register accesses (28.2.1, table 28-3). */
#define CRQ_CR(q)		((unsigned)(q) & 0xf)
#define CRQ_TYPE(q)		(((unsigned)(q) >> 4) & 3)	/* 0 MOV to CR, 1 MOV from, 2 CLTS, 3 LMSW */
#define CRQ_GPR(q)		(((unsigned)(q) >> 8) & 0xf)
#define CRQ_LMSW_DATA(q)	(((unsigned)(q) >> 16) & 0xffff)
#define CRQ_MOV_TO		0
#define CRQ_MOV_FROM		1
#define CRQ_CLTS		2
#define CRQ_LMSW		3

/* Exit qualification of MOV DR (table 28-4): the DR, the direction, the general register. */
#define DRQ_DR(q)		((unsigned)(q) & 7)
#define DRQ_FROM		(1u << 4)	/* MOV from DR (0: MOV to DR) */
#define DRQ_GPR(q)		(((unsigned)(q) >> 8) & 0xf)

/* Exit qualification of I/O instructions (28.2.1, table 28-5). */
#define IOQ_SIZE(q)		(((unsigned)(q) & 7) + 1)	/* 0: 1 byte, 1: 2, 3: 4 */
#define IOQ_IN			(1u << 3)
#define IOQ_STRING		(1u << 4)
#define IOQ_REP			(1u << 5)
#define IOQ_PORT(q)		((uint16_t)((q) >> 16))

/* Exit qualification of EPT violations (28.2.1, table 28-7). */
#define EPTQ_READ		(1u << 0)
#define EPTQ_WRITE		(1u << 1)
#define EPTQ_FETCH		(1u << 2)
#define EPTQ_PERM_MASK		(7u << 3)	/* the entry allowed read/write/execute */
#define EPTQ_NMI_UNBLOCK	(1u << 12)	/* NMI unblocking due to IRET */

/* INVEPT and INVVPID types (31.3, "INVEPT" and "INVVPID"). */
#define INVEPT_SINGLE		1
#define INVEPT_ALL		2
#define INVVPID_SINGLE		1
#define INVVPID_ALL		2

#ifndef __ASSEMBLY__
/* vmread - read VMCS field @field of the current VMCS (0 if the field does not exist). */
static inline uint64_t vmread(uint32_t field)
{
	uint64_t v = 0;

	__asm__ volatile("vmread %1, %0" : "+r"(v) : "r"((uint64_t)field) : "cc");
	return v;
}

/* vmwrite_ok - write @val to field @field of the current VMCS; false on VMfail. */
static inline bool vmwrite_ok(uint32_t field, uint64_t val)
{
	bool fail;

	__asm__ volatile("vmwrite %1, %2; setna %0"
			 : "=q"(fail) : "r"(val), "r"((uint64_t)field) : "cc", "memory");
	return !fail;
}
#endif

#endif
