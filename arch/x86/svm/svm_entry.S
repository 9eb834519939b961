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
	.globl	svm_enter
svm_enter:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushq	%rsi		/* regs */
	pushq	%rdx		/* host VMCB */
	movq	%rdi, %rax
	movq	GPR_RBX(%rsi), %rbx
	movq	GPR_RCX(%rsi), %rcx
	movq	GPR_RDX(%rsi), %rdx
	movq	GPR_RDI(%rsi), %rdi
	movq	GPR_RBP(%rsi), %rbp
	movq	GPR_R8(%rsi), %r8
	movq	GPR_R9(%rsi), %r9
	movq	GPR_R10(%rsi), %r10
	movq	GPR_R11(%rsi), %r11
	movq	GPR_R12(%rsi), %r12
	movq	GPR_R13(%rsi), %r13
	movq	GPR_R14(%rsi), %r14
	movq	GPR_R15(%rsi), %r15
	movq	GPR_RSI(%rsi), %rsi
	vmload	%rax
	vmrun	%rax
	vmsave	%rax
	pushq	%rsi		/* guest RSI; stack: rsi, host VMCB, regs */
	movq	16(%rsp), %rsi
	movq	%rbx, GPR_RBX(%rsi)
	movq	%rcx, GPR_RCX(%rsi)
	movq	%rdx, GPR_RDX(%rsi)
	movq	%rdi, GPR_RDI(%rsi)
	movq	%rbp, GPR_RBP(%rsi)
	movq	%r8, GPR_R8(%rsi)
	movq	%r9, GPR_R9(%rsi)
	movq	%r10, GPR_R10(%rsi)
	movq	%r11, GPR_R11(%rsi)
	movq	%r12, GPR_R12(%rsi)
	movq	%r13, GPR_R13(%rsi)
	movq	%r14, GPR_R14(%rsi)
	movq	%r15, GPR_R15(%rsi)
	popq	%rbx
	movq	%rbx, GPR_RSI(%rsi)
	popq	%rax		/* host VMCB */
	vmload	%rax
	popq	%rsi
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret

	.section .note.GNU-stack, "", @progbits
