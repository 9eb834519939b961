// SPDX-License-Identifier: MIT
/* shell_parse.c - the console's command table, tokenizer and argument checks. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "kernel/shell_parse.h"

#define LINE_BEFORE_MAX 256	/* shell_complete: the words before the one completed */

const struct shell_cmd_info shell_cmds[CMD_COUNT] = {
	[CMD_HELP] = { "help", "[COMMAND]", 0, 2, 0, "list the commands, or explain one" },
	[CMD_STATS] = { "stats", "", 0, 0, 0, "memory and sharing counters, one screen",
		"memory: the host's frames; sharing: mode, rate, full scans and pages scanned\n"
		"saved: guest pages that need no frame of their own, as a share of the populated\n"
		"  guest pages, of the guest RAM (mem=) and of host memory; intra-VM: pattern\n"
		"  pages less pattern frames, inter-VM: content pages beyond one per frame\n"
		"pattern, content: pages on shared frames; cow: copy-on-write breaks, merges\n"
		"cost: the engine's memory, pages hashed, pages skipped as clean (dirty bits)" },
	[CMD_STATS_JSON] = { "stats json", "", 0, 0, 0, "the counters as one JSON object (stable keys)",
		"t_ms - hv_start_ms: time since the hypervisor started; saved_min, saved_max:\n"
		"  the least and the most saved since the previous stats json (each read starts\n"
		"  a new interval); per_vm: each VM's pages, saved_milli and COW breaks" },
	[CMD_STATS_RESET] = { "stats reset", "", 0, 0, 0, "zero the event counters",
		"zeroes full scans, pages scanned, hashed and clean skips, merges, aborts,\n"
		"collisions, COW breaks (each VM's too) and merges per pattern; keeps what is\n"
		"shared now (saved, pattern and content pages and frames) and scanner_ms" },
	[CMD_VMS] = { "vms", "", 0, 0, 0, "a table of the VMs and their memory",
		"id, name, domain: the VM's number, name and sharing domain\n"
		"state: running, paused, stopped, oom-wait (waits for a free frame) or halted\n"
		"  (interrupts off: only vm destroy ends it)\n"
		"RAM MiB: its RAM as configured (mem=); populated: pages it has touched\n"
		"private: populated pages on frames of their own; pattern: pages on its pattern\n"
		"  frames (intra-VM); content: pages on content frames (shared across VMs)\n"
		"saved: the share of its populated pages not charged to it (a pattern frame\n"
		"  counts once, a content frame is split among the pages on it)" },
	[CMD_VM] = { "vm", "NAME", 1, 1, 0, "one VM in detail: exits by reason, COW breaks" },
	[CMD_VM_PAUSE] = { "vm pause", "NAME", 1, 1, 0, "stop running a VM (it keeps its memory)" },
	[CMD_VM_RESUME] = { "vm resume", "NAME", 1, 1, 0, "run a paused VM again" },
	[CMD_VM_DESTROY] = { "vm destroy", "NAME", 1, 1, 0, "stop a VM and release all its memory" },
	[CMD_PATTERNS] = { "patterns", "", 0, 0, 0, "the active pattern set with pages per pattern",
		"pages and frames: guest pages on the pattern's frames now; merges: pages merged\n"
		"  under it (since stats reset); (removed patterns): frames of removed patterns,\n"
		"  shared until written; total: the pattern line of stats" },
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

/* first_len - the length of the first word of @s. */
static size_t first_len(const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != ' ')
		n++;
	return n;
}

/* same_first_word - @a and @b (command names) begin with the same word. */
static bool same_first_word(const char *a, const char *b)
{
	size_t n = first_len(a);

	return n == first_len(b) && !strncmp(a, b, n);
}

void shell_usage(const char *word, char *buf, size_t len)
{
	size_t used = 0;

	if (len)
		buf[0] = '\0';
	for (int c = 0; c < CMD_COUNT && used + 1 < len; c++) {
		const struct shell_cmd_info *ci = &shell_cmds[c];

		if (!same_first_word(ci->name, word))
			continue;
		snprintf(buf + used, len - used, "%s%s%s%s", used ? " | " : "", ci->name,
			 *ci->args ? " " : "", ci->args);
		used += strlen(buf + used);
	}
}

/*
 * arg_error - "NAME: WHAT (usage: ...)" into @err; returns -1. The usage is
 * @ci's own for a two-word command, else that of every command beginning
 * with its word (the extra words may be a mistyped sub-command).
 */
