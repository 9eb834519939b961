// SPDX-License-Identifier: MIT
/* test_pattern.c - the pattern parser, compiler (minimality, limits) and singularity analysis. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mm/errno.h"
#include "sharing/pattern.h"

#define PAGE SV_PAT_PAGE

static struct sv_pat *compile_ok(const char *re)
{
	struct sv_pat_error err = { 0 };
	struct sv_pat *p = NULL;
	int ret = sv_pat_compile(re, strlen(re), NULL, &p, &err);

	if (ret)
		fail_msg("compile '%s': %d at %zu: %s", re, ret, err.pos, err.msg);
	return p;
}

/* page_of - a page that starts with @prefix (@n bytes) and is filled with @fill. */
static uint8_t *page_of(const void *prefix, size_t n, uint8_t fill)
{
	static uint8_t pg[PAGE];

	memset(pg, fill, PAGE);
	memcpy(pg, prefix, n);
	return pg;
}

/* full - does @re match the page @prefix + fill? Checked on both the fast path and the DFA. */
static bool full(const char *re, const void *prefix, size_t n, uint8_t fill)
{
	struct sv_pat *p = compile_ok(re);
	uint8_t *pg = page_of(prefix, n, fill);
	bool m = sv_pat_match(p, pg, NULL);

	assert_int_equal(m, sv_pat_dfa_run(p, pg));
	if (m)
		assert_true(sv_pat_prefilter(p, pg));
	sv_pat_put(p);
	return m;
}

#define M(re, s, fill) full(re, s, sizeof(s) - 1, fill)

static void test_literals_and_escapes(void **state)
{
	(void)state;
	assert_true(M("ab.*", "ab", 0));
	assert_false(M("ab.*", "ac", 0));
	assert_true(M("\\x41\\x7a.*", "Az", 0));
	assert_true(M("\\x4A\\x4a.*", "JJ", 0));
	assert_true(M("\\n\\t\\r\\0.*", "\n\t\r\0", 1));
	assert_true(M("\\\\\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\-.*", "\\.*+?()[]{}|^$-", 0));
	assert_false(M("\\..*", "x", 0));
	assert_true(M(".\\x00*", "\xff", 0));		/* . is any byte, NUL too */
	assert_true(M("\\x00.\\x00*", "\0\n", 0));	/* . matches newline */
	assert_true(M("\xe9.*", "\xe9", 0));		/* raw high bytes are literals */
}

static void test_classes(void **state)
{
	(void)state;
	assert_true(M("[abc]x*", "b", 'x'));
	assert_false(M("[abc]x*", "d", 'x'));
	assert_true(M("[a-f0-9]{4}x*", "f09a", 'x'));
	assert_false(M("[a-f0-9]{4}x*", "f0g9", 'x'));
	assert_true(M("[\\x00-\\x1f]x*", "\x1f", 'x'));
	assert_true(M("[^a]x*", "b", 'x'));
	assert_false(M("[^a]x*", "a", 'x'));
	assert_true(M("[^\\x00-\\xfe]*", "", 0xff));
	assert_true(M("[-a]x*", "-", 'x'));
	assert_true(M("[a-]x*", "-", 'x'));
	assert_true(M("[\\]]x*", "]", 'x'));
	assert_true(M("[\\-]x*", "-", 'x'));
	assert_true(M("[^^]x*", "a", 'x'));
	assert_true(M("[.]x*", ".", 'x'));
	assert_false(M("[.]x*", "a", 'x'));
	assert_true(M("[[]x*", "[", 'x'));
}

static void test_groups_alternation_quantifiers(void **state)
{
	(void)state;
	assert_true(M("(ab|cd)*", "abcdcdab", 0) == false);	/* 0-fill is not ab/cd */
	assert_true(M("(ab|cd)*", "", 0) == false);
	assert_true(M("(ab|cd)*x*", "abcdcdab", 'x'));
	assert_true(M("(a|b|c|)x*", "", 'x'));
	assert_true(M("()x*", "", 'x'));
	assert_true(M("a?x*", "", 'x'));
	assert_true(M("a?x*", "a", 'x'));
	assert_true(M("a+x*", "aaa", 'x'));
	assert_false(M("a+x*", "", 'x'));
	assert_true(M("a{3}x*", "aaa", 'x'));
	assert_false(M("a{3}x*", "aa", 'x'));
	assert_false(M("a{3}x*", "aaaa", 'x'));
	assert_true(M("a{2,}x*", "aaaaa", 'x'));
	assert_false(M("a{2,}x*", "a", 'x'));
	assert_true(M("a{2,3}x*", "aaa", 'x'));
	assert_false(M("a{2,3}x*", "aaaa", 'x'));
	assert_true(M("a{0}x*", "", 'x'));
	assert_true(M("a{0,0}x*", "", 'x'));
	assert_true(M("((a|b){2}c)+x*", "abcbbc", 'x'));
	assert_true(M("x{4096}", "", 'x'));
	assert_false(M("x{4095}", "", 'x'));
	assert_true(M("x{4095,4096}", "", 'x'));
	assert_true(M("x{0,4096}", "", 'x'));
	assert_true(M("y{10}x{4086}", "yyyyyyyyyy", 'x'));
}

