// SPDX-License-Identifier: MIT
/*
 * test_share.c - the sharing engine over simulated VMs.
 *
 * Expected counters are computed by a naive reference written here (classify
 * every page with the pattern set, group the rest by content per domain),
 * never copied from a run. The model-based test interleaves scans, guest
 * writes and COW breaks against a shadow copy of every VM's memory and checks
 * every byte and every invariant after each step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/svm/npt.h"
#include "arch/x86/vmx/ept.h"
#include "mm/errno.h"
#include "sharing/patset.h"
#include "sharing/share.h"
#include "tools/simvm.h"

#define MAXVM 4
#define PG PAGE_SIZE

struct world {
	struct sim sim;
	struct sv_patset set;
	struct share_engine *e;
	struct simvm vm[MAXVM];
	const char *domain[MAXVM];
	int nvm;
	bool gone[MAXVM];		/* destroyed: skipped from then on */
	uint64_t pages;			/* per VM */
	unsigned char *shadow[MAXVM];	/* what each guest last wrote */
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void world_init(struct world *w, int nvm, uint64_t pages, const struct p2m_format *fmt,
		       uint64_t sim_bytes)
{
	const char *domain[MAXVM];

	memcpy(domain, w->domain, sizeof(domain));
	memset(w, 0, sizeof(*w));
	memcpy(w->domain, domain, sizeof(domain));
	assert_int_equal(sim_init(&w->sim, sim_bytes), 0);
	assert_int_equal(sv_patset_init(&w->set, true), 0);
	w->e = share_engine_create(&w->sim.fp, &w->set);
	assert_non_null(w->e);
	w->nvm = nvm;
	w->pages = pages;
	for (int i = 0; i < nvm; i++) {
		if (!w->domain[i])
			w->domain[i] = "default";
		assert_int_equal(simvm_create(&w->sim, w->e, &w->vm[i], (uint16_t)(i + 1),
					      w->domain[i], pages, fmt), 0);
		w->shadow[i] = calloc(pages, PG);
	}
}

static void world_free(struct world *w)
{
	uint64_t free_before_vms;

	for (int i = 0; i < w->nvm; i++) {
		if (!w->gone[i])
			simvm_destroy(&w->vm[i]);
		free(w->shadow[i]);
	}
	/* Every frame is back: only the pool's own metadata is in use. */
	free_before_vms = w->sim.fp.total - w->sim.fp.count[FRAME_HV];
	assert_int_equal(frame_free_count(&w->sim.fp), free_before_vms);
	share_engine_destroy(w->e);
	sv_patset_destroy(&w->set);
	sim_free(&w->sim);
}

static void gwrite(struct world *w, int v, uint64_t gpa, const void *buf, size_t n)
{
	assert_int_equal(simvm_write(&w->sim, &w->vm[v], gpa, buf, n), 0);
	memcpy(w->shadow[v] + gpa, buf, n);
}

/* fill_page - content kinds used by the tests. */
enum kind { ZERO, UNIT8, UNIT64, DUP, UNIQUE, NKINDS };

static void make_page(unsigned char *p, enum kind k, uint64_t a, uint64_t b)
{
	switch (k) {
	case ZERO:
		memset(p, 0, PG);
		break;
	case UNIT8:
		for (size_t i = 0; i < PG; i += 8)
			memcpy(p + i, &a, 8);
		break;
	case UNIT64:
		for (size_t i = 0; i < PG; i++)
			p[i] = (unsigned char)((i % 64) * 7 + a);
		break;
	case DUP:
	case UNIQUE:
		for (size_t i = 0; i < PG; i += 8) {
			uint64_t x = (a * 0x9e3779b97f4a7c15ull) ^ (b << 32) ^ (i * 0xbf58476d1ce4e5b9ull);
			x ^= x >> 29;
			memcpy(p + i, &x, 8);
		}
		break;
	default:
		break;
	}
}

static void assert_memory_ok(struct world *w)
{
	unsigned char *buf = malloc(w->pages * PG);

	for (int v = 0; v < w->nvm; v++) {
		if (w->gone[v])
			continue;
		simvm_read(&w->sim, &w->vm[v], 0, buf, w->pages * PG);
		if (memcmp(buf, w->shadow[v], w->pages * PG)) {
			for (uint64_t i = 0; i < w->pages * PG; i++)
				if (buf[i] != w->shadow[v][i])
					fail_msg("vm %d reads %02x at %#llx, wrote %02x (seed %#llx)",
						 v, buf[i], (unsigned long long)i, w->shadow[v][i],
						 (unsigned long long)rng_state);
		}
	}
	free(buf);
	assert_int_equal(share_check(w->e), 0);
	assert_int_equal(frame_pool_check(&w->sim.fp), 0);
}

