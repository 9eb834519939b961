// SPDX-License-Identifier: MIT
/*
 * pattern_compile.c - AST to Thompson NFA to DFA to minimal DFA.
 *
 * NFA: built back to front: build(node, next) returns the entry of a
 * fragment that continues at @next, so no patch lists are needed. Counted
 * repetition x{m,n} becomes m copies of x and then n-m nested optionals,
 * (x(x(x)?)?)?, whose epsilon closures stay small. Long concatenations and
 * alternations are walked in loops, so recursion depth follows the group
 * nesting (bounded by the parser), not the pattern length. The size of the
 * expansion is computed first, saturating, and checked against the limit.
 * The alphabet is then compressed: bytes in the same class are in exactly
 * the same byte sets of the pattern.
 *
 * DFA: subset construction over byte classes (one representative byte per
 * class decides which NFA states move). A DFA state is the sorted list of
 * the consuming NFA states (and MATCH) in an epsilon closure; lists live in
 * one pool, found again through an open-addressing hash. Three limits bound
 * the memory: DFA states, DFA states x classes (the table), the pool size.
 *
 * Minimisation: Hopcroft's partition refinement with the "smaller half"
 * worklist rule, O(k n log n): blocks are ranges of one permuted state array,
 * and the predecessors of a splitter are moved to the front of their block.
 * The result is renumbered breadth-first from the start state, so equal
 * languages give identical tables.
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

/* ---- subset construction ---- */

struct subset {
	const struct pat_nfa *nfa;
	const struct sv_pat_limits *lim;
	struct pat_dfa *dfa;
	uint32_t cap;			/* rows allocated in dfa->delta */
	uint32_t *pool, pool_len, pool_cap;
	uint32_t *off, *len;		/* per DFA state: its list in the pool */
	uint32_t *hash, hash_mask;	/* DFA state + 1, 0 = empty slot */
	uint32_t *mark, gen;		/* closure visit marks */
	uint32_t *stack, *tmp, ntmp;
};

static void closure_push(struct subset *ss, uint32_t x)
{
	const struct pat_nfa_state *st = ss->nfa->st;
	uint32_t sp = 0;

	ss->stack[sp++] = x;
	while (sp) {
		x = ss->stack[--sp];
		if (ss->mark[x] == ss->gen)
			continue;
		ss->mark[x] = ss->gen;
		if (st[x].type == NS_SPLIT) {
			ss->stack[sp++] = st[x].out1;
			ss->stack[sp++] = st[x].out;
		} else {
			ss->tmp[ss->ntmp++] = x;
		}
	}
}

/* sort_u32 - heapsort @a[0..n) ascending (bounded stack, no recursion). */
static void sort_u32(uint32_t *a, uint32_t n)
{
	uint32_t i, root, child, end, t;

	for (i = n / 2; i-- > 0;)
		for (root = i; (child = 2 * root + 1) < n; root = child) {
			if (child + 1 < n && a[child + 1] > a[child])
				child++;
			if (a[root] >= a[child])
				break;
			t = a[root], a[root] = a[child], a[child] = t;
		}
	for (end = n; end-- > 1;) {
		t = a[0], a[0] = a[end], a[end] = t;
		for (root = 0; (child = 2 * root + 1) < end; root = child) {
			if (child + 1 < end && a[child + 1] > a[child])
				child++;
			if (a[root] >= a[child])
				break;
			t = a[root], a[root] = a[child], a[child] = t;
		}
	}
}

static uint32_t hash_list(const uint32_t *a, uint32_t n)
{
	uint32_t h = 2166136261u ^ n;

	while (n--)
		h = (h ^ *a++) * 16777619u;
	return h ^ (h >> 15);
}

static void *grow(void *old, size_t old_bytes, size_t new_bytes)
{
	void *p = pat_calloc(1, new_bytes);

	if (p && old)
		memcpy(p, old, old_bytes);
	plat_free(old);
	return p;
}

/*
 * intern - the DFA state for the list in ss->tmp, added if new.
 * Returns its index, or a negative SV_E* (limits or memory).
 */
