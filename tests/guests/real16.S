/* SPDX-License-Identifier: MIT */
/*
 * real16.S - a real-mode guest (module option entry=real): 16-bit code
 * loaded at 0x8000 through the Multiboot a.out kludge, entered with
 * CS:IP = 0x0800:0x0000. It hooks IRQ0 at vector 8 in its own IVT (the
 * 8259's BIOS base), enables interrupts and waits for five ticks of the
 * PIT as a BIOS leaves it (18.2 Hz): no firmware programmed anything else.
 * Prints on COM1, exits through the debug-exit port (0 pass, 1 fail).
 */
#define MB_MAGIC	0x1BADB002
#define MB_FLAGS	((1 << 0) | (1 << 1) | (1 << 16))
#define LOAD		0x8000
#define TICKS		5

	.code16
	.text
	.globl _start
mb_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	.long LOAD + (mb_header - mb_header)	/* header_addr */
	.long LOAD				/* load_addr */
	.long LOAD + (load_end - mb_header)	/* load_end_addr */
	.long LOAD + (bss_end - mb_header)	/* bss_end_addr */
	.long LOAD + (_start - mb_header)	/* entry_addr */

_start:
	cli
	cld
	movw	%cs, %ax		/* 0x0800: data lives in this segment */
	movw	%ax, %ds
	movw	%ax, %ss
	movw	$0x7ff0, %sp
	xorw	%ax, %ax
	movw	%ax, %es		/* the IVT at 0:0 */
	movw	$(irq0 - mb_header), %es:(8 * 4)
	movw	%cs, %es:(8 * 4 + 2)
	movw	$msg_start - mb_header, %si
	call	puts
	movw	$0, ticks - mb_header
	sti
1:	hlt
	cmpw	$TICKS, ticks - mb_header
	jb	1b
	cli
	movw	$msg_ok - mb_header, %si
	call	puts
	movb	$0, %al
	outb	%al, $0xf4
2:	hlt
	jmp	2b

/* puts - DS:SI, NUL-terminated, to COM1 (polled: LSR bit 5, THR empty). */
puts:
	lodsb
	testb	%al, %al
	jz	3f
	movb	%al, %ah
	movw	$0x3fd, %dx
4:	inb	%dx, %al
	testb	$0x20, %al
	jz	4b
	movw	$0x3f8, %dx
	movb	%ah, %al
	outb	%al, %dx
	jmp	puts
3:	ret

irq0:
	pushw	%ax
	incw	%cs:(ticks - mb_header)
	movb	$0x20, %al		/* non-specific EOI */
	outb	%al, $0x20
	popw	%ax
	iret

msg_start:
	.asciz	"guest real16: start, waiting for 5 PIT ticks in real mode\n"
msg_ok:
	.asciz	"guest real16: PASS (5 ticks)\n"
	.balign 4
load_end:
ticks:
	.word	0
	.balign 4
bss_end:
