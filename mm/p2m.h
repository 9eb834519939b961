/* SPDX-License-Identifier: MIT */
/*
 * p2m.h - the guest-physical to machine map: one 4-level nested page table walker.
 *
 * A struct p2m is one VM's nested page table (Intel EPT or AMD NPT). The
 * walker in mm/p2m.c is generic: it allocates table frames from a frame
 * pool, descends, splits large leaves and counts; a const struct p2m_format
 * provided by arch/ says how an entry is encoded (arch/x86/vmx/ept.h,
 * arch/x86/svm/npt.h). The sharing code changes guest mappings only through
 * these functions and never touches EPT/NPT bits itself.
 *
 * TLBs: no function here flushes anything. After any change that removes or
 * narrows a translation (unmap, protect, remap, split, clearing A/D), the
 * caller must run the arch flush for this VM (INVEPT / ASID flush, through the
 * platform flush hook) before relying on the change, e.g. before re-reading a
 * page it just write-protected. Callers also serialise modifications of one
 * p2m (one lock per VM); the hardware walks concurrently, which is why entries
 * are written atomically and a new table is filled before it is linked.
 *
 * Leaf frames belong to the caller: the p2m never takes or drops references
 * on the frames it maps, only on its own table frames.
 */
#ifndef SV_MM_P2M_H
#define SV_MM_P2M_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/frame.h"

/* Permissions of a leaf, as a set (P2M_R | P2M_W | P2M_X). */
#define P2M_R	 1u
#define P2M_W	 2u
#define P2M_X	 4u
#define P2M_RW	 (P2M_R | P2M_W)
#define P2M_RX	 (P2M_R | P2M_X)
#define P2M_RWX	 (P2M_R | P2M_W | P2M_X)

/* Accessed and dirty, for p2m_test_and_clear_ad(). */
#define P2M_ACCESSED 1u
#define P2M_DIRTY    2u

/* Leaf sizes, and the walker's levels: 4 = root (PML4), 1 = 4 KiB table (PT). */
#define P2M_LEVELS	4
#define P2M_SIZE_4K	(1ull << 12)
#define P2M_SIZE_2M	(1ull << 21)
#define P2M_SIZE_1G	(1ull << 30)
#define P2M_GPA_BITS	48	/* 4-level walk: guest-physical addresses below 256 TiB */
#define P2M_HPA_BITS	52	/* architectural maximum of both formats */

/* p2m_init() flags. */
#define P2M_F_1G	1u	/* the CPU takes 1 GiB leaves in this format */

/* Memory types; the format translates them into its own encoding. */
enum p2m_mtype {
	P2M_MT_WB,		/* write-back: RAM */
	P2M_MT_UC,		/* uncacheable: MMIO */
};

/*
 * struct p2m_format - how one kind of nested page table encodes an entry.
 * Levels are numbered 1 (4 KiB leaf) to 4 (root); leaves exist at levels
 * 1, 2 (2 MiB) and 3 (1 GiB). Hooks are pure functions of their arguments.
 */
struct p2m_format {
	const char *name;
	uint64_t addr_mask;	/* physical address bits of an entry (51:12) */
	uint64_t large_bit;	/* set in a leaf at levels 2 and 3 (PS) */
	uint64_t accessed_bit;	/* in leaves; 0 when the format has no A/D bits */
	uint64_t dirty_bit;	/* in leaves; 0 when the format has no A/D bits */
	uint8_t perm_ok;	/* bit n set: permission set n can be expressed */
	bool leaf_1g;		/* the encoding has 1 GiB leaves (the CPU may not) */
	/* make_table - a non-leaf entry pointing at the table at @table_pa. */
	uint64_t (*make_table)(uint64_t table_pa);
	/* make_leaf - a leaf at @level (1..3) for @hpa; @perms is in perm_ok. */
	uint64_t (*make_leaf)(uint64_t hpa, int level, unsigned perms,
			      enum p2m_mtype mt);
	/* present - whether the hardware would use @e (leaf or table). */
	bool (*present)(uint64_t e);
	/* perms - the P2M_R/W/X set of the present leaf @e. */
	unsigned (*perms)(uint64_t e);
	/* set_perms - @e with its permissions replaced, every other bit kept. */
	uint64_t (*set_perms)(uint64_t e, unsigned perms);
	/* mtype - the memory type of the present leaf @e at @level. */
	enum p2m_mtype (*mtype)(uint64_t e, int level);
};

/* One VM's nested page table. Fields are read-only outside mm/p2m.c. */
struct p2m {
	const struct p2m_format *fmt;
	struct frame_pool *fp;	/* where table frames come from */
	uint64_t root_pa;	/* the level-4 table: EPTP / nCR3 address */
	uint16_t owner;		/* recorded in the table frames' metadata */
	int max_leaf;		/* 2, or 3 when 1 GiB leaves are allowed */
	uint64_t tables;	/* table frames in use, the root included */
	uint64_t leaves[P2M_LEVELS];	/* [l - 1]: leaves mapped at level l */
};

/* One mapped leaf, as reported by lookup, the iterator and destroy. */
struct p2m_leaf {
	uint64_t gpa;		/* first guest-physical address of the leaf */
	uint64_t hpa;		/* machine address it maps to */
	uint64_t size;		/* P2M_SIZE_4K, _2M or _1G */
	unsigned perms;		/* P2M_R | P2M_W | P2M_X */
	enum p2m_mtype mt;
	bool accessed;		/* A/D: false when the format has none */
	bool dirty;
};

/* p2m_leaf_fn - called per leaf; a non-zero return stops an iteration and is passed on. */
typedef int (*p2m_leaf_fn)(void *arg, const struct p2m_leaf *leaf);

/*
 * p2m_init - an empty map of format @fmt whose tables come from @fp.
 * @owner: recorded in the table frames' metadata. @flags: P2M_F_1G.
 * Returns 0, or -SV_ENOMEM when the root table cannot be allocated.
 */
int p2m_init(struct p2m *p, const struct p2m_format *fmt,
	     struct frame_pool *fp, uint16_t owner, unsigned flags);

/*
 * p2m_destroy - free every table frame. @release (may be NULL) sees each
 * mapped leaf first, so the caller can drop its leaf frames; its return value
 * is ignored. The p2m must not be used again before p2m_init.
 */
void p2m_destroy(struct p2m *p, p2m_leaf_fn release, void *arg);

/* p2m_root_pa - the root table's machine address, for the EPTP or nCR3. */
static inline uint64_t p2m_root_pa(const struct p2m *p)
{
	return p->root_pa;
}

/*
 * p2m_map - map [@gpa, @gpa + @size) to @hpa with @perms and memory type @mt.
 * @size is P2M_SIZE_4K, _2M or _1G; @gpa and @hpa are aligned to it.
 * Returns 0; -SV_EINVAL (bad size, misaligned, perms empty or unknown bits);
 * -SV_ERANGE (gpa beyond 48 bits, hpa beyond the format's address bits);
 * -SV_ENOTSUP (perms the format cannot express, 1 GiB not allowed);
 * -SV_EEXIST (some of the range is mapped: use p2m_remap to replace);
 * -SV_ENOMEM (no frame for a table; the map is unchanged).
 */
int p2m_map(struct p2m *p, uint64_t gpa, uint64_t hpa, uint64_t size,
	    unsigned perms, enum p2m_mtype mt);

/*
 * p2m_unmap - remove the mapping of [@gpa, @gpa + @size); a larger leaf
 * around it is split first. @old_hpa (may be NULL) receives what it mapped.
 * Returns 0; -SV_ENOENT (nothing mapped at @gpa); -SV_EINVAL (bad size or
 * alignment, or the range is mapped by smaller leaves: unmap those);
 * -SV_ERANGE; -SV_ENOMEM (a split failed).
 */