/*
 * The naive reference: what a perfect engine reaches from the shadow copies.
 * Pattern pages per VM (one frame per distinct key), then identical
 * non-pattern pages per domain (one frame per distinct content with >= 2 pages).
 */
struct expect {
	uint64_t pattern_pages, pattern_frames, shared, sharing;
};

static int cmp_page(const void *a, const void *b)
{
	return memcmp(*(unsigned char *const *)a, *(unsigned char *const *)b, PG);
}

static struct expect reference(struct world *w, bool populated_only)
{
	struct expect x = { 0 };
	struct sv_patset_snap *snap = sv_patset_acquire(&w->set);
	unsigned char **rest = calloc((size_t)w->nvm * w->pages, sizeof(*rest));
	const char *dom[MAXVM];
	int ndom = 0;

	for (int v = 0; v < w->nvm; v++) {
		if (w->gone[v])
			continue;
		/* Pages with equal keys share a frame; under a non-determining pattern, equal contents do. */
		struct sv_pat_key *keys = calloc(w->pages, sizeof(*keys));
		unsigned char **pages = calloc(w->pages, sizeof(*pages));
		uint64_t nkeys = 0, npages = 0;

		for (uint64_t i = 0; i < w->pages; i++) {
			struct sv_pat_hit hit;
			struct sv_pat_info info;
			uint64_t hpa, k;
			unsigned char *pg = w->shadow[v] + i * PG;

			if (populated_only && p2m_lookup(&w->vm[v].p2m, i * PG, &hpa, NULL))
				continue;
			if (!sv_patset_match(snap, pg, &hit))
				continue;
			x.pattern_pages++;
			sv_pat_info(hit.pat, &info);
			if (info.kind == SV_PAT_DFA) {
				for (k = 0; k < npages && memcmp(pages[k], pg, PG); k++)
					;
				if (k == npages)
					pages[npages++] = pg;
				continue;
			}
			for (k = 0; k < nkeys; k++)
				if (!memcmp(&keys[k], &hit.key, sizeof(hit.key)))
					break;
			if (k == nkeys)
				keys[nkeys++] = hit.key;
		}
		x.pattern_frames += nkeys + npages;
		free(keys);
		free(pages);
	}
	for (int v = 0; v < w->nvm; v++) {
		int d;
		for (d = 0; d < ndom && strcmp(dom[d], w->domain[v]); d++)
			;
		if (d == ndom)
			dom[ndom++] = w->domain[v];
	}
	for (int d = 0; d < ndom; d++) {
		size_t n = 0;

		for (int v = 0; v < w->nvm; v++) {
			if (w->gone[v] || strcmp(w->domain[v], dom[d]))
				continue;
			for (uint64_t i = 0; i < w->pages; i++) {
				struct sv_pat_hit hit;
				uint64_t hpa;

				if (populated_only && p2m_lookup(&w->vm[v].p2m, i * PG, &hpa, NULL))
					continue;
				if (!sv_patset_match(snap, w->shadow[v] + i * PG, &hit))
					rest[n++] = w->shadow[v] + i * PG;
			}
		}
		qsort(rest, n, sizeof(*rest), cmp_page);
		for (size_t i = 0; i < n;) {
			size_t j = i + 1;
			while (j < n && !cmp_page(&rest[i], &rest[j]))
				j++;
			if (j - i >= 2) {
				x.shared++;
				x.sharing += j - i - 1;
			}
			i = j;
		}
	}
	free(rest);
	sv_patset_release(snap);
	return x;
}

static void converge(struct world *w)
{
	for (int i = 0; i < 2 * SHARE_COW_SKIP + 4; i++)
		share_scan_full(w->e);
}

static void assert_reference(struct world *w)
{
	struct expect x = reference(w, true);
	struct share_stats st;

	share_get_stats(w->e, &st);
	assert_int_equal(st.pattern_pages, x.pattern_pages);
	assert_int_equal(st.pattern_frames, x.pattern_frames);
	assert_int_equal(st.pages_shared, x.shared);
	assert_int_equal(st.pages_sharing, x.sharing);
	assert_int_equal(st.saved, x.pattern_pages - x.pattern_frames + x.sharing);
}

