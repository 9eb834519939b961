/* SPDX-License-Identifier: MIT */
/*
 * boot.S - Multiboot2 entry: 32-bit protected mode to 64-bit long mode.
 *
 * GRUB enters _start in 32-bit protected mode, paging off, with the
 * Multiboot2 magic in EAX and the boot information's physical address in
 * EBX. We check for long mode and NX, identity-map the first 4 GiB with
 * 2 MiB pages (boot tables; arch/x86/paging.c replaces them with the final
 * tables once the frame allocator is up), enable PAE, EFER.LME and EFER.NXE,
 * turn paging on and jump to kernel_main(magic, info) on the boot stack.
 */
#include "arch/x86/asm.h"

#define MB2_HEADER_MAGIC	0xe85250d6
#define MB2_ARCH_I386		0
#define MB2_HEADER_LEN		(mb2_header_end - mb2_header)

	.section .multiboot, "a"
	.balign 8
mb2_header:
	.long	MB2_HEADER_MAGIC
	.long	MB2_ARCH_I386
	.long	MB2_HEADER_LEN
	.long	-(MB2_HEADER_MAGIC + MB2_ARCH_I386 + MB2_HEADER_LEN)
	/* end tag */
	.short	0
	.short	0
	.long	8
mb2_header_end:

	.section .text.boot, "ax"
	.code32
	.globl	_start
_start:
	cli
	cld
	movl	$boot_stack_top, %esp
	movl	%eax, boot_magic
	movl	%ebx, boot_info

	/* CPUID leaf 0x80000001: EDX bit 29 = long mode, bit 20 = NX. */
	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	.Lno_lm
	movl	$0x80000001, %eax
	cpuid
	testl	$(1 << 29), %edx
	jz	.Lno_lm
	testl	$(1 << 20), %edx
	jz	.Lno_nx

	/* PML4[0] -> PDPT; PDPT[0..3] -> PD0..3; PDn[i] = 2 MiB page. */
	movl	$boot_pdpt, %eax
	orl	$(PTE_P | PTE_W), %eax
	movl	%eax, boot_pml4
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$12, %eax
	addl	$boot_pd, %eax
	orl	$(PTE_P | PTE_W), %eax
	movl	%eax, boot_pdpt(, %ecx, 8)
	incl	%ecx
	cmpl	$4, %ecx
	jb	1b
	xorl	%ecx, %ecx
2:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$(PTE_P | PTE_W | PTE_PS), %eax
	movl	%eax, boot_pd(, %ecx, 8)
	incl	%ecx
	cmpl	$(4 * 512), %ecx
	jb	2b

	movl	$boot_pml4, %eax
	movl	%eax, %cr3
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$(EFER_LME | EFER_NXE), %eax
	wrmsr
	movl	%cr0, %eax
	andl	$~(CR0_CD | CR0_NW), %eax	/* caches on, whatever the loader left */
	orl	$(CR0_PG | CR0_PE | CR0_WP), %eax
	movl	%eax, %cr0

	lgdt	boot_gdt_ptr
	ljmp	$BOOT_CS64, $start64

.Lno_lm:
	movl	$msg_no_lm, %esi
	jmp	die32
.Lno_nx:
	movl	$msg_no_nx, %esi
	/* fall through */

/* die32 - print the NUL-terminated string at %esi on COM1 and halt. */
die32:
	movw	$0x3fd, %dx
3:	inb	%dx, %al
	testb	$0x20, %al
	jz	3b
	movb	(%esi), %al
	testb	%al, %al
	jz	4f
	movw	$0x3f8, %dx
	outb	%al, %dx
	incl	%esi
	movw	$0x3fd, %dx
	jmp	3b
4:	cli
	hlt
	jmp	4b

	.code64
start64:
	movw	$BOOT_DS, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	xorl	%eax, %eax
	movw	%ax, %fs
	movw	%ax, %gs
	movq	$boot_stack_top, %rsp
	xorl	%ebp, %ebp
	movl	boot_magic(%rip), %edi
	movl	boot_info(%rip), %esi
	call	kernel_main
5:	cli
	hlt
	jmp	5b

	.section .rodata
msg_no_lm:
	.asciz	"sharevisor: this CPU has no 64-bit long mode; halting.\r\n"
msg_no_nx:
	.asciz	"sharevisor: this CPU has no NX (execute-disable) bit; halting.\r\n"

	.balign 8
boot_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code, DPL 0 */
	.quad	0x00cf92000000ffff	/* 0x10: data, DPL 0 */
boot_gdt_end:
boot_gdt_ptr:
	.short	boot_gdt_end - boot_gdt - 1
	.long	boot_gdt

	.data
	.balign 4
boot_magic:	.long 0
boot_info:	.long 0

	.bss
	.balign 4096
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4 * 4096
	.globl	boot_stack_top
boot_stack:	.skip 16384
boot_stack_top:
