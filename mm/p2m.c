// SPDX-License-Identifier: MIT
/*
 * p2m.c - the generic nested page table walker (EPT and NPT alike).
 *
 * Everything here is format-neutral: table allocation, descent, splitting a
 * large leaf into 512 smaller ones, pruning tables that became empty, the
 * iterator and the counters. How an entry is encoded is asked of the
 * struct p2m_format hooks. Invariant: every table but the root holds at least
 * one present entry (unmap prunes, a failed map undoes its new tables).
 */
#include <string.h>

#include "mm/errno.h"
#include "mm/p2m.h"
#include "mm/plat.h"

#define ENTRIES 512
#define W_CREATE 1u	/* walk(): allocate missing tables */
#define W_SPLIT	 2u	/* walk(): split leaves above the target level */

/*
 * A guest-physical address, as the 4-level walk reads it (SDM 29.3.2,
 * APM 15.25.5: the same layout as x86-64 long-mode paging):
 *
 *   47        39 38        30 29        21 20        12 11          0
 *  +------------+------------+------------+------------+-------------+
 *  |  L4 index  |  L3 index  |  L2 index  |  L1 index  | page offset |
 *  +------------+------------+------------+------------+-------------+
 *     root/PML4      PDPT          PD           PT
 *                 1 GiB leaf   2 MiB leaf   4 KiB leaf
 *
 * Bits 63:48 must be zero. An entry at level l covers lsize(l) bytes.
 */
static inline int lshift(int l)
{
	return PAGE_SHIFT + 9 * (l - 1);
}

static inline uint64_t lsize(int l)
{
	return 1ull << lshift(l);
}

static inline unsigned lindex(uint64_t gpa, int l)
{
	return (unsigned)(gpa >> lshift(l)) & (ENTRIES - 1);
}

/*
 * Entries are shared with the hardware walker, which sets A/D bits behind
 * our back: read and write them whole, and change live leaves with
 * compare-and-swap so that a bit the CPU just set is not lost.
 */
static inline uint64_t ent_read(const uint64_t *e)
{
	return __atomic_load_n(e, __ATOMIC_RELAXED);
}

static inline void ent_write(uint64_t *e, uint64_t v)
{
	__atomic_store_n(e, v, __ATOMIC_RELEASE);
}

static inline bool ent_cas(uint64_t *e, uint64_t old, uint64_t v)
{
	return __atomic_compare_exchange_n(e, &old, v, false, __ATOMIC_ACQ_REL,
					   __ATOMIC_RELAXED);
}

static inline uint64_t *table_va(const struct p2m *p, uint64_t pa)
{
	return frame_va(p->fp, pa);
}

static inline bool present(const struct p2m *p, uint64_t e)
{
	return p->fmt->present(e);
}

static inline bool is_leaf(const struct p2m *p, uint64_t e, int l)
{
	return l == 1 || (e & p->fmt->large_bit);
}

/* entry_addr - the table or leaf address held in @e at level @l. */
static inline uint64_t entry_addr(const struct p2m *p, uint64_t e, int l,
				  bool leaf)
{
	uint64_t a = e & p->fmt->addr_mask;

	/* A large leaf's low address bits are other fields (NPT: PAT at bit 12). */
	return leaf ? a & ~(lsize(l) - 1) : a;
}

static uint64_t table_alloc(struct p2m *p)
{
	uint64_t pa = frame_alloc(p->fp, FRAME_HV, p->owner);

	if (!pa)
		return 0;
	memset(table_va(p, pa), 0, PAGE_SIZE);
	p->tables++;
	return pa;
}

static void table_free(struct p2m *p, uint64_t pa)
{
	BUG_ON(frame_put(p->fp, pa) != 0);
	p->tables--;
}

static bool table_empty(const struct p2m *p, const uint64_t *t)
{
	for (int i = 0; i < ENTRIES; i++)
		if (present(p, ent_read(&t[i])))
			return false;
	return true;
}

/* fill_leaf - decode the present leaf @e at level @l that holds @gpa. */
static void fill_leaf(const struct p2m *p, uint64_t e, int l, uint64_t gpa,
		      struct p2m_leaf *leaf)
{
	leaf->size = lsize(l);
	leaf->gpa = gpa & ~(leaf->size - 1);
	leaf->hpa = entry_addr(p, e, l, true);
	leaf->perms = p->fmt->perms(e);
	leaf->mt = p->fmt->mtype(e, l);
	leaf->accessed = p->fmt->accessed_bit && (e & p->fmt->accessed_bit);
	leaf->dirty = p->fmt->dirty_bit && (e & p->fmt->dirty_bit);
}