static int64_t intern(struct subset *ss, struct sv_pat_error *err)
{
	struct pat_dfa *d = ss->dfa;
	uint32_t h, slot, id, ncap;

	sort_u32(ss->tmp, ss->ntmp);
	h = hash_list(ss->tmp, ss->ntmp);
	for (slot = h & ss->hash_mask; ss->hash[slot]; slot = (slot + 1) & ss->hash_mask) {
		id = ss->hash[slot] - 1;
		if (ss->len[id] == ss->ntmp &&
		    !memcmp(ss->pool + ss->off[id], ss->tmp, ss->ntmp * sizeof(uint32_t)))
			return id;
	}
	if (d->n >= ss->lim->max_dfa_states) {
		pat_err(err, 0, "pattern too complex: its DFA exceeds %u states", ss->lim->max_dfa_states);
		return -SV_E2BIG;
	}
	if ((uint64_t)(d->n + 1) * d->ncls > ss->lim->max_dfa_cells) {
		pat_err(err, 0, "pattern too complex: its DFA exceeds %u states x byte classes",
			ss->lim->max_dfa_cells);
		return -SV_E2BIG;
	}
	if ((uint64_t)ss->pool_len + ss->ntmp > ss->lim->max_set_entries) {
		pat_err(err, 0, "pattern too complex: subset construction exceeds %u entries",
			ss->lim->max_set_entries);
		return -SV_E2BIG;
	}
	if (ss->pool_len + ss->ntmp > ss->pool_cap) {
		ncap = ss->pool_cap * 2 > ss->pool_len + ss->ntmp ? ss->pool_cap * 2 : ss->pool_len + ss->ntmp;
		ss->pool = grow(ss->pool, ss->pool_len * sizeof(uint32_t), (size_t)ncap * sizeof(uint32_t));
		if (!ss->pool)
			goto err_nomem;
		ss->pool_cap = ncap;
	}
	if (d->n == ss->cap) {
		ncap = ss->cap * 2;
		d->delta = grow(d->delta, (size_t)ss->cap * d->ncls * 4, (size_t)ncap * d->ncls * 4);
		d->accept = grow(d->accept, ss->cap, ncap);
		ss->off = grow(ss->off, (size_t)ss->cap * 4, (size_t)ncap * 4);
		ss->len = grow(ss->len, (size_t)ss->cap * 4, (size_t)ncap * 4);
		if (!d->delta || !d->accept || !ss->off || !ss->len)
			goto err_nomem;
		ss->cap = ncap;
	}
	id = d->n++;
	memcpy(ss->pool + ss->pool_len, ss->tmp, ss->ntmp * sizeof(uint32_t));
	ss->off[id] = ss->pool_len;
	ss->len[id] = ss->ntmp;
	ss->pool_len += ss->ntmp;
	d->accept[id] = ss->ntmp && ss->tmp[0] == 0;	/* NFA state 0 is MATCH */
	ss->hash[slot] = id + 1;
	return id;
err_nomem:
	pat_err(err, 0, "out of memory in subset construction");
	return -SV_ENOMEM;
}

int pat_dfa_build(const struct pat_nfa *nfa, const struct sv_pat_limits *lim,
		  struct pat_dfa *dfa, struct sv_pat_error *err)
{
	struct subset ss = { .nfa = nfa, .lim = lim, .dfa = dfa, .cap = 64 };
	uint32_t hsize = 1, d, c, i;
	int64_t id;
	int ret = -SV_ENOMEM;

	memset(dfa, 0, sizeof(*dfa));
	dfa->ncls = nfa->ncls;
	dfa->dead = PAT_NONE;
	while (hsize < 2 * lim->max_dfa_states)
		hsize <<= 1;
	ss.hash_mask = hsize - 1;
	ss.hash = pat_calloc(hsize, sizeof(uint32_t));
	ss.mark = pat_calloc(nfa->n, sizeof(uint32_t));
	ss.stack = pat_calloc(2 * (size_t)nfa->n + 2, sizeof(uint32_t));
	ss.tmp = pat_calloc(nfa->n, sizeof(uint32_t));
	dfa->delta = pat_calloc((size_t)ss.cap * dfa->ncls, sizeof(uint32_t));
	dfa->accept = pat_calloc(ss.cap, 1);
	ss.off = pat_calloc(ss.cap, sizeof(uint32_t));
	ss.len = pat_calloc(ss.cap, sizeof(uint32_t));
	if (!ss.hash || !ss.mark || !ss.stack || !ss.tmp || !dfa->delta || !dfa->accept ||
	    !ss.off || !ss.len) {
		pat_err(err, 0, "out of memory in subset construction");
		goto out;
	}
	ss.gen = 1;
	closure_push(&ss, nfa->start);
	if ((id = intern(&ss, err)) < 0) {
		ret = (int)id;
		goto out;
	}
	dfa->start = 0;
	for (d = 0; d < dfa->n; d++) {
		for (c = 0; c < dfa->ncls; c++) {
			uint8_t byte = nfa->rep[c];

			ss.gen++;
			ss.ntmp = 0;
			for (i = 0; i < ss.len[d]; i++) {
				const struct pat_nfa_state *st = &nfa->st[ss.pool[ss.off[d] + i]];

				if (st->type == NS_SET && pat_bset_has(&nfa->ast->nodes[st->set].set, byte))
					closure_push(&ss, st->out);
			}
			if ((id = intern(&ss, err)) < 0) {
				ret = (int)id;
				goto out;
			}
			dfa->delta[(size_t)d * dfa->ncls + c] = (uint32_t)id;
		}
	}
	ret = 0;
out:
	plat_free(ss.hash);
	plat_free(ss.mark);
	plat_free(ss.stack);
	plat_free(ss.tmp);
	plat_free(ss.pool);
	plat_free(ss.off);
	plat_free(ss.len);
	if (ret)
		pat_dfa_free(dfa);
	return ret;
}

