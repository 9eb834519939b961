// SPDX-License-Identifier: MIT
/*
 * pattern_run.c - running a minimal DFA over a page, k bytes per step.
 *
 * A table-driven DFA is bound by its chain of dependent loads: each step's
 * row depends on the previous step's result. So the table is laid out for
 * k-byte steps (k = 8, 4, 2 or 1, the largest whose table stays within
 * RUN_CELLS entries, i.e. in L1): run[s + t] is the state after the k-byte
 * tuple t from state s, with states premultiplied by the row length
 * ncls^k. The tuple index t = sum over j of ktab[j][byte j] does not depend
 * on the state, so it is computed off the critical path; the chain is one
 * add and one load per k bytes. Bytes are read a 64-bit word at a time, and
 * the run stops at the dead state (checked every 64 bytes).
 */
#include <string.h>

#include "mm/errno.h"
#include "mm/plat.h"
#include "sharing/pattern_int.h"

#define RUN_CELLS 4096u		/* 16 KiB of uint32: stays in L1 */

int pat_layout_run(struct sv_pat *p)
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

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t w;

	__builtin_memcpy(&w, p, 8);
	return w;
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
			uint64_t w = load64(pg + i + j);	/* little-endian: byte 0 is the low byte */

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