struct err_case {
	const char *re;
	size_t pos;
	const char *msg;	/* substring of the message */
};

static const struct err_case err_cases[] = {
	{ "abc)", 3, "unmatched ')'" },
	{ "(abc", 4, "expected ')' to close the group opened at 0" },
	{ "a(b(c)", 6, "expected ')' to close the group opened at 1" },
	{ "[abc", 4, "expected ']' to close the class opened at 0" },
	{ "x[^", 3, "expected ']' to close the class opened at 1" },
	{ "[]", 1, "expected a byte or range" },
	{ "[^]", 2, "expected a byte or range" },
	{ "[z-a]", 3, "range out of order" },
	{ "[\\x10-\\x01]", 6, "range out of order" },
	{ "*a", 0, "expected something to repeat before '*'" },
	{ "a|+", 2, "expected something to repeat before '+'" },
	{ "(?a)", 1, "expected something to repeat before '?'" },
	{ "{3}", 0, "expected something to repeat before '{'" },
	{ "a**", 2, "quantifier cannot follow a quantifier" },
	{ "a{2}{3}", 4, "quantifier cannot follow a quantifier" },
	{ "a+?", 2, "quantifier cannot follow a quantifier" },
	{ "a{", 2, "expected a count after '{'" },
	{ "a{x}", 2, "expected a count after '{'" },
	{ "a{,3}", 2, "expected a count after '{'" },
	{ "a{3", 3, "expected '}'" },
	{ "a{3,", 4, "expected '}'" },
	{ "a{3,x}", 4, "expected a count or '}' after ','" },
	{ "a{3,5", 5, "expected '}'" },
	{ "a{5,3}", 4, "counts out of order" },
	{ "a{4097}", 2, "count too large" },
	{ "a{1,99999}", 4, "count too large" },
	{ "\\", 0, "expected a character after '\\'" },
	{ "ab\\q", 2, "unknown escape '\\q'" },
	{ "\\x", 2, "expected two hex digits" },
	{ "\\xg0", 2, "expected two hex digits" },
	{ "\\x4", 3, "expected a second hex digit" },
	{ "\\x4z", 3, "expected a second hex digit" },
	{ "[\\xz]", 3, "expected two hex digits" },
	{ "[a\\", 2, "expected a character after '\\'" },
	{ "a]", 1, "unmatched ']'" },
	{ "a}", 1, "unmatched '}'" },
	{ "^a", 0, "anchor" },
	{ "a$", 1, "anchor" },
};

static void test_syntax_errors(void **state)
{
	struct sv_pat_error err;
	struct sv_pat *p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		const struct err_case *c = &err_cases[i];

		memset(&err, 0, sizeof(err));
		p = (struct sv_pat *)1;
		assert_int_equal(sv_pat_compile(c->re, strlen(c->re), NULL, &p, &err), -SV_EINVAL);
		assert_null(p);
		if (err.pos != c->pos || !strstr(err.msg, c->msg))
			fail_msg("'%s': got pos %zu '%s', expected pos %zu '%s'", c->re, err.pos,
				 err.msg, c->pos, c->msg);
	}
}

static void test_nesting_and_length_limits(void **state)
{
	char *re = malloc(SV_PAT_MAX_LEN + 2);
	struct sv_pat_error err;
	struct sv_pat *p;
	int i;

	(void)state;
	/* 32 levels are fine, 33 are not */
	for (i = 0; i < 32; i++)
		re[i] = '(', re[64 - i] = ')';
	re[32] = 'a';
	re[65] = 0;
	assert_int_equal(sv_pat_compile(re, 65, NULL, &p, &err), 0);
	sv_pat_put(p);
	memmove(re + 1, re, 66);
	re[0] = '(';
	strcat(re, ")");
	assert_int_equal(sv_pat_compile(re, strlen(re), NULL, &p, &err), -SV_EINVAL);
	assert_int_equal(err.pos, 32);
	assert_non_null(strstr(err.msg, "nested too deeply"));
	memset(re, 'a', SV_PAT_MAX_LEN + 1);
	assert_int_equal(sv_pat_compile(re, SV_PAT_MAX_LEN + 1, NULL, &p, &err), -SV_EINVAL);
	assert_non_null(strstr(err.msg, "too long"));
	free(re);
}

