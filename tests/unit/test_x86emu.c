// SPDX-License-Identifier: MIT
/*
 * test_x86emu.c - the executor of emu/ against a fake guest: 4 MiB of RAM,
 * one page of "MMIO" that records every access, and ports that record
 * theirs. Instruction families in real, 16/32-bit protected and 64-bit
 * mode, with expected registers, memory, flags and device accesses worked
 * out from what each case does; the ALU flags against the host CPU itself
 * (the same instruction executed natively with inline assembly); REP string
 * instructions; and the faults: #PF error codes and CR2, #GP, #SS, #UD.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "emu/x86emu.h"

/* ---- the fake guest ---- */

#define RAM_SIZE	0x400000u
#define MMIO_GPA	0xfed00000ull
#define MMIO_SIZE	0x1000u
#define NO_GPA		0xe0000000ull	/* neither RAM nor MMIO: a bus error */

static uint8_t ram[RAM_SIZE];
static uint8_t mmio[MMIO_SIZE];		/* the device's registers */

struct rec {
	char what;			/* 'r'/'w' MMIO read/write, 'i'/'o' port in/out */
	uint64_t addr;
	unsigned len;
	uint64_t val;
};

static struct rec recs[2048];
static unsigned nrec;
static uint32_t port_val;		/* port_in returns port_val++ */
static struct x86emu_event ev;

static void record(char what, uint64_t addr, unsigned len, uint64_t val)
{
	assert_true(nrec < sizeof(recs) / sizeof(recs[0]));
	recs[nrec++] = (struct rec){ what, addr, len, val };
}

static uint64_t le(const uint8_t *p, unsigned len)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < len; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static int read_phys(void *ctx, uint64_t gpa, void *buf, unsigned len)
{
	(void)ctx;
	assert_true(len >= 1 && len <= 15);
	if (gpa + len <= RAM_SIZE) {
		memcpy(buf, ram + gpa, len);
		return 0;
	}
	if (gpa >= MMIO_GPA && gpa + len <= MMIO_GPA + MMIO_SIZE) {
		assert_true(len <= 8);
		memcpy(buf, mmio + (gpa - MMIO_GPA), len);
		record('r', gpa, len, le(buf, len));
		return 0;
	}
	return X86EMU_BUS_ERROR;
}

static int write_phys(void *ctx, uint64_t gpa, const void *buf, unsigned len)
{
	(void)ctx;
	assert_true(len >= 1 && len <= 8);
	if (gpa + len <= RAM_SIZE) {
		memcpy(ram + gpa, buf, len);
		return 0;
	}
	if (gpa >= MMIO_GPA && gpa + len <= MMIO_GPA + MMIO_SIZE) {
		memcpy(mmio + (gpa - MMIO_GPA), buf, len);
		record('w', gpa, len, le(buf, len));
		return 0;
	}
	return X86EMU_BUS_ERROR;
}

static int port_in(void *ctx, uint16_t port, unsigned size, uint32_t *val)
{
	(void)ctx;
	assert_true(size == 1 || size == 2 || size == 4);
	*val = port_val++ & (uint32_t)(size == 4 ? ~0u : (1u << (8 * size)) - 1);
	record('i', port, size, *val);
	return 0;
}

static int port_out(void *ctx, uint16_t port, unsigned size, uint32_t val)
{
	(void)ctx;
	assert_true(size == 1 || size == 2 || size == 4);
	record('o', port, size, val);
	return port == 0xdead ? X86EMU_BUS_ERROR : 0;
}

static const struct x86emu_ops ops = { read_phys, write_phys, port_in, port_out };

static int reset(void **state)
{
	(void)state;
	memset(ram, 0, sizeof(ram));
	memset(mmio, 0, sizeof(mmio));
	memset(&ev, 0, sizeof(ev));
	nrec = 0;
	port_val = 0x11;
	return 0;
}

/* ---- CPU states ---- */

#define CR0_PE	0x1ull
#define CR0_WP	(1ull << 16)
#define CR0_PG	(1ull << 31)
#define CR4_PSE	(1ull << 4)
#define CR4_PAE	(1ull << 5)
#define CR4_SMEP (1ull << 20)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)
#define F_CF	0x001ull
#define F_PF	0x004ull
#define F_AF	0x010ull
#define F_ZF	0x040ull
#define F_SF	0x080ull
#define F_DF	0x400ull
#define F_OF	0x800ull
#define F_ARITH	(F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)
#define ATTR_CODE32	0xc9b	/* P, S, code exec/read accessed, D, G */
#define ATTR_DATA32	0xc93	/* P, S, data read/write accessed, B, G */
#define ATTR_CODE16	0x09b
#define ATTR_DATA16	0x093
#define ATTR_CODE64	0xa9b	/* L */

#define CODE	0x1000u		/* where instructions go (linear == physical) */

static void set_seg(struct x86emu_cpu *c, unsigned s, uint16_t sel, uint64_t base,
		    uint32_t limit, uint16_t attr)
{
	c->seg[s] = (struct x86emu_seg){ sel, attr, limit, base };
}

/* Real mode: CS = 0x100 (base 0x1000), IP 0, other segments 0, 64 KiB limits. */
static struct x86emu_cpu cpu_real(void)
{
	struct x86emu_cpu c;

	memset(&c, 0, sizeof(c));
	for (unsigned s = 0; s < 6; s++)
		set_seg(&c, s, 0, 0, 0xffff, ATTR_DATA16);
	set_seg(&c, X86EMU_CS, CODE >> 4, CODE, 0xffff, ATTR_CODE16);
	c.rflags = 2;
	return c;
}

/* Flat 32-bit protected mode, paging off (the Multiboot entry state). */
static struct x86emu_cpu cpu_prot32(void)
{
	struct x86emu_cpu c;

	memset(&c, 0, sizeof(c));
	c.cr0 = CR0_PE;
	for (unsigned s = 0; s < 6; s++)
		set_seg(&c, s, 0x10, 0, 0xffffffff, ATTR_DATA32);
	set_seg(&c, X86EMU_CS, 0x08, 0, 0xffffffff, ATTR_CODE32);
	c.rip = CODE;
	c.rflags = 2;
	return c;
}

/* 16-bit protected mode: 16-bit code and data segments, flat bases. */
static struct x86emu_cpu cpu_prot16(void)
{
	struct x86emu_cpu c = cpu_prot32();

	for (unsigned s = 0; s < 6; s++)
		set_seg(&c, s, 0x10, 0, 0xffff, ATTR_DATA16);
	set_seg(&c, X86EMU_CS, 0x08, 0, 0xffff, ATTR_CODE16);
	return c;
}

/*
 * 4-level page tables in fake RAM: 0-2 MiB in 4 KiB pages (PT at 0x103000,
 * identity, P|W|U), 2-4 MiB as one 2 MiB page, 3-4 GiB as one 1 GiB page
 * (so MMIO_GPA maps to itself).
 */
#define PML4	0x100000u
#define PDPT	0x101000u
#define PD0	0x102000u
#define PT0	0x103000u
#define PTE_P	0x1ull
#define PTE_W	0x2ull
#define PTE_U	0x4ull
#define PTE_A	0x20ull
#define PTE_D	0x40ull
#define PTE_PS	0x80ull
#define PTE_XD	(1ull << 63)

static void put64(uint64_t gpa, uint64_t v)
{
	memcpy(ram + gpa, &v, 8);
}

static uint64_t get64(uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, ram + gpa, 8);
	return v;
}

static void put32(uint64_t gpa, uint32_t v)
{
	memcpy(ram + gpa, &v, 4);
}

static uint32_t get32(uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, ram + gpa, 4);
	return v;
}

static uint64_t *pte(uint64_t va)
{
	return (uint64_t *)(ram + PT0 + (va >> 12) * 8);
}

static void build_pt(void)
{
	put64(PML4, PDPT | PTE_P | PTE_W | PTE_U);
	put64(PDPT, PD0 | PTE_P | PTE_W | PTE_U);
	put64(PDPT + 3 * 8, 0xc0000000ull | PTE_PS | PTE_P | PTE_W);
	put64(PD0, PT0 | PTE_P | PTE_W | PTE_U);
	put64(PD0 + 8, 0x200000ull | PTE_PS | PTE_P | PTE_W | PTE_U);
	for (uint64_t va = 0; va < 0x200000; va += 0x1000)
		*pte(va) = va | PTE_P | PTE_W | PTE_U;
}

static struct x86emu_cpu cpu_long(void)
{
	struct x86emu_cpu c = cpu_prot32();

	build_pt();
	c.cr0 = CR0_PE | CR0_PG | CR0_WP;
	c.cr3 = PML4;
	c.cr4 = CR4_PAE;
	c.efer = EFER_LME | EFER_LMA | EFER_NXE;
	set_seg(&c, X86EMU_CS, 0x08, 0, 0xffffffff, ATTR_CODE64);
	return c;
}

static struct x86emu_cpu cpu_mode(int mode)
{
	return mode == 64 ? cpu_long() : mode == 32 ? cpu_prot32() : cpu_real();
}

/* ---- running instructions ---- */

