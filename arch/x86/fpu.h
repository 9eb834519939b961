/* SPDX-License-Identifier: MIT */
/* fpu.h - guest register state the CPU does not switch on VM entry/exit: x87/SSE, DR0-DR3. */
#ifndef SV_ARCH_X86_FPU_H
#define SV_ARCH_X86_FPU_H

#include <stdint.h>

struct fpu_area {
	uint8_t bytes[512];	/* FXSAVE image */
	uint64_t dr[4];		/* DR0-DR3: neither the VMCS nor the VMCB holds them */
} __attribute__((aligned(16)));

/* fpu_area_init - the power-on x87/SSE state. */
void fpu_area_init(struct fpu_area *a);
/* fpu_load - make @a the state in the registers (saving the previous owner's): x87/SSE and DR0-DR3. */
void fpu_load(struct fpu_area *a);
/* fpu_forget - @a is going away: never save into it again. */
void fpu_forget(struct fpu_area *a);

#endif
