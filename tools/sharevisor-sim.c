// SPDX-License-Identifier: MIT
/*
 * sharevisor-sim.c - run the sharing engine over raw memory images of VMs.
 *
 *   sharevisor-sim [--mode off|intra|inter|on] [--no-ad] [--max-scans N]
 *                  [--sparse] [[--domain NAME] IMAGE...]...
 *
 * Each IMAGE (e.g. from QEMU's pmemsave) becomes one simulated VM (tools/simvm.h)
 * whose RAM is the image, last partial page zero-padded. The engine scans to
 * a fixed point, share_check() runs, every VM must read back equal to its
 * image, and the counters are printed as one JSON object. Exit status: 0;
 * 1 for an unreadable or empty image, out of memory, or a failed check;
 * 2 for bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arch/x86/svm/npt.h"
#include "arch/x86/vmx/ept.h"
#include "mm/errno.h"
#include "sharing/patset.h"
#include "sharing/share.h"
#include "tools/simvm.h"

#define SIM_SLACK	(16ull << 20)	/* page tables, pool metadata, small images */
#define CHUNK		(1u << 20)	/* verification reads */

static const char *prog = "sharevisor-sim";

struct image {
	const char *path;
	const char *domain;
	uint64_t bytes;		/* file size */
	uint64_t pages;		/* rounded up */
	uint64_t zero_pages;	/* all-zero pages in the image */
	struct simvm vm;
};

static void usage(FILE *f, int rc)
{
	fprintf(f,
		"usage: %s [OPTION]... [--domain NAME] IMAGE...\n"
		"Load each IMAGE (a raw memory image of one VM, e.g. QEMU pmemsave; the\n"
		"last partial page is zero-padded) into a simulated VM, run the sharing\n"
		"engine to a fixed point (full scans until the counters stay the same for\n"
		"2 consecutive full scans), verify every VM still reads back as its image,\n"
		"and print the counters as one JSON object.\n"
		"\n"
		"  --domain NAME     sharing domain of the images that follow (default \"default\")\n"
		"  --mode MODE       off, intra (patterns in a VM), inter (content across VMs), on\n"
		"  --no-ad           Intel EPT without accessed/dirty bits (default: AMD NPT, with)\n"
		"  --max-scans N     stop after N full scans even without a fixed point\n"
		"  --sparse          do not write all-zero pages: they stay untouched, as in a\n"
		"                    fresh VM (default: every page is written, so populated)\n"
		"  --help            this text\n"
		"\n"
		"Counting: \"populated\" is guest pages backed by memory after loading; by\n"
		"default every page of every image is written, so it is the image pages and\n"
		"\"untouched\" is 0 even for all-zero pages (\"zero_pages\" counts those).\n"
		"With --sparse, all-zero pages are never written: they are \"untouched\",\n"
		"cost no memory, and are not counted in \"saved\". saved_percent is saved\n"
		"over populated. engine_bytes is the engine's heap (indexes, reverse maps,\n"
		"key tables) plus the frame metadata of the simulated machine.\n"
		"Exit status: 0; 1 unreadable/empty image, out of memory or failed check; 2 usage.\n",
		prog);
	exit(rc);
}

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

/* image_size - the size of @path, exiting with a message when it cannot be read or is empty. */
static uint64_t image_size(const char *path)
{
	struct stat st;
	FILE *f = fopen(path, "rb");

	if (!f || fstat(fileno(f), &st)) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		exit(1);
	}
	fclose(f);
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		die("%s: not a regular file", path);
	if (st.st_size == 0)
		die("%s: empty image", path);
	return (uint64_t)st.st_size;
}

static bool page_is_zero(const unsigned char *p)
{
	static const unsigned char zero[PAGE_SIZE];

	return !memcmp(p, zero, PAGE_SIZE);
}

