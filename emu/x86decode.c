// SPDX-License-Identifier: MIT
/*
 * x86decode.c - the instruction decoder: prefixes, opcode, ModRM/SIB,
 * displacement and immediate, for the instructions x86emu executes.
 *
 * An instruction is (SDM vol. 2A 2.1):
 *
 *   legacy prefixes  REX   opcode        ModRM  SIB  disp      imm
 *   (any order)     (64)  1 or 0F+1     (opt)  (opt) 0/1/2/4  0/1/2/4/8
 *
 * at most 15 bytes. Only what is listed in the tables below is decoded;
 * any other opcode is X86EMU_DEC_UNSUPPORTED, so the executor never meets a
 * form it does not know.
 */
#include <stddef.h>
#include <string.h>

#include "emu/x86emu.h"

#define MAX_LEN 15

/* Decoding flags of an opcode. */
#define F_M	0x0001u	/* has a ModRM byte */
#define F_B	0x0002u	/* byte operands */
#define F_I8	0x0004u	/* imm8, sign-extended */
#define F_IZ	0x0008u	/* imm16/imm32 by operand size, sign-extended to 64 */
#define F_IV	0x0010u	/* imm8/16/32/64 of the operand size (MOV r, imm) */
#define F_MOFFS	0x0020u	/* a moffs of the address size */
#define F_LOCK	0x0040u	/* LOCK allowed with a memory destination */
#define F_NO64	0x0080u	/* invalid in 64-bit mode */
#define F_IO	0x0100u	/* port I/O: operand size at most 4 */
#define F_S1	0x0200u	/* source is a byte (MOVZX/MOVSX) */
#define F_S2	0x0400u	/* source is a word */
#define F_S4	0x0800u	/* source is a dword at most (MOVSXD) */
#define F_ONLY64 0x1000u /* only in 64-bit mode */
#define F_GRP	0x2000u	/* the kind comes from ModRM.reg (see group_kind) */

struct opdesc {
	uint8_t kind, dst, src;
	uint16_t flags;
};

#define E X86EMU_O_E
#define G X86EMU_O_G
#define I X86EMU_O_I
#define A X86EMU_O_A
#define Z X86EMU_O_Z
#define O X86EMU_O_O
#define D X86EMU_O_DX
#define S X86EMU_O_S
#define K(k) X86EMU_K_##k

