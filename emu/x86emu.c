// SPDX-License-Identifier: MIT
/*
 * x86emu.c - the executor: fetch at CS:RIP, decode, run one instruction.
 *
 * Every instruction follows the same order so that a fault leaves no trace:
 * (1) resolve operands, translating every memory operand for the access it
 * will make (a read-modify-write is translated as a write, as the CPU
 * does); (2) read; (3) compute; (4) write. Only (2) and (4) call the
 * device side, and nothing after (1) can fault. Registers change in a
 * working copy of the CPU state that is committed at the end; a REP string
 * instruction commits what its completed iterations did.
 */
#include <stddef.h>
#include <string.h>

#include "emu/x86priv.h"

#define EMU_PARTIAL	3	/* internal: REP budget used */

static uint64_t mask_of(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static uint64_t sext(uint64_t v, unsigned size)
{
	unsigned sh = 64 - 8 * size;

	return size >= 8 ? v : (uint64_t)((int64_t)(v << sh) >> sh);
}

/* Byte registers 4-7 are AH CH DH BH unless a REX prefix is present. */
static bool high_byte(const struct x86emu_insn *in, unsigned reg, unsigned size)
{
	return size == 1 && !in->rex && reg >= 4 && reg < 8;
}

static uint64_t reg_get(const struct emu *e, const struct x86emu_insn *in, unsigned reg,
			unsigned size)
{
	if (high_byte(in, reg, size))
		return (e->cpu->gpr[reg - 4] >> 8) & 0xff;
	return e->cpu->gpr[reg] & mask_of(size);
}

/* reg_set - a register write: 8/16-bit writes merge, 32-bit writes zero-extend. */
static void reg_set(struct emu *e, const struct x86emu_insn *in, unsigned reg, unsigned size,
		    uint64_t val)
{
	uint64_t *r;

	if (high_byte(in, reg, size)) {
		r = &e->cpu->gpr[reg - 4];
		*r = (*r & ~0xff00ull) | ((val & 0xff) << 8);
		return;
	}
	r = &e->cpu->gpr[reg];
	if (size >= 4)
		*r = val & mask_of(size);
	else
		*r = (*r & ~mask_of(size)) | (val & mask_of(size));
}

/* addr_add - rSI/rDI/rCX arithmetic at the address size. */
static void addr_add(struct emu *e, unsigned reg, unsigned asize, int64_t delta)
{
	uint64_t *r = &e->cpu->gpr[reg];
	uint64_t v = *r + (uint64_t)delta;

	*r = asize >= 4 ? v & mask_of(asize) : (*r & ~mask_of(asize)) | (v & mask_of(asize));
}

/* ea - the effective address of the ModRM/moffs memory operand (SDM vol. 2A 2.1.5). */
static uint64_t ea(const struct emu *e, const struct x86emu_insn *in)
{
	uint64_t v = (uint64_t)in->disp;

	if (in->ea_base == X86EMU_RIPREL)
		v += e->cpu->rip + in->len;
	else if (in->ea_base != X86EMU_NOREG)
		v += e->cpu->gpr[in->ea_base];
	if (in->ea_index != X86EMU_NOREG)
		v += e->cpu->gpr[in->ea_index] * in->ea_scale;
	return v & mask_of(in->addrsize);
}

/* An operand: a register, a translated memory location, or a constant. */
struct opnd {
	bool mem;
	unsigned reg;
	struct emu_access acc;
	uint64_t val;
};

/*
 * resolve - locate operand kind k of size bytes, translating a memory
 * operand for access acc (nothing is read yet).
 */
static int resolve(struct emu *e, const struct x86emu_insn *in, unsigned k, unsigned size,
		   enum emu_acc acc, struct opnd *o)
{
	memset(o, 0, sizeof(*o));
	switch (k) {
	case X86EMU_O_E:
		if (in->mod == 3) {
			o->reg = in->rm;
			return 0;
		}
		o->mem = true;
		return emu_prepare(e, in->seg, ea(e, in), size, acc, &o->acc);
	case X86EMU_O_O:
		o->mem = true;
		return emu_prepare(e, in->seg, ea(e, in), size, acc, &o->acc);
	case X86EMU_O_G:
		o->reg = in->reg;
		return 0;
	case X86EMU_O_Z:
		o->reg = in->rm;
		return 0;
	case X86EMU_O_A:
		o->reg = X86EMU_RAX;
		return 0;
	}
	return 0;
}

static int load(struct emu *e, const struct x86emu_insn *in, struct opnd *o, unsigned size)
{
	if (o->mem)
		return emu_load(e, &o->acc, &o->val);
	o->val = reg_get(e, in, o->reg, size);
	return 0;
}

static int store(struct emu *e, const struct x86emu_insn *in, const struct opnd *o,
		 unsigned size, uint64_t val)
{
	if (o->mem)
		return emu_store(e, &o->acc, val & mask_of(size));
	reg_set(e, in, o->reg, size, val);
	return 0;
}

/* The immediate as an operand value of size bytes. */
static uint64_t imm(const struct x86emu_insn *in, unsigned size)
{
	return in->imm & mask_of(size);
}

/* Arithmetic flags (SDM vol. 1 3.4.3.1, appendix A). */
static uint64_t szp(uint64_t res, unsigned size)
{
	uint64_t f = 0;
	uint8_t p = (uint8_t)res;

	p ^= p >> 4;
	p ^= p >> 2;
	p ^= p >> 1;
	if (!(p & 1))
		f |= EMU_PF;
	if (!(res & mask_of(size)))
		f |= EMU_ZF;
	if ((res >> (8 * size - 1)) & 1)
		f |= EMU_SF;
	return f;
}

static void set_flags(struct emu *e, uint64_t which, uint64_t val)
{
	e->cpu->rflags = (e->cpu->rflags & ~which) | (val & which);
}

/*
 * alu - an ADD..CMP, TEST, INC, DEC or NEG on a and b of size bytes; sets
 * CF PF AF ZF SF OF as the SDM says (AF is 0 after the logical ones, where
 * the SDM leaves it undefined; INC and DEC keep CF). Returns the result.
 */
static uint64_t alu(struct emu *e, unsigned kind, uint64_t a, uint64_t b, unsigned size)
{
	uint64_t m = mask_of(size), res, f, c = 0;
	unsigned top = 8 * size - 1;

	a &= m;
	b &= m;
	switch (kind) {
	case X86EMU_K_ADC:
		c = e->cpu->rflags & EMU_CF;
		/* fall through */
	case X86EMU_K_ADD:
	case X86EMU_K_INC:
		res = (a + b + c) & m;
		f = szp(res, size) | ((a ^ b ^ res) & 0x10);
		if (c ? res <= a : res < a)
			f |= EMU_CF;
		if ((((a ^ res) & (b ^ res)) >> top) & 1)
			f |= EMU_OF;
		break;
	case X86EMU_K_SBB:
		c = e->cpu->rflags & EMU_CF;
		/* fall through */
	case X86EMU_K_SUB:
	case X86EMU_K_CMP:
	case X86EMU_K_DEC:
	case X86EMU_K_NEG:
		res = (a - b - c) & m;
		f = szp(res, size) | ((a ^ b ^ res) & 0x10);
		if (c ? a <= b : a < b)
			f |= EMU_CF;
		if ((((a ^ b) & (a ^ res)) >> top) & 1)
			f |= EMU_OF;
		break;
	case X86EMU_K_OR:
		res = a | b;
		f = szp(res, size);
		break;
	case X86EMU_K_XOR:
		res = a ^ b;
		f = szp(res, size);
		break;
	default:		/* AND, TEST */
		res = a & b;
		f = szp(res, size);
		break;
	}
	if (kind == X86EMU_K_INC || kind == X86EMU_K_DEC)
		set_flags(e, EMU_ARITH & ~EMU_CF, f);
	else
		set_flags(e, EMU_ARITH, f);
	return res;
}

/* cond - the condition cc of Jcc/SETcc/CMOVcc (SDM vol. 1 appendix B). */
static bool cond(uint64_t fl, unsigned cc)
{
	bool cf = fl & EMU_CF, zf = fl & EMU_ZF, sf = fl & EMU_SF, of = fl & EMU_OF;
	bool pf = fl & EMU_PF, r;

	switch (cc >> 1) {
	case 0: r = of; break;
	case 1: r = cf; break;
	case 2: r = zf; break;
	case 3: r = cf || zf; break;
	case 4: r = sf; break;
	case 5: r = pf; break;
	case 6: r = sf != of; break;
	default: r = zf || sf != of; break;
	}
	return (cc & 1) ? !r : r;
}

/* ALU, TEST, INC/DEC/NOT/NEG, MOV and friends, XCHG, CMPXCHG, XADD, SETcc. */
static int exec_binary(struct emu *e, const struct x86emu_insn *in)
{
	unsigned k = in->kind, size = in->opsize;
	bool ro = k == X86EMU_K_CMP || k == X86EMU_K_TEST;
	bool wo = k == X86EMU_K_MOV || k == X86EMU_K_MOVZX || k == X86EMU_K_MOVSX ||
		  k == X86EMU_K_MOVSXD || k == X86EMU_K_MOVSEG || k == X86EMU_K_SETCC ||
		  k == X86EMU_K_SMSW;
	struct opnd d, s;
	uint64_t r;
	int rc;

	/* SMSW above CPL 0 with CR4.UMIP: #GP(0) before the operand is touched (SDM vol. 3A 2.5). */
	if (k == X86EMU_K_SMSW && (e->cpu->cr4 & EMU_CR4_UMIP) && e->cpu->cpl > 0)
		return emu_fault(e, X86EMU_GP, true, 0);
	rc = resolve(e, in, in->op[0], size, ro ? ACC_R : wo ? ACC_W : ACC_RW, &d);
	if (!rc)
		rc = resolve(e, in, in->op[1], in->srcsize, ACC_R, &s);
	if (!rc && !wo)
		rc = load(e, in, &d, size);
	if (rc)
		return rc;
	if (in->op[1] == X86EMU_O_I)
		s.val = imm(in, size);
	else if (in->op[1] == X86EMU_O_S)
		s.val = e->cpu->seg[in->reg & 7].sel;
	else if (in->op[1] != X86EMU_O_NONE && (rc = load(e, in, &s, in->srcsize)))
		return rc;

	switch (k) {
	case X86EMU_K_TEST:
	case X86EMU_K_CMP:
		alu(e, k, d.val, s.val, size);
		return 0;
	case X86EMU_K_MOV:
	case X86EMU_K_MOVZX:
	case X86EMU_K_MOVSEG:
		return store(e, in, &d, size, s.val);
	case X86EMU_K_MOVSX:
	case X86EMU_K_MOVSXD:
		return store(e, in, &d, size, sext(s.val, in->srcsize));
	case X86EMU_K_SETCC:
		return store(e, in, &d, 1, cond(e->cpu->rflags, in->cond));
	case X86EMU_K_SMSW:
		/* CR0's low 16 bits to memory; a register gets CR0 at the operand size. */
		return store(e, in, &d, size, e->cpu->cr0);
	case X86EMU_K_INC:
	case X86EMU_K_DEC:
		return store(e, in, &d, size, alu(e, k, d.val, 1, size));
	case X86EMU_K_NEG:
		return store(e, in, &d, size, alu(e, k, 0, d.val, size));
	case X86EMU_K_NOT:
		return store(e, in, &d, size, ~d.val);
	case X86EMU_K_XCHG:
		/* Memory first: a register is only written once nothing can fail. */
		if ((rc = store(e, in, &d, size, s.val)))
			return rc;
		return store(e, in, &s, size, d.val);
	case X86EMU_K_XADD:
		r = alu(e, X86EMU_K_ADD, d.val, s.val, size);
		if ((rc = store(e, in, &d, size, r)))
			return rc;
		if (!(in->mod == 3 && in->rm == in->reg))
			reg_set(e, in, in->reg, size, d.val);
		return 0;
	case X86EMU_K_CMPXCHG: {
		/* SDM vol. 2A CMPXCHG: the destination is written either way. */
		uint64_t acc = reg_get(e, in, X86EMU_RAX, size);

		alu(e, X86EMU_K_CMP, acc, d.val, size);
		if (acc == d.val)
			return store(e, in, &d, size, s.val);
		if (d.mem && (rc = store(e, in, &d, size, d.val)))
			return rc;
		reg_set(e, in, X86EMU_RAX, size, d.val);
		return 0;
	}
	default:		/* ADD OR ADC SBB AND SUB XOR */
		return store(e, in, &d, size, alu(e, k, d.val, s.val, size));
	}
}

/*
 * BT, BTS, BTR, BTC (SDM vol. 2A BT): a register bit offset reaches beyond a
 * memory operand, signed, in units of the operand size; an immediate or a
 * register destination takes the offset modulo the operand width.
 */
static int exec_bit(struct emu *e, const struct x86emu_insn *in)
{
	unsigned size = in->opsize, bits = 8 * size, k = in->kind;
	enum emu_acc acc = k == X86EMU_K_BT ? ACC_R : ACC_RW;
	uint64_t off, bit, v;
	struct opnd d;
	int rc;

	off = in->op[1] == X86EMU_O_I ? imm(in, 1) : reg_get(e, in, in->reg, size);
	memset(&d, 0, sizeof(d));
	if (in->mod == 3 || in->op[1] == X86EMU_O_I) {
		bit = off & (bits - 1);
		rc = resolve(e, in, X86EMU_O_E, size, acc, &d);
	} else {
		int64_t soff = (int64_t)sext(off, size);
		int64_t units = soff >= 0 ? soff / bits : -((-(soff + 1)) / bits) - 1;
		uint64_t at = (ea(e, in) + (uint64_t)units * size) & mask_of(in->addrsize);

		bit = (uint64_t)(soff - units * (int64_t)bits);
		d.mem = true;
		rc = emu_prepare(e, in->seg, at, size, acc, &d.acc);
	}
	if (!rc)
		rc = load(e, in, &d, size);
	if (rc)
		return rc;
	set_flags(e, EMU_CF, (d.val >> bit) & 1);
	v = d.val;
	if (k == X86EMU_K_BTS)
		v |= 1ull << bit;
	else if (k == X86EMU_K_BTR)
		v &= ~(1ull << bit);
	else if (k == X86EMU_K_BTC)
		v ^= 1ull << bit;
	return k == X86EMU_K_BT ? 0 : store(e, in, &d, size, v);
}

/*
 * io_allowed - protected-mode port I/O at CPL > IOPL is #GP(0) here; the
 * TSS I/O permission bitmap (SDM vol. 1 19.5.2) is not consulted.
 */
static int io_allowed(struct emu *e)
{
	unsigned iopl = (e->cpu->rflags >> EMU_IOPL_SHIFT) & 3;

	if ((e->cpu->cr0 & EMU_CR0_PE) && e->cpu->cpl > iopl)
		return emu_fault(e, X86EMU_GP, true, 0);
	return 0;
}

static int exec_io(struct emu *e, const struct x86emu_insn *in)
{
	uint16_t port = in->op[0] == X86EMU_O_DX || in->op[1] == X86EMU_O_DX
				? (uint16_t)e->cpu->gpr[X86EMU_RDX] : (uint16_t)(in->imm & 0xff);
	unsigned size = in->opsize;
	uint32_t v = 0;
	int rc = io_allowed(e);

	if (rc)
		return rc;
	if (in->kind == X86EMU_K_OUT)
		return e->ops->port_out(e->ctx, port, size,
					(uint32_t)reg_get(e, in, X86EMU_RAX, size)) ? EMU_BUS : 0;
	if (e->ops->port_in(e->ctx, port, size, &v))
		return EMU_BUS;
	reg_set(e, in, X86EMU_RAX, size, v);
	return 0;
}

/* One iteration of a string instruction: translate both sides, then act. */
static int string_once(struct emu *e, const struct x86emu_insn *in)
{
	unsigned k = in->kind, size = in->opsize, as = in->addrsize;
	uint64_t si = e->cpu->gpr[X86EMU_RSI] & mask_of(as);
	uint64_t di = e->cpu->gpr[X86EMU_RDI] & mask_of(as);
	bool src = k == X86EMU_K_MOVS || k == X86EMU_K_CMPS || k == X86EMU_K_LODS ||
		   k == X86EMU_K_OUTS;
	bool dst = k != X86EMU_K_LODS && k != X86EMU_K_OUTS;
	bool dst_w = k == X86EMU_K_MOVS || k == X86EMU_K_STOS || k == X86EMU_K_INS;
	struct emu_access sa, da;
	uint64_t sv = 0, dv = 0;
	uint32_t pv = 0;
	int rc = 0;

	/* The source may be overridden; ES:rDI may not (SDM vol. 1 3.7.5). */
	if (src)
		rc = emu_prepare(e, in->seg, si, size, ACC_R, &sa);
	if (!rc && dst)
		rc = emu_prepare(e, X86EMU_ES, di, size, dst_w ? ACC_W : ACC_R, &da);
	if (!rc && src)
		rc = emu_load(e, &sa, &sv);
	if (!rc && dst && !dst_w)
		rc = emu_load(e, &da, &dv);
	if (rc)
		return rc;
	switch (k) {
	case X86EMU_K_MOVS:
		return emu_store(e, &da, sv);
	case X86EMU_K_STOS:
		return emu_store(e, &da, e->cpu->gpr[X86EMU_RAX] & mask_of(size));
	case X86EMU_K_LODS:
		reg_set(e, in, X86EMU_RAX, size, sv);
		return 0;
	case X86EMU_K_CMPS:
		alu(e, X86EMU_K_CMP, sv, dv, size);
		return 0;
	case X86EMU_K_SCAS:
		alu(e, X86EMU_K_CMP, e->cpu->gpr[X86EMU_RAX], dv, size);
		return 0;
	case X86EMU_K_INS:
		if (e->ops->port_in(e->ctx, (uint16_t)e->cpu->gpr[X86EMU_RDX], size, &pv))
			return EMU_BUS;
		return emu_store(e, &da, pv & mask_of(size));
	default:		/* OUTS */
		return e->ops->port_out(e->ctx, (uint16_t)e->cpu->gpr[X86EMU_RDX], size,
					(uint32_t)sv) ? EMU_BUS : 0;
	}
}

/*
 * exec_string - MOVS CMPS STOS LODS SCAS INS OUTS, with REP: the count is
 * CX/ECX/RCX by address size, REPE/REPNE end CMPS and SCAS on ZF (SDM
 * vol. 2B REP), and at most X86EMU_REP_BUDGET iterations run per call.
 */
static int exec_string(struct emu *e, const struct x86emu_insn *in)
{
	unsigned k = in->kind, as = in->addrsize;
	int64_t delta = (e->cpu->rflags & EMU_DF) ? -(int64_t)in->opsize : in->opsize;
	bool uses_si = k == X86EMU_K_MOVS || k == X86EMU_K_CMPS || k == X86EMU_K_LODS ||
		       k == X86EMU_K_OUTS;
	bool uses_di = k != X86EMU_K_LODS && k != X86EMU_K_OUTS;
	bool cmp = k == X86EMU_K_CMPS || k == X86EMU_K_SCAS;
	int rc;

	if ((k == X86EMU_K_INS || k == X86EMU_K_OUTS) && (rc = io_allowed(e)))
		return rc;
	for (unsigned n = 0; n < X86EMU_REP_BUDGET; n++) {
		if (in->rep && !(e->cpu->gpr[X86EMU_RCX] & mask_of(as)))
			return 0;
		if ((rc = string_once(e, in)))
			return rc;
		if (uses_si)
			addr_add(e, X86EMU_RSI, as, delta);
		if (uses_di)
			addr_add(e, X86EMU_RDI, as, delta);
		if (!in->rep)
			return 0;
		addr_add(e, X86EMU_RCX, as, -1);
		if (cmp && !!(e->cpu->rflags & EMU_ZF) != (in->rep == 0xf3))
			return 0;
	}
	return (e->cpu->gpr[X86EMU_RCX] & mask_of(as)) ? EMU_PARTIAL : 0;
}

/*
 * LMSW: bits 3:0 of the 16-bit source into CR0's PE, MP, EM and TS; PE
 * can be set but not cleared; #GP(0) above CPL 0 (SDM vol. 2A, LMSW).
 * The result stays in cpu->cr0: the caller checks it as any CR0 write.
 */
static int exec_lmsw(struct emu *e, const struct x86emu_insn *in)
{
	uint64_t cr0 = e->cpu->cr0;
	struct opnd s;
	int rc;

	if (e->cpu->cpl > 0)
		return emu_fault(e, X86EMU_GP, true, 0);
	rc = resolve(e, in, in->op[0], 2, ACC_R, &s);
	if (!rc)
		rc = load(e, in, &s, 2);
	if (rc)
		return rc;
	e->cpu->cr0 = (cr0 & ~0xfull) | (s.val & 0xf) | (cr0 & EMU_CR0_PE);
	return 0;
}

static int execute(struct emu *e, const struct x86emu_insn *in)
{
	switch (in->kind) {
	case X86EMU_K_BT: case X86EMU_K_BTS: case X86EMU_K_BTR: case X86EMU_K_BTC:
		return exec_bit(e, in);
	case X86EMU_K_IN: case X86EMU_K_OUT:
		return exec_io(e, in);
	case X86EMU_K_MOVS: case X86EMU_K_CMPS: case X86EMU_K_STOS: case X86EMU_K_LODS:
	case X86EMU_K_SCAS: case X86EMU_K_INS: case X86EMU_K_OUTS:
		return exec_string(e, in);
	case X86EMU_K_LMSW:
		return exec_lmsw(e, in);
	default:
		return exec_binary(e, in);
	}
}

int x86emu_mode(const struct x86emu_cpu *cpu)
{
	const struct x86emu_seg *cs = &cpu->seg[X86EMU_CS];

	if (!(cpu->cr0 & EMU_CR0_PE))
		return 16;
	if ((cpu->efer & EMU_EFER_LMA) && (cs->attr & 0x200))
		return 64;
	return cs->attr & EMU_SEG_DB ? 32 : 16;
}

/*
 * fetch_decode - read the instruction at CS:RIP piece by piece (a page at
 * a time, so the next page is only walked if the instruction reaches it)
 * and decode it. #GP(0) past the CS limit or for more than 15 bytes.
 */
static int fetch_decode(struct emu *e, struct x86emu_insn *in)
{
	const struct x86emu_cpu *cpu = e->cpu;
	uint64_t rip = cpu->rip & mask_of(e->mode == 64 ? 8 : e->mode == 32 ? 4 : 2);
	unsigned have = 0, max = 15;
	uint8_t bytes[15];
	uint64_t la;

	if (e->mode != 64) {
		uint32_t limit = cpu->seg[X86EMU_CS].limit;

		if (rip > limit)
			return emu_fault(e, X86EMU_GP, true, 0);
		if (limit - rip + 1 < max)
			max = (unsigned)(limit - rip + 1);
	}
	if (emu_linear(e, X86EMU_CS, rip, 1, ACC_X, &la))
		return EMU_EXC;
	for (;;) {
		uint64_t at = (la + have) & (e->mode == 64 ? ~0ull : 0xffffffffull);
		unsigned chunk = 4096 - (unsigned)(at & 4095);
		struct emu_access a;
		int rc;

		if (chunk > max - have)
			chunk = max - have;
		if (e->mode == 64 && emu_linear(e, X86EMU_CS, rip + have, chunk, ACC_X, &at))
			return EMU_EXC;
		if ((rc = emu_translate(e, at, chunk, ACC_X, &a)))
			return rc;
		if (e->ops->read_phys(e->ctx, a.gpa[0], bytes + have, chunk))
			return EMU_BUS;
		have += chunk;
		rc = x86emu_decode(bytes, have, e->mode, in);
		if (rc == X86EMU_DEC_OK)
			return 0;
		if (rc == X86EMU_DEC_UNSUPPORTED)
			return X86EMU_DEC_UNSUPPORTED;
		if (rc == X86EMU_DEC_TOOLONG || have >= max)
			return emu_fault(e, X86EMU_GP, true, 0);
	}
}

enum x86emu_status x86emu_step(struct x86emu_cpu *cpu, const struct x86emu_ops *ops,
			       void *ctx, struct x86emu_event *ev)
{
	struct x86emu_cpu w = *cpu;
	struct emu e = { &w, ops, ctx, ev, x86emu_mode(cpu) };
	struct x86emu_insn in;
	bool string;
	int rc;

	memset(ev, 0, sizeof(*ev));
	if ((cpu->cr0 & EMU_CR0_PE) && (cpu->rflags & EMU_VM))
		return X86EMU_UNSUPPORTED;	/* virtual-8086 mode */
	rc = fetch_decode(&e, &in);
	if (rc == X86EMU_DEC_UNSUPPORTED)
		return X86EMU_UNSUPPORTED;
	if (rc)
		return rc == EMU_EXC ? X86EMU_EXCEPTION : X86EMU_BUS;
	if (in.lock && !in.lock_ok) {
		emu_fault(&e, X86EMU_UD, false, 0);
		return X86EMU_EXCEPTION;
	}
	string = in.kind >= X86EMU_K_MOVS && in.kind <= X86EMU_K_OUTS;
	rc = execute(&e, &in);
	switch (rc) {
	case 0:
		w.rip = (w.rip + in.len) & mask_of(e.mode == 64 ? 8 : e.mode == 32 ? 4 : 2);
		*cpu = w;
		return X86EMU_DONE;
	case EMU_PARTIAL:
		*cpu = w;
		return X86EMU_PARTIAL;
	default:
		if (string)
			*cpu = w;	/* the iterations that completed stay done */
		return rc == EMU_EXC ? X86EMU_EXCEPTION : X86EMU_BUS;
	}
}