/*
 * split - replace the leaf *@e at level @l (2 or 3) by a table of 512 leaves
 * at level @l - 1 that map the same range with the same permissions, memory
 * type and A/D bits. Returns 0 or -SV_ENOMEM (nothing changed).
 */
static int split(struct p2m *p, uint64_t *e, int l)
{
	const struct p2m_format *f = p->fmt;
	uint64_t pa = table_alloc(p), old, hpa, ad;
	uint64_t *t;
	unsigned perms;
	enum p2m_mtype mt;

	if (!pa)
		return -SV_ENOMEM;
	t = table_va(p, pa);
	do {
		old = ent_read(e);
		hpa = entry_addr(p, old, l, true);
		perms = f->perms(old);
		mt = f->mtype(old, l);
		ad = old & (f->accessed_bit | f->dirty_bit);
		for (int i = 0; i < ENTRIES; i++)
			t[i] = f->make_leaf(hpa + i * lsize(l - 1), l - 1,
					    perms, mt) | ad;
	} while (!ent_cas(e, old, f->make_table(pa)));	/* the CPU set A/D meanwhile */
	p->leaves[l - 1]--;
	p->leaves[l - 2] += ENTRIES;
	return 0;
}

/*
 * find - the entry that decides @gpa: a leaf, or a non-present entry, at the
 * level stored in *@lvl. Never allocates. Returns a pointer into the table.
 */
static uint64_t *find(const struct p2m *p, uint64_t gpa, int *lvl)
{
	uint64_t *t = table_va(p, p->root_pa), *e, v;
	int l;

	for (l = P2M_LEVELS;; l--) {
		e = &t[lindex(gpa, l)];
		v = ent_read(e);
		if (!present(p, v) || is_leaf(p, v, l))
			break;
		t = table_va(p, entry_addr(p, v, l, false));
	}
	*lvl = l;
	return e;
}

/*
 * walk - descend to the entry for @gpa at @level. W_CREATE allocates missing
 * tables; W_SPLIT splits leaves above @level. @path[l] (levels 4 .. *@lvl)
 * records the entries passed. Returns the entry at *@lvl: @level, or a higher
 * level where the walk met a leaf or an empty entry it was not told to
 * change; NULL with *@err set (and *@lvl where it failed) when out of memory.
 */
static uint64_t *walk(struct p2m *p, uint64_t gpa, int level, unsigned flags,
		      uint64_t **path, int *lvl, int *err)
{
	uint64_t *t = table_va(p, p->root_pa), *e, v, pa;
	int l;

	for (l = P2M_LEVELS;; l--) {
		e = &t[lindex(gpa, l)];
		path[l] = e;
		*lvl = l;
		if (l == level)
			return e;
		v = ent_read(e);
		if (!present(p, v)) {
			if (!(flags & W_CREATE))
				return e;
			pa = table_alloc(p);
			if (!pa)
				goto err_nomem;
			v = p->fmt->make_table(pa);
			ent_write(e, v);
		} else if (is_leaf(p, v, l)) {
			if (!(flags & W_SPLIT))
				return e;
			if (split(p, e, l))
				goto err_nomem;
			v = ent_read(e);
		}
		t = table_va(p, entry_addr(p, v, l, false));
	}

err_nomem:
	*err = -SV_ENOMEM;
	return NULL;
}

/*
 * prune - free the tables on @path (filled from level 4 down to @level) that
 * hold no present entry any more, bottom-up; the root stays.
 */
static void prune(struct p2m *p, uint64_t **path, int level)
{
	for (int l = level + 1; l <= P2M_LEVELS; l++) {
		/* path[l] points at the table that holds path[l - 1]. */
		uint64_t v = ent_read(path[l]), pa = entry_addr(p, v, l, false);

		if (!table_empty(p, table_va(p, pa)))
			return;
		ent_write(path[l], 0);
		table_free(p, pa);
	}
}

