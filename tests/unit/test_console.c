// SPDX-License-Identifier: MIT
/*
 * test_console.c - unit tests of the console's command parser and line editor.
 *
 * kernel/shell_parse.c: tokenizing, the longest command-name match, every
 * command's argument errors, help lookups, numbers, Tab's words
 * (shell_complete). kernel/lineedit.c: every key (printable input at the
 * cursor, BS/DEL, Delete, Ctrl-W/K/U/L/C, Left/Right/Home/End, history
 * Up/Down and its bounds, Tab with no, one and several matches), escape
 * sequences known, unknown and split across calls, CR/LF/CR LF, long lines
 * and overflow, bytes that are not text. The echo is played on a model of
 * a dumb terminal line (CR, BS, printable) that must show the line with the
 * cursor in place after every key. A fuzz loop feeds random bytes through
 * le_feed (with completion and the terminal model) and every completed line
 * through shell_parse: no crash, sane results; its work is a fixed count of
 * bytes (no test here measures time).
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

/*
 * A terminal line as the echo draws it: CR to column 0, BS one column left,
 * a printable character overwrites and moves right; LF starts a new line
 * (the model keeps only the current one). No other byte may appear.
 */
struct term {
	char cells[2 * LE_ECHO_MAX];
	unsigned n, col;
};

static void term_put(struct term *t, const char *s)
{
	for (; *s; s++) {
		if (*s == '\r') {
			t->col = 0;
		} else if (*s == '\n') {
			t->n = t->col = 0;
		} else if (*s == '\b') {
			assert_true(t->col > 0);	/* never BS at column 0: it would not wrap back */
			t->col--;
		} else {
			assert_true(*s >= 0x20 && *s <= 0x7e);
			assert_true(t->col < sizeof(t->cells));
			t->cells[t->col++] = *s;
			if (t->col > t->n)
				t->n = t->col;
		}
	}
}

/* term_check - the screen shows exactly the line (blanks after it) with the cursor at cur. */
static void term_check(const struct term *t, const struct lineedit *le)
{
	assert_int_equal(le->buf[le->len], '\0');
	assert_int_equal(strlen(le->buf), le->len);
	assert_true(le->cur <= le->len);
	assert_true(t->n >= le->len);
	assert_memory_equal(t->cells, le->buf, le->len);
	for (unsigned i = le->len; i < t->n; i++)
		assert_int_equal(t->cells[i], ' ');
	assert_int_equal(t->col, le->cur);
}

/* term_redraw - what the console does on LE_REDRAW (without the prompt). */
static void term_redraw(struct term *t, const struct lineedit *le)
{
	char echo[LE_ECHO_MAX];

	le_draw(le, echo);
	t->n = t->col = 0;
	term_put(t, echo);
}

/*
 * feed - bytes of @s through le_feed until an event other than LE_NONE
 * (LE_REDRAW is handled as the console does and feeding goes on); the
 * echo, concatenated, in @echo_all; the screen model checked after each key.
 */
static struct term screen;

static enum le_event feed_n(struct lineedit *le, const char *s, size_t n, char *echo_all,
			    size_t len)
{
	enum le_event ev = LE_NONE;
	char echo[LE_ECHO_MAX];

	if (echo_all)
		echo_all[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		ev = le_feed(le, (unsigned char)s[i], echo);
		assert_true(strlen(echo) < LE_ECHO_MAX);
		if (echo_all)
			snprintf(echo_all + strlen(echo_all), len - strlen(echo_all), "%s", echo);
		term_put(&screen, echo);
		if (ev == LE_REDRAW) {
			term_redraw(&screen, le);
			ev = LE_NONE;
			continue;
		}
		if (ev != LE_NONE)
			break;
		term_check(&screen, le);
	}
	return ev;
}

static enum le_event feed(struct lineedit *le, const char *s, char *echo_all, size_t len)
{
	return feed_n(le, s, strlen(s), echo_all, len);
}

static void le_start(struct lineedit *le)
{
	le_init(le);
	memset(&screen, 0, sizeof(screen));
}

/* line - type @keys and Enter; the line entered (le_next() already called). */
static const char *line(struct lineedit *le, const char *keys)
{
	static char got[LINE_MAX + 1];

	assert_int_equal(feed(le, keys, NULL, 0), LE_NONE);
	assert_int_equal(feed(le, "\r", NULL, 0), LE_LINE);
	strcpy(got, le->buf);
	le_next(le);
	return got;
}