static int arg_error(const struct shell_cmd_info *ci, const char *what, char *err, size_t errlen)
{
	char usage[112];

	if (ci->name[first_len(ci->name)])
		snprintf(usage, sizeof(usage), "%s%s%s", ci->name, *ci->args ? " " : "", ci->args);
	else
		shell_usage(ci->name, usage, sizeof(usage));
	snprintf(err, errlen, "%s: %s (usage: %s)", ci->name, what, usage);
	return -1;
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
		/* A first word of two-word commands ("scan", "pattern"): say what may follow. */
		for (int c = 0; c < CMD_COUNT; c++) {
			char usage[112];

			if (!same_first_word(shell_cmds[c].name, w))
				continue;
			shell_usage(shell_cmds[c].name, usage, sizeof(usage));
			snprintf(err, errlen, "%.*s: expected a sub-command (usage: %s)",
				 (int)first_len(w), w, usage);
			return -1;
		}
		snprintf(err, errlen, "unknown command '%.*s' (try help)", (int)(p - w > 32 ? 32 : p - w), w);
		return -1;
	}
	for (p = args; out->argc <= best->max_args;) {
		const char *rest = p;

		while (*rest == ' ')
			rest++;
		if (!*rest)
			break;
		if (out->argc == best->max_args)
			return arg_error(best, "too many arguments", err, errlen);
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
	if (out->argc < best->min_args)
		return arg_error(best, "missing argument", err, errlen);
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

/* word_at - the @k-th word (from 0) of @s, its length in @n; NULL if it has no such word. */
static const char *word_at(const char *s, unsigned k, size_t *n)
{
	const char *w;

	for (;;) {
		*n = next_word(&s, &w);
		if (!*n)
			return NULL;
		if (!k--)
			return w;
	}
}

/* same_words - the first @k words of @a and @b are the same. */
static bool same_words(const char *a, const char *b, unsigned k)
{
	for (unsigned j = 0; j < k; j++) {
		size_t na, nb;
		const char *wa = word_at(a, j, &na), *wb = word_at(b, j, &nb);

		if (!wa || !wb || na != nb || strncmp(wa, wb, na))
			return false;
	}
	return true;
}

/* takes_vm_name - command @c's first argument is a VM's name. */
static bool takes_vm_name(int c)
{
	return !strncmp(shell_cmds[c].args, "NAME", 4) && c != CMD_PATTERN_DEL &&
	       c != CMD_PATTERN_ADD;
}

bool shell_complete(const char *line, unsigned start, unsigned i, char *out, size_t outlen,
		    const char *(*vm_name)(void *arg, unsigned i), void *arg)
{
	char before[LINE_BEFORE_MAX];
	const char *w, *name;
	size_t n, len = start < sizeof(before) - 1 ? start : sizeof(before) - 1;
	unsigned k = 0;
	bool help = false;

	memcpy(before, line, len);
	before[len] = '\0';
	/* "help stats j" completes like "stats j", without VM names. */
	if ((w = word_at(before, 0, &n)) && n == 4 && !strncmp(w, "help", 4)) {
		memmove(before, w + 4, strlen(w + 4) + 1);
		help = true;
	}
	while (word_at(before, k, &n))
		k++;
	/* The next word of each command name that starts with the words before, once. */
	for (int c = 0; c < CMD_COUNT; c++) {
		bool dup = false;

		name = shell_cmds[c].name;
		if (!(w = word_at(name, k, &n)) || !same_words(name, before, k))
			continue;
		for (int d = 0; d < c && !dup; d++) {
			size_t dn;
			const char *dw = word_at(shell_cmds[d].name, k, &dn);

			dup = dw && dn == n && !strncmp(dw, w, n) && same_words(shell_cmds[d].name, before, k);
		}
		if (dup || i--)
			continue;
		snprintf(out, outlen, "%.*s", (int)n, w);
		return true;
	}
	/* VM names, where a command of exactly these words takes one first. */
	for (int c = 0; c < CMD_COUNT; c++) {
		name = shell_cmds[c].name;
		if (help || !k || !takes_vm_name(c) || word_at(name, k, &n) || !word_at(name, k - 1, &n) ||
		    !same_words(name, before, k))
			continue;
		for (unsigned v = 0; (name = vm_name(arg, v)); v++)
			if (!i--) {
				snprintf(out, outlen, "%s", name);
				return true;
			}
		return false;
	}
	return false;
}
