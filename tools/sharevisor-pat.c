// SPDX-License-Identifier: MIT
/*
 * sharevisor-pat.c - run the pattern engine over files of 4 KiB pages.
 *
 *   sharevisor-pat [--defaults] [-p NAME=REGEX]... FILE...
 *   sharevisor-pat --explain REGEX
 *
 * The first form prints "FILE PAGE NAME KEY" per page (NAME and KEY are "-"
 * when no pattern matches) and a summary of pages per pattern. Patterns are
 * tried in order: the defaults (zero, repeat) first when --defaults is given
 * or when no -p is, then each -p. The second form prints what the compiler
 * made of REGEX. Exit status: 0, 1 for an unreadable file, 2 for bad usage
 * or a bad pattern.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/errno.h"
#include "sharing/patset.h"

static const char *prog = "sharevisor-pat";

static void usage(void)
{
	fprintf(stderr,
		"usage: %s [--defaults] [-p NAME=REGEX]... FILE...\n"
		"       %s --explain REGEX\n"
		"Patterns: docs/PATTERNS.md. Without -p the default set is used.\n",
		prog, prog);
	exit(2);
}

/* bad_pattern - report @err under @re with a caret at the position; exits 2. */
static void bad_pattern(const char *name, const char *re, int ret, const struct sv_pat_error *err)
{
	size_t i, len = strlen(re);

	if (ret == -SV_EEXIST) {
		fprintf(stderr, "%s: pattern %s: name already used\n", prog, name);
		exit(2);
	}
	if (ret == -SV_ENOSPC) {
		fprintf(stderr, "%s: pattern %s: too many patterns (at most %d)\n", prog, name,
			SV_PATSET_MAX);
		exit(2);
	}
	if (err->pos == SV_PAT_NOPOS) {
		fprintf(stderr, "%s: bad pattern %s: %s\n", prog, name, err->msg);
		exit(2);
	}
	fprintf(stderr, "%s: bad pattern %s at byte %zu: %s\n  ", prog, name, err->pos, err->msg);
	for (i = 0; i < len; i++)
		fputc(re[i] >= 32 && re[i] < 127 ? re[i] : '?', stderr);
	fprintf(stderr, "\n  %*s^\n", (int)(err->pos < len ? err->pos : len), "");
	exit(2);
}

static void print_bytes(const uint64_t *allowed)
{
	int b = 0, e, first = 1;

	while (b < 256) {
		if (!((allowed[b >> 6] >> (b & 63)) & 1)) {
			b++;
			continue;
		}
		for (e = b; e + 1 < 256 && ((allowed[(e + 1) >> 6] >> ((e + 1) & 63)) & 1); e++)
			;
		printf("%s\\x%02x", first ? "" : " ", b);
		if (e > b)
			printf("-\\x%02x", e);
		first = 0;
		b = e + 1;
	}
	if (first)
		printf("(none)");
}

static int explain(const char *re)
{
	static const char *const kinds[] = { "general (DFA)", "singular", "repeating unit" };
	struct sv_pat_error err = { 0 };
	struct sv_pat_info info;
	struct sv_pat *p;
	const uint8_t *canon;
	unsigned i;
	int ret;

	ret = sv_pat_compile(re, strlen(re), NULL, &p, &err);
	if (ret)
		bad_pattern("REGEX", re, ret, &err);
	sv_pat_info(p, &info);
	printf("pattern:     %s\n", re);
	printf("kind:        %s\n", kinds[info.kind]);
	printf("NFA states:  %u\n", info.nfa_states);
	printf("DFA states:  %u (before minimisation %u), byte classes %u\n", info.dfa_states,
	       info.dfa_states_raw, info.classes);
	if (!info.analysed)
		printf("analysis:    skipped (DFA too large); no prefilter\n");
	else if (info.empty)
		printf("pages:       none (no 4096-byte page matches)\n");
	else
		printf("singular:    %s\n", info.kind == SV_PAT_SINGULAR ? "yes" : "no (more than one page matches)");
	if ((canon = sv_pat_canonical(p))) {
		printf("canonical:   ");
		for (i = 0; i < 16; i++)
			printf("%02x", canon[i]);
		printf("... (4096 bytes)\n");
	}
	printf("prefilter:   %u sample%s\n", info.nsamples, info.nsamples == 1 ? "" : "s");
	for (i = 0; i < info.nsamples; i++) {
		printf("  offset %4u: %3u byte%s ", info.samples[i].off, info.samples[i].nallowed,
		       info.samples[i].nallowed == 1 ? ": " : "s:");
		print_bytes(info.samples[i].allowed);
		printf("\n");
	}
	sv_pat_put(p);
	return 0;
}

