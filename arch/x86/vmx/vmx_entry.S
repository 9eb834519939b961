/* SPDX-License-Identifier: MIT */
/*
 * vmx_entry.S - enter a VMX guest and come back.
 *
 * int vmx_enter(struct gpr *regs, bool launched)
 *
 * The current VMCS holds the guest's RSP, RIP and RFLAGS; every other
 * general register lives in *regs (struct gpr) while the host runs. The
 * stub writes HOST_RSP and HOST_RIP itself, so a VM exit lands on
 * vmx_exit_point with the stack exactly as it was just before the entry
 * (SDM vol. 3C 28.5.1: a VM exit loads RSP and RIP from the host-state
 * area and clears RFLAGS except bit 1, so the host resumes with IF = 0).
 * VMLAUNCH/VMRESUME that fail fall through with CF (VMfailInvalid) or ZF
 * (VMfailValid) set (31.2): the stub then returns 1 or 2, after a VM exit 0.
 */
#include "arch/x86/vmx/vmcs.h"

#define GPR_RAX	0
#define GPR_RBX	8
#define GPR_RCX	16
#define GPR_RDX	24
#define GPR_RSI	32
#define GPR_RDI	40
#define GPR_RBP	48
#define GPR_R8	56
#define GPR_R9	64
#define GPR_R10	72
#define GPR_R11	80
#define GPR_R12	88
#define GPR_R13	96
#define GPR_R14	104
#define GPR_R15	112

	.text
	.globl	vmx_enter
vmx_enter:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushq	%rdi		/* regs: found again at (%rsp) after the exit */
	movq	$VMCS_HOST_RSP, %rax
	vmwrite	%rsp, %rax
	leaq	vmx_exit_point(%rip), %rdx
	movq	$VMCS_HOST_RIP, %rax
	vmwrite	%rdx, %rax
	testb	%sil, %sil	/* MOVs below keep these flags for the jump */
	movq	GPR_RAX(%rdi), %rax
	movq	GPR_RBX(%rdi), %rbx
	movq	GPR_RCX(%rdi), %rcx
	movq	GPR_RDX(%rdi), %rdx
	movq	GPR_RSI(%rdi), %rsi
	movq	GPR_RBP(%rdi), %rbp
	movq	GPR_R8(%rdi), %r8
	movq	GPR_R9(%rdi), %r9
	movq	GPR_R10(%rdi), %r10
	movq	GPR_R11(%rdi), %r11
	movq	GPR_R12(%rdi), %r12
	movq	GPR_R13(%rdi), %r13
	movq	GPR_R14(%rdi), %r14
	movq	GPR_R15(%rdi), %r15
	movq	GPR_RDI(%rdi), %rdi
	jnz	1f
	vmlaunch
	jmp	2f
1:	vmresume
2:	/* The entry failed as an instruction: CF = VMfailInvalid, else VMfailValid. */
	movl	$2, %eax
	movl	$1, %edx
	cmovcl	%edx, %eax
	popq	%rdi
	jmp	3f

vmx_exit_point:
	pushq	%rdi		/* guest RDI; stack: rdi, regs */
	movq	8(%rsp), %rdi
	movq	%rax, GPR_RAX(%rdi)
	movq	%rbx, GPR_RBX(%rdi)
	movq	%rcx, GPR_RCX(%rdi)
	movq	%rdx, GPR_RDX(%rdi)
	movq	%rsi, GPR_RSI(%rdi)
	movq	%rbp, GPR_RBP(%rdi)
	movq	%r8, GPR_R8(%rdi)
	movq	%r9, GPR_R9(%rdi)
	movq	%r10, GPR_R10(%rdi)
	movq	%r11, GPR_R11(%rdi)
	movq	%r12, GPR_R12(%rdi)
	movq	%r13, GPR_R13(%rdi)
	movq	%r14, GPR_R14(%rdi)
	movq	%r15, GPR_R15(%rdi)
	popq	%rax
	movq	%rax, GPR_RDI(%rdi)
	popq	%rdi
	xorl	%eax, %eax
3:	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret

	.section .note.GNU-stack, "", @progbits
