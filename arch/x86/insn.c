// SPDX-License-Identifier: MIT
/*
 * insn.c - decoding control- and debug-register accesses for CPUs without
 * decode assists.
 *
 * AMD's decode assists (APM vol. 2 15.33) name the register of an
 * intercepted MOV to CRn or MOV to/from DRn; QEMU's SVM has none, and none
 * names the operand of CLTS or LMSW, so the instruction is fetched from the
 * guest and decoded: legacy prefixes, an optional REX, then 0F 22 /r,
 * 0F 06, 0F 01 /6, 0F 21 /r or 0F 23 /r (SDM vol. 2B "MOV - Move to/from
 * Control Registers", "MOV - Move to/from Debug Registers", CLTS, LMSW).
 * Task switches intercepted on SVM need the length of the far CALL, far
 * JMP, IRET or INT that caused them (SDM vol. 2 ModRM/SIB tables 2-1, 2-2).
 */
#include "arch/x86/insn.h"
#include "kernel/gmem.h"
#include "kernel/vm.h"

static int is_legacy_prefix(uint8_t b)
{
	return b == 0x66 || b == 0x67 || b == 0xf2 || b == 0xf3 || b == 0x26 ||
	       b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65;
}

/* fetch - byte @i of the instruction at @la; false past readable memory or 15 bytes. */
static bool fetch(struct vcpu *v, uint64_t la, unsigned i, uint8_t *b)
{
	return i < 15 && !guest_read_linear(v, la + i, b, 1);
}

/* A two-byte opcode 0F xx and what precedes it. */
struct op0f {
	uint64_t la;	/* linear address of the instruction */
	unsigned i;	/* offset of the 0F byte */
	unsigned rex;	/* the REX prefix, 0 if none */
	bool lock;
	uint8_t op2;	/* the byte after 0F */
};

/* decode_0f - the prefixes and two-byte opcode at CS:RIP; false if it is not 0F xx. */
static bool decode_0f(struct vcpu *v, bool long_mode, struct op0f *o)
{
	uint8_t b;

	o->la = virt->get_reg(v, VREG_CS_BASE) + virt->get_reg(v, VREG_RIP);
	o->rex = 0;
	o->lock = false;
	/* Bytes are fetched one by one, only as far as decoding goes (the page may end). */
	for (o->i = 0;; o->i++) {
		if (!fetch(v, o->la, o->i, &b))
			return false;
		if (b == 0xf0)
			o->lock = true;
		else if (!is_legacy_prefix(b))
			break;
	}
	if (long_mode && (b & 0xf0) == 0x40) {
		o->rex = b;
		if (!fetch(v, o->la, ++o->i, &b))
			return false;
	}
	return b == 0x0f && fetch(v, o->la, o->i + 1, &o->op2);
}

bool x86_decode_cr_write(struct vcpu *v, bool long_mode, struct cr_write *w)
{
	struct op0f o;
	uint8_t modrm;

	if (!decode_0f(v, long_mode, &o))
		return false;
	w->lock = o.lock;
	if (o.op2 == 0x06) {
		w->insn = CR_INSN_CLTS;
		w->len = o.i + 2;
		return true;
	}
	if ((o.op2 != 0x22 && o.op2 != 0x01) || !fetch(v, o.la, o.i + 2, &modrm))
		return false;
	w->gpr = (modrm & 7) | ((o.rex & 1) << 3);
	w->len = o.i + 3;
	if (o.op2 == 0x22) {
		/* MOV to CRn ignores the mod field: it always names a register (SDM vol. 2B). */
		w->insn = CR_INSN_MOV;
		w->cr = ((modrm >> 3) & 7) | ((o.rex & 4) << 1);
		return true;
	}
	w->insn = CR_INSN_LMSW;		/* its operand: the emulator's business */
	return ((modrm >> 3) & 7) == 6;
}

bool x86_decode_dr_access(struct vcpu *v, bool long_mode, struct dr_access *a)
{
	struct op0f o;
	uint8_t modrm;

	if (!decode_0f(v, long_mode, &o) || (o.op2 != 0x21 && o.op2 != 0x23) ||
	    !fetch(v, o.la, o.i + 2, &modrm))
		return false;
	/* As for MOV CR, mod is ignored: r/m is the register, reg (with REX.R) the DR. */
	a->write = o.op2 == 0x23;
	a->dr = ((modrm >> 3) & 7) | ((o.rex & 4) << 1);
	a->gpr = (modrm & 7) | ((o.rex & 1) << 3);
	a->len = o.i + 3;
	a->lock = o.lock;
	return true;
}

/* modrm_len - bytes of a ModRM byte @m with its SIB and displacement (16- or 32-bit addressing). */
static unsigned modrm_len(struct vcpu *v, uint64_t la, unsigned i, uint8_t m, bool addr32, bool *ok)
{
	unsigned mod = m >> 6, rm = m & 7, n = 1;
	uint8_t sib = 0;

	*ok = true;
	if (!addr32)
		return n + (mod == 1 ? 1 : mod == 2 || (mod == 0 && rm == 6) ? 2 : 0);
	if (mod != 3 && rm == 4) {
		*ok = fetch(v, la, i + 1, &sib);
		n++;
	}
	if (mod == 1)
		n += 1;
	else if (mod == 2 || (mod == 0 && rm == 5) || (mod == 0 && rm == 4 && (sib & 7) == 5))
		n += 4;
	return n;
}

bool x86_task_insn_len(struct vcpu *v, bool code32, unsigned *len, int *vector)
{
	uint64_t la = virt->get_reg(v, VREG_CS_BASE) + virt->get_reg(v, VREG_RIP);
	bool op32 = code32, addr32 = code32, ok;
	unsigned i;
	uint8_t b, m;

	for (i = 0;; i++) {
		if (!fetch(v, la, i, &b))
			return false;
		if (b == 0x66)
			op32 = !code32;
		else if (b == 0x67)
			addr32 = !code32;
		else if (b != 0xf0 && !is_legacy_prefix(b))
			break;
	}
	*vector = b == 0xcc ? 3 : b == 0xce ? 4 : b == 0xf1 ? 1 : -1;
	switch (b) {
	case 0xcf: case 0xcc: case 0xce: case 0xf1:
		*len = i + 1;
		return true;
	case 0xcd:
		*len = i + 2;
		if (!fetch(v, la, i + 1, &m))
			return false;
		*vector = m;
		return true;
	case 0x9a: case 0xea:
		*len = i + 1 + (op32 ? 6 : 4);
		return i + 1 + (op32 ? 6 : 4) <= 15;
	case 0xff:
		if (!fetch(v, la, i + 1, &m) || (m >> 6) == 3 ||
		    (((m >> 3) & 7) != 3 && ((m >> 3) & 7) != 5))
			return false;
		*len = i + 1 + modrm_len(v, la, i + 1, m, addr32, &ok);
		return ok && *len <= 15;
	default:
		return false;
	}
}
