// SPDX-License-Identifier: MIT
/*
 * test_console.c - unit tests of the console's command parser and line editor.
 *
 * kernel/shell_parse.c: tokenizing, the longest command-name match, every
 * command's argument errors, help lookups, numbers. kernel/lineedit.c:
 * printable input, backspace/DEL, Ctrl-U, Ctrl-C, CR/LF/CR LF, overflow,
 * ignored bytes. A fuzz loop feeds random bytes through le_feed and every
 * completed line through shell_parse: no crash, sane results; its work is a
 * fixed count of bytes (no test here measures time).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/lineedit.h"
#include "kernel/shell_parse.h"

static int parse(const char *line, struct shell_line *l, char *err)
{
	err[0] = '\0';
	return shell_parse(line, l, err, 128);
}

/* ---- tokenizing ---- */

static void test_empty_lines(void **state)
{
	struct shell_line l;
	char err[128];

	(void)state;
	assert_int_equal(parse("", &l, err), 0);
	assert_int_equal(parse("     ", &l, err), 0);
	assert_string_equal(err, "");
}

static void test_words_and_spaces(void **state)
{
	struct shell_line l;
	char err[128];

	(void)state;
	assert_int_equal(parse("stats", &l, err), 1);
	assert_int_equal(l.cmd, CMD_STATS);
	assert_int_equal(l.argc, 0);
	assert_int_equal(parse("   stats    json   ", &l, err), 1);
	assert_int_equal(l.cmd, CMD_STATS_JSON);
	assert_int_equal(l.argc, 0);
	assert_int_equal(parse("vm  pause   web1 ", &l, err), 1);
	assert_int_equal(l.cmd, CMD_VM_PAUSE);
	assert_int_equal(l.argc, 1);
	assert_string_equal(l.argv[0], "web1");
	/* "vm NAME": a one-word command whose argument is not a sub-command. */
	assert_int_equal(parse("vm web1", &l, err), 1);
	assert_int_equal(l.cmd, CMD_VM);
	assert_string_equal(l.argv[0], "web1");
	/* A prefix of a word is not the word. */
	assert_int_equal(parse("stat", &l, err), -1);
	assert_int_equal(parse("statsjson", &l, err), -1);
	assert_int_equal(parse("vm pauses", &l, err), 1);
	assert_int_equal(l.cmd, CMD_VM);
	assert_string_equal(l.argv[0], "pauses");
}

static void test_rest_of_line(void **state)
{
	struct shell_line l;
	char err[128];

	(void)state;
	assert_int_equal(parse("pattern add ab  (a b)*  x", &l, err), 1);
	assert_int_equal(l.cmd, CMD_PATTERN_ADD);
	assert_int_equal(l.argc, 2);
	assert_string_equal(l.argv[0], "ab");
	assert_string_equal(l.argv[1], "(a b)*  x");
	/* Leading and trailing spaces are not part of it (a trailing space is written \x20). */
	assert_int_equal(parse("pattern add sp    a b\\x20  ", &l, err), 1);
	assert_string_equal(l.argv[1], "a b\\x20");
	assert_int_equal(parse("pattern add sp   ", &l, err), -1);
}

static void test_unknown(void **state)
{
	struct shell_line l;
	char err[128], line[200];

	(void)state;
	/* The first word of two-word commands alone: what may follow. */
	assert_int_equal(parse("scan", &l, err), -1);
	assert_string_equal(err, "scan: expected a sub-command (usage: scan rate PAGES | scan now)");
	assert_int_equal(parse("pattern frob", &l, err), -1);
	assert_string_equal(err, "pattern: expected a sub-command "
			    "(usage: pattern add NAME REGEX | pattern del NAME)");
	/* A one-word command with words after it: its family's usage. */
	assert_int_equal(parse("stats frob", &l, err), -1);
	assert_string_equal(err, "stats: too many arguments (usage: stats | stats json | stats reset)");
	assert_int_equal(parse("vm pause a b", &l, err), -1);
	assert_string_equal(err, "vm pause: too many arguments (usage: vm pause NAME)");
	assert_int_equal(parse("vm", &l, err), -1);
	assert_string_equal(err, "vm: missing argument "
			    "(usage: vm NAME | vm pause NAME | vm resume NAME | vm destroy NAME)");
	assert_int_equal(parse("frob nicate", &l, err), -1);
	assert_string_equal(err, "unknown command 'frob' (try help)");
	memset(line, 'z', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	assert_int_equal(parse(line, &l, err), -1);
	assert_string_equal(err, "unknown command 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz' (try help)");
}

static void test_arguments_too_long(void **state)
{
	struct shell_line l;
	char err[128], line[400];

	(void)state;
	strcpy(line, "pattern add n ");
	memset(line + strlen(line), 'a', 300);
	line[14 + 300] = '\0';
	assert_int_equal(parse(line, &l, err), -1);
	assert_string_equal(err, "pattern add: arguments too long");
}

/* ---- every command's argument errors ---- */

/* line_with - the command's name and @n arguments "a0 a1 ...". */
static void line_with(char *buf, size_t len, int c, int n)
{
	snprintf(buf, len, "%s", shell_cmds[c].name);
	for (int i = 0; i < n; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), " a%d", i);
}

