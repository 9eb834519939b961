/* SPDX-License-Identifier: MIT */
/*
 * gpr.h - struct gpr (kernel/virt.h) for the entry stubs: field offsets and
 * macros that load or store every guest general register but the ones named.
 *
 * Shared by vmx_entry.S and svm_entry.S; svm.c checks the offsets against
 * the C structure at compile time.
 */
#ifndef SV_ARCH_X86_GPR_H
#define SV_ARCH_X86_GPR_H

#define GPR_RAX	0
#define GPR_RBX	8
#define GPR_RCX	16
#define GPR_RDX	24
#define GPR_RSI	32
#define GPR_RDI	40
#define GPR_RBP	48
#define GPR_R8	56
#define GPR_R15	112

#ifdef __ASSEMBLY__
/* Offsets by register name, for the macros below (same order as struct gpr). */
.set gpr_off_rax, 0
.set gpr_off_rbx, 8
.set gpr_off_rcx, 16
.set gpr_off_rdx, 24
.set gpr_off_rsi, 32
.set gpr_off_rdi, 40
.set gpr_off_rbp, 48
.set gpr_off_r8, 56
.set gpr_off_r9, 64
.set gpr_off_r10, 72
.set gpr_off_r11, 80
.set gpr_off_r12, 88
.set gpr_off_r13, 96
.set gpr_off_r14, 104
.set gpr_off_r15, 112

/* GPRS_LOAD base, skip1, skip2 - every register from struct gpr at %base, but skip1/skip2. */
.macro GPRS_LOAD base:req, skip1:req, skip2=none
.irp r, rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15
.ifnc \r, \skip1
.ifnc \r, \skip2
	movq	gpr_off_\r(%\base), %\r
.endif
.endif
.endr
.endm

/* GPRS_STORE base, skip1, skip2 - every register into struct gpr at %base, but skip1/skip2. */
.macro GPRS_STORE base:req, skip1:req, skip2=none
.irp r, rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15
.ifnc \r, \skip1
.ifnc \r, \skip2
	movq	%\r, gpr_off_\r(%\base)
.endif
.endif
.endr
.endm

/* HOST_SAVE / HOST_RESTORE - the host's callee-saved registers (SysV ABI) around a guest run. */
.macro HOST_SAVE
.irp r, rbp, rbx, r12, r13, r14, r15
	pushq	%\r
.endr
.endm

.macro HOST_RESTORE
.irp r, r15, r14, r13, r12, rbx, rbp
	popq	%\r
.endr
.endm
#endif

#endif
