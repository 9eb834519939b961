// SPDX-License-Identifier: MIT
/*
 * pattern_nfa.c - AST to Thompson NFA, and the byte-class alphabet.
 *
 * The NFA is built back to front: build(node, next) returns the entry of a
 * fragment that continues at @next, so no patch lists are needed. Counted
 * repetition x{m,n} becomes m copies of x and then n-m nested optionals,
 * (x(x(x)?)?)?, whose epsilon closures stay small. Long concatenations and
 * alternations are walked in loops, so recursion depth follows the group
 * nesting (bounded by the parser), not the pattern length. The size of the
 * expansion is computed first, saturating, and checked against the limit.
 */
#include <string.h>

#include "mm/errno.h"
#include "mm/plat.h"
#include "sharing/pattern_int.h"

/* nfa_size - states build() will create for @node, saturating at @cap + 1. */
static uint64_t nfa_size(const struct pat_ast *ast, uint32_t node, uint64_t cap)
{
	const struct pat_node *nd = &ast->nodes[node];
	uint64_t total = 0, x;

	for (;;) {
		switch (nd->type) {
		case PN_EMPTY:
			return total;
		case PN_SET:
			return total + 1 > cap ? cap + 1 : total + 1;
		case PN_CAT:
		case PN_ALT:
			total += nfa_size(ast, nd->b, cap) + (nd->type == PN_ALT);
			if (total > cap)
				return cap + 1;
			nd = &ast->nodes[nd->a];
			continue;
		default:	/* PN_REP */
			x = nfa_size(ast, nd->a, cap);
			if (nd->max == PAT_INF)
				total += x * (nd->min + 1u) + 1;
			else
				total += x * nd->max + (nd->max - nd->min);
			return total > cap ? cap + 1 : total;
		}
	}
}

static uint32_t state_new(struct pat_nfa *nfa, uint8_t type, uint32_t out, uint32_t out1)
{
	struct pat_nfa_state *s;

	/* nfa_size() sized the array exactly. */
	BUG_ON(nfa->n >= nfa->cap);
	s = &nfa->st[nfa->n];
	s->type = type;
	s->out = out;
	s->out1 = out1;
	s->set = PAT_NONE;
	return nfa->n++;
}

/* build - the fragment for @node continuing at @next; returns its entry state. */
static uint32_t build(struct pat_nfa *nfa, uint32_t node, uint32_t next)
{
	const struct pat_node *nd = &nfa->ast->nodes[node];
	uint32_t s, prev = PAT_NONE, first = PAT_NONE, e;
	unsigned k;

	while (nd->type == PN_CAT) {
		next = build(nfa, nd->b, next);
		nd = &nfa->ast->nodes[nd->a];
	}
	if (nd->type == PN_ALT) {
		while (nd->type == PN_ALT) {
			s = state_new(nfa, NS_SPLIT, PAT_NONE, build(nfa, nd->b, next));
			if (prev == PAT_NONE)
				first = s;
			else
				nfa->st[prev].out = s;
			prev = s;
			nd = &nfa->ast->nodes[nd->a];
		}
		nfa->st[prev].out = build(nfa, (uint32_t)(nd - nfa->ast->nodes), next);
		return first;
	}
	switch (nd->type) {
	case PN_EMPTY:
		return next;
	case PN_SET:
		s = state_new(nfa, NS_SET, next, PAT_NONE);
		nfa->st[s].set = (uint32_t)(nd - nfa->ast->nodes);
		return s;
	default:	/* PN_REP */
		if (nd->max == PAT_INF) {
			s = state_new(nfa, NS_SPLIT, PAT_NONE, next);
			nfa->st[s].out = build(nfa, nd->a, s);
			e = s;
		} else {
			e = next;
			for (k = nd->min; k < nd->max; k++)
				e = state_new(nfa, NS_SPLIT, build(nfa, nd->a, e), next);
		}
		for (k = 0; k < nd->min; k++)
			e = build(nfa, nd->a, e);
		return e;
	}
}

/* make_classes - partition the 256 bytes by membership in every byte set of the AST. */
static void make_classes(struct pat_nfa *nfa)
{
	uint16_t map[2][256];
	uint8_t ncls[256];
	unsigned b, c, n = 1, fresh;
	uint32_t i;

	memset(nfa->cls, 0, sizeof(nfa->cls));
	for (i = 0; i < nfa->ast->n; i++) {
		const struct pat_node *nd = &nfa->ast->nodes[i];

		if (nd->type != PN_SET)
			continue;
		memset(map, 0xff, sizeof(map));
		fresh = 0;
		for (b = 0; b < 256; b++) {
			unsigned in = pat_bset_has(&nd->set, b);

			if (map[in][nfa->cls[b]] == 0xffff)
				map[in][nfa->cls[b]] = (uint16_t)fresh++;
			ncls[b] = (uint8_t)map[in][nfa->cls[b]];
		}
		memcpy(nfa->cls, ncls, sizeof(ncls));
		n = fresh;
	}
	nfa->ncls = n;
	for (c = 0, b = 0; b < 256; b++)
		if (nfa->cls[b] == c)	/* classes are numbered by first byte */
			nfa->rep[c++] = (uint8_t)b;
}

int pat_nfa_build(const struct pat_ast *ast, const struct sv_pat_limits *lim,
		  struct pat_nfa *nfa, struct sv_pat_error *err)
{
	uint64_t size = 1 + nfa_size(ast, ast->root, lim->max_nfa_states);

	memset(nfa, 0, sizeof(*nfa));
	nfa->ast = ast;
	if (size > lim->max_nfa_states) {
		pat_err(err, 0, "pattern too large: its expansion exceeds %u NFA states (expected fewer or smaller counts)",
			lim->max_nfa_states);
		return -SV_E2BIG;
	}
	nfa->cap = (uint32_t)size;
	nfa->st = pat_calloc(nfa->cap, sizeof(*nfa->st));
	if (!nfa->st) {
		pat_err(err, 0, "out of memory building the NFA");
		return -SV_ENOMEM;
	}
	state_new(nfa, NS_MATCH, PAT_NONE, PAT_NONE);
	nfa->start = build(nfa, ast->root, 0);
	make_classes(nfa);
	return 0;
}

void pat_nfa_free(struct pat_nfa *nfa)
{
	plat_free(nfa->st);
	nfa->st = NULL;
	nfa->n = nfa->cap = 0;
}
