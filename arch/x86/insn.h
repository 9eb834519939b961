/* SPDX-License-Identifier: MIT */
/* insn.h - the little x86 instruction decoding the backends need. */
#ifndef SV_ARCH_X86_INSN_H
#define SV_ARCH_X86_INSN_H

#include <stdint.h>

struct vcpu;

/* x86_gpr - the guest register with x86 encoding @idx (0 RAX, 1 RCX, ... 15 R15); @rsp supplies RSP. */
uint64_t x86_gpr(const struct vcpu *v, unsigned idx, uint64_t rsp);

/*
 * x86_decode_mov_to_cr - decode the MOV to CRn at the guest's CS:RIP.
 * Returns the instruction length (> 0) with *cr and *gpr (encoding number)
 * set, or 0 when the bytes there are not a MOV to a control register.
 */
unsigned x86_decode_mov_to_cr(struct vcpu *v, int long_mode, unsigned *cr, unsigned *gpr);

#endif
