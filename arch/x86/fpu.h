/* SPDX-License-Identifier: MIT */
/* fpu.h - guest register state the CPU does not switch on VM entry/exit: x87/SSE, and DR6 on VMX. */
#ifndef SV_ARCH_X86_FPU_H
#define SV_ARCH_X86_FPU_H

#include <stdbool.h>
#include <stdint.h>

struct fpu_area {
	uint8_t bytes[512];	/* FXSAVE image */
	uint64_t dr6;		/* with @hw_dr6: the guest's DR6 while another area owns the CPU */
	bool hw_dr6;		/* switch DR6 too (VMX: the VMCS has no DR6, the VMCB has) */
} __attribute__((aligned(16)));

/* fpu_area_init - the power-on x87/SSE state (and DR6, if @hw_dr6: the guest's DR6 is the CPU's). */
void fpu_area_init(struct fpu_area *a, bool hw_dr6);
/* fpu_load - make @a the state in the registers (saving the previous owner's). */
void fpu_load(struct fpu_area *a);
/* fpu_dr6, fpu_set_dr6 - the DR6 of an area with hw_dr6, in the CPU or saved. */
uint64_t fpu_dr6(const struct fpu_area *a);
void fpu_set_dr6(struct fpu_area *a, uint64_t val);
/* fpu_forget - @a is going away: never save into it again. */
void fpu_forget(struct fpu_area *a);

#endif