/* The one-byte map; the ALU block 00-3D and MOV r, imm (B0-BF) come from lookup(). */
static const struct opdesc map1[256] = {
	[0x63] = { K(MOVSXD), G, E, F_M | F_S4 | F_ONLY64 },
	[0x6c] = { K(INS), 0, 0, F_B },
	[0x6d] = { K(INS), 0, 0, F_IO },
	[0x6e] = { K(OUTS), 0, 0, F_B },
	[0x6f] = { K(OUTS), 0, 0, F_IO },
	[0x80] = { K(NONE), E, I, F_M | F_B | F_I8 | F_GRP | F_LOCK },
	[0x81] = { K(NONE), E, I, F_M | F_IZ | F_GRP | F_LOCK },
	[0x83] = { K(NONE), E, I, F_M | F_I8 | F_GRP | F_LOCK },
	[0x84] = { K(TEST), E, G, F_M | F_B },
	[0x85] = { K(TEST), E, G, F_M },
	[0x86] = { K(XCHG), E, G, F_M | F_B | F_LOCK },
	[0x87] = { K(XCHG), E, G, F_M | F_LOCK },
	[0x88] = { K(MOV), E, G, F_M | F_B },
	[0x89] = { K(MOV), E, G, F_M },
	[0x8a] = { K(MOV), G, E, F_M | F_B },
	[0x8b] = { K(MOV), G, E, F_M },
	[0x8c] = { K(MOVSEG), E, S, F_M },
	[0xa0] = { K(MOV), A, O, F_B | F_MOFFS },
	[0xa1] = { K(MOV), A, O, F_MOFFS },
	[0xa2] = { K(MOV), O, A, F_B | F_MOFFS },
	[0xa3] = { K(MOV), O, A, F_MOFFS },
	[0xa4] = { K(MOVS), 0, 0, F_B },
	[0xa5] = { K(MOVS), 0, 0, 0 },
	[0xa6] = { K(CMPS), 0, 0, F_B },
	[0xa7] = { K(CMPS), 0, 0, 0 },
	[0xa8] = { K(TEST), A, I, F_B | F_I8 },
	[0xa9] = { K(TEST), A, I, F_IZ },
	[0xaa] = { K(STOS), 0, 0, F_B },
	[0xab] = { K(STOS), 0, 0, 0 },
	[0xac] = { K(LODS), 0, 0, F_B },
	[0xad] = { K(LODS), 0, 0, 0 },
	[0xae] = { K(SCAS), 0, 0, F_B },
	[0xaf] = { K(SCAS), 0, 0, 0 },
	[0xc6] = { K(NONE), E, I, F_M | F_B | F_I8 | F_GRP },
	[0xc7] = { K(NONE), E, I, F_M | F_IZ | F_GRP },
	[0xe4] = { K(IN), A, I, F_B | F_I8 },
	[0xe5] = { K(IN), A, I, F_I8 | F_IO },
	[0xe6] = { K(OUT), I, A, F_B | F_I8 },
	[0xe7] = { K(OUT), I, A, F_I8 | F_IO },
	[0xec] = { K(IN), A, D, F_B },
	[0xed] = { K(IN), A, D, F_IO },
	[0xee] = { K(OUT), D, A, F_B },
	[0xef] = { K(OUT), D, A, F_IO },
	[0xf6] = { K(NONE), E, 0, F_M | F_B | F_GRP | F_LOCK },
	[0xf7] = { K(NONE), E, 0, F_M | F_GRP | F_LOCK },
	[0xfe] = { K(NONE), E, 0, F_M | F_B | F_GRP | F_LOCK },
	[0xff] = { K(NONE), E, 0, F_M | F_GRP | F_LOCK },
};

/* The two-byte map (0F xx); SETcc (0F 90-9F) comes from lookup(). */
static const struct opdesc map2[256] = {
	[0x01] = { K(NONE), E, 0, F_M | F_GRP },	/* group 7: SMSW and LMSW */
	[0xa3] = { K(BT), E, G, F_M },
	[0xab] = { K(BTS), E, G, F_M | F_LOCK },
	[0xb0] = { K(CMPXCHG), E, G, F_M | F_B | F_LOCK },
	[0xb1] = { K(CMPXCHG), E, G, F_M | F_LOCK },
	[0xb3] = { K(BTR), E, G, F_M | F_LOCK },
	[0xb6] = { K(MOVZX), G, E, F_M | F_S1 },
	[0xb7] = { K(MOVZX), G, E, F_M | F_S2 },
	[0xba] = { K(NONE), E, I, F_M | F_I8 | F_GRP | F_LOCK },
	[0xbb] = { K(BTC), E, G, F_M | F_LOCK },
	[0xbe] = { K(MOVSX), G, E, F_M | F_S1 },
	[0xbf] = { K(MOVSX), G, E, F_M | F_S2 },
	[0xc0] = { K(XADD), E, G, F_M | F_B | F_LOCK },
	[0xc1] = { K(XADD), E, G, F_M | F_LOCK },
};

/*
 * The ALU block: op = 8 * alu + form, form 0..5 is Eb,Gb / Ev,Gv / Gb,Eb /
 * Gv,Ev / AL,Ib / eAX,Iz (SDM vol. 2D table A-2). CMP writes nothing, so it
 * is not lockable.
 */
static struct opdesc alu_desc(unsigned op)
{
	static const struct opdesc form[6] = {
		{ 0, E, G, F_M | F_B | F_LOCK }, { 0, E, G, F_M | F_LOCK },
		{ 0, G, E, F_M | F_B }, { 0, G, E, F_M },
		{ 0, A, I, F_B | F_I8 }, { 0, A, I, F_IZ },
	};
	struct opdesc d = form[op & 7];

	d.kind = (uint8_t)(K(ADD) + (op >> 3));
	if (d.kind == K(CMP))
		d.flags &= (uint16_t)~F_LOCK;
	return d;
}

static struct opdesc lookup(unsigned map, unsigned op)
{
	if (map == 1) {
		if (op < 0x40 && (op & 7) < 6)
			return alu_desc(op);
		if (op >= 0xb0 && op <= 0xbf) {		/* MOV r, imm */
			struct opdesc movi = { K(MOV), Z, I, op < 0xb8 ? F_B | F_IV : F_IV };
			return movi;
		}
		return map1[op];
	}
	if (op >= 0x90 && op <= 0x9f) {
		struct opdesc setcc = { K(SETCC), E, 0, F_M | F_B };
		return setcc;
	}
	return map2[op];
}

/*
 * group_kind - the instruction of a group opcode, from ModRM.reg; also
 * fixes up the operands and immediate of group 3. K(NONE) when the slot is
 * not emulated (or invalid).
 */
static unsigned group_kind(unsigned map, unsigned op, unsigned reg, struct opdesc *d)
{
	if (map == 2 && op == 0x01)	/* 0F 01: group 7, SMSW /4 and LMSW /6 (memory or register) */
		return reg == 4 ? K(SMSW) : reg == 6 ? K(LMSW) : K(NONE);
	if (map == 2) {			/* 0F BA: group 8 */
		static const uint8_t g8[8] = { 0, 0, 0, 0, K(BT), K(BTS), K(BTR), K(BTC) };

		if (g8[reg] == K(BT))
			d->flags &= (uint16_t)~F_LOCK;
		return g8[reg];
	}
	switch (op) {
	case 0x80: case 0x81: case 0x83:	/* group 1 */
		if (reg == 7)
			d->flags &= (uint16_t)~F_LOCK;
		return K(ADD) + reg;
	case 0xc6: case 0xc7:			/* group 11: only MOV */
		return reg == 0 ? K(MOV) : K(NONE);
	case 0xf6: case 0xf7:			/* group 3; /1 is an alias of TEST /0 */
		if (reg <= 1) {
			d->src = X86EMU_O_I;
			d->flags |= op == 0xf6 ? F_I8 : F_IZ;
			d->flags &= (uint16_t)~F_LOCK;
			return K(TEST);
		}
		return reg == 2 ? K(NOT) : reg == 3 ? K(NEG) : K(NONE);
	case 0xfe: case 0xff:			/* groups 4 and 5: INC, DEC */
		return reg == 0 ? K(INC) : reg == 1 ? K(DEC) : K(NONE);
	}
	return K(NONE);
}

/* The cursor over the bytes: need() says whether n more bytes exist. */
struct cursor {
	const uint8_t *b;
	unsigned p, avail;
	int err;
};

static bool need(struct cursor *c, unsigned n)
{
	if (c->p + n > MAX_LEN) {
		c->err = X86EMU_DEC_TOOLONG;
		return false;
	}
	if (c->p + n > c->avail) {
		c->err = X86EMU_DEC_SHORT;
		return false;
	}
	return true;
}

/* take - n little-endian bytes (n <= 8), sign-extended when sx. */
static uint64_t take(struct cursor *c, unsigned n, bool sx)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)c->b[c->p + i] << (8 * i);
	c->p += n;
	if (sx && n && n < 8 && (v >> (8 * n - 1)) & 1)
		v |= ~0ull << (8 * n);
	return v;
}

/*
 * decode_modrm_mem - the memory form of a ModRM byte (SDM vol. 2A 2.1.5,
 * tables 2-1 to 2-3): base, index, scale, displacement and the default
 * segment (SS when the base is rBP or rSP, SDM vol. 1 3.7.4.1).
 */