static uint32_t dfa_states(const char *re)
{
	struct sv_pat *p = compile_ok(re);
	struct sv_pat_info info;

	sv_pat_info(p, &info);
	sv_pat_put(p);
	return info.dfa_states;
}

/* Known minimal DFAs (the dead state counts as one). */
static void test_minimality(void **state)
{
	(void)state;
	assert_int_equal(dfa_states(".*"), 1);
	assert_int_equal(dfa_states("a*"), 2);
	assert_int_equal(dfa_states("(a|b)*abb"), 5);
	assert_int_equal(dfa_states("(a|b)*a(a|b){3}"), 17);
	assert_int_equal(dfa_states("(a|b)*a(a|b){9}"), 1025);
	assert_int_equal(dfa_states("(a*b*)*"), dfa_states("(a|b)*"));
	assert_int_equal(dfa_states("(a|aa)*"), dfa_states("a*"));
	assert_int_equal(dfa_states("a{0,5}a{0,5}"), dfa_states("a{0,10}"));
	assert_int_equal(dfa_states("a{3}"), 5);
	assert_int_equal(dfa_states("\\x00{4096}"), 4098);
	assert_int_equal(dfa_states("[\\x00-\\xff]*"), 1);
	assert_int_equal(dfa_states("[^\\x00-\\xff]"), 1);	/* rejects all: dead only */
	assert_int_equal(dfa_states("(ab|ac|ad)x"), dfa_states("a[bcd]x"));
	/* nested repetitions are simplified before the NFA: these compile, and minimally */
	assert_int_equal(dfa_states("(a?){4096}"), dfa_states("a{0,4096}"));
	assert_int_equal(dfa_states("(a*){7}"), 2);
	assert_int_equal(dfa_states("(a+){3,5}"), dfa_states("a{3,}"));
	assert_int_equal(dfa_states("(a+){0,2}"), 2);
	assert_int_equal(dfa_states("(a?){0}"), 2);		/* only the empty string */
}

static void test_state_limits(void **state)
{
	struct sv_pat_limits lim;
	struct sv_pat_error err;
	struct sv_pat *p;
	const char *re;

	(void)state;
	re = "(a|b)*a(a|b){20}";
	assert_int_equal(sv_pat_compile(re, strlen(re), NULL, &p, &err), -SV_E2BIG);
	assert_non_null(strstr(err.msg, "DFA exceeds 16384 states"));
	re = "(.{4096}){4096}";
	assert_int_equal(sv_pat_compile(re, strlen(re), NULL, &p, &err), -SV_E2BIG);
	assert_non_null(strstr(err.msg, "NFA states"));
	sv_pat_default_limits(&lim);
	lim.max_dfa_states = 100;
	re = "x{200}";
	assert_int_equal(sv_pat_compile(re, strlen(re), &lim, &p, &err), -SV_E2BIG);
	re = "x{98}";
	assert_int_equal(sv_pat_compile(re, strlen(re), &lim, &p, &err), 0);
	sv_pat_put(p);
	sv_pat_default_limits(&lim);
	lim.max_dfa_cells = 1000;
	re = "[a-z][a-z0-9]{400}";	/* 3 classes x 403 states */
	assert_int_equal(sv_pat_compile(re, strlen(re), &lim, &p, &err), -SV_E2BIG);
	assert_non_null(strstr(err.msg, "byte classes"));
	sv_pat_default_limits(&lim);
	lim.max_nfa_states = 50;
	re = "a{60}";
	assert_int_equal(sv_pat_compile(re, strlen(re), &lim, &p, &err), -SV_E2BIG);
	/* analysis over its edge budget: still correct, just general and unfiltered */
	sv_pat_default_limits(&lim);
	lim.max_analysis_edges = 10;
	re = "\\x00{4096}";
	assert_int_equal(sv_pat_compile(re, strlen(re), &lim, &p, &err), 0);
	{
		struct sv_pat_info info;
		uint8_t *pg = calloc(1, PAGE);

		sv_pat_info(p, &info);
		assert_false(info.analysed);
		assert_int_equal(info.kind, SV_PAT_DFA);
		assert_int_equal(info.nsamples, 0);
		assert_true(sv_pat_match(p, pg, NULL));
		pg[4095] = 1;
		assert_false(sv_pat_match(p, pg, NULL));
		free(pg);
	}
	sv_pat_put(p);
}

