/* SPDX-License-Identifier: MIT */
/* exit.h - the VM-exit policy (kernel/exit.c). */
#ifndef SV_KERNEL_EXIT_H
#define SV_KERNEL_EXIT_H

#include "kernel/virt.h"

struct vcpu;

enum exit_action {
	EXIT_CONTINUE,	/* resume the same vCPU */
	EXIT_YIELD,	/* give the CPU to another vCPU (HLT, yield hypercall) */
	EXIT_STOP,	/* the VM has stopped */
};

/* exit_handle - apply the policy to exit @e of @v. Returns what the scheduler does next. */
enum exit_action exit_handle(struct vcpu *v, const struct vm_exit *e);

/*
 * vcpu_inject_fault - deliver fault @vector (with @error if @has_error) at
 * the next entry, with RFLAGS.RF set in the image the CPU pushes, as for
 * every fault but an instruction breakpoint (SDM vol. 3B 17.3.1.1): the
 * handler's IRET then does not re-trigger a breakpoint on the instruction.
 */
void vcpu_inject_fault(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);

/*
 * vcpu_insn_done - the hypervisor moved RIP past an instruction it did for
 * the guest (CPUID, port I/O, an emulated MMIO access...): with RFLAGS.TF
 * set the guest gets the single-step #DB (DR6.BS) the CPU would have raised;
 * RFLAGS.RF is cleared, as after any instruction.
 */
void vcpu_insn_done(struct vcpu *v);

/*
 * vcpu_write_cr - a checked write of @val to CR0, CR4 or CR8 (the TPR), as
 * MOV to CRn does it. Returns false, changing nothing, where the CPU would
 * raise #GP(0).
 */
bool vcpu_write_cr(struct vcpu *v, int cr, uint64_t val);

/* exit_kind_name - a short name for reports. */
const char *exit_kind_name(enum exit_kind k);

#endif
