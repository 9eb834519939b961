/* SPDX-License-Identifier: MIT */
/*
 * patset.h - ordered, named pattern sets, matched first-hit, changed at run time.
 *
 * A set publishes immutable *snapshots*: an array of (name, pattern) entries
 * with a reference count. A matcher acquires the current snapshot, matches
 * any number of pages against it and releases it. Adding or removing a
 * pattern builds a new snapshot (taking a reference on every pattern it
 * keeps), makes it current and drops the set's reference on the old one;
 * the old snapshot, and any pattern only it held, is freed when its last
 * reader releases it. So a match in flight never sees a pattern vanish.
 *
 * Keys carry the pattern id the set assigned (never reused within a set), so
 * a key from a removed pattern is recognisably stale. Whoever keeps frames
 * keyed by a pattern holds a reference on the pattern (sv_pat_get) for as
 * long, and regenerates through it.
 *
 * Concurrency: there are no locks yet. Snapshot references use atomic
 * increments, but acquire() racing with a writer dropping the last set
 * reference needs a lock or a grace period once several CPUs use one set.
 */
#ifndef SV_SHARING_PATSET_H
#define SV_SHARING_PATSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sharing/pattern.h"

#define SV_PATSET_MAX		64	/* patterns per set */
#define SV_PATSET_NAME_MAX	32	/* bytes in a name, NUL included */
#define SV_PAT_NOPOS		((size_t)-1)	/* sv_pat_error.pos of an error about no byte of the regex */

struct sv_patset_entry {
	char name[SV_PATSET_NAME_MAX];
	struct sv_pat *pat;
};

struct sv_patset_snap {
	uint32_t refs;
	uint32_t n;
	uint64_t generation;		/* increases with every change of the set */
	struct sv_patset_entry e[];
};

struct sv_patset {
	struct sv_patset_snap *cur;
	uint32_t next_id;
	const struct sv_pat_limits *lim;	/* for sv_patset_add; NULL = defaults */
};

/* sv_pat_hit - a first-hit result: valid while the snapshot is held. */
struct sv_pat_hit {
	uint32_t index;			/* entry in the snapshot */
	const char *name;
	const struct sv_pat *pat;
	struct sv_pat_key key;
};

/*
 * sv_patset_init - an empty set, or with @defaults the default one: "zero"
 * (\x00{4096}) then "repeat" (the repeating-unit family). 0 or -SV_ENOMEM.
 */
int sv_patset_init(struct sv_patset *set, bool defaults);
/* sv_patset_destroy - drop the set's snapshot; readers still holding one keep it. */
void sv_patset_destroy(struct sv_patset *set);

/*
 * sv_patset_add - compile @re (@len bytes) and insert it as @name at @pos
 * (-1: at the end). Returns the new pattern's id (> 0), or a negative error
 * with @err filled (when not NULL): -SV_EINVAL for a syntax error, a bad
 * name or a pattern no 4096-byte page can match (pos SV_PAT_NOPOS), -SV_EEXIST
 * (the name is taken), -SV_ENOSPC (the set is full), -SV_E2BIG (over a
 * limit), -SV_ENOMEM; every message but the syntax errors' has pos SV_PAT_NOPOS.
 */
int sv_patset_add(struct sv_patset *set, const char *name, const char *re, size_t len,
		  int pos, struct sv_pat_error *err);
/* sv_patset_add_pat - insert @pat (its id must be 0; the set takes a reference). Id or negative. */
int sv_patset_add_pat(struct sv_patset *set, const char *name, struct sv_pat *pat, int pos);
/* sv_patset_remove - remove the pattern called @name; 0, -SV_ENOENT or -SV_ENOMEM. */
int sv_patset_remove(struct sv_patset *set, const char *name);

/* sv_patset_acquire - the current snapshot, with a reference the caller must release. */
struct sv_patset_snap *sv_patset_acquire(struct sv_patset *set);
/* sv_patset_release - drop a snapshot reference; the last frees it. */
void sv_patset_release(struct sv_patset_snap *snap);

/*
 * sv_patset_match - the first pattern of @snap matching @page, checked
 * sample-first: every pattern's prefilter runs before any full match.
 * Returns true and fills @hit, or false.
 */
bool sv_patset_match(const struct sv_patset_snap *snap, const void *page, struct sv_pat_hit *hit);

/* sv_patset_find - the entry with @id in @snap, or NULL. */
const struct sv_patset_entry *sv_patset_find(const struct sv_patset_snap *snap, uint32_t id);

/* sv_patset_regenerate - rebuild @page from @key via @snap; 0, -SV_ENOENT (stale id, or general pattern), -SV_EINVAL. */
int sv_patset_regenerate(const struct sv_patset_snap *snap, const struct sv_pat_key *key, void *page);

#endif
