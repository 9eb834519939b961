// SPDX-License-Identifier: MIT
/*
 * cmdline.c - key=value options from the hypervisor's command line.
 *
 * GRUB passes a word with spaces as "key=a b" (the whole word quoted) with
 * backslashes and quotes inside it escaped; key="a b" is accepted too.
 */
#include <string.h>

#include "kernel/cmdline.h"

/* word_end - the end of the word starting at @p, honouring quotes and escapes. */
static const char *word_end(const char *p)
{
	int q = 0;

	for (; *p && (q || *p != ' '); p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '"')
			q = !q;
	}
	return p;
}

bool cmdline_get(const char *cmdline, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);
	const char *p = cmdline;

	while (p && *p) {
		const char *w, *end, *k;

		while (*p == ' ')
			p++;
		w = p;
		end = p = word_end(p);
		k = *w == '"' ? w + 1 : w;
		if (end == w || strncmp(k, key, klen) ||
		    (k[klen] != '=' && k + klen != end && !(k[klen] == '"' && k + klen + 1 == end)))
			continue;
		if (buf && size) {
			const char *v = k + klen + (k[klen] == '=');
			size_t n = 0;

			for (; v < end && n + 1 < size; v++) {
				if (*v == '\\' && v + 1 < end)
					buf[n++] = *++v;
				else if (*v != '"')
					buf[n++] = *v;
			}
			buf[n] = '\0';
		}
		return true;
	}
	return false;
}

bool cmdline_has(const char *cmdline, const char *key)
{
	return cmdline_get(cmdline, key, NULL, 0);
}
