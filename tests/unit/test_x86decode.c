// SPDX-License-Identifier: MIT
/*
 * test_x86decode.c - emu/'s decoder against an independent one (Capstone 4,
 * libcapstone-dev) over generated encodings of every opcode emu/ knows, in
 * 16-, 32- and 64-bit mode: random legacy prefixes, REX, ModRM, SIB,
 * displacement and immediate bytes. For each encoding both must agree on
 * whether it is one of the emulated instructions and, when it is, on the
 * length, the mnemonic, the operand and address sizes, the memory operand
 * (segment override, base, index, scale, displacement), the displacement and
 * immediate sizes, and the immediate's value.
 *
 * The seed is printed; X86DECODE_SEED=n replays a run, X86DECODE_COUNT=n
 * sets the number of encodings per mode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <capstone/capstone.h>

#include "emu/x86emu.h"

static uint64_t rng, base_seed;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* The opcodes the emulator decodes (map 1, then 0F map with 0x100 added). */
static const uint16_t opcodes[] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
	0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d,
	0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d,
	0x63, 0x6c, 0x6d, 0x6e, 0x6f, 0x80, 0x81, 0x83, 0x84, 0x85, 0x86, 0x87,
	0x88, 0x89, 0x8a, 0x8b, 0x8c, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6,
	0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb3, 0xb4,
	0xb7, 0xb8, 0xbb, 0xbc, 0xbf, 0xc6, 0xc7, 0xe4, 0xe5, 0xe6, 0xe7, 0xec,
	0xed, 0xee, 0xef, 0xf6, 0xf7, 0xfe, 0xff,
	0x101, 0x190, 0x191, 0x192, 0x193, 0x194, 0x195, 0x196, 0x197, 0x198, 0x199,
	0x19a, 0x19b, 0x19c, 0x19d, 0x19e, 0x19f, 0x1a3, 0x1ab, 0x1b0, 0x1b1,
	0x1b3, 0x1b6, 0x1b7, 0x1ba, 0x1bb, 0x1be, 0x1bf, 0x1c0, 0x1c1,
};

static const uint8_t legacy[] = { 0x66, 0x67, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0xf0, 0xf2, 0xf3 };

/* Capstone's instruction for a decoded emu/ instruction. */
static unsigned expected_id(const struct x86emu_insn *in)
{
	static const unsigned setcc[16] = {
		X86_INS_SETO, X86_INS_SETNO, X86_INS_SETB, X86_INS_SETAE, X86_INS_SETE,
		X86_INS_SETNE, X86_INS_SETBE, X86_INS_SETA, X86_INS_SETS, X86_INS_SETNS,
		X86_INS_SETP, X86_INS_SETNP, X86_INS_SETL, X86_INS_SETGE, X86_INS_SETLE,
		X86_INS_SETG,
	};
	unsigned s = in->opsize == 1 ? 0 : in->opsize == 2 ? 1 : in->opsize == 4 ? 2 : 3;
#define SIZED(b, w, d, q) { unsigned t[4] = { X86_INS_##b, X86_INS_##w, X86_INS_##d, X86_INS_##q }; return t[s]; }

	switch (in->kind) {
	case X86EMU_K_ADD: return X86_INS_ADD;
	case X86EMU_K_OR: return X86_INS_OR;
	case X86EMU_K_ADC: return X86_INS_ADC;
	case X86EMU_K_SBB: return X86_INS_SBB;
	case X86EMU_K_AND: return X86_INS_AND;
	case X86EMU_K_SUB: return X86_INS_SUB;
	case X86EMU_K_XOR: return X86_INS_XOR;
	case X86EMU_K_CMP: return X86_INS_CMP;
	case X86EMU_K_TEST: return X86_INS_TEST;
	case X86EMU_K_MOV: case X86EMU_K_MOVSEG: return X86_INS_MOV;
	case X86EMU_K_MOVZX: return X86_INS_MOVZX;
	case X86EMU_K_MOVSX: return X86_INS_MOVSX;
	case X86EMU_K_MOVSXD: return X86_INS_MOVSXD;
	case X86EMU_K_XCHG: return X86_INS_XCHG;
	case X86EMU_K_INC: return X86_INS_INC;
	case X86EMU_K_DEC: return X86_INS_DEC;
	case X86EMU_K_NOT: return X86_INS_NOT;
	case X86EMU_K_NEG: return X86_INS_NEG;
	case X86EMU_K_BT: return X86_INS_BT;
	case X86EMU_K_BTS: return X86_INS_BTS;
	case X86EMU_K_BTR: return X86_INS_BTR;
	case X86EMU_K_BTC: return X86_INS_BTC;
	case X86EMU_K_CMPXCHG: return X86_INS_CMPXCHG;
	case X86EMU_K_XADD: return X86_INS_XADD;
	case X86EMU_K_SETCC: return setcc[in->cond];
	case X86EMU_K_IN: return X86_INS_IN;
	case X86EMU_K_OUT: return X86_INS_OUT;
	case X86EMU_K_SMSW: return X86_INS_SMSW;
	case X86EMU_K_LMSW: return X86_INS_LMSW;
	case X86EMU_K_MOVS: SIZED(MOVSB, MOVSW, MOVSD, MOVSQ)
	case X86EMU_K_CMPS: SIZED(CMPSB, CMPSW, CMPSD, CMPSQ)
	case X86EMU_K_STOS: SIZED(STOSB, STOSW, STOSD, STOSQ)
	case X86EMU_K_LODS: SIZED(LODSB, LODSW, LODSD, LODSQ)
	case X86EMU_K_SCAS: SIZED(SCASB, SCASW, SCASD, SCASQ)
	case X86EMU_K_INS: SIZED(INSB, INSW, INSD, INSD)
	case X86EMU_K_OUTS: SIZED(OUTSB, OUTSW, OUTSD, OUTSD)
	}
#undef SIZED
	return X86_INS_INVALID;
}

/* Is id an instruction emu/ would claim for some encoding? */
static bool emulated_id(unsigned id)
{
	static const unsigned ids[] = {
		X86_INS_ADD, X86_INS_OR, X86_INS_ADC, X86_INS_SBB, X86_INS_AND, X86_INS_SUB,
		X86_INS_XOR, X86_INS_CMP, X86_INS_TEST, X86_INS_MOV, X86_INS_MOVABS,
		X86_INS_MOVZX, X86_INS_MOVSX, X86_INS_MOVSXD, X86_INS_XCHG, X86_INS_INC,
		X86_INS_DEC, X86_INS_NOT, X86_INS_NEG, X86_INS_BT, X86_INS_BTS, X86_INS_BTR,
		X86_INS_BTC, X86_INS_CMPXCHG, X86_INS_XADD, X86_INS_SMSW,
		X86_INS_LMSW,
	};

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (ids[i] == id)
			return true;
	return false;
}

static unsigned cs_reg(unsigned r, unsigned size)
{
	static const unsigned r64[16] = {
		X86_REG_RAX, X86_REG_RCX, X86_REG_RDX, X86_REG_RBX, X86_REG_RSP, X86_REG_RBP,
		X86_REG_RSI, X86_REG_RDI, X86_REG_R8, X86_REG_R9, X86_REG_R10, X86_REG_R11,
		X86_REG_R12, X86_REG_R13, X86_REG_R14, X86_REG_R15,
	};
	static const unsigned r32[16] = {
		X86_REG_EAX, X86_REG_ECX, X86_REG_EDX, X86_REG_EBX, X86_REG_ESP, X86_REG_EBP,
		X86_REG_ESI, X86_REG_EDI, X86_REG_R8D, X86_REG_R9D, X86_REG_R10D, X86_REG_R11D,
		X86_REG_R12D, X86_REG_R13D, X86_REG_R14D, X86_REG_R15D,
	};
	static const unsigned r16[8] = {
		X86_REG_AX, X86_REG_CX, X86_REG_DX, X86_REG_BX, X86_REG_SP, X86_REG_BP,
		X86_REG_SI, X86_REG_DI,
	};

	if (r == X86EMU_NOREG)
		return X86_REG_INVALID;
	if (r == X86EMU_RIPREL)
		return size == 8 ? X86_REG_RIP : X86_REG_EIP;
	return size == 8 ? r64[r] : size == 4 ? r32[r] : r16[r & 7];
}

static unsigned cs_seg(unsigned s)
{
	static const unsigned segs[6] = { X86_REG_ES, X86_REG_CS, X86_REG_SS, X86_REG_DS,
					  X86_REG_FS, X86_REG_GS };

	return s == X86EMU_NOREG ? X86_REG_INVALID : segs[s];
}