/* load - write @im into its VM page by page, as a guest would. */
static void load(struct sim *s, struct image *im, bool sparse)
{
	unsigned char *buf = malloc(CHUNK);
	FILE *f = fopen(im->path, "rb");
	uint64_t gpa = 0;
	size_t n;

	if (!buf || !f)
		die("%s: cannot read", im->path);
	while ((n = fread(buf, 1, CHUNK, f)) > 0) {
		size_t padded = (n + PAGE_SIZE - 1) & PAGE_MASK;

		memset(buf + n, 0, padded - n);
		for (size_t off = 0; off < padded; off += PAGE_SIZE, gpa += PAGE_SIZE) {
			bool zero = page_is_zero(buf + off);

			im->zero_pages += zero;
			if (zero && sparse)
				continue;
			if (simvm_write(s, &im->vm, gpa, buf + off, PAGE_SIZE))
				die("%s: out of simulated memory while loading", im->path);
		}
	}
	if (ferror(f) || gpa != im->pages * PAGE_SIZE)
		die("%s: read error or file changed while loading", im->path);
	fclose(f);
	free(buf);
}

/* verify - whether @im's VM reads back byte for byte as its file (zero-padded). */
static bool verify(struct sim *s, struct image *im)
{
	unsigned char *a = malloc(CHUNK), *b = malloc(CHUNK);
	FILE *f = fopen(im->path, "rb");
	uint64_t gpa = 0;
	bool ok = a && b && f;
	size_t n;

	while (ok && (n = fread(a, 1, CHUNK, f)) > 0) {
		size_t padded = (n + PAGE_SIZE - 1) & PAGE_MASK;

		memset(a + n, 0, padded - n);
		simvm_read(s, &im->vm, gpa, b, padded);
		if (memcmp(a, b, padded)) {
			for (size_t i = 0; i < padded; i++)
				if (a[i] != b[i]) {
					fprintf(stderr, "%s: %s: byte %#" PRIx64 " reads %02x, image has %02x\n",
						prog, im->path, gpa + i, b[i], a[i]);
					break;
				}
			ok = false;
		}
		gpa += padded;
	}
	if (f)
		fclose(f);
	free(a);
	free(b);
	return ok && gpa == im->pages * PAGE_SIZE;
}

/*
 * converge - full scans until the sharing counters hold still for 2 scans
 * (or @max_scans, 0: no limit). Returns the scans run; *@done says whether
 * the fixed point was reached.
 */
static uint64_t converge(struct share_engine *e, uint64_t max_scans, bool *done)
{
	struct share_stats prev, cur;
	uint64_t scans = 0;
	int still = 0;

	*done = true;
	if (share_get_mode(e) == SHARE_OFF)
		return 0;
	share_get_stats(e, &prev);
	while (still < 2 && (!max_scans || scans < max_scans)) {
		share_scan_full(e);
		scans++;
		share_get_stats(e, &cur);
		if (cur.pages_shared == prev.pages_shared && cur.pages_sharing == prev.pages_sharing &&
		    cur.pattern_pages == prev.pattern_pages &&
		    cur.pattern_frames == prev.pattern_frames &&
		    cur.pages_unshared == prev.pages_unshared &&
		    cur.pages_volatile == prev.pages_volatile && cur.saved == prev.saved)
			still++;
		else
			still = 0;
		prev = cur;
	}
	*done = still >= 2;
	return scans;
}

