/* SPDX-License-Identifier: MIT */
/*
 * virt.h - the hardware-virtualization hooks kernel/ calls: one ops table per vendor.
 *
 * arch/x86 picks Intel VMX or AMD SVM at boot from CPUID (virt_init) and binds
 * `virt` to that vendor's const ops. Each backend only decodes and encodes:
 * it runs a vCPU until the next VM exit and describes that exit in the
 * arch-neutral struct vm_exit; every decision (what CPUID answers, which
 * port goes to which device, what a nested page fault means) is taken once,
 * in kernel/exit.c.
 */
#ifndef SV_KERNEL_VIRT_H
#define SV_KERNEL_VIRT_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/vcpustate.h"

struct vcpu;
struct vm;
struct p2m_format;

/* Guest registers that live in the VMCS/VMCB; read and written through the ops. */
enum vreg {
	VREG_RIP,
	VREG_RSP,
	VREG_RFLAGS,
	VREG_CR0,	/* as the guest sees it (read shadow on VMX) */
	VREG_CR2,
	VREG_CR3,
	VREG_CR4,	/* as the guest sees it */
	VREG_EFER,	/* as the guest sees it (no SVME on AMD); LMA follows LME and CR0.PG */
	VREG_CS_BASE,	/* read-only: where CS:RIP points, for instruction fetch */
	VREG_CPL,	/* read-only: the guest's current privilege level */
	VREG_CS_L,	/* read-only: CS.L, 1 when the guest runs 64-bit code in long mode */
	VREG_PAT,	/* write-only: the IA32_PAT the guest's memory types use */
	VREG_TSC_OFFSET,	/* write-only: the guest's TSC is the host's plus this */
	VREG_TPR,	/* the local APIC's TPR as CR8 moves it without an exit (SVM keeps bits 7:4 only) */
	VREG_TPR_THRESHOLD,	/* write-only: a CR8 below this class exits (only where virt_ops.tpr_threshold) */
	VREG_INT_SHADOW,	/* write-only: 0 ends an STI/MOV SS interrupt shadow (an emulated instruction completed) */
	VREG_DR6,	/* the guest's DR6 (its other debug registers are the policy's, struct dbg_regs) */
	VREG_GDT_BASE,	/* read-only: GDTR */
	VREG_GDT_LIMIT,
	VREG_XCR0,	/* the guest's XCR0 (a value the policy checked; the CPU's while the vCPU runs) */
	VREG_MAX
};

/* The normalised VM exit. */
enum exit_kind {
	EXIT_NONE,		/* nothing for the policy (e.g. an interrupt window opened) */
	EXIT_EXTINT,		/* a host interrupt arrived (already serviced by arch) */
	EXIT_CPUID,
	EXIT_HLT,
	EXIT_IO,
	EXIT_MSR_READ,
	EXIT_MSR_WRITE,
	EXIT_CR_WRITE,		/* a write to CR0 or CR4 (VMX: one that changes a bit the hypervisor owns), CR8 (SVM) */
	EXIT_DR_ACCESS,		/* MOV to or from a debug register (all of them exit) */
	EXIT_NPF,		/* EPT violation / nested page fault */
	EXIT_HYPERCALL,		/* VMCALL on Intel, VMMCALL on AMD */
	EXIT_VIRT_INSN,		/* the guest used a virtualization instruction: #UD */
	EXIT_UD,		/* an intercepted instruction that raises #UD as encoded (LOCK MOV CR) */
	EXIT_XSETBV,		/* XSETBV (checked by the policy) */
	EXIT_INVD,		/* INVD (or WBINVD where intercepted): cache flushes, done as no-ops */
	EXIT_TASK_SWITCH,	/* a hardware task switch (VMX exits on each; SVM runs them) */
	EXIT_EMULATE,		/* an instruction for the emulator (SVM: LMSW, whose operand it does not decode) */
	EXIT_TRIPLE_FAULT,	/* shutdown */
	EXIT_FAIL,		/* entry failed or an exit the backend cannot decode */
	EXIT_KIND_MAX
};

struct vm_exit {
	enum exit_kind kind;
	uint32_t raw;		/* the vendor's exit code, for reports */
	bool vectoring;		/* it cut short the delivery of an event (re-delivered at the next entry) */
	union {
		struct {
			uint16_t port;
			uint8_t size;	/* 1, 2 or 4 */
			bool in;
			bool string;	/* INS/OUTS */
			bool rep;
		} io;
		struct {
			uint64_t gpa;
			bool read, write, exec;
			bool present;	/* the translation existed (a permission fault) */
		} npf;
		struct {
			int cr;
			uint64_t value;	/* the value the guest wanted to write */
		} cr;
		struct {
			unsigned dr;	/* 0-15 as encoded (REX.R names DR8-DR15) */
			unsigned gpr;	/* the general register, x86 encoding number */
			bool write;	/* MOV to DR */
		} dr;
		struct {
			uint16_t sel;		/* the new TSS's selector */
			uint8_t reason;		/* enum task_reason */
			uint8_t insn_len;	/* CALL, JMP, IRET, INT n: the instruction's length, else 0 */
			bool exception;		/* GATE: a hardware exception (vector) was being delivered */
			uint8_t vector;
			bool has_error;		/* GATE: its error code, for the new task's stack */
			uint32_t error;
		} task;
		struct {
			const char *what;	/* static text */
			uint64_t info;
		} fail;
	};
};