static uint64_t mask_of(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* The counters of one run, reported at the end. */
struct tally {
	unsigned total, agreed_ok, agreed_unsupported, toolong, lock_ud;
};

static void dump(const char *why, const uint8_t *b, unsigned n, int mode, const cs_insn *ci)
{
	fprintf(stderr, "x86decode: %s, mode %d, bytes", why, mode);
	for (unsigned i = 0; i < n; i++)
		fprintf(stderr, " %02x", b[i]);
	if (ci)
		fprintf(stderr, " (capstone: %s %s, %u bytes)", ci->mnemonic, ci->op_str, ci->size);
	fprintf(stderr, "\n");
}

#define CHECK(cond, why)                                                 \
	do {                                                             \
		if (!(cond)) {                                           \
			dump(why, b, n, mode, ci);                       \
			fail_msg("%s (replay: X86DECODE_SEED=%llu)", why, \
				 (unsigned long long)(seed - (uint64_t)mode)); \
		}                                                        \
	} while (0)

static bool string_op(uint16_t op)
{
	return (op >= 0x6c && op <= 0x6f) || (op >= 0xa4 && op <= 0xa7) || (op >= 0xaa && op <= 0xaf);
}

/*
 * gen - an encoding of an emulated opcode: prefixes, REX, opcode, random
 * tail. REP/REPNE only go on string instructions: elsewhere the CPU ignores
 * them but Capstone 4 takes them as mandatory prefixes and reports wrong
 * operand sizes. MOVSXD (63) always has REX.W: without it the CPU does a
 * 32-bit move but Capstone 4 still says 64.
 */
static unsigned gen(uint8_t *b, int mode)
{
	unsigned n = 0, np = (unsigned)(rnd() % 4), nrep = 0;
	uint16_t op = opcodes[rnd() % (sizeof(opcodes) / sizeof(opcodes[0]))];
	unsigned nleg = string_op(op) ? sizeof(legacy) : sizeof(legacy) - 2;
	uint8_t pre[8];

	for (unsigned i = 0; i < np; i++) {
		uint8_t p = legacy[rnd() % nleg];

		if (p == 0xf2 || p == 0xf3)
			pre[nrep++] = p;
		else
			pre[4 + i - nrep] = p;
	}
	/*
	 * REP/REPNE go first: Capstone 4 drops a 66 that comes before them (it
	 * says "movsd" for 66 f2 a5, which the CPU runs as repne movsw).
	 */
	for (unsigned i = 0; i < np; i++) {
		if (mode == 64 && rnd() % 8 == 0)
			b[n++] = (uint8_t)(0x40 | (rnd() & 15));	/* a REX a prefix cancels */
		b[n++] = i < nrep ? pre[i] : pre[4 + i - nrep];
	}
	if (mode == 64 && op == 0x63)
		b[n++] = (uint8_t)(0x48 | (rnd() & 7));
	else if (mode == 64 && rnd() % 2)
		b[n++] = (uint8_t)(0x40 | (rnd() & 15));
	if (op >= 0x100) {
		b[n++] = 0x0f;
		op &= 0xff;
	}
	b[n++] = (uint8_t)op;
	while (n < 15)
		b[n++] = (uint8_t)rnd();
	return n;
}

static const cs_x86_op *mem_operand(const cs_x86 *x)
{
	for (unsigned i = 0; i < x->op_count; i++)
		if (x->operands[i].type == X86_OP_MEM)
			return &x->operands[i];
	return NULL;
}

static const cs_x86_op *imm_operand(const cs_x86 *x)
{
	for (unsigned i = 0; i < x->op_count; i++)
		if (x->operands[i].type == X86_OP_IMM)
			return &x->operands[i];
	return NULL;
}

static bool is_string(const struct x86emu_insn *in)
{
	return in->kind >= X86EMU_K_MOVS && in->kind <= X86EMU_K_OUTS;
}

static void compare_one(csh cs, const uint8_t *b, unsigned n, int mode, uint64_t seed,
			struct tally *t)
{
	struct x86emu_insn in;
	cs_insn *ci = NULL;
	int r = x86emu_decode(b, n, mode, &in);
	size_t got = cs_disasm(cs, b, n, 0x1000, 1, &ci);

	t->total++;
	if (r == X86EMU_DEC_TOOLONG) {
		t->toolong++;
		CHECK(!got || ci->size > 15, "emu says too long, capstone decodes <= 15 bytes");
		goto out;
	}
	if (r != X86EMU_DEC_OK) {
		CHECK(r == X86EMU_DEC_UNSUPPORTED, "emu says short with 15 bytes given");
		CHECK(!got || !emulated_id(ci->id), "emu refuses an instruction it should emulate");
		t->agreed_unsupported++;
		goto out;
	}
	/* LOCK where it is #UD: Capstone refuses most of those encodings outright. */
	if (!got && in.lock && !in.lock_ok) {
		t->lock_ud++;
		goto out;
	}
	CHECK(got == 1, "capstone refuses what emu decodes");
	{
		const cs_x86 *x = &ci->detail->x86;
		const cs_x86_op *m = mem_operand(x), *im = imm_operand(x);
		unsigned want = expected_id(&in);
		unsigned sz_op = in.kind == X86EMU_K_OUT || in.kind == X86EMU_K_OUTS ? 1 : 0;

		bool io = in.kind == X86EMU_K_IN || in.kind == X86EMU_K_OUT ||
			  in.kind == X86EMU_K_INS || in.kind == X86EMU_K_OUTS;
		/*
		 * Port I/O with REX.W and a 66 or 67: REX.W wins and I/O caps it at
		 * 32 bits (as QEMU and Bochs decode it); Capstone 4 says 16.
		 */
		bool cs_io_quirk = io && (in.rex & 8) && (in.opsize_prefix || in.addrsize_prefix);
		struct x86emu_insn as16 = in;

		as16.opsize = 2;
		CHECK(ci->size == in.len, "length differs");
		CHECK(ci->id == want || (want == X86_INS_MOV && ci->id == X86_INS_MOVABS) ||
		      (cs_io_quirk && ci->id == expected_id(&as16)), "instruction differs");
		CHECK(x->addr_size == in.addrsize, "address size differs");
		CHECK(x->op_count > sz_op, "operand count");
		if (!cs_io_quirk)
			CHECK(x->operands[sz_op].size == in.opsize, "operand size differs");
		if (in.kind == X86EMU_K_MOVZX || in.kind == X86EMU_K_MOVSX ||
		    in.kind == X86EMU_K_MOVSXD)
			CHECK(x->op_count == 2 && x->operands[1].size == in.srcsize,
			      "source size differs");
		if (!is_string(&in)) {
			CHECK(!!m == in.has_mem, "memory operand presence differs");
			/* Capstone 4's disp_size follows a 66 prefix; length and value still check it. */
			if (!in.opsize_prefix && in.op[0] != X86EMU_O_O && in.op[1] != X86EMU_O_O)
				CHECK(x->encoding.disp_size == in.disp_size, "displacement size differs");
		}
		if (m && !is_string(&in)) {
			unsigned cseg = m->mem.segment;
			bool ignored = mode == 64 && cseg != X86_REG_FS && cseg != X86_REG_GS;

			if (!ignored)
				CHECK(cseg == cs_seg(in.seg_override), "segment override differs");
			if (in.op[0] != X86EMU_O_O && in.op[1] != X86EMU_O_O) {
				CHECK((unsigned)m->mem.base == cs_reg(in.ea_base, in.addrsize), "base differs");
				CHECK((unsigned)m->mem.index == cs_reg(in.ea_index, in.addrsize),
				      "index differs");
				if (in.ea_index != X86EMU_NOREG)
					CHECK(m->mem.scale == in.ea_scale, "scale differs");
			}
			CHECK(((uint64_t)m->mem.disp & mask_of(in.addrsize)) ==
				      ((uint64_t)in.disp & mask_of(in.addrsize)), "displacement differs");
		}
		CHECK(!!im == !!in.imm_size, "immediate presence differs");
		if (im) {
			/* Capstone 4 gives IN/OUT imm8 the operand's size; the length still checks it. */
			if (in.kind != X86EMU_K_IN && in.kind != X86EMU_K_OUT)
				CHECK(x->encoding.imm_size == in.imm_size, "immediate size differs");
			CHECK(((uint64_t)im->imm & mask_of(in.imm_size)) ==
				      (in.imm & mask_of(in.imm_size)), "immediate differs");
		}
		/* LOCK: legal exactly on a lockable instruction's memory form (SDM vol. 2A LOCK). */
		if (in.lock_ok) {
			CHECK(m && (x->operands[0].type == X86_OP_MEM), "LOCK allowed without a memory destination");
			CHECK(in.kind != X86EMU_K_MOV && in.kind != X86EMU_K_CMP &&
			      in.kind != X86EMU_K_TEST && in.kind != X86EMU_K_BT,
			      "LOCK allowed on a non-lockable instruction");
		}
	}
	t->agreed_ok++;
out:
	if (got)
		cs_free(ci, got);
}

static uint64_t get_seed(void)
{
	const char *s = getenv("X86DECODE_SEED");

	return s ? strtoull(s, NULL, 0) : (uint64_t)time(NULL) ^ ((uint64_t)clock() << 20);
}

static void run_mode(int mode, cs_mode cm)
{
	const char *cnt = getenv("X86DECODE_COUNT");
	unsigned count = cnt ? (unsigned)strtoul(cnt, NULL, 0) : 20000;
	uint64_t seed = base_seed + (uint64_t)mode;
	struct tally t = { 0, 0, 0, 0, 0 };
	csh cs;

	assert_int_equal(cs_open(CS_ARCH_X86, cm, &cs), CS_ERR_OK);
	assert_int_equal(cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON), CS_ERR_OK);
	rng = seed ? seed : 1;
	printf("x86decode: %d-bit mode, X86DECODE_SEED=%llu\n", mode,
	       (unsigned long long)base_seed);
	for (unsigned i = 0; i < count; i++) {
		uint8_t b[15];
		unsigned n = gen(b, mode);

		compare_one(cs, b, n, mode, seed, &t);
	}
	printf("x86decode: %d-bit: %u encodings, %u agreed decodes, %u agreed refusals, "
	       "%u LOCK #UD, %u too long\n",
	       mode, t.total, t.agreed_ok, t.agreed_unsupported, t.lock_ud, t.toolong);
	/* The generator aims at emulated opcodes: most encodings must decode. */
	assert_true(t.agreed_ok > t.total / 2);
	cs_close(&cs);
}

