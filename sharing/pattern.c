// SPDX-License-Identifier: MIT
/*
 * pattern.c - compiled patterns: the compile pipeline, matching, keys.
 *
 * sv_pat_compile() runs parse -> NFA -> DFA -> minimise -> analyse (see
 * pattern.h for the algorithm) and then lays the minimal DFA out for
 * matching: transitions premultiplied by the row length, so a step is one
 * add and one load. Small DFAs also get a two-byte stride table (a row per
 * state and class pair), halving the dependent loads per page.
 *
 * The three kinds match differently: a singular pattern compares words with
 * its canonical page (or with its 64-byte unit, when the page repeats one);
 * the repeating-unit family compares every word with the word 64 bytes
 * earlier; a general pattern runs its DFA, giving up at the dead state.
 */
#include <stdio.h>
#include <string.h>

#include "mm/errno.h"
#include "mm/plat.h"
#include "sharing/pattern_int.h"

#define PAGE_WORDS	(SV_PAT_PAGE / 8)

void sv_pat_default_limits(struct sv_pat_limits *lim)
{
	lim->max_nfa_states = 65536;
	lim->max_dfa_states = 16384;
	lim->max_dfa_cells = 2u << 20;
	lim->max_set_entries = 4u << 20;
	lim->max_analysis_edges = 256u << 10;
}

static struct sv_pat *pat_new(enum sv_pat_kind kind)
{
	struct sv_pat *p = pat_calloc(1, sizeof(*p));

	if (p) {
		p->refs = 1;
		p->kind = kind;
		p->dfa.dead = PAT_NONE;
	}
	return p;
}

/* layout_run - the premultiplied transition table for matching; 0 or -SV_ENOMEM. */
static int layout_run(struct sv_pat *p)
{
	const struct pat_dfa *d = &p->dfa;
	size_t cells = (size_t)d->n * d->ncls, i;

	p->run = pat_calloc(cells, sizeof(uint32_t));
	if (!p->run)
		return -SV_ENOMEM;
	for (i = 0; i < cells; i++)
		p->run[i] = d->delta[i] * d->ncls;
	return 0;
}

int sv_pat_compile(const char *re, size_t len, const struct sv_pat_limits *lim,
		   struct sv_pat **out, struct sv_pat_error *err)
{
	struct sv_pat_limits def;
	struct pat_ast ast;
	struct pat_nfa nfa;
	struct pat_dfa raw;
	struct sv_pat *p;
	int ret;

	*out = NULL;
	if (!lim) {
		sv_pat_default_limits(&def);
		lim = &def;
	}
	if ((ret = pat_parse(re, len, &ast, err)))
		return ret;
	ret = pat_nfa_build(&ast, lim, &nfa, err);
	if (ret)
		goto err_ast;
	ret = pat_dfa_build(&nfa, lim, &raw, err);
	if (ret)
		goto err_nfa;
	p = pat_new(SV_PAT_DFA);
	ret = -SV_ENOMEM;
	if (!p)
		goto err_raw;
	p->nfa_states = nfa.n;
	p->dfa_states_raw = raw.n;
	memcpy(p->cls, nfa.cls, sizeof(p->cls));
	if (pat_dfa_minimise(&raw, &p->dfa) || pat_analyse(p, lim) || layout_run(p))
		goto err_pat;
	pat_dfa_free(&raw);
	pat_nfa_free(&nfa);
	pat_ast_free(&ast);
	*out = p;
	return 0;
err_pat:
	sv_pat_put(p);
err_raw:
	pat_dfa_free(&raw);
err_nfa:
	pat_nfa_free(&nfa);
err_ast:
	pat_ast_free(&ast);
	if (ret == -SV_ENOMEM)
		pat_err(err, 0, "out of memory");
	return ret;
}

int sv_pat_new_periodic(struct sv_pat **out)
{
	*out = pat_new(SV_PAT_PERIODIC);
	return *out ? 0 : -SV_ENOMEM;
}

struct sv_pat *sv_pat_get(struct sv_pat *p)
{
	BUG_ON(p->refs == 0 || p->refs == UINT32_MAX);
	p->refs++;
	return p;
}

void sv_pat_put(struct sv_pat *p)
{
	if (!p)
		return;
	BUG_ON(p->refs == 0);
	if (--p->refs)
		return;
	pat_dfa_free(&p->dfa);
	plat_free(p->run);
	plat_free(p->canon);
	plat_free(p);
}

void sv_pat_set_id(struct sv_pat *p, uint32_t id)
{
	p->id = id;
}

uint32_t sv_pat_id(const struct sv_pat *p)
{
	return p->id;
}

void sv_pat_info(const struct sv_pat *p, struct sv_pat_info *info)
{
	memset(info, 0, sizeof(*info));
	info->kind = p->kind;
	info->nfa_states = p->nfa_states;
	info->dfa_states_raw = p->dfa_states_raw;
	info->dfa_states = p->dfa.n;
	info->classes = p->dfa.ncls;
	info->analysed = p->analysed || p->kind == SV_PAT_PERIODIC;
	info->empty = p->empty;
	info->nsamples = p->nsamples;
	info->samples = p->samples;
}

const uint8_t *sv_pat_canonical(const struct sv_pat *p)
{
	return p->kind == SV_PAT_SINGULAR ? p->canon : NULL;
}

static inline uint64_t word(const void *page, unsigned i)
{
	uint64_t w;

	__builtin_memcpy(&w, (const uint8_t *)page + 8 * i, 8);
	return w;
}