struct sing_case {
	const char *re;
	int kind;		/* -1: empty */
	const char *unit;	/* singular: the canonical page repeats this */
};

static const struct sing_case sing_cases[] = {
	{ "\\x00{4096}", SV_PAT_SINGULAR, "\0" },
	{ "\\x00*", SV_PAT_SINGULAR, "\0" },
	{ "(ab)*", SV_PAT_SINGULAR, "ab" },
	{ "(ab)*c?", SV_PAT_SINGULAR, "ab" },
	{ "(\\x00{4095}|\\x00{4096})", SV_PAT_SINGULAR, "\0" },
	{ "(abcd|abce)*", SV_PAT_DFA, NULL },
	{ "[ab]{4096}", SV_PAT_DFA, NULL },
	{ "x*(y|z)?", SV_PAT_DFA, NULL },
	{ "(a|b)a{4095}", SV_PAT_DFA, NULL },
	{ "a{4095}", -1, NULL },
	{ "(abc)*", -1, NULL },
	{ "[^\\x00-\\xff]*", -1, NULL },
	{ "(xyz)*x", SV_PAT_SINGULAR, "xyz" },
};

static void test_singularity(void **state)
{
	struct sv_pat_info info;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(sing_cases) / sizeof(sing_cases[0]); i++) {
		const struct sing_case *c = &sing_cases[i];
		struct sv_pat *p = compile_ok(c->re);
		const uint8_t *canon = sv_pat_canonical(p);

		sv_pat_info(p, &info);
		assert_true(info.analysed);
		if (c->kind < 0) {
			assert_true(info.empty);
			assert_int_equal(info.kind, SV_PAT_DFA);
		} else {
			assert_false(info.empty);
			if ((int)info.kind != c->kind)
				fail_msg("'%s': kind %d, expected %d", c->re, info.kind, c->kind);
		}
		if (c->kind == SV_PAT_SINGULAR) {
			size_t ul = strlen(c->unit) ? strlen(c->unit) : 1;

			assert_non_null(canon);
			for (k = 0; k < PAGE; k++)
				if (canon[k] != (uint8_t)c->unit[k % ul])
					fail_msg("'%s': canonical byte %zu is %02x", c->re, k, canon[k]);
			assert_true(sv_pat_dfa_run(p, canon));
			assert_true(sv_pat_match(p, canon, NULL));
			assert_true(sv_pat_prefilter(p, canon));
		} else {
			assert_null(canon);
		}
		sv_pat_put(p);
	}
}

/* A singular page that is not periodic: the slow-compare path. */
static void test_singular_aperiodic(void **state)
{
	struct sv_pat *p = compile_ok("a{100}b{3996}");
	uint8_t *pg = calloc(1, PAGE);

	(void)state;
	memset(pg, 'a', 100);
	memset(pg + 100, 'b', PAGE - 100);
	assert_memory_equal(sv_pat_canonical(p), pg, PAGE);
	assert_true(sv_pat_match(p, pg, NULL));
	pg[2000] = 'a';
	assert_false(sv_pat_match(p, pg, NULL));
	assert_false(sv_pat_dfa_run(p, pg));
	free(pg);
	sv_pat_put(p);
}

static void test_nul_in_pattern_text(void **state)
{
	struct sv_pat_error err;
	struct sv_pat *p;
	uint8_t *pg = calloc(1, PAGE);

	(void)state;
	assert_int_equal(sv_pat_compile("\0*", 2, NULL, &p, &err), 0);
	assert_true(sv_pat_match(p, pg, NULL));
	assert_non_null(sv_pat_canonical(p));
	sv_pat_put(p);
	free(pg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literals_and_escapes),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_groups_alternation_quantifiers),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_nesting_and_length_limits),
		cmocka_unit_test(test_minimality),
		cmocka_unit_test(test_state_limits),
		cmocka_unit_test(test_singularity),
		cmocka_unit_test(test_singular_aperiodic),
		cmocka_unit_test(test_nul_in_pattern_text),
	};

	return cmocka_run_group_tests_name("pattern", tests, NULL, NULL);
}