static void test_every_command_arguments(void **state)
{
	struct shell_line l;
	char err[128], line[256], want[128];

	(void)state;
	for (int c = 0; c < CMD_COUNT; c++) {
		const struct shell_cmd_info *ci = &shell_cmds[c];

		assert_non_null(ci->name);
		assert_true(ci->help && *ci->help);
		assert_true(ci->min_args <= ci->max_args && ci->max_args <= SHELL_MAX_ARGS);
		for (int d = 0; d < c; d++)
			assert_string_not_equal(ci->name, shell_cmds[d].name);
		/* Enough arguments: this command, with them in order. */
		for (int n = ci->min_args; n <= ci->max_args; n++) {
			line_with(line, sizeof(line), c, n);
			assert_int_equal(parse(line, &l, err), 1);
			assert_int_equal(l.cmd, c);
			assert_int_equal(l.argc, n);
			for (int i = 0; i < n; i++) {
				snprintf(want, sizeof(want), "a%d", i);
				assert_string_equal(l.argv[i], want);
			}
		}
		/* Too few. */
		if (ci->min_args > 0) {
			line_with(line, sizeof(line), c, ci->min_args - 1);
			assert_int_equal(parse(line, &l, err), -1);
			snprintf(want, sizeof(want), "%s: missing argument (usage: ", ci->name);
			assert_memory_equal(err, want, strlen(want));
			snprintf(want, sizeof(want), "%s %s", ci->name, ci->args);
			assert_non_null(strstr(err, want));
		}
		/* Too many (the rest-of-line argument swallows extra words). */
		line_with(line, sizeof(line), c, ci->max_args + 1);
		if (ci->rest) {
			assert_int_equal(parse(line, &l, err), 1);
			assert_int_equal(l.argc, ci->max_args);
		} else {
			assert_int_equal(parse(line, &l, err), -1);
			snprintf(want, sizeof(want), "%s: too many arguments (usage: ", ci->name);
			assert_memory_equal(err, want, strlen(want));
			snprintf(want, sizeof(want), "%s%s%s", ci->name, *ci->args ? " " : "", ci->args);
			assert_non_null(strstr(err, want));
		}
		assert_null(strchr(err, '\n'));
		/* A usage never ends in a space ("usage: stats "). */
		assert_null(strstr(err, " )"));
		assert_null(strstr(err, "  "));
	}
}

/* ---- help lookups: "help WORDS" parses, and WORDS name one command ---- */

static void test_help_lookup(void **state)
{
	struct shell_line l;
	char err[128], line[128];

	(void)state;
	assert_int_equal(parse("help", &l, err), 1);
	assert_int_equal(l.cmd, CMD_HELP);
	assert_int_equal(l.argc, 0);
	for (int c = 0; c < CMD_COUNT; c++) {
		char want[64] = "";
		int found = 0;

		snprintf(line, sizeof(line), "help %s", shell_cmds[c].name);
		assert_int_equal(parse(line, &l, err), 1);
		assert_int_equal(l.cmd, CMD_HELP);
		for (int i = 0; i < l.argc; i++)
			snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%s",
				 i ? " " : "", l.argv[i]);
		assert_string_equal(want, shell_cmds[c].name);
		for (int d = 0; d < CMD_COUNT; d++)
			found += !strcmp(shell_cmds[d].name, want);
		assert_int_equal(found, 1);
	}
	assert_int_equal(parse("help vm pause x", &l, err), -1);
	assert_string_equal(err, "help: too many arguments (usage: help [COMMAND])");
}

