/* SPDX-License-Identifier: MIT */
/* fpu.h - lazily switched guest x87/SSE state (FXSAVE format). */
#ifndef SV_ARCH_X86_FPU_H
#define SV_ARCH_X86_FPU_H

#include <stdint.h>

struct fpu_area {
	uint8_t bytes[512];
} __attribute__((aligned(16)));

/* fpu_area_init - the power-on x87/SSE state. */
void fpu_area_init(struct fpu_area *a);
/* fpu_load - make @a the state in the registers (saving the previous owner's). */
void fpu_load(struct fpu_area *a);
/* fpu_forget - @a is going away: never save into it again. */
void fpu_forget(struct fpu_area *a);

#endif
