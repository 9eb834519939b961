/* SPDX-License-Identifier: MIT */
/*
 * vmcb.h - the AMD Virtual Machine Control Block (APM vol. 2, appendix B).
 *
 * One 4 KiB page: the control area (intercepts, exit information, event
 * injection) at offset 0 and the guest state save area at 0x400. Offsets are
 * checked at compile time against table B-1 and B-2.
 */
#ifndef SV_ARCH_X86_SVM_VMCB_H
#define SV_ARCH_X86_SVM_VMCB_H

#include <stddef.h>
#include <stdint.h>

/* Intercept vector 3 (offset 0x0c), APM table B-1. */
#define SVM_INT3_INTR		(1u << 0)
#define SVM_INT3_NMI		(1u << 1)
#define SVM_INT3_VINTR		(1u << 4)
#define SVM_INT3_CPUID		(1u << 18)
#define SVM_INT3_IRET		(1u << 20)
#define SVM_INT3_INVD		(1u << 22)
#define SVM_INT3_HLT		(1u << 24)
#define SVM_INT3_INVLPGA	(1u << 26)
#define SVM_INT3_IOIO		(1u << 27)
#define SVM_INT3_MSR		(1u << 28)
#define SVM_INT3_TASK_SWITCH	(1u << 29)
#define SVM_INT3_SHUTDOWN	(1u << 31)
/* Intercept vector 4 (offset 0x10). */
#define SVM_INT4_VMRUN		(1u << 0)
#define SVM_INT4_VMMCALL	(1u << 1)
#define SVM_INT4_VMLOAD		(1u << 2)
#define SVM_INT4_VMSAVE		(1u << 3)
#define SVM_INT4_STGI		(1u << 4)
#define SVM_INT4_CLGI		(1u << 5)
#define SVM_INT4_SKINIT		(1u << 6)
#define SVM_INT4_WBINVD	(1u << 9)
#define SVM_INT4_MONITOR	(1u << 10)
#define SVM_INT4_MWAIT		(1u << 11)
#define SVM_INT4_MWAIT_COND	(1u << 12)
#define SVM_INT4_XSETBV		(1u << 13)

/* int_ctl (offset 0x60). */
#define SVM_V_TPR_MASK		0xfu	/* bits 3:0: the guest's CR8 */
#define SVM_V_IRQ		(1u << 8)
#define SVM_V_IGN_TPR		(1u << 20)
#define SVM_V_INTR_MASKING	(1u << 24)

/* TLB_CONTROL (offset 0x5c). */
#define SVM_TLB_FLUSH_NONE	0
#define SVM_TLB_FLUSH_ALL	1	/* every ASID: works without flush-by-ASID */
#define SVM_TLB_FLUSH_ASID	3	/* this guest's ASID: needs flush-by-ASID */

/* EVENTINJ / EXITINTINFO (APM 15.20). */
#define SVM_EVT_VALID		(1u << 31)
#define SVM_EVT_ERR_VALID	(1u << 11)
#define SVM_EVT_TYPE_INTR	(0u << 8)
#define SVM_EVT_TYPE_NMI	(2u << 8)
#define SVM_EVT_TYPE_EXC	(3u << 8)
#define SVM_EVT_TYPE_SOFT	(4u << 8)	/* INTn */
#define SVM_EVT_TYPE_MASK	(7u << 8)

/* Exit codes (APM appendix C). */
#define SVM_EXIT_CR0_WRITE	0x010
#define SVM_EXIT_DR0_READ	0x020	/* + n: MOV from DRn */
#define SVM_EXIT_DR0_WRITE	0x030	/* + n: MOV to DRn */
#define SVM_EXIT_EXCP_BASE	0x040
#define SVM_EXIT_INTR		0x060
#define SVM_EXIT_NMI		0x061
#define SVM_EXIT_VINTR		0x064
#define SVM_EXIT_CPUID		0x072
#define SVM_EXIT_IRET		0x074
#define SVM_EXIT_INVD		0x076
#define SVM_EXIT_HLT		0x078
#define SVM_EXIT_INVLPGA	0x07a
#define SVM_EXIT_IOIO		0x07b
#define SVM_EXIT_MSR		0x07c
#define SVM_EXIT_TASK_SWITCH	0x07d
#define SVM_EXIT_SHUTDOWN	0x07f
#define SVM_EXIT_VMRUN		0x080
#define SVM_EXIT_VMMCALL	0x081
#define SVM_EXIT_VMLOAD		0x082
#define SVM_EXIT_VMSAVE		0x083
#define SVM_EXIT_STGI		0x084
#define SVM_EXIT_CLGI		0x085
#define SVM_EXIT_SKINIT		0x086
#define SVM_EXIT_WBINVD		0x089
#define SVM_EXIT_MONITOR	0x08a
#define SVM_EXIT_MWAIT		0x08b
#define SVM_EXIT_MWAIT_COND	0x08c
#define SVM_EXIT_XSETBV		0x08d
#define SVM_EXIT_NPF		0x400
#define SVM_EXIT_INVALID	0xffffffffu

/* Segment attribute bits (APM vol. 2 15.5.1): descriptor bit 53 (L) and 54 (D/B). */
#define VMCB_ATTR_L		(1u << 9)
#define VMCB_ATTR_DB		(1u << 10)
/* CR intercept vector: bit n reads of CRn, bit 16 + n writes (APM vol. 2 15.9). */
#define SVM_INTERCEPT_CR_WRITE(n)	(1u << (16 + (n)))

