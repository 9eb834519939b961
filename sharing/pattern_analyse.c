// SPDX-License-Identifier: MIT
/*
 * pattern_analyse.c - what the minimal DFA means for 4096-byte pages.
 *
 * Work is done on the distinct edges of the DFA (successor state + how many
 * bytes lead there, the dead state left out), so one step over all states
 * costs O(states + edges); 4096 steps of that are the price of a compile.
 *
 *   backward: f_k(s) = number of accepted strings of length k from s,
 *             saturating at 2; f_4096(start) is 0 (empty), 1 (singular) or
 *             "many". Liveness bitsets B_k = {s : f_k(s) > 0} are kept at
 *             64-step checkpoints and at the prefilter's candidate depths.
 *   forward:  F_i = states reachable in i bytes; at a candidate offset i a
 *             byte b is allowed iff some s in F_i goes on b into B_(4095-i).
 *             That is exactly the set of bytes found at offset i in the
 *             matching pages, so the prefilter is sound and as tight as a
 *             per-offset test can be.
 *   singular: the canonical page is read off walking from the start state,
 *             choosing at depth d the one byte leading into B_(4095-d); the
 *             B_k of each 64-step block are recomputed from its checkpoint,
 *             so memory is 130 bitsets rather than 4097.
 */
#include <string.h>

#include "mm/errno.h"
#include "mm/plat.h"
#include "sharing/pattern_int.h"

#define NCAND	64	/* candidate prefilter offsets */
#define BLOCK	64	/* checkpoint spacing */

struct analysis {
	const struct pat_dfa *d;
	uint32_t n, W;			/* states, 64-bit words per bitset */
	uint32_t *eoff, *etgt;		/* distinct edges, dead state left out */
	uint16_t *ewt;			/* bytes per edge */
	uint64_t *ckpt;			/* B_(64j), j = 0..64 */
	uint64_t *cand;			/* B_(4095 - cand_off(j)) */
	uint64_t *blk;			/* one block of recomputed B_k */
	uint64_t *fa, *fb;		/* forward sets */
	uint8_t *f, *g;			/* saturating counts */
	uint16_t csize[256];		/* bytes per class */
};

/* cand_off - the j-th candidate offset: one per 64-byte line, varied position in the line. */
static unsigned cand_off(unsigned j)
{
	return j * 64 + ((j * 37) & 63);
}

static inline bool bit(const uint64_t *b, uint32_t s)
{
	return (b[s >> 6] >> (s & 63)) & 1;
}

/* build_edges - the distinct non-dead successors of every state; 0, -SV_E2BIG or -SV_ENOMEM. */
static int build_edges(struct analysis *a, uint32_t max_edges)
{
	const struct pat_dfa *d = a->d;
	uint32_t s, c, t, ne = 0, i;
	uint32_t *seen = pat_calloc(a->n, sizeof(uint32_t));
	uint16_t *wt = pat_calloc(a->n, sizeof(uint16_t));
	uint32_t *list = pat_calloc(d->ncls, sizeof(uint32_t));
	int ret = -SV_ENOMEM;

	a->eoff = pat_calloc(a->n + 1, sizeof(uint32_t));
	if (!seen || !wt || !list || !a->eoff)
		goto out;
	for (s = 0; s < a->n; s++)	/* count first, to check the limit */
		for (c = 0; c < d->ncls; c++) {
			t = d->delta[(size_t)s * d->ncls + c];
			if (t != d->dead && seen[t] != s + 1) {
				seen[t] = s + 1;
				ne++;
			}
		}
	ret = -SV_E2BIG;
	if (ne > max_edges)
		goto out;
	ret = -SV_ENOMEM;
	a->etgt = pat_calloc(ne, sizeof(uint32_t));
	a->ewt = pat_calloc(ne, sizeof(uint16_t));
	if (!a->etgt || !a->ewt)
		goto out;
	memset(seen, 0, a->n * sizeof(uint32_t));
	for (ne = 0, s = 0; s < a->n; s++) {
		uint32_t nl = 0;

		a->eoff[s] = ne;
		for (c = 0; c < d->ncls; c++) {
			t = d->delta[(size_t)s * d->ncls + c];
			if (t == d->dead)
				continue;
			if (seen[t] != s + 1) {
				seen[t] = s + 1;
				wt[t] = 0;
				list[nl++] = t;
			}
			wt[t] += a->csize[c];
		}
		for (i = 0; i < nl; i++) {
			a->etgt[ne] = list[i];
			a->ewt[ne++] = wt[list[i]];
		}
	}
	a->eoff[a->n] = ne;
	ret = 0;
out:
	plat_free(seen);
	plat_free(wt);
	plat_free(list);
	return ret;
}

static void live_bits(const struct analysis *a, const uint8_t *f, uint64_t *out)
{
	uint32_t s;

	memset(out, 0, a->W * 8ull);
	for (s = 0; s < a->n; s++)
		if (f[s])
			out[s >> 6] |= 1ull << (s & 63);
}

