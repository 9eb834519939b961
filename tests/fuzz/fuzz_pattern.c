// SPDX-License-Identifier: MIT
/*
 * fuzz_pattern.c - libFuzzer target for the pattern parser, compiler and matcher.
 *
 * Input: one control byte, then the pattern text up to the first 0xff 0xfe
 * pair (or the end), then page material. The control byte picks the page
 * shapes to try. Compiled with small limits so every input is fast. Checks,
 * besides the sanitizers: a syntax error lies within the text; a match
 * passes the prefilter; the fast paths agree with the DFA; a singular
 * pattern matches its canonical page and regenerates it from the key; the
 * default set plus this pattern gives first-hit results consistent with
 * matching each pattern alone.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/errno.h"
#include "sharing/patset.h"

#define PAGE SV_PAT_PAGE

#define CHECK(c)                                                             \
	do {                                                                 \
		if (!(c)) {                                                  \
			fprintf(stderr, "fuzz_pattern: check failed: %s (line %d)\n", #c, __LINE__); \
			abort();                                             \
		}                                                            \
	} while (0)

static void check_page(struct sv_pat *p, const uint8_t *pg)
{
	static uint8_t re[PAGE];
	struct sv_pat_key key;
	bool m = sv_pat_match(p, pg, &key);

	CHECK(m == sv_pat_dfa_run(p, pg));
	if (!m)
		return;
	CHECK(sv_pat_prefilter(p, pg));
	if (sv_pat_canonical(p)) {
		CHECK(!memcmp(sv_pat_canonical(p), pg, PAGE));
		CHECK(sv_pat_regenerate(p, &key, re) == 0);
		CHECK(!memcmp(re, pg, PAGE));
	}
}

/* One default set for the whole run (compiling \x00{4096} per input would be slow); each input adds and removes itself. */
static struct sv_patset set;
static bool set_ready;

static void check_set(struct sv_pat *p, const uint8_t *pg)
{
	struct sv_patset_snap *snap;
	struct sv_pat_hit hit;
	static uint8_t re[PAGE];
	uint32_t i;
	bool any;

	if (!set_ready && sv_patset_init(&set, true))
		return;
	set_ready = true;
	if (sv_pat_id(p) != 0)
		return;		/* already added once for this input */
	CHECK(sv_patset_add_pat(&set, "fuzz", p, (pg[0] & 1) ? 0 : -1) > 0);
	snap = sv_patset_acquire(&set);
	any = sv_patset_match(snap, pg, &hit);
	for (i = 0; i < snap->n; i++) {
		bool m = sv_pat_match(snap->e[i].pat, pg, NULL);

		if (any && i < hit.index)
			CHECK(!m);
		if (any && i == hit.index)
			CHECK(m);
		if (!any)
			CHECK(!m);
	}
	if (any && sv_patset_regenerate(snap, &hit.key, re) == 0)
		CHECK(!memcmp(re, pg, PAGE));
	CHECK(sv_patset_remove(&set, "fuzz") == 0);
	sv_patset_release(snap);	/* the last holder of the pattern's set entry */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pg[PAGE];
	struct sv_pat_limits lim;
	struct sv_pat_error err;
	struct sv_pat *p;
	size_t tlen, rest, i;
	const uint8_t *mat;
	uint8_t ctl;
	int ret;

	if (size < 1)
		return 0;
	ctl = data[0];
	data++, size--;
	for (tlen = 0; tlen + 1 < size && !(data[tlen] == 0xff && data[tlen + 1] == 0xfe); tlen++)
		;
	if (tlen + 1 >= size)
		tlen = size;
	mat = data + tlen + 2;
	rest = tlen + 2 <= size ? size - tlen - 2 : 0;

	sv_pat_default_limits(&lim);
	lim.max_nfa_states = 8192;
	lim.max_dfa_states = 2048;
	lim.max_dfa_cells = 65536;
	lim.max_set_entries = 1 << 18;
	lim.max_analysis_edges = 8192;
	memset(&err, 0, sizeof(err));
	ret = sv_pat_compile((const char *)data, tlen, &lim, &p, &err);
	if (ret) {
		CHECK(ret == -SV_EINVAL || ret == -SV_E2BIG);
		CHECK(err.pos <= tlen);
		CHECK(memchr(err.msg, 0, sizeof(err.msg)) && err.msg[0]);
		return 0;
	}
	/* pages: zero, tiled material, material then filled with its last byte, canonical */
	memset(pg, 0, PAGE);
	check_page(p, pg);
	if (rest) {
		for (i = 0; i < PAGE; i++)
			pg[i] = mat[i % rest];
		check_page(p, pg);
		if (ctl & 1)
			check_set(p, pg);
		memset(pg, mat[rest - 1], PAGE);
		memcpy(pg, mat, rest < PAGE ? rest : PAGE);
		check_page(p, pg);
	}
	if (sv_pat_canonical(p)) {
		memcpy(pg, sv_pat_canonical(p), PAGE);
		check_page(p, pg);
		CHECK(sv_pat_match(p, pg, NULL));
		if (ctl & 2)
			check_set(p, pg);
		pg[(ctl * 37u) % PAGE] ^= 1;
		check_page(p, pg);
	}
	sv_pat_put(p);
	return 0;
}