/* Known contents across three VMs: zero, repeating units, duplicates across VMs, unique pages. */
static void fill_known(struct world *w)
{
	unsigned char p[PG];

	for (int v = 0; v < w->nvm; v++) {
		for (uint64_t i = 0; i < w->pages; i++) {
			enum kind k = (enum kind)(i % NKINDS);

			make_page(p, k, k == UNIQUE ? (uint64_t)v * 1000 + i : i % 3, i);
			gwrite(w, v, i * PG, p, PG);
		}
	}
}

static void test_known_contents(void **state)
{
	struct world w = { 0 };
	struct share_stats st;
	(void)state;

	world_init(&w, 3, 64, &npt_format, 8 << 20);
	fill_known(&w);
	converge(&w);
	assert_memory_ok(&w);
	assert_reference(&w);
	share_get_stats(w.e, &st);
	/* Sanity of the reference itself: with these contents something is shared of each kind. */
	assert_true(st.pattern_frames >= 3 && st.pages_shared >= 3 && st.pages_sharing > 0);
	world_free(&w);
}

static void test_domains_isolate(void **state)
{
	struct world w = { 0 };
	unsigned char p[PG];
	struct share_stats st;
	(void)state;

	w.domain[0] = "red";
	w.domain[1] = "blue";
	world_init(&w, 2, 16, &npt_format, 4 << 20);
	for (int v = 0; v < 2; v++)
		for (uint64_t i = 0; i < 16; i++) {
			make_page(p, DUP, i % 8, 5);	/* the same 8 pages in both */
			gwrite(&w, v, i * PG, p, PG);
		}
	converge(&w);
	assert_memory_ok(&w);
	assert_reference(&w);
	share_get_stats(w.e, &st);
	/* Each domain merges its own two copies of 8 contents, never across. */
	assert_int_equal(st.pages_shared, 16);
	assert_int_equal(st.pages_sharing, 16);
	world_free(&w);
}

static uint32_t weak_hash(const void *page)
{
	return ((const unsigned char *)page)[0] & 1;	/* almost everything collides */
}

static void test_weak_hash_never_merges_different(void **state)
{
	struct world w = { 0 };
	struct share_stats st;
	(void)state;

	world_init(&w, 3, 48, &npt_format, 8 << 20);
	share_set_hash(w.e, weak_hash);
	fill_known(&w);
	converge(&w);
	assert_memory_ok(&w);
	assert_reference(&w);
	share_get_stats(w.e, &st);
	assert_true(st.hash_collisions > 0);
	world_free(&w);
}

static void test_cow_and_last_mapping(void **state)
{
	struct world w = { 0 };
	struct share_stats st;
	unsigned char p[PG];
	uint64_t free_before;
	(void)state;

	world_init(&w, 2, 8, &npt_format, 4 << 20);
	for (int v = 0; v < 2; v++)
		for (uint64_t i = 0; i < 8; i++) {
			make_page(p, i < 4 ? ZERO : DUP, 1, 1);
			gwrite(&w, v, i * PG, p, PG);
		}
	converge(&w);
	assert_memory_ok(&w);
	share_get_stats(w.e, &st);
	assert_int_equal(st.pattern_pages, 8);
	assert_int_equal(st.pattern_frames, 2);
	assert_int_equal(st.pages_shared, 1);
	assert_int_equal(st.pages_sharing, 7);

	/* A write to a pattern page: a fresh frame refilled from the key. */
	free_before = frame_free_count(&w.sim.fp);
	gwrite(&w, 0, 1 * PG + 100, "x", 1);
	assert_int_equal(frame_free_count(&w.sim.fp), free_before - 1);
	/*
	 * Writes to content pages: each a copy, until one mapping is left; that
	 * page turns private and writable at once, so writing it costs no frame.
	 */
	for (uint64_t i = 4; i < 8; i++)
		gwrite(&w, 0, i * PG + 7, "y", 1);
	for (uint64_t i = 4; i < 7; i++)
		gwrite(&w, 1, i * PG + 9, "z", 1);
	free_before = frame_free_count(&w.sim.fp);
	gwrite(&w, 1, 7 * PG + 9, "z", 1);
	assert_int_equal(frame_free_count(&w.sim.fp), free_before);
	share_get_stats(w.e, &st);
	assert_int_equal(st.pages_shared, 0);
	assert_int_equal(st.pages_sharing, 0);
	assert_int_equal(st.cow_content, 7);
	assert_int_equal(st.cow_pattern, 1);
	assert_memory_ok(&w);
	world_free(&w);
}