static void test_parse_uint(void **state)
{
	unsigned long v = 77;

	(void)state;
	assert_int_equal(shell_parse_uint("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(shell_parse_uint("1000000", 0, 1000000, &v), 0);
	assert_int_equal(v, 1000000);
	v = 77;
	assert_int_equal(shell_parse_uint("1000001", 0, 1000000, &v), -1);
	assert_int_equal(shell_parse_uint("0", 1, 3600, &v), -1);
	assert_int_equal(shell_parse_uint("", 0, 10, &v), -1);
	assert_int_equal(shell_parse_uint("-1", 0, 10, &v), -1);
	assert_int_equal(shell_parse_uint("1x", 0, 10, &v), -1);
	assert_int_equal(shell_parse_uint("99999999999999999999999999", 0, ~0ul, &v), -1);
	assert_int_equal(v, 77);
}

/* ---- line editor ---- */

static enum le_event feed(struct lineedit *le, const char *s, char *echo_all, size_t len)
{
	enum le_event ev = LE_NONE;
	char echo[8];

	if (echo_all)
		echo_all[0] = '\0';
	for (; *s; s++) {
		ev = le_feed(le, (unsigned char)*s, echo);
		assert_true(strlen(echo) < 8);
		if (echo_all)
			snprintf(echo_all + strlen(echo_all), len - strlen(echo_all), "%s", echo);
		if (ev != LE_NONE)
			break;
	}
	return ev;
}

static void test_le_typing_and_cr(void **state)
{
	struct lineedit le;
	char echo[64];

	(void)state;
	le_init(&le);
	assert_int_equal(feed(&le, "stats", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "stats");
	assert_int_equal(feed(&le, "\r", echo, sizeof(echo)), LE_LINE);
	assert_string_equal(echo, "\r\n");
	assert_string_equal(le.buf, "stats");
	assert_false(le.overflow);
}

static void test_le_crlf_and_lf(void **state)
{
	struct lineedit le;
	char echo[8];

	(void)state;
	le_init(&le);
	assert_int_equal(feed(&le, "a\r", NULL, 0), LE_LINE);
	le.len = 0;	/* the caller starts the next line; the CR state must stay */
	assert_int_equal(le_feed(&le, '\n', echo), LE_NONE);	/* the LF of CR LF */
	assert_string_equal(echo, "");
	assert_int_equal(feed(&le, "b\n", NULL, 0), LE_LINE);
	assert_string_equal(le.buf, "b");
	le.len = 0;
	assert_int_equal(le_feed(&le, '\n', echo), LE_LINE);	/* LF alone: an empty line */
	assert_string_equal(le.buf, "");
	le.len = 0;
	assert_int_equal(le_feed(&le, '\r', echo), LE_LINE);
	le.len = 0;
	assert_int_equal(le_feed(&le, '\r', echo), LE_LINE);	/* CR CR: two lines */
}

static void test_le_backspace(void **state)
{
	struct lineedit le;
	char echo[64];

	(void)state;
	le_init(&le);
	assert_int_equal(feed(&le, "\b\x7f", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "");	/* nothing to erase: no echo */
	assert_int_equal(feed(&le, "vmx\b\x7fs", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "vmx\b \b\b \bs");
	assert_int_equal(feed(&le, "\r", NULL, 0), LE_LINE);
	assert_string_equal(le.buf, "vs");
}

static void test_le_ctrl_u_and_c(void **state)
{
	struct lineedit le;
	char echo[64];

	(void)state;
	le_init(&le);
	assert_int_equal(feed(&le, "garbage\x15", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "garbage^U\r\n");
	assert_int_equal(le.len, 0);
	assert_int_equal(feed(&le, "ok\r", NULL, 0), LE_LINE);
	assert_string_equal(le.buf, "ok");
	le_init(&le);
	assert_int_equal(feed(&le, "half\x03", echo, sizeof(echo)), LE_CANCEL);
	assert_string_equal(echo, "half^C\r\n");
	assert_int_equal(le.len, 0);
	assert_string_equal(le.buf, "");
}

static void test_le_overflow(void **state)
{
	struct lineedit le;
	char echo[8];

	(void)state;
	le_init(&le);
	for (int i = 0; i < LINE_MAX + 50; i++) {
		assert_int_equal(le_feed(&le, 'x', echo), LE_NONE);
		assert_string_equal(echo, i < LINE_MAX ? "x" : "");
	}
	assert_int_equal(le.len, LINE_MAX);
	assert_true(le.overflow);
	assert_int_equal(le_feed(&le, '\r', echo), LE_LINE);
	assert_true(le.overflow);	/* the caller rejects the line */
	assert_int_equal(strlen(le.buf), LINE_MAX);
	/* Ctrl-U forgets the overflow too. */
	le_init(&le);
	for (int i = 0; i < LINE_MAX + 1; i++)
		le_feed(&le, 'y', echo);
	le_feed(&le, 0x15, echo);
	assert_false(le.overflow);
	assert_int_equal(feed(&le, "vms\r", NULL, 0), LE_LINE);
	assert_string_equal(le.buf, "vms");
}

static void test_le_ignored_bytes(void **state)
{
	struct lineedit le;
	char echo[8];

	(void)state;
	le_init(&le);
	for (int c = 0; c < 256; c++) {
		if (c == '\r' || c == '\n' || c == 0x03 || c == 0x15 || c == 0x08 || c == 0x7f ||
		    (c >= 0x20 && c < 0x7f))
			continue;
		assert_int_equal(le_feed(&le, (unsigned char)c, echo), LE_NONE);
		assert_string_equal(echo, "");
	}
	assert_int_equal(le.len, 0);
}

/* ---- fuzz: random bytes through the editor and the parser ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static void check_parse(const char *line)
{
	struct shell_line l;
	char err[128];
	int rc;

	err[0] = '\0';
	rc = shell_parse(line, &l, err, sizeof(err));
	assert_true(rc >= -1 && rc <= 1);
	if (rc < 0) {
		assert_true(err[0] != '\0');
		assert_null(strchr(err, '\n'));
		assert_true(strlen(err) < sizeof(err));
	}
	if (rc == 1) {
		assert_true(l.cmd >= 0 && l.cmd < CMD_COUNT);
		assert_true(l.argc >= shell_cmds[l.cmd].min_args &&
			    l.argc <= shell_cmds[l.cmd].max_args);
		for (int i = 0; i < l.argc; i++) {
			assert_true(l.argv[i] >= l.store &&
				    l.argv[i] < l.store + sizeof(l.store));
			assert_true(strlen(l.argv[i]) < sizeof(l.store));
		}
	}
}

static void test_fuzz(void **state)
{
	/* Words the parser knows, so that random lines reach argument checks. */
	static const char *const words[] = { "vm", "pause", "stats", "json", "pattern", "add",
					     "del", "scan", "rate", "help", "share", "watch",
					     "console", "x", "  ", "123" };
	struct lineedit le;
	char echo[8];
	unsigned lines = 0;

	(void)state;
	le_init(&le);
	for (long i = 0; i < 2000000; i++) {
		uint32_t r = next_rand();
		enum le_event ev;

		if ((r & 7) == 0) {	/* a known word, often */
			const char *w = words[(r >> 3) % (sizeof(words) / sizeof(words[0]))];

			for (; *w; w++)
				le_feed(&le, (unsigned char)*w, echo);
			ev = le_feed(&le, ' ', echo);
		} else if ((r & 0x3f) == 1) {
			ev = le_feed(&le, '\r', echo);
		} else {
			ev = le_feed(&le, (unsigned char)(r >> 8), echo);
		}
		assert_true(strlen(echo) < 8);
		assert_true(le.len <= LINE_MAX);
		if (ev == LE_LINE) {
			assert_true(strlen(le.buf) <= LINE_MAX);
			if (!le.overflow)
				check_parse(le.buf);
			lines++;
		}
		if (ev != LE_NONE) {
			bool cr = le.last_cr;

			le_init(&le);
			le.last_cr = cr;
		}
	}
	assert_true(lines > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_lines),
		cmocka_unit_test(test_words_and_spaces),
		cmocka_unit_test(test_rest_of_line),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_arguments_too_long),
		cmocka_unit_test(test_every_command_arguments),
		cmocka_unit_test(test_help_lookup),
		cmocka_unit_test(test_parse_uint),
		cmocka_unit_test(test_le_typing_and_cr),
		cmocka_unit_test(test_le_crlf_and_lf),
		cmocka_unit_test(test_le_backspace),
		cmocka_unit_test(test_le_ctrl_u_and_c),
		cmocka_unit_test(test_le_overflow),
		cmocka_unit_test(test_le_ignored_bytes),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
