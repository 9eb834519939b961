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

/* key_len - the length of the key of the word at @k ending at @end: up to '=' or a quote. */
static size_t key_len(const char *k, const char *end)
{
	size_t n = 0;

	while (k + n < end && k[n] != '=' && k[n] != '"')
		n++;
	return n;
}

int cmdline_unknown(const char *cmdline, const char *const *known,
		    void (*report)(const char *key, void *ctx), void *ctx)
{
	const char *p = cmdline;
	char key[32];
	int bad = 0;

	while (p && *p) {
		const char *w, *end, *k;
		size_t n, i;

		while (*p == ' ')
			p++;
		w = p;
		end = p = word_end(p);
		if (end == w)
			continue;
		k = *w == '"' ? w + 1 : w;
		n = key_len(k, end);
		for (i = 0; known[i]; i++)
			if (strlen(known[i]) == n && !strncmp(known[i], k, n))
				break;
		if (known[i])
			continue;
		if (n >= sizeof(key))
			n = sizeof(key) - 1;
		memcpy(key, k, n);
		key[n] = '\0';
		bad++;
		if (report)
			report(key, ctx);
	}
	return bad;
}

int cmdline_uint(const char *cmdline, const char *key, unsigned long min, unsigned long max,
		 unsigned long *out)
{
	char v[24];
	unsigned long n = 0;
	const char *p = v;

	if (!cmdline_get(cmdline, key, v, sizeof(v)))
		return 0;
	if (!*v)
		return -1;
	for (; *p; p++) {
		unsigned long d = (unsigned long)(*p - '0');

		if (*p < '0' || *p > '9' || d > max || n > (max - d) / 10)
			return -1;	/* not a digit, or n * 10 + d > max */
		n = n * 10 + d;
	}
	if (n < min)
		return -1;
	*out = n;
	return 1;
}
