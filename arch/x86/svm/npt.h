/* SPDX-License-Identifier: MIT */
/*
 * npt.h - the AMD nested page table (NPT) entry format for the generic p2m walker.
 *
 * A nested table is an ordinary x86-64 long-mode page table (AMD APM vol. 2,
 * 15.25, "Nested Paging"; entry layouts in 5.3, "Long-Mode Page
 * Translation"), walked with the host's CR4/EFER settings. The bits below
 * are those of the long-mode PML4E/PDPE/PDE/PTE; npt_format is the p2m
 * format built from them. Plain C: it also builds on the host for tests.
 */
#ifndef SV_ARCH_X86_SVM_NPT_H
#define SV_ARCH_X86_SVM_NPT_H

#include <stdint.h>

#include "mm/p2m.h"

#define NPT_P		(1ull << 0)	/* present; NPT reads are implied by it */
#define NPT_RW		(1ull << 1)	/* writable */
#define NPT_US		(1ull << 2)	/* user: required at every level, see npt.c */
#define NPT_PWT		(1ull << 3)	/* write-through (PAT index bit 0) */
#define NPT_PCD		(1ull << 4)	/* cache disable (PAT index bit 1) */
#define NPT_A		(1ull << 5)	/* accessed (APM 5.4.2) */
#define NPT_D		(1ull << 6)	/* dirty, leaves only (APM 5.4.2) */
#define NPT_PS		(1ull << 7)	/* PDPE/PDE: maps a 1 GiB / 2 MiB page */
#define NPT_PAT_LARGE	(1ull << 12)	/* PAT index bit 2 in a 1 GiB / 2 MiB leaf */
#define NPT_NX		(1ull << 63)	/* no execute; EFER.NXE is set by the hypervisor */
#define NPT_ADDR_MASK	0x000ffffffffff000ull	/* bits 51:12 */

extern const struct p2m_format npt_format;

/* npt_ncr3 - the VMCB nCR3 value for a map whose root table is at @root_pa. */
uint64_t npt_ncr3(uint64_t root_pa);

#endif