/* What started a task switch: the SDM's encoding (vol. 3C 28.2.1, table 28-2), emu/'s too. */
enum task_reason { TASK_CALL, TASK_IRET, TASK_JMP, TASK_GATE };

/* An event to inject at the next entry. */
enum event_type {
	EVENT_EXTINT,		/* an external interrupt, from the virtual PIC */
	EVENT_NMI,
	EVENT_EXCEPTION,
};

struct virt_event {
	enum event_type type;
	uint8_t vector;
	bool has_error;
	uint32_t error;
};

/* Exceptions the policy injects. */
#define VEC_DB 1
#define VEC_NMI 2
#define VEC_UD 6
#define VEC_GP 13

struct virt_ops {
	const char *name;			/* "VMX" or "SVM" */
	const struct p2m_format *p2m_format;	/* EPT or NPT entries */
	unsigned p2m_flags;			/* P2M_F_1G when the CPU walks 1 GiB leaves */
	/*
	 * The CPU loads a PAE guest's four PDPTEs at MOV to CR0/CR3/CR4 and
	 * checks them then (VMX: the VMCS holds them, SDM vol. 3C 26.3.1.6).
	 * SVM's nested walks read them from memory every time (QEMU even sets
	 * their accessed bit, which Intel's check calls reserved).
	 */
	bool loads_pdptes;
	/*
	 * Guest CR8 writes run without an exit (VMX's TPR shadow), so a lowered
	 * TPR is seen only through the TPR threshold (VREG_TPR_THRESHOLD); SVM
	 * intercepts CR8 writes and needs none.
	 */
	bool tpr_threshold;

	/* cpu_enable - turn virtualization on for this CPU (VMXON / EFER.SVME). Returns 0 or -errno. */
	int (*cpu_enable)(void);
	/*
	 * vcpu_init - allocate and fill the VMCS/VMCB for @v: the VM's nested
	 * page table (v->vm->p2m) and the first state @s (registers, control
	 * registers, segments; v->regs is set from s->regs). Returns 0 or -errno.
	 */
	int (*vcpu_init)(struct vcpu *v, const struct vcpu_boot_state *s);
	void (*vcpu_free)(struct vcpu *v);
	/* vcpu_run - run @v until its next VM exit and decode it into @e. */
	void (*vcpu_run)(struct vcpu *v, struct vm_exit *e);
	uint64_t (*get_reg)(struct vcpu *v, enum vreg r);
	/* get_seg - segment register @i (enum seg_reg) with its descriptor cache, attributes as in struct seg_state. */
	void (*get_seg)(struct vcpu *v, int i, struct seg_state *s);
	void (*set_reg)(struct vcpu *v, enum vreg r, uint64_t val);
	/* set_seg - load segment register @i with @s (attr 0: unusable); SS's DPL becomes the CPL. */
	void (*set_seg)(struct vcpu *v, int i, const struct seg_state *s);
	/* skip_insn - move RIP past the instruction that caused the last exit. */
	void (*skip_insn)(struct vcpu *v);
	/* inject - deliver @ev at the next entry (one event at a time). */
	void (*inject)(struct vcpu *v, const struct virt_event *ev);
	/*
	 * can_inject - true when an event of type @t (EVENT_EXTINT or EVENT_NMI)
	 * can be injected now: nothing else is being injected, and the guest does
	 * not block it (IF and interrupt shadows; an NMI handler that has not
	 * returned with IRET blocks NMIs).
	 */
	bool (*can_inject)(struct vcpu *v, enum event_type t);
	/* want_window - exit (EXIT_NONE) as soon as an event of type @t can be injected (@on), or stop asking. */
	void (*want_window)(struct vcpu *v, enum event_type t, bool on);
	/* flush_tlb - drop @vm's cached guest-physical translations (after p2m changes). */
	void (*flush_tlb)(struct vm *vm);
	/* exit_name - the vendor's name for raw exit code @raw. */
	const char *(*exit_name)(uint32_t raw);
};

/* The backend in use, bound by virt_init(); NULL before. */
extern const struct virt_ops *virt;

/*
 * virt_init - pick the backend this CPU supports and enable it. Prints
 * every missing feature by name. Returns 0, or -SV_ENOTSUP when the CPU
 * cannot run guests.
 */
int virt_init(void);

#endif
