// SPDX-License-Identifier: MIT
/*
 * pattern_bench.c - pattern engine throughput against a plain read pass.
 *
 * All figures come from one run over the same pool of pages (POOL pages, so
 * the pool stays in L2 as pages would right after a scanner touched them):
 * the baseline reads every 64-bit word of each page; the rest match the
 * default set (zero, repeat) against random, zero and repeating-unit pages,
 * and run two general DFA patterns over pages they match in full. The rows
 * are timed round-robin for ROUNDS rounds (so a busy neighbour slows them
 * all alike) and each keeps its best, reported as GB/s of page content and
 * as a ratio to the baseline's best.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sharing/patset.h"

#define PAGE	SV_PAT_PAGE
#define POOL	64
#define ROUNDS	9
#define SLICE_NS 40000000ull	/* one timed run: at least 40 ms */

static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static volatile uint64_t sink;

typedef uint64_t (*pass_fn)(const uint8_t *pool, const void *arg);

/* read_pass - the baseline: sum every word of every page. */
static uint64_t read_pass(const uint8_t *pool, const void *arg)
{
	uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	size_t p, i;

	(void)arg;
	for (p = 0; p < POOL; p++) {
		const uint64_t *w = (const uint64_t *)(pool + p * PAGE);

		for (i = 0; i < PAGE / 8; i += 4) {
			s0 += w[i];
			s1 += w[i + 1];
			s2 += w[i + 2];
			s3 += w[i + 3];
		}
	}
	return s0 ^ s1 ^ s2 ^ s3;
}

static uint64_t set_pass(const uint8_t *pool, const void *arg)
{
	struct sv_pat_hit hit;
	uint64_t hits = 0;
	size_t p;

	for (p = 0; p < POOL; p++)
		hits += sv_patset_match(arg, pool + p * PAGE, &hit);
	return hits;
}

static uint64_t pat_pass(const uint8_t *pool, const void *arg)
{
	uint64_t hits = 0;
	size_t p;

	for (p = 0; p < POOL; p++)
		hits += sv_pat_prefilter(arg, pool + p * PAGE) && sv_pat_match(arg, pool + p * PAGE, NULL);
	return hits;
}

/* time_pass - GB/s of one timed run of @fn (repeated for at least SLICE_NS); *@res gets its result. */
static double time_pass(pass_fn fn, const uint8_t *pool, const void *arg, uint64_t *res)
{
	uint64_t t0 = now_ns(), t, n = 0;

	do {
		*res = fn(pool, arg);
		sink += *res;
		n++;
	} while ((t = now_ns() - t0) < SLICE_NS);
	return (double)n * POOL * PAGE / (double)t;
}

static struct sv_pat *compile(const char *re)
{
	struct sv_pat_error err;
	struct sv_pat *p;

	if (sv_pat_compile(re, strlen(re), NULL, &p, &err)) {
		fprintf(stderr, "pattern-bench: %s: %s at %zu\n", re, err.msg, err.pos);
		exit(1);
	}
	return p;
}

int main(void)
{
	uint8_t *random = aligned_alloc(PAGE, POOL * PAGE), *zero = aligned_alloc(PAGE, POOL * PAGE);
	uint8_t *rep = aligned_alloc(PAGE, POOL * PAGE), *ints = aligned_alloc(PAGE, POOL * PAGE);
	uint8_t *text = aligned_alloc(PAGE, POOL * PAGE), *words = aligned_alloc(PAGE, POOL * PAGE);
	const char *ints_re = "(\\x00{3}[\\x00-\\x7f])*";
	const char *text_re = "[\\x09\\x0a\\x0d\\x20-\\x7e]*";
	const char *words_re = "(\\x00{8}|\\xff{8}){512}";	/* 7682 states: 1-byte steps */
	struct sv_patset set;
	struct sv_patset_snap *snap;
	struct sv_pat *pi, *pt, *pw;
	uint64_t res;
	size_t i, p;

	for (i = 0; i < POOL * PAGE; i += 8) {
		uint64_t w = rnd();
		memcpy(random + i, &w, 8);
	}
	memset(zero, 0, POOL * PAGE);
	for (p = 0; p < POOL; p++) {
		unsigned n = 1u << (p % 7);	/* units of 1..64 bytes */
		uint8_t unit[64];

		for (i = 0; i < n; i++)
			unit[i] = (uint8_t)(rnd() | 1);
		for (i = 0; i < PAGE; i++)
			rep[p * PAGE + i] = unit[i % n];
		for (i = 0; i < PAGE; i++) {
			ints[p * PAGE + i] = (i & 3) == 3 ? rnd() & 0x7f : 0;
			text[p * PAGE + i] = (uint8_t)(0x20 + rnd() % 95);
		}
		for (i = 0; i < PAGE; i += 8)
			memset(words + p * PAGE + i, (rnd() & 1) ? 0xff : 0, 8);
	}
	if (sv_patset_init(&set, true)) {
		fprintf(stderr, "pattern-bench: out of memory\n");
		return 1;
	}
	snap = sv_patset_acquire(&set);
	pi = compile(ints_re);
	pt = compile(text_re);
	pw = compile(words_re);

	struct row {
		const char *label;
		pass_fn fn;
		const uint8_t *pool;
		const void *arg;
		uint64_t expect;
		double best;
		bool wrong;
	} rows[] = {
		{ "baseline: plain read pass", read_pass, random, NULL, 0, 0, false },
		{ "default set, random pages (none match)", set_pass, random, snap, 0, 0, false },
		{ "default set, zero pages (zero)", set_pass, zero, snap, POOL, 0, false },
		{ "default set, repeating-unit pages (repeat)", set_pass, rep, snap, POOL, 0, false },
		{ "DFA (\\x00{3}[\\x00-\\x7f])*, matching pages", pat_pass, ints, pi, POOL, 0, false },
		{ "DFA [\\x09\\x0a\\x0d\\x20-\\x7e]*, text pages", pat_pass, text, pt, POOL, 0, false },
		{ "DFA (\\x00{8}|\\xff{8}){512}, matching pages", pat_pass, words, pw, POOL, 0, false },
		{ "DFA (\\x00{3}[\\x00-\\x7f])*, random pages", pat_pass, random, pi, 0, 0, false },
	};
	size_t nrows = sizeof(rows) / sizeof(rows[0]), r, k;

	for (k = 0; k < ROUNDS; k++)
		for (r = 0; r < nrows; r++) {
			double g = time_pass(rows[r].fn, rows[r].pool, rows[r].arg, &res);

			if (g > rows[r].best)
				rows[r].best = g;
			if (r && res != rows[r].expect)
				rows[r].wrong = true;
		}
	printf("pattern engine benchmark: %d-page pool (%d KiB), best of %d round-robin rounds\n",
	       POOL, POOL * 4, ROUNDS);
	for (r = 0; r < nrows; r++)
		printf("%-46s %8.2f GB/s %7.2fx%s\n", rows[r].label, rows[r].best,
		       rows[r].best / rows[0].best, rows[r].wrong ? "  (UNEXPECTED RESULT)" : "");

	sv_pat_put(pi);
	sv_pat_put(pt);
	sv_pat_put(pw);
	free(words);
	sv_patset_release(snap);
	sv_patset_destroy(&set);
	free(random);
	free(zero);
	free(rep);
	free(ints);
	free(text);
	return 0;
}
