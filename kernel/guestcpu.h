/* SPDX-License-Identifier: MIT */
/* guestcpu.h - the CPU a guest sees: CPUID, and the control-register bits it allows (guestcpu.c). */
#ifndef SV_KERNEL_GUESTCPU_H
#define SV_KERNEL_GUESTCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/ctlreg.h"

struct vcpu;

/* guest_cpuid - CPUID (@leaf, @sub) as @v sees it, into r[EAX, EBX, ECX, EDX]. */
void guest_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t r[4]);

/* guest_cr4_allowed - the CR4 bits @v's CPUID advertises. */
uint64_t guest_cr4_allowed(struct vcpu *v);

/* guest_maxphyaddr - the physical-address width @v's CPUID reports (36 without leaf 0x80000008). */
unsigned guest_maxphyaddr(struct vcpu *v);

/* guest_efer_allowed - the EFER bits @v's CPUID advertises (LMA not among them). */
uint64_t guest_efer_allowed(struct vcpu *v);

/* guest_ctl_state - @v's state its control-register and EFER writes are checked against. */
struct ctl_state guest_ctl_state(struct vcpu *v);

/* guest_is_intel - the CPU guests see is an Intel one (else AMD): vendor-specific MSRs. */
bool guest_is_intel(void);

#endif