static void test_vs_capstone_16(void **state)
{
	(void)state;
	run_mode(16, CS_MODE_16);
}

static void test_vs_capstone_32(void **state)
{
	(void)state;
	run_mode(32, CS_MODE_32);
}

static void test_vs_capstone_64(void **state)
{
	(void)state;
	run_mode(64, CS_MODE_64);
}

static int decode(const char *hex, int mode, struct x86emu_insn *in)
{
	uint8_t b[32];
	unsigned n = 0;

	for (const char *p = hex; *p; p += 2) {
		unsigned v;

		while (*p == ' ')
			p++;
		if (!*p || sscanf(p, "%2x", &v) != 1)
			break;
		b[n++] = (uint8_t)v;
	}
	return x86emu_decode(b, n, mode, in);
}

/* Limits: 15 bytes at most, a truncated instruction is "short", not wrong. */
static void test_lengths(void **state)
{
	struct x86emu_insn in;

	(void)state;
	/* 14 prefixes + 89 /r with mod=0: 16 bytes, #GP. */
	assert_int_equal(decode("2e2e2e2e2e2e2e2e2e2e2e2e2e2e8900", 32, &in), X86EMU_DEC_TOOLONG);
	/* 13 prefixes + 89 00: exactly 15. */
	assert_int_equal(decode("2e2e2e2e2e2e2e2e2e2e2e2e2e8900", 32, &in), X86EMU_DEC_OK);
	assert_int_equal(in.len, 15);
	/* mov dword [eax+disp32], imm32 cut short. */
	assert_int_equal(decode("c7800000", 32, &in), X86EMU_DEC_SHORT);
	assert_int_equal(decode("", 64, &in), X86EMU_DEC_SHORT);
	/* Not emulated: NOP, PUSH, JMP, an 0F 01 system instruction. */
	assert_int_equal(decode("90", 32, &in), X86EMU_DEC_UNSUPPORTED);
	assert_int_equal(decode("50", 32, &in), X86EMU_DEC_UNSUPPORTED);
	assert_int_equal(decode("eb00", 32, &in), X86EMU_DEC_UNSUPPORTED);
	assert_int_equal(decode("0f01d8", 64, &in), X86EMU_DEC_UNSUPPORTED);
	assert_int_equal(decode("8c38", 32, &in), X86EMU_DEC_UNSUPPORTED);	/* Sreg 7 */
}

