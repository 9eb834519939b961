/* SPDX-License-Identifier: MIT */
/* share_int.h - the sharing engine's internal structures (sharing/share*.c only). */
#ifndef SV_SHARING_SHARE_INT_H
#define SV_SHARING_SHARE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/errno.h"
#include "mm/frame.h"
#include "mm/p2m.h"
#include "sharing/hindex.h"
#include "sharing/patset.h"
#include "sharing/share.h"

/* Flags of a private (FRAME_GUEST) frame, in struct frame.flags. */
#define PF_HASHED	0x01	/* link[0] holds the hash of the content at the last scan */
#define PF_NOPAT	0x02	/* matched no pattern at the last scan */
#define PF_COWED	0x04	/* made by a COW break at full scan link[1] */
/* Flags of a pattern frame. */
#define PF_LOCAL	0x08	/* grouped by content (pattern does not determine it): in the VM's local index */
#define PF_WRITTEN	0x10	/* found written (dirty) at its last visit */

#define SHARE_RO	(P2M_R | P2M_X)
#define SHARE_RW	(P2M_R | P2M_W | P2M_X)

/* A pattern frame whose content a key determines: one per (VM, key). */
struct ptab_slot {
	struct sv_pat_key key;
	struct sv_pat *pat;	/* a reference: regenerates the content even if removed from the set */
	uint64_t pa;		/* 0: free slot */
};

struct ptab {
	struct frame_pool *fp;	/* each frame's link[0] follows its slot when slots move */
	struct ptab_slot *slot;
	uint32_t cap;		/* power of two, or 0 */
	uint32_t used;
};

struct share_domain {
	char name[SHARE_NAME_MAX];
	int nvms;
	struct hindex stable;	/* content frames: hash -> frame pa */
};

struct share_vm {
	uint16_t id;
	struct share_engine *e;
	struct share_domain *dom;
	struct p2m *p2m;
	uint64_t ranges[SHARE_MAX_RANGES][2];
	int nranges;
	int range;		/* the scanner's cursor: range index and gpa */
	uint64_t cursor;
	void (*flush)(void *ctx);
	void *ctx;
	struct ptab ptab;	/* key -> pattern frame */
	struct hindex local;	/* pattern frames grouped by content (non-determining patterns) */
	struct share_vm_stats st;
};

struct share_engine {
	struct frame_pool *fp;
	struct sv_patset *patterns;
	struct sv_patset_snap *snap;	/* held during one scan call */
	struct share_vm *vm[SHARE_MAX_VMS];
	int nvms;
	int cur;			/* the VM the scanner is in */
	struct share_domain *dom[SHARE_MAX_DOMAINS];
	struct hindex cand;		/* candidate pages: hash -> gpa, aux = VM id; rebuilt per full scan */
	struct hindex rmap;		/* reverse map entries: val = gpa, aux = VM id, chained per frame */
	uint32_t epoch;			/* full scans so far (low bits) */
	uint64_t pattern_gen;		/* generation of the pattern set last seen */
	uint32_t pattern_recheck_until;	/* ignore PF_NOPAT while epoch is below this */
	enum share_mode mode;
	share_hash_fn hash;
	uint64_t pass_volatile, pass_unshared;	/* this pass, published at its end */
	struct share_stats st;
};

static inline struct frame *fmeta(struct share_engine *e, uint64_t pa)
{
	return frame_meta(e->fp, pa);
}

static inline const void *fpage(struct share_engine *e, uint64_t pa)
{
	return frame_va(e->fp, pa);
}

/* share_vm_by_id - the VM with engine id @id, or NULL. */
struct share_vm *share_vm_by_id(struct share_engine *e, uint16_t id);

/* share_flush - @sv's cached translations must go (the platform callback). */
static inline void share_flush(struct share_vm *sv)
{
	if (sv->flush)
		sv->flush(sv->ctx);
}

/*
 * share_pat_count - adjust the page and frame counters of pattern @id by
 * @pages and @frames, and count a merge when @hit.
 */
void share_pat_count(struct share_engine *e, uint32_t id, int64_t pages, int64_t frames, bool hit);

/* Pattern key tables (share_ptab.c). */
struct ptab_slot *ptab_find(struct ptab *t, const struct sv_pat_key *key);
struct ptab_slot *ptab_insert(struct ptab *t, const struct sv_pat_key *key, struct sv_pat *pat,
			      uint64_t pa);
void ptab_remove(struct ptab *t, struct ptab_slot *s);
void ptab_free(struct ptab *t);
uint64_t ptab_bytes(const struct ptab *t);

/* Reverse map of content frames (share_rmap.c). */
int rmap_add(struct share_engine *e, uint64_t frame_pa, uint16_t vm, uint64_t gpa);
void rmap_del(struct share_engine *e, uint64_t frame_pa, uint16_t vm, uint64_t gpa);
uint32_t rmap_count(struct share_engine *e, uint64_t frame_pa);

/* Merges (share_merge.c): each returns 1 when the page was merged, 0 when not. */
int merge_pattern(struct share_engine *e, struct share_vm *sv, uint64_t gpa, uint64_t pa,
		  const struct sv_pat_hit *hit);
int merge_content(struct share_engine *e, struct share_vm *sv, uint64_t gpa, uint64_t pa,
		  uint32_t hash);

/* Leaving shared state (share_cow.c): the frame at @pa, last mapping gone or going private. */
void share_unlink_pattern(struct share_engine *e, struct share_vm *sv, uint64_t pa);
void share_unlink_content(struct share_engine *e, uint64_t pa);
/*
 * share_content_drop - the mapping (@vm, @gpa) of content frame @pa (which
 * has others) goes away; when one mapping is left, that page turns private
 * and writable again: a content frame always has two mappings or more.
 */
void share_content_drop(struct share_engine *e, uint64_t pa, uint16_t vm, uint64_t gpa);

#endif
