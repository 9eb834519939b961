// SPDX-License-Identifier: MIT
/* cmdline.c - key=value options from the hypervisor's command line. */
#include <string.h>

#include "kernel/cmdline.h"

bool cmdline_get(const char *cmdline, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);
	const char *p = cmdline;

	while (p && *p) {
		const char *w;

		while (*p == ' ')
			p++;
		w = p;
		/* Skip the word, honouring quotes. */
		for (int q = 0; *p && (q || *p != ' '); p++)
			if (*p == '"')
				q = !q;
		if (strncmp(w, key, klen) || (w[klen] != '=' && w + klen != p))
			continue;
		if (buf && size) {
			const char *v = w + klen + (w[klen] == '=');
			size_t n = 0;

			for (; v < p && n + 1 < size; v++)
				if (*v != '"')
					buf[n++] = *v;
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
