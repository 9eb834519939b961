/* SPDX-License-Identifier: MIT */
/*
 * ept.h - the Intel EPT entry format for the generic p2m walker.
 *
 * Bits of EPT paging-structure entries (Intel SDM vol. 3C, 29.3.2, "EPT
 * Translation Mechanism", and its entry format tables) and of the EPT
 * pointer (25.6.11, "Extended-Page-Table Pointer (EPTP)"), plus two p2m
 * formats: ept_format when the EPTP leaves accessed/dirty flags off,
 * ept_format_ad when EPTP[6] turns them on (IA32_VMX_EPT_VPID_CAP[21] says
 * whether the CPU can). The VMX code picks one per VM from the capability.
 * Plain C data and small functions: it also builds on the host for tests.
 */
#ifndef SV_ARCH_X86_VMX_EPT_H
#define SV_ARCH_X86_VMX_EPT_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/p2m.h"

/* Entry bits (29.3.2). */
#define EPT_R		(1ull << 0)	/* read */
#define EPT_W		(1ull << 1)	/* write */
#define EPT_X		(1ull << 2)	/* execute (supervisor-mode only with MBEC, not used) */
#define EPT_MT_SHIFT	3		/* leaves: bits 5:3, EPT memory type */
#define EPT_MT_MASK	(7ull << EPT_MT_SHIFT)
#define EPT_IPAT	(1ull << 6)	/* leaves: ignore guest PAT */
#define EPT_LARGE	(1ull << 7)	/* PDPTE/PDE: maps a 1 GiB/2 MiB page */
#define EPT_A		(1ull << 8)	/* accessed, only when EPTP[6] enables A/D (29.3.4) */
#define EPT_D		(1ull << 9)	/* dirty (leaves), only when EPTP[6] enables A/D */
#define EPT_ADDR_MASK	0x000ffffffffff000ull	/* bits 51:12 */

/* EPT memory types ("EPT and Memory Typing"; encoded as for the MTRRs). */
#define EPT_MT_UC	0ull
#define EPT_MT_WB	6ull

/* EPT pointer (25.6.11): memory type of the structures, walk length - 1, A/D enable. */
#define EPTP_MT_WB	6ull		/* bits 2:0 */
#define EPTP_WALK_4	(3ull << 3)	/* bits 5:3: a 4-level walk */
#define EPTP_AD		(1ull << 6)	/* bit 6: accessed and dirty flags */

extern const struct p2m_format ept_format;	/* EPTP[6] = 0: no A/D */
extern const struct p2m_format ept_format_ad;	/* EPTP[6] = 1 */

/* ept_eptp - the EPT pointer for a map of format @fmt with its root at @root_pa. */
uint64_t ept_eptp(const struct p2m_format *fmt, uint64_t root_pa);

#endif