static int check_perms(const struct p2m *p, unsigned perms)
{
	if (!perms || (perms & ~P2M_RWX))
		return -SV_EINVAL;
	if (!(p->fmt->perm_ok & (1u << perms)))
		return -SV_ENOTSUP;
	return 0;
}

static int check_gpa(uint64_t gpa)
{
	return gpa >> P2M_GPA_BITS ? -SV_ERANGE : 0;
}

/* size_level - the level of a leaf of @size, or -SV_EINVAL / -SV_ENOTSUP. */
static int size_level(const struct p2m *p, uint64_t size)
{
	for (int l = 1; l <= 3; l++)
		if (size == lsize(l))
			return l <= p->max_leaf ? l : -SV_ENOTSUP;
	return -SV_EINVAL;
}

static int check_hpa(const struct p2m *p, uint64_t hpa, int l)
{
	if (hpa & (lsize(l) - 1))
		return -SV_EINVAL;
	return hpa & ~p->fmt->addr_mask ? -SV_ERANGE : 0;
}

int p2m_init(struct p2m *p, const struct p2m_format *fmt,
	     struct frame_pool *fp, uint16_t owner, unsigned flags)
{
	memset(p, 0, sizeof(*p));
	p->fmt = fmt;
	p->fp = fp;
	p->owner = owner;
	p->max_leaf = fmt->leaf_1g && (flags & P2M_F_1G) ? 3 : 2;
	p->root_pa = table_alloc(p);
	return p->root_pa ? 0 : -SV_ENOMEM;
}

/* destroy_table - report the leaves under the level-@l table @pa, then free the tables. */
static void destroy_table(struct p2m *p, uint64_t pa, int l, uint64_t base,
			  p2m_leaf_fn release, void *arg)
{
	uint64_t *t = table_va(p, pa);

	for (int i = 0; i < ENTRIES; i++) {
		uint64_t v = ent_read(&t[i]), gpa = base + i * lsize(l);
		struct p2m_leaf leaf;

		if (!present(p, v))
			continue;
		if (!is_leaf(p, v, l)) {
			destroy_table(p, entry_addr(p, v, l, false), l - 1, gpa,
				      release, arg);
			continue;
		}
		p->leaves[l - 1]--;
		if (release) {
			fill_leaf(p, v, l, gpa, &leaf);
			release(arg, &leaf);
		}
	}
	table_free(p, pa);
}

void p2m_destroy(struct p2m *p, p2m_leaf_fn release, void *arg)
{
	if (!p->root_pa)
		return;
	destroy_table(p, p->root_pa, P2M_LEVELS, 0, release, arg);
	p->root_pa = 0;
	BUG_ON(p->tables != 0);
}

int p2m_map(struct p2m *p, uint64_t gpa, uint64_t hpa, uint64_t size,
	    unsigned perms, enum p2m_mtype mt)
{
	uint64_t *path[P2M_LEVELS + 1], *e;
	int l, at, rc;

	l = size_level(p, size);
	if (l < 0)
		return l;
	if ((rc = check_gpa(gpa)) || (rc = check_perms(p, perms)))
		return rc;
	if (gpa & (size - 1) || mt > P2M_MT_UC)
		return -SV_EINVAL;
	if ((rc = check_hpa(p, hpa, l)))
		return rc;

	e = walk(p, gpa, l, W_CREATE, path, &at, &rc);
	if (!e) {
		prune(p, path, at);	/* drop the tables made on the way */
		return rc;
	}
	if (at != l || present(p, ent_read(e)))
		return -SV_EEXIST;	/* a larger leaf, this leaf, or smaller ones */
	ent_write(e, p->fmt->make_leaf(hpa, l, perms, mt));
	p->leaves[l - 1]++;
	return 0;
}

int p2m_unmap(struct p2m *p, uint64_t gpa, uint64_t size, uint64_t *old_hpa)
{
	uint64_t *path[P2M_LEVELS + 1], *e, v;
	int l, at, rc;

	l = size_level(p, size);
	if (l == -SV_ENOTSUP)
		l = 3;	/* no 1 GiB leaf can exist: report ENOENT below */
	if (l < 0)
		return l;
	if ((rc = check_gpa(gpa)))
		return rc;
	if (gpa & (size - 1))
		return -SV_EINVAL;

	e = walk(p, gpa, l, W_SPLIT, path, &at, &rc);
	if (!e)
		return rc;
	v = ent_read(e);
	if (!present(p, v))
		return -SV_ENOENT;
	if (!is_leaf(p, v, at))
		return -SV_EINVAL;	/* mapped by smaller leaves */
	v = __atomic_exchange_n(e, 0, __ATOMIC_ACQ_REL);
	p->leaves[at - 1]--;
	if (old_hpa)
		*old_hpa = entry_addr(p, v, at, true);
	prune(p, path, at);
	return 0;
}