static void test_oom_cow_changes_nothing(void **state)
{
	struct world w = { 0 };
	unsigned char p[PG];
	uint64_t hog[4096];
	int n = 0;
	(void)state;

	world_init(&w, 2, 16, &npt_format, 2 << 20);
	for (int v = 0; v < 2; v++)
		for (uint64_t i = 0; i < 16; i++) {
			make_page(p, DUP, i, 2);
			gwrite(&w, v, i * PG, p, PG);
		}
	converge(&w);
	while ((hog[n] = frame_alloc(&w.sim.fp, FRAME_HV, 0)) != 0)
		n++;
	p[0] = 0x5a;
	assert_int_equal(simvm_write(&w.sim, &w.vm[0], 3 * PG, p, 1), -SV_ENOMEM);
	assert_memory_ok(&w);	/* nothing written, nothing broken */
	frame_put(&w.sim.fp, hog[--n]);
	gwrite(&w, 0, 3 * PG, p, 1);
	assert_memory_ok(&w);
	while (n)
		frame_put(&w.sim.fp, hog[--n]);
	world_free(&w);
}

/* With dirty bits, pages not written since the last scan are not read again. */
static void test_dirty_bits_skip_rehash(void **state)
{
	const struct p2m_format *fmts[2] = { &npt_format, &ept_format };
	uint64_t hashed[2];
	(void)state;

	for (int f = 0; f < 2; f++) {
		struct world w = { 0 };
		struct share_stats a, b;

		world_init(&w, 2, 32, fmts[f], 4 << 20);
		fill_known(&w);
		converge(&w);
		share_get_stats(w.e, &a);
		share_scan_full(w.e);
		share_get_stats(w.e, &b);
		hashed[f] = b.pages_hashed - a.pages_hashed;
		assert_memory_ok(&w);
		assert_reference(&w);
		world_free(&w);
	}
	assert_int_equal(hashed[0], 0);	/* NPT: everything clean */
	assert_true(hashed[1] > 0);	/* EPT without A/D: every private page re-hashed */
}

static void test_vm_remove_returns_frames(void **state)
{
	struct world w = { 0 };
	unsigned char p[PG];
	(void)state;

	world_init(&w, 3, 32, &npt_format, 8 << 20);
	fill_known(&w);
	converge(&w);
	/* Remove the middle VM: the others keep their contents and invariants. */
	simvm_destroy(&w.vm[1]);
	w.gone[1] = true;
	assert_memory_ok(&w);
	make_page(p, UNIQUE, 99, 99);
	gwrite(&w, 0, 5 * PG, p, PG);
	converge(&w);
	assert_memory_ok(&w);
	assert_reference(&w);
	world_free(&w);
}

/*
 * More equal pages than a content frame takes: they fill frames of
 * SHARE_MAX_SHARING mappings each, and a COW break or a VM's removal searches
 * one frame's reverse map, never more than SHARE_MAX_SHARING entries per
 * mapping, however many pages hold the content (the same as for a frame of
 * two). Every page still reads what was written.
 */