static bool decode_modrm_mem(struct cursor *c, struct x86emu_insn *in)
{
	static const uint8_t b16[8] = { X86EMU_RBX, X86EMU_RBX, X86EMU_RBP, X86EMU_RBP,
					X86EMU_RSI, X86EMU_RDI, X86EMU_RBP, X86EMU_RBX };
	static const uint8_t i16[8] = { X86EMU_RSI, X86EMU_RDI, X86EMU_RSI, X86EMU_RDI,
					X86EMU_NOREG, X86EMU_NOREG, X86EMU_NOREG, X86EMU_NOREG };
	unsigned mod = in->mod, rm = in->modrm & 7, dsize;
	bool ss = false;

	in->has_mem = true;
	in->ea_scale = 1;
	in->ea_index = X86EMU_NOREG;
	if (in->addrsize == 2) {
		in->ea_base = b16[rm];
		in->ea_index = i16[rm];
		dsize = mod == 1 ? 1 : mod == 2 ? 2 : 0;
		if (mod == 0 && rm == 6) {
			in->ea_base = X86EMU_NOREG;
			dsize = 2;
		}
		ss = in->ea_base == X86EMU_RBP;
	} else {
		unsigned rexb = in->rex & 1 ? 8 : 0;

		dsize = mod == 1 ? 1 : mod == 2 ? 4 : 0;
		if (rm == 4) {
			unsigned base, index;

			if (!need(c, 1))
				return false;
			in->has_sib = true;
			in->sib = c->b[c->p++];
			in->ea_scale = (uint8_t)(1u << (in->sib >> 6));
			index = ((in->sib >> 3) & 7) | (in->rex & 2 ? 8 : 0);
			in->ea_index = index == 4 ? X86EMU_NOREG : (uint8_t)index;
			base = (in->sib & 7) | rexb;
			if ((in->sib & 7) == 5 && mod == 0) {
				in->ea_base = X86EMU_NOREG;
				dsize = 4;
			} else {
				in->ea_base = (uint8_t)base;
			}
		} else if (rm == 5 && mod == 0) {
			in->ea_base = in->mode == 64 ? X86EMU_RIPREL : X86EMU_NOREG;
			dsize = 4;
		} else {
			in->ea_base = (uint8_t)(rm | rexb);
		}
		ss = in->ea_base == X86EMU_RSP || in->ea_base == X86EMU_RBP;
	}
	if (!need(c, dsize))
		return false;
	in->disp_size = (uint8_t)dsize;
	in->disp = (int64_t)take(c, dsize, true);
	in->seg = ss ? X86EMU_SS : X86EMU_DS;
	return true;
}

static unsigned size_of(int mode, bool w, bool p66)
{
	if (mode == 64)
		return w ? 8 : p66 ? 2 : 4;
	return (mode == 32) != p66 ? 4 : 2;
}

/* prefixes - the legacy prefixes and REX; returns false when out of bytes. */
static bool prefixes(struct cursor *c, struct x86emu_insn *in)
{
	static const uint8_t segs[4] = { X86EMU_ES, X86EMU_CS, X86EMU_SS, X86EMU_DS };

	for (;;) {
		uint8_t b;

		if (!need(c, 1))
			return false;
		b = c->b[c->p];
		if (in->mode == 64 && (b & 0xf0) == 0x40) {
			in->rex = b;		/* only counts right before the opcode */
			c->p++;
			continue;
		}
		switch (b) {
		case 0xf0:
			in->lock = true;
			break;
		case 0xf2: case 0xf3:
			in->rep = b;
			break;
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			/* 64-bit mode ignores CS/DS/ES/SS overrides (SDM vol. 1 3.3.7.1). */
			if (in->mode != 64)
				in->seg_override = segs[(b >> 3) & 3];
			break;
		case 0x64: case 0x65:
			in->seg_override = b == 0x64 ? X86EMU_FS : X86EMU_GS;
			break;
		case 0x66:
			in->opsize_prefix = true;
			break;
		case 0x67:
			in->addrsize_prefix = true;
			break;
		default:
			return true;
		}
		in->rex = 0;			/* a REX followed by a prefix is ignored */
		c->p++;
	}
}

