// SPDX-License-Identifier: MIT
/* test_pattern_keys.c - pattern keys and regeneration, prefilter soundness, pattern sets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mm/errno.h"
#include "sharing/patset.h"

#define PAGE SV_PAT_PAGE

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static struct sv_pat *compile_ok(const char *re)
{
	struct sv_pat_error err = { 0 };
	struct sv_pat *p = NULL;

	if (sv_pat_compile(re, strlen(re), NULL, &p, &err))
		fail_msg("compile '%s': at %zu: %s", re, err.pos, err.msg);
	return p;
}

static void tile(uint8_t *pg, const uint8_t *unit, unsigned n)
{
	for (unsigned i = 0; i < PAGE; i++)
		pg[i] = unit[i % n];
}

/* The family: every unit size, the smallest period is the key, regenerate gives the page back. */
static void test_family_keys(void **state)
{
	struct sv_pat *p;
	struct sv_pat_key key;
	uint8_t unit[64], *pg = malloc(PAGE), *re = malloc(PAGE);
	unsigned n, i, iter;

	(void)state;
	assert_int_equal(sv_pat_new_periodic(&p), 0);
	sv_pat_set_id(p, 7);
	for (iter = 0; iter < 200; iter++) {
		for (n = 1; n <= 64; n <<= 1) {
			for (i = 0; i < n; i++)
				unit[i] = (uint8_t)rnd();
			if (iter & 1)	/* make a smaller period likely */
				for (i = n / 2; i < n; i++)
					unit[i] = unit[i - n / 2];
			tile(pg, unit, n);
			assert_true(sv_pat_prefilter(p, pg));
			assert_true(sv_pat_match(p, pg, &key));
			assert_int_equal(key.id, 7);
			assert_true(key.unit_len <= n);
			assert_int_equal(sv_pat_periodic_unit(pg), key.unit_len);
			/* no smaller power of two repeats */
			if (key.unit_len > 1) {
				unsigned h = key.unit_len / 2;

				for (i = h; i < 64 && pg[i] == pg[i - h]; i++)
					;
				assert_true(i < 64);
			}
			memset(re, 0x5a, PAGE);
			assert_int_equal(sv_pat_regenerate(p, &key, re), 0);
			assert_memory_equal(re, pg, PAGE);
			/* one byte off anywhere: no longer a member */
			i = (unsigned)(rnd() % PAGE);
			pg[i] ^= 1 + (uint8_t)(rnd() % 255);
			assert_false(sv_pat_match(p, pg, NULL));
		}
	}
	/* periods that are not powers of two (3, 48) are not members */
	tile(pg, (const uint8_t *)"abc", 3);
	assert_false(sv_pat_match(p, pg, NULL));
	key.unit_len = 3;
	assert_int_equal(sv_pat_regenerate(p, &key, re), -SV_EINVAL);
	key.unit_len = 4;
	key.id = 8;
	assert_int_equal(sv_pat_regenerate(p, &key, re), -SV_EINVAL);
	sv_pat_put(p);
	free(pg);
	free(re);
}

static void test_singular_keys(void **state)
{
	const char *res[] = { "\\x00{4096}", "(ab)*", "a{100}b{3996}", "(\\xde\\xad\\xbe\\xef){1024}" };
	struct sv_pat_key key;
	uint8_t *re = malloc(PAGE);
	char buf[160];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(res) / sizeof(res[0]); i++) {
		struct sv_pat *p = compile_ok(res[i]);
		const uint8_t *canon = sv_pat_canonical(p);

		sv_pat_set_id(p, (uint32_t)i + 1);
		assert_non_null(canon);
		assert_true(sv_pat_match(p, canon, &key));
		assert_int_equal(key.id, i + 1);
		assert_int_equal(key.unit_len, 0);
		memset(re, 0x77, PAGE);
		assert_int_equal(sv_pat_regenerate(p, &key, re), 0);
		assert_memory_equal(re, canon, PAGE);
		assert_int_equal(sv_pat_key_format(&key, buf, sizeof(buf)), 8);
		sv_pat_put(p);
	}
	free(re);
}

