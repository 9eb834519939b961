/* SPDX-License-Identifier: MIT */
/*
 * vcpustate.h - a vCPU's first state, described once for both vendors.
 *
 * A loader (Multiboot v1 today; the Linux boot protocol next) fills in a
 * struct vcpu_boot_state; virt->vcpu_init() encodes it into a VMCS or a
 * VMCB. Segments carry their selector and the descriptor cache the first
 * instruction runs with, so any mode can be described: real mode, 32-bit
 * flat protected mode, 64-bit long mode.
 */
#ifndef SV_KERNEL_VCPUSTATE_H
#define SV_KERNEL_VCPUSTATE_H

#include <stdint.h>

/* Guest general-purpose registers, saved and restored by the backends' entry stubs. */
struct gpr {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

/*
 * A segment register: selector and descriptor cache. @attr holds the
 * descriptor's bits 47:40 in 7:0 (type, S, DPL, P) and 55:52 in 11:8 (AVL,
 * L, D/B, G), the AMD VMCB layout; 0 marks an unusable (null) register.
 */
struct seg_state {
	uint16_t sel;
	uint16_t attr;
	uint32_t limit;
	uint64_t base;
};

/* Segment registers in the VMCS's order (SDM vol. 3C appendix B). */
enum seg_reg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR, SEG_COUNT };

struct dt_state {
	uint64_t base;
	uint32_t limit;
};

struct vcpu_boot_state {
	struct gpr regs;	/* RAX .. R15 */
	uint64_t rip, rsp, rflags;
	uint64_t cr0, cr3, cr4;
	uint64_t efer;		/* LMA must equal LME && CR0.PG */
	struct seg_state seg[SEG_COUNT];
	struct dt_state gdtr, idtr;
};

/*
 * vcpu_state_flat32 - 32-bit protected mode, paging off, flat 4 GiB code
 * (selector 0x08) and data (0x10) segments, interrupts off, RIP = @eip:
 * the state Multiboot v1 and Linux's 32-bit boot protocol start from
 * (the latter with its own selectors).
 */
void vcpu_state_flat32(struct vcpu_boot_state *s, uint32_t eip, uint16_t cs, uint16_t ds);

/*
 * vcpu_state_real16 - real mode: CS = @cs (base @cs * 16), IP = @ip, the
 * data and stack segments equal to CS, 64 KiB limits, interrupts off.
 */
void vcpu_state_real16(struct vcpu_boot_state *s, uint16_t cs, uint16_t ip);

#endif