/* json_str - @s as a JSON string. */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_json(struct sim *s, struct sv_patset *set, struct share_engine *e,
		       struct image *im, int nim, uint64_t scans, bool converged, const char *mode,
		       bool ad)
{
	struct sv_patset_snap *snap = sv_patset_acquire(set);
	uint64_t populated = 0, pages = 0, zero = 0, engine = share_mem_bytes(e) + s->fp.meta_bytes;
	struct share_stats st;
	bool first = true;

	share_get_stats(e, &st);
	for (int i = 0; i < nim; i++) {
		pages += im[i].pages;
		zero += im[i].zero_pages;
		populated += im[i].vm.p2m.leaves[0];
	}
	printf("{\n  \"mode\": \"%s\",\n  \"dirty_bits\": %s,\n  \"converged\": %s,\n"
	       "  \"scans_run\": %" PRIu64 ",\n", mode, ad ? "true" : "false",
	       converged ? "true" : "false", scans);
	printf("  \"vms\": %d,\n  \"pages\": %" PRIu64 ",\n  \"populated\": %" PRIu64
	       ",\n  \"untouched\": %" PRIu64 ",\n  \"zero_pages\": %" PRIu64 ",\n",
	       nim, pages, populated, pages - populated, zero);
	printf("  \"pages_scanned\": %" PRIu64 ",\n  \"full_scans\": %" PRIu64
	       ",\n  \"pages_hashed\": %" PRIu64 ",\n  \"clean_skips\": %" PRIu64 ",\n",
	       st.pages_scanned, st.full_scans, st.pages_hashed, st.clean_skips);
	printf("  \"pages_shared\": %" PRIu64 ",\n  \"pages_sharing\": %" PRIu64
	       ",\n  \"pages_unshared\": %" PRIu64 ",\n  \"pages_volatile\": %" PRIu64 ",\n",
	       st.pages_shared, st.pages_sharing, st.pages_unshared, st.pages_volatile);
	printf("  \"pattern_pages\": %" PRIu64 ",\n  \"pattern_frames\": %" PRIu64
	       ",\n  \"merges\": %" PRIu64 ",\n  \"merge_aborts\": %" PRIu64
	       ",\n  \"hash_collisions\": %" PRIu64 ",\n",
	       st.pattern_pages, st.pattern_frames, st.merges, st.merge_aborts, st.hash_collisions);
	printf("  \"saved\": %" PRIu64 ",\n  \"saved_percent\": %.2f,\n", st.saved,
	       populated ? 100.0 * (double)st.saved / (double)populated : 0.0);
	printf("  \"engine_bytes\": %" PRIu64 ",\n  \"engine_percent\": %.3f,\n", engine,
	       100.0 * (double)engine / (double)s->bytes);
	printf("  \"sim_bytes\": %" PRIu64 ",\n  \"frames_used\": %" PRIu64 ",\n", s->bytes,
	       s->fp.total - s->fp.count[FRAME_FREE]);
	printf("  \"patterns\": {");
	for (int i = 0; i < SHARE_PATSTATS; i++) {
		const struct sv_patset_entry *pe;

		if (!st.pattern[i].id)
			continue;
		pe = sv_patset_find(snap, st.pattern[i].id);
		printf("%s", first ? "" : ", ");
		if (pe)
			json_str(pe->name);
		else
			printf("\"id%u\"", st.pattern[i].id);
		printf(": %" PRIu64, st.pattern[i].pages);
		first = false;
	}
	printf("},\n  \"vm\": [\n");
	for (int i = 0; i < nim; i++) {
		struct share_vm_stats vs;

		share_vm_get_stats(im[i].vm.sv, &vs);
		printf("    {\"id\": %u, \"image\": ", im[i].vm.id);
		json_str(im[i].path);
		printf(", \"domain\": ");
		json_str(im[i].domain);
		printf(", \"pages\": %" PRIu64 ", \"populated\": %" PRIu64 ", \"zero_pages\": %" PRIu64
		       ", \"pattern_pages\": %" PRIu64 ", \"pattern_frames\": %" PRIu64
		       ", \"content_pages\": %" PRIu64 ", \"merges\": %" PRIu64 "}%s\n",
		       im[i].pages, im[i].vm.p2m.leaves[0], im[i].zero_pages, vs.pattern_pages,
		       vs.pattern_frames, vs.content_pages, vs.merges, i + 1 < nim ? "," : "");
	}
	printf("  ]\n}\n");
	sv_patset_release(snap);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "mode", required_argument, NULL, 'm' },
		{ "no-ad", no_argument, NULL, 'n' },
		{ "max-scans", required_argument, NULL, 's' },
		{ "sparse", no_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const modes[] = { "off", "intra", "inter", "on" };
	const struct p2m_format *fmt = &npt_format;
	const char *domain = "default", *mode = "on";
	struct image *im = calloc((size_t)argc, sizeof(*im));
	uint64_t max_scans = 0, total = 0, scans;
	enum share_mode smode = SHARE_ON;
	struct share_engine *e;
	struct sv_patset set;
	bool sparse = false, ok = true, converged;
	struct sim s;
	int nim = 0, c, rc;
	char *end;

	if (!im)
		die("%s", "out of memory");
	/* "-" first: images and options are taken in order, so --domain applies to what follows. */
	while ((c = getopt_long(argc, argv, "-h", opts, NULL)) != -1) {
		switch (c) {
		case 1:
			if (nim == SHARE_MAX_VMS) {
				fprintf(stderr, "%s: at most %d images\n", prog, SHARE_MAX_VMS);
				exit(2);
			}
			im[nim].path = optarg;
			im[nim].domain = domain;
			nim++;
			break;
		case 'd':
			if (!*optarg || strlen(optarg) >= SHARE_NAME_MAX) {
				fprintf(stderr, "%s: domain name must have 1..%d characters\n", prog,
					SHARE_NAME_MAX - 1);
				exit(2);
			}
			domain = optarg;
			break;
		case 'm':
			for (c = 0; c < 4 && strcmp(optarg, modes[c]); c++)
				;
			if (c == 4) {
				fprintf(stderr, "%s: bad mode '%s' (off, intra, inter or on)\n", prog, optarg);
				exit(2);
			}
			mode = modes[c];
			smode = (enum share_mode)c;
			break;
		case 'n':
			fmt = &ept_format;
			break;
		case 's':
			errno = 0;
			max_scans = strtoull(optarg, &end, 10);
			if (errno || *end || !*optarg || optarg[0] == '-' || !max_scans) {
				fprintf(stderr, "%s: bad --max-scans '%s' (a number >= 1)\n", prog, optarg);
				exit(2);
			}
			break;
		case 'z':
			sparse = true;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		default:
			usage(stderr, 2);
		}
	}
	if (!nim) {
		fprintf(stderr, "%s: no image given\n", prog);
		usage(stderr, 2);
	}
	for (int i = 0; i < nim; i++) {
		im[i].bytes = image_size(im[i].path);
		im[i].pages = (im[i].bytes + PAGE_SIZE - 1) / PAGE_SIZE;
		total += im[i].pages * PAGE_SIZE;
	}
	/* Images x 1.1 plus slack: room for frame metadata and page tables, never a shortage. */
	if (sim_init(&s, (total + total / 10 + SIM_SLACK) & PAGE_MASK))
		die("%s", "cannot allocate the simulated machine's memory");
	if (sv_patset_init(&set, true))
		die("%s", "out of memory");
	e = share_engine_create(&s.fp, &set);
	if (!e)
		die("%s", "out of memory");
	share_set_mode(e, smode);
	for (int i = 0; i < nim; i++) {
		if (simvm_create(&s, e, &im[i].vm, (uint16_t)(i + 1), im[i].domain, im[i].pages, fmt))
			die("%s: cannot create its VM (too many domains?)", im[i].path);
		load(&s, &im[i], sparse);
	}
	scans = converge(e, max_scans, &converged);
	rc = share_check(e);
	if (rc) {
		fprintf(stderr, "%s: share_check failed (%d); SV_VERBOSE=1 says why\n", prog, rc);
		ok = false;
	}
	for (int i = 0; i < nim; i++) {
		if (!verify(&s, &im[i])) {
			fprintf(stderr, "%s: %s: VM memory differs from the image\n", prog, im[i].path);
			ok = false;
		}
	}
	print_json(&s, &set, e, im, nim, scans, converged, mode, fmt->dirty_bit != 0);
	for (int i = 0; i < nim; i++)
		simvm_destroy(&im[i].vm);
	share_engine_destroy(e);
	sv_patset_destroy(&set);
	sim_free(&s);
	free(im);
	return ok ? 0 : 1;
}