int x86emu_decode(const uint8_t *bytes, unsigned avail, int mode, struct x86emu_insn *in)
{
	struct cursor c = { bytes, 0, avail, X86EMU_DEC_UNSUPPORTED };
	struct opdesc d;
	unsigned isize = 0;

	memset(in, 0, sizeof(*in));
	if (mode != 16 && mode != 32 && mode != 64)
		return X86EMU_DEC_UNSUPPORTED;
	in->mode = (uint8_t)mode;
	in->seg_override = X86EMU_NOREG;
	in->ea_base = in->ea_index = X86EMU_NOREG;
	in->seg = X86EMU_DS;
	if (!prefixes(&c, in))
		return c.err;
	in->map = 1;
	in->opcode = c.b[c.p++];
	if (in->opcode == 0x0f) {
		if (!need(&c, 1))
			return c.err;
		in->map = 2;
		in->opcode = c.b[c.p++];
	}
	d = lookup(in->map, in->opcode);
	if ((d.kind == K(NONE) && !(d.flags & F_GRP)) ||
	    (mode == 64 && (d.flags & F_NO64)) || (mode != 64 && (d.flags & F_ONLY64)))
		return X86EMU_DEC_UNSUPPORTED;

	in->addrsize = (uint8_t)(mode == 64 ? (in->addrsize_prefix ? 4 : 8)
					    : size_of(mode, false, in->addrsize_prefix));
	in->opsize = (uint8_t)size_of(mode, in->rex & 8, in->opsize_prefix);

	if (d.flags & F_M) {
		if (!need(&c, 1))
			return c.err;
		in->has_modrm = true;
		in->modrm = c.b[c.p++];
		in->mod = in->modrm >> 6;
		in->reg = (uint8_t)(((in->modrm >> 3) & 7) | (in->rex & 4 ? 8 : 0));
		in->rm = (uint8_t)((in->modrm & 7) | (in->mod == 3 && (in->rex & 1) ? 8 : 0));
		if (d.flags & F_GRP) {
			d.kind = (uint8_t)group_kind(in->map, in->opcode, (in->modrm >> 3) & 7, &d);
			if (d.kind == K(NONE))
				return X86EMU_DEC_UNSUPPORTED;
		}
		if (in->mod != 3 && !decode_modrm_mem(&c, in))
			return c.err;
	}
	in->kind = d.kind;
	in->op[0] = d.dst;
	in->op[1] = d.src;

	if (d.flags & F_B)
		in->opsize = 1;
	if ((d.flags & F_IO) && in->opsize > 4)
		in->opsize = 4;			/* REX.W does not widen port I/O */
	in->srcsize = in->opsize;
	if (d.flags & F_S1)
		in->srcsize = 1;
	if (d.flags & F_S2)
		in->srcsize = 2;
	if (d.flags & F_S4)
		in->srcsize = in->opsize < 4 ? in->opsize : 4;
	if (in->kind == K(MOVSEG)) {
		/* No such segment register (6, 7, or REX.R set): #UD, left to the caller. */
		if (in->reg > 5)
			return X86EMU_DEC_UNSUPPORTED;
		in->srcsize = 2;
		if (in->mod != 3)
			in->opsize = 2;			/* a memory store is always 16 bits */
	}
	if (in->kind == K(SETCC))
		in->cond = in->opcode & 15;
	if (in->kind == K(SMSW) && in->mod != 3)
		in->opsize = 2;			/* SMSW m16 (SDM vol. 2B) */
	if (in->kind == K(LMSW))
		in->opsize = 2;			/* LMSW r/m16 whatever the operand size */

	if (d.flags & F_MOFFS) {
		if (!need(&c, in->addrsize))
			return c.err;
		in->has_mem = true;
		in->disp_size = in->addrsize;
		in->disp = (int64_t)take(&c, in->addrsize, false);
	}
	if (d.flags & F_I8)
		isize = 1;
	else if (d.flags & F_IZ)
		isize = in->opsize == 2 ? 2 : 4;
	else if (d.flags & F_IV)
		isize = in->opsize;
	if (in->op[0] == X86EMU_O_Z)
		in->rm = (uint8_t)((in->opcode & 7) | (in->rex & 1 ? 8 : 0));
	if (isize) {
		if (!need(&c, isize))
			return c.err;
		in->imm_size = (uint8_t)isize;
		in->imm = take(&c, isize, true);
	}
	if (in->seg_override != X86EMU_NOREG)
		in->seg = in->seg_override;
	in->lock_ok = (d.flags & F_LOCK) && in->has_mem && in->op[0] == X86EMU_O_E;
	in->len = (uint8_t)c.p;
	return X86EMU_DEC_OK;
}