/*
 * leaf_4k - the level-1 entry of the mapped page at @gpa, splitting larger
 * leaves on the way. Returns it, or NULL with *@err (-SV_ENOENT, -SV_ENOMEM).
 */
static uint64_t *leaf_4k(struct p2m *p, uint64_t gpa, int *err)
{
	uint64_t *path[P2M_LEVELS + 1], *e;
	int at;

	e = walk(p, gpa, 1, W_SPLIT, path, &at, err);
	if (e && !present(p, ent_read(e))) {
		*err = -SV_ENOENT;
		return NULL;
	}
	return e;
}

int p2m_protect(struct p2m *p, uint64_t gpa, unsigned perms)
{
	uint64_t *e, v;
	int l, rc;

	if ((rc = check_gpa(gpa)) || (rc = check_perms(p, perms)))
		return rc;
	if (gpa & (PAGE_SIZE - 1))
		return -SV_EINVAL;
	e = find(p, gpa, &l);
	v = ent_read(e);
	if (!present(p, v))
		return -SV_ENOENT;
	if (p->fmt->perms(v) == perms)
		return 0;	/* nothing to do: do not split for it */
	e = leaf_4k(p, gpa, &rc);
	if (!e)
		return rc;
	do
		v = ent_read(e);
	while (!ent_cas(e, v, p->fmt->set_perms(v, perms)));
	return 0;
}

int p2m_remap(struct p2m *p, uint64_t gpa, uint64_t hpa, unsigned perms,
	      uint64_t *old_hpa)
{
	uint64_t *e, v;
	int rc;

	if ((rc = check_gpa(gpa)) || (rc = check_perms(p, perms)))
		return rc;
	if (gpa & (PAGE_SIZE - 1))
		return -SV_EINVAL;
	if ((rc = check_hpa(p, hpa, 1)))
		return rc;
	e = leaf_4k(p, gpa, &rc);
	if (!e)
		return rc;
	v = ent_read(e);
	v = __atomic_exchange_n(e, p->fmt->make_leaf(hpa, 1, perms,
						     p->fmt->mtype(v, 1)),
				__ATOMIC_ACQ_REL);
	if (old_hpa)
		*old_hpa = entry_addr(p, v, 1, true);
	return 0;
}

int p2m_lookup(const struct p2m *p, uint64_t gpa, uint64_t *hpa,
	       struct p2m_leaf *leaf)
{
	struct p2m_leaf tmp;
	uint64_t v;
	int l, rc;

	if (!p->root_pa)
		return -SV_ENOENT;	/* destroyed: nothing is mapped */
	if ((rc = check_gpa(gpa)))
		return rc;
	v = ent_read(find(p, gpa, &l));
	if (!present(p, v))
		return -SV_ENOENT;
	fill_leaf(p, v, l, gpa, leaf ? leaf : &tmp);
	if (hpa)
		*hpa = entry_addr(p, v, l, true) + (gpa & (lsize(l) - 1));
	return 0;
}

/*
 * ad_entry - the leaf entry holding @gpa and the bits of @which in its
 * format. Returns 0, or -SV_ENOTSUP / -SV_EINVAL / -SV_ERANGE / -SV_ENOENT.
 */
static int ad_entry(struct p2m *p, uint64_t gpa, unsigned which, uint64_t **e, uint64_t *mask)
{
	const struct p2m_format *f = p->fmt;
	int l, rc;

	if (!p2m_has_ad(p))
		return -SV_ENOTSUP;
	if (which & ~(P2M_ACCESSED | P2M_DIRTY))
		return -SV_EINVAL;
	if ((rc = check_gpa(gpa)))
		return rc;
	*e = find(p, gpa, &l);
	if (!present(p, ent_read(*e)))
		return -SV_ENOENT;
	*mask = ((which & P2M_ACCESSED) ? f->accessed_bit : 0) |
		((which & P2M_DIRTY) ? f->dirty_bit : 0);
	return 0;
}

