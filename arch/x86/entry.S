/* SPDX-License-Identifier: MIT */
/*
 * entry.S - interrupt and exception entry stubs.
 *
 * One stub per vector (0..255): push a zero error code where the CPU does
 * not push one (SDM vol. 3A 6.13: vectors 8, 10-14, 17, 21, 29, 30 have
 * one), push the vector, save the general registers in struct trap_frame
 * order (arch/x86/x86.h) and call trap_dispatch(frame). The stub table
 * idt_stubs[] gives each stub's address to idt.c.
 */

	.text
	.altmacro

.macro STUB vec
	.balign 16
stub_\vec:
	.if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq	$0
	.endif
	pushq	$\vec
	jmp	trap_common
.endm

.set vec, 0
.rept 256
	STUB %vec
	.set vec, vec + 1
.endr

trap_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld
	movq	%rsp, %rdi
	/* Align the stack for the C call; the frame pointer chain stays intact. */
	movq	%rsp, %rbx
	andq	$-16, %rsp
	call	trap_dispatch
	movq	%rbx, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp	/* vector, error code */
	iretq

.macro STUB_ADDR vec
	.quad	stub_\vec
.endm

	.section .rodata
	.balign 8
	.globl	idt_stubs
idt_stubs:
.set vec, 0
.rept 256
	STUB_ADDR %vec
	.set vec, vec + 1
.endr