void pat_dfa_free(struct pat_dfa *dfa)
{
	plat_free(dfa->delta);
	plat_free(dfa->accept);
	dfa->delta = NULL;
	dfa->accept = NULL;
	dfa->n = 0;
}

struct hopcroft {
	uint32_t n, k;
	uint32_t *elem, *loc, *blk;		/* partition: elem[bstart[b]..bend[b]) */
	uint32_t *bstart, *bend, *marked, nb;
	uint32_t *inv_off, *inv;		/* predecessors of t on c: inv_off[t*k+c].. */
	uint8_t *inw;				/* (block, class) is on the worklist */
	uint32_t *wl, nwl;			/* worklist of block * k + class */
	uint32_t *touched;
	uint32_t *tbuf;				/* members of the splitter block */
};

static void wl_push(struct hopcroft *h, uint32_t b, uint32_t c)
{
	h->inw[(size_t)b * h->k + c] = 1;
	h->wl[h->nwl++] = b * h->k + c;
}

/* split_block - move the marked front of block @y into a new block; updates the worklist. */
static void split_block(struct hopcroft *h, uint32_t y)
{
	uint32_t z = h->nb++, i, c, small;

	h->bstart[z] = h->bstart[y];
	h->bend[z] = h->bstart[y] + h->marked[y];
	h->bstart[y] = h->bend[z];
	h->marked[y] = 0;
	for (i = h->bstart[z]; i < h->bend[z]; i++)
		h->blk[h->elem[i]] = z;
	small = h->bend[z] - h->bstart[z] <= h->bend[y] - h->bstart[y] ? z : y;
	for (c = 0; c < h->k; c++) {
		if (h->inw[(size_t)y * h->k + c])
			wl_push(h, z, c);
		else
			wl_push(h, small, c);
	}
}

static void refine(struct hopcroft *h)
{
	uint32_t item, b, c, i, j, s, y, pos, ntouched, nt;

	while (h->nwl) {
		item = h->wl[--h->nwl];
		b = item / h->k;
		c = item % h->k;
		h->inw[item] = 0;
		ntouched = 0;
		/* copy the splitter out first: marking permutes elem[], B's range included */
		nt = h->bend[b] - h->bstart[b];
		memcpy(h->tbuf, h->elem + h->bstart[b], nt * sizeof(uint32_t));
		for (i = 0; i < nt; i++) {
			uint32_t t = h->tbuf[i], idx = t * h->k + c;

			for (j = h->inv_off[idx]; j < h->inv_off[idx + 1]; j++) {
				s = h->inv[j];
				y = h->blk[s];
				pos = h->bstart[y] + h->marked[y]++;
				if (h->marked[y] == 1)
					h->touched[ntouched++] = y;
				/* swap s into the marked front of its block */
				h->elem[h->loc[s]] = h->elem[pos];
				h->loc[h->elem[pos]] = h->loc[s];
				h->elem[pos] = s;
				h->loc[s] = pos;
			}
		}
		for (i = 0; i < ntouched; i++) {
			y = h->touched[i];
			if (h->marked[y] < h->bend[y] - h->bstart[y])
				split_block(h, y);
			else
				h->marked[y] = 0;
		}
	}
}

