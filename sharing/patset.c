// SPDX-License-Identifier: MIT
/*
 * patset.c - ordered, named pattern sets with reference-counted snapshots.
 *
 * Writers copy-on-write the entry array (see patset.h for the protocol);
 * readers match against an immutable snapshot. Matching is sample-first:
 * phase one runs every pattern's prefilter (a few words per pattern), phase
 * two runs full matches, in set order, only for the survivors.
 */
#include <string.h>

#include "mm/errno.h"
#include "mm/plat.h"
#include "sharing/pattern_int.h"
#include "sharing/patset.h"

static const char zero_re[] = "\\x00{4096}";

static struct sv_patset_snap *snap_alloc(uint32_t n)
{
	struct sv_patset_snap *s = plat_alloc(sizeof(*s) + n * sizeof(s->e[0]));

	if (s) {
		memset(s, 0, sizeof(*s) + n * sizeof(s->e[0]));
		s->refs = 1;
		s->n = n;
	}
	return s;
}

struct sv_patset_snap *sv_patset_acquire(struct sv_patset *set)
{
	__atomic_add_fetch(&set->cur->refs, 1, __ATOMIC_ACQUIRE);
	return set->cur;
}

void sv_patset_release(struct sv_patset_snap *snap)
{
	uint32_t i;

	if (!snap)
		return;
	BUG_ON(snap->refs == 0);
	if (__atomic_sub_fetch(&snap->refs, 1, __ATOMIC_RELEASE))
		return;
	for (i = 0; i < snap->n; i++)
		sv_pat_put(snap->e[i].pat);
	plat_free(snap);
}

/* publish - make @next current and drop the set's hold on the old snapshot. */
static void publish(struct sv_patset *set, struct sv_patset_snap *next)
{
	struct sv_patset_snap *old = set->cur;

	next->generation = old ? old->generation + 1 : 1;
	__atomic_store_n(&set->cur, next, __ATOMIC_RELEASE);
	sv_patset_release(old);
}

static bool name_ok(const char *name)
{
	size_t i, n = strnlen(name, SV_PATSET_NAME_MAX);

	if (n == 0 || n >= SV_PATSET_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

static int find_name(const struct sv_patset_snap *s, const char *name)
{
	uint32_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->e[i].name, name))
			return (int)i;
	return -1;
}

int sv_patset_add_pat(struct sv_patset *set, const char *name, struct sv_pat *pat, int pos)
{
	struct sv_patset_snap *old = set->cur, *next;
	uint32_t i, at;

	if (!name_ok(name) || sv_pat_id(pat) != 0)
		return -SV_EINVAL;
	if (find_name(old, name) >= 0)
		return -SV_EEXIST;
	if (old->n >= SV_PATSET_MAX)
		return -SV_ENOSPC;
	at = pos < 0 || (uint32_t)pos > old->n ? old->n : (uint32_t)pos;
	next = snap_alloc(old->n + 1);
	if (!next)
		return -SV_ENOMEM;
	for (i = 0; i < old->n; i++) {
		next->e[i < at ? i : i + 1] = old->e[i];
		sv_pat_get(old->e[i].pat);
	}
	memcpy(next->e[at].name, name, strlen(name) + 1);
	next->e[at].pat = sv_pat_get(pat);
	sv_pat_set_id(pat, ++set->next_id);
	publish(set, next);
	return (int)sv_pat_id(pat);
}

int sv_patset_add(struct sv_patset *set, const char *name, const char *re, size_t len,
		  int pos, struct sv_pat_error *err)
{
	struct sv_pat_info info;
	struct sv_pat *p;
	int ret;

	if (!name_ok(name))
		return pat_err(err, 0, "bad name: expected 1-%d of [A-Za-z0-9_.-]",
			       SV_PATSET_NAME_MAX - 1);
	if (find_name(set->cur, name) >= 0) {
		pat_err(err, SV_PAT_NOPOS, "the name is taken (see patterns)");
		return -SV_EEXIST;
	}
	if (set->cur->n >= SV_PATSET_MAX) {
		pat_err(err, SV_PAT_NOPOS, "the set is full (at most %d patterns)", SV_PATSET_MAX);
		return -SV_ENOSPC;
	}
	if ((ret = sv_pat_compile(re, len, set->lim, &p, err)))
		return ret;
	sv_pat_info(p, &info);
	if (info.analysed && info.empty) {
		sv_pat_put(p);
		return pat_err(err, SV_PAT_NOPOS, "it can never match: no 4096-byte page matches it "
			       "(a pattern is a whole page)");
	}
	ret = sv_patset_add_pat(set, name, p, pos);
	sv_pat_put(p);
	if (ret == -SV_ENOMEM)
		pat_err(err, SV_PAT_NOPOS, "out of memory");
	return ret;
}

int sv_patset_remove(struct sv_patset *set, const char *name)
{
	struct sv_patset_snap *old = set->cur, *next;
	int at = find_name(old, name);
	uint32_t i, j;

	if (at < 0)
		return -SV_ENOENT;
	next = snap_alloc(old->n - 1);
	if (!next)
		return -SV_ENOMEM;
	for (i = 0, j = 0; i < old->n; i++) {
		if ((int)i == at)
			continue;
		next->e[j++] = old->e[i];
		sv_pat_get(old->e[i].pat);
	}
	publish(set, next);
	return 0;
}

int sv_patset_init(struct sv_patset *set, bool defaults)
{
	struct sv_pat *rep;
	int ret;

	memset(set, 0, sizeof(*set));
	set->cur = snap_alloc(0);
	if (!set->cur)
		return -SV_ENOMEM;
	set->cur->generation = 1;
	if (!defaults)
		return 0;
	ret = sv_patset_add(set, "zero", zero_re, sizeof(zero_re) - 1, -1, NULL);
	if (ret < 0)
		goto err;
	if ((ret = sv_pat_new_periodic(&rep)))
		goto err;
	ret = sv_patset_add_pat(set, "repeat", rep, -1);
	sv_pat_put(rep);
	if (ret < 0)
		goto err;
	return 0;
err:
	sv_patset_destroy(set);
	return ret;
}

void sv_patset_destroy(struct sv_patset *set)
{
	sv_patset_release(set->cur);
	set->cur = NULL;
}

bool sv_patset_match(const struct sv_patset_snap *snap, const void *page, struct sv_pat_hit *hit)
{
	uint64_t pass = 0;
	uint32_t i;

	for (i = 0; i < snap->n; i++)
		if (pat_prefilter(snap->e[i].pat, page))
			pass |= 1ull << i;
	while (pass) {
		i = (uint32_t)__builtin_ctzll(pass);
		pass &= pass - 1;
		if (sv_pat_match(snap->e[i].pat, page, hit ? &hit->key : NULL)) {
			if (hit) {
				hit->index = i;
				hit->name = snap->e[i].name;
				hit->pat = snap->e[i].pat;
			}
			return true;
		}
	}
	return false;
}

const struct sv_patset_entry *sv_patset_find(const struct sv_patset_snap *snap, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < snap->n; i++)
		if (sv_pat_id(snap->e[i].pat) == id)
			return &snap->e[i];
	return NULL;
}

int sv_patset_regenerate(const struct sv_patset_snap *snap, const struct sv_pat_key *key, void *page)
{
	const struct sv_patset_entry *e = sv_patset_find(snap, key->id);

	return e ? sv_pat_regenerate(e->pat, key, page) : -SV_ENOENT;
}