bool sv_pat_prefilter(const struct sv_pat *p, const void *page)
{
	const uint8_t *pg = page;
	unsigned i;

	switch (p->kind) {
	case SV_PAT_PERIODIC:
		/* a 64-byte-periodic page: words 8 apart (64 bytes) are equal */
		return word(pg, 0) == word(pg, 8) && word(pg, 263) == word(pg, 255) &&
		       word(pg, 511) == word(pg, 503);
	case SV_PAT_SINGULAR:
		return word(pg, 0) == word(p->canon, 0) && word(pg, 170) == word(p->canon, 170) &&
		       word(pg, 341) == word(p->canon, 341) && word(pg, 511) == word(p->canon, 511);
	default:
		for (i = 0; i < p->nsamples; i++) {
			const struct sv_pat_sample *s = &p->samples[i];
			uint8_t b = pg[s->off];

			if (!((s->allowed[b >> 6] >> (b & 63)) & 1))
				return false;
		}
		return true;
	}
}

/* same_as_unit - every 64-byte line of @page equals @u (8 words). */
static bool same_as_unit(const void *page, const uint64_t *u)
{
	const uint8_t *pg = page;
	unsigned i;

	for (i = 0; i < PAGE_WORDS; i += 8) {
		uint64_t x = (word(pg, i) ^ u[0]) | (word(pg, i + 1) ^ u[1]) |
			     (word(pg, i + 2) ^ u[2]) | (word(pg, i + 3) ^ u[3]) |
			     (word(pg, i + 4) ^ u[4]) | (word(pg, i + 5) ^ u[5]) |
			     (word(pg, i + 6) ^ u[6]) | (word(pg, i + 7) ^ u[7]);
		if (x)
			return false;
	}
	return true;
}

static bool same_as_page(const void *page, const uint8_t *canon)
{
	unsigned i, j;

	for (i = 0; i < PAGE_WORDS; i += 8) {
		uint64_t x = 0;

		for (j = 0; j < 8; j++)
			x |= word(page, i + j) ^ word(canon, i + j);
		if (x)
			return false;
	}
	return true;
}

unsigned sv_pat_periodic_unit(const void *page)
{
	uint64_t u[8];
	const uint8_t *b = page;
	unsigned i, n;

	for (i = 0; i < 8; i++)
		u[i] = word(page, i);
	if (!same_as_unit(page, u))
		return 0;
	for (n = 1; n < 64; n <<= 1) {
		for (i = n; i < 64 && b[i] == b[i - n]; i++)
			;
		if (i == 64)
			return n;
	}
	return 64;
}

bool sv_pat_dfa_run(const struct sv_pat *p, const void *page)
{
	const uint8_t *pg = page, *cls = p->cls;
	const uint32_t *run = p->run;
	uint32_t s = p->dfa.start * p->dfa.ncls;
	uint32_t dead = p->dfa.dead == PAT_NONE ? UINT32_MAX : p->dfa.dead * p->dfa.ncls;
	unsigned i, j;

	if (!run)
		return false;
	for (i = 0; i < SV_PAT_PAGE; i += 64) {
		for (j = 0; j < 64; j += 4) {
			s = run[s + cls[pg[i + j]]];
			s = run[s + cls[pg[i + j + 1]]];
			s = run[s + cls[pg[i + j + 2]]];
			s = run[s + cls[pg[i + j + 3]]];
		}
		if (s == dead)
			return false;
	}
	return p->dfa.accept[s / p->dfa.ncls];
}

bool sv_pat_match(const struct sv_pat *p, const void *page, struct sv_pat_key *key)
{
	bool ok;

	switch (p->kind) {
	case SV_PAT_PERIODIC: {
		unsigned n = sv_pat_periodic_unit(page);

		if (!n)
			return false;
		if (key) {
			memset(key, 0, sizeof(*key));
			key->id = p->id;
			key->unit_len = (uint8_t)n;
			memcpy(key->unit, page, n);
		}
		return true;
	}
	case SV_PAT_SINGULAR:
		ok = p->canon_periodic ? same_as_unit(page, p->canon_unit)
				       : same_as_page(page, p->canon);
		break;
	default:
		ok = !p->empty && sv_pat_dfa_run(p, page);
	}
	if (ok && key) {
		memset(key, 0, sizeof(*key));
		key->id = p->id;
	}
	return ok;
}

int sv_pat_regenerate(const struct sv_pat *p, const struct sv_pat_key *key, void *page)
{
	uint8_t *pg = page;
	unsigned i;

	if (key->id != p->id)
		return -SV_EINVAL;
	switch (p->kind) {
	case SV_PAT_PERIODIC:
		if (!key->unit_len || key->unit_len > SV_PAT_UNIT_MAX ||
		    (key->unit_len & (key->unit_len - 1)))
			return -SV_EINVAL;
		for (i = 0; i < SV_PAT_PAGE; i += key->unit_len)
			memcpy(pg + i, key->unit, key->unit_len);
		return 0;
	case SV_PAT_SINGULAR:
		if (key->unit_len)
			return -SV_EINVAL;
		memcpy(pg, p->canon, SV_PAT_PAGE);
		return 0;
	default:
		return -SV_ENOENT;
	}
}

int sv_pat_key_format(const struct sv_pat_key *key, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%08x", key->id);
	unsigned i;

	if (key->unit_len && n >= 0 && (size_t)n < size)
		n += snprintf(buf + n, size - n, ":");
	for (i = 0; i < key->unit_len && n >= 0 && (size_t)n < size; i++)
		n += snprintf(buf + n, size - n, "%02x", key->unit[i]);
	return n;
}