int p2m_unmap(struct p2m *p, uint64_t gpa, uint64_t size, uint64_t *old_hpa);

/*
 * p2m_protect - set the permissions of the 4 KiB page at @gpa, splitting a
 * large leaf around it unless it already has @perms. A/D bits are kept.
 * Returns 0, -SV_ENOENT, -SV_EINVAL, -SV_ENOTSUP, -SV_ERANGE or -SV_ENOMEM.
 */
int p2m_protect(struct p2m *p, uint64_t gpa, unsigned perms);

/*
 * p2m_remap - the explicit replace: point the mapped 4 KiB page at @gpa to
 * @hpa with @perms (splitting a large leaf around it), keeping its memory
 * type; A/D start clear. @old_hpa (may be NULL) receives the previous frame.
 * Returns 0, -SV_ENOENT (not mapped), -SV_EINVAL, -SV_ENOTSUP, -SV_ERANGE
 * or -SV_ENOMEM.
 */
int p2m_remap(struct p2m *p, uint64_t gpa, uint64_t hpa, unsigned perms,
	      uint64_t *old_hpa);

/*
 * p2m_lookup - translate @gpa. @hpa (may be NULL) receives the machine
 * address of the byte @gpa; @leaf (may be NULL) the whole leaf holding it.
 * Returns 0, -SV_ENOENT (unmapped) or -SV_ERANGE.
 */
int p2m_lookup(const struct p2m *p, uint64_t gpa, uint64_t *hpa,
	       struct p2m_leaf *leaf);

/*
 * p2m_test_and_clear_ad - clear the bits of @which (P2M_ACCESSED, P2M_DIRTY)
 * in the leaf holding @gpa (the whole leaf when it is large). Returns the
 * subset of @which that was set (>= 0), -SV_ENOENT, -SV_ERANGE, or
 * -SV_ENOTSUP when the format has no A/D bits.
 */
int p2m_test_and_clear_ad(struct p2m *p, uint64_t gpa, unsigned which);

/*
 * p2m_set_ad - set the bits of @which in the leaf holding @gpa, as the CPU
 * does on an access: for the hypervisor's own writes into guest memory and
 * for simulated guests on the host. Returns 0, -SV_ENOENT, -SV_ERANGE or
 * -SV_ENOTSUP (no A/D bits in this format).
 */
int p2m_set_ad(struct p2m *p, uint64_t gpa, unsigned which);

/* p2m_test_and_clear_dirty - 1 if the leaf at @gpa was written since the last call, 0 if not, or -SV_E*. */
int p2m_test_and_clear_dirty(struct p2m *p, uint64_t gpa);

/* p2m_test_and_clear_accessed - 1 if the leaf at @gpa was used since the last call, 0 if not, or -SV_E*. */
int p2m_test_and_clear_accessed(struct p2m *p, uint64_t gpa);

/* p2m_has_ad - whether this map's format has accessed/dirty bits. */
static inline bool p2m_has_ad(const struct p2m *p)
{
	return p->fmt->dirty_bit != 0;
}

/*
 * p2m_next - the first leaf that ends after *@cursor and starts below @end
 * (a large leaf may start before *@cursor). On success *@cursor moves past
 * it, so calling again continues the walk (a scanner keeps one cursor per
 * VM). Returns 0 with *@leaf filled, or -SV_ENOENT when none is left.
 */
int p2m_next(const struct p2m *p, uint64_t *cursor, uint64_t end,
	     struct p2m_leaf *leaf);

/*
 * p2m_for_each - call @fn for every leaf overlapping [@start, @end), in gpa
 * order. Returns 0, or the first non-zero value @fn returned. @fn must not
 * change the map.
 */
int p2m_for_each(const struct p2m *p, uint64_t start, uint64_t end,
		 p2m_leaf_fn fn, void *arg);

#endif