static void test_bounded_reverse_maps(void **state)
{
	const uint64_t pages = 1500;	/* per VM: 3,000 equal pages in all */
	const uint64_t frames = (2 * pages + SHARE_MAX_SHARING - 1) / SHARE_MAX_SHARING;
	struct world w = { 0 };
	struct share_stats st, before;
	unsigned char p[PG];
	(void)state;

	world_init(&w, 3, pages, &npt_format, 48 << 20);
	share_set_mode(w.e, SHARE_INTER);
	make_page(p, DUP, 7, 7);
	for (int v = 0; v < 2; v++)
		for (uint64_t i = 0; i < pages; i++)
			gwrite(&w, v, i * PG, p, PG);
	/* VM 3: two equal pages of another content, one frame of two. */
	make_page(p, DUP, 8, 8);
	gwrite(&w, 2, 0, p, PG);
	gwrite(&w, 2, PG, p, PG);
	converge(&w);
	assert_memory_ok(&w);
	share_get_stats(w.e, &st);
	/* 3,000 = 11 x 256 + 184: 12 frames; VM 3's pair: one more. */
	assert_int_equal(st.pages_shared, frames + 1);
	assert_int_equal(st.pages_sharing, 2 * pages - frames + 1);
	assert_int_equal(share_check(w.e), 0);

	/* A COW break in a full frame of 256, then in the frame of two. */
	share_get_stats(w.e, &before);
	gwrite(&w, 0, 17 * PG + 3, "a", 1);
	share_get_stats(w.e, &st);
	assert_true(st.rmap_steps - before.rmap_steps >= 1);
	assert_true(st.rmap_steps - before.rmap_steps <= SHARE_MAX_SHARING);
	before = st;
	gwrite(&w, 2, PG + 3, "b", 1);
	share_get_stats(w.e, &st);
	assert_true(st.rmap_steps - before.rmap_steps <= 2);

	/* Removing VM 1 (1,499 content mappings) searches at most 256 entries for each. */
	before = st;
	simvm_destroy(&w.vm[0]);
	w.gone[0] = true;
	share_get_stats(w.e, &st);
	assert_true(st.rmap_steps - before.rmap_steps <= (pages - 1) * SHARE_MAX_SHARING);
	assert_int_equal(share_check(w.e), 0);
	assert_memory_ok(&w);
	world_free(&w);
}

/* A pattern that admits many pages: its pages are grouped by content, inside each VM only. */
static void test_non_determining_pattern(void **state)
{
	struct world w = { 0 };
	struct sv_pat_error err;
	unsigned char p[PG];
	struct share_stats st;
	(void)state;

	world_init(&w, 2, 24, &npt_format, 4 << 20);
	assert_true(sv_patset_add(&w.set, "bits", "[\\x00\\x01]*", strlen("[\\x00\\x01]*"), -1, &err) > 0);
	for (int v = 0; v < 2; v++)
		for (uint64_t i = 0; i < 24; i++) {
			/* Pages of 0/1 bytes: four distinct contents, each six times per VM. */
			for (size_t b = 0; b < PG; b++)
				p[b] = (unsigned char)(((b * 2654435761u) >> (i % 4 + 3)) & 1);
			p[0] = 1;	/* never all zero */
			gwrite(&w, v, i * PG, p, PG);
		}
	converge(&w);
	assert_memory_ok(&w);
	assert_reference(&w);
	share_get_stats(w.e, &st);
	assert_int_equal(st.pattern_frames, 8);	/* 4 contents x 2 VMs: never across VMs */
	assert_int_equal(st.pages_shared, 0);
	/* COW on such a page copies (the key does not determine the content). */
	gwrite(&w, 1, 3 * PG + 17, "\x01", 1);
	assert_memory_ok(&w);
	world_free(&w);
}

/* Pages changed while a mode skipped a step are still found once the mode allows it. */
static void test_mode_switch_keeps_no_stale_state(void **state)
{
	struct world w = { 0 };
	unsigned char p[PG];
	(void)state;

	world_init(&w, 2, 8, &npt_format, 4 << 20);
	for (int v = 0; v < 2; v++)
		for (uint64_t i = 0; i < 8; i++) {
			make_page(p, UNIQUE, (uint64_t)v * 100 + i, 1);
			gwrite(&w, v, i * PG, p, PG);
		}
	converge(&w);
	share_set_mode(w.e, SHARE_INTRA);
	make_page(p, DUP, 7, 7);
	gwrite(&w, 0, 2 * PG, p, PG);	/* now twins, written while inter-VM sharing is off */
	gwrite(&w, 1, 5 * PG, p, PG);
	memset(p, 0, PG);
	share_scan_full(w.e);
	share_set_mode(w.e, SHARE_INTER);
	gwrite(&w, 0, 6 * PG, p, PG);	/* a zero page, written while pattern sharing is off */
	share_scan_full(w.e);
	share_set_mode(w.e, SHARE_ON);
	converge(&w);
	assert_memory_ok(&w);
	assert_reference(&w);
	world_free(&w);
}