struct vmcb_seg {
	uint16_t sel;
	uint16_t attrib;	/* descriptor bits 47:40 in 7:0, 55:52 in 11:8 */
	uint32_t limit;
	uint64_t base;
} __attribute__((packed));

struct vmcb {
	/* Control area. */
	uint32_t intercept_cr;		/* 0x000: reads 15:0, writes 31:16 */
	uint32_t intercept_dr;		/* 0x004 */
	uint32_t intercept_exc;		/* 0x008 */
	uint32_t intercept3;		/* 0x00c */
	uint32_t intercept4;		/* 0x010 */
	uint8_t rsvd0[0x03c - 0x014];
	uint16_t pause_threshold;	/* 0x03c */
	uint16_t pause_count;		/* 0x03e */
	uint64_t iopm_pa;		/* 0x040 */
	uint64_t msrpm_pa;		/* 0x048 */
	uint64_t tsc_offset;		/* 0x050 */
	uint32_t asid;			/* 0x058 */
	uint8_t tlb_control;		/* 0x05c */
	uint8_t rsvd1[3];
	uint32_t int_ctl;		/* 0x060: V_TPR, V_IRQ, V_INTR_MASKING, ... */
	uint32_t int_vector;		/* 0x064 */
	uint64_t int_state;		/* 0x068: bit 0 interrupt shadow */
	uint64_t exitcode;		/* 0x070 */
	uint64_t exitinfo1;		/* 0x078 */
	uint64_t exitinfo2;		/* 0x080 */
	uint64_t exitintinfo;		/* 0x088 */
	uint64_t np_enable;		/* 0x090: bit 0 nested paging */
	uint8_t rsvd2[0x0a8 - 0x098];
	uint64_t eventinj;		/* 0x0a8 */
	uint64_t n_cr3;			/* 0x0b0 */
	uint64_t lbr_virt;		/* 0x0b8 */
	uint32_t clean;			/* 0x0c0 */
	uint32_t rsvd3;
	uint64_t next_rip;		/* 0x0c8: with NRIPS */
	uint8_t rsvd4[0x400 - 0x0d0];
	/* State save area. */
	struct vmcb_seg es, cs, ss, ds, fs, gs;	/* 0x400 .. 0x45f */
	struct vmcb_seg gdtr, ldtr, idtr, tr;	/* 0x460 .. 0x49f */
	uint8_t rsvd5[0x4cb - 0x4a0];
	uint8_t cpl;			/* 0x4cb */
	uint32_t rsvd6;
	uint64_t efer;			/* 0x4d0 */
	uint8_t rsvd7[0x548 - 0x4d8];
	uint64_t cr4;			/* 0x548 */
	uint64_t cr3;			/* 0x550 */
	uint64_t cr0;			/* 0x558 */
	uint64_t dr7;			/* 0x560 */
	uint64_t dr6;			/* 0x568 */
	uint64_t rflags;		/* 0x570 */
	uint64_t rip;			/* 0x578 */
	uint8_t rsvd8[0x5d8 - 0x580];
	uint64_t rsp;			/* 0x5d8 */
	uint8_t rsvd9[0x5f8 - 0x5e0];
	uint64_t rax;			/* 0x5f8 */
	uint64_t star;			/* 0x600 */
	uint64_t lstar;			/* 0x608 */
	uint64_t cstar;			/* 0x610 */
	uint64_t sfmask;		/* 0x618 */
	uint64_t kernel_gs_base;	/* 0x620 */
	uint64_t sysenter_cs;		/* 0x628 */
	uint64_t sysenter_esp;		/* 0x630 */
	uint64_t sysenter_eip;		/* 0x638 */
	uint64_t cr2;			/* 0x640 */
	uint8_t rsvd10[0x668 - 0x648];
	uint64_t g_pat;			/* 0x668 */
	uint8_t rsvd11[0x1000 - 0x670];
} __attribute__((packed));

_Static_assert(offsetof(struct vmcb, iopm_pa) == 0x040, "VMCB iopm");
_Static_assert(offsetof(struct vmcb, int_ctl) == 0x060, "VMCB int_ctl");
_Static_assert(offsetof(struct vmcb, eventinj) == 0x0a8, "VMCB eventinj");
_Static_assert(offsetof(struct vmcb, next_rip) == 0x0c8, "VMCB next_rip");
_Static_assert(offsetof(struct vmcb, es) == 0x400, "VMCB save area");
_Static_assert(offsetof(struct vmcb, tr) == 0x490, "VMCB tr");
_Static_assert(offsetof(struct vmcb, efer) == 0x4d0, "VMCB efer");
_Static_assert(offsetof(struct vmcb, cr4) == 0x548, "VMCB cr4");
_Static_assert(offsetof(struct vmcb, rip) == 0x578, "VMCB rip");
_Static_assert(offsetof(struct vmcb, rsp) == 0x5d8, "VMCB rsp");
_Static_assert(offsetof(struct vmcb, rax) == 0x5f8, "VMCB rax");
_Static_assert(offsetof(struct vmcb, cr2) == 0x640, "VMCB cr2");
_Static_assert(offsetof(struct vmcb, g_pat) == 0x668, "VMCB g_pat");
_Static_assert(sizeof(struct vmcb) == 0x1000, "VMCB size");

#endif
