/* SPDX-License-Identifier: MIT */
/*
 * start32.h - what entry.S and entry64.S share: the Multiboot v1 header
 * constants, and the first steps from the Multiboot entry state (32-bit
 * protected mode, EAX = magic, EBX = information) into our own GDT, with
 * the magic kept in ESI and the information's address in EDI. The GDT
 * (gdt_desc) must have flat 32-bit code at 0x08 and flat data at 0x10.
 */
#define MB_MAGIC	0x1BADB002
#define MB_PAGE_ALIGN	(1 << 0)
#define MB_MEMINFO	(1 << 1)
#define MB_AOUT_KLUDGE	(1 << 16)

#define STACK_SIZE	16384

.macro start32
	cli
	cld
	movl $stack_top, %esp
	movl %eax, %esi			/* Multiboot magic */
	movl %ebx, %edi			/* Multiboot info */
	lgdt gdt_desc
	ljmp $0x08, $1f
1:	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
.endm