/* emit - renumber blocks breadth-first from the start block into @out; 0 or -SV_ENOMEM. */
static int emit(struct hopcroft *h, const struct pat_dfa *in, struct pat_dfa *out)
{
	uint32_t *newid = h->touched, *queue = h->wl, head = 0, tail = 0, b, c, t;

	memset(out, 0, sizeof(*out));
	out->ncls = h->k;
	out->n = h->nb;
	out->delta = pat_calloc((size_t)h->nb * h->k, sizeof(uint32_t));
	out->accept = pat_calloc(h->nb, 1);
	if (!out->delta || !out->accept) {
		pat_dfa_free(out);
		return -SV_ENOMEM;
	}
	for (b = 0; b < h->nb; b++)
		newid[b] = PAT_NONE;
	newid[h->blk[in->start]] = tail;
	queue[tail++] = h->blk[in->start];
	while (head < tail) {
		b = queue[head];
		for (c = 0; c < h->k; c++) {
			t = h->blk[in->delta[(size_t)h->elem[h->bstart[b]] * h->k + c]];
			if (newid[t] == PAT_NONE) {
				newid[t] = tail;
				queue[tail++] = t;
			}
			out->delta[(size_t)head * h->k + c] = newid[t];
		}
		out->accept[head] = in->accept[h->elem[h->bstart[b]]];
		head++;
	}
	BUG_ON(tail != h->nb);	/* subset construction only makes reachable states */
	out->start = 0;
	out->dead = PAT_NONE;
	for (b = 0; b < out->n && out->dead == PAT_NONE; b++) {
		if (out->accept[b])
			continue;
		for (c = 0; c < out->ncls && out->delta[(size_t)b * out->ncls + c] == b; c++)
			;
		if (c == out->ncls)
			out->dead = b;
	}
	return 0;
}

int pat_dfa_minimise(const struct pat_dfa *in, struct pat_dfa *out)
{
	struct hopcroft h = { .n = in->n, .k = in->ncls };
	size_t cells = (size_t)in->n * in->ncls, i;
	uint32_t s, nacc = 0, a = 0, r;
	int ret = -SV_ENOMEM;

	h.elem = pat_calloc(in->n, 4);
	h.loc = pat_calloc(in->n, 4);
	h.blk = pat_calloc(in->n, 4);
	h.bstart = pat_calloc(in->n, 4);
	h.bend = pat_calloc(in->n, 4);
	h.marked = pat_calloc(in->n, 4);
	h.touched = pat_calloc(in->n, 4);
	h.tbuf = pat_calloc(in->n, 4);
	h.inv_off = pat_calloc(cells + 1, 4);
	h.inv = pat_calloc(cells, 4);
	h.inw = pat_calloc(cells, 1);
	h.wl = pat_calloc(cells + in->n, 4);
	if (!h.elem || !h.loc || !h.blk || !h.bstart || !h.bend || !h.marked || !h.touched ||
	    !h.tbuf || !h.inv_off || !h.inv || !h.inw || !h.wl)
		goto out;
	/* predecessors, bucketed by (target, class) */
	for (i = 0; i < cells; i++)
		h.inv_off[(size_t)in->delta[i] * h.k + i % h.k + 1]++;
	for (i = 0; i < cells; i++)
		h.inv_off[i + 1] += h.inv_off[i];
	for (i = 0; i < cells; i++)
		h.inv[h.inv_off[(size_t)in->delta[i] * h.k + i % h.k]++] = (uint32_t)(i / h.k);
	for (i = cells; i > 0; i--)
		h.inv_off[i] = h.inv_off[i - 1];
	h.inv_off[0] = 0;
	/* initial partition: accepting states first, then the rest */
	for (s = 0; s < in->n; s++)
		nacc += in->accept[s];
	for (s = 0, r = nacc; s < in->n; s++) {
		uint32_t p = in->accept[s] ? a++ : r++;

		h.elem[p] = s;
		h.loc[s] = p;
		h.blk[s] = in->accept[s] || !nacc ? 0 : 1;
	}
	h.nb = 1;
	h.bstart[0] = 0;
	h.bend[0] = nacc ? nacc : in->n;
	if (nacc && nacc < in->n) {
		h.nb = 2;
		h.bstart[1] = nacc;
		h.bend[1] = in->n;
		for (s = 0; s < h.k; s++)
			wl_push(&h, nacc <= in->n - nacc ? 0 : 1, s);
	}
	refine(&h);
	ret = emit(&h, in, out);
out:
	plat_free(h.elem);
	plat_free(h.loc);
	plat_free(h.blk);
	plat_free(h.bstart);
	plat_free(h.bend);
	plat_free(h.marked);
	plat_free(h.touched);
	plat_free(h.tbuf);
	plat_free(h.inv_off);
	plat_free(h.inv);
	plat_free(h.inw);
	plat_free(h.wl);
	return ret;
}