/* A pattern added at run time applies to pages that are not written again. */
static void test_pattern_added_later(void **state)
{
	struct world w = { 0 };
	struct sv_pat_error err;
	unsigned char p[PG];
	struct share_stats st;
	(void)state;

	world_init(&w, 1, 4, &npt_format, 2 << 20);
	/* Two different pages that only the new pattern describes (no repeating unit). */
	for (int k = 0; k < 2; k++) {
		memset(p, k ? 0xab : 0xac, PG);
		p[0] = 0x01;
		p[PG - 1] = k ? 0xac : 0xab;
		gwrite(&w, 0, (uint64_t)k * PG, p, PG);
	}
	converge(&w);
	share_get_stats(w.e, &st);
	assert_int_equal(st.pattern_pages, 0);
	assert_true(sv_patset_add(&w.set, "ab", "\\x01[\\xab\\xac]*",
				  strlen("\\x01[\\xab\\xac]*"), -1, &err) > 0);
	converge(&w);
	share_get_stats(w.e, &st);
	assert_int_equal(st.pattern_pages, 2);
	assert_int_equal(st.pattern_frames, 2);
	assert_memory_ok(&w);
	world_free(&w);
}

/* pat_slot - the per-pattern counters of pattern @id in @st, or NULL. */
static const struct share_pat_stats *pat_slot(const struct share_stats *st, uint32_t id)
{
	for (int k = 0; k < SHARE_PATSTATS; k++)
		if (st->pattern[k].id == id)
			return &st->pattern[k];
	return NULL;
}

/* The per-pattern counters add up to the totals: sum over the slots. */
static void assert_slots_add_up(const struct share_stats *st)
{
	uint64_t pages = 0, frames = 0;

	for (int k = 0; k < SHARE_PATSTATS; k++) {
		pages += st->pattern[k].pages;
		frames += st->pattern[k].frames;
	}
	assert_int_equal(pages, st->pattern_pages);
	assert_int_equal(frames, st->pattern_frames);
}

static uint32_t pat_id_of(struct world *w, const char *name)
{
	struct sv_patset_snap *snap = sv_patset_acquire(&w->set);
	uint32_t id = 0;

	for (uint32_t i = 0; i < snap->n; i++)
		if (!strcmp(snap->e[i].name, name))
			id = sv_pat_id(snap->e[i].pat);
	sv_patset_release(snap);
	return id;
}

/*
 * A removed pattern's frames stay until written, counted under its old id;
 * the pattern added back under the same name has a new id and counts only
 * what it merges itself: the per-pattern counters and the totals agree.
 */
static void test_pattern_removed_and_added_back(void **state)
{
	struct world w = { 0 };
	struct sv_pat_error err;
	unsigned char p[PG];
	struct share_stats st;
	uint32_t old_id, new_id;
	(void)state;

	world_init(&w, 2, 8, &npt_format, 2 << 20);
	memset(p, 0, PG);
	for (int v = 0; v < 2; v++)
		for (uint64_t i = 0; i < 6; i++)
			gwrite(&w, v, i * PG, p, PG);
	converge(&w);
	old_id = pat_id_of(&w, "zero");
	share_get_stats(w.e, &st);
	assert_int_equal(st.pattern_pages, 12);
	assert_int_equal(st.pattern_frames, 2);
	assert_int_equal(pat_slot(&st, old_id)->pages, 12);
	assert_int_equal(pat_slot(&st, old_id)->frames, 2);
	assert_slots_add_up(&st);

	assert_int_equal(sv_patset_remove(&w.set, "zero"), 0);
	assert_true(sv_patset_add(&w.set, "zero", "\\x00{4096}", strlen("\\x00{4096}"), 0, &err) > 0);
	new_id = pat_id_of(&w, "zero");
	assert_int_not_equal(new_id, old_id);
	/* Two more zero pages: merged under the new id, on new frames. */
	for (int v = 0; v < 2; v++)
		gwrite(&w, v, 6 * PG, p, PG);
	converge(&w);
	share_get_stats(w.e, &st);
	assert_int_equal(st.pattern_pages, 14);
	assert_int_equal(st.pattern_frames, 4);
	assert_int_equal(pat_slot(&st, old_id)->pages, 12);
	assert_int_equal(pat_slot(&st, new_id)->pages, 2);
	assert_int_equal(pat_slot(&st, new_id)->frames, 2);
	assert_slots_add_up(&st);
	assert_memory_ok(&w);

	/* Writes break the old pages: the old id's counters go down with the totals. */
	p[0] = 1;
	for (uint64_t i = 0; i < 6; i++)
		gwrite(&w, 0, i * PG, p, PG);
	share_get_stats(w.e, &st);
	assert_int_equal(pat_slot(&st, old_id)->pages, 6);
	assert_int_equal(pat_slot(&st, old_id)->frames, 1);
	assert_slots_add_up(&st);
	assert_memory_ok(&w);
	world_free(&w);
}

