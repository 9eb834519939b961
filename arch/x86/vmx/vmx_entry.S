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
#include "arch/x86/gpr.h"
#include "arch/x86/vmx/vmcs.h"


	.text
	.globl	vmx_enter
vmx_enter:
	HOST_SAVE
	pushq	%rdi		/* regs: found again at (%rsp) after the exit */
	movq	$VMCS_HOST_RSP, %rax
	vmwrite	%rsp, %rax
	leaq	vmx_exit_point(%rip), %rdx
	movq	$VMCS_HOST_RIP, %rax
	vmwrite	%rdx, %rax
	testb	%sil, %sil	/* MOVs below keep these flags for the jump */
	GPRS_LOAD rdi, rdi
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
	GPRS_STORE rdi, rdi
	popq	%rax
	movq	%rax, GPR_RDI(%rdi)
	popq	%rdi
	xorl	%eax, %eax
3:	HOST_RESTORE
	ret

	.section .note.GNU-stack, "", @progbits
