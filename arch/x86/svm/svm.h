/* SPDX-License-Identifier: MIT */
/* svm.h - the AMD SVM backend's internals (arch/x86/svm/). */
#ifndef SV_ARCH_X86_SVM_SVM_H
#define SV_ARCH_X86_SVM_SVM_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/lazy.h"
#include "arch/x86/svm/vmcb.h"
#include "kernel/virt.h"

struct svm_vcpu {
	struct lazy_state lazy;	/* x87/SSE and TSC_AUX, which VMRUN does not switch */
	struct vmcb *vmcb;
	uint64_t vmcb_pa;
	uint32_t insn_len;	/* length of the exiting instruction, 0 if unknown */
	uint64_t next_rip;	/* from NRIPS or the IOIO exit; valid if has_next_rip */
	bool has_next_rip;
	bool flush;		/* flush this guest's TLB at the next VMRUN */
	uint64_t efer;		/* EFER as the guest wrote it (no SVME, no LMA); see svm_sync_efer */
	/*
	 * NMI blocking, which SVM does not track for injected NMIs: set when
	 * one is injected; the next IRET exits (iret_rip), and NMIs are
	 * unblocked once RIP has moved past it. With an NMI waiting, that IRET
	 * is single-stepped (nmi_step: TF set, #DB intercepted), so the NMI
	 * comes right after it, as on hardware.
	 */
	bool nmi_blocked;
	bool iret_seen;
	uint64_t iret_rip;
	bool nmi_step;
	bool nmi_step_tf;	/* the guest's own TF when the step began */
	uint64_t nmi_step_dr6;	/* and its DR6 */
	bool want_irq, want_nmi;	/* the scheduler's window requests */
};

/* svm_update_windows - @s's VINTR request and NMI single-step from its window wishes (svm.c). */
void svm_update_windows(struct svm_vcpu *s);
/* svm_nmi_step_done - the #DB that ends an NMI single-step arrived: undo the step. */
void svm_nmi_step_done(struct svm_vcpu *s);

extern const struct virt_ops svm_ops;

void svm_enter(uint64_t vmcb_pa, struct gpr *regs, uint64_t host_vmcb_pa);
struct vcpu;
/* svm_state_error - why VMRUN would refuse @c's guest state (APM vol. 2 15.5.1), or NULL. */
const char *svm_state_error(const struct vmcb *c);
/* svm_decode_exit - the normalised form of the #VMEXIT in @v's VMCB. */
void svm_decode_exit(struct vcpu *v, struct vm_exit *e);
/* svm_exit_name - APM appendix C's name for exit code @raw. */
const char *svm_exit_name(uint32_t raw);

#endif