/* More patterns over time than counter slots: a slot whose pattern has nothing left is reused. */
static void test_pattern_slots_reused(void **state)
{
	struct world w = { 0 };
	struct sv_pat_error err;
	unsigned char p[PG];
	struct share_stats st;
	char name[16], re[16];
	(void)state;

	world_init(&w, 1, 2, &npt_format, 2 << 20);
	for (int k = 1; k <= SHARE_PATSTATS + 8; k++) {
		uint32_t id;

		snprintf(name, sizeof(name), "p%d", k);
		snprintf(re, sizeof(re), "\\x%02x{4096}", k);
		/* First in the set, before "repeat" (which would match it too). */
		assert_true(sv_patset_add(&w.set, name, re, strlen(re), 0, &err) > 0);
		id = pat_id_of(&w, name);
		memset(p, k, PG);
		gwrite(&w, 0, 0, p, PG);
		converge(&w);
		share_get_stats(w.e, &st);
		assert_non_null(pat_slot(&st, id));
		assert_int_equal(pat_slot(&st, id)->pages, 1);
		assert_int_equal(pat_slot(&st, id)->hits, 1);
		assert_slots_add_up(&st);
		memset(p, 0xee, 7);	/* unique content: the frame becomes private again */
		gwrite(&w, 0, 0, p, PG);
		assert_int_equal(sv_patset_remove(&w.set, name), 0);
		assert_memory_ok(&w);
	}
	world_free(&w);
}

/* stats reset zeroes every event counter, full scans and each VM's too, and keeps the state. */
static void test_reset_stats(void **state)
{
	struct world w = { 0 };
	unsigned char p[PG];
	struct share_stats a, b;
	struct share_vm_stats vs;
	(void)state;

	world_init(&w, 2, 8, &npt_format, 2 << 20);
	for (int v = 0; v < 2; v++)
		for (uint64_t i = 0; i < 8; i++) {
			make_page(p, i < 4 ? ZERO : DUP, i, 1);
			gwrite(&w, v, i * PG, p, PG);
		}
	converge(&w);
	p[0] ^= 1;
	gwrite(&w, 0, 7 * PG, p, PG);	/* one COW break */
	share_get_stats(w.e, &a);
	assert_true(a.full_scans > 0 && a.merges > 0 && a.cow_content == 1);
	share_reset_stats(w.e);
	share_get_stats(w.e, &b);
	assert_int_equal(b.full_scans, 0);
	assert_int_equal(b.pages_scanned, 0);
	assert_int_equal(b.pages_hashed + b.clean_skips + b.pages_written + b.cow_skips, 0);
	assert_int_equal(b.merges + b.merge_aborts + b.hash_collisions + b.oom, 0);
	assert_int_equal(b.cow_pattern + b.cow_content, 0);
	for (int k = 0; k < SHARE_PATSTATS; k++)
		assert_int_equal(b.pattern[k].hits, 0);
	for (int v = 0; v < 2; v++) {
		share_vm_get_stats(w.vm[v].sv, &vs);
		assert_int_equal(vs.cow_pattern + vs.cow_content + vs.merges, 0);
	}
	/* The state stays. */
	assert_int_equal(b.saved, a.saved);
	assert_int_equal(b.pattern_pages, a.pattern_pages);
	assert_int_equal(b.pattern_frames, a.pattern_frames);
	assert_int_equal(b.pages_shared, a.pages_shared);
	assert_int_equal(b.pages_sharing, a.pages_sharing);
	assert_slots_add_up(&b);
	share_scan_full(w.e);
	share_get_stats(w.e, &b);
	assert_int_equal(b.full_scans, 1);
	assert_memory_ok(&w);
	world_free(&w);
}