int p2m_test_and_clear_ad(struct p2m *p, uint64_t gpa, unsigned which)
{
	uint64_t *e, mask, old;
	int rc = ad_entry(p, gpa, which, &e, &mask), got = 0;

	if (rc)
		return rc;
	old = __atomic_fetch_and(e, ~mask, __ATOMIC_ACQ_REL);
	if ((which & P2M_ACCESSED) && (old & p->fmt->accessed_bit))
		got |= P2M_ACCESSED;
	if ((which & P2M_DIRTY) && (old & p->fmt->dirty_bit))
		got |= P2M_DIRTY;
	return got;
}

int p2m_set_ad(struct p2m *p, uint64_t gpa, unsigned which)
{
	uint64_t *e, mask;
	int rc = ad_entry(p, gpa, which, &e, &mask);

	if (rc)
		return rc;
	__atomic_fetch_or(e, mask, __ATOMIC_ACQ_REL);
	return 0;
}

int p2m_test_and_clear_dirty(struct p2m *p, uint64_t gpa)
{
	int rc = p2m_test_and_clear_ad(p, gpa, P2M_DIRTY);

	return rc < 0 ? rc : rc != 0;
}

int p2m_test_and_clear_accessed(struct p2m *p, uint64_t gpa)
{
	int rc = p2m_test_and_clear_ad(p, gpa, P2M_ACCESSED);

	return rc < 0 ? rc : rc != 0;
}

int p2m_next(const struct p2m *p, uint64_t *cursor, uint64_t end,
	     struct p2m_leaf *leaf)
{
	uint64_t gpa = *cursor, v;
	int l;

	if (!p->root_pa)
		return -SV_ENOENT;	/* destroyed: nothing is mapped */
	if (end > 1ull << P2M_GPA_BITS)
		end = 1ull << P2M_GPA_BITS;
	while (gpa < end) {
		v = ent_read(find(p, gpa, &l));
		if (present(p, v)) {
			fill_leaf(p, v, l, gpa, leaf);
			*cursor = leaf->gpa + leaf->size;
			return 0;
		}
		gpa = (gpa | (lsize(l) - 1)) + 1;	/* skip the empty slot */
	}
	*cursor = gpa;
	return -SV_ENOENT;
}

int p2m_for_each(const struct p2m *p, uint64_t start, uint64_t end,
		 p2m_leaf_fn fn, void *arg)
{
	struct p2m_leaf leaf;
	uint64_t cursor = start;
	int rc;

	while (p2m_next(p, &cursor, end, &leaf) == 0)
		if ((rc = fn(arg, &leaf)))
			return rc;
	return 0;
}

/* check_table - count the level-@l table @pa and its subtree into @n[]; 0 or < 0. */
static int check_table(const struct p2m *p, uint64_t pa, int l, uint64_t *n)
{
	const uint64_t *t = table_va(p, pa);
	int rc, used = 0;

	n[0]++;
	for (int i = 0; i < ENTRIES; i++) {
		uint64_t v = ent_read(&t[i]);

		if (!present(p, v))
			continue;
		used++;
		if (!is_leaf(p, v, l)) {
			if (l == 1)
				return -1;
			if ((rc = check_table(p, entry_addr(p, v, l, false), l - 1, n)))
				return rc;
			continue;
		}
		if (l > p->max_leaf)
			return -2;	/* a leaf where none may be */
		if (v & p->fmt->addr_mask & (lsize(l) - 1))
			return -3;	/* misaligned, or NPT's large PAT bit set */
		if (!(p->fmt->perm_ok & (1u << p->fmt->perms(v))))
			return -4;
		n[l]++;
	}
	return used || l == P2M_LEVELS ? 0 : -5;	/* an empty table was left behind */
}

int p2m_check(const struct p2m *p)
{
	uint64_t n[P2M_LEVELS + 1] = { 0 };
	int rc = check_table(p, p->root_pa, P2M_LEVELS, n);

	if (rc)
		return rc;
	if (n[0] != p->tables)
		return -6;
	for (int l = 1; l <= P2M_LEVELS; l++)
		if (n[l] != p->leaves[l - 1])
			return -7;
	return 0;
}