static void test_le_typing_and_cr(void **state)
{
	struct lineedit le;
	char echo[64];

	(void)state;
	le_start(&le);
	assert_int_equal(feed(&le, "stats", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "stats");
	assert_int_equal(feed(&le, "\r", echo, sizeof(echo)), LE_LINE);
	assert_string_equal(echo, "\r\n");
	assert_string_equal(le.buf, "stats");
	assert_false(le.overflow);
	assert_int_equal(le.bad, 0);
}

static void test_le_crlf_and_lf(void **state)
{
	struct lineedit le;
	char echo[LE_ECHO_MAX];

	(void)state;
	le_start(&le);
	assert_int_equal(feed(&le, "a\r", NULL, 0), LE_LINE);
	le_next(&le);	/* the CR state stays */
	assert_int_equal(le_feed(&le, '\n', echo), LE_NONE);	/* the LF of CR LF */
	assert_string_equal(echo, "");
	assert_int_equal(feed(&le, "b\n", NULL, 0), LE_LINE);
	assert_string_equal(le.buf, "b");
	le_next(&le);
	assert_int_equal(le_feed(&le, '\n', echo), LE_LINE);	/* LF alone: an empty line */
	assert_string_equal(le.buf, "");
	le_next(&le);
	assert_int_equal(le_feed(&le, '\r', echo), LE_LINE);
	le_next(&le);
	assert_int_equal(le_feed(&le, '\r', echo), LE_LINE);	/* CR CR: two lines */
	/* Enter with the cursor inside the line: the whole line, the cursor moved to its end. */
	le_next(&le);
	assert_int_equal(feed(&le, "stats\x1b[D\x1b[D", NULL, 0), LE_NONE);
	assert_int_equal(feed(&le, "\r", echo, sizeof(echo)), LE_LINE);
	assert_string_equal(echo, "ts\r\n");
	assert_string_equal(le.buf, "stats");
}

static void test_le_backspace(void **state)
{
	struct lineedit le;
	char echo[64];

	(void)state;
	le_start(&le);
	assert_int_equal(feed(&le, "\b\x7f", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "");	/* nothing to erase: no echo */
	assert_int_equal(feed(&le, "vmx\b\x7fs", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "vmx\b \b\b \bs");	/* at the end: as on a dumb terminal */
	assert_int_equal(feed(&le, "\r", NULL, 0), LE_LINE);
	assert_string_equal(le.buf, "vs");
	/* Inside the line: the tail moves left and the old last column is blanked. */
	le_next(&le);
	assert_int_equal(feed(&le, "abXcd\x1b[D\x1b[D", NULL, 0), LE_NONE);
	assert_int_equal(feed(&le, "\x7f", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "\bcd \b\b\b");
	assert_string_equal(le.buf, "abcd");
	assert_int_equal(le.cur, 2);
	/* At the start of the line: nothing. */
	assert_int_equal(feed(&le, "\x01\x08", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "\b\b");	/* only Home's */
	assert_string_equal(le.buf, "abcd");
}

static void test_le_ctrl_u_and_c(void **state)
{
	struct lineedit le;
	char echo[64];

	(void)state;
	le_start(&le);
	assert_int_equal(feed(&le, "garbage", NULL, 0), LE_NONE);
	assert_int_equal(le_feed(&le, 0x15, echo), LE_REDRAW);
	assert_string_equal(echo, "^U\r\n");
	term_redraw(&screen, &le);
	assert_int_equal(le.len, 0);
	assert_int_equal(le.cur, 0);
	assert_int_equal(feed(&le, "ok\r", NULL, 0), LE_LINE);
	assert_string_equal(le.buf, "ok");
	le_next(&le);
	/* Ctrl-U with the cursor inside the line: to its end first, then the mark. */
	assert_int_equal(feed(&le, "abc\x02\x02", NULL, 0), LE_NONE);
	assert_int_equal(le_feed(&le, 0x15, echo), LE_REDRAW);
	assert_string_equal(echo, "bc^U\r\n");
	term_redraw(&screen, &le);
	assert_int_equal(feed(&le, "half\x03", echo, sizeof(echo)), LE_CANCEL);
	assert_string_equal(echo, "half^C\r\n");
	assert_int_equal(le.len, 0);
	assert_string_equal(le.buf, "");
	/* Ctrl-L draws the line again on a new screen line. */
	le_next(&le);
	assert_int_equal(feed(&le, "ab\x02", NULL, 0), LE_NONE);
	assert_int_equal(le_feed(&le, 0x0c, echo), LE_REDRAW);
	assert_string_equal(echo, "\r\n");
	assert_string_equal(le.buf, "ab");
	le_draw(&le, echo);
	assert_string_equal(echo, "ab\b");
}

static void test_le_cursor_editing(void **state)
{
	struct lineedit le;
	char echo[LE_ECHO_MAX];

	(void)state;
	le_start(&le);
	assert_int_equal(feed(&le, "ac\x1b[D", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "ac\b");
	assert_int_equal(feed(&le, "b", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "bc\b");	/* insert: the tail again, back to the cursor */
	assert_string_equal(le.buf, "abc");
	assert_int_equal(le.cur, 2);
	/* Right and Left stop at the ends, without echo. */
	assert_int_equal(feed(&le, "\x1b[C\x1b[C\x1b[C", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "c");
	assert_int_equal(le.cur, 3);
	assert_int_equal(feed(&le, "\x02\x02\x02\x02\x02", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "\b\b\b");
	assert_int_equal(le.cur, 0);
	assert_int_equal(feed(&le, "\x06", echo, sizeof(echo)), LE_NONE);	/* Ctrl-F */
	assert_string_equal(echo, "a");
	/* Home and End, as Ctrl-A/Ctrl-E and as escape sequences. */
	assert_int_equal(feed(&le, "\x01x", NULL, 0), LE_NONE);
	assert_string_equal(le.buf, "xabc");
	assert_int_equal(feed(&le, "\x05y\x1b[Hz\x1b[Fw", NULL, 0), LE_NONE);
	assert_string_equal(le.buf, "zxabcyw");
	assert_int_equal(feed(&le, "\x1b[1~0\x1b[4~1\x1b[7~2\x1b[8~3\x1bOH4\x1bOF5", NULL, 0), LE_NONE);
	assert_string_equal(le.buf, "420zxabcyw135");
	/* Delete at the cursor: Ctrl-D and ESC [ 3 ~; nothing at the end. */
	assert_int_equal(feed(&le, "\x01\x04\x1b[3~", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(le.buf, "0zxabcyw135");
	assert_int_equal(feed(&le, "\x05\x04\x1b[3~", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(le.buf, "0zxabcyw135");
	/* Ctrl-K to the end, Ctrl-W the word before the cursor. */
	assert_int_equal(feed(&le, "\x01\x06\x06\x0b", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(le.buf, "0z");
	le_next(&le);
	memset(&screen, 0, sizeof(screen));
	assert_int_equal(feed(&le, "vm pause  web1", NULL, 0), LE_NONE);
	assert_int_equal(feed(&le, "\x17", NULL, 0), LE_NONE);
	assert_string_equal(le.buf, "vm pause  ");
	assert_int_equal(feed(&le, "\x17", NULL, 0), LE_NONE);
	assert_string_equal(le.buf, "vm ");
	assert_int_equal(feed(&le, "\x1b[D\x17", NULL, 0), LE_NONE);
	assert_string_equal(le.buf, " ");
	assert_int_equal(le.cur, 0);
	assert_int_equal(feed(&le, "\x17", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "");
}

static void test_le_history(void **state)
{
	struct lineedit le;
	char echo[LE_ECHO_MAX];

	(void)state;
	le_start(&le);
	/* An empty history: Up and Down do nothing. */
	assert_int_equal(feed(&le, "x\x1b[A\x1b[B\x10\x0e", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "x");
	le_next(&le);
	memset(&screen, 0, sizeof(screen));
	assert_string_equal(line(&le, "stats"), "stats");
	assert_string_equal(line(&le, "vms"), "vms");
	assert_string_equal(line(&le, "vms"), "vms");	/* the same line again: kept once */
	assert_string_equal(line(&le, "   "), "   ");	/* blank lines are not kept */
	assert_string_equal(line(&le, "version"), "version");
	assert_int_equal(le.hist_n, 3);
	/* Up from a half-typed line, through all three, and not past the oldest. */
	assert_int_equal(feed(&le, "sh", NULL, 0), LE_NONE);
	assert_int_equal(feed(&le, "\x1b[A", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "\b\bversion");
	assert_int_equal(feed(&le, "\x1b[A", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "\b\b\b\b\b\b\bvms    \b\b\b\b");	/* the old tail blanked */
	assert_int_equal(feed(&le, "\x10", NULL, 0), LE_NONE);	/* Ctrl-P */
	assert_string_equal(le.buf, "stats");
	assert_int_equal(feed(&le, "\x1b[A", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "");
	assert_string_equal(le.buf, "stats");
	/* Down back to the line being typed, and not past it. */
	assert_int_equal(feed(&le, "\x1b[B", NULL, 0), LE_NONE);
	assert_string_equal(le.buf, "vms");
	assert_int_equal(feed(&le, "\x0e\x1b[B", NULL, 0), LE_NONE);	/* Ctrl-N */
	assert_string_equal(le.buf, "sh");
	assert_int_equal(le.cur, 2);
	assert_int_equal(feed(&le, "\x1b[B", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "");
	/* An edited line from the history is a new line; the entry stays as it was. */
	assert_int_equal(feed(&le, "\x15", NULL, 0), LE_NONE);
	assert_string_equal(line(&le, "\x1b[A\x1b[A json"), "vms json");
	assert_string_equal(line(&le, "\x1b[A"), "vms json");
	assert_string_equal(line(&le, "\x1b[A\x1b[A\x1b[A"), "vms");
	/* SS3 arrows (application cursor mode) too. */
	assert_string_equal(line(&le, "\x1bOA\x1bOA\x1bOB"), "vms");
	/* Lines with bytes that are not text, too long or cancelled are not kept. */
	assert_int_equal(feed(&le, "bad\x07\x80", NULL, 0), LE_NONE);
	assert_int_equal(feed(&le, "\x1b[A", NULL, 0), LE_NONE);
	assert_int_equal(feed(&le, "\x01\x01\x01\xff\r", NULL, 0), LE_LINE);
	assert_int_equal(le.bad, 3);
	le_next(&le);
	assert_int_equal(feed(&le, "cancelled\x03", NULL, 0), LE_CANCEL);
	le_next(&le);
	assert_string_equal(line(&le, "\x1b[A"), "vms");
	/* The ring keeps the last LE_HISTORY lines. */
	for (int i = 0; i < LE_HISTORY + 5; i++) {
		char l[16];

		snprintf(l, sizeof(l), "line %d", i);
		assert_string_equal(line(&le, l), l);
	}
	assert_int_equal(le.hist_n, LE_HISTORY);
	for (int i = 0; i < LE_HISTORY + 3; i++)
		assert_int_equal(feed(&le, "\x1b[A", NULL, 0), LE_NONE);
	assert_string_equal(le.buf, "line 5");
	assert_int_equal(feed(&le, "\x1b[B", NULL, 0), LE_NONE);
	assert_string_equal(le.buf, "line 6");
	/* le_init forgets it. */
	le_start(&le);
	assert_int_equal(feed(&le, "\x1b[A", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "");
}

static void test_le_escape_sequences(void **state)
{
	/* Unknown sequences vanish whole; none of their bytes is inserted or counted. */
	static const char *const unknown[] = {
		"\x1b[5~", "\x1b[6~", "\x1b[2~", "\x1b[200~", "\x1b[201~", "\x1b[?25h", "\x1b[Z",
		"\x1b[1;5P", "\x1b[12345678901234567890m", "\x1bOP", "\x1bOQ", "\x1bx", "\x1b.",
		"\x1b[ q", "\x1b[3;5~", "\x1bO2P",
	};
	struct lineedit le;
	char echo[LE_ECHO_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		le_start(&le);
		assert_int_equal(feed(&le, "ab", NULL, 0), LE_NONE);
		assert_int_equal(feed(&le, unknown[i], echo, sizeof(echo)), LE_NONE);
		assert_string_equal(echo, "");
		assert_int_equal(feed(&le, "c\r", NULL, 0), LE_LINE);
		assert_string_equal(le.buf, "abc");
		assert_int_equal(le.bad, 0);
	}
	/* Modified arrows (ESC [ 1 ; 5 C) move like plain ones. */
	le_start(&le);
	assert_int_equal(feed(&le, "ab\x1b[1;5Dx", NULL, 0), LE_NONE);
	assert_string_equal(le.buf, "axb");
	/* Split over input chunks, byte by byte: the state is kept between calls. */
	le_start(&le);
	assert_string_equal(line(&le, "version"), "version");
	assert_int_equal(feed(&le, "\x1b", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "");
	assert_int_equal(feed(&le, "[", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "");
	assert_int_equal(feed(&le, "A", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "version");
	assert_int_equal(feed(&le, "\x1b[1", NULL, 0), LE_NONE);
	assert_int_equal(feed(&le, ";5", NULL, 0), LE_NONE);
	assert_int_equal(feed(&le, "D", NULL, 0), LE_NONE);
	assert_int_equal(le.cur, 6);
	assert_int_equal(feed(&le, "\x1bO", NULL, 0), LE_NONE);
	assert_int_equal(feed(&le, "H", NULL, 0), LE_NONE);
	assert_int_equal(le.cur, 0);
	/* A control byte ends a sequence and counts as typed: CR ends the line. */
	le_start(&le);
	assert_int_equal(feed(&le, "vms\x1b[1\r", NULL, 0), LE_LINE);
	assert_string_equal(le.buf, "vms");
	le_start(&le);
	assert_int_equal(feed(&le, "vms\x1b\r", NULL, 0), LE_LINE);
	assert_string_equal(le.buf, "vms");
	/* ESC ESC [ A: the first ESC is dropped, the second starts Up. */
	le_start(&le);
	assert_string_equal(line(&le, "mem"), "mem");
	assert_string_equal(line(&le, "\x1b\x1b[A"), "mem");
	/* A byte from 0x80 inside a sequence ends it and is not text. */
	le_start(&le);
	assert_int_equal(feed(&le, "a\x1b[\x9b" "b\r", NULL, 0), LE_LINE);
	assert_string_equal(le.buf, "ab");
	assert_int_equal(le.bad, 1);
}

/* The words of a fake command set, for Tab. */
static bool fake_words(void *arg, const char *line, unsigned start, unsigned i, char *out,
		       size_t outlen)
{
	static const char *const words[] = { "stats", "status", "stop", "vms", "version" };

	(void)line;
	(void)start;
	(void)arg;
	if (i >= sizeof(words) / sizeof(words[0]))
		return false;
	snprintf(out, outlen, "%s", words[i]);
	return true;
}

static void test_le_completion(void **state)
{
	struct lineedit le;
	char echo[LE_ECHO_MAX];

	(void)state;
	/* No completer: Tab does nothing (and is not a bad byte). */
	le_start(&le);
	assert_int_equal(feed(&le, "st\t", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "st");
	assert_int_equal(le.bad, 0);
	le_start(&le);
	le.complete = fake_words;
	/* One match: the rest of it and a space. */
	assert_int_equal(feed(&le, "ve\t", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "version ");
	/* A whole word already: only the space; none: nothing. */
	le_next(&le);
	memset(&screen, 0, sizeof(screen));
	assert_int_equal(feed(&le, "vms\t", NULL, 0), LE_NONE);
	assert_string_equal(le.buf, "vms ");
	le_next(&le);
	memset(&screen, 0, sizeof(screen));
	assert_int_equal(feed(&le, "x\t", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "x");
	/* Several: as much as they share ("stats", "status": "stat"), then a list. */
	le_next(&le);
	memset(&screen, 0, sizeof(screen));
	assert_int_equal(feed(&le, "sta\t", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "stat");
	assert_int_equal(le_feed(&le, '\t', echo), LE_REDRAW);
	assert_string_equal(echo, "\r\nstats  status\r\n");
	assert_string_equal(le.buf, "stat");
	term_redraw(&screen, &le);
	assert_string_equal(line(&le, "u\t"), "status ");
	/* "s": stats, status and stop share "st"; the next Tab lists them. */
	assert_int_equal(feed(&le, "s\t", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "st");
	assert_int_equal(le_feed(&le, '\t', echo), LE_REDRAW);
	assert_string_equal(echo, "\r\nstats  status  stop\r\n");
	/* The word before the cursor, in the middle of a line. */
	le_next(&le);
	memset(&screen, 0, sizeof(screen));
	assert_int_equal(feed(&le, "x vers y\x1b[D\x1b[D\t", NULL, 0), LE_NONE);
	assert_string_equal(le.buf, "x version y");
	assert_int_equal(le.cur, 9);
}

/* VMs for shell_complete. */
static const char *fake_vm(void *arg, unsigned i)
{
	static const char *const names[] = { "web1", "web2", "idle" };

	(void)arg;
	return i < 3 ? names[i] : NULL;
}

/* words - every word shell_complete offers after @line, space-separated. */
static const char *words(const char *line)
{
	static char all[512];
	char w[64];

	all[0] = '\0';
	for (unsigned i = 0; shell_complete(line, (unsigned)strlen(line), i, w, sizeof(w), fake_vm, NULL); i++)
		snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s%s", i ? " " : "", w);
	return all;
}

static bool shell_words(void *arg, const char *line, unsigned start, unsigned i, char *out,
			size_t outlen)
{
	return shell_complete(line, start, i, out, outlen, fake_vm, arg);
}

static void test_shell_completion(void **state)
{
	struct lineedit le;
	char echo[LE_ECHO_MAX];

	(void)state;
	assert_string_equal(words(""), "help stats vms vm patterns pattern share scan watch "
				       "console log mem version reboot");
	assert_string_equal(words("  "), words(""));
	assert_string_equal(words("stats "), "json reset");
	assert_string_equal(words("vm "), "pause resume destroy web1 web2 idle");
	assert_string_equal(words("vm  pause "), "web1 web2 idle");
	assert_string_equal(words("console "), "web1 web2 idle");
	assert_string_equal(words("log "), "web1 web2 idle");
	assert_string_equal(words("pattern "), "add del");
	assert_string_equal(words("pattern del "), "");	/* a pattern's name, not a VM's */
	assert_string_equal(words("help "), words(""));
	assert_string_equal(words("help scan "), "rate now");
	assert_string_equal(words("help vm "), "pause resume destroy");
	assert_string_equal(words("console idle "), "");
	assert_string_equal(words("frob "), "");
	/* Through the editor, as the console uses it. */
	le_start(&le);
	le.complete = shell_words;
	assert_string_equal(line(&le, "con\tid\t"), "console idle ");
	assert_string_equal(line(&le, "vm p\tw\t1"), "vm pause web1");
	assert_int_equal(feed(&le, "v", NULL, 0), LE_NONE);
	assert_int_equal(le_feed(&le, '\t', echo), LE_REDRAW);
	assert_string_equal(echo, "\r\nvms  vm  version\r\n");
	term_redraw(&screen, &le);
	assert_string_equal(line(&le, "e\t"), "version ");
	assert_string_equal(line(&le, "stats \tj\t"), "stats json ");
}

static void test_le_overflow(void **state)
{
	struct lineedit le;
	char echo[LE_ECHO_MAX];

	(void)state;
	le_start(&le);
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
	le_start(&le);
	for (int i = 0; i < LINE_MAX + 1; i++)
		le_feed(&le, 'y', echo);
	le_feed(&le, 0x15, echo);
	assert_false(le.overflow);
	assert_int_equal(feed(&le, "vms\r", NULL, 0), LE_LINE);
	assert_string_equal(le.buf, "vms");
}

static void test_le_long_lines(void **state)
{
	struct lineedit le;
	char echo[LE_ECHO_MAX], full[LINE_MAX + 1];

	(void)state;
	le_start(&le);
	le.complete = fake_words;
	memset(full, 'a', LINE_MAX);
	full[LINE_MAX] = '\0';
	/* Tab with one column left: the word is cut and the line marked too long. */
	memset(echo, 'a', LINE_MAX - 4);
	strcpy(echo + LINE_MAX - 4, " ve\t");
	assert_int_equal(feed(&le, echo, NULL, 0), LE_NONE);
	assert_int_equal(le.len, LINE_MAX);
	assert_true(le.overflow);
	assert_string_equal(le.buf + LINE_MAX - 4, " ver");
	le_start(&le);
	/* A full line: inserting in its middle drops the key and marks the overflow. */
	assert_int_equal(feed(&le, full, NULL, 0), LE_NONE);
	assert_int_equal(feed(&le, "\x01\x06", NULL, 0), LE_NONE);
	assert_int_equal(feed(&le, "z", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(echo, "");
	assert_true(le.overflow);
	assert_string_equal(le.buf, full);
	/* Erasing near its start redraws the whole tail: the echo holds it. */
	assert_int_equal(feed(&le, "\x04", echo, sizeof(echo)), LE_NONE);
	assert_int_equal(strlen(echo), (LINE_MAX - 2) + 1 + (LINE_MAX - 1));
	assert_int_equal(le.len, LINE_MAX - 1);
	assert_int_equal(feed(&le, "\r", NULL, 0), LE_LINE);
	le_next(&le);
	memset(&screen, 0, sizeof(screen));
	/* History: a full line after a short one and back. */
	assert_string_equal(line(&le, "vms"), "vms");
	full[LINE_MAX - 1] = 'b';
	assert_string_equal(line(&le, full), full);
	assert_int_equal(feed(&le, "\x1b[A", NULL, 0), LE_NONE);
	assert_string_equal(le.buf, full);
	assert_int_equal(feed(&le, "\x1b[H\x1b[A", echo, sizeof(echo)), LE_NONE);
	assert_string_equal(le.buf, "vms");
	assert_int_equal(feed(&le, "\x1b[B\x1b[B", NULL, 0), LE_NONE);
	assert_string_equal(le.buf, "");
}

static void test_le_not_text(void **state)
{
	struct lineedit le;
	char echo[LE_ECHO_MAX];
	unsigned bad = 0;

	(void)state;
	/* Every control byte without a meaning, and every byte from 0x80: counted, not echoed. */
	static const char keys[] = "\x01\x02\x03\x04\x05\x06\x08\x09\x0a\x0b\x0c\x0d\x0e\x10"
				   "\x15\x17\x1b\x7f";

	le_start(&le);
	for (int c = 0; c < 256; c++) {
		if ((c >= 0x20 && c < 0x7f) || (c && memchr(keys, c, sizeof(keys) - 1)))
			continue;
		assert_int_equal(le_feed(&le, (unsigned char)c, echo), LE_NONE);
		assert_string_equal(echo, "");
		bad++;
	}
	assert_int_equal(le.len, 0);
	assert_int_equal(le.bad, bad);
	assert_int_equal(bad, 256 - 95 - 18);
	/* "vers\0\xffion": the line is "version" with 2 bytes that are not text. */
	le_start(&le);
	assert_int_equal(feed_n(&le, "vers\0\xffion\r", 11, NULL, 0), LE_LINE);
	assert_string_equal(le.buf, "version");
	assert_int_equal(le.bad, 2);
	assert_int_equal(le.hist_n, 0);
	/* The next line starts clean; Ctrl-U forgets the count too. */
	le_next(&le);
	assert_int_equal(le.bad, 0);
	assert_int_equal(feed(&le, "\x80\x15", NULL, 0), LE_NONE);
	assert_int_equal(le.bad, 0);
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
	char echo[LE_ECHO_MAX];
	unsigned lines = 0, redraws = 0;

	(void)state;
	le_start(&le);
	le.complete = shell_words;
	for (long i = 0; i < 2000000; i++) {
		uint32_t r = next_rand();
		enum le_event ev;

		if ((r & 7) == 0) {	/* a known word, often */
			const char *w = words[(r >> 3) % (sizeof(words) / sizeof(words[0]))];

			for (; *w; w++) {
				ev = le_feed(&le, (unsigned char)*w, echo);
				term_put(&screen, echo);
				if (ev == LE_REDRAW)
					term_redraw(&screen, &le);
			}
			ev = le_feed(&le, ' ', echo);
		} else if ((r & 0x3f) == 1) {
			ev = le_feed(&le, '\r', echo);
		} else {
			ev = le_feed(&le, (unsigned char)(r >> 8), echo);
		}
		assert_true(strlen(echo) < LE_ECHO_MAX);
		assert_true(le.len <= LINE_MAX);
		term_put(&screen, echo);
		if (ev == LE_REDRAW) {
			term_redraw(&screen, &le);
			redraws++;
		}
		if (ev == LE_NONE || ev == LE_REDRAW)
			term_check(&screen, &le);
		if (ev == LE_LINE) {
			assert_true(strlen(le.buf) <= LINE_MAX);
			if (!le.overflow)
				check_parse(le.buf);
			lines++;
		}
		if (ev == LE_LINE || ev == LE_CANCEL)
			le_next(&le);
	}
	assert_true(lines > 1000);
	assert_true(redraws > 100);
	assert_true(le.hist_n > 0);
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
		cmocka_unit_test(test_le_cursor_editing),
		cmocka_unit_test(test_le_history),
		cmocka_unit_test(test_le_escape_sequences),
		cmocka_unit_test(test_le_completion),
		cmocka_unit_test(test_shell_completion),
		cmocka_unit_test(test_le_overflow),
		cmocka_unit_test(test_le_long_lines),
		cmocka_unit_test(test_le_not_text),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