/* Removing a VM in the middle of a pass does not make the pass skip another VM. */
static void test_remove_mid_pass(void **state)
{
	struct world w = { 0 };
	unsigned char p[PG];
	struct share_stats a, b;
	(void)state;

	world_init(&w, 4, 8, &npt_format, 4 << 20);
	for (int v = 0; v < 4; v++)
		for (uint64_t i = 0; i < 8; i++) {
			make_page(p, UNIQUE, (uint64_t)v * 100 + i, 3);
			gwrite(&w, v, i * PG, p, PG);
		}
	share_scan(w.e, 20);	/* into the third VM */
	simvm_destroy(&w.vm[0]);
	w.gone[0] = true;
	share_get_stats(w.e, &a);
	while (share_scan(w.e, 1))
		;
	share_get_stats(w.e, &b);
	/* The pass ends after the rest of VM 3 and all of VM 4: 4 + 8 pages. */
	assert_int_equal(b.pages_scanned - a.pages_scanned, 12);
	assert_int_equal(b.full_scans, a.full_scans + 1);
	world_free(&w);
}

static void test_modes(void **state)
{
	struct world w = { 0 };
	struct share_stats st;
	(void)state;

	world_init(&w, 2, 32, &npt_format, 4 << 20);
	fill_known(&w);
	share_set_mode(w.e, SHARE_OFF);
	converge(&w);
	share_get_stats(w.e, &st);
	assert_int_equal(st.pages_scanned, 0);
	share_set_mode(w.e, SHARE_INTRA);
	converge(&w);
	share_get_stats(w.e, &st);
	assert_true(st.pattern_pages > 0);
	assert_int_equal(st.pages_shared, 0);
	share_set_mode(w.e, SHARE_ON);
	converge(&w);
	assert_reference(&w);
	assert_memory_ok(&w);
	world_free(&w);
}

/*
 * The model-based test: random scans (small budgets), guest writes of
 * random kinds (pattern, duplicate, unique, single bytes) and checks of
 * every byte and invariant after each step.
 */
static void model_run(uint64_t seed, const struct p2m_format *fmt, share_hash_fn hash)
{
	struct world w = { 0 };
	unsigned char p[PG];

	rng_state = seed | 1;
	world_init(&w, 3, 24, fmt, 8 << 20);
	share_set_hash(w.e, hash);
	for (int step = 0; step < 600; step++) {
		int v = (int)(rnd() % 3);
		uint64_t page = rnd() % w.pages, r = rnd() % 10;

		if (r < 3) {
			share_scan(w.e, (unsigned)(rnd() % 40) + 1);
		} else if (r < 8) {
			enum kind k = (enum kind)(rnd() % NKINDS);
			make_page(p, k, rnd() % 3, k == UNIQUE ? rnd() : rnd() % 2);
			gwrite(&w, v, page * PG, p, PG);
		} else {
			unsigned char b = (unsigned char)rnd();
			gwrite(&w, v, page * PG + rnd() % PG, &b, 1);
		}
		assert_memory_ok(&w);
	}
	converge(&w);
	assert_memory_ok(&w);
	assert_reference(&w);
	world_free(&w);
}

static void test_model_random(void **state)
{
	uint64_t seed = getenv("SV_SEED") ? strtoull(getenv("SV_SEED"), NULL, 0) : 0x5eed;
	(void)state;

	for (int i = 0; i < 6; i++) {
		uint64_t s = seed + (uint64_t)i * 7919;

		print_message("model seed %#llx\n", (unsigned long long)s);
		model_run(s, i % 2 ? &ept_format : &npt_format, i % 3 == 2 ? weak_hash : NULL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_contents),
		cmocka_unit_test(test_domains_isolate),
		cmocka_unit_test(test_weak_hash_never_merges_different),
		cmocka_unit_test(test_cow_and_last_mapping),
		cmocka_unit_test(test_oom_cow_changes_nothing),
		cmocka_unit_test(test_dirty_bits_skip_rehash),
		cmocka_unit_test(test_vm_remove_returns_frames),
		cmocka_unit_test(test_bounded_reverse_maps),
		cmocka_unit_test(test_non_determining_pattern),
		cmocka_unit_test(test_mode_switch_keeps_no_stale_state),
		cmocka_unit_test(test_pattern_added_later),
		cmocka_unit_test(test_pattern_removed_and_added_back),
		cmocka_unit_test(test_pattern_slots_reused),
		cmocka_unit_test(test_reset_stats),
		cmocka_unit_test(test_remove_mid_pass),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_model_random),
	};

	return cmocka_run_group_tests_name("share", tests, NULL, NULL);
}
