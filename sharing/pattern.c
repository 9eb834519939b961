// SPDX-License-Identifier: MIT
/*
 * pattern.c - compiled patterns: the compile pipeline, matching, keys.
 *
 * sv_pat_compile() runs parse -> NFA -> DFA -> minimise -> analyse (see
 * pattern.h for the algorithm) and then lays the minimal DFA out for
 * matching in k-byte steps.
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

/*
 * Running a general DFA. A table-driven DFA is bound by its chain of
 * dependent loads: each step's row depends on the previous step's result.
 * So the table is laid out for k-byte steps (k = 8, 4, 2 or 1, the largest
 * whose table stays within RUN_CELLS entries, i.e. in L1): run[s + t] is the
 * state after the k-byte tuple t from state s, with states premultiplied by
 * the row length ncls^k. The tuple index t = sum over j of ktab[j][byte j]
 * does not depend on the state, so it is computed off the critical path; the
 * chain is one add and one load per k bytes. Bytes are read a 64-bit word at
 * a time, and the run stops at the dead state (checked every 64 bytes).
 */
#define RUN_CELLS 4096u		/* 16 KiB of uint32: stays in L1 */
/* layout_run - the k-byte matching tables; 0 or -SV_ENOMEM. */
static int layout_run(struct sv_pat *p)
{
	const struct pat_dfa *d = &p->dfa;
	uint32_t row = d->ncls, s, t, j, b, scale;
	unsigned k = 1;

	if (!d->n)
		return 0;
	while (k < 8 && (uint64_t)d->n * row * row <= RUN_CELLS) {
		row *= row;
		k *= 2;
	}
	p->stride = k;
	p->row = row;
	p->run = pat_calloc((size_t)d->n * row, sizeof(uint32_t));
	p->ktab = pat_calloc(k, sizeof(*p->ktab));
	if (!p->run || !p->ktab)
		return -SV_ENOMEM;
	/* run over k-tuples: the first byte is the most significant digit */
	for (s = 0; s < d->n; s++)
		for (t = 0; t < row; t++) {
			uint32_t st = s, rest = t, div = row;

			for (j = 0; j < k; j++) {
				div /= d->ncls;
				st = d->delta[(size_t)st * d->ncls + rest / div];
				rest %= div;
			}
			p->run[(size_t)s * row + t] = st * row;
		}
	for (j = 0, scale = row; j < k; j++) {
		scale /= d->ncls;
		for (b = 0; b < 256; b++)
			p->ktab[j][b] = (uint16_t)(p->cls[b] * scale);
	}
	return 0;
}

/* run_k - the DFA over @pg in @k-byte steps (k a constant after inlining); true if it ends accepting. */
static inline __attribute__((always_inline)) bool
run_k(const struct sv_pat *p, const uint8_t *pg, const unsigned k)
{
	const uint16_t (*t)[256] = p->ktab;
	const uint32_t *run = p->run;
	uint32_t s = p->dfa.start * p->row;
	uint32_t dead = p->dfa.dead == PAT_NONE ? UINT32_MAX : p->dfa.dead * p->row;
	unsigned i, j, q;

	for (i = 0; i < SV_PAT_PAGE; i += 64) {
		for (j = 0; j < 64; j += 8) {
			uint64_t w = pat_word(pg + i, j / 8);	/* little-endian: byte 0 is the low byte */

			for (q = 0; q < 8; q += k) {
				uint32_t idx = t[0][(w >> (8 * q)) & 0xff];

				if (k > 1)
					idx += t[1][(w >> (8 * q + 8)) & 0xff];
				if (k > 2)
					idx += t[2][(w >> (8 * q + 16)) & 0xff] + t[3][(w >> (8 * q + 24)) & 0xff];
				if (k > 4)
					idx += t[4][(w >> 32) & 0xff] + t[5][(w >> 40) & 0xff] +
					       t[6][(w >> 48) & 0xff] + t[7][w >> 56];
				s = run[s + idx];
			}
		}
		if (s == dead)
			return false;
	}
	return p->dfa.accept[s / p->row];
}