static void test_general_keys(void **state)
{
	struct sv_pat *p = compile_ok("[\\x00\\x01]*");
	struct sv_pat_key key;
	uint8_t *pg = calloc(1, PAGE);
	char buf[160];

	(void)state;
	sv_pat_set_id(p, 3);
	pg[17] = 1;
	assert_true(sv_pat_match(p, pg, &key));
	assert_int_equal(key.id, 3);
	assert_int_equal(sv_pat_regenerate(p, &key, pg), -SV_ENOENT);
	sv_pat_key_format(&key, buf, sizeof(buf));
	assert_string_equal(buf, "00000003");
	key.unit_len = 2;
	key.unit[0] = 0xab;
	key.unit[1] = 0x01;
	sv_pat_key_format(&key, buf, sizeof(buf));
	assert_string_equal(buf, "00000003:ab01");
	sv_pat_put(p);
	free(pg);
}

/* gen - a random page matching one of the generator patterns below. */
static void gen(unsigned which, uint8_t *pg)
{
	unsigned i;

	switch (which) {
	case 0:	/* ([\x00-\x0f]{2}\x00\x00)* */
		for (i = 0; i < PAGE; i++)
			pg[i] = (i & 3) < 2 ? rnd() & 15 : 0;
		break;
	case 1:	/* [\x00\x01]* */
		for (i = 0; i < PAGE; i++)
			pg[i] = rnd() & 1;
		break;
	case 2:	/* \x00*[\x01-\xff]{8}\x00* with the run anywhere */
		memset(pg, 0, PAGE);
		i = (unsigned)(rnd() % (PAGE - 8));
		for (unsigned k = 0; k < 8; k++)
			pg[i + k] = 1 + rnd() % 255;
		break;
	case 3:	/* (abc|de)*x* */
		for (i = 0; i < PAGE;) {
			unsigned r = rnd() % 3;

			if (r == 0 && i + 3 <= PAGE)
				memcpy(pg + i, "abc", 3), i += 3;
			else if (r == 1 && i + 2 <= PAGE)
				memcpy(pg + i, "de", 2), i += 2;
			else
				pg[i++] = 'x';
			if (pg[i - 1] == 'x')
				memset(pg + i, 'x', PAGE - i), i = PAGE;
		}
		break;
	default:	/* (\x00{7}[\x00-\xff])* : small integers in 64-bit words, big-endian */
		for (i = 0; i < PAGE; i++)
			pg[i] = (i & 7) == 7 ? (uint8_t)rnd() : 0;
	}
}

static const char *const gen_re[] = {
	"([\\x00-\\x0f]{2}\\x00\\x00)*",
	"[\\x00\\x01]*",
	"\\x00*[\\x01-\\xff]{8}\\x00*",
	"(abc|de)*x*",
	"(\\x00{7}.)*",
};

/* Soundness: every generated member matches and passes the prefilter; so do single-byte mutants that still match. */
static void test_prefilter_soundness(void **state)
{
	uint8_t *pg = malloc(PAGE);
	unsigned g, iter, k, rejected = 0, random_total = 0;

	(void)state;
	for (g = 0; g < sizeof(gen_re) / sizeof(gen_re[0]); g++) {
		struct sv_pat *p = compile_ok(gen_re[g]);
		struct sv_pat_info info;

		sv_pat_info(p, &info);
		assert_true(info.analysed);
		/* generator 2 allows every byte at every offset: nothing to sample */
		assert_true(g == 2 ? info.nsamples == 0 : info.nsamples > 0);
		for (iter = 0; iter < 300; iter++) {
			gen(g, pg);
			if (!sv_pat_match(p, pg, NULL))
				fail_msg("generator %u made a page '%s' does not match", g, gen_re[g]);
			assert_true(sv_pat_prefilter(p, pg));
			for (k = 0; k < 8; k++) {
				unsigned at = (unsigned)(rnd() % PAGE);
				uint8_t old = pg[at];

				/* mutate a sampled offset now and then, that is where it matters */
				if ((k & 1) && info.nsamples)
					at = info.samples[rnd() % info.nsamples].off, old = pg[at];
				pg[at] = (uint8_t)rnd();
				if (sv_pat_match(p, pg, NULL))
					assert_true(sv_pat_prefilter(p, pg));
				pg[at] = old;
			}
		}
		/* random pages: the prefilter rejects almost all of them */
		for (iter = 0; iter < 1000; iter++) {
			for (k = 0; k < PAGE; k += 8) {
				uint64_t w = rnd();
				memcpy(pg + k, &w, 8);
			}
			random_total += info.nsamples > 0;
			rejected += !sv_pat_prefilter(p, pg);
			assert_false(sv_pat_match(p, pg, NULL));
		}
		sv_pat_put(p);
	}
	assert_true(rejected > random_total * 99 / 100);
	free(pg);
}