static unsigned hex(const char *s, uint8_t *b)
{
	unsigned n = 0, v;

	while (*s) {
		if (*s == ' ') {
			s++;
			continue;
		}
		assert_int_equal(sscanf(s, "%2x", &v), 1);
		b[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static uint64_t code_at(const struct x86emu_cpu *c)
{
	return c->seg[X86EMU_CS].base + c->rip;
}

/* run - place the bytes at CS:RIP (identity-mapped) and step once. */
static enum x86emu_status run(struct x86emu_cpu *c, const char *code)
{
	uint8_t b[32];
	unsigned n = hex(code, b);

	memcpy(ram + code_at(c), b, n);
	nrec = 0;
	memset(&ev, 0xee, sizeof(ev));
	return x86emu_step(c, &ops, NULL, &ev);
}

/* done - run and expect completion with RIP right after the given bytes. */
static void done(struct x86emu_cpu *c, const char *code)
{
	uint8_t b[32];
	uint64_t rip = c->rip;
	unsigned n = hex(code, b);

	assert_int_equal(run(c, code), X86EMU_DONE);
	assert_int_equal(c->rip, rip + n);
}

/* fault - run and expect exception vec/error with the CPU state unchanged. */
static void fault(struct x86emu_cpu *c, const char *code, unsigned vec, int error)
{
	struct x86emu_cpu before = *c;

	assert_int_equal(run(c, code), X86EMU_EXCEPTION);
	assert_int_equal(ev.vector, vec);
	if (error < 0) {
		assert_false(ev.has_error);
	} else {
		assert_true(ev.has_error);
		assert_int_equal(ev.error, (uint32_t)error);
	}
	assert_memory_equal(c, &before, sizeof(before));
}

static void expect_rec(unsigned i, char what, uint64_t addr, unsigned len, uint64_t val)
{
	assert_true(i < nrec);
	assert_int_equal(recs[i].what, what);
	assert_int_equal(recs[i].addr, addr);
	assert_int_equal(recs[i].len, len);
	assert_int_equal(recs[i].val, val);
}

static void set_mmio(unsigned off, uint64_t v, unsigned len)
{
	for (unsigned i = 0; i < len; i++)
		mmio[off + i] = (uint8_t)(v >> (8 * i));
}

/* ---- MOV in all forms and widths ---- */

/* A store to MMIO: which bytes, from which register values, in which mode. */
struct store_case {
	int mode;
	const char *code;
	uint64_t rax, rcx;
	unsigned len;
	uint64_t val;
	unsigned off;			/* MMIO offset written */
};

/* RBX (or BX/EBX) points at MMIO_GPA + 0x100 in 32/64-bit mode. */
static const struct store_case stores[] = {
	{ 32, "8903", 0x11223344, 0, 4, 0x11223344, 0x100 },		/* mov [ebx], eax */
	{ 32, "668903", 0x11223344, 0, 2, 0x3344, 0x100 },		/* mov [ebx], ax */
	{ 32, "8803", 0x11223344, 0, 1, 0x44, 0x100 },			/* mov [ebx], al */
	{ 32, "8823", 0x11223344, 0, 1, 0x33, 0x100 },			/* mov [ebx], ah */
	{ 32, "894b08", 0, 0xcafef00d, 4, 0xcafef00d, 0x108 },		/* mov [ebx+8], ecx */
	{ 32, "894bfc", 0, 0xcafef00d, 4, 0xcafef00d, 0xfc },		/* mov [ebx-4], ecx */
	{ 32, "890c0b", 0, 0x40, 4, 0x40, 0x140 },			/* mov [ebx+ecx], ecx */
	{ 32, "89448b10", 0x55, 0x3, 4, 0x55, 0x11c },			/* mov [ebx+ecx*4+16], eax */
	{ 32, "c6035a", 0, 0, 1, 0x5a, 0x100 },				/* mov byte [ebx], 0x5a */
	{ 32, "66c743043412", 0, 0, 2, 0x1234, 0x104 },			/* mov word [ebx+4], 0x1234 */
	{ 32, "c7030000feca", 0, 0, 4, 0xcafe0000, 0x100 },		/* mov dword [ebx], imm32 */
	{ 32, "c7052000d0fe78563412", 0, 0, 4, 0x12345678, 0x20 },	/* mov [0xfed00020], imm32 */
	{ 32, "a33000d0fe", 0xabcdef01, 0, 4, 0xabcdef01, 0x30 },	/* mov [moffs32], eax */
	{ 32, "a23000d0fe", 0xabcdef01, 0, 1, 0x01, 0x30 },		/* mov [moffs32], al */
	{ 32, "66a33000d0fe", 0xabcdef01, 0, 2, 0xef01, 0x30 },		/* mov [moffs32], ax */
	{ 64, "48890b", 0, 0x8877665544332211, 8, 0x8877665544332211, 0x100 }, /* mov [rbx], rcx */
	{ 64, "890b", 0, 0x8877665544332211, 4, 0x44332211, 0x100 },	/* mov [rbx], ecx */
	{ 64, "48c703ffffffff", 0, 0, 8, ~0ull, 0x100 },		/* mov qword [rbx], -1 */
	{ 64, "48a34000d0fe00000000", 0x0102030405060708, 0, 8, 0x0102030405060708, 0x40 },
	{ 64, "40882b", 0, 0xff00, 1, 0x5a, 0x100 },	/* mov [rbx], bpl (REX: not CH) */
	{ 64, "0f9303", 0, 0, 1, 1, 0x100 },	/* setae [rbx] with CF = 0 */
	{ 64, "0f9203", 0, 0, 1, 0, 0x100 },	/* setb [rbx] */
	{ 64, "8c0b", 0, 0, 2, 0x10, 0x100 },	/* mov [rbx], cs: the selector, 16 bits */
};

static void test_mov_store(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(stores) / sizeof(stores[0]); i++) {
		const struct store_case *t = &stores[i];
		struct x86emu_cpu c = cpu_mode(t->mode);

		c.seg[X86EMU_CS].sel = 0x10;
		c.gpr[X86EMU_RAX] = t->rax;
		c.gpr[X86EMU_RCX] = t->rcx;
		c.gpr[X86EMU_RBX] = MMIO_GPA + 0x100;
		c.gpr[X86EMU_RBP] = 0x5a;
		done(&c, t->code);
		assert_int_equal(nrec, 1);
		expect_rec(0, 'w', MMIO_GPA + t->off, t->len, t->val);
	}
}

/* A load from MMIO into a register: the register's whole value afterwards. */
struct load_case {
	int mode;
	const char *code;
	uint64_t mmio_val;		/* at MMIO offset 0x100 */
	unsigned reg;
	uint64_t before, after;
};

static const struct load_case loads[] = {
	{ 32, "8b03", 0x89abcdef, X86EMU_RAX, 0, 0x89abcdef },		/* mov eax, [ebx] */
	{ 32, "668b03", 0x89abcdef, X86EMU_RAX, 0x11112222, 0x1111cdef },	/* ax: merges */
	{ 32, "8a03", 0x89abcdef, X86EMU_RAX, 0x11112222, 0x111122ef },	/* al */
	{ 32, "8a23", 0x89abcdef, X86EMU_RAX, 0x11112222, 0x1111ef22 },	/* ah */
	{ 32, "0fb603", 0x89abcdef, X86EMU_RAX, ~0ull, 0xef },		/* movzx eax, byte */
	{ 32, "0fb703", 0x89abcdef, X86EMU_RAX, ~0ull, 0xcdef },		/* movzx eax, word */
	{ 32, "0fbe03", 0x89abcdef, X86EMU_RAX, 0, 0xffffffef },		/* movsx eax, byte */
	{ 32, "0fbf03", 0x89ab7def, X86EMU_RAX, 0, 0x7def },		/* movsx eax, word (+) */
	{ 32, "660fbe03", 0x80, X86EMU_RAX, 0x12345678, 0x1234ff80 },	/* movsx ax, byte */
	{ 32, "a10001d0fe", 0x5a5a0001, X86EMU_RAX, 0, 0x5a5a0001 },	/* mov eax, [moffs] */
	{ 32, "a00001d0fe", 0x5a5a0081, X86EMU_RAX, 0x300, 0x381 },	/* mov al, [moffs] */
	{ 64, "8b03", 0x89abcdef, X86EMU_RAX, ~0ull, 0x89abcdef },	/* 32-bit: zero-extends */
	{ 64, "488b03", 0x0123456789abcdef, X86EMU_RAX, 0, 0x0123456789abcdef },
	{ 64, "4c8b03", 0x0123456789abcdef, 8, 0, 0x0123456789abcdef },	/* mov r8, [rbx] */
	{ 64, "48630b", 0x80000000, X86EMU_RCX, 0, 0xffffffff80000000 },	/* movsxd rcx */
	{ 64, "480fbe03", 0xfe, X86EMU_RAX, 0, ~1ull },			/* movsx rax, byte */
	{ 64, "480fb703", 0xfffe, X86EMU_RAX, ~0ull, 0xfffe },		/* movzx rax, word */
	{ 64, "408a33", 0x7f, X86EMU_RSI, ~0ull, ~0ull << 8 | 0x7f },	/* mov sil, [rbx] */
	{ 64, "8a33", 0x7f, X86EMU_RDX, 0, 0x7f00 },			/* mov dh, [rbx] */
	{ 64, "48a10001d0fe00000000", 0x1122334455667788, X86EMU_RAX, 0, 0x1122334455667788 },
	{ 16 + 32, "678b03", 0x89abcdef, X86EMU_RAX, 0, 0x89abcdef },	/* 64-bit, 67: [ebx] */
};

static void test_mov_load(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(loads) / sizeof(loads[0]); i++) {
		const struct load_case *t = &loads[i];
		struct x86emu_cpu c = cpu_mode(t->mode == 48 ? 64 : t->mode);

		memset(mmio, 0, sizeof(mmio));
		set_mmio(0x100, t->mmio_val, 8);
		c.gpr[X86EMU_RBX] = MMIO_GPA + 0x100;
		if (t->mode == 48)
			c.gpr[X86EMU_RBX] |= 0xffff000000000000ull;	/* 67 drops the top */
		c.gpr[t->reg] = t->before;
		done(&c, t->code);
		assert_int_equal(c.gpr[t->reg], t->after);
		assert_int_equal(nrec, 1);
		assert_int_equal(recs[0].what, 'r');
		assert_int_equal(recs[0].addr, MMIO_GPA + 0x100);
	}
}

/* MOV r, imm (no memory) in every width, and MOV r, Sreg. */
static void test_mov_imm(void **state)
{
	struct x86emu_cpu c = cpu_long();

	(void)state;
	c.gpr[X86EMU_RAX] = ~0ull;
	done(&c, "b878563412");				/* mov eax, imm32 */
	assert_int_equal(c.gpr[X86EMU_RAX], 0x12345678);
	done(&c, "48b8efcdab8967452301");		/* mov rax, imm64 */
	assert_int_equal(c.gpr[X86EMU_RAX], 0x0123456789abcdef);
	done(&c, "b4aa");				/* mov ah, 0xaa */
	assert_int_equal(c.gpr[X86EMU_RAX], 0x0123456789abaaef);
	done(&c, "41b7aa");				/* mov r15b, 0xaa */
	assert_int_equal(c.gpr[15], 0xaa);
	done(&c, "66b93412");				/* mov cx, 0x1234 */
	assert_int_equal(c.gpr[X86EMU_RCX], 0x1234);
	done(&c, "48c7c2feffffff");			/* mov rdx, -2 (C7 /0, sign-extended) */
	assert_int_equal(c.gpr[X86EMU_RDX], ~1ull);
	c.seg[X86EMU_SS].sel = 0x18;
	done(&c, "8cd0");				/* mov eax, ss: zero-extends */
	assert_int_equal(c.gpr[X86EMU_RAX], 0x18);
	assert_int_equal(nrec, 0);
}

/* Real mode and 16-bit addressing: bases, SS for BP, overrides, 67 and wrap. */
static void test_real_mode(void **state)
{
	struct x86emu_cpu c = cpu_real();

	(void)state;
	c.seg[X86EMU_DS] = (struct x86emu_seg){ 0x2000, ATTR_DATA16, 0xffff, 0x20000 };
	c.seg[X86EMU_SS] = (struct x86emu_seg){ 0x3000, ATTR_DATA16, 0xffff, 0x30000 };
	c.seg[X86EMU_ES] = (struct x86emu_seg){ 0x4000, ATTR_DATA16, 0xffff, 0x40000 };
	c.gpr[X86EMU_RAX] = 0xbeef;
	c.gpr[X86EMU_RBX] = 0x100;
	c.gpr[X86EMU_RSI] = 0x20;
	done(&c, "894004");			/* mov [bx+si+4], ax -> DS */
	assert_int_equal(get32(0x20124) & 0xffff, 0xbeef);
	c.gpr[X86EMU_RBP] = 0x10;
	c.gpr[X86EMU_RDI] = 0x2;
	done(&c, "8903");			/* mov [bp+di], ax -> SS */
	assert_int_equal(get32(0x30012) & 0xffff, 0xbeef);
	done(&c, "268807");			/* mov es:[bx], al */
	assert_int_equal(ram[0x40100], 0xef);
	/* Offsets wrap at 64 KiB: bx+si = 0xfffe + 4 = 2. */
	c.gpr[X86EMU_RBX] = 0xfffe;
	c.gpr[X86EMU_RSI] = 4;
	done(&c, "8800");			/* mov [bx+si], al */
	assert_int_equal(ram[0x20002], 0xef);
	/* 66: a 32-bit operand; 67: 32-bit addressing, [ebx+ecx]. */
	c.gpr[X86EMU_RAX] = 0x12345678;
	c.gpr[X86EMU_RBX] = 0x200;
	c.gpr[X86EMU_RCX] = 0x30;
	done(&c, "6667890419");			/* mov [ecx+ebx], eax */
	assert_int_equal(get32(0x20230), 0x12345678);
	/* A word at offset 0xffff runs past the 64 KiB limit: #GP(0); through SS: #SS(0). */
	c.gpr[X86EMU_RBX] = 0xffff;
	fault(&c, "8907", 13, 0);		/* mov [bx], ax */
	c.gpr[X86EMU_RBP] = 0xffff;
	c.gpr[X86EMU_RDI] = 0;
	fault(&c, "8903", 12, 0);		/* mov [bp+di], ax */
}

/* ---- ALU flags against the host CPU ---- */

typedef uint64_t (*native_fn)(uint64_t a, uint64_t b, uint64_t fin, uint64_t *fout);

/* The instruction on the host: a = a op b, with flags in fin and out in *fout. */
#define NATIVE(name, insn, T)                                                        \
	static uint64_t name(uint64_t x, uint64_t y, uint64_t fin, uint64_t *fout)    \
	{                                                                            \
		T a = (T)x, b = (T)y;                                                \
		uint64_t f;                                                          \
		__asm__ volatile("lea -128(%%rsp), %%rsp\n\t"                        \
				 "push %[fi]\n\tpopfq\n\t"                           \
				 insn " %[b], %[a]\n\t"                              \
				 "pushfq\n\tpop %[f]\n\t"                            \
				 "lea 128(%%rsp), %%rsp"                             \
				 : [a] "+r"(a), [f] "=&r"(f)                         \
				 : [b] "r"(b), [fi] "r"(fin)                         \
				 : "cc", "memory");                                  \
		*fout = f;                                                           \
		return (uint64_t)a;                                                  \
	}
#define NATIVE1(name, insn, T)                                                       \
	static uint64_t name(uint64_t x, uint64_t y, uint64_t fin, uint64_t *fout)    \
	{                                                                            \
		T a = (T)x;                                                          \
		uint64_t f;                                                          \
		(void)y;                                                             \
		__asm__ volatile("lea -128(%%rsp), %%rsp\n\t"                        \
				 "push %[fi]\n\tpopfq\n\t"                           \
				 insn " %[a]\n\t"                                    \
				 "pushfq\n\tpop %[f]\n\t"                            \
				 "lea 128(%%rsp), %%rsp"                             \
				 : [a] "+r"(a), [f] "=&r"(f)                         \
				 : [fi] "r"(fin)                                     \
				 : "cc", "memory");                                  \
		*fout = f;                                                           \
		return (uint64_t)a;                                                  \
	}
#define NATIVE_ALL(op)                                                               \
	NATIVE(n_##op##1, #op, uint8_t) NATIVE(n_##op##2, #op, uint16_t)              \
	NATIVE(n_##op##4, #op, uint32_t) NATIVE(n_##op##8, #op, uint64_t)
#define NATIVE1_ALL(op)                                                              \
	NATIVE1(n_##op##1, #op, uint8_t) NATIVE1(n_##op##2, #op, uint16_t)            \
	NATIVE1(n_##op##4, #op, uint32_t) NATIVE1(n_##op##8, #op, uint64_t)
#define NATIVE_BT(op)                                                                \
	NATIVE(n_##op##2, #op, uint16_t) NATIVE(n_##op##4, #op, uint32_t)             \
	NATIVE(n_##op##8, #op, uint64_t)

NATIVE_ALL(add) NATIVE_ALL(or) NATIVE_ALL(adc) NATIVE_ALL(sbb)
NATIVE_ALL(and) NATIVE_ALL(sub) NATIVE_ALL(xor) NATIVE_ALL(cmp) NATIVE_ALL(test)
NATIVE1_ALL(inc) NATIVE1_ALL(dec) NATIVE1_ALL(neg) NATIVE1_ALL(not)
NATIVE_BT(bt) NATIVE_BT(bts) NATIVE_BT(btr) NATIVE_BT(btc)

#define FNS(op) { n_##op##1, n_##op##2, n_##op##4, n_##op##8 }

struct alu_op {
	const char *name;
	int alu;		/* 0..7: the ALU block; -1: other */
	bool writes, logic;
	native_fn fn[4];
};

static const struct alu_op alu_ops[] = {
	{ "add", 0, true, false, FNS(add) }, { "or", 1, true, true, FNS(or) },
	{ "adc", 2, true, false, FNS(adc) }, { "sbb", 3, true, false, FNS(sbb) },
	{ "and", 4, true, true, FNS(and) }, { "sub", 5, true, false, FNS(sub) },
	{ "xor", 6, true, true, FNS(xor) }, { "cmp", 7, false, false, FNS(cmp) },
	{ "test", -1, false, true, FNS(test) },
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Operands that reach the edges: 0, 1, all ones, the sign bit, and random. */
static uint64_t operand(void)
{
	static const uint64_t edge[] = { 0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
					 0x7fffffff, 0x80000000, 0xffffffff,
					 0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull };

	return rnd() % 3 ? rnd() >> (rnd() % 64) : edge[rnd() % (sizeof(edge) / 8)];
}

static unsigned size_idx(unsigned size)
{
	return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
}

/* The bytes selecting operand size for mode (none, 66, REX.W), as hex. */
static const char *size_prefix(int mode, unsigned size)
{
	if (size == 8)
		return "48";
	if ((size == 2 && mode != 16) || (size == 4 && mode == 16))
		return "66";
	return "";
}

#define DATA	0x8000u		/* the memory operand, in RAM */

static uint64_t mask_of(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static void to_hex(char *out, const uint8_t *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/*
 * alu_trial - one random case of op in mode: the memory destination form
 * ([rBX] op= rCX), the register destination form (rCX op= [rBX]) or the
 * immediate form ([rBX] op= imm); result and flags must equal the host's.
 */
static void alu_trial(const struct alu_op *op, int mode, unsigned size)
{
	struct x86emu_cpu c = cpu_mode(mode);
	uint64_t m = mask_of(size), a = operand() & m, b = operand() & m;
	uint64_t fin = (rnd() & F_ARITH) | 2, fout, want, undef = op->logic ? F_AF : 0;
	uint64_t junk = 0x5a5a5a5a5a5a5a5aull & ~m;	/* bytes beyond the operand */
	unsigned form = (unsigned)(rnd() % 3), modrm = mode == 16 ? 0x0f : 0x0b, n = 0;
	uint8_t code[16];
	char hexs[40];

	if (mode == 64 && size == 8)
		code[n++] = 0x48;
	else if ((size == 2 && mode != 16) || (size == 4 && mode == 16))
		code[n++] = 0x66;
	if (op->alu < 0 && form == 1)
		form = 0;				/* TEST has no Gv,Ev form */
	if (form == 2 && op->alu >= 0) {		/* 80 /alu ib, 83 /alu ib (sign-extended) */
		code[n++] = size == 1 ? 0x80 : 0x83;
		code[n++] = (uint8_t)((modrm & ~0x38u) | (unsigned)op->alu << 3);
		code[n++] = (uint8_t)b;
		b = (uint64_t)(int64_t)(int8_t)b & m;
	} else if (form == 2) {				/* F6 /0 ib, F7 /0 iw/id */
		unsigned isz = size == 1 ? 1 : size == 2 ? 2 : 4;

		code[n++] = size == 1 ? 0xf6 : 0xf7;
		code[n++] = (uint8_t)(modrm & ~0x38u);
		for (unsigned i = 0; i < isz; i++)
			code[n++] = (uint8_t)(b >> (8 * i));
		b = (uint64_t)((int64_t)(b << (64 - 8 * isz)) >> (64 - 8 * isz)) & m;
	} else {
		code[n++] = (uint8_t)((op->alu < 0 ? 0x84 : (unsigned)op->alu * 8) +
				      (size == 1 ? 0 : 1) + (form == 1 ? 2 : 0));
		code[n++] = (uint8_t)modrm;
	}
	to_hex(hexs, code, n);
	c.gpr[X86EMU_RBX] = DATA;
	c.rflags = fin;
	if (form == 1) {
		c.gpr[X86EMU_RCX] = a | junk;		/* the register is the destination */
		put64(DATA, b);
	} else {
		put64(DATA, a | junk);
		c.gpr[X86EMU_RCX] = b;
	}
	want = op->fn[size_idx(size)](a, b, fin, &fout);
	done(&c, hexs);
	if (!op->writes)
		want = a;
	if (form == 1)	/* 32-bit register writes zero-extend, narrower ones merge */
		assert_int_equal(c.gpr[X86EMU_RCX], want | (size == 4 && op->writes ? 0 : junk));
	else
		assert_int_equal(get64(DATA), want | junk);
	if ((c.rflags & ~undef) != ((fout & (F_ARITH | 2)) & ~undef)) {
		print_error("%s size %u mode %d form %u a=%#llx b=%#llx fin=%#llx: emu %#llx host %#llx\n",
			    op->name, size, mode, form, (unsigned long long)a, (unsigned long long)b,
			    (unsigned long long)fin, (unsigned long long)c.rflags,
			    (unsigned long long)fout);
		fail();
	}
}

static void test_alu_vs_host(void **state)
{
	static const int modes[] = { 16, 32, 64 };

	(void)state;
	for (size_t o = 0; o < sizeof(alu_ops) / sizeof(alu_ops[0]); o++)
		for (size_t mi = 0; mi < 3; mi++)
			for (unsigned size = 1; size <= 8; size *= 2) {
				if (size == 8 && modes[mi] != 64)
					continue;
				for (int i = 0; i < 150; i++)
					alu_trial(&alu_ops[o], modes[mi], size);
			}
}

/* INC DEC NEG NOT on memory (FE/FF /0 /1, F6/F7 /3 /2), against the host. */
static void test_unary_vs_host(void **state)
{
	static const struct { const char *name; unsigned grp_b, grp, reg; native_fn fn[4]; } u[] = {
		{ "inc", 0xfe, 0xff, 0, FNS(inc) }, { "dec", 0xfe, 0xff, 1, FNS(dec) },
		{ "not", 0xf6, 0xf7, 2, FNS(not) }, { "neg", 0xf6, 0xf7, 3, FNS(neg) },
	};

	(void)state;
	for (size_t k = 0; k < 4; k++)
		for (unsigned size = 1; size <= 8; size *= 2)
			for (int i = 0; i < 200; i++) {
				struct x86emu_cpu c = cpu_long();
				uint64_t m = mask_of(size), a = operand() & m, fout, want;
				uint64_t fin = (rnd() & F_ARITH) | 2;
				char code[16];

				snprintf(code, sizeof(code), "%s%02x%02x", size_prefix(64, size),
					 size == 1 ? u[k].grp_b : u[k].grp, 0x03 | u[k].reg << 3);
				c.gpr[X86EMU_RBX] = DATA;
				c.rflags = fin;
				put64(DATA, a);
				want = u[k].fn[size_idx(size)](a, 0, fin, &fout);
				done(&c, code);
				assert_int_equal(get64(DATA), want & m);
				assert_int_equal(c.rflags, fout & (F_ARITH | 2));
			}
}

/*
 * BT BTS BTR BTC: CF against the host (register operands, so the bit offset
 * is taken modulo the width on both sides); ZF is left alone as the SDM says;
 * a register bit offset on memory reaches other words, signed.
 */
static void test_bt(void **state)
{
	static const struct { unsigned opc, reg; native_fn fn[3]; } b[] = {
		{ 0xa3, 4, { n_bt2, n_bt4, n_bt8 } }, { 0xab, 5, { n_bts2, n_bts4, n_bts8 } },
		{ 0xb3, 6, { n_btr2, n_btr4, n_btr8 } }, { 0xbb, 7, { n_btc2, n_btc4, n_btc8 } },
	};
	struct x86emu_cpu c;

	(void)state;
	for (size_t k = 0; k < 4; k++)
		for (unsigned size = 2; size <= 8; size *= 2)
			for (int i = 0; i < 200; i++) {
				uint64_t m = mask_of(size), a = operand() & m, off = rnd() % (8 * size);
				uint64_t fin = (rnd() & F_ARITH) | 2, fout, want;
				bool imm = rnd() & 1;
				char code[24];

				c = cpu_long();
				if (imm)	/* 0F BA /r ib */
					snprintf(code, sizeof(code), "%s0fba%02x%02x", size_prefix(64, size),
						 0x03 | b[k].reg << 3, (unsigned)off);
				else		/* 0F xx /r: [rbx], rcx */
					snprintf(code, sizeof(code), "%s0f%02x0b", size_prefix(64, size),
						 b[k].opc);
				c.gpr[X86EMU_RBX] = DATA;
				c.gpr[X86EMU_RCX] = off;
				c.rflags = fin;
				put64(DATA, a);
				want = b[k].fn[size_idx(size) - 1](a, off, fin, &fout);
				done(&c, code);
				assert_int_equal(get64(DATA), want & m);
				assert_int_equal(c.rflags & F_CF, fout & F_CF);
				assert_int_equal(c.rflags & ~F_CF, fin & ~F_CF);
			}

	/* bts dword [rbx], rcx with rcx = 100: dword at rbx + 12, bit 4. */
	c = cpu_long();
	c.gpr[X86EMU_RBX] = DATA;
	c.gpr[X86EMU_RCX] = 100;
	put64(DATA + 8, 0);
	done(&c, "0fab0b");
	assert_int_equal(get32(DATA + 12), 1u << 4);
	assert_int_equal(c.rflags & F_CF, 0);
	/* bt dword [rbx], rcx with ecx = -1: bit 31 of the dword at rbx - 4 (signed). */
	put32(DATA - 4, 0x80000000u);
	c.gpr[X86EMU_RCX] = 0xffffffff;
	done(&c, "0fa30b");
	assert_int_equal(c.rflags & F_CF, F_CF);
	/* btr qword [rbx], rcx with rcx = -65: bit 63 of the qword at rbx - 16. */
	put64(DATA - 16, ~0ull);
	c.gpr[X86EMU_RCX] = (uint64_t)-65;
	done(&c, "480fb30b");
	assert_int_equal(get64(DATA - 16), ~0ull >> 1);
	/* bt on MMIO reads, never writes. */
	c.gpr[X86EMU_RBX] = MMIO_GPA;
	c.gpr[X86EMU_RCX] = 3;
	set_mmio(0, 0x8, 4);
	done(&c, "0fa30b");
	assert_int_equal(nrec, 1);
	expect_rec(0, 'r', MMIO_GPA, 4, 0x8);
	assert_int_equal(c.rflags & F_CF, F_CF);
}

/* XCHG, CMPXCHG, XADD on device memory: read, then write, in that order. */
static void test_xchg_cmpxchg_xadd(void **state)
{
	struct x86emu_cpu c = cpu_prot32();

	(void)state;
	c.gpr[X86EMU_RBX] = MMIO_GPA + 0x10;
	c.gpr[X86EMU_RAX] = 0x1111;
	set_mmio(0x10, 0x2222, 4);
	done(&c, "8703");				/* xchg [ebx], eax */
	assert_int_equal(c.gpr[X86EMU_RAX], 0x2222);
	assert_int_equal(nrec, 2);
	expect_rec(0, 'r', MMIO_GPA + 0x10, 4, 0x2222);
	expect_rec(1, 'w', MMIO_GPA + 0x10, 4, 0x1111);
	done(&c, "f08703");				/* lock xchg: allowed */
	assert_int_equal(c.gpr[X86EMU_RAX], 0x1111);

	/* cmpxchg [ebx], ecx: equal -> store ecx, ZF = 1. */
	set_mmio(0x10, 5, 4);
	c.gpr[X86EMU_RAX] = 5;
	c.gpr[X86EMU_RCX] = 9;
	done(&c, "f00fb10b");
	assert_int_equal(c.rflags & F_ZF, F_ZF);
	expect_rec(1, 'w', MMIO_GPA + 0x10, 4, 9);
	/* not equal -> EAX = old, the old value is written back, ZF = 0, CF from 7 - 9. */
	c.gpr[X86EMU_RAX] = 7;
	done(&c, "0fb10b");
	assert_int_equal(c.gpr[X86EMU_RAX], 9);
	assert_int_equal(c.rflags & (F_ZF | F_CF), F_CF);
	assert_int_equal(nrec, 2);
	expect_rec(1, 'w', MMIO_GPA + 0x10, 4, 9);

	/* xadd [ebx], ecx: memory = sum, ecx = old. */
	set_mmio(0x10, 0xfffffff0u, 4);
	c.gpr[X86EMU_RCX] = 0x20;
	done(&c, "0fc10b");
	assert_int_equal(c.gpr[X86EMU_RCX], 0xfffffff0u);
	expect_rec(1, 'w', MMIO_GPA + 0x10, 4, 0x10);
	assert_int_equal(c.rflags & (F_CF | F_ZF), F_CF);
}

/* ---- string instructions ---- */

static void test_movs_stos_lods(void **state)
{
	struct x86emu_cpu c = cpu_prot32();

	(void)state;
	for (unsigned i = 0; i < 64; i++)
		ram[0x10000 + i] = (uint8_t)(i + 1);
	/* rep movsb, DF = 0, 10 bytes. */
	c.gpr[X86EMU_RSI] = 0x10000;
	c.gpr[X86EMU_RDI] = 0x20000;
	c.gpr[X86EMU_RCX] = 10;
	done(&c, "f3a4");
	assert_memory_equal(ram + 0x20000, ram + 0x10000, 10);
	assert_int_equal(ram[0x2000a], 0);
	assert_int_equal(c.gpr[X86EMU_RCX], 0);
	assert_int_equal(c.gpr[X86EMU_RSI], 0x1000a);
	assert_int_equal(c.gpr[X86EMU_RDI], 0x2000a);
	/* rep movsd, DF = 1: from the top down, 3 dwords. */
	c.rflags |= F_DF;
	c.gpr[X86EMU_RSI] = 0x10008;
	c.gpr[X86EMU_RDI] = 0x30008;
	c.gpr[X86EMU_RCX] = 3;
	done(&c, "f3a5");
	assert_memory_equal(ram + 0x30000, ram + 0x10000, 12);
	assert_int_equal(c.gpr[X86EMU_RSI], 0x10008 - 12);
	assert_int_equal(c.gpr[X86EMU_RDI], 0x30008 - 12);
	c.rflags &= ~F_DF;
	/* rep stosw with CX = 0: nothing written, RIP advances. */
	c.gpr[X86EMU_RCX] = 0;
	c.gpr[X86EMU_RDI] = 0x40000;
	c.gpr[X86EMU_RAX] = 0xabcd;
	done(&c, "66f3ab");
	assert_int_equal(get32(0x40000), 0);
	assert_int_equal(c.gpr[X86EMU_RDI], 0x40000);
	/* stosw without REP: one word. */
	done(&c, "66ab");
	assert_int_equal(get32(0x40000), 0xabcd);
	assert_int_equal(c.gpr[X86EMU_RDI], 0x40002);
	/* lodsb with an FS override: FS base + ESI. */
	c.seg[X86EMU_FS].base = 0x10000;
	c.gpr[X86EMU_RSI] = 5;
	done(&c, "64ac");
	assert_int_equal(c.gpr[X86EMU_RAX], 0xab06);
	assert_int_equal(c.gpr[X86EMU_RSI], 6);
	/* ES:EDI is never overridden: a stosb with an FS prefix still goes to ES. */
	c.seg[X86EMU_ES].base = 0x50000;
	c.gpr[X86EMU_RDI] = 1;
	done(&c, "64aa");
	assert_int_equal(ram[0x50001], 0x06);
}

/* More than X86EMU_REP_BUDGET iterations: X86EMU_PARTIAL until done. */
static void test_rep_budget(void **state)
{
	struct x86emu_cpu c = cpu_long();
	unsigned calls = 0, count = 3 * X86EMU_REP_BUDGET + 7;
	enum x86emu_status st;

	(void)state;
	c.gpr[X86EMU_RDI] = 0x50000;
	c.gpr[X86EMU_RCX] = count;
	c.gpr[X86EMU_RAX] = 0x77;
	memcpy(ram + CODE, "\xf3\xaa", 2);			/* rep stosb */
	do {
		st = x86emu_step(&c, &ops, NULL, &ev);
		calls++;
		if (st == X86EMU_PARTIAL) {
			assert_int_equal(c.rip, CODE);
			assert_int_equal(c.gpr[X86EMU_RCX], count - calls * X86EMU_REP_BUDGET);
		}
	} while (st == X86EMU_PARTIAL && calls < 100);
	assert_int_equal(st, X86EMU_DONE);
	assert_int_equal(calls, 4);
	assert_int_equal(c.rip, CODE + 2);
	assert_int_equal(c.gpr[X86EMU_RCX], 0);
	assert_int_equal(c.gpr[X86EMU_RDI], 0x50000 + count);
	for (unsigned i = 0; i < count; i++)
		assert_int_equal(ram[0x50000 + i], 0x77);
	assert_int_equal(ram[0x50000 + count], 0);
}

/* 16-bit and 32-bit counters: CX only, ECX with 67 in 64-bit mode. */
static void test_rep_addrsize(void **state)
{
	struct x86emu_cpu c = cpu_real();

	(void)state;
	c.seg[X86EMU_ES] = (struct x86emu_seg){ 0x2000, ATTR_DATA16, 0xffff, 0x20000 };
	c.gpr[X86EMU_RCX] = 0xabcd0000 | 3;	/* only CX counts, the rest stays */
	c.gpr[X86EMU_RDI] = 0x5555fffe;		/* DI wraps inside ES */
	c.gpr[X86EMU_RAX] = 0x42;
	done(&c, "f3aa");			/* rep stosb */
	assert_int_equal(c.gpr[X86EMU_RCX], 0xabcd0000);
	assert_int_equal(c.gpr[X86EMU_RDI], 0x55550001);
	assert_int_equal(ram[0x2fffe], 0x42);
	assert_int_equal(ram[0x2ffff], 0x42);
	assert_int_equal(ram[0x20000], 0x42);

	c = cpu_long();
	c.gpr[X86EMU_RCX] = 0x100000002ull;	/* ECX = 2 */
	c.gpr[X86EMU_RDI] = 0xffffffff00060000ull;
	c.gpr[X86EMU_RAX] = 0x99;
	done(&c, "67f3aa");			/* rep stosb [edi] */
	assert_int_equal(c.gpr[X86EMU_RCX], 0);
	assert_int_equal(c.gpr[X86EMU_RDI], 0x60002);
	assert_int_equal(ram[0x60001], 0x99);
}

static void test_cmps_scas(void **state)
{
	struct x86emu_cpu c = cpu_prot32();

	(void)state;
	memcpy(ram + 0x10000, "abcdefgh", 8);
	memcpy(ram + 0x20000, "abcdXfgh", 8);
	/* repe cmpsb stops after the mismatch at index 4: 5 iterations. */
	c.gpr[X86EMU_RSI] = 0x10000;
	c.gpr[X86EMU_RDI] = 0x20000;
	c.gpr[X86EMU_RCX] = 8;
	done(&c, "f3a6");
	assert_int_equal(c.gpr[X86EMU_RCX], 3);
	assert_int_equal(c.gpr[X86EMU_RSI], 0x10005);
	assert_int_equal(c.gpr[X86EMU_RDI], 0x20005);
	assert_int_equal(c.rflags & (F_ZF | F_CF), 0);	/* 'e' - 'X' = 0x0d: no borrow */
	/* repne scasb finds 'f' at index 5. */
	c.gpr[X86EMU_RDI] = 0x10000;
	c.gpr[X86EMU_RCX] = 8;
	c.gpr[X86EMU_RAX] = 'f';
	done(&c, "f2ae");
	assert_int_equal(c.gpr[X86EMU_RCX], 2);
	assert_int_equal(c.gpr[X86EMU_RDI], 0x10006);
	assert_int_equal(c.rflags & F_ZF, F_ZF);
	/* repne scasb, not found: runs out the count with ZF = 0. */
	c.gpr[X86EMU_RDI] = 0x10000;
	c.gpr[X86EMU_RCX] = 8;
	c.gpr[X86EMU_RAX] = 'z';
	done(&c, "f2ae");
	assert_int_equal(c.gpr[X86EMU_RCX], 0);
	assert_int_equal(c.rflags & F_ZF, 0);
	/* cmpsd without REP: flags of [esi] - [edi]. */
	put32(0x11000, 1);
	put32(0x21000, 2);
	c.gpr[X86EMU_RSI] = 0x11000;
	c.gpr[X86EMU_RDI] = 0x21000;
	done(&c, "a7");
	assert_int_equal(c.rflags & (F_CF | F_SF | F_ZF), F_CF | F_SF);
}

static void test_ins_outs(void **state)
{
	struct x86emu_cpu c = cpu_prot32();

	(void)state;
	/* rep insb, DF = 0: 4 reads of port 0x60, stored upwards. */
	c.gpr[X86EMU_RDX] = 0x60;
	c.gpr[X86EMU_RDI] = 0x10000;
	c.gpr[X86EMU_RCX] = 4;
	done(&c, "f36c");
	assert_int_equal(nrec, 4);
	for (unsigned i = 0; i < 4; i++) {
		expect_rec(i, 'i', 0x60, 1, 0x11 + i);
		assert_int_equal(ram[0x10000 + i], 0x11 + i);
	}
	assert_int_equal(c.gpr[X86EMU_RDI], 0x10004);
	/* rep insw, DF = 1: words stored downwards. */
	c.rflags |= F_DF;
	c.gpr[X86EMU_RDI] = 0x20004;
	c.gpr[X86EMU_RCX] = 3;
	done(&c, "66f36d");
	assert_int_equal(nrec, 3);
	assert_int_equal(get32(0x20004) & 0xffff, 0x15);
	assert_int_equal(get32(0x20002) & 0xffff, 0x16);
	assert_int_equal(get32(0x20000) & 0xffff, 0x17);
	assert_int_equal(c.gpr[X86EMU_RDI], 0x1fffe);
	c.rflags &= ~F_DF;
	/* rep outsd from RAM: three dwords to port 0x1f0, in order. */
	put32(0x30000, 0xa1a2a3a4);
	put32(0x30004, 0xb1b2b3b4);
	put32(0x30008, 0xc1c2c3c4);
	c.gpr[X86EMU_RDX] = 0x1f0;
	c.gpr[X86EMU_RSI] = 0x30000;
	c.gpr[X86EMU_RCX] = 3;
	done(&c, "f36f");
	assert_int_equal(nrec, 3);
	expect_rec(0, 'o', 0x1f0, 4, 0xa1a2a3a4);
	expect_rec(1, 'o', 0x1f0, 4, 0xb1b2b3b4);
	expect_rec(2, 'o', 0x1f0, 4, 0xc1c2c3c4);
	assert_int_equal(c.gpr[X86EMU_RSI], 0x3000c);
	/* rep outsb with a count of 0: no port access. */
	c.gpr[X86EMU_RCX] = 0;
	done(&c, "f36e");
	assert_int_equal(nrec, 0);
	/* CPL 3 with IOPL 0: #GP(0) before any access; IOPL 3 lets it through. */
	c.cpl = 3;
	c.gpr[X86EMU_RCX] = 2;
	fault(&c, "f36e", 13, 0);
	assert_int_equal(nrec, 0);
	c.rflags |= 3ull << 12;
	done(&c, "f36e");
	assert_int_equal(nrec, 2);
	/* rep movsd from MMIO to MMIO: each iteration a read then a write. */
	c = cpu_prot32();
	set_mmio(0x0, 0x01020304, 4);
	set_mmio(0x4, 0x05060708, 4);
	c.gpr[X86EMU_RSI] = MMIO_GPA;
	c.gpr[X86EMU_RDI] = MMIO_GPA + 0x800;
	c.gpr[X86EMU_RCX] = 2;
	done(&c, "f3a5");
	assert_int_equal(nrec, 4);
	expect_rec(0, 'r', MMIO_GPA, 4, 0x01020304);
	expect_rec(1, 'w', MMIO_GPA + 0x800, 4, 0x01020304);
	expect_rec(2, 'r', MMIO_GPA + 4, 4, 0x05060708);
	expect_rec(3, 'w', MMIO_GPA + 0x804, 4, 0x05060708);
}

static void test_in_out(void **state)
{
	struct x86emu_cpu c = cpu_long();

	(void)state;
	c.gpr[X86EMU_RAX] = 0xffffffffffffffffull;
	done(&c, "e460");			/* in al, 0x60 */
	assert_int_equal(c.gpr[X86EMU_RAX], 0xffffffffffffff11ull);
	done(&c, "66e560");			/* in ax, 0x60 */
	assert_int_equal(c.gpr[X86EMU_RAX], 0xffffffffffff0012ull);
	c.gpr[X86EMU_RDX] = 0xcfc;
	done(&c, "ed");				/* in eax, dx: zero-extends */
	assert_int_equal(c.gpr[X86EMU_RAX], 0x13);
	expect_rec(0, 'i', 0xcfc, 4, 0x13);
	c.gpr[X86EMU_RAX] = 0x80000001;
	done(&c, "ef");				/* out dx, eax */
	expect_rec(0, 'o', 0xcfc, 4, 0x80000001);
	done(&c, "e680");			/* out 0x80, al */
	expect_rec(0, 'o', 0x80, 1, 0x01);
	/* A port the device side refuses: X86EMU_BUS, RIP not advanced. */
	c.gpr[X86EMU_RDX] = 0xdead;
	{
		uint64_t rip = c.rip;

		assert_int_equal(run(&c, "ee"), X86EMU_BUS);
		assert_int_equal(c.rip, rip);
	}
}

/* ---- faults ---- */

static void test_page_faults(void **state)
{
	struct x86emu_cpu c = cpu_long();

	(void)state;
	c.gpr[X86EMU_RAX] = 0x1234;
	/* Not present: error W only, CR2 the address. */
	*pte(0x5000) = 0;
	c.gpr[X86EMU_RBX] = 0x5010;
	fault(&c, "8903", 14, 0x2);
	assert_int_equal(ev.cr2, 0x5010);
	fault(&c, "8b03", 14, 0x0);		/* a read */
	/* Read-only page, supervisor write with CR0.WP: P|W; without WP it works. */
	*pte(0x6000) = 0x6000 | PTE_P | PTE_U;
	c.gpr[X86EMU_RBX] = 0x6000;
	fault(&c, "8903", 14, 0x3);
	assert_int_equal(ev.cr2, 0x6000);
	c.cr0 &= ~CR0_WP;
	done(&c, "8903");
	assert_int_equal(get32(0x6000), 0x1234);
	c.cr0 |= CR0_WP;
	/* User access to a supervisor page: P|U; a user write to read-only: P|W|U. */
	*pte(0x7000) = 0x7000 | PTE_P | PTE_W;
	c.cpl = 3;
	c.gpr[X86EMU_RBX] = 0x7000;
	fault(&c, "8b03", 14, 0x5);
	c.gpr[X86EMU_RBX] = 0x6000;
	fault(&c, "8903", 14, 0x7);
	/* The code page must be user too, or the fetch faults first (P|U|I with NXE). */
	*pte(CODE) &= ~PTE_U;
	fault(&c, "8b03", 14, 0x15);
	assert_int_equal(ev.cr2, c.rip);
	*pte(CODE) |= PTE_U;
	c.cpl = 0;
	/* A supervisor page's U=0 at a higher level also makes it supervisor. */
	put64(PD0, get64(PD0) & ~PTE_U);
	c.cpl = 3;
	c.gpr[X86EMU_RBX] = 0x8000;
	fault(&c, "8b03", 14, 0x15);		/* the fetch already fails */
	put64(PD0, get64(PD0) | PTE_U);
	c.cpl = 0;
	/* NX: fetch from an XD page: P|I. */
	*pte(CODE) |= PTE_XD;
	fault(&c, "8b03", 14, 0x11);
	assert_int_equal(ev.cr2, c.rip);
	/* XD without EFER.NXE is a reserved bit: P|RSVD (no I without NXE). */
	c.efer &= ~EFER_NXE;
	fault(&c, "8b03", 14, 0x9);
	c.efer |= EFER_NXE;
	*pte(CODE) &= ~PTE_XD;
	/* SMEP: supervisor fetch from a user page. */
	c.cr4 |= CR4_SMEP;
	fault(&c, "8b03", 14, 0x11);
	c.cr4 &= ~CR4_SMEP;
	/* A reserved bit in a 2 MiB PDE (bit 13): P|RSVD. */
	put64(PD0 + 8, get64(PD0 + 8) | (1ull << 13));
	c.gpr[X86EMU_RBX] = 0x200000;
	fault(&c, "8b03", 14, 0x9);
	put64(PD0 + 8, get64(PD0 + 8) & ~(1ull << 13));
	done(&c, "8b03");			/* the 2 MiB page */
}

/* Accessed and dirty bits: A on every level used, D on the leaf for writes. */
static void test_accessed_dirty(void **state)
{
	struct x86emu_cpu c = cpu_long();

	(void)state;
	c.gpr[X86EMU_RBX] = 0x9000;
	done(&c, "8b03");			/* a read */
	assert_int_equal(*pte(0x9000) & (PTE_A | PTE_D), PTE_A);
	assert_int_equal(get64(PD0) & PTE_A, PTE_A);
	assert_int_equal(get64(PDPT) & PTE_A, PTE_A);
	assert_int_equal(get64(PML4) & PTE_A, PTE_A);
	assert_int_equal(*pte(CODE) & (PTE_A | PTE_D), PTE_A);	/* the fetch */
	assert_int_equal(get64(PD0) & PTE_D, 0);		/* D only on leaves */
	done(&c, "8903");			/* a write */
	assert_int_equal(*pte(0x9000) & (PTE_A | PTE_D), PTE_A | PTE_D);
	/* A faulting access sets nothing. */
	*pte(0xa000) = 0xa000 | PTE_P;
	c.gpr[X86EMU_RBX] = 0xa000;
	fault(&c, "8903", 14, 0x3);
	assert_int_equal(*pte(0xa000) & (PTE_A | PTE_D), 0);
	/* 2 MiB leaf: D set in the PDE. */
	c.gpr[X86EMU_RBX] = 0x300000;
	done(&c, "8903");
	assert_int_equal(get64(PD0 + 8) & (PTE_A | PTE_D), PTE_A | PTE_D);
}

/* Splits: a data access and an instruction across pages mapped apart. */
static void test_page_crossing(void **state)
{
	struct x86emu_cpu c = cpu_long();
	enum x86emu_status st;

	(void)state;
	/* Linear 0xb000 -> physical 0xb000, 0xc000 -> physical 0x40000. */
	*pte(0xc000) = 0x40000 | PTE_P | PTE_W;
	c.gpr[X86EMU_RBX] = 0xbffe;
	c.gpr[X86EMU_RAX] = 0x44332211;
	done(&c, "8903");
	assert_int_equal(ram[0xbffe], 0x11);
	assert_int_equal(ram[0xbfff], 0x22);
	assert_int_equal(ram[0x40000], 0x33);
	assert_int_equal(ram[0x40001], 0x44);
	assert_int_equal(ram[0xc000], 0);
	c.gpr[X86EMU_RCX] = 0;
	done(&c, "8b0b");
	assert_int_equal(c.gpr[X86EMU_RCX], 0x44332211);
	/* The second page not present: #PF at its first byte, and no byte written. */
	*pte(0xc000) = 0;
	memset(ram + 0xbffe, 0, 2);
	fault(&c, "8903", 14, 0x2);
	assert_int_equal(ev.cr2, 0xc000);
	assert_int_equal(ram[0xbffe], 0);

	/* mov [rbx], rcx split 3 + 3 + imm: 48 89 0b at 0xdffe..0xe000. */
	*pte(0xe000) = 0x41000 | PTE_P | PTE_W;
	c.rip = 0xdffe;
	memcpy(ram + 0xdffe, "\x48\x89", 2);
	ram[0x41000] = 0x0b;
	c.gpr[X86EMU_RBX] = 0x9000;
	c.gpr[X86EMU_RCX] = 0x5566;
	assert_int_equal(x86emu_step(&c, &ops, NULL, &ev), X86EMU_DONE);
	assert_int_equal(c.rip, 0xe001);
	assert_int_equal(get64(0x9000), 0x5566);
	/* Its second page gone: #PF for the fetch at 0xe000 (I with NXE). */
	*pte(0xe000) = 0;
	c.rip = 0xdffe;
	st = x86emu_step(&c, &ops, NULL, &ev);
	assert_int_equal(st, X86EMU_EXCEPTION);
	assert_int_equal(ev.vector, 14);
	assert_int_equal(ev.error, 0x10);
	assert_int_equal(ev.cr2, 0xe000);
	/* An instruction that fits in its page never touches the next one. */
	memcpy(ram + 0xdffe, "\x8b\x03", 2);	/* mov eax, [rbx] */
	assert_int_equal(x86emu_step(&c, &ops, NULL, &ev), X86EMU_DONE);

	/* rep movsb running into a non-present page: the completed iterations stay. */
	c = cpu_long();
	*pte(0xf000) = 0;
	c.gpr[X86EMU_RSI] = 0x9000;
	c.gpr[X86EMU_RDI] = 0xeffc;
	c.gpr[X86EMU_RCX] = 10;
	memcpy(ram + 0x9000, "0123456789", 10);
	assert_int_equal(run(&c, "f3a4"), X86EMU_EXCEPTION);
	assert_int_equal(ev.vector, 14);
	assert_int_equal(ev.error, 0x2);
	assert_int_equal(ev.cr2, 0xf000);
	assert_int_equal(c.gpr[X86EMU_RCX], 6);
	assert_int_equal(c.gpr[X86EMU_RDI], 0xf000);
	assert_int_equal(c.gpr[X86EMU_RSI], 0x9004);
	assert_int_equal(c.rip, CODE);
	assert_memory_equal(ram + 0xeffc, "0123", 4);
}

/* 32-bit paging (4 KiB and PSE 4 MiB pages) and PAE, through the walk alone. */
static void test_walk_legacy(void **state)
{
	struct x86emu_cpu c = cpu_prot32();
	struct x86emu_event e;
	uint64_t gpa;

	(void)state;
	/* 32-bit: PD at 0x100000; PDE 0 -> PT at 0x101000; PDE 1: a 4 MiB page at 8 MiB. */
	c.cr0 |= CR0_PG | CR0_WP;
	c.cr3 = 0x100000;
	put32(0x100000, 0x101000 | PTE_P | PTE_W);
	put32(0x100004, 0x800000 | PTE_PS | PTE_P | PTE_W | PTE_U);
	put32(0x101000 + 5 * 4, 0x3000 | PTE_P);
	assert_int_equal(x86emu_linear_to_phys(&c, &ops, NULL, 0x5123, false, false, false, &gpa, &e), 0);
	assert_int_equal(gpa, 0x3123);
	assert_int_equal(get32(0x101000 + 5 * 4) & PTE_A, PTE_A);
	assert_int_equal(x86emu_linear_to_phys(&c, &ops, NULL, 0x5123, true, false, false, &gpa, &e), 1);
	assert_int_equal(e.error, 0x3);
	/* Without CR4.PSE the PS bit is ignored: the "PT" is at 8 MiB (not RAM: bus error). */
	assert_int_equal(x86emu_linear_to_phys(&c, &ops, NULL, 0x412345, false, false, false, &gpa, &e),
			 X86EMU_BUS_ERROR);
	c.cr4 |= CR4_PSE;
	assert_int_equal(x86emu_linear_to_phys(&c, &ops, NULL, 0x412345, true, true, false, &gpa, &e), 0);
	assert_int_equal(gpa, 0x812345);
	assert_int_equal(get32(0x100004) & (PTE_A | PTE_D), PTE_A | PTE_D);
	/* PSE-36: PDE bits 20:13 are physical address bits 39:32. */
	put32(0x100008, 0x00c00000 | (0x3u << 13) | PTE_PS | PTE_P);
	assert_int_equal(x86emu_linear_to_phys(&c, &ops, NULL, 0x800010, false, false, false, &gpa, &e), 0);
	assert_int_equal(gpa, 0x300c00010ull);
	/* Paging off: linear is physical. */
	c.cr0 &= ~CR0_PG;
	assert_int_equal(x86emu_linear_to_phys(&c, &ops, NULL, 0xfed00004, true, false, false, &gpa, &e), 0);
	assert_int_equal(gpa, 0xfed00004);

	/* PAE: CR3 -> 4 PDPTEs; PDPTE 1 -> PD at 0x110000; PDE 0 -> 2 MiB page at 2 MiB. */
	memset(ram + 0x100000, 0, 0x20000);
	c.cr0 |= CR0_PG;
	c.cr4 = CR4_PAE;
	c.efer = EFER_NXE;
	c.cr3 = 0x100020;
	put64(0x100028, 0x110000 | PTE_P);
	put64(0x110000, 0x200000 | PTE_PS | PTE_P | PTE_W | PTE_XD);
	put64(0x110008, 0x111000 | PTE_P | PTE_W);
	put64(0x111000 + 7 * 8, 0x7000 | PTE_P | PTE_W);
	assert_int_equal(x86emu_linear_to_phys(&c, &ops, NULL, 0x40012345, true, false, false, &gpa, &e), 0);
	assert_int_equal(gpa, 0x212345);
	assert_int_equal(get64(0x110000) & (PTE_A | PTE_D), PTE_A | PTE_D);
	assert_int_equal(get64(0x100028) & PTE_A, 0);	/* PAE PDPTEs have no A bit */
	assert_int_equal(x86emu_linear_to_phys(&c, &ops, NULL, 0x40012345, false, false, true, &gpa, &e), 1);
	assert_int_equal(e.error, 0x11);		/* NX */
	assert_int_equal(x86emu_linear_to_phys(&c, &ops, NULL, 0x40207abc, false, false, false, &gpa, &e), 0);
	assert_int_equal(gpa, 0x7abc);
	/* PDPTE 0 not present. */
	assert_int_equal(x86emu_linear_to_phys(&c, &ops, NULL, 0x1000, false, true, false, &gpa, &e), 1);
	assert_int_equal(e.error, 0x4);
	assert_int_equal(e.cr2, 0x1000);
	/* 4-level with a 1 GiB page (cpu_long maps 3-4 GiB so). */
	c = cpu_long();
	assert_int_equal(x86emu_linear_to_phys(&c, &ops, NULL, 0xfed00123, false, false, false, &gpa, &e), 0);
	assert_int_equal(gpa, 0xfed00123);
}

/* Segmentation in protected mode: limits, expand-down, types, unusable. */
static void test_segments(void **state)
{
	struct x86emu_cpu c = cpu_prot32();

	(void)state;
	c.seg[X86EMU_DS] = (struct x86emu_seg){ 0x20, ATTR_DATA32 & ~0x800, 0xfff, 0x100000 };
	c.gpr[X86EMU_RAX] = 0xaabbccdd;
	c.gpr[X86EMU_RBX] = 0xffc;
	done(&c, "8903");			/* the last dword inside the limit */
	assert_int_equal(get32(0x100ffc), 0xaabbccdd);
	c.gpr[X86EMU_RBX] = 0xffd;
	fault(&c, "8903", 13, 0);		/* one byte past it */
	/* Through SS: #SS(0). */
	c.seg[X86EMU_SS] = c.seg[X86EMU_DS];
	c.gpr[X86EMU_RBP] = 0xffe;
	fault(&c, "894500", 12, 0);		/* mov [ebp+0], eax */
	/* Expand-down, limit 0xfff, B = 1: offsets 0x1000..0xffffffff are valid. */
	c.seg[X86EMU_DS].attr = ATTR_DATA32 | 0x4;
	c.gpr[X86EMU_RBX] = 0x800;
	fault(&c, "8903", 13, 0);
	c.gpr[X86EMU_RBX] = 0x1000;
	done(&c, "8903");
	assert_int_equal(get32(0x101000), 0xaabbccdd);
	/* A read-only data segment refuses writes, allows reads. */
	c.seg[X86EMU_DS] = (struct x86emu_seg){ 0x20, ATTR_DATA32 & ~0x2, 0xffffffff, 0 };
	c.gpr[X86EMU_RBX] = 0x2000;
	fault(&c, "8903", 13, 0);
	done(&c, "8b03");
	/* A code segment through a CS override: readable, never writable. */
	fault(&c, "2e8903", 13, 0);
	done(&c, "2e8b03");
	c.seg[X86EMU_CS].attr = ATTR_CODE32 & ~0x2;	/* execute-only */
	fault(&c, "2e8b03", 13, 0);
	c.seg[X86EMU_CS].attr = ATTR_CODE32;
	/* An unusable (null) segment: #GP(0). */
	c.seg[X86EMU_ES].attr = 0;
	fault(&c, "268b03", 13, 0);
	/* CS limit: an instruction running past it is #GP(0). */
	c.seg[X86EMU_CS].limit = (uint32_t)c.rip;	/* one byte left */
	fault(&c, "8b03", 13, 0);
	c.seg[X86EMU_CS].limit = 0xffffffff;
	/* 16-bit protected mode: 16-bit operands and addressing by default. */
	c = cpu_prot16();
	c.gpr[X86EMU_RAX] = 0x12345678;
	c.gpr[X86EMU_RBX] = 0x2000;
	done(&c, "8907");			/* mov [bx], ax */
	assert_int_equal(get32(0x2000), 0x5678);
	done(&c, "668907");			/* mov [bx], eax */
	assert_int_equal(get32(0x2000), 0x12345678);
}

static void test_long_mode_addressing(void **state)
{
	struct x86emu_cpu c = cpu_long();

	(void)state;
	c.gpr[X86EMU_RAX] = 0x77;
	/* Non-canonical: #GP(0); through RSP/RBP (SS): #SS(0). */
	c.gpr[X86EMU_RBX] = 0x0000800000000000ull;
	fault(&c, "8903", 13, 0);
	c.gpr[X86EMU_RBP] = 0xffff7fffffffffffull;
	fault(&c, "894500", 12, 0);
	/* An access whose last byte is non-canonical. */
	c.gpr[X86EMU_RBX] = 0x00007ffffffffffeull;
	fault(&c, "8903", 13, 0);
	/* FS and GS bases apply in 64-bit mode; DS, ES bases do not. */
	c.seg[X86EMU_GS].base = 0x9000;
	c.seg[X86EMU_DS].base = 0x123000;
	c.gpr[X86EMU_RBX] = 0x10;
	done(&c, "65890b");			/* mov gs:[rbx], ecx */
	c.gpr[X86EMU_RCX] = 0xfeed;
	done(&c, "65890b");
	assert_int_equal(get32(0x9010), 0xfeed);
	done(&c, "3e890b");			/* ds: ignored, base 0 */
	assert_int_equal(get32(0x10), 0xfeed);
	/* RIP-relative: from the end of the instruction. */
	{
		uint64_t next = c.rip + 6;

		done(&c, "890d00100000");	/* mov [rip+0x1000], ecx */
		assert_int_equal(get32(next + 0x1000), 0xfeed);
	}
}

/*
 * SMSW (0F 01 /4): CR0's low 16 bits to memory whatever the operand size;
 * CR0 at the operand size into a register; #GP(0) above CPL 0 with
 * CR4.UMIP, before memory is touched; the other 0F 01 forms not emulated.
 */
static void test_smsw(void **state)
{
	struct x86emu_cpu c = cpu_prot32();
	uint64_t cr0 = 0x80050033;

	(void)state;
	c.cr0 = cr0 & ~(1ull << 31);		/* paging off: MMIO_GPA is its own address */
	c.gpr[X86EMU_RBX] = MMIO_GPA + 0x100;
	done(&c, "0f0123");			/* smsw [ebx] */
	assert_int_equal(nrec, 1);
	expect_rec(0, 'w', MMIO_GPA + 0x100, 2, c.cr0 & 0xffff);
	done(&c, "660f0123");			/* 66: still 16 bits */
	expect_rec(0, 'w', MMIO_GPA + 0x100, 2, c.cr0 & 0xffff);
	c.gpr[X86EMU_RAX] = ~0ull;
	done(&c, "0f01e0");			/* smsw eax */
	assert_int_equal(c.gpr[X86EMU_RAX], c.cr0 & 0xffffffff);
	c.gpr[X86EMU_RAX] = 0x12345678;
	done(&c, "660f01e0");			/* smsw ax: merges */
	assert_int_equal(c.gpr[X86EMU_RAX], 0x12340000 | (c.cr0 & 0xffff));
	c.cr4 = 1ull << 11;			/* UMIP: CPL 0 still may */
	done(&c, "0f0123");
	c.cpl = 3;
	fault(&c, "0f0123", 13, 0);
	assert_int_equal(nrec, 0);

	c = cpu_long();
	c.cr0 = cr0;
	c.gpr[X86EMU_RBX] = MMIO_GPA + 0x100;
	done(&c, "480f0123");			/* REX.W, memory: 16 bits */
	expect_rec(0, 'w', MMIO_GPA + 0x100, 2, cr0 & 0xffff);
	c.gpr[X86EMU_RCX] = 0;
	done(&c, "480f01e1");			/* smsw rcx */
	assert_int_equal(c.gpr[X86EMU_RCX], cr0);
	{
		struct x86emu_cpu before = c;

		assert_int_equal(run(&c, "0f0103"), X86EMU_UNSUPPORTED);	/* sgdt [rbx] */
		assert_int_equal(run(&c, "0f01c1"), X86EMU_UNSUPPORTED);	/* vmcall */
		assert_memory_equal(&c, &before, sizeof(c));
	}
}

/*
 * LMSW (0F 01 /6): bits 3:0 of a 16-bit register or memory operand into
 * CR0 (PE set, never cleared); the result is left in cpu->cr0 for the
 * caller; #GP(0) above CPL 0; LOCK is #UD.
 */
static void test_lmsw(void **state)
{
	struct x86emu_cpu c = cpu_prot32();
	uint64_t cr0 = 0x00050031;		/* PE, ET, WP, AM; paging off */
	uint16_t src = 0xfff6;			/* MP, EM; PE and TS clear */

	(void)state;
	c.cr0 = cr0;
	c.gpr[X86EMU_RBX] = 0x7000;
	memcpy(ram + 0x7000, &src, 2);
	done(&c, "0f0133");			/* lmsw [ebx] */
	assert_int_equal(c.cr0, (cr0 & ~0xfull) | (src & 0xf) | 1);	/* PE kept */
	c.cr0 = cr0 | 0x8;			/* TS set: cleared by the source */
	done(&c, "66670f0137");			/* prefixes change nothing: lmsw [bx] */
	assert_int_equal(c.cr0, (cr0 & ~0xfull) | 0x7);
	c.cr0 = cr0;
	c.gpr[X86EMU_RAX] = 0xffff0008;		/* only bits 3:0 of AX count */
	done(&c, "0f01f0");			/* lmsw ax */
	assert_int_equal(c.cr0, (cr0 & ~0xfull) | 0x9);
	c.cpl = 3;
	fault(&c, "0f01f0", 13, 0);
	c.cpl = 0;
	fault(&c, "f00f0133", 6, -1);		/* lock lmsw [ebx] */

	c = cpu_real();
	c.cr0 = 0x10;				/* real mode: LMSW can enter protected mode */
	c.gpr[X86EMU_RAX] = 0x1;
	done(&c, "0f01f0");
	assert_int_equal(c.cr0, 0x11);

	c = cpu_long();
	cr0 = c.cr0;
	c.gpr[X86EMU_RBX] = 0x7000;
	done(&c, "480f0133");			/* REX.W: still 16 bits */
	assert_int_equal(c.cr0, (cr0 & ~0xfull) | (src & 0xf) | 1);
}

static void test_bad_instructions(void **state)
{
	struct x86emu_cpu c = cpu_long();

	(void)state;
	c.gpr[X86EMU_RBX] = 0x9000;
	/* LOCK on MOV, CMP, TEST, BT, a register destination, a string op: #UD. */
	fault(&c, "f08903", 6, -1);
	fault(&c, "f03903", 6, -1);
	fault(&c, "f08503", 6, -1);
	fault(&c, "f00fa303", 6, -1);
	fault(&c, "f001c3", 6, -1);
	fault(&c, "f0a4", 6, -1);
	/* LOCK on the lockable forms works. */
	put32(0x9000, 1);
	done(&c, "f00103");			/* lock add [rbx], eax */
	done(&c, "f0ff03");			/* lock inc dword [rbx] */
	assert_int_equal(get32(0x9000), 2);
	/* 16 bytes: #GP(0). */
	fault(&c, "6666666666666666666666666666668903", 13, 0);
	/* Not emulated: the CPU is left alone. */
	{
		struct x86emu_cpu before = c;

		assert_int_equal(run(&c, "0f0b"), X86EMU_UNSUPPORTED);		/* ud2 */
		assert_int_equal(run(&c, "f7e3"), X86EMU_UNSUPPORTED);		/* mul ebx */
		assert_int_equal(run(&c, "ff33"), X86EMU_UNSUPPORTED);		/* push [rbx] */
		assert_memory_equal(&c, &before, sizeof(c));
	}
	/* A data access to nothing: X86EMU_BUS. */
	c.gpr[X86EMU_RBX] = NO_GPA;
	{
		uint64_t rip = c.rip;

		assert_int_equal(run(&c, "8b03"), X86EMU_BUS);
		assert_int_equal(c.rip, rip);
	}
	/* Virtual-8086 mode is not emulated. */
	c = cpu_prot32();
	c.rflags |= 1ull << 17;
	assert_int_equal(run(&c, "8903"), X86EMU_UNSUPPORTED);
}

/*
 * Random bytes in every mode, registers pointing into RAM or MMIO: whatever
 * comes back, the state contract holds. UNSUPPORTED, BUS and a fault of a
 * non-REP instruction leave the CPU as it was; DONE advances RIP by exactly
 * the decoded length.
 */
static void test_random_bytes(void **state)
{
	static const int modes[] = { 16, 32, 64 };
	unsigned seen[5] = { 0 };

	(void)state;
	for (int i = 0; i < 30000; i++) {
		int mode = modes[i % 3];
		struct x86emu_cpu c = cpu_mode(mode), before;
		struct x86emu_insn in;
		enum x86emu_status st;
		uint8_t code[15];
		int dr;

		for (unsigned r = 0; r < 16; r++)
			c.gpr[r] = rnd() % 4 ? rnd() % (RAM_SIZE / 2) + 0x200000 / 2
					     : MMIO_GPA + rnd() % MMIO_SIZE;
		c.gpr[X86EMU_RCX] &= 0x3ff;		/* bounded REP counts */
		c.rflags = (rnd() & (F_ARITH | F_DF)) | 2;
		for (unsigned k = 0; k < 15; k++)
			code[k] = (uint8_t)rnd();
		if (rnd() % 2)				/* often a known opcode */
			code[rnd() % 3] = (uint8_t)(rnd() % 2 ? 0x89 : 0xa4 + rnd() % 12);
		memcpy(ram + code_at(&c), code, 15);
		before = c;
		nrec = 0;
		dr = x86emu_decode(code, 15, mode, &in);
		st = x86emu_step(&c, &ops, NULL, &ev);
		assert_true(st <= X86EMU_PARTIAL);
		seen[st]++;
		if (st == X86EMU_DONE) {
			uint64_t ipmask = mode == 16 ? 0xffff : mode == 32 ? 0xffffffff : ~0ull;

			assert_int_equal(dr, X86EMU_DEC_OK);
			assert_int_equal(c.rip, (before.rip + in.len) & ipmask);
		} else if (st == X86EMU_UNSUPPORTED ||
			   (dr == X86EMU_DEC_OK && !(in.kind >= X86EMU_K_MOVS && in.rep))) {
			if (st != X86EMU_PARTIAL)
				assert_memory_equal(&c, &before, sizeof(c));
		}
		if (st == X86EMU_UNSUPPORTED)
			assert_int_not_equal(dr, X86EMU_DEC_OK);
		if (mode == 64)
			build_pt();			/* random stores may hit the tables */
	}
	/* Each outcome happened. */
	assert_true(seen[X86EMU_DONE] && seen[X86EMU_EXCEPTION] && seen[X86EMU_UNSUPPORTED] &&
		    seen[X86EMU_BUS]);
}


/* ---- task switches (emu/x86task.c) ---- */

#define GDT	0x8000u
#define TSS_A	0x9000u		/* the running task's 32-bit TSS */
#define LDT	0xa000u
#define TSS_B	0xb000u		/* the new task's 32-bit TSS */
#define TSS_C	0xc000u		/* a 16-bit TSS */
#define PD32	0x300000u	/* 32-bit paging: PD, then one PT identity-mapping 0-4 MiB */
#define PT32	0x301000u

enum {
	S_CODE = 0x08, S_DATA = 0x10, S_TSS_A = 0x18, S_TSS_B = 0x20, S_LDT = 0x28,
	S_CODE3 = 0x33, S_DATA3 = 0x3b, S_TSS_C = 0x40, S_FRESH = 0x48, S_ABSENT = 0x50,
	S_SMALL = 0x58, S_CODE_L = 0x60, S_LDT_DATA3 = 0x0f, GDT_LIMIT = 0x67,
};

static void put_desc(unsigned sel, uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	uint32_t lo = (limit & 0xffff) | (base & 0xffff) << 16;
	uint32_t hi = ((base >> 16) & 0xff) | (uint32_t)access << 8 | (limit & 0xf0000) |
		      (uint32_t)flags << 20 | (base & 0xff000000u);

	put32(GDT + (sel & ~7u), lo);
	put32(GDT + (sel & ~7u) + 4, hi);
}

static uint8_t type_byte(unsigned sel)
{
	return ram[GDT + (sel & ~7u) + 5];
}

static uint16_t get16(uint64_t gpa)
{
	return (uint16_t)(ram[gpa] | ram[gpa + 1] << 8);
}

/* A 32-bit TSS image: EIP, EFLAGS, EAX.. EDI = base + 4 * n, ES CS SS DS FS GS, LDT, T. */
static void put_tss32(uint32_t at, uint32_t eip, uint32_t eflags, uint32_t reg_base,
		      const uint16_t sel[6], uint16_t ldt, bool trap)
{
	put32(at + 0x20, eip);
	put32(at + 0x24, eflags);
	for (unsigned r = 0; r < 8; r++)
		put32(at + 0x28 + 4 * r, reg_base + 4 * r);
	for (unsigned s = 0; s < 6; s++)
		put32(at + 0x48 + 4 * s, sel[s]);
	put32(at + 0x60, ldt);
	put32(at + 0x64, trap);
}

/* The GDT of these tests, and a CPU in task A (ring 0, flat 32-bit, paging off). */
static struct x86emu_cpu cpu_task(void)
{
	static const uint16_t flat[6] = { S_DATA, S_CODE, S_DATA, S_DATA, S_DATA, S_DATA };
	struct x86emu_cpu c = cpu_prot32();

	put_desc(S_CODE, 0, 0xfffff, 0x9b, 0xc);
	put_desc(S_DATA, 0, 0xfffff, 0x93, 0xc);
	put_desc(S_TSS_A, TSS_A, 0x67, 0x8b, 0);
	put_desc(S_TSS_B, TSS_B, 0x67, 0x89, 0);
	put_desc(S_LDT, LDT, 0xf, 0x82, 0);
	put_desc(S_CODE3, 0, 0xfffff, 0xfb, 0xc);
	put_desc(S_DATA3, 0, 0xfffff, 0xf3, 0xc);
	put_desc(S_TSS_C, TSS_C, 0x2b, 0x81, 0);
	put_desc(S_FRESH, 0x100000, 0xfffff, 0x92, 0xc);	/* accessed bit clear */
	put_desc(S_ABSENT, 0, 0xfffff, 0x13, 0xc);	/* not present */
	put_desc(S_SMALL, 0, 0xfff, 0x9b, 0x4);		/* code, limit 4 KiB - 1 */
	put32(LDT + 8, 0x0000ffff);			/* LDT entry 1: ring-3 data */
	put32(LDT + 12, 0x00cff300);
	put_tss32(TSS_B, 0x2000, 0x202, 0x100, flat, S_LDT, false);
	c.gdt_base = GDT;
	c.gdt_limit = GDT_LIMIT;
	c.tr = (struct x86emu_seg){ S_TSS_A, 0x8b, 0x67, TSS_A };
	c.ldtr = (struct x86emu_seg){ 0, 0, 0, 0 };
	for (unsigned r = 0; r < 8; r++)
		c.gpr[r] = 0x5000 + r;
	c.rip = 0x1234;
	c.rflags = 0x2 | F_ZF | F_PF;
	return c;
}

static enum x86emu_status task(struct x86emu_cpu *c, uint16_t sel, unsigned reason,
			       struct x86emu_task *t)
{
	*t = (struct x86emu_task){ .sel = sel, .reason = (uint8_t)reason };
	return x86emu_task_switch(c, &ops, NULL, t, &ev);
}

static void test_task_call_iret_jmp(void **state)
{
	struct x86emu_cpu c = cpu_task(), old = c;
	struct x86emu_task t;

	(void)state;
	put32(TSS_A + 0x48 + 4 * 4, 0xabcd0000u);	/* FS slot: bits 31:16 are left alone */
	assert_int_equal(task(&c, S_TSS_B, X86EMU_TASK_CALL, &t), X86EMU_DONE);
	assert_true(t.committed);
	assert_false(t.trap);
	/* The old task saved: EIP (past the CALL), EFLAGS, registers, selectors. */
	assert_int_equal(get32(TSS_A + 0x20), 0x1234);
	assert_int_equal(get32(TSS_A + 0x24), old.rflags);
	for (unsigned r = 0; r < 8; r++)
		assert_int_equal(get32(TSS_A + 0x28 + 4 * r), 0x5000 + r);
	assert_int_equal(get32(TSS_A + 0x4c), S_CODE);
	assert_int_equal(get32(TSS_A + 0x58), 0xabcd0000u | S_DATA);
	/* CALL: back link, the new TSS busy, the old one still busy, NT set. */
	assert_int_equal(get16(TSS_B), S_TSS_A);
	assert_int_equal(type_byte(S_TSS_B), 0x8b);
	assert_int_equal(type_byte(S_TSS_A), 0x8b);
	assert_int_equal(c.rflags, 0x202 | 0x4000);
	assert_int_equal(c.rip, 0x2000);
	for (unsigned r = 0; r < 8; r++)
		assert_int_equal(c.gpr[r], 0x100 + 4 * r);
	assert_int_equal(c.cr0, CR0_PE | 0x8);	/* TS */
	assert_int_equal(c.tr.sel, S_TSS_B);
	assert_int_equal(c.tr.attr, 0x8b);
	assert_int_equal(c.tr.base, TSS_B);
	assert_int_equal(c.ldtr.sel, S_LDT);
	assert_int_equal(c.ldtr.base, LDT);
	assert_int_equal(c.ldtr.limit, 0xf);
	assert_int_equal(c.ldtr.attr, 0x82);
	assert_int_equal(c.seg[X86EMU_CS].attr, ATTR_CODE32);
	assert_int_equal(c.seg[X86EMU_DS].limit, 0xffffffffu);
	assert_int_equal(c.cpl, 0);

	/* IRET back: NT cleared in the saved image, B freed, A's state restored. */
	c.gpr[X86EMU_RAX] = 0x77;
	c.rip = 0x2005;
	assert_int_equal(task(&c, S_TSS_A, X86EMU_TASK_IRET, &t), X86EMU_DONE);
	assert_int_equal(get32(TSS_B + 0x24), 0x202);
	assert_int_equal(get32(TSS_B + 0x20), 0x2005);
	assert_int_equal(get32(TSS_B + 0x28), 0x77);
	assert_int_equal(type_byte(S_TSS_B), 0x89);
	assert_int_equal(type_byte(S_TSS_A), 0x8b);
	assert_int_equal(c.rip, 0x1234);
	assert_int_equal(c.rflags, old.rflags);
	for (unsigned r = 0; r < 8; r++)
		assert_int_equal(c.gpr[r], 0x5000 + r);
	assert_int_equal(c.tr.sel, S_TSS_A);
	assert_int_equal(c.ldtr.attr, 0);	/* A's LDT slot is null */
	assert_int_equal(c.seg[X86EMU_FS].sel, S_DATA);

	/* JMP: A freed, B busy, no back link, NT as B's image has it. */
	ram[TSS_B] = ram[TSS_B + 1] = 0;
	assert_int_equal(task(&c, S_TSS_B, X86EMU_TASK_JMP, &t), X86EMU_DONE);
	assert_int_equal(type_byte(S_TSS_A), 0x89);
	assert_int_equal(type_byte(S_TSS_B), 0x8b);
	assert_int_equal(get16(TSS_B), 0);
	assert_int_equal(c.rflags, 0x202);
}


static void expect_fault(enum x86emu_status st, unsigned vector, uint32_t error)
{
	assert_int_equal(st, X86EMU_EXCEPTION);
	assert_int_equal(ev.vector, vector);
	assert_true(ev.has_error);
	assert_int_equal(ev.error, error);
}

/* 32-bit paging identity-mapping 0-4 MiB with 4 KiB pages, P|W. */
static void paging32(struct x86emu_cpu *c)
{
	put32(PD32, PT32 | PTE_P | PTE_W);
	for (uint32_t i = 0; i < 1024; i++)
		put32(PT32 + 4 * i, (i << 12) | PTE_P | PTE_W);
	c->cr0 |= CR0_PG | CR0_WP;
	c->cr3 = PD32;
}

/* Faults before the commit point: nothing changes, in the CPU or in memory. */
static void test_task_faults_before_commit(void **state)
{
	static uint8_t before[0x5000];
	struct x86emu_cpu c = cpu_task(), old;
	struct x86emu_task t;

	(void)state;
	paging32(&c);
	old = c;
	memcpy(before, ram + GDT, sizeof(before));
#define UNCHANGED() do { assert_false(t.committed); assert_memory_equal(&c, &old, sizeof(c)); \
			 assert_memory_equal(ram + GDT, before, sizeof(before)); } while (0)
	/* JMP to a busy TSS: #GP; IRET to a free one: #TS. */
	expect_fault(task(&c, S_TSS_A, X86EMU_TASK_JMP, &t), X86EMU_GP, S_TSS_A);
	UNCHANGED();
	expect_fault(task(&c, S_TSS_B, X86EMU_TASK_IRET, &t), X86EMU_TS, S_TSS_B);
	UNCHANGED();
	/* Not a TSS, beyond the GDT, in the LDT. */
	expect_fault(task(&c, S_DATA, X86EMU_TASK_CALL, &t), X86EMU_GP, S_DATA);
	UNCHANGED();
	expect_fault(task(&c, 0x70, X86EMU_TASK_GATE, &t), X86EMU_GP, 0x70);
	UNCHANGED();
	expect_fault(task(&c, S_TSS_B | 4, X86EMU_TASK_CALL, &t), X86EMU_GP, S_TSS_B | 4);
	UNCHANGED();
	/* Not present: #NP; a limit below 0x67: #TS. */
	ram[GDT + S_TSS_B + 5] = 0x09;
	memcpy(before, ram + GDT, sizeof(before));
	expect_fault(task(&c, S_TSS_B, X86EMU_TASK_CALL, &t), X86EMU_NP, S_TSS_B);
	UNCHANGED();
	put_desc(S_TSS_B, TSS_B, 0x66, 0x89, 0);
	memcpy(before, ram + GDT, sizeof(before));
	expect_fault(task(&c, S_TSS_B, X86EMU_TASK_CALL, &t), X86EMU_TS, S_TSS_B);
	UNCHANGED();
	put_desc(S_TSS_B, TSS_B, 0x67, 0x89, 0);
	memcpy(before, ram + GDT, sizeof(before));
	/* The new TSS's page not present: #PF at its base, before anything is written. */
	put32(PT32 + (TSS_B >> 12) * 4, TSS_B);
	expect_fault(task(&c, S_TSS_B, X86EMU_TASK_CALL, &t), X86EMU_PF, 0);
	assert_int_equal(ev.cr2, TSS_B);
	put32(PT32 + (TSS_B >> 12) * 4, TSS_B | PTE_P | PTE_W);
	old.cr3 = c.cr3;
	memcpy(before, ram + GDT, sizeof(before));
	/* The old TSS read-only (CR0.WP): #PF on the save, as a write. */
	put32(PT32 + (TSS_A >> 12) * 4, TSS_A | PTE_P);
	expect_fault(task(&c, S_TSS_B, X86EMU_TASK_CALL, &t), X86EMU_PF, X86EMU_PF_P | X86EMU_PF_W);
	assert_int_equal(ev.cr2, TSS_A + 0x20);
	/* The GDT read-only: the busy bit cannot be written (the PTEs' A/D bits aside). */
	put32(PT32 + (TSS_A >> 12) * 4, TSS_A | PTE_P | PTE_W);
	put32(PT32 + (GDT >> 12) * 4, GDT | PTE_P);
	memcpy(before, ram + GDT, sizeof(before));
	expect_fault(task(&c, S_TSS_B, X86EMU_TASK_JMP, &t), X86EMU_PF, X86EMU_PF_P | X86EMU_PF_W);
	UNCHANGED();
#undef UNCHANGED
	/* No task switch outside protected mode or in long mode. */
	c.cr0 = 0;
	assert_int_equal(task(&c, S_TSS_B, X86EMU_TASK_JMP, &t), X86EMU_UNSUPPORTED);
	c.cr0 = CR0_PE | CR0_PG;
	c.efer = EFER_LME | EFER_LMA;
	assert_int_equal(task(&c, S_TSS_B, X86EMU_TASK_JMP, &t), X86EMU_UNSUPPORTED);
}

/* B's selectors (ES CS SS DS FS GS) replaced, then a CALL to it. */
static enum x86emu_status call_b(struct x86emu_cpu *c, const uint16_t sel[6], uint16_t ldt,
				 struct x86emu_task *t)
{
	*c = cpu_task();
	put_tss32(TSS_B, 0x2000, 0x202, 0x100, sel, ldt, false);
	return task(c, S_TSS_B, X86EMU_TASK_CALL, t);
}

/* Faults after the commit point: the new task runs, with a state a CPU can enter. */
static void test_task_faults_after_commit(void **state)
{
	uint16_t sel[6] = { S_DATA, S_CODE, S_DATA, S_DATA, S_DATA, S_DATA };
	struct x86emu_cpu c, old = cpu_task();
	struct x86emu_task t;

	(void)state;
	/* CS a data segment: #TS(CS); CS and SS stay, the data segments are unusable. */
	sel[X86EMU_CS] = S_DATA;
	expect_fault(call_b(&c, sel, 0, &t), X86EMU_TS, S_DATA);
	assert_true(t.committed);
	assert_int_equal(c.rip, 0x2000);
	assert_int_equal(c.tr.sel, S_TSS_B);
	assert_int_equal(type_byte(S_TSS_B), 0x8b);
	assert_memory_equal(&c.seg[X86EMU_CS], &old.seg[X86EMU_CS], sizeof(c.seg[0]));
	assert_memory_equal(&c.seg[X86EMU_SS], &old.seg[X86EMU_SS], sizeof(c.seg[0]));
	assert_int_equal(c.seg[X86EMU_DS].attr, 0);
	assert_int_equal(c.seg[X86EMU_DS].sel, S_DATA);
	/* Ring-3 code with a ring-0 stack: #TS(SS), CS and SS both stay. */
	sel[X86EMU_CS] = S_CODE3;
	expect_fault(call_b(&c, sel, 0, &t), X86EMU_TS, S_DATA);
	assert_memory_equal(&c.seg[X86EMU_CS], &old.seg[X86EMU_CS], sizeof(c.seg[0]));
	assert_int_equal(c.cpl, 0);
	/* Ring 3 throughout, DS from the LDT: loaded; CPL 3. */
	sel[X86EMU_SS] = S_DATA3;
	sel[X86EMU_DS] = S_LDT_DATA3;
	sel[X86EMU_ES] = S_DATA3;
	sel[X86EMU_FS] = sel[X86EMU_GS] = 0;
	assert_int_equal(call_b(&c, sel, S_LDT, &t), X86EMU_DONE);
	assert_int_equal(c.cpl, 3);
	assert_int_equal(c.seg[X86EMU_CS].sel, S_CODE3);
	assert_int_equal(c.seg[X86EMU_DS].attr, 0xcf3);
	assert_int_equal(c.seg[X86EMU_FS].attr, 0);
	/* A ring-0 data segment for ring 3: #TS; ES and the rest unusable, DS loaded. */
	sel[X86EMU_ES] = S_DATA;
	expect_fault(call_b(&c, sel, S_LDT, &t), X86EMU_TS, S_DATA);
	assert_int_equal(c.seg[X86EMU_DS].attr, 0xcf3);
	assert_int_equal(c.seg[X86EMU_ES].attr, 0);
	assert_int_equal(c.cpl, 3);
	/* The LDT selector names a code segment: #TS(LDT); no segment loaded. */
	sel[X86EMU_ES] = S_DATA3;
	expect_fault(call_b(&c, sel, S_CODE, &t), X86EMU_TS, S_CODE);
	assert_int_equal(c.ldtr.attr, 0);
	assert_int_equal(c.cpl, 0);
	/* A data segment not present: #NP(sel); a stack not present: #SS(sel). */
	uint16_t ring0[6] = { S_DATA, S_CODE, S_DATA, S_ABSENT, S_DATA, S_DATA };
	expect_fault(call_b(&c, ring0, 0, &t), X86EMU_NP, S_ABSENT);
	ring0[X86EMU_DS] = S_DATA;
	ring0[X86EMU_SS] = S_ABSENT;
	expect_fault(call_b(&c, ring0, 0, &t), X86EMU_SS_FAULT, S_ABSENT);
	/* A null SS: #TS(0). A null CS: #TS(0). */
	ring0[X86EMU_SS] = 0;
	expect_fault(call_b(&c, ring0, 0, &t), X86EMU_TS, 0);
	ring0[X86EMU_SS] = S_DATA;
	ring0[X86EMU_CS] = 3;
	expect_fault(call_b(&c, ring0, 0, &t), X86EMU_TS, 0);
	/* The accessed bit is set where a loaded descriptor lacked it. */
	ring0[X86EMU_CS] = S_CODE;
	ring0[X86EMU_GS] = S_FRESH;
	assert_int_equal(call_b(&c, ring0, 0, &t), X86EMU_DONE);
	assert_int_equal(type_byte(S_FRESH), 0x93);
	assert_int_equal(c.seg[X86EMU_GS].attr, 0xc93);
	assert_int_equal(c.seg[X86EMU_GS].base, 0x100000);
	/* EIP beyond the CS limit: #GP(0) in the new task. */
	ring0[X86EMU_CS] = S_SMALL;
	expect_fault(call_b(&c, ring0, 0, &t), X86EMU_GP, 0);
	assert_int_equal(c.seg[X86EMU_CS].limit, 0xfff);
}

static void test_task_gate_trap_v86_tss16(void **state)
{
	static const uint16_t flat[6] = { S_DATA, S_CODE, S_DATA, S_DATA, S_DATA, S_DATA };
	struct x86emu_cpu c = cpu_task();
	struct x86emu_task t = { .sel = S_TSS_B, .reason = X86EMU_TASK_GATE, .has_error = true,
				 .error = 0x1234 };

	(void)state;
	/* An exception through a task gate: its error code on the new stack; T: a #DB due. */
	put_tss32(TSS_B, 0x2000, 0x2, 0x100, flat, 0, true);
	put32(TSS_B + 0x38, 0x7000);		/* ESP */
	assert_int_equal(x86emu_task_switch(&c, &ops, NULL, &t, &ev), X86EMU_DONE);
	assert_int_equal(get32(0x6ffc), 0x1234);
	assert_int_equal(c.gpr[X86EMU_RSP], 0x6ffc);
	assert_true(t.trap);
	assert_int_equal(c.rflags, 0x4002);	/* NT */
	assert_int_equal(get16(TSS_B), S_TSS_A);

	/* EFLAGS.VM: virtual-8086 segments, CPL 3; reserved EFLAGS bits dropped. */
	c = cpu_task();
	{
		static const uint16_t v86[6] = { 0x1000, 0x2000, 0x3000, 0x4000, 0x5000, 0x6000 };

		put_tss32(TSS_B, 0x10, 0xffc20000u | 0x20002, 0x100, v86, 0, false);
	}
	assert_int_equal(task(&c, S_TSS_B, X86EMU_TASK_JMP, &t), X86EMU_DONE);
	assert_int_equal(c.rflags, 0x20002);
	assert_int_equal(c.cpl, 3);
	for (unsigned s = 0; s < 6; s++) {
		assert_int_equal(c.seg[s].base, (s + 1) * 0x10000);
		assert_int_equal(c.seg[s].attr, 0xf3);
		assert_int_equal(c.seg[s].limit, 0xffff);
	}

	/* A 16-bit TSS: word registers with all-ones upper halves, FS and GS null, CR3 kept. */
	c = cpu_task();
	paging32(&c);
	put32(TSS_C + 0x0e, 0x0300);		/* IP */
	ram[TSS_C + 0x10] = 0x02;		/* FLAGS */
	for (unsigned r = 0; r < 8; r++) {
		ram[TSS_C + 0x12 + 2 * r] = (uint8_t)(0x40 + r);
		ram[TSS_C + 0x13 + 2 * r] = 0;
	}
	for (unsigned s = 0; s < 4; s++) {
		ram[TSS_C + 0x22 + 2 * s] = s == X86EMU_CS ? S_CODE : S_DATA;
		ram[TSS_C + 0x23 + 2 * s] = 0;
	}
	assert_int_equal(task(&c, S_TSS_C, X86EMU_TASK_CALL, &t), X86EMU_DONE);
	assert_int_equal(c.rip, 0x300);
	assert_int_equal(c.rflags, 0x4002);
	for (unsigned r = 0; r < 8; r++)
		assert_int_equal(c.gpr[r], 0xffff0040u + r);
	assert_int_equal(c.seg[X86EMU_FS].attr, 0);
	assert_int_equal(c.seg[X86EMU_GS].sel, 0);
	assert_int_equal(c.cr3, PD32);
	assert_int_equal(get16(TSS_C), S_TSS_A);
	assert_int_equal(type_byte(S_TSS_C), 0x83);
	/* And back with IRET: the 16-bit image saved from the 16-bit task. */
	c.gpr[X86EMU_RBX] = 0xbbbb;
	c.rip = 0x302;
	put32(TSS_A + 0x1c, PD32);		/* A's CR3, loaded on the way back */
	assert_int_equal(task(&c, S_TSS_A, X86EMU_TASK_IRET, &t), X86EMU_DONE);
	assert_int_equal(get16(TSS_C + 0x0e), 0x302);
	assert_int_equal(get16(TSS_C + 0x18), 0xbbbb);
	assert_int_equal(get16(TSS_C + 0x10), 0x2);	/* NT cleared */
	assert_int_equal(type_byte(S_TSS_C), 0x81);
	assert_int_equal(c.rip, 0x1234);
}

/* CR3 from the TSS under PAE paging: PDPTEs with reserved bits give #TS(0), CR3 stays. */
static void test_task_cr3(void **state)
{
	static const uint16_t flat[6] = { S_DATA, S_CODE, S_DATA, S_DATA, S_DATA, S_DATA };
	struct x86emu_cpu c = cpu_task();
	struct x86emu_task t;

	(void)state;
	/* PAE: PDPT at 0x200000 (entry 0 -> PD 0x201000, a 2 MiB page at 0). */
	put64(0x200000, 0x201000 | PTE_P);
	put64(0x201000, PTE_PS | PTE_P | PTE_W);
	put64(0x202000, 0x201000 | PTE_P | 0x2);	/* another PDPT: bit 1 is reserved */
	c.cr0 |= CR0_PG;
	c.cr4 = CR4_PAE;
	c.cr3 = 0x200000;
	put_tss32(TSS_B, 0x2000, 0x2, 0x100, flat, 0, false);
	put32(TSS_B + 0x1c, 0x202000);
	expect_fault(task(&c, S_TSS_B, X86EMU_TASK_JMP, &t), X86EMU_TS, 0);
	assert_true(t.committed);
	assert_int_equal(c.cr3, 0x200000);
	assert_int_equal(c.rip, 0x2000);
	/* A good one is loaded. */
	c = cpu_task();
	c.cr0 |= CR0_PG;
	c.cr4 = CR4_PAE;
	c.cr3 = 0x202000;		/* the walk does not check PDPTE reserved bits */
	put64(0x202000, 0x201000 | PTE_P);
	put64(0x203000, 0x201000 | PTE_P);
	put32(TSS_B + 0x1c, 0x203000);
	assert_int_equal(task(&c, S_TSS_B, X86EMU_TASK_JMP, &t), X86EMU_DONE);
	assert_int_equal(c.cr3, 0x203000);
	/* Paging off: CR3 is not loaded. */
	c = cpu_task();
	put32(TSS_B + 0x1c, 0x203000);
	assert_int_equal(task(&c, S_TSS_B, X86EMU_TASK_JMP, &t), X86EMU_DONE);
	assert_int_equal(c.cr3, 0);
}

/* SDM vol. 3A table 6-5. */
static void test_exception_merge(void **state)
{
	(void)state;
	assert_int_equal(x86emu_exception_merge(13, 11), X86EMU_DF);	/* contributory twice */
	assert_int_equal(x86emu_exception_merge(0, 10), X86EMU_DF);
	assert_int_equal(x86emu_exception_merge(13, 14), 14);		/* then #PF: serially */
	assert_int_equal(x86emu_exception_merge(14, 14), X86EMU_DF);
	assert_int_equal(x86emu_exception_merge(14, 12), X86EMU_DF);
	assert_int_equal(x86emu_exception_merge(14, 6), 6);		/* benign second */
	assert_int_equal(x86emu_exception_merge(3, 13), 13);		/* benign first */
	assert_int_equal(x86emu_exception_merge(2, 14), 14);
	assert_int_equal(x86emu_exception_merge(8, 13), -1);		/* during #DF: shutdown */
	assert_int_equal(x86emu_exception_merge(8, 14), -1);
	assert_int_equal(x86emu_exception_merge(8, 1), 1);
}


/* A state VM entry accepts (SDM vol. 3C 26.3.1.2) after a committed switch. */
static void check_enterable(const struct x86emu_cpu *c)
{
	const struct x86emu_seg *cs = &c->seg[X86EMU_CS], *ss = &c->seg[X86EMU_SS];
	unsigned cpl = c->cpl;

	assert_int_equal(c->rflags & ~0x3f7fd7ull, 0);
	assert_true(c->rflags & 2);
	assert_true(c->tr.attr == 0x8b || c->tr.attr == 0x83 ||
		    (c->tr.attr & 0xf7f) == 0x8b || (c->tr.attr & 0xf7f) == 0x83);
	assert_true(c->ldtr.attr == 0 || (c->ldtr.attr & 0x9f) == 0x82);
	if (c->rflags & 0x20000) {
		for (unsigned s = 0; s < 6; s++)
			assert_int_equal(c->seg[s].attr, 0xf3);
		assert_int_equal(cpl, 3);
		return;
	}
	assert_int_equal(cs->attr & 0x99, 0x99);	/* P, S, code, accessed */
	if (cs->attr & 4)
		assert_true(((cs->attr >> 5) & 3) <= cpl);
	else
		assert_int_equal((cs->attr >> 5) & 3, cpl);
	assert_int_equal(ss->attr & 0x9b, 0x93);	/* P, S, data, writable, accessed */
	assert_int_equal((ss->attr >> 5) & 3, cpl);
	for (unsigned s = 0; s < 6; s++) {
		unsigned a = c->seg[s].attr;

		if (s == X86EMU_CS || s == X86EMU_SS || !a)
			continue;
		assert_int_equal(a & 0x91, 0x91);
		assert_true(!(a & 8) || (a & 2));
	}
}

/* Random descriptors and TSS contents: never a state a CPU could not enter. */
static void test_task_random(void **state)
{
	static const uint16_t pick[] = { 0, S_CODE, S_DATA, S_TSS_A, S_TSS_B, S_LDT, S_CODE3,
					 S_DATA3, S_FRESH, S_ABSENT, S_SMALL, S_CODE_L, 0x0f, 0x0c,
					 0x68, 0xfff8 };
	unsigned seen_done = 0, seen_late = 0, seen_early = 0;

	(void)state;
	for (unsigned iter = 0; iter < 20000; iter++) {
		struct x86emu_cpu c = cpu_task(), before;
		struct x86emu_task t = { .reason = (uint8_t)(rnd() % 4) };
		enum x86emu_status st;

		/* Some random descriptors, a random new TSS (sometimes with sane selectors). */
		for (unsigned k = rnd() % 4; k; k--)
			put64(GDT + 8 * (1 + rnd() % (GDT_LIMIT / 8)), rnd());
		for (unsigned k = 0; k < 0x68; k += 8)
			put64(TSS_B + k, rnd());
		if (rnd() % 2) {	/* a sane task, some of its selectors then replaced */
			static const uint16_t flat[6] = { S_DATA, S_CODE, S_DATA, S_DATA, S_DATA, S_DATA };

			put_tss32(TSS_B, (uint32_t)rnd() % 0x10000, 2, 0, flat, 0, rnd() % 2);
			put32(TSS_B + 0x38, 0x7000);
		}
		for (unsigned sgi = 0; sgi < 6 && rnd() % 3 == 0; sgi++)
			put32(TSS_B + 0x48 + 4 * (rnd() % 6), (uint32_t)pick[rnd() % 16] | (uint32_t)(rnd() % 4));
		if (rnd() % 2)
			put32(TSS_B + 0x24, (uint32_t)rnd() & ~0x20000u);
		t.sel = (uint16_t)(rnd() % 3 ? S_TSS_B : pick[rnd() % 16]);
		if (t.reason == X86EMU_TASK_IRET && rnd() % 2)
			ram[GDT + S_TSS_B + 5] |= 2;
		t.has_error = rnd() % 2;
		t.error = (uint32_t)rnd();
		before = c;
		st = x86emu_task_switch(&c, &ops, NULL, &t, &ev);
		assert_true(st == X86EMU_DONE || st == X86EMU_EXCEPTION || st == X86EMU_BUS);
		if (st == X86EMU_BUS)	/* a base outside the fake RAM: the VM would be stopped */
			continue;
		if (t.committed) {
			check_enterable(&c);
			if (st == X86EMU_DONE)
				seen_done++;
			else
				seen_late++;
		} else {
			assert_int_equal(st, X86EMU_EXCEPTION);
			assert_memory_equal(&c, &before, sizeof(c));
			seen_early++;
		}
	}
	assert_true(seen_done > 100 && seen_late > 100 && seen_early > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_mov_store, reset),
		cmocka_unit_test_setup(test_mov_load, reset),
		cmocka_unit_test_setup(test_mov_imm, reset),
		cmocka_unit_test_setup(test_real_mode, reset),
		cmocka_unit_test_setup(test_alu_vs_host, reset),
		cmocka_unit_test_setup(test_unary_vs_host, reset),
		cmocka_unit_test_setup(test_bt, reset),
		cmocka_unit_test_setup(test_xchg_cmpxchg_xadd, reset),
		cmocka_unit_test_setup(test_movs_stos_lods, reset),
		cmocka_unit_test_setup(test_rep_budget, reset),
		cmocka_unit_test_setup(test_rep_addrsize, reset),
		cmocka_unit_test_setup(test_cmps_scas, reset),
		cmocka_unit_test_setup(test_ins_outs, reset),
		cmocka_unit_test_setup(test_in_out, reset),
		cmocka_unit_test_setup(test_page_faults, reset),
		cmocka_unit_test_setup(test_accessed_dirty, reset),
		cmocka_unit_test_setup(test_page_crossing, reset),
		cmocka_unit_test_setup(test_walk_legacy, reset),
		cmocka_unit_test_setup(test_segments, reset),
		cmocka_unit_test_setup(test_long_mode_addressing, reset),
		cmocka_unit_test_setup(test_smsw, reset),
		cmocka_unit_test_setup(test_lmsw, reset),
		cmocka_unit_test_setup(test_bad_instructions, reset),
		cmocka_unit_test_setup(test_random_bytes, reset),
		cmocka_unit_test_setup(test_task_call_iret_jmp, reset),
		cmocka_unit_test_setup(test_task_faults_before_commit, reset),
		cmocka_unit_test_setup(test_task_faults_after_commit, reset),
		cmocka_unit_test_setup(test_task_gate_trap_v86_tss16, reset),
		cmocka_unit_test_setup(test_task_cr3, reset),
		cmocka_unit_test_setup(test_exception_merge, reset),
		cmocka_unit_test_setup(test_task_random, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
