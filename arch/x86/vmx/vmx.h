/* SPDX-License-Identifier: MIT */
/* vmx.h - the Intel VMX backend's internals (arch/x86/vmx/). */
#ifndef SV_ARCH_X86_VMX_VMX_H
#define SV_ARCH_X86_VMX_VMX_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/lazy.h"
#include "arch/x86/vmx/vmcs.h"
#include "kernel/virt.h"

struct vmx_vcpu {
	struct lazy_state lazy;	/* x87/SSE, DR6, the MSRs the VMCS does not switch */
	uint64_t vmcs_pa;
	uint64_t vapic_pa;	/* virtual-APIC page: the guest's CR8 (TPR shadow) */
	uint64_t eptp;
	uint64_t cr2;		/* the guest's CR2, which the VMCS does not hold */
	uint32_t proc;		/* primary processor-based controls as last written */
	uint8_t tpr_threshold;	/* VMCS_TPR_THRESHOLD as last written */
	bool launched;		/* VMLAUNCH done: VMRESUME from now on */
	bool flush;		/* INVEPT/INVVPID at the next entry */
	bool want_irq, want_nmi;	/* the scheduler's window wishes (vmx_want_window) */
};

/* What the CPU allows, read once by vmx_cpu_enable() from the capability MSRs. */
struct vmx_caps {
	uint32_t revision;		/* VMX_BASIC[30:0] */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint64_t cr0_owned, cr4_owned;	/* guest/host masks: bits the guest may not choose */
	uint32_t pin, proc, proc2, exit, entry;	/* the controls, adjusted */
	bool invvpid_single, invvpid_all;
};

extern struct vmx_caps vmx_caps;
extern const struct virt_ops vmx_ops;

/*
 * vmx_enter - VMLAUNCH (@launched false) or VMRESUME the current VMCS with
 * the guest's general registers from @regs, and save them back at the exit.
 * Returns 0 after a VM exit, 1 on VMfailInvalid, 2 on VMfailValid (31.2).
 */
int vmx_enter(struct gpr *regs, bool launched);

/* vmx_decode_exit - the normalised form of the VM exit of the current VMCS. */
void vmx_decode_exit(struct vcpu *v, struct vm_exit *e);
/* vmx_skip - move the current VMCS's guest RIP past the exiting instruction. */
void vmx_skip(void);
/* vmx_exit_name - SDM appendix C's name for exit reason @raw. */
const char *vmx_exit_name(uint32_t raw);
/* vmx_insn_error_name - SDM 31.4's meaning of VM-instruction error @err. */
const char *vmx_insn_error_name(uint32_t err);

#endif
