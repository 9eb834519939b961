/* SPDX-License-Identifier: MIT */
/* insn.h - the little x86 instruction decoding the backends need (general registers by number: vcpu_gpr()). */
#ifndef SV_ARCH_X86_INSN_H
#define SV_ARCH_X86_INSN_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* The instructions that write CR0 (or another control register) and exit when intercepted. */
enum cr_insn {
	CR_INSN_MOV,	/* MOV CRn, reg: 0F 22 /r */
	CR_INSN_CLTS,	/* clears CR0.TS: 0F 06 */
	CR_INSN_LMSW,	/* CR0 bits 3:0 from r/m16: 0F 01 /6 (only recognised here) */
};

struct cr_write {
	enum cr_insn insn;
	unsigned cr;	/* MOV: the control register (REX.R extends it) */
	unsigned gpr;	/* MOV: source register (x86 encoding number) */
	unsigned len;	/* MOV, CLTS: instruction length */
	bool lock;	/* a LOCK prefix: #UD (AMD's alternative CR8 encoding is not offered) */
};

/*
 * x86_decode_cr_write - decode the control-register write at the guest's
 * CS:RIP. Returns true with @w filled, or false when the bytes there are
 * none of MOV to CRn, CLTS and LMSW (whose operand is left to the
 * instruction emulator).
 */
bool x86_decode_cr_write(struct vcpu *v, bool long_mode, struct cr_write *w);

/* A MOV to or from a debug register: 0F 23 /r or 0F 21 /r. */
struct dr_access {
	unsigned dr;	/* 0-15 (REX.R extends it; DR8-DR15 do not exist) */
	unsigned gpr;	/* the general register (x86 encoding number) */
	unsigned len;	/* instruction length */
	bool write;	/* MOV to DR */
	bool lock;	/* a LOCK prefix: #UD */
};

/* x86_decode_dr_access - decode the MOV to/from DRn at CS:RIP; false if the bytes there are none. */
bool x86_decode_dr_access(struct vcpu *v, bool long_mode, struct dr_access *a);

/*
 * x86_task_insn_len - the length of the instruction at CS:RIP that switched
 * tasks, outside long mode (no REX): far CALL or JMP (9A or EA with
 * ptr16:16/32; FF /3 or FF /5 with m16:16/32), IRET (CF), INT n (CD ib),
 * INT3 (CC), INTO (CE), INT1 (F1), after legacy prefixes. @code32 is CS.D.
 * *@vector is the vector of an INT form, else -1. Returns false when the
 * bytes there are none of these.
 */
bool x86_task_insn_len(struct vcpu *v, bool code32, unsigned *len, int *vector);

#endif
