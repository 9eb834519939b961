// SPDX-License-Identifier: MIT
/*
 * ept.c - the Intel EPT entry format (SDM vol. 3C, 29.3.2) for mm/p2m.
 *
 * EPT has its own entry layout: separate read, write and execute bits
 * (bits 2:0, any of them set makes an entry present), a memory type in each
 * leaf, and optional accessed/dirty bits. The walker in mm/p2m.c does the
 * rest; this file only encodes and decodes single entries.
 */
#include "arch/x86/vmx/ept.h"

#define EPT_RWX (EPT_R | EPT_W | EPT_X)

/*
 * Permission sets EPT can express without a misconfiguration (29.3.3.1,
 * "EPT Misconfigurations"):
 * write without read is never allowed, and execute-only needs
 * IA32_VMX_EPT_VPID_CAP[0], which we do not depend on. So: R, RW, RX, RWX.
 */
#define EPT_PERM_OK ((1u << P2M_R) | (1u << P2M_RW) | (1u << P2M_RX) | \
		     (1u << P2M_RWX))

static uint64_t ept_perm_bits(unsigned perms)
{
	return (perms & P2M_R ? EPT_R : 0) | (perms & P2M_W ? EPT_W : 0) |
	       (perms & P2M_X ? EPT_X : 0);
}

/*
 * ept_make_table - a non-leaf entry. An access is allowed only when every
 * entry on the way allows it (29.3.3.2, "EPT Violations"), so tables grant
 * RWX and leaves decide. Bits 7:3 of non-leaf entries are reserved or
 * ignored and stay 0.
 */
static uint64_t ept_make_table(uint64_t table_pa)
{
	return (table_pa & EPT_ADDR_MASK) | EPT_RWX;
}

/*
 * ept_make_leaf - a leaf: rights, memory type and, above level 1, bit 7.
 * IPAT stays clear ("EPT and Memory Typing"): the guest's PAT type is
 * combined with the EPT type, so a guest can still map its RAM uncacheable,
 * and UC in EPT wins over any PAT type for MMIO.
 */
static uint64_t ept_make_leaf(uint64_t hpa, int level, unsigned perms,
			      enum p2m_mtype mt)
{
	uint64_t mtype = mt == P2M_MT_UC ? EPT_MT_UC : EPT_MT_WB;

	return (hpa & EPT_ADDR_MASK) | ept_perm_bits(perms) |
	       (mtype << EPT_MT_SHIFT) | (level > 1 ? EPT_LARGE : 0);
}

/* ept_present - any of bits 2:0 set (29.3.2: "not present" means all three clear). */
static bool ept_present(uint64_t e)
{
	return (e & EPT_RWX) != 0;
}

static unsigned ept_perms(uint64_t e)
{
	return (e & EPT_R ? P2M_R : 0) | (e & EPT_W ? P2M_W : 0) |
	       (e & EPT_X ? P2M_X : 0);
}

static uint64_t ept_set_perms(uint64_t e, unsigned perms)
{
	return (e & ~EPT_RWX) | ept_perm_bits(perms);
}

/* ept_mtype - WB or UC; the other EPT types (WC, WT, WP) are never written. */
static enum p2m_mtype ept_mtype(uint64_t e, int level)
{
	(void)level;
	return ((e & EPT_MT_MASK) >> EPT_MT_SHIFT) == EPT_MT_WB ? P2M_MT_WB
								 : P2M_MT_UC;
}

const struct p2m_format ept_format = {
	.name = "ept",
	.addr_mask = EPT_ADDR_MASK,
	.large_bit = EPT_LARGE,
	.accessed_bit = 0,	/* bits 8/9 are ignored by the CPU when EPTP[6] = 0 */
	.dirty_bit = 0,
	.perm_ok = EPT_PERM_OK,
	.leaf_1g = true,	/* the CPU also needs IA32_VMX_EPT_VPID_CAP[17] */
	.make_table = ept_make_table,
	.make_leaf = ept_make_leaf,
	.present = ept_present,
	.perms = ept_perms,
	.set_perms = ept_set_perms,
	.mtype = ept_mtype,
};

const struct p2m_format ept_format_ad = {
	.name = "ept-ad",
	.addr_mask = EPT_ADDR_MASK,
	.large_bit = EPT_LARGE,
	.accessed_bit = EPT_A,	/* 29.3.4: set on any use of the entry */
	.dirty_bit = EPT_D,	/* 29.3.4: set on a write through the leaf */
	.perm_ok = EPT_PERM_OK,
	.leaf_1g = true,
	.make_table = ept_make_table,
	.make_leaf = ept_make_leaf,
	.present = ept_present,
	.perms = ept_perms,
	.set_perms = ept_set_perms,
	.mtype = ept_mtype,
};

uint64_t ept_eptp(const struct p2m_format *fmt, uint64_t root_pa)
{
	return (root_pa & EPT_ADDR_MASK) | EPTP_MT_WB | EPTP_WALK_4 |
	       (fmt->dirty_bit ? EPTP_AD : 0);
}