/* Details Capstone does not expose: REX placement, default segments, operand kinds. */
static void test_details(void **state)
{
	struct x86emu_insn in;

	(void)state;
	/* REX.W then 66: the REX is cancelled, the operand size is 16. */
	assert_int_equal(decode("48668900", 64, &in), X86EMU_DEC_OK);
	assert_int_equal(in.rex, 0);
	assert_int_equal(in.opsize, 2);
	/* 66 then REX.W: REX.W wins. */
	assert_int_equal(decode("66488900", 64, &in), X86EMU_DEC_OK);
	assert_int_equal(in.opsize, 8);
	/* [ebp+8] and [esp] default to SS, [r13] and [r12] to DS. */
	assert_int_equal(decode("8b4508", 32, &in), X86EMU_DEC_OK);
	assert_int_equal(in.seg, X86EMU_SS);
	assert_int_equal(decode("8b0424", 32, &in), X86EMU_DEC_OK);
	assert_int_equal(in.seg, X86EMU_SS);
	assert_int_equal(decode("418b4500", 64, &in), X86EMU_DEC_OK);
	assert_int_equal(in.seg, X86EMU_DS);
	assert_int_equal(decode("418b0424", 64, &in), X86EMU_DEC_OK);
	assert_int_equal(in.seg, X86EMU_DS);
	/* [bp+si] in 16-bit addressing is SS, [bx+si] DS; a DS override wins. */
	assert_int_equal(decode("8b02", 16, &in), X86EMU_DEC_OK);
	assert_int_equal(in.seg, X86EMU_SS);
	assert_int_equal(decode("8b00", 16, &in), X86EMU_DEC_OK);
	assert_int_equal(in.seg, X86EMU_DS);
	assert_int_equal(decode("3e8b02", 16, &in), X86EMU_DEC_OK);
	assert_int_equal(in.seg, X86EMU_DS);
	/* 64-bit mode ignores an ES override but keeps GS. */
	assert_int_equal(decode("268b00", 64, &in), X86EMU_DEC_OK);
	assert_int_equal(in.seg_override, X86EMU_NOREG);
	assert_int_equal(decode("658b00", 64, &in), X86EMU_DEC_OK);
	assert_int_equal(in.seg, X86EMU_GS);
	/* RIP-relative; with 67 it is still RIP-relative, at 32 bits. */
	assert_int_equal(decode("8b0510000000", 64, &in), X86EMU_DEC_OK);
	assert_int_equal(in.ea_base, X86EMU_RIPREL);
	assert_int_equal(in.disp, 0x10);
	assert_int_equal(decode("678b0510000000", 64, &in), X86EMU_DEC_OK);
	assert_int_equal(in.ea_base, X86EMU_RIPREL);
	assert_int_equal(in.addrsize, 4);
	/* Port I/O never exceeds 4 bytes; REX.W is ignored there. */
	assert_int_equal(decode("48ed", 64, &in), X86EMU_DEC_OK);
	assert_int_equal(in.opsize, 4);
	assert_int_equal(decode("6648ed", 64, &in), X86EMU_DEC_OK);
	assert_int_equal(in.opsize, 4);
	assert_int_equal(decode("66ed", 64, &in), X86EMU_DEC_OK);
	assert_int_equal(in.opsize, 2);
	/* LOCK legality: memory forms of lockable instructions only. */
	assert_int_equal(decode("f00100", 32, &in), X86EMU_DEC_OK);
	assert_true(in.lock && in.lock_ok);
	assert_int_equal(decode("f001c0", 32, &in), X86EMU_DEC_OK);	/* register destination */
	assert_true(in.lock && !in.lock_ok);
	assert_int_equal(decode("f08900", 32, &in), X86EMU_DEC_OK);	/* MOV */
	assert_false(in.lock_ok);
	assert_int_equal(decode("f03900", 32, &in), X86EMU_DEC_OK);	/* CMP */
	assert_false(in.lock_ok);
	assert_int_equal(decode("f00fa300", 32, &in), X86EMU_DEC_OK);	/* BT */
	assert_false(in.lock_ok);
	assert_int_equal(decode("f00fab00", 32, &in), X86EMU_DEC_OK);	/* BTS */
	assert_true(in.lock_ok);
	assert_int_equal(decode("f08600", 32, &in), X86EMU_DEC_OK);	/* XCHG */
	assert_true(in.lock_ok);
	assert_int_equal(decode("f0a4", 32, &in), X86EMU_DEC_OK);	/* MOVSB */
	assert_false(in.lock_ok);
	/* 83 sign-extends its imm8; moffs is zero-extended. */
	assert_int_equal(decode("4883c0ff", 64, &in), X86EMU_DEC_OK);
	assert_true(in.imm == ~0ull);
	assert_int_equal(decode("a1f0ffffff", 32, &in), X86EMU_DEC_OK);
	assert_true(in.disp == 0xfffffff0ll);
}

int main(void)
{
	base_seed = get_seed();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_details),
		cmocka_unit_test(test_vs_capstone_16),
		cmocka_unit_test(test_vs_capstone_32),
		cmocka_unit_test(test_vs_capstone_64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
