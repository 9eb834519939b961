/* SPDX-License-Identifier: MIT */
/*
 * pattern_int.h - the pattern engine's internal stages and data structures.
 *
 * Only sharing/pattern*.c include this: the AST the parser builds, the
 * Thompson NFA, the DFA tables, and struct sv_pat itself. See pattern.h for
 * the algorithm.
 */
#ifndef SV_SHARING_PATTERN_INT_H
#define SV_SHARING_PATTERN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sharing/pattern.h"

#define PAT_INF		0xffffu		/* no upper bound in {m,} * + */
#define PAT_MAX_DEPTH	32		/* group nesting: bounds recursion on a 16 KiB stack */
#define PAT_NONE	0xffffffffu

/* A byte set: bit b of w[b / 64] is set when byte b is in the set. */
struct pat_bset {
	uint64_t w[4];
};

static inline bool pat_bset_has(const struct pat_bset *s, unsigned b)
{
	return (s->w[b >> 6] >> (b & 63)) & 1;
}

static inline void pat_bset_add(struct pat_bset *s, unsigned b)
{
	s->w[b >> 6] |= 1ull << (b & 63);
}

enum pat_node_type { PN_EMPTY, PN_SET, PN_CAT, PN_ALT, PN_REP };

/* pat_node - one AST node; children are indices into the node array. */
struct pat_node {
	uint8_t type;
	uint32_t pos;		/* where it starts in the pattern text */
	uint32_t a, b;		/* CAT/ALT: both children; REP: a */
	uint16_t min, max;	/* REP: counts, max may be PAT_INF */
	struct pat_bset set;	/* SET */
};

struct pat_ast {
	struct pat_node *nodes;
	uint32_t n, cap;
	uint32_t root;
};

enum pat_nfa_type { NS_SET, NS_SPLIT, NS_EPS, NS_MATCH };

/* pat_nfa_state - Thompson state: SET consumes a byte of @set to @out; SPLIT goes to both. */
struct pat_nfa_state {
	uint8_t type;
	uint32_t out, out1;
	uint32_t set;		/* SET: index of the AST node holding the byte set */
};

struct pat_nfa {
	struct pat_nfa_state *st;
	uint32_t n, cap, start;
	const struct pat_ast *ast;
	uint8_t cls[256];	/* byte -> class */
	uint8_t rep[256];	/* class -> a byte in it */
	uint32_t ncls;
};

/* pat_dfa - a complete DFA over byte classes; row s is delta[s * ncls ...]. */
struct pat_dfa {
	uint32_t n, ncls, start, dead;	/* dead is PAT_NONE if there is none */
	uint32_t *delta;
	uint8_t *accept;
};

struct sv_pat {
	uint32_t refs;
	uint32_t id;
	enum sv_pat_kind kind;
	uint32_t nfa_states, dfa_states_raw;
	uint8_t cls[256];
	struct pat_dfa dfa;		/* minimal; empty for the family */
	uint32_t *run;			/* k-byte transitions, premultiplied by row */
	uint32_t row;			/* ncls^stride: entries per state in run */
	unsigned stride;		/* bytes per transition: 1, 2, 4 or 8 */
	uint16_t (*ktab)[256];		/* [j][b]: class of b scaled for tuple position j */
	bool analysed, empty;
	uint8_t *canon;			/* singular: the one page */
	bool canon_periodic;		/* canon repeats its first 64 bytes */
	uint64_t canon_unit[8];
	uint64_t pre_word[4];		/* canon words 0, 170, 341, 511: its prefilter */
	unsigned nsamples;
	struct sv_pat_sample samples[SV_PAT_SAMPLES];
};

/* pat_word - the @i-th 64-bit word of @page (any alignment). */
static inline uint64_t pat_word(const void *page, unsigned i)
{
	uint64_t w;

	__builtin_memcpy(&w, (const uint8_t *)page + 8 * i, 8);
	return w;
}

/*
 * pat_prefilter - sv_pat_prefilter(), inline for pattern sets: false when
 * @page certainly does not match. The family: words 64 bytes apart are
 * equal in any page with a power-of-two period up to 64. Singular: four
 * words of the canonical page. General: the sampled byte sets.
 */
static inline bool pat_prefilter(const struct sv_pat *p, const void *page)
{
	const uint8_t *pg = page;
	unsigned i;

	switch (p->kind) {
	case SV_PAT_PERIODIC:
		return pat_word(pg, 0) == pat_word(pg, 8) && pat_word(pg, 263) == pat_word(pg, 255) &&
		       pat_word(pg, 511) == pat_word(pg, 503);
	case SV_PAT_SINGULAR:
		return pat_word(pg, 0) == p->pre_word[0] && pat_word(pg, 170) == p->pre_word[1] &&
		       pat_word(pg, 341) == p->pre_word[2] && pat_word(pg, 511) == p->pre_word[3];
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

/* pat_err - fill @err (may be NULL) with @pos and a formatted message; returns -SV_EINVAL. */
int pat_err(struct sv_pat_error *err, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* pat_parse - text to AST; 0, or -SV_EINVAL/-SV_ENOMEM with @err filled. */
int pat_parse(const char *re, size_t len, struct pat_ast *ast, struct sv_pat_error *err);
void pat_ast_free(struct pat_ast *ast);

/* pat_nfa_build - AST to Thompson NFA with byte classes; 0, -SV_E2BIG or -SV_ENOMEM. */
int pat_nfa_build(const struct pat_ast *ast, const struct sv_pat_limits *lim,
		  struct pat_nfa *nfa, struct sv_pat_error *err);
void pat_nfa_free(struct pat_nfa *nfa);

/* pat_dfa_build - subset construction; 0, -SV_E2BIG (a limit) or -SV_ENOMEM. */
int pat_dfa_build(const struct pat_nfa *nfa, const struct sv_pat_limits *lim,
		  struct pat_dfa *dfa, struct sv_pat_error *err);
/* pat_dfa_minimise - Hopcroft; @out gets the minimal DFA; 0 or -SV_ENOMEM. */
int pat_dfa_minimise(const struct pat_dfa *in, struct pat_dfa *out);
void pat_dfa_free(struct pat_dfa *dfa);

/* pat_analyse - the length-4096 analysis: kind, canonical page, samples; 0 or -SV_ENOMEM. */
int pat_analyse(struct sv_pat *p, const struct sv_pat_limits *lim);

/* pat_calloc - zeroed plat_alloc of @n * @size bytes, NULL on overflow or exhaustion. */
void *pat_calloc(size_t n, size_t size);

#endif