/* backward - the counts f_k for k = 0..4096; fills checkpoints and candidate bitsets; returns f_4096(start). */
static unsigned backward(struct analysis *a)
{
	uint8_t *f = a->f, *g = a->g, *tmp;
	uint32_t s, e, k, i;

	for (s = 0; s < a->n; s++)
		f[s] = a->d->accept[s] ? 1 : 0;
	for (k = 0;; k++) {
		if (k % BLOCK == 0)
			live_bits(a, f, a->ckpt + (size_t)(k / BLOCK) * a->W);
		i = SV_PAT_PAGE - 1 - k;	/* the offset whose successor needs B_k */
		if (k < SV_PAT_PAGE && cand_off(i / 64) == i)
			live_bits(a, f, a->cand + (size_t)(i / 64) * a->W);
		if (k == SV_PAT_PAGE)
			return f[a->d->start];
		for (s = 0; s < a->n; s++) {
			unsigned acc = 0;

			for (e = a->eoff[s]; e < a->eoff[s + 1] && acc < 2; e++)
				acc += (unsigned)a->ewt[e] * f[a->etgt[e]];
			g[s] = acc < 2 ? (uint8_t)acc : 2;
		}
		tmp = f, f = g, g = tmp;
	}
}

/* live_step - out = states with an edge into @in (B_(k+1) from B_k). */
static void live_step(const struct analysis *a, const uint64_t *in, uint64_t *out)
{
	uint32_t s, e;

	memset(out, 0, a->W * 8ull);
	for (s = 0; s < a->n; s++)
		for (e = a->eoff[s]; e < a->eoff[s + 1]; e++)
			if (bit(in, a->etgt[e])) {
				out[s >> 6] |= 1ull << (s & 63);
				break;
			}
}

/* allowed_at - the bytes leading from some state of @from into @live. */
static void allowed_at(const struct analysis *a, const uint8_t *cls, const uint64_t *from,
		       const uint64_t *live, struct sv_pat_sample *smp)
{
	const struct pat_dfa *d = a->d;
	uint8_t ok[256] = { 0 };
	uint32_t s, c, b;

	for (s = 0; s < a->n; s++) {
		if (!bit(from, s))
			continue;
		for (c = 0; c < d->ncls; c++) {
			uint32_t t = d->delta[(size_t)s * d->ncls + c];

			if (t != d->dead && bit(live, t))
				ok[c] = 1;
		}
	}
	memset(smp->allowed, 0, sizeof(smp->allowed));
	smp->nallowed = 0;
	for (b = 0; b < 256; b++)
		if (ok[cls[b]]) {
			smp->allowed[b >> 6] |= 1ull << (b & 63);
			smp->nallowed++;
		}
}

/* forward - the allowed bytes at every candidate offset, into @out[NCAND]. */
static void forward(struct analysis *a, const uint8_t *cls, struct sv_pat_sample *out)
{
	uint64_t *cur = a->fa, *nxt = a->fb, *tmp;
	uint32_t i, j = 0, s, e;

	memset(cur, 0, a->W * 8ull);
	cur[a->d->start >> 6] |= 1ull << (a->d->start & 63);
	for (i = 0; j < NCAND; i++) {
		if (i == cand_off(j)) {
			out[j].off = (uint16_t)i;
			allowed_at(a, cls, cur, a->cand + (size_t)j * a->W, &out[j]);
			j++;
		}
		memset(nxt, 0, a->W * 8ull);
		for (s = 0; s < a->n; s++)
			if (bit(cur, s))
				for (e = a->eoff[s]; e < a->eoff[s + 1]; e++)
					nxt[a->etgt[e] >> 6] |= 1ull << (a->etgt[e] & 63);
		tmp = cur, cur = nxt, nxt = tmp;
	}
}

/* reconstruct - the one accepted page into @page (f_4096(start) == 1). */
static void reconstruct(struct analysis *a, const uint8_t *cls, uint8_t *page)
{
	const struct pat_dfa *d = a->d;
	uint8_t rep[256];
	uint32_t s = d->start, c, t, nlive, pick = 0;
	int j, k, b;

	for (b = 255; b >= 0; b--)
		rep[cls[b]] = (uint8_t)b;
	for (j = SV_PAT_PAGE / BLOCK - 1; j >= 0; j--) {
		memcpy(a->blk, a->ckpt + (size_t)j * a->W, a->W * 8ull);
		for (k = 1; k < BLOCK; k++)
			live_step(a, a->blk + (size_t)(k - 1) * a->W, a->blk + (size_t)k * a->W);
		for (k = BLOCK - 1; k >= 0; k--) {
			const uint64_t *live = a->blk + (size_t)k * a->W;

			for (nlive = 0, c = 0; c < d->ncls; c++) {
				t = d->delta[(size_t)s * d->ncls + c];
				if (t != d->dead && bit(live, t)) {
					nlive++;
					pick = c;
				}
			}
			/* exactly one accepted page: one live byte at every depth */
			BUG_ON(nlive != 1 || a->csize[pick] != 1);
			page[SV_PAT_PAGE - 1 - (j * BLOCK + k)] = rep[pick];
			s = d->delta[(size_t)s * d->ncls + pick];
		}
	}
	BUG_ON(!d->accept[s]);
}

