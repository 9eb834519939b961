/* SPDX-License-Identifier: MIT */
/* asm.h - constants shared by assembly and C in arch/x86: the architectural ones, the GDT's selectors. */
#ifndef SV_ARCH_X86_ASM_H
#define SV_ARCH_X86_ASM_H

#include "kernel/x86def.h"

/* Selectors of the boot GDT and of the final GDT (arch/x86/gdt.c). */
#define BOOT_CS64	0x08
#define BOOT_DS		0x10
#define GDT_CS		0x08
#define GDT_DS		0x10
#define GDT_TSS		0x18

#endif
