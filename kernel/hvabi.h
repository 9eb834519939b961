/* SPDX-License-Identifier: MIT */
/*
 * hvabi.h - what a guest sees of sharevisor: CPUID leaves, hypercalls, ports.
 *
 * This header is shared with the test guests (32-bit code): constants only.
 *
 * CPUID (a guest executes CPUID; the hypervisor answers):
 *   0x40000000  EAX = highest hypervisor leaf (SV_CPUID_MAX)
 *               EBX, ECX, EDX = "sharevisor\0\0" (12 bytes, like KVM's "KVMKVMKVM")
 *   0x40000001  EAX = SV_ABI_VERSION, EBX = this VM's id, ECX = number of VMs
 *   0x40000002  ECX (in) = counter index (enum sv_counter);
 *               EAX = low 32 bits, EDX = high 32 bits of the counter,
 *               EBX = 1 if the index is known, 0 otherwise
 *   0x40000100  KVM's signature, 0x40000101 its clock features: the TSC's
 *               frequency for guests (kernel/pvclock.h); the other leaves up
 *               to 0x4fffffff read zero
 *
 * Hypercalls: VMCALL (Intel) or VMMCALL (AMD); the other one raises #UD.
 *   EAX = number (enum sv_hypercall), EBX/ECX/EDX = arguments;
 *   EAX on return = result (>= 0) or a negative error number (-38 = unknown call,
 *   -1 = a test aid called outside test mode).
 * SV_HC_SCAN_NOW, SV_HC_PAGE_STATE and SV_HC_BARRIER, and the machine-wide
 * counters (full scans, pages shared/sharing), exist only when the hypervisor
 * runs with test_exit: they would let a guest load the machine or learn what
 * other VMs hold (the deduplication side channel). Hypercalls from user mode
 * raise #UD, except SV_HC_BARRIER in test mode.
 *
 * Ports: 0x3f8 a 16550 UART (output to the hypervisor console, prefixed with
 * the VM's name); 0xf4 debug exit (QEMU's isa-debug-exit convention: a byte
 * written is the VM's exit code and stops the VM, 0 = pass).
 */
#ifndef SV_KERNEL_HVABI_H
#define SV_KERNEL_HVABI_H

#define SV_CPUID_BASE		0x40000000u
#define SV_CPUID_INFO		0x40000001u
#define SV_CPUID_COUNTER	0x40000002u
#define SV_CPUID_MAX		SV_CPUID_COUNTER
#define SV_SIGNATURE_EBX	0x72616873u	/* "shar" */
#define SV_SIGNATURE_ECX	0x73697665u	/* "evis" */
#define SV_SIGNATURE_EDX	0x0000726fu	/* "or\0\0" */
#define SV_ABI_VERSION		1

/* Counters readable through SV_CPUID_COUNTER (the sharing engine fills them in). */
enum sv_counter {
	SV_CNT_EXITS = 0,		/* this VM's VM exits so far */
	SV_CNT_FULL_SCANS = 1,		/* completed full scans of all VMs */
	SV_CNT_PAGES_SHARED = 2,	/* content frames shared (KSM pages_shared) */
	SV_CNT_PAGES_SHARING = 3,	/* extra mappings of them (KSM pages_sharing) */
	SV_CNT_PATTERN_PAGES = 4,	/* this VM's pages backed by pattern frames */
	SV_CNT_PATTERN_FRAMES = 5,	/* this VM's pattern frames */
	SV_CNT_COW_BREAKS = 6,		/* this VM's copy-on-write breaks */
	SV_CNT_MAX
};

enum sv_hypercall {
	SV_HC_VERSION = 0,	/* returns SV_ABI_VERSION */
	SV_HC_EXIT = 1,		/* EBX = exit code; stops the VM (like port 0xf4) */
	SV_HC_YIELD = 2,	/* give the CPU to the next VM */
	SV_HC_SCAN_NOW = 3,	/* run the scanner for one full pass now (test guests) */
	SV_HC_PAGE_STATE = 4,	/* EBX = first gpa, ECX = pages, EDX = enum sv_page_state:
				   returns how many of those pages are in that state */
	SV_HC_BARRIER = 5,	/* EBX = barrier id (0..7): this VM arrives; returns how
				   many VMs have arrived at that barrier so far */
};

/* What backs a guest page (SV_HC_PAGE_STATE). */
enum sv_page_state {
	SV_PS_UNTOUCHED = 0,	/* never touched: no host memory */
	SV_PS_PRIVATE = 1,	/* a frame of its own */
	SV_PS_PATTERN = 2,	/* this VM's frame for a pattern key */
	SV_PS_CONTENT = 3,	/* a frame shared by identical pages */
};

#define SV_PORT_DEBUG_EXIT	0xf4
#define SV_PORT_COM1		0x3f8

#endif
