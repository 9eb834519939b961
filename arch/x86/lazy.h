/* SPDX-License-Identifier: MIT */
/*
 * lazy.h - guest register state the CPU does not switch on VM entry and
 * exit, switched lazily: x87/SSE, DR6 where the VMCS has none, and MSRs
 * the guest reaches directly that the VMCS or VMLOAD/VMSAVE leave alone.
 */
#ifndef SV_ARCH_X86_LAZY_H
#define SV_ARCH_X86_LAZY_H

#include <stdbool.h>
#include <stdint.h>

#define LAZY_MSRS_MAX	8

struct lazy_state {
	uint8_t fx[512];	/* FXSAVE image */
	uint64_t dr6;		/* with @hw_dr6: the guest's DR6 while another vCPU owns the CPU */
	bool hw_dr6;		/* switch DR6 too (VMX: the VMCS has no DR6, the VMCB has) */
	unsigned nmsrs;
	const uint32_t *msrs;	/* the MSRs switched (a static list), nmsrs of them */
	uint64_t msr[LAZY_MSRS_MAX];	/* their values while another vCPU owns the CPU */
} __attribute__((aligned(16)));

/*
 * lazy_init - the power-on state: FNINIT's x87/SSE, DR6 switched if
 * @hw_dr6, and the @n MSRs of @msrs (at most LAZY_MSRS_MAX), all 0.
 */
void lazy_init(struct lazy_state *l, bool hw_dr6, const uint32_t *msrs, unsigned n);
/* lazy_load - make @l the state in the registers (saving the previous owner's). */
void lazy_load(struct lazy_state *l);
/* lazy_dr6, lazy_set_dr6 - the DR6 of a state with hw_dr6, in the CPU or saved. */
uint64_t lazy_dr6(const struct lazy_state *l);
void lazy_set_dr6(struct lazy_state *l, uint64_t val);
/* lazy_forget - @l is going away: never save into it again. */
void lazy_forget(struct lazy_state *l);

#endif
