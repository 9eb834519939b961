/* SPDX-License-Identifier: MIT */
/*
 * svm_entry.S - enter an SVM guest and come back.
 *
 * void svm_enter(uint64_t vmcb_pa, struct gpr *regs, uint64_t host_vmcb_pa)
 *
 * Called with GIF = 0 (CLGI). VMRUN saves and restores the host's RIP, RSP,
 * RAX, segments and control registers (APM vol. 2 15.5), but not FS, GS,
 * TR, LDTR and the SYSCALL/SYSENTER MSRs: VMLOAD/VMSAVE move those between
 * the CPU and a VMCB, so the guest's are loaded before VMRUN and saved
 * after, and the host's are reloaded from host_vmcb_pa. The guest's RAX
 * lives in the VMCB; the other general registers in *regs (struct gpr).
 */
#include "arch/x86/gpr.h"

	.text
	.globl	svm_enter
svm_enter:
	HOST_SAVE
	pushq	%rsi		/* regs */
	pushq	%rdx		/* host VMCB */
	movq	%rdi, %rax
	GPRS_LOAD rsi, rsi, rax
	movq	GPR_RSI(%rsi), %rsi
	vmload	%rax
	vmrun	%rax
	vmsave	%rax
	pushq	%rsi		/* guest RSI; stack: rsi, host VMCB, regs */
	movq	16(%rsp), %rsi
	GPRS_STORE rsi, rsi, rax
	popq	%rbx
	movq	%rbx, GPR_RSI(%rsi)
	popq	%rax		/* host VMCB */
	vmload	%rax
	popq	%rsi
	HOST_RESTORE
	ret

	.section .note.GNU-stack, "", @progbits
