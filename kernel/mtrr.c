// SPDX-License-Identifier: MIT
/* mtrr.c - a vCPU's MTRRs, checked as the CPU checks them (see mtrr.h). */
#include "kernel/mtrr.h"
#include "kernel/x86def.h"

/* IA32_MTRRCAP: VCNT, FIX (fixed ranges), WC (write combining); no SMRR (SDM vol. 3A 12.11.1). */
#define MTRRCAP_VALUE	(MTRR_VAR_COUNT | X86_BIT(8) | X86_BIT(10))
#define DEF_TYPE_FE	X86_BIT(10)
#define DEF_TYPE_E	X86_BIT(11)
#define PHYSMASK_V	X86_BIT(11)

/* fixed_index - the slot of fixed-range MSR @msr in mtrr_state.fixed, or -1. */
static int fixed_index(uint32_t msr)
{
	if (msr == MSR_MTRR_FIX64K_00000)
		return 0;
	if (msr == MSR_MTRR_FIX16K_80000 || msr == MSR_MTRR_FIX16K_A0000)
		return 1 + (int)(msr - MSR_MTRR_FIX16K_80000);
	if (msr >= MSR_MTRR_FIX4K_C0000 && msr <= MSR_MTRR_FIX4K_F8000)
		return 3 + (int)(msr - MSR_MTRR_FIX4K_C0000);
	return -1;
}

static bool type_ok(unsigned t)
{
	return t == 0 || t == 1 || (t >= 4 && t <= 6);	/* UC, WC, WT, WP, WB */
}

static uint64_t above(unsigned maxphyaddr)
{
	return maxphyaddr >= 64 ? 0 : ~0ull << maxphyaddr;
}

void mtrr_reset(struct mtrr_state *m, unsigned maxphyaddr)
{
	*m = (struct mtrr_state){ .def_type = DEF_TYPE_E | MTRR_WB };
	/* 1 GiB at 3 GiB: the mask keeps address bits maxphyaddr-1..30 (SDM vol. 3A 12.11.2.3). */
	m->var[0] = 0xc0000000ull | MTRR_UC;
	m->var[1] = (~(0x40000000ull - 1) & ~above(maxphyaddr)) | PHYSMASK_V;
}

bool mtrr_is_msr(uint32_t msr)
{
	return msr == MSR_IA32_MTRRCAP || msr == MSR_IA32_MTRR_DEF_TYPE ||
	       (msr >= MSR_MTRR_PHYSBASE0 && msr < MSR_MTRR_PHYSBASE0 + 2 * MTRR_VAR_COUNT) ||
	       fixed_index(msr) >= 0;
}

bool mtrr_msr(struct mtrr_state *m, uint32_t msr, bool write, uint64_t *val, unsigned maxphyaddr)
{
	uint64_t *reg, v = *val;
	int fi = fixed_index(msr);

	if (msr == MSR_IA32_MTRRCAP) {
		*val = MTRRCAP_VALUE;
		return !write;
	}
	if (msr == MSR_IA32_MTRR_DEF_TYPE) {
		reg = &m->def_type;
		if (write && ((v & ~(0xffull | DEF_TYPE_FE | DEF_TYPE_E)) || !type_ok(v & 0xff)))
			return false;
	} else if (fi >= 0) {
		reg = &m->fixed[fi];
		for (int i = 0; write && i < 8; i++)
			if (!type_ok((unsigned)(v >> (8 * i)) & 0xff))
				return false;
	} else if (msr >= MSR_MTRR_PHYSBASE0 && msr < MSR_MTRR_PHYSBASE0 + 2 * MTRR_VAR_COUNT) {
		reg = &m->var[msr - MSR_MTRR_PHYSBASE0];
		if (write && (v & above(maxphyaddr)))
			return false;
		if (write && !(msr & 1) && ((v & 0xf00) || !type_ok(v & 0xff)))
			return false;		/* PHYSBASE: type 7:0, 11:8 reserved */
		if (write && (msr & 1) && (v & 0x7ff))
			return false;		/* PHYSMASK: 10:0 reserved, 11 valid */
	} else {
		return false;
	}
	if (write)
		*reg = v;
	else
		*val = *reg;
	return true;
}