static int scan_file(const char *path, struct sv_patset_snap *snap, unsigned long *counts)
{
	static uint8_t page[SV_PAT_PAGE];
	char key[2 * SV_PAT_UNIT_MAX + 16];
	struct sv_pat_hit hit;
	unsigned long idx = 0;
	size_t got;
	FILE *f = fopen(path, "rb");

	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return 1;
	}
	while ((got = fread(page, 1, sizeof(page), f)) == sizeof(page)) {
		if (sv_patset_match(snap, page, &hit)) {
			sv_pat_key_format(&hit.key, key, sizeof(key));
			printf("%s %lu %s %s\n", path, idx, hit.name, key);
			counts[hit.index]++;
		} else {
			printf("%s %lu - -\n", path, idx);
			counts[snap->n]++;
		}
		idx++;
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		fclose(f);
		return 1;
	}
	if (got)
		fprintf(stderr, "%s: %s: ignoring %zu trailing bytes (not a whole page)\n", prog, path, got);
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *pnames[SV_PATSET_MAX], *pres[SV_PATSET_MAX];
	unsigned long counts[SV_PATSET_MAX + 1] = { 0 }, total = 0;
	struct sv_pat_error err = { 0 };
	struct sv_patset set;
	struct sv_patset_snap *snap;
	int i, np = 0, defaults = 0, ret, rc = 0, nfiles = 0;
	uint32_t k;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--explain")) {
			if (i + 2 != argc)
				usage();
			return explain(argv[i + 1]);
		} else if (!strcmp(argv[i], "--defaults")) {
			defaults = 1;
		} else if (!strcmp(argv[i], "-p")) {
			char *eq;

			if (++i >= argc || !(eq = strchr(argv[i], '=')))
				usage();
			if (np == SV_PATSET_MAX) {
				fprintf(stderr, "%s: too many patterns (at most %d)\n", prog, SV_PATSET_MAX);
				return 2;
			}
			*eq = 0;
			pnames[np] = argv[i];
			pres[np++] = eq + 1;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage();
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "%s: unknown option %s\n", prog, argv[i]);
			usage();
		} else {
			argv[nfiles++] = argv[i];	/* compact the file list in place */
		}
	}
	if (!nfiles)
		usage();
	if (sv_patset_init(&set, defaults || !np)) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 2;
	}
	for (i = 0; i < np; i++) {
		ret = sv_patset_add(&set, pnames[i], pres[i], strlen(pres[i]), -1, &err);
		if (ret < 0)
			bad_pattern(pnames[i], pres[i], ret, &err);
	}
	snap = sv_patset_acquire(&set);
	for (i = 0; i < nfiles; i++)
		rc |= scan_file(argv[i], snap, counts);
	printf("# summary\n");
	for (k = 0; k <= snap->n; k++) {
		printf("# %-16s %lu pages\n", k < snap->n ? snap->e[k].name : "-", counts[k]);
		total += counts[k];
	}
	printf("# %-16s %lu pages\n", "total", total);
	sv_patset_release(snap);
	sv_patset_destroy(&set);
	return rc;
}
