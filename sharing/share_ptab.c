// SPDX-License-Identifier: MIT
/*
 * share_ptab.c - per-VM table of pattern frames by key (open addressing).
 *
 * A VM has as many entries as distinct determining keys among its pages
 * (one for all its zero pages, one per repeating unit): small. Removal
 * re-inserts the rest of the probe run, so lookups never need tombstones.
 */
#include <string.h>

#include "mm/plat.h"
#include "sharing/share_int.h"

static uint32_t key_hash(const struct sv_pat_key *k)
{
	uint32_t h = 2166136261u ^ k->id;

	h = (h ^ k->unit_len) * 16777619u;
	for (unsigned i = 0; i < k->unit_len; i++)
		h = (h ^ k->unit[i]) * 16777619u;
	return h;
}

static bool key_eq(const struct sv_pat_key *a, const struct sv_pat_key *b)
{
	return a->id == b->id && a->unit_len == b->unit_len &&
	       !memcmp(a->unit, b->unit, a->unit_len);
}

struct ptab_slot *ptab_find(struct ptab *t, const struct sv_pat_key *key)
{
	if (!t->cap)
		return NULL;
	for (uint32_t i = key_hash(key) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		struct ptab_slot *s = &t->slot[i];

		if (!s->pa)
			return NULL;
		if (key_eq(&s->key, key))
			return s;
	}
}

static struct ptab_slot *place(struct ptab *t, const struct ptab_slot *src)
{
	uint32_t i = key_hash(&src->key) & (t->cap - 1);

	while (t->slot[i].pa)
		i = (i + 1) & (t->cap - 1);
	t->slot[i] = *src;
	frame_meta(t->fp, src->pa)->link[0] = i;
	return &t->slot[i];
}

static int grow(struct ptab *t)
{
	uint32_t cap = t->cap ? t->cap * 2 : 16;
	struct ptab_slot *old = t->slot;
	uint32_t ocap = t->cap;

	t->slot = plat_alloc((size_t)cap * sizeof(*t->slot));
	if (!t->slot) {
		t->slot = old;
		return -1;
	}
	memset(t->slot, 0, (size_t)cap * sizeof(*t->slot));
	t->cap = cap;
	for (uint32_t i = 0; i < ocap; i++)
		if (old[i].pa)
			place(t, &old[i]);
	plat_free(old);
	return 0;
}

struct ptab_slot *ptab_insert(struct ptab *t, const struct sv_pat_key *key, struct sv_pat *pat,
			      uint64_t pa)
{
	struct ptab_slot s;

	if ((t->used + 1) * 4 > t->cap * 3 && grow(t))
		return NULL;
	memset(&s, 0, sizeof(s));
	s.key = *key;
	s.pat = sv_pat_get(pat);
	s.pa = pa;
	t->used++;
	return place(t, &s);
}

void ptab_remove(struct ptab *t, struct ptab_slot *s)
{
	uint32_t i = (uint32_t)(s - t->slot);

	sv_pat_put(s->pat);
	memset(s, 0, sizeof(*s));
	t->used--;
	/* Re-place the rest of the probe run so no lookup stops early. */
	for (i = (i + 1) & (t->cap - 1); t->slot[i].pa; i = (i + 1) & (t->cap - 1)) {
		struct ptab_slot tmp = t->slot[i];

		memset(&t->slot[i], 0, sizeof(t->slot[i]));
		place(t, &tmp);
	}
}

void ptab_free(struct ptab *t)
{
	for (uint32_t i = 0; i < t->cap; i++)
		if (t->slot[i].pa)
			sv_pat_put(t->slot[i].pat);
	plat_free(t->slot);
	t->slot = NULL;
	t->cap = t->used = 0;
}

uint64_t ptab_bytes(const struct ptab *t)
{
	return (uint64_t)t->cap * sizeof(struct ptab_slot);
}
