/* SPDX-License-Identifier: MIT */
/*
 * x86priv.h - what the emulator's files share: the per-step context,
 * architectural bits, segmentation and the translated-access primitive.
 * Not for users of emu/ (they include x86emu.h).
 */
#ifndef SV_EMU_X86PRIV_H
#define SV_EMU_X86PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "emu/x86emu.h"

/* The few architectural bits emu/ needs (SDM vol. 3A 2.2, 2.5; vol. 1 3.4.3). */
#define EMU_CR0_PE	(1ull << 0)
#define EMU_CR0_WP	(1ull << 16)
#define EMU_CR0_PG	(1ull << 31)
#define EMU_CR4_PSE	(1ull << 4)
#define EMU_CR4_PAE	(1ull << 5)
#define EMU_CR4_UMIP	(1ull << 11)
#define EMU_CR4_SMEP	(1ull << 20)
#define EMU_CR4_SMAP	(1ull << 21)
#define EMU_EFER_LMA	(1ull << 10)
#define EMU_EFER_NXE	(1ull << 11)

#define EMU_CF		(1ull << 0)
#define EMU_PF		(1ull << 2)
#define EMU_AF		(1ull << 4)
#define EMU_ZF		(1ull << 6)
#define EMU_SF		(1ull << 7)
#define EMU_DF		(1ull << 10)
#define EMU_OF		(1ull << 11)
#define EMU_IOPL_SHIFT	12
#define EMU_AC		(1ull << 18)
#define EMU_VM		(1ull << 17)
#define EMU_ARITH	(EMU_CF | EMU_PF | EMU_AF | EMU_ZF | EMU_SF | EMU_OF)

/* Segment attribute bits (the VMCB layout of x86emu_seg.attr). */
#define EMU_SEG_TYPE	0x00f
#define EMU_SEG_P	0x080
#define EMU_SEG_DB	0x400

/* Internal results: 0, or one of these. */
#define EMU_EXC	1	/* *ev holds the exception */
#define EMU_BUS	2	/* a callback failed */

/* How an access uses memory. */
enum emu_acc { ACC_R, ACC_W, ACC_RW, ACC_X };

/* One step's context. cpu is the working copy x86emu_step commits. */
struct emu {
	struct x86emu_cpu *cpu;
	const struct x86emu_ops *ops;
	void *ctx;
	struct x86emu_event *ev;
	int mode;		/* code size: 16, 32, 64 */
};

/* A translated access: up to two physical pieces (a page crossing). */
struct emu_access {
	uint64_t gpa[2];
	unsigned len[2];
	unsigned n, size;
};

/* emu_fault - fill in *e->ev for vector/error; returns EMU_EXC. */
int emu_fault(struct emu *e, unsigned vector, bool has_error, uint32_t error);

/*
 * emu_linear - segmentation of offset off (already truncated to the address
 * size) for size bytes in segment seg: type and limit checks, or the
 * canonical check in 64-bit mode. Returns 0 with *la, or EMU_EXC.
 */
int emu_linear(struct emu *e, unsigned seg, uint64_t off, unsigned size, enum emu_acc acc,
	       uint64_t *la);

/*
 * emu_translate - the page walk for every page that [la, la+size) touches.
 * Returns 0 with *a filled in, EMU_EXC or EMU_BUS. Nothing is accessed yet
 * (only A/D bits are set), so an instruction can translate all its operands
 * before the first side effect.
 */
int emu_translate(struct emu *e, uint64_t la, unsigned size, enum emu_acc acc,
		  struct emu_access *a);

/* emu_prepare - emu_linear + emu_translate. */
int emu_prepare(struct emu *e, unsigned seg, uint64_t off, unsigned size, enum emu_acc acc,
		struct emu_access *a);

/* emu_load/emu_store - the accesses themselves (little-endian, size <= 8). */
int emu_load(struct emu *e, const struct emu_access *a, uint64_t *val);
int emu_store(struct emu *e, const struct emu_access *a, uint64_t val);

#endif
