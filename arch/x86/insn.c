// SPDX-License-Identifier: MIT
/*
 * insn.c - decoding MOV to CRn for CPUs without decode assists.
 *
 * AMD's decode assists (APM vol. 2 15.33) name the source register of an
 * intercepted CR write; QEMU's SVM has none, so the instruction is fetched
 * from the guest and decoded: legacy prefixes, an optional REX, 0F 22 /r
 * with mod = 11 (SDM vol. 2B "MOV - Move to/from Control Registers").
 */
#include "arch/x86/insn.h"
#include "kernel/gmem.h"
#include "kernel/vm.h"

uint64_t x86_gpr(const struct vcpu *v, unsigned idx, uint64_t rsp)
{
	const struct gpr *r = &v->regs;
	const uint64_t by_index[16] = {
		r->rax, r->rcx, r->rdx, r->rbx, rsp, r->rbp, r->rsi, r->rdi,
		r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15,
	};

	return by_index[idx & 15];
}

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

unsigned x86_decode_mov_to_cr(struct vcpu *v, int long_mode, unsigned *cr, unsigned *gpr)
{
	uint64_t la = virt->get_reg(v, VREG_CS_BASE) + virt->get_reg(v, VREG_RIP);
	unsigned i = 0, rex = 0;
	uint8_t b, op1, op2, modrm;

	/* Bytes are fetched one by one, only as far as decoding goes (the page may end). */
	for (;; i++) {
		if (!fetch(v, la, i, &b))
			return 0;
		if (!is_legacy_prefix(b))
			break;
	}
	if (long_mode && (b & 0xf0) == 0x40) {
		rex = b;
		if (!fetch(v, la, ++i, &b))
			return 0;
	}
	op1 = b;
	if (!fetch(v, la, i + 1, &op2) || !fetch(v, la, i + 2, &modrm))
		return 0;
	if (op1 != 0x0f || op2 != 0x22 || (modrm & 0xc0) != 0xc0)
		return 0;
	*gpr = (modrm & 7) | ((rex & 1) << 3);
	*cr = ((modrm >> 3) & 7) | ((rex & 4) << 1);
	return i + 3;
}
