/* SPDX-License-Identifier: MIT */
/*
 * shell_parse.h - the console's command table and parser (plain C, host-tested).
 *
 * A command line is split into words at spaces; a command is one or two
 * words ("stats", "vm pause"); its arguments follow. The last argument of
 * some commands takes the rest of the line (a regular expression may
 * contain spaces): from its first non-space character to the last one,
 * inner spaces kept as they are. Parsing never fails silently: every
 * rejection comes with a one-line message.
 */
#ifndef SV_KERNEL_SHELL_PARSE_H
#define SV_KERNEL_SHELL_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#define SHELL_MAX_ARGS 4

enum shell_cmd {
	CMD_HELP,
	CMD_STATS,
	CMD_STATS_JSON,
	CMD_STATS_RESET,
	CMD_VMS,
	CMD_VM,
	CMD_VM_PAUSE,
	CMD_VM_RESUME,
	CMD_VM_DESTROY,
	CMD_PATTERNS,
	CMD_PATTERN_ADD,
	CMD_PATTERN_DEL,
	CMD_SHARE,
	CMD_SCAN_RATE,
	CMD_SCAN_NOW,
	CMD_WATCH,
	CMD_CONSOLE,
	CMD_LOG,
	CMD_MEM,
	CMD_VERSION,
	CMD_REBOOT,
	CMD_COUNT
};

struct shell_cmd_info {
	const char *name;	/* the words that select it, e.g. "vm pause" */
	const char *args;	/* usage of the arguments, e.g. "NAME" */
	int min_args, max_args;
	int rest;		/* the last argument takes the rest of the line */
	const char *help;
	const char *detail;	/* NULL, or lines ('\n'-separated) `help NAME` adds */
};

struct shell_line {
	enum shell_cmd cmd;
	int argc;
	const char *argv[SHELL_MAX_ARGS];
	char store[256];	/* the words, NUL-separated */
};

extern const struct shell_cmd_info shell_cmds[CMD_COUNT];

/*
 * shell_parse - parse @line into @out. Returns 1 for a command, 0 for an
 * empty line, or -1 with a one-line message in @err.
 */
int shell_parse(const char *line, struct shell_line *out, char *err, size_t errlen);

/*
 * shell_usage - the usage of every command whose first word is @word's
 * (e.g. "stats | stats json | stats reset") into @buf; "" when none.
 */
void shell_usage(const char *word, char *buf, size_t len);

/*
 * shell_complete - Tab's words: the @i-th word (from 0) that may stand at
 * @line[@start], where @line holds the words before it: the next word of a
 * command name whose first words these are ("help" before them does not
 * count), then, where a command takes a VM's NAME there, the VM names
 * @vm_name(@arg, 0, 1, ...) gives until it returns NULL. Copies the word
 * into @out (@outlen bytes); returns false after the last.
 */
bool shell_complete(const char *line, unsigned start, unsigned i, char *out, size_t outlen,
		    const char *(*vm_name)(void *arg, unsigned i), void *arg);

/* shell_parse_uint - a decimal number in [min, max]; 0, or -1 when not. */
int shell_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);

#endif
