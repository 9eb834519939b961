/* SPDX-License-Identifier: MIT */
/*
 * mtrr.h - a vCPU's memory-type range registers (SDM vol. 3A 12.11): the
 * capability MSR, the default type, 8 variable ranges and the 11 fixed-range
 * MSRs, checked as the CPU checks them (a reserved bit or memory type is
 * #GP) and kept per vCPU.
 *
 * They are recorded, not applied: guest memory is RAM mapped write-back in
 * the EPT/NPT, there is no device a guest could DMA to, and the guest's PAT
 * still applies, so the types an MTRR names change nothing (KVM does the
 * same without non-coherent DMA). Plain C, built on the host for
 * tests/unit/test_mtrr.c.
 */
#ifndef SV_KERNEL_MTRR_H
#define SV_KERNEL_MTRR_H

#include <stdbool.h>
#include <stdint.h>

#define MTRR_VAR_COUNT	8
#define MTRR_FIXED_MSRS	11

struct mtrr_state {
	uint64_t def_type;			/* IA32_MTRR_DEF_TYPE */
	uint64_t var[2 * MTRR_VAR_COUNT];	/* PHYSBASE0, PHYSMASK0, PHYSBASE1, ... */
	uint64_t fixed[MTRR_FIXED_MSRS];	/* FIX64K_00000, FIX16K_80000/A0000, FIX4K_C0000..F8000 */
};

/* MTRR memory types (SDM vol. 3A table 12-8); 2, 3 and 7 and up are reserved. */
#define MTRR_UC	0
#define MTRR_WB	6

/*
 * mtrr_reset - the state a PC BIOS leaves: MTRRs enabled with write-back as
 * the default type, fixed ranges off, and variable range 0 making the 3-4 GiB
 * hole (the local APIC, the I/O APIC) uncached, for a CPU with @maxphyaddr
 * address bits.
 */
void mtrr_reset(struct mtrr_state *m, unsigned maxphyaddr);

/* mtrr_is_msr - @msr is one of the MTRR MSRs mtrr_msr() handles. */
bool mtrr_is_msr(uint32_t msr);

/*
 * mtrr_msr - RDMSR (into *@val) or WRMSR (from *@val) of MTRR MSR @msr.
 * Returns false where the CPU gives #GP: a write to the read-only
 * capability MSR, a reserved bit (above @maxphyaddr too), a reserved type.
 */
bool mtrr_msr(struct mtrr_state *m, uint32_t msr, bool write, uint64_t *val, unsigned maxphyaddr);

#endif