bool sv_pat_dfa_run(const struct sv_pat *p, const void *page)
{
	if (!p->run)
		return false;
	switch (p->stride) {
	case 8:
		return run_k(p, page, 8);
	case 4:
		return run_k(p, page, 4);
	case 2:
		return run_k(p, page, 2);
	default:
		return run_k(p, page, 1);
	}
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
	plat_free(p->ktab);
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

bool sv_pat_prefilter(const struct sv_pat *p, const void *page)
{
	return pat_prefilter(p, page);
}

/*
 * Page compares fold 256 bytes into one value per branch, which keeps pace
 * with a plain read pass where narrower blocks did not. Where the compiler
 * may use SSE2 (hosted builds) the fold uses GCC's generic vector extension
 * (plain C: no intrinsics, no arch header); the freestanding build
 * (-mno-sse) gets 64-bit words. Only these helpers differ.
 */
#ifdef __SSE2__
typedef uint64_t vword __attribute__((vector_size(16)));
#define VWORDS 2
static inline bool vnonzero(vword x)
{
	return (x[0] | x[1]) != 0;
}
#else
typedef uint64_t vword;
#define VWORDS 1
static inline bool vnonzero(vword x)
{
	return x != 0;
}
#endif
#define LINE_V	(8 / VWORDS)	/* vwords per 64-byte line */

static inline __attribute__((always_inline)) vword vload(const void *p, unsigned word_idx)
{
	vword v;

	__builtin_memcpy(&v, (const uint8_t *)p + 8 * word_idx, sizeof(v));
	return v;
}

/* same_as_unit - every 64-byte line of @page equals the 64 bytes at @unit. */
static bool same_as_unit(const void *page, const uint64_t *unit)
{
	vword u[LINE_V], x;
	unsigned i, j;

#pragma GCC unroll 8
	for (j = 0; j < LINE_V; j++)
		u[j] = vload(unit, j * VWORDS);
	for (i = 0; i < PAGE_WORDS; i += 32) {
		x = vload(page, i) ^ u[0];
#pragma GCC unroll 32
		for (j = 1; j < 32 / VWORDS; j++)
			x |= vload(page, i + j * VWORDS) ^ u[j % LINE_V];
		if (vnonzero(x))
			return false;
	}
	return true;
}

/* same_as_page - @page equals @canon (4096 bytes each). */
static bool same_as_page(const void *page, const uint8_t *canon)
{
	vword x;
	unsigned i, j;

	for (i = 0; i < PAGE_WORDS; i += 32) {
		x = vload(page, i) ^ vload(canon, i);
#pragma GCC unroll 32
		for (j = 1; j < 32 / VWORDS; j++)
			x |= vload(page, i + j * VWORDS) ^ vload(canon, i + j * VWORDS);
		if (vnonzero(x))
			return false;
	}
	return true;
}

/* halves_equal - the first @n bytes of the unit @u (n = 2..64) repeat their first half. */
static bool halves_equal(const uint64_t *u, unsigned n)
{
	unsigned i;

	if (n > 8) {
		for (i = 0; i < n / 16; i++)
			if (u[i] != u[i + n / 16])
				return false;
		return true;
	}
	/* within the first word: compare the low n/2 bytes with the next n/2 */
	return ((u[0] ^ (u[0] >> (4 * n))) & ((1ull << (4 * n)) - 1)) == 0;
}

unsigned sv_pat_periodic_unit(const void *page)
{
	uint64_t u[8];
	unsigned i, n = 64;

	for (i = 0; i < 8; i++)
		u[i] = pat_word(page, i);
	if (!same_as_unit(page, u))
		return 0;
	/* the smallest power-of-two period: halve while the halves agree */
	while (n > 1 && halves_equal(u, n))
		n /= 2;
	return n;
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
