// SPDX-License-Identifier: MIT
/* shell_parse.c - the console's command table, tokenizer and argument checks. */
#include <stdio.h>
#include <string.h>

#include "kernel/shell_parse.h"

const struct shell_cmd_info shell_cmds[CMD_COUNT] = {
	[CMD_HELP] = { "help", "[COMMAND]", 0, 2, 0, "list the commands, or explain one" },
	[CMD_STATS] = { "stats", "", 0, 0, 0, "memory and sharing counters, one screen" },
	[CMD_STATS_JSON] = { "stats json", "", 0, 0, 0, "the counters as one JSON object (stable keys)" },
	[CMD_STATS_RESET] = { "stats reset", "", 0, 0, 0, "zero the event counters" },
	[CMD_VMS] = { "vms", "", 0, 0, 0, "a table of the VMs and their memory" },
	[CMD_VM] = { "vm", "NAME", 1, 1, 0, "one VM in detail: exits by reason, COW breaks" },
	[CMD_VM_PAUSE] = { "vm pause", "NAME", 1, 1, 0, "stop running a VM (it keeps its memory)" },
	[CMD_VM_RESUME] = { "vm resume", "NAME", 1, 1, 0, "run a paused VM again" },
	[CMD_VM_DESTROY] = { "vm destroy", "NAME", 1, 1, 0, "stop a VM and release all its memory" },
	[CMD_PATTERNS] = { "patterns", "", 0, 0, 0, "the active pattern set with pages per pattern" },
	[CMD_PATTERN_ADD] = { "pattern add", "NAME REGEX", 2, 2, 1, "add a regex of whole pages; REGEX is the rest of the line, its spaces bytes 0x20" },
	[CMD_PATTERN_DEL] = { "pattern del", "NAME", 1, 1, 0, "remove a pattern" },
	[CMD_SHARE] = { "share", "off|intra|inter|on", 1, 1, 0, "what the scanner shares" },
	[CMD_SCAN_RATE] = { "scan rate", "PAGES", 1, 1, 0, "the scanner's budget in pages per 10 ms" },
	[CMD_SCAN_NOW] = { "scan now", "", 0, 0, 0, "one full scan of every VM, now" },
	[CMD_WATCH] = { "watch", "SECONDS", 1, 1, 0, "a stats line every period until a key is pressed" },
	[CMD_CONSOLE] = { "console", "NAME", 1, 1, 0, "type into a VM's serial port; Ctrl-A three times returns" },
	[CMD_LOG] = { "log", "NAME", 1, 1, 0, "the tail of a VM's console output" },
	[CMD_MEM] = { "mem", "", 0, 0, 0, "frame counters by kind" },
	[CMD_VERSION] = { "version", "", 0, 0, 0, "the hypervisor's version" },
	[CMD_REBOOT] = { "reboot", "", 0, 0, 0, "reset the machine" },
};

/* next_word - the word at *@p (advanced past it); its length, 0 at the end. */
static size_t next_word(const char **p, const char **start)
{
	const char *s = *p;
	size_t n = 0;

	while (*s == ' ')
		s++;
	*start = s;
	while (s[n] && s[n] != ' ')
		n++;
	*p = s + n;
	return n;
}

static int words_match(const char *name, const char *line, const char **after)
{
	const char *p = line, *w;

	while (*name) {
		size_t n = next_word(&p, &w), k = 0;

		while (name[k] && name[k] != ' ')
			k++;
		if (n != k || strncmp(w, name, k))
			return 0;
		name += k;
		while (*name == ' ')
			name++;
	}
	*after = p;
	return 1;
}

int shell_parse(const char *line, struct shell_line *out, char *err, size_t errlen)
{
	const struct shell_cmd_info *best = NULL;
	const char *args = NULL, *w, *p;
	size_t used = 0, n;
	int best_words = 0;

	memset(out, 0, sizeof(*out));
	p = line;
	if (!next_word(&p, &w))
		return 0;
	/* The longest command name that matches the line's first words wins. */
	for (int c = 0; c < CMD_COUNT; c++) {
		const char *after;
		int words = 1 + (strchr(shell_cmds[c].name, ' ') != NULL);

		if (words > best_words && words_match(shell_cmds[c].name, line, &after)) {
			best = &shell_cmds[c];
			best_words = words;
			args = after;
			out->cmd = (enum shell_cmd)c;
		}
	}
	if (!best) {
		snprintf(err, errlen, "unknown command '%.*s' (try help)", (int)(p - w > 32 ? 32 : p - w), w);
		return -1;
	}
	for (p = args; out->argc <= best->max_args;) {
		const char *rest = p;

		while (*rest == ' ')
			rest++;
		if (!*rest)
			break;
		if (out->argc == best->max_args) {
			snprintf(err, errlen, "%s: too many arguments (usage: %s %s)", best->name,
				 best->name, best->args);
			return -1;
		}
		if (best->rest && out->argc == best->max_args - 1) {
			/* The rest of the line, inner spaces kept; trailing ones dropped. */
			n = strlen(rest);
			while (n && rest[n - 1] == ' ')
				n--;
			w = rest;
			p = rest + strlen(rest);
		} else {
			n = next_word(&p, &w);
		}
		if (used + n + 1 > sizeof(out->store)) {
			snprintf(err, errlen, "%s: arguments too long", best->name);
			return -1;
		}
		memcpy(out->store + used, w, n);
		out->store[used + n] = '\0';
		out->argv[out->argc++] = out->store + used;
		used += n + 1;
	}
	if (out->argc < best->min_args) {
		snprintf(err, errlen, "%s: missing argument (usage: %s %s)", best->name, best->name,
			 best->args);
		return -1;
	}
	return 1;
}

int shell_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (~0ul - 9) / 10)
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}