/* The samples are exact: each allowed byte at a sampled offset occurs in some member, checked on a singular pattern. */
static void test_prefilter_exact_singular(void **state)
{
	struct sv_pat *p = compile_ok("(\\x00\\x01\\x02\\x03){1024}");
	struct sv_pat_info info;
	unsigned i;

	(void)state;
	sv_pat_info(p, &info);
	assert_int_equal(info.nsamples, SV_PAT_SAMPLES);
	for (i = 0; i < info.nsamples; i++) {
		unsigned off = info.samples[i].off, b = off & 3;

		assert_int_equal(info.samples[i].nallowed, 1);
		assert_true((info.samples[i].allowed[b >> 6] >> (b & 63)) & 1);
	}
	sv_pat_put(p);
}

static void test_set_defaults_first_hit(void **state)
{
	struct sv_patset set;
	struct sv_patset_snap *snap;
	struct sv_pat_hit hit;
	uint8_t *pg = calloc(1, PAGE), *re = malloc(PAGE);

	(void)state;
	assert_int_equal(sv_patset_init(&set, true), 0);
	snap = sv_patset_acquire(&set);
	assert_int_equal(snap->n, 2);
	assert_string_equal(snap->e[0].name, "zero");
	assert_string_equal(snap->e[1].name, "repeat");
	/* zero page: both match, "zero" is first */
	assert_true(sv_patset_match(snap, pg, &hit));
	assert_string_equal(hit.name, "zero");
	assert_int_equal(hit.index, 0);
	memset(re, 1, PAGE);
	assert_int_equal(sv_patset_regenerate(snap, &hit.key, re), 0);
	assert_memory_equal(re, pg, PAGE);
	/* repeating unit */
	tile(pg, (const uint8_t *)"\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	assert_true(sv_patset_match(snap, pg, &hit));
	assert_string_equal(hit.name, "repeat");
	assert_int_equal(hit.key.unit_len, 8);
	assert_int_equal(sv_patset_regenerate(snap, &hit.key, re), 0);
	assert_memory_equal(re, pg, PAGE);
	/* ordinary page */
	for (unsigned i = 0; i < PAGE; i++)
		pg[i] = (uint8_t)rnd();
	assert_false(sv_patset_match(snap, pg, &hit));
	sv_patset_release(snap);
	sv_patset_destroy(&set);
	free(pg);
	free(re);
}

static void test_set_add_remove_in_flight(void **state)
{
	struct sv_patset set;
	struct sv_patset_snap *old, *cur;
	struct sv_pat_hit hit;
	struct sv_pat_error err;
	uint8_t *pg = malloc(PAGE);
	int id1, id2;

	(void)state;
	assert_int_equal(sv_patset_init(&set, true), 0);
	id1 = sv_patset_add(&set, "ab", "(ab)*", 5, 0, &err);	/* at the front */
	assert_true(id1 > 0);
	old = sv_patset_acquire(&set);
	assert_int_equal(old->n, 3);
	assert_string_equal(old->e[0].name, "ab");
	tile(pg, (const uint8_t *)"ab", 2);
	assert_true(sv_patset_match(old, pg, &hit));
	assert_string_equal(hit.name, "ab");		/* before "repeat" */
	assert_int_equal(hit.key.id, id1);
	/* remove it while "old" is held: old keeps working, new does not see it */
	assert_int_equal(sv_patset_remove(&set, "ab"), 0);
	assert_int_equal(sv_patset_remove(&set, "ab"), -SV_ENOENT);
	cur = sv_patset_acquire(&set);
	assert_true(cur->generation > old->generation);
	assert_true(sv_patset_match(cur, pg, &hit));
	assert_string_equal(hit.name, "repeat");
	assert_true(sv_patset_match(old, pg, &hit));
	assert_string_equal(hit.name, "ab");
	assert_int_equal(sv_patset_regenerate(old, &hit.key, pg), 0);
	/* a stale key against the new snapshot */
	assert_int_equal(sv_patset_regenerate(cur, &hit.key, pg), -SV_ENOENT);
	sv_patset_release(old);	/* frees the last holder of "ab" */
	/* ids are never reused */
	id2 = sv_patset_add(&set, "ab", "(ab)*", 5, -1, &err);
	assert_true(id2 > id1);
	sv_patset_release(cur);
	/* errors */
	assert_int_equal(sv_patset_add(&set, "ab", "x", 1, -1, &err), -SV_EEXIST);
	assert_int_equal(err.pos, SV_PAT_NOPOS);
	assert_string_equal(err.msg, "the name is taken (see patterns)");
	/* A pattern no 4096-byte page matches is refused, in words. */
	memset(&err, 0, sizeof(err));
	assert_int_equal(sv_patset_add(&set, "tiny", "abc", 3, -1, &err), -SV_EINVAL);
	assert_int_equal(err.pos, SV_PAT_NOPOS);
	assert_non_null(strstr(err.msg, "can never match"));
	assert_int_equal(sv_patset_add(&set, "long", "a{4097}", 7, -1, &err), -SV_EINVAL);
	/* A space is a byte like any other. */
	assert_true(sv_patset_add(&set, "sp", "a b*", 4, -1, &err) > 0);
	assert_int_equal(sv_patset_remove(&set, "sp"), 0);
	assert_int_equal(sv_patset_add(&set, "bad name", "x", 1, -1, &err), -SV_EINVAL);
	assert_int_equal(sv_patset_add(&set, "", "x", 1, -1, &err), -SV_EINVAL);
	assert_int_equal(sv_patset_add(&set, "x", "(x", 2, -1, &err), -SV_EINVAL);
	assert_int_equal(err.pos, 2);
	sv_patset_destroy(&set);
	free(pg);
}

static void test_set_capacity(void **state)
{
	struct sv_patset set;
	struct sv_patset_snap *snap;
	struct sv_pat_hit hit;
	struct sv_pat_error err;
	char name[16], re[32];
	uint8_t *pg = malloc(PAGE);
	int i;

	(void)state;
	assert_int_equal(sv_patset_init(&set, false), 0);
	for (i = 0; i < SV_PATSET_MAX; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		snprintf(re, sizeof(re), "\\x%02x*", i + 1);
		assert_true(sv_patset_add(&set, name, re, strlen(re), -1, NULL) > 0);
	}
	assert_int_equal(sv_patset_add(&set, "one-more", "a", 1, -1, NULL), -SV_ENOSPC);
	assert_int_equal(sv_patset_add(&set, "one-more", "a*", 2, -1, &err), -SV_ENOSPC);
	assert_string_equal(err.msg, "the set is full (at most 64 patterns)");
	snap = sv_patset_acquire(&set);
	memset(pg, SV_PATSET_MAX, PAGE);	/* matches only the last one */
	assert_true(sv_patset_match(snap, pg, &hit));
	assert_int_equal(hit.index, SV_PATSET_MAX - 1);
	sv_patset_release(snap);
	sv_patset_destroy(&set);
	free(pg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_family_keys),
		cmocka_unit_test(test_singular_keys),
		cmocka_unit_test(test_general_keys),
		cmocka_unit_test(test_prefilter_soundness),
		cmocka_unit_test(test_prefilter_exact_singular),
		cmocka_unit_test(test_set_defaults_first_hit),
		cmocka_unit_test(test_set_add_remove_in_flight),
		cmocka_unit_test(test_set_capacity),
	};

	return cmocka_run_group_tests_name("pattern_keys", tests, NULL, NULL);
}