/* spread - the distance from @off to the nearest offset already in p->samples. */
static unsigned spread(const struct sv_pat *p, unsigned off)
{
	unsigned i, d, best = SV_PAT_PAGE;

	for (i = 0; i < p->nsamples; i++) {
		d = off > p->samples[i].off ? off - p->samples[i].off : p->samples[i].off - off;
		if (d < best)
			best = d;
	}
	return best;
}

/*
 * pick_samples - up to SV_PAT_SAMPLES candidates into p->samples, most
 * selective (fewest allowed bytes) first; among equally selective ones the
 * farthest from those already picked, so samples cover the whole page (a
 * page that starts like a match but differs later is still caught early).
 * Offsets where every byte is allowed test nothing and are never picked.
 */
static void pick_samples(struct sv_pat *p, struct sv_pat_sample *cand)
{
	bool used[NCAND] = { false };
	unsigned i, j, best, bd, d;

	p->nsamples = 0;
	for (i = 0; i < SV_PAT_SAMPLES; i++) {
		best = NCAND;
		bd = 0;
		for (j = 0; j < NCAND; j++) {
			if (used[j] || cand[j].nallowed == 256)
				continue;
			d = spread(p, cand[j].off);
			if (best == NCAND || cand[j].nallowed < cand[best].nallowed ||
			    (cand[j].nallowed == cand[best].nallowed && d > bd)) {
				best = j;
				bd = d;
			}
		}
		if (best == NCAND)
			break;
		used[best] = true;
		p->samples[p->nsamples++] = cand[best];
	}
}

static void canon_unit(struct sv_pat *p)
{
	unsigned i;

	p->canon_periodic = true;
	for (i = 64; i < SV_PAT_PAGE && p->canon_periodic; i++)
		if (p->canon[i] != p->canon[i - 64])
			p->canon_periodic = false;
	memcpy(p->canon_unit, p->canon, 64);
	memcpy(&p->pre_word[0], p->canon + 8 * 0, 8);
	memcpy(&p->pre_word[1], p->canon + 8 * 170, 8);
	memcpy(&p->pre_word[2], p->canon + 8 * 341, 8);
	memcpy(&p->pre_word[3], p->canon + 8 * 511, 8);
}

int pat_analyse(struct sv_pat *p, const struct sv_pat_limits *lim)
{
	struct analysis a = { .d = &p->dfa, .n = p->dfa.n, .W = (p->dfa.n + 63) / 64 };
	struct sv_pat_sample *cand = pat_calloc(NCAND, sizeof(*cand));
	unsigned count, b;
	int ret = -SV_ENOMEM;

	p->kind = SV_PAT_DFA;
	p->analysed = false;
	for (b = 0; b < 256; b++)
		a.csize[p->cls[b]]++;
	if (!cand)
		goto out;
	ret = build_edges(&a, lim->max_analysis_edges);
	if (ret == -SV_E2BIG) {		/* too big to analyse: general, no prefilter */
		ret = 0;
		goto out;
	}
	if (ret)
		goto out;
	a.ckpt = pat_calloc((size_t)(SV_PAT_PAGE / BLOCK + 1) * a.W, 8);
	a.cand = pat_calloc((size_t)NCAND * a.W, 8);
	a.blk = pat_calloc((size_t)BLOCK * a.W, 8);
	a.fa = pat_calloc(a.W, 8);
	a.fb = pat_calloc(a.W, 8);
	a.f = pat_calloc(a.n, 1);
	a.g = pat_calloc(a.n, 1);
	if (!a.ckpt || !a.cand || !a.blk || !a.fa || !a.fb || !a.f || !a.g)
		goto out;
	count = backward(&a);
	forward(&a, p->cls, cand);
	pick_samples(p, cand);
	p->analysed = true;
	p->empty = count == 0;
	if (count == 1) {
		p->canon = pat_calloc(SV_PAT_PAGE, 1);
		if (!p->canon)
			goto out;
		reconstruct(&a, p->cls, p->canon);
		canon_unit(p);
		p->kind = SV_PAT_SINGULAR;
	}
	ret = 0;
out:
	plat_free(cand);
	plat_free(a.eoff);
	plat_free(a.etgt);
	plat_free(a.ewt);
	plat_free(a.ckpt);
	plat_free(a.cand);
	plat_free(a.blk);
	plat_free(a.fa);
	plat_free(a.fb);
	plat_free(a.f);
	plat_free(a.g);
	return ret;
}
