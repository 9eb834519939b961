/* SPDX-License-Identifier: MIT */
/* msr.h - the MSR policy: what RDMSR and WRMSR of an intercepted MSR do (kernel/msr.c). */
#ifndef SV_KERNEL_MSR_H
#define SV_KERNEL_MSR_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/*
 * msr_access - RDMSR (*val out) or WRMSR (*val in) of @msr by @v. Returns
 * true when the instruction completes, false when it raises #GP(0) (an
 * MSR this guest's CPU does not have, or a value it refuses).
 */
bool msr_access(struct vcpu *v, uint32_t msr, bool write, uint64_t *val);

/* msr_vcpu_reset - @v's MSRs as after power-on (those the policy keeps). */
void msr_vcpu_reset(struct vcpu *v);

#endif
