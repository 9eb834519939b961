/* SPDX-License-Identifier: MIT */
/* x86.h - declarations shared inside arch/x86 (not for kernel/). */
#ifndef SV_ARCH_X86_X86_H
#define SV_ARCH_X86_X86_H

#include <stdbool.h>
#include <stdint.h>

/* The register frame pushed by arch/x86/entry.S for every interrupt and exception. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

/*
 * EX_TABLE(insn, fixup) - assembler text listing the instruction at local
 * label @insn in __ex_table: if it faults, trap.c resumes at label @fixup.
 */
#define EX_TABLE(insn, fixup)                 \
	".pushsection __ex_table, \"a\"\n"  \
	".balign 8\n"                         \
	".quad " #insn ", " #fixup "\n"       \
	".popsection\n"

/* IST slots in the TSS (1-based in IDT entries). */
#define IST_DF	1
#define IST_NMI 2
#define IST_MC	3

void gdt_init(void);
uint64_t gdt_base(void);
uint64_t tss_base(void);
void idt_init(void);
uint64_t idt_base(void);

/* trap_dispatch - called from entry.S with interrupts off. */
void trap_dispatch(struct trap_frame *tf);

/* irq_set_handler - route interrupt vector @vec (32..255) to @fn. */
void irq_set_handler(unsigned vec, void (*fn)(struct trap_frame *tf));

/* cpu_vendor_is_intel/amd - from CPUID leaf 0. */
bool cpu_vendor_is_intel(void);
bool cpu_vendor_is_amd(void);

/* tsc_calibrate - measure the TSC frequency against the PIT. */
void tsc_calibrate(void);
uint64_t tsc_khz(void);

#endif
