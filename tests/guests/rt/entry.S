/* SPDX-License-Identifier: MIT */
/*
 * entry.S - Multiboot v1 header, entry point, GDT and exception/IRQ stubs.
 *
 * Built twice: as is for ELF images (the loader reads the program headers),
 * and with -DMB_AOUT for the a.out-kludge flat binary (header flag bit 16:
 * the header itself says where to load the file and where to enter).
 */
#include "start32.h"

#ifdef MB_AOUT
#define MB_FLAGS	(MB_PAGE_ALIGN | MB_MEMINFO | MB_AOUT_KLUDGE)
#else
#define MB_FLAGS	(MB_PAGE_ALIGN | MB_MEMINFO)
#endif

	.section .multiboot, "a"
	.balign 4
mb_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
#ifdef MB_AOUT
	.long mb_header		/* header_addr */
	.long _image_start	/* load_addr: the file's first byte */
	.long _load_end		/* load_end_addr: end of .data */
	.long _image_end	/* bss_end_addr */
	.long _start		/* entry_addr */
#endif

	.text
	.code32
	.globl _start
_start:
	start32
	pushl $0			/* clear EFLAGS (IF, DF, AC, ...) */
	popfl
	pushl %edi
	pushl %esi
	call rt_main
2:	cli
	hlt
	jmp 2b

/* Exception and IRQ stubs: push a dummy error code where the CPU does not. */
.macro stub vec, has_err
	.globl isr\vec
isr\vec:
	.if \has_err == 0
	pushl $0
	.endif
	pushl $\vec
	jmp isr_common
.endm

	stub 0, 0
	stub 1, 0
	stub 2, 0
	stub 3, 0
	stub 4, 0
	stub 5, 0
	stub 6, 0
	stub 7, 0
	stub 8, 1
	stub 9, 0
	stub 10, 1
	stub 11, 1
	stub 12, 1
	stub 13, 1
	stub 14, 1
	stub 15, 0
	stub 16, 0
	stub 17, 1
	stub 18, 0
	stub 19, 0
	stub 20, 0
	stub 21, 1
	stub 22, 0
	stub 23, 0
	stub 24, 0
	stub 25, 0
	stub 26, 0
	stub 27, 0
	stub 28, 0
	stub 29, 1
	stub 30, 1
	stub 31, 0
	stub 32, 0
	stub 33, 0
	stub 34, 0
	stub 35, 0
	stub 36, 0
	stub 37, 0
	stub 38, 0
	stub 39, 0
	stub 40, 0
	stub 41, 0
	stub 42, 0
	stub 43, 0
	stub 44, 0
	stub 45, 0
	stub 46, 0
	stub 47, 0

/* isr_common - save registers as a struct rt_frame and call rt_trap(frame). */
isr_common:
	pushal
	cld
	pushl %esp
	call rt_trap
	addl $4, %esp
	popal
	addl $8, %esp			/* vector and error code */
	iret

	.section .rodata
	.balign 4
	.globl rt_isr_table
rt_isr_table:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23
	.long isr\v
	.endr
	.irp v, 24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
	.long isr\v
	.endr

	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: flat 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: flat 32-bit data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code (L = 1), for tests that run some in long mode */
gdt_end:
	.balign 4
	.word 0
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	.bss
	.balign 16
stack:
	.skip STACK_SIZE
stack_top:

	.section .note.GNU-stack, "", @progbits
