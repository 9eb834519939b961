// SPDX-License-Identifier: MIT
/*
 * npt.c - the AMD NPT entry format (APM vol. 2, 15.25) for mm/p2m.
 *
 * NPT entries are long-mode page table entries, so the encoding differs
 * from EPT in three ways that matter to the walker's users:
 *
 * - Read is implied by P. There is no read bit: P2M_R alone becomes P=1,
 *   RW=0, NX=1 (read-only, no execute); P2M_W sets RW; P2M_X clears NX.
 *   NPT cannot express write-only, execute-only or write+execute without
 *   read: those sets are absent from perm_ok, so p2m_map() and
 *   p2m_protect() refuse them with -SV_ENOTSUP instead of granting reads.
 * - Every guest access through the nested table is a user access (APM
 *   15.25.5, "Nested Table Walk"), so U/S must be 1 at every level, tables
 *   included, or every access faults.
 * - NX only works with EFER.NXE=1 (APM 5.6, "No-Execute Page Protection"),
 *   which the hypervisor sets; with NXE=0 bit 63 would be reserved.
 *
 * A/D bits are always there (APM 5.4.2): the CPU sets A on use and D on a
 * write through a leaf, also during nested walks.
 */
#include "arch/x86/svm/npt.h"

/* Permission sets NPT can express: everything that includes read. */
#define NPT_PERM_OK ((1u << P2M_R) | (1u << P2M_RW) | (1u << P2M_RX) | \
		     (1u << P2M_RWX))

static uint64_t npt_perm_bits(unsigned perms)
{
	return NPT_P | (perms & P2M_W ? NPT_RW : 0) |
	       (perms & P2M_X ? 0 : NPT_NX);
}

/*
 * npt_make_table - a non-leaf entry: P, RW and US set and NX clear, so that
 * only the leaf decides (rights are combined over all levels, APM 5.6).
 */
static uint64_t npt_make_table(uint64_t table_pa)
{
	return (table_pa & NPT_ADDR_MASK) | NPT_P | NPT_RW | NPT_US;
}

/*
 * npt_make_leaf - a leaf. The memory type picks an entry of the host PAT
 * (APM 15.25.8, "Combining Memory Types, MTRRs"), which the hypervisor
 * keeps at its power-on value for entries 0 (WB) and 3 (UC): WB is
 * PAT=PCD=PWT=0, UC is PCD=PWT=1. The result is combined with the guest's
 * own type, so a guest can still make RAM uncacheable.
 */
static uint64_t npt_make_leaf(uint64_t hpa, int level, unsigned perms,
			      enum p2m_mtype mt)
{
	return (hpa & NPT_ADDR_MASK) | npt_perm_bits(perms) | NPT_US |
	       (mt == P2M_MT_UC ? NPT_PCD | NPT_PWT : 0) |
	       (level > 1 ? NPT_PS : 0);
}

static bool npt_present(uint64_t e)
{
	return (e & NPT_P) != 0;
}

static unsigned npt_perms(uint64_t e)
{
	return P2M_R | (e & NPT_RW ? P2M_W : 0) | (e & NPT_NX ? 0 : P2M_X);
}

static uint64_t npt_set_perms(uint64_t e, unsigned perms)
{
	return (e & ~(NPT_P | NPT_RW | NPT_NX)) | npt_perm_bits(perms);
}

/* npt_mtype - UC when PCD is set; we only ever write PAT index 0 or 3. */
static enum p2m_mtype npt_mtype(uint64_t e, int level)
{
	(void)level;	/* the PAT bit moves (bit 12 in large leaves) but stays 0 */
	return e & NPT_PCD ? P2M_MT_UC : P2M_MT_WB;
}

const struct p2m_format npt_format = {
	.name = "npt",
	.addr_mask = NPT_ADDR_MASK,
	.large_bit = NPT_PS,
	.accessed_bit = NPT_A,
	.dirty_bit = NPT_D,
	.perm_ok = NPT_PERM_OK,
	.leaf_1g = true,	/* the CPU also needs CPUID 8000_0001h EDX[26] */
	.make_table = npt_make_table,
	.make_leaf = npt_make_leaf,
	.present = npt_present,
	.perms = npt_perms,
	.set_perms = npt_set_perms,
	.mtype = npt_mtype,
};

/* npt_ncr3 - nCR3 holds the root's address; PWT/PCD stay 0 (WB table walks). */
uint64_t npt_ncr3(uint64_t root_pa)
{
	return root_pa & NPT_ADDR_MASK;
}
