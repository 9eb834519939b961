// SPDX-License-Identifier: MIT
/*
 * share_scan.c - the scanner: visit populated guest pages, find what can be shared.
 *
 * Each VM has a cursor over its RAM ranges; the scanner works through the
 * VMs in turn, a budget of pages per call. When every VM has been walked
 * once, a full scan is complete: the candidate index is rebuilt from
 * scratch (a candidate must be seen stable in the same pass as its twin)
 * and the per-pass gauges are published.
 */
#include "mm/plat.h"
#include "sharing/share_int.h"

/* end_full_scan - one pass over every VM is complete. */
static void end_full_scan(struct share_engine *e)
{
	e->st.full_scans++;
	e->epoch++;
	e->st.pages_volatile = e->pass_volatile;
	e->st.pages_unshared = e->pass_unshared;
	e->pass_volatile = e->pass_unshared = 0;
	hidx_clear(&e->cand);
}

/*
 * page_changed - whether the page may have changed since its last scan.
 * With dirty bits a clean page is known unchanged; without, assume changed.
 */
static bool page_changed(struct share_vm *sv, uint64_t gpa, bool *flush)
{
	int d;

	if (!p2m_has_ad(sv->p2m))
		return true;
	d = p2m_test_and_clear_dirty(sv->p2m, gpa);
	if (d > 0)
		*flush = true;	/* the CPU must see the clear D bit to set it again */
	return d != 0;
}

static void scan_page(struct share_engine *e, struct share_vm *sv, uint64_t gpa, uint64_t pa,
		      bool *flush)
{
	struct frame *f = fmeta(e, pa);
	struct sv_pat_hit hit;
	bool changed, stable, had_hash;
	uint32_t h, old_hash;

	e->st.pages_scanned++;
	if (!f || f->kind != FRAME_GUEST)
		return;		/* already shared, or not ours */
	if ((f->flags & PF_COWED) && e->epoch - f->link[1] < SHARE_COW_SKIP) {
		e->st.cow_skips++;
		return;
	}
	changed = page_changed(sv, gpa, flush);
	/* Newly written (the scanner's pace, kernel/scanpace.h); pages written on every visit count once. */
	if (changed && (!(f->flags & PF_WRITTEN) || !p2m_has_ad(sv->p2m)))
		e->st.pages_written++;
	f->flags = (uint8_t)(changed ? f->flags | PF_WRITTEN : f->flags & ~PF_WRITTEN);
	old_hash = f->link[0];
	had_hash = f->flags & PF_HASHED;
	if (changed) {
		/*
		 * The D bit is clear from now on: whatever was recorded about the
		 * old content goes, or a mode that skips a step would trust it later.
		 */
		f->flags &= (uint8_t)~(PF_HASHED | PF_NOPAT);
	} else if (had_hash) {
		e->st.clean_skips++;
	}
	if ((e->mode & SHARE_INTRA) && e->snap &&
	    (!(f->flags & PF_NOPAT) || e->epoch < e->pattern_recheck_until)) {
		if (sv_patset_match(e->snap, fpage(e, pa), &hit)) {
			merge_pattern(e, sv, gpa, pa, &hit);
			return;
		}
		f->flags |= PF_NOPAT;
	}
	if (!(e->mode & SHARE_INTER))
		return;
	if (!(f->flags & PF_HASHED)) {
		h = e->hash(fpage(e, pa));
		e->st.pages_hashed++;
		stable = had_hash && old_hash == h;
		f->link[0] = h;
		f->flags |= PF_HASHED;
	} else {
		h = f->link[0];
		stable = true;
	}
	if (!stable) {
		e->pass_volatile++;
		return;
	}
	merge_content(e, sv, gpa, pa, h);
}

/* next_page - the next populated page of @sv at or after its cursor; false at the end of its RAM. */
static bool next_page(struct share_vm *sv, uint64_t *gpa, uint64_t *pa)
{
	struct p2m_leaf leaf;

	while (sv->range < sv->nranges) {
		uint64_t end = sv->ranges[sv->range][1];
		uint64_t cur = sv->cursor;

		if (!p2m_next(sv->p2m, &cur, end, &leaf)) {
			uint64_t at = leaf.gpa > sv->cursor ? leaf.gpa : sv->cursor & PAGE_MASK;

			*gpa = at;
			*pa = leaf.hpa + (at - leaf.gpa);
			sv->cursor = at + PAGE_SIZE;
			return true;
		}
		if (++sv->range < sv->nranges)
			sv->cursor = sv->ranges[sv->range][0];
	}
	return false;
}

unsigned share_scan(struct share_engine *e, unsigned budget)
{
	unsigned n = 0;
	bool flush[SHARE_MAX_VMS] = { false };

	if (e->mode == SHARE_OFF || !e->nvms)
		return 0;
	if (e->patterns && (e->mode & SHARE_INTRA)) {
		e->snap = sv_patset_acquire(e->patterns);
		/* A changed set: pages found to match no pattern are checked again for two passes. */
		if (e->snap->generation != e->pattern_gen) {
			e->pattern_gen = e->snap->generation;
			e->pattern_recheck_until = e->epoch + 2;
		}
	}
	while (n < budget) {
		struct share_vm *sv = e->vm[e->cur];
		uint64_t gpa, pa;

		if (!next_page(sv, &gpa, &pa)) {
			sv->range = 0;
			sv->cursor = sv->ranges[0][0];
			if (++e->cur >= e->nvms) {
				e->cur = 0;
				end_full_scan(e);
				break;	/* one call never starts a second pass */
			}
			continue;
		}
		scan_page(e, sv, gpa, pa, &flush[e->cur]);
		n++;
	}
	for (int i = 0; i < e->nvms; i++)
		if (flush[i])
			share_flush(e->vm[i]);
	if (e->snap) {
		sv_patset_release(e->snap);
		e->snap = NULL;
	}
	return n;
}

void share_scan_full(struct share_engine *e)
{
	uint64_t target = e->st.full_scans + 1;

	if (e->mode == SHARE_OFF || !e->nvms)
		return;
	while (e->st.full_scans < target)
		share_scan(e, 1u << 16);
}
