/* SPDX-License-Identifier: MIT */
/*
 * entry64.S - the 64-bit runtime's start: a Multiboot v1 header in an
 * ELF64 image, entered in 32-bit protected mode as Multiboot says, then
 * the first steps of the 64-bit test kernels written for other
 * hypervisors' suites: the per-CPU base into MSR GS_BASE while still in
 * 32-bit mode, 4-level page tables mapping the first 4 GiB with 2 MiB
 * pages (the top GiB, where the local and I/O APICs live, uncached), PAE,
 * EFER.LME, paging, and a far jump into 64-bit code. GS is not loaded
 * again after the WRMSR: that would reset its base.
 */
#include "start32.h"

#define MB_FLAGS	(MB_PAGE_ALIGN | MB_MEMINFO)

#define MSR_EFER	0xc0000080
#define MSR_GS_BASE	0xc0000101
#define EFER_LME	(1 << 8)
#define CR0_PG		(1 << 31)
#define CR4_PAE		(1 << 5)
#define PTE_2M		0x83		/* present, writable, 2 MiB page */
#define PTE_UC		0x18		/* PWT | PCD */
#define PTE_USER	0x04

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.text
	.code32
	.globl _start
_start:
	start32

	/* The per-CPU area's base, in 32-bit mode (WRMSR takes EDX:EAX). */
	movl $MSR_GS_BASE, %ecx
	movl $rt_percpu, %eax
	xorl %edx, %edx
	wrmsr

	/* PML4[0] -> PDPT, PDPT[0..3] -> PD0..PD3: 2048 2 MiB pages, user-accessible. */
	movl $pdpt, %eax
	orl $(3 | PTE_USER), %eax
	movl %eax, pml4
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $12, %eax
	addl $pd, %eax
	orl $(3 | PTE_USER), %eax
	movl %eax, pdpt(, %ecx, 8)
	incl %ecx
	cmpl $4, %ecx
	jne 2b
	xorl %ecx, %ecx
3:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_2M | PTE_USER), %eax
	cmpl $(3 * 512), %ecx
	jb 4f
	orl $PTE_UC, %eax		/* 3-4 GiB: device memory */
4:	movl %eax, pd(, %ecx, 8)
	movl %ecx, %eax
	shrl $11, %eax			/* bits 32+ of the address: 0 below 4 GiB */
	movl %eax, pd + 4(, %ecx, 8)
	incl %ecx
	cmpl $(4 * 512), %ecx
	jne 3b

	movl $pml4, %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0
	ljmp $0x18, $5f

	.code64
5:	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movq $stack_top, %rsp
	pushq $0			/* clear RFLAGS (IF, DF, AC, ...) */
	popfq
	movl %esi, %eax			/* rt_main(magic, mbi) */
	movl %edi, %esi
	movl %eax, %edi
	call rt_main
6:	cli
	hlt
	jmp 6b

/* Exception and IRQ stubs: push a dummy error code where the CPU does not. */
.macro stub vec, has_err
isr\vec:
	.if \has_err == 0
	pushq $0
	.endif
	pushq $\vec
	jmp isr_common
.endm

	.irp v, 0,1,2,3,4,5,6,7,9,15,16,18,19,20,22,23,24,25,26,27,28,31
	stub \v, 0
	.endr
	.irp v, 8,10,11,12,13,14,17,21,29,30
	stub \v, 1
	.endr
	.irp v, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
	stub \v, 0
	.endr

/* isr_common - save the general registers as a struct rt_frame and call rt_trap(frame). */
isr_common:
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rbx
	pushq %rbp
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi			/* 16-byte aligned: the CPU aligned it, 22 quadwords since */
	call rt_trap
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rbp
	popq %rbx
	popq %rdx
	popq %rcx
	popq %rax
	addq $16, %rsp			/* vector and error code */
	iretq

	.section .rodata
	.balign 8
	.globl rt_isr_table
rt_isr_table:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23
	.quad isr\v
	.endr
	.irp v, 24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
	.quad isr\v
	.endr

	/*
	 * 0x18/0x20 are the kernel CS/SS pair SYSCALL loads (STAR[47:32]);
	 * 0x28/0x30 the user SS/CS pair SYSRET loads from STAR[63:48] = 0x20
	 * (SDM vol. 2B, SYSCALL and SYSRET).
	 */
	.balign 8
	.globl rt_gdt
rt_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: flat 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: flat data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x20: flat data (SYSCALL's SS) */
	.quad 0x00cff2000000ffff	/* 0x28: flat data, DPL 3 (SYSRET's SS) */
	.quad 0x00affa000000ffff	/* 0x30: 64-bit code, DPL 3 (SYSRET's CS) */
gdt_end:
	.balign 4
	.word 0
gdt_desc:
	.word gdt_end - rt_gdt - 1
	.long rt_gdt

	.bss
	.balign 4096
pml4:	.skip 4096
pdpt:	.skip 4096
pd:	.skip 4 * 4096
	.balign 16
stack:
	.skip STACK_SIZE
stack_top:

	.section .note.GNU-stack, "", @progbits
