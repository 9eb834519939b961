// SPDX-License-Identifier: MIT
/*
 * insn.c - decoding control-register writes for CPUs without decode assists.
 *
 * AMD's decode assists (APM vol. 2 15.33) name the source register of an
 * intercepted MOV to CRn; QEMU's SVM has none, and none names the operand
 * of CLTS or LMSW, so the instruction is fetched from the guest and
 * decoded: legacy prefixes, an optional REX, then 0F 22 /r, 0F 06 or
 * 0F 01 /6 (SDM vol. 2B "MOV - Move to/from Control Registers", CLTS, LMSW).
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

bool x86_decode_cr_write(struct vcpu *v, bool long_mode, struct cr_write *w)
{
	uint64_t la = virt->get_reg(v, VREG_CS_BASE) + virt->get_reg(v, VREG_RIP);
	unsigned i = 0, rex = 0;
	uint8_t b, op2, modrm;

	/* Bytes are fetched one by one, only as far as decoding goes (the page may end). */
	w->lock = false;
	for (;; i++) {
		if (!fetch(v, la, i, &b))
			return false;
		if (b == 0xf0)
			w->lock = true;
		else if (!is_legacy_prefix(b))
			break;
	}
	if (long_mode && (b & 0xf0) == 0x40) {
		rex = b;
		if (!fetch(v, la, ++i, &b))
			return false;
	}
	if (b != 0x0f || !fetch(v, la, i + 1, &op2))
		return false;
	if (op2 == 0x06) {
		w->insn = CR_INSN_CLTS;
		w->len = i + 2;
		return true;
	}
	if ((op2 != 0x22 && op2 != 0x01) || !fetch(v, la, i + 2, &modrm))
		return false;
	w->gpr = (modrm & 7) | ((rex & 1) << 3);
	w->len = i + 3;
	if (op2 == 0x22) {
		/* MOV to CRn ignores the mod field: it always names a register (SDM vol. 2B). */
		w->insn = CR_INSN_MOV;
		w->cr = ((modrm >> 3) & 7) | ((rex & 4) << 1);
		return true;
	}
	w->insn = CR_INSN_LMSW;
	return (modrm & 0xc0) == 0xc0 && ((modrm >> 3) & 7) == 6;
}
