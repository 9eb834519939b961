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

/* exit_kind_name - a short name for reports. */
const char *exit_kind_name(enum exit_kind k);

#endif
