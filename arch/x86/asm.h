/* SPDX-License-Identifier: MIT */
/* asm.h - architectural constants shared by assembly and C (Intel SDM vol. 3A ch. 2, 4). */
#ifndef SV_ARCH_X86_ASM_H
#define SV_ARCH_X86_ASM_H

#define CR0_PE		(1 << 0)
#define CR0_MP		(1 << 1)
#define CR0_EM		(1 << 2)
#define CR0_TS		(1 << 3)
#define CR0_ET		(1 << 4)
#define CR0_NE		(1 << 5)
#define CR0_WP		(1 << 16)
#define CR0_NW		(1 << 29)
#define CR0_CD		(1 << 30)
#define CR0_PG		(1 << 31)

#define CR4_PSE		(1 << 4)
#define CR4_PAE		(1 << 5)
#define CR4_PGE		(1 << 7)
#define CR4_OSFXSR	(1 << 9)
#define CR4_OSXMMEXCPT	(1 << 10)
#define CR4_VMXE	(1 << 13)

#define MSR_EFER	0xc0000080
#define EFER_SCE	(1 << 0)
#define EFER_LME	(1 << 8)
#define EFER_LMA	(1 << 10)
#define EFER_NXE	(1 << 11)
#define EFER_SVME	(1 << 12)

/* Page-table entry bits (SDM vol. 3A 4.5). */
#define PTE_P		0x001
#define PTE_W		0x002
#define PTE_U		0x004
#define PTE_PWT		0x008
#define PTE_PCD		0x010
#define PTE_A		0x020
#define PTE_D		0x040
#define PTE_PS		0x080
#define PTE_G		0x100

/* Selectors of the boot GDT and of the final GDT (arch/x86/gdt.c). */
#define BOOT_CS64	0x08
#define BOOT_DS		0x10
#define GDT_CS		0x08
#define GDT_DS		0x10
#define GDT_TSS		0x18

#endif
