/* SPDX-License-Identifier: MIT */
/*
 * lazy.h - guest register state the CPU does not switch on VM entry and
 * exit, switched lazily: x87/SSE/AVX with XCR0, DR6 where the VMCS has none,
 * and MSRs the guest reaches directly that the VMCS or VMLOAD/VMSAVE leave
 * alone.
 */
#ifndef SV_ARCH_X86_LAZY_H
#define SV_ARCH_X86_LAZY_H

#include <stdbool.h>
#include <stdint.h>

#define LAZY_MSRS_MAX	8
#define LAZY_AREA_BYTES	1024	/* an XSAVE area for x87, SSE and AVX (832 bytes) */

struct lazy_state {
	/* XSAVE area (standard format), or the FXSAVE image in its first 512 bytes without XSAVE */
	uint8_t area[LAZY_AREA_BYTES] __attribute__((aligned(64)));
	uint64_t xcr0;		/* the guest's XCR0 (with XSAVE) */
	uint64_t dr6;		/* with @hw_dr6: the guest's DR6 while another vCPU owns the CPU */
	bool hw_dr6;		/* switch DR6 too (VMX: the VMCS has no DR6, the VMCB has) */
	unsigned nmsrs;
	const uint32_t *msrs;	/* the MSRs switched (a static list), nmsrs of them */
	uint64_t msr[LAZY_MSRS_MAX];	/* their values while another vCPU owns the CPU */
} __attribute__((aligned(64)));

/*
 * lazy_setup - this CPU's extended-state switching: with XSAVE, CR4.OSXSAVE
 * on and the state components guests may enable (x87, SSE, AVX where the
 * CPU has them: arch_xcr0_offered()); FXSAVE otherwise. Before any lazy_init().
 */
void lazy_setup(void);

/*
 * lazy_init - the power-on state: FNINIT's x87/SSE, XCR0 = 1, DR6 switched
 * if @hw_dr6, and the @n MSRs of @msrs (at most LAZY_MSRS_MAX), all 0.
 */
void lazy_init(struct lazy_state *l, bool hw_dr6, const uint32_t *msrs, unsigned n);
/* lazy_xcr0, lazy_set_xcr0 - the guest's XCR0 (a value the policy checked). */
uint64_t lazy_xcr0(const struct lazy_state *l);
void lazy_set_xcr0(struct lazy_state *l, uint64_t val);
/* lazy_load - make @l the state in the registers (saving the previous owner's). */
void lazy_load(struct lazy_state *l);
/* lazy_dr6, lazy_set_dr6 - the DR6 of a state with hw_dr6, in the CPU or saved. */
uint64_t lazy_dr6(const struct lazy_state *l);
void lazy_set_dr6(struct lazy_state *l, uint64_t val);
/* lazy_forget - @l is going away: never save into it again. */
void lazy_forget(struct lazy_state *l);

#endif
