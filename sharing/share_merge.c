// SPDX-License-Identifier: MIT
/*
 * share_merge.c - the merge protocol: write-protect, flush, re-verify, remap, release.
 *
 * Every function leaves the page exactly as it found it (private and
 * writable) when a step fails, and counts the abort.
 */
#include <string.h>

#include "mm/plat.h"
#include "sharing/share_int.h"

/* protect - write-protect the page at @gpa of @sv and drop cached translations. */
static int protect(struct share_vm *sv, uint64_t gpa)
{
	int rc = p2m_protect(sv->p2m, gpa, SHARE_RO);

	share_flush(sv);
	return rc;
}

/* still_maps - @gpa of @sv maps frame @pa read-only: no write came in between. */
static bool still_maps(struct share_vm *sv, uint64_t gpa, uint64_t pa)
{
	struct p2m_leaf leaf;
	uint64_t hpa;

	return !p2m_lookup(sv->p2m, gpa, &hpa, &leaf) && (hpa & PAGE_MASK) == pa &&
	       !(leaf.perms & P2M_W);
}

/* unprotect - give a private page its write permission back after an abort. */
static void unprotect(struct share_engine *e, struct share_vm *sv, uint64_t gpa, uint64_t pa)
{
	if (still_maps(sv, gpa, pa) && fmeta(e, pa)->kind == FRAME_GUEST)
		p2m_protect(sv->p2m, gpa, SHARE_RW);
	e->st.merge_aborts++;
}

/* remap_to - point @gpa of @sv at shared frame @shared (read-only) and release its old frame @old. */
static int remap_to(struct share_engine *e, struct share_vm *sv, uint64_t gpa, uint64_t old,
		    uint64_t shared)
{
	if (p2m_remap(sv->p2m, gpa, shared, SHARE_RO, NULL))
		return -1;
	share_flush(sv);
	frame_get(e->fp, shared);
	frame_put(e->fp, old);
	e->st.merges++;
	sv->st.merges++;
	return 0;
}

static bool key_eq(const struct sv_pat_key *a, const struct sv_pat_key *b)
{
	return a->id == b->id && a->unit_len == b->unit_len &&
	       !memcmp(a->unit, b->unit, a->unit_len);
}

static void count_pattern_page(struct share_engine *e, struct share_vm *sv, uint32_t id)
{
	sv->st.pattern_pages++;
	e->st.pattern_pages++;
	share_pat_count(e, id, 1, 0, true);
}

/* new_pattern_frame - private frame @pa (mapped read-only at @gpa) becomes a pattern frame of @sv. */
static void new_pattern_frame(struct share_engine *e, struct share_vm *sv, uint64_t pa,
			      uint32_t link0, uint32_t id, uint8_t flags)
{
	struct frame *f = fmeta(e, pa);

	frame_set_kind(e->fp, pa, FRAME_PATTERN);
	f->owner = sv->id;
	f->flags = flags;
	f->link[0] = link0;
	f->link[1] = id;
	sv->st.pattern_frames++;
	e->st.pattern_frames++;
	share_pat_count(e, id, 0, 1, false);
	count_pattern_page(e, sv, id);
}

int merge_pattern(struct share_engine *e, struct share_vm *sv, uint64_t gpa, uint64_t pa,
		  const struct sv_pat_hit *hit)
{
	struct sv_pat *pat = (struct sv_pat *)hit->pat;
	struct sv_pat_info info;
	struct sv_pat_key again;

	sv_pat_info(pat, &info);
	if (protect(sv, gpa))
		return 0;
	/* Re-verify under write protection: the same pattern still gives the same key. */
	if (!still_maps(sv, gpa, pa) || !sv_pat_match(pat, fpage(e, pa), &again) ||
	    !key_eq(&again, &hit->key)) {
		unprotect(e, sv, gpa, pa);
		return 0;
	}
	if (info.kind != SV_PAT_DFA) {
		/* The key determines the content: no compare, one frame per key. */
		struct ptab_slot *s = ptab_find(&sv->ptab, &hit->key);

		if (s) {
			if (remap_to(e, sv, gpa, pa, s->pa)) {
				unprotect(e, sv, gpa, pa);
				return 0;
			}
			count_pattern_page(e, sv, hit->key.id);
			return 1;
		}
		s = ptab_insert(&sv->ptab, &hit->key, pat, pa);
		if (!s) {
			unprotect(e, sv, gpa, pa);
			return 0;
		}
		new_pattern_frame(e, sv, pa, fmeta(e, pa)->link[0], hit->key.id, 0);
		e->st.merges++;
		sv->st.merges++;
		return 1;
	}
	/* A pattern that admits many pages: group by content inside this VM. */
	uint32_t h = e->hash(fpage(e, pa)), id;

	e->st.pages_hashed++;
	for (id = hidx_first(&sv->local, h); id != HIDX_NONE; id = hidx_next(&sv->local, id)) {
		uint64_t spa = hnode_val(hidx_node(&sv->local, id));

		if (memcmp(fpage(e, spa), fpage(e, pa), PAGE_SIZE)) {
			e->st.hash_collisions++;
			continue;
		}
		if (remap_to(e, sv, gpa, pa, spa))
			break;
		count_pattern_page(e, sv, fmeta(e, spa)->link[1]);
		return 1;
	}
	if (id == HIDX_NONE) {
		id = hidx_insert(&sv->local, h, pa, 0);
		if (id != HIDX_NONE) {
			new_pattern_frame(e, sv, pa, id, hit->key.id, PF_LOCAL);
			e->st.merges++;
			sv->st.merges++;
			return 1;
		}
	}
	unprotect(e, sv, gpa, pa);
	return 0;
}

