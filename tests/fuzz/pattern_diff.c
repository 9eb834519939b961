// SPDX-License-Identifier: MIT
/*
 * pattern_diff.c - differential test of the pattern engine against PCRE2.
 *
 *   pattern-diff [-s SEED] [-n PATTERNS] [-v]
 *
 * Generates random pattern trees and renders each twice: in our syntax (with
 * randomly chosen spellings: raw bytes, \xHH, \n, escaped symbols) and in
 * PCRE2 syntax (every byte as \xHH, (?:) groups), compiled with
 * PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_DOTALL and no UTF. Each pattern
 * is wrapped so that whole pages can be generated from it (R F*, F* R,
 * (R)* F*, F{k} R F*), and checked on matching pages sampled from the tree,
 * near misses (1-3 bytes changed) and random pages. The verdicts must agree;
 * our prefilter must pass every matching page, and a singular pattern's
 * canonical page must equal the matching page. On a mismatch it prints the
 * seed, both renderings and the page position, and exits 1.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mm/errno.h"
#include "sharing/pattern.h"

#define PAGE SV_PAT_PAGE
#define TXT 4096

enum { T_LIT, T_CLASS, T_DOT, T_CAT, T_ALT, T_REP, T_EMPTY };

struct node {
	int type;
	uint8_t byte;			/* LIT */
	uint64_t set[4];		/* CLASS: the effective set */
	int nranges, neg;		/* CLASS rendering */
	uint8_t lo[4], hi[4];
	int min, max;			/* REP, max -1 = unbounded */
	struct node *k[3];
	int nk;
};

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned rn(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static const uint8_t alpha[] = { 'a', 'b', 'c', 0x00, 0xff, '\n', '.', '*', ']', '\\', 0x80 };

static uint8_t pick_byte(void)
{
	return rn(4) ? alpha[rn(sizeof(alpha))] : (uint8_t)rnd();
}

static bool in_set(const uint64_t *s, unsigned b)
{
	return (s[b >> 6] >> (b & 63)) & 1;
}

static struct node *mk(int type)
{
	struct node *n = calloc(1, sizeof(*n));

	n->type = type;
	return n;
}

static struct node *gen_class(void)
{
	struct node *n = mk(T_CLASS);
	int i, b;

	n->nranges = 1 + rn(3);
	n->neg = rn(4) == 0;
	for (i = 0; i < n->nranges; i++) {
		n->lo[i] = pick_byte();
		n->hi[i] = rn(2) ? n->lo[i] : (uint8_t)(n->lo[i] + rn(256 - n->lo[i]));
		for (b = n->lo[i]; b <= n->hi[i]; b++)
			n->set[b >> 6] |= 1ull << (b & 63);
	}
	if (n->neg)
		for (i = 0; i < 4; i++)
			n->set[i] = ~n->set[i];
	return n;
}

static struct node *gen(int depth)
{
	struct node *n;
	unsigned r = depth <= 0 ? rn(3) : rn(8);
	int i;

	switch (r) {
	case 0:
		n = mk(T_LIT);
		n->byte = pick_byte();
		return n;
	case 1:
		return gen_class();
	case 2:
		return rn(3) ? mk(T_DOT) : mk(T_EMPTY);
	case 3:
	case 4:
		n = mk(T_CAT);
		n->nk = 2 + rn(2);
		break;
	case 5:
		n = mk(T_ALT);
		n->nk = 2 + rn(2);
		break;
	default:
		n = mk(T_REP);
		n->nk = 1;
		switch (rn(6)) {
		case 0: n->min = 0, n->max = -1; break;
		case 1: n->min = 1, n->max = -1; break;
		case 2: n->min = 0, n->max = 1; break;
		case 3: n->min = n->max = rn(5); break;
		case 4: n->min = rn(4), n->max = -1; break;
		default: n->min = rn(4), n->max = n->min + rn(4); break;
		}
	}
	for (i = 0; i < n->nk; i++)
		n->k[i] = gen(depth - 1);
	return n;
}

static void node_free(struct node *n)
{
	for (int i = 0; i < n->nk; i++)
		node_free(n->k[i]);
	free(n);
}

struct out {
	char s[TXT * 2];
	size_t n;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(o->s + o->n, sizeof(o->s) - o->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		o->n += (size_t)k < sizeof(o->s) - o->n ? (size_t)k : sizeof(o->s) - o->n - 1;
}

/* ours_byte - one byte in our syntax, spelled one of several ways. */
static void ours_byte(struct out *o, uint8_t b, bool in_class)
{
	const char *meta = in_class ? "]\\^-[" : ".[](){}|*+?\\^$";
	unsigned r = rn(3);

	if (b && strchr(meta, b)) {
		put(o, r ? "\\%c" : "\\x%02x", b);
	} else if (b == '\n' && r == 0) {
		put(o, "\\n");
	} else if (b == 0 && r == 0) {
		put(o, "\\0");
	} else if (r == 1 || b == 0) {
		put(o, "\\x%02X", b);
	} else {
		o->s[o->n++] = (char)b;	/* raw, NUL-free by the branch above */
	}
}

static bool atomic(const struct node *n, bool pcre)
{
	(void)pcre;
	return n->type == T_LIT || n->type == T_CLASS || n->type == T_DOT;
}

static void render(struct out *o, const struct node *n, bool pcre)
{
	int i;

	switch (n->type) {
	case T_LIT:
		if (pcre)
			put(o, "\\x%02x", n->byte);
		else
			ours_byte(o, n->byte, false);
		break;
	case T_DOT:
		put(o, ".");
		break;
	case T_EMPTY:
		put(o, pcre ? "(?:)" : "()");
		break;
	case T_CLASS:
		put(o, n->neg ? "[^" : "[");
		for (i = 0; i < n->nranges; i++) {
			if (pcre)
				put(o, "\\x%02x", n->lo[i]);
			else
				ours_byte(o, n->lo[i], true);
			if (n->hi[i] != n->lo[i]) {
				put(o, "-");
				if (pcre)
					put(o, "\\x%02x", n->hi[i]);
				else
					ours_byte(o, n->hi[i], true);
			}
		}
		put(o, "]");
		break;
	case T_CAT:
	case T_ALT:
		put(o, pcre ? "(?:" : "(");
		for (i = 0; i < n->nk; i++) {
			if (i && n->type == T_ALT)
				put(o, "|");
			render(o, n->k[i], pcre);
		}
		put(o, ")");
		break;
	default:
		if (!atomic(n->k[0], pcre))
			put(o, pcre ? "(?:" : "(");
		render(o, n->k[0], pcre);
		if (!atomic(n->k[0], pcre))
			put(o, ")");
		if (n->min == 0 && n->max < 0)
			put(o, "*");
		else if (n->min == 1 && n->max < 0)
			put(o, "+");
		else if (n->min == 0 && n->max == 1)
			put(o, "?");
		else if (n->max < 0)
			put(o, "{%d,}", n->min);
		else if (n->min == n->max)
			put(o, "{%d}", n->min);
		else
			put(o, "{%d,%d}", n->min, n->max);
	}
}

/* sample - append a random member of @n to @buf at *@len (bounded); false if it has none. */
static bool sample(const struct node *n, uint8_t *buf, size_t *len)
{
	int i, c, k;
	unsigned b, tries;

	if (*len >= PAGE)
		return false;
	switch (n->type) {
	case T_LIT:
		buf[(*len)++] = n->byte;
		return true;
	case T_DOT:
		buf[(*len)++] = (uint8_t)rnd();
		return true;
	case T_EMPTY:
		return true;
	case T_CLASS:
		for (tries = 0; tries < 512; tries++) {
			b = tries < 256 ? rn(256) : tries - 256;
			if (in_set(n->set, b)) {
				buf[(*len)++] = (uint8_t)b;
				return true;
			}
		}
		return false;
	case T_CAT:
		for (i = 0; i < n->nk; i++)
			if (!sample(n->k[i], buf, len))
				return false;
		return true;
	case T_ALT:
		return sample(n->k[rn(n->nk)], buf, len);
	default:
		c = n->min + (int)rn(n->max < 0 ? 4 : n->max - n->min + 1);
		for (k = 0; k < c; k++)
			if (!sample(n->k[0], buf, len))
				return false;
		return true;
	}
}

struct stats {
	unsigned long patterns, skipped_ours, skipped_pcre, pages, matches;
};

static int check(const char *ours, size_t olen, const char *pcre, struct node *r, struct node *f,
		 int shape, int fk, struct stats *st, uint64_t seed, bool verbose)
{
	static uint8_t pg[PAGE], pre[PAGE], fill[256];
	unsigned nfill;
	struct sv_pat_error err = { 0 };
	struct sv_pat *p;
	pcre2_code *re;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	int errcode, ret, kind;
	PCRE2_SIZE eoff;
	size_t n, plen, fill_at, i;

	ret = sv_pat_compile(ours, olen, NULL, &p, &err);
	if (ret == -SV_E2BIG) {
		st->skipped_ours++;
		return 0;
	}
	if (ret) {
		printf("FAIL seed %llu: our compile failed (%d at %zu: %s)\n  ours: %.*s\n  pcre: %s\n",
		       (unsigned long long)seed, ret, err.pos, err.msg, (int)olen, ours, pcre);
		return 1;
	}
	re = pcre2_compile((PCRE2_SPTR)pcre, PCRE2_ZERO_TERMINATED,
			   PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_DOTALL, &errcode, &eoff, NULL);
	if (!re) {
		printf("FAIL seed %llu: pcre2_compile error %d at %zu: %s\n", (unsigned long long)seed,
		       errcode, (size_t)eoff, pcre);
		sv_pat_put(p);
		return 1;
	}
	md = pcre2_match_data_create_from_pattern(re, NULL);
	mc = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(mc, 200000);
	pcre2_set_depth_limit(mc, 100000);
	st->patterns++;
	for (i = 0, nfill = 0; i < 256; i++)
		if (in_set(f->set, (unsigned)i))
			fill[nfill++] = (uint8_t)i;
	for (kind = 0; kind < 6; kind++) {
		/* 0, 1: members; 2, 3: near misses; 4: random; 5: random over the filler */
		if (kind < 4 || kind == 5) {
			plen = 0;
			if (shape == 1 || shape == 3) {	/* F* R or F{k} R F*: room for the prefix */
				plen = shape == 3 ? (size_t)fk : 0;
			}
			n = 0;
			if (shape == 2) {
				for (i = rn(5); i > 0; i--)
					if (!sample(r, pre, &n))
						break;
			} else if (!sample(r, pre, &n)) {
				n = 0;
			}
			if (plen + n > PAGE)
				n = 0;
			for (i = 0; i < PAGE; i++)
				pg[i] = nfill ? fill[rn(nfill)] : 0;
			fill_at = shape == 1 ? PAGE - n : plen;
			memcpy(pg + fill_at, pre, n);
			if (kind == 2 || kind == 3)
				for (i = 1 + rn(3); i > 0; i--)
					pg[rn(4) ? fill_at + rn((unsigned)n + 8) % PAGE : rn(PAGE)] = pick_byte();
		} else {
			for (i = 0; i < PAGE; i++)
				pg[i] = pick_byte();
		}
		ret = pcre2_match(re, pg, PAGE, 0, 0, md, mc);
		if (ret == PCRE2_ERROR_MATCHLIMIT || ret == PCRE2_ERROR_DEPTHLIMIT ||
		    ret == PCRE2_ERROR_HEAPLIMIT) {
			st->skipped_pcre++;
			continue;
		}
		if (ret < 0 && ret != PCRE2_ERROR_NOMATCH) {
			printf("FAIL seed %llu: pcre2_match error %d\n", (unsigned long long)seed, ret);
			goto fail;
		}
		bool want = ret >= 0, got = sv_pat_match(p, pg, NULL);
		const uint8_t *canon = sv_pat_canonical(p);

		st->pages++;
		st->matches += want;
		if (want != got || (got && !sv_pat_prefilter(p, pg)) || got != sv_pat_dfa_run(p, pg) ||
		    (got && canon && memcmp(canon, pg, PAGE))) {
			printf("FAIL seed %llu: page kind %d: pcre2 %s, ours %s, prefilter %d, dfa %d, canon %s\n",
			       (unsigned long long)seed, kind, want ? "match" : "no match",
			       got ? "match" : "no match", sv_pat_prefilter(p, pg), sv_pat_dfa_run(p, pg),
			       canon ? (memcmp(canon, pg, PAGE) ? "differs" : "equal") : "-");
			printf("  ours: ");
			for (i = 0; i < olen; i++)
				printf(ours[i] >= 32 && ours[i] < 127 ? "%c" : "\\x%02x", (uint8_t)ours[i]);
			printf("\n  pcre: %s\n  page starts:", pcre);
			for (i = 0; i < 32; i++)
				printf(" %02x", pg[i]);
			printf("\n");
			goto fail;
		}
	}
	if (verbose)
		printf("ok: %s\n", pcre);
	pcre2_match_context_free(mc);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	sv_pat_put(p);
	return 0;
fail:
	pcre2_match_context_free(mc);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	sv_pat_put(p);
	return 1;
}

int main(int argc, char **argv)
{
	static struct out ours, pc;
	struct stats st = { 0 };
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 32);
	unsigned long n = 3000, i;
	bool verbose = false;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-s") && a + 1 < argc)
			seed = strtoull(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "-n") && a + 1 < argc)
			n = strtoul(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "-v"))
			verbose = true;
		else {
			fprintf(stderr, "usage: %s [-s SEED] [-n PATTERNS] [-v]\n", argv[0]);
			return 2;
		}
	}
	printf("pattern-diff: seed %llu, %lu patterns\n", (unsigned long long)seed, n);
	for (i = 0; i < n; i++) {
		uint64_t pseed = seed + i * 0x9e3779b97f4a7c15ull;
		struct node *r, *f;
		int shape, fk;

		rng = pseed | 1;
		r = gen(1 + rn(4));
		f = rn(3) ? gen_class() : mk(T_LIT);
		if (f->type == T_LIT) {
			f->byte = pick_byte();
			f->set[f->byte >> 6] |= 1ull << (f->byte & 63);
		} else if (!rn(4)) {
			f->type = T_DOT;
			memset(f->set, 0xff, sizeof(f->set));
		}
		shape = rn(4);
		fk = shape == 3 ? (int)(rn(3) ? rn(64) : rn(4097)) : 0;
		ours.n = pc.n = 0;
		/* shapes: R F*, F* R, (R)* F*, F{k} R F* */
		if (shape == 1) {
			render(&ours, f, false), put(&ours, "*"), render(&ours, r, false);
			render(&pc, f, true), put(&pc, "*"), render(&pc, r, true);
		} else {
			if (shape == 3) {
				render(&ours, f, false), put(&ours, "{%d}", fk);
				render(&pc, f, true), put(&pc, "{%d}", fk);
			}
			put(&ours, shape == 2 ? "(" : ""), put(&pc, shape == 2 ? "(?:" : "");
			render(&ours, r, false), render(&pc, r, true);
			put(&ours, shape == 2 ? ")*" : ""), put(&pc, shape == 2 ? ")*" : "");
			render(&ours, f, false), put(&ours, "*");
			render(&pc, f, true), put(&pc, "*");
		}
		pc.s[pc.n] = 0;
		if (check(ours.s, ours.n, pc.s, r, f, shape, fk, &st, pseed, verbose)) {
			printf("reproduce: pattern-diff -s %llu -n %lu (pattern %lu; alone: -s %llu -n 1)\n",
			       (unsigned long long)seed, n, i, (unsigned long long)pseed);
			return 1;
		}
		node_free(r);
		node_free(f);
	}
	printf("pattern-diff: %lu patterns, %lu pages (%lu matching), skipped %lu over our limits, %lu over PCRE2's\n",
	       st.patterns, st.pages, st.matches, st.skipped_ours, st.skipped_pcre);
	return 0;
}