/* merge_into - merge private page @gpa (frame @pa) of @sv into content frame @spa. */
static int merge_into(struct share_engine *e, struct share_vm *sv, uint64_t gpa, uint64_t pa,
		      uint64_t spa)
{
	if (protect(sv, gpa))
		return 0;
	if (!still_maps(sv, gpa, pa) || memcmp(fpage(e, spa), fpage(e, pa), PAGE_SIZE) ||
	    rmap_add(e, spa, sv->id, gpa)) {
		unprotect(e, sv, gpa, pa);
		return 0;
	}
	if (remap_to(e, sv, gpa, pa, spa)) {
		rmap_del(e, spa, sv->id, gpa);
		unprotect(e, sv, gpa, pa);
		return 0;
	}
	sv->st.content_pages++;
	e->st.pages_sharing++;
	return 1;
}

/*
 * promote - candidate page @cgpa (frame @cpa) of @cv becomes a content frame
 * in @sv's domain with hash @h, in place. Returns 0 or -1 (nothing changed).
 */
static int promote(struct share_engine *e, struct share_vm *cv, uint64_t cgpa, uint64_t cpa,
		   uint32_t h)
{
	struct frame *f = fmeta(e, cpa);
	uint32_t node;
	int d;

	for (d = 0; d < SHARE_MAX_DOMAINS && e->dom[d] != cv->dom; d++)
		;
	node = hidx_insert(&cv->dom->stable, h, cpa, 0);
	if (node == HIDX_NONE)
		return -1;
	frame_set_kind(e->fp, cpa, FRAME_CONTENT);
	f->owner = (uint16_t)d;
	f->flags = 0;
	f->link[0] = HIDX_NONE;
	f->link[1] = node;
	e->st.pages_shared++;
	if (rmap_add(e, cpa, cv->id, cgpa)) {
		share_unlink_content(e, cpa);
		frame_set_kind(e->fp, cpa, FRAME_GUEST);
		f->owner = cv->id;
		return -1;
	}
	cv->st.content_pages++;
	return 0;
}

/* merge_pair - two private pages with equal content become one content frame (the candidate's). */
static int merge_pair(struct share_engine *e, struct share_vm *cv, uint64_t cgpa, uint64_t cpa,
		      struct share_vm *sv, uint64_t gpa, uint64_t pa, uint32_t h)
{
	if (protect(cv, cgpa))
		return 0;
	if (!still_maps(cv, cgpa, cpa) || memcmp(fpage(e, cpa), fpage(e, pa), PAGE_SIZE) ||
	    promote(e, cv, cgpa, cpa, h)) {
		unprotect(e, cv, cgpa, cpa);
		return 0;
	}
	if (merge_into(e, sv, gpa, pa, cpa)) {
		e->st.merges++;
		cv->st.merges++;
		return 1;
	}
	/* The second page did not follow: the candidate is private and writable again. */
	share_unlink_content(e, cpa);
	frame_set_kind(e->fp, cpa, FRAME_GUEST);
	fmeta(e, cpa)->owner = cv->id;
	fmeta(e, cpa)->link[0] = fmeta(e, cpa)->link[1] = HIDX_NONE;
	cv->st.content_pages--;
	p2m_protect(cv->p2m, cgpa, SHARE_RW);
	share_flush(cv);
	return 0;
}

int merge_content(struct share_engine *e, struct share_vm *sv, uint64_t gpa, uint64_t pa,
		  uint32_t h)
{
	const void *page = fpage(e, pa);
	uint32_t id, next;

	/* 1. An existing content frame of this domain with the same bytes and room for one more. */
	for (id = hidx_first(&sv->dom->stable, h); id != HIDX_NONE;
	     id = hidx_next(&sv->dom->stable, id)) {
		uint64_t spa = hnode_val(hidx_node(&sv->dom->stable, id));

		if (fmeta(e, spa)->refcount >= SHARE_MAX_SHARING)
			continue;	/* full: its reverse map stays bounded */
		if (memcmp(fpage(e, spa), page, PAGE_SIZE)) {
			e->st.hash_collisions++;
			continue;
		}
		return merge_into(e, sv, gpa, pa, spa);
	}
	/* 2. A candidate of this full scan with the same bytes, in the same domain. */
	for (id = hidx_first(&e->cand, h); id != HIDX_NONE; id = next) {
		struct hnode *n = hidx_node(&e->cand, id);
		struct share_vm *cv = share_vm_by_id(e, (uint16_t)n->aux);
		uint64_t cgpa = hnode_val(n), cpa;

		next = hidx_next(&e->cand, id);
		if (!cv || cv->dom != sv->dom || (cv == sv && cgpa == gpa))
			continue;
		if (p2m_lookup(cv->p2m, cgpa, &cpa, NULL) ||
		    fmeta(e, cpa & PAGE_MASK)->kind != FRAME_GUEST) {
			hidx_remove(&e->cand, id);	/* gone or merged meanwhile */
			continue;
		}
		cpa &= PAGE_MASK;
		if (memcmp(fpage(e, cpa), page, PAGE_SIZE)) {
			/* Rewritten since it was hashed (a stale candidate), or a true collision. */
			e->st.pages_hashed++;
			if (e->hash(fpage(e, cpa)) != h) {
				hidx_remove(&e->cand, id);
				continue;
			}
			e->st.hash_collisions++;
			continue;
		}
		hidx_remove(&e->cand, id);
		return merge_pair(e, cv, cgpa, cpa, sv, gpa, pa, h);
	}
	/* 3. Unique for now: a candidate for the pages still to come. */
	hidx_insert(&e->cand, h, gpa, sv->id);
	e->pass_unshared++;
	return 0;
}
