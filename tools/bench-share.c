// SPDX-License-Identifier: MIT
/*
 * bench-share.c - `make bench` for the sharing engine (host build), side by side with Linux KSM.
 *
 * One run measures, over simulated guests (tools/simvm.h) holding a
 * realistic mix (BENCH_MIB over BENCH_VMS VMs: 30% zero pages, 10% pages of
 * a repeating 8-byte unit, 30% pages duplicated across the VMs, 30% unique):
 *   (a) the plain read bandwidth of one pass over every page, the baseline;
 *   (b) the merge phase: full scans from freshly written memory until the
 *       saving stops changing, with NPT dirty bits and with EPT without A/D;
 *   (c) the steady state: one full scan over converged, idle memory;
 *   (d) the memory saved and the engine's own memory cost;
 *   (e) a COW break in a content many pages hold (65,536) against one two
 *       pages hold: CPU time and reverse-map entries searched per break
 *       (bounded by SHARE_MAX_SHARING, so the two should cost about the same);
 *   (f) when run as root with a working /sys/kernel/mm/ksm: the same pages
 *       in an madvise(MADV_MERGEABLE) region, ksmd scanning as fast as it
 *       can, its saving and CPU time; every KSM setting is restored, also on
 *       error and on SIGINT/SIGTERM/SIGHUP.
 * Before (a), one core's best sequential read of one buffer of the same size
 * (the ceiling of any pass); at the end, the targets as ratios of this run.
 * Engine times are CPU-seconds of this process (CLOCK_PROCESS_CPUTIME_ID),
 * best of 3; ksmd's are read from /proc/<ksmd>/schedstat (or stat).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "arch/x86/svm/npt.h"
#include "arch/x86/vmx/ept.h"
#include "mm/errno.h"
#include "sharing/patset.h"
#include "sharing/share.h"
#include "tools/simvm.h"

#define BENCH_MIB	256
#define BENCH_VMS	4
#define VM_PAGES	((uint64_t)BENCH_MIB * 256 / BENCH_VMS)
#define TOTAL_PAGES	(VM_PAGES * BENCH_VMS)
#define REPS		3
#define UNITS		64		/* distinct repeating units */
#define MAX_SCANS	16

/* ---- content --------------------------------------------------------- */

enum kind { K_ZERO, K_REPEAT, K_DUP, K_UNIQUE };

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* page_kind - page @i of a VM: 3 in 10 zero, 1 repeating, 3 duplicated, 3 unique. */
static enum kind page_kind(uint64_t i)
{
	static const enum kind k[10] = { K_ZERO, K_UNIQUE, K_DUP, K_REPEAT, K_ZERO,
					 K_UNIQUE, K_DUP, K_ZERO, K_UNIQUE, K_DUP };

	return k[mix64(i) % 10];
}

/* make_page - the content of page @i of VM @v. */
static void make_page(uint64_t *p, int v, uint64_t i)
{
	uint64_t seed, unit;

	switch (page_kind(i)) {
	case K_ZERO:
		memset(p, 0, PAGE_SIZE);
		break;
	case K_REPEAT:
		unit = mix64(i % UNITS + 7777) | 1;
		for (size_t w = 0; w < PAGE_SIZE / 8; w++)
			p[w] = unit;
		break;
	case K_DUP:
	case K_UNIQUE:
		seed = page_kind(i) == K_DUP ? i : ((uint64_t)(v + 1) << 40) + i;
		for (size_t w = 0; w < PAGE_SIZE / 8; w++)
			p[w] = mix64(seed * 512 + w);
		break;
	}
}

/* ---- timing ---------------------------------------------------------- */

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double min_d(double a, double b)
{
	return a < b ? a : b;
}

/* ---- the engine over simulated VMs ---------------------------------- */

struct world {
	struct sim s;
	struct sv_patset set;
	struct share_engine *e;
	struct simvm vm[BENCH_VMS];
};

static void fail(const char *what)
{
	fprintf(stderr, "bench-share: %s\n", what);
	exit(1);
}

static void world_build(struct world *w, const struct p2m_format *fmt)
{
	uint64_t page[PAGE_SIZE / 8];
	uint64_t bytes = TOTAL_PAGES * PAGE_SIZE;

	if (sim_init(&w->s, bytes + bytes / 10 + (16ull << 20)) || sv_patset_init(&w->set, true))
		fail("out of memory");
	w->e = share_engine_create(&w->s.fp, &w->set);
	if (!w->e)
		fail("out of memory");
	for (int v = 0; v < BENCH_VMS; v++) {
		if (simvm_create(&w->s, w->e, &w->vm[v], (uint16_t)(v + 1), "default", VM_PAGES, fmt))
			fail("cannot create a VM");
		for (uint64_t i = 0; i < VM_PAGES; i++) {
			make_page(page, v, i);
			if (simvm_write(&w->s, &w->vm[v], i * PAGE_SIZE, page, PAGE_SIZE))
				fail("out of simulated memory");
		}
	}
}

static void world_free(struct world *w)
{
	for (int v = 0; v < BENCH_VMS; v++)
		simvm_destroy(&w->vm[v]);
	share_engine_destroy(w->e);
	sv_patset_destroy(&w->set);
	sim_free(&w->s);
}

/* read_pass - sum every word of every guest page through the p2m leaves; returns the sum. */
static uint64_t read_pass(struct world *w)
{
	uint64_t a = 0, b = 0, c = 0, d = 0;

	for (int v = 0; v < BENCH_VMS; v++) {
		uint64_t cur = 0;
		struct p2m_leaf leaf;

		while (!p2m_next(&w->vm[v].p2m, &cur, VM_PAGES * PAGE_SIZE, &leaf)) {
			const uint64_t *p = frame_va(&w->s.fp, leaf.hpa);

			for (size_t i = 0; i < leaf.size / 8; i += 4) {
				a += p[i];
				b ^= p[i + 1];
				c += p[i + 2];
				d ^= p[i + 3];
			}
		}
	}
	return a + b + c + d;
}

/* seq_read - the same loop over one contiguous buffer of @bytes: what one core reads at best. */
static uint64_t seq_read(const uint64_t *p, size_t bytes)
{
	uint64_t a = 0, b = 0, c = 0, d = 0;

	for (size_t i = 0; i < bytes / 8; i += 4) {
		a += p[i];
		b ^= p[i + 1];
		c += p[i + 2];
		d ^= p[i + 3];
	}
	return a + b + c + d;
}

/* hash_pass - the default page hash over every guest page; returns a fold of the hashes. */
static uint64_t hash_pass(struct world *w)
{
	uint64_t x = 0;

	for (int v = 0; v < BENCH_VMS; v++) {
		uint64_t cur = 0;
		struct p2m_leaf leaf;

		while (!p2m_next(&w->vm[v].p2m, &cur, VM_PAGES * PAGE_SIZE, &leaf))
			x += share_hash_page(frame_va(&w->s.fp, leaf.hpa));
	}
	return x;
}

struct merge_result {
	double first_scan;	/* CPU-s of the first full scan */
	double to_final;	/* CPU-s of the scans up to the last one that changed the saving */
	int scans_to_final;
	uint64_t saved, scanned_to_final, hashed_to_final;
	struct share_stats st;
	double steady;		/* CPU-s of one full scan once converged (best of REPS) */
	uint64_t steady_hashed, steady_scanned;
	uint64_t engine_bytes, meta_bytes, sim_bytes;
};

static bool same(const struct share_stats *a, const struct share_stats *b)
{
	return a->saved == b->saved && a->pages_shared == b->pages_shared &&
	       a->pages_sharing == b->pages_sharing && a->pattern_pages == b->pattern_pages &&
	       a->pattern_frames == b->pattern_frames;
}

/* merge_phase - build a fresh world and scan it to a fixed point, timing each full scan. */
static void merge_phase(const struct p2m_format *fmt, struct merge_result *r)
{
	struct share_stats prev, cur;
	struct world w;
	double t0, t, total = 0;
	int still = 0;

	memset(r, 0, sizeof(*r));
	world_build(&w, fmt);
	share_get_stats(w.e, &prev);
	for (int scan = 1; scan <= MAX_SCANS && still < 2; scan++) {
		t0 = cpu_now();
		share_scan_full(w.e);
		t = cpu_now() - t0;
		total += t;
		share_get_stats(w.e, &cur);
		if (scan == 1)
			r->first_scan = t;
		if (!same(&prev, &cur) || scan == 1) {
			still = 0;
			r->to_final = total;
			r->scans_to_final = scan;
			r->scanned_to_final = cur.pages_scanned;
			r->hashed_to_final = cur.pages_hashed;
		} else {
			still++;
		}
		prev = cur;
	}
	if (still < 2)
		fail("the engine did not converge");
	if (share_check(w.e))
		fail("share_check failed after the merge phase");
	r->st = cur;
	r->saved = cur.saved;
	r->steady = 1e9;
	for (int rep = 0; rep < REPS; rep++) {
		share_get_stats(w.e, &prev);
		t0 = cpu_now();
		share_scan_full(w.e);
		r->steady = min_d(r->steady, cpu_now() - t0);
		share_get_stats(w.e, &cur);
		r->steady_hashed = cur.pages_hashed - prev.pages_hashed;
		r->steady_scanned = cur.pages_scanned - prev.pages_scanned;
	}
	r->engine_bytes = share_mem_bytes(w.e);
	r->meta_bytes = w.s.fp.meta_bytes;
	r->sim_bytes = w.s.bytes;
	world_free(&w);
}

/* best_merge - merge_phase REPS times, keeping the fastest merge phase and steady scan. */
static void best_merge(const struct p2m_format *fmt, struct merge_result *best)
{
	struct merge_result r;

	for (int rep = 0; rep < REPS; rep++) {
		merge_phase(fmt, &r);
		if (!rep) {
			*best = r;
			continue;
		}
		if (r.saved != best->saved)
			fail("runs disagree on the saving");
		if (r.to_final < best->to_final) {
			best->to_final = r.to_final;
			best->scans_to_final = r.scans_to_final;
		}
		best->first_scan = min_d(best->first_scan, r.first_scan);
		best->steady = min_d(best->steady, r.steady);
	}
}

/* ---- Linux KSM ------------------------------------------------------- */

#define KSM_DIR "/sys/kernel/mm/ksm/"
#define KSM_BATCH "16384"	/* pages per ksmd batch; see ksm_run() */

/* The settings we change, their saved values, and whether they were saved. */
static struct {
	const char *name;
	char old[32];
	bool saved;
} ksm_set[] = { { "run", "", false }, { "pages_to_scan", "", false },
		{ "sleep_millisecs", "", false } };
#define KSM_NSET (sizeof(ksm_set) / sizeof(ksm_set[0]))

/* ksm_write - write @val to KSM setting @name; 0 or -errno. Async-signal-safe. */
static int ksm_write(const char *name, const char *val)
{
	char path[96] = KSM_DIR;
	int fd, rc = 0;

	strncat(path, name, sizeof(path) - sizeof(KSM_DIR));
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* ksm_read - the value of KSM file @name into @buf (newline dropped); 0 or -errno. */
static int ksm_read(const char *name, char *buf, size_t size)
{
	char path[96] = KSM_DIR;
	ssize_t n;
	int fd;

	strncat(path, name, sizeof(path) - sizeof(KSM_DIR));
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static uint64_t ksm_num(const char *name)
{
	char buf[32];

	return ksm_read(name, buf, sizeof(buf)) ? 0 : strtoull(buf, NULL, 10);
}

/* ksm_restore - put back every setting we saved, "run" first stopped, last restored. */
static void ksm_restore(void)
{
	if (ksm_set[0].saved)
		ksm_write("run", "0");
	for (size_t i = KSM_NSET; i-- > 0;)
		if (ksm_set[i].saved) {
			ksm_write(ksm_set[i].name, ksm_set[i].old);
			ksm_set[i].saved = false;
		}
}

static void on_signal(int sig)
{
	ksm_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* ksmd_pid - the pid of the ksmd kernel thread, or 0. */
static int ksmd_pid(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int pid = 0;

	while (d && (de = readdir(d)) && !pid) {
		char path[300], comm[32] = "";
		FILE *f;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "r");
		if (f && fgets(comm, sizeof(comm), f) && !strcmp(comm, "ksmd\n"))
			pid = atoi(de->d_name);
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return pid;
}

/* ksmd_cpu - CPU-seconds ksmd has run: schedstat (ns) when present, else stat utime+stime. */
static double ksmd_cpu(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ns, ut, st;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	f = fopen(path, "r");
	if (f) {
		int n = fscanf(f, "%llu", &ns);

		fclose(f);
		if (n == 1)
			return (double)ns * 1e-9;
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	p = strrchr(buf, ')');
	/* after ") ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/*
 * ksm_settle - let ksmd run 2 full scans so that it drops the rmap items of
 * regions already gone (its counters keep them until it walks again); with
 * no such items (all counters 0) there is nothing to do. Leaves run at 0.
 * Returns 0, or -1 when ksmd did not finish within 10 s (it does not scan
 * at all when no process has mergeable memory).
 */
static bool ksm_idle(void)
{
	return !ksm_num("pages_shared") && !ksm_num("pages_sharing") && !ksm_num("pages_unshared") &&
	       !ksm_num("pages_volatile");
}

static int ksm_settle(void)
{
	uint64_t start = ksm_num("full_scans");
	double t0 = wall_now();
	bool done;

	if (ksm_idle())
		return 0;
	if (ksm_write("run", "1"))
		return -1;
	/* ksmd stops scanning once no process is left: then the counters are simply 0. */
	while (!(done = ksm_num("full_scans") >= start + 2 || ksm_idle()) && wall_now() - t0 < 10)
		usleep(5000);
	ksm_write("run", "0");
	return done ? 0 : -1;
}

struct ksm_result {
	uint64_t sharing, shared;
	double cpu_to_final, wall_to_final, idle_cpu_per_s;
	uint64_t full_scans;
	char smart[16], maxps[16], zero[16];	/* settings left as found, for the report */
};

/*
 * ksm_run - the mix in an madvise(MADV_MERGEABLE) region, ksmd at full speed
 * until pages_sharing holds still over 2 full scans. Returns 0, or -1 with
 * @why set when KSM cannot run here. pages_to_scan is a batch of 16384, not
 * UINT_MAX: with sleep_millisecs 0 ksmd runs back to back either way, but a
 * batch holds ksm_thread_mutex, so an endless batch would block restoring "run".
 */
static int ksm_run(struct ksm_result *r, char *why, size_t whylen)
{
	size_t len = TOTAL_PAGES * PAGE_SIZE;
	uint64_t base_sharing, base_shared, last, scans_at_change, scans;
	double cpu0, wall0, t_change_cpu = 0, t_change_wall = 0, now, idle0;
	unsigned char *mem;
	char buf[64];
	int pid, rc = -1;

	memset(r, 0, sizeof(*r));
	if (geteuid() != 0) {
		snprintf(why, whylen, "not root (KSM settings need root)");
		return -1;
	}
	if (ksm_read("run", buf, sizeof(buf))) {
		snprintf(why, whylen, "%s not readable: %s", KSM_DIR "run", strerror(errno));
		return -1;
	}
	ksm_read("smart_scan", r->smart, sizeof(r->smart));
	ksm_read("max_page_sharing", r->maxps, sizeof(r->maxps));
	ksm_read("use_zero_pages", r->zero, sizeof(r->zero));
	pid = ksmd_pid();
	if (!pid || ksmd_cpu(pid) < 0) {
		snprintf(why, whylen, "no ksmd thread found in /proc");
		return -1;
	}
	for (size_t i = 0; i < KSM_NSET; i++) {
		if (ksm_read(ksm_set[i].name, ksm_set[i].old, sizeof(ksm_set[i].old))) {
			snprintf(why, whylen, "cannot read %s%s", KSM_DIR, ksm_set[i].name);
			goto out;
		}
		ksm_set[i].saved = true;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	if ((rc = ksm_write("run", "0"))) {
		snprintf(why, whylen, "cannot write %srun: %s", KSM_DIR, strerror(-rc));
		rc = -1;
		goto out;
	}
	if (ksm_write("pages_to_scan", KSM_BATCH) || ksm_write("sleep_millisecs", "0")) {
		snprintf(why, whylen, "cannot set pages_to_scan/sleep_millisecs");
		rc = -1;
		goto out;
	}
	/* Counters of earlier, unmapped regions go first; what is left is others' (the baseline). */
	if (ksm_settle())
		printf("  note: ksmd did not finish 2 full scans in 10 s; counters may include others'\n");
	rc = -1;
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		snprintf(why, whylen, "mmap of %d MiB failed", BENCH_MIB);
		goto out;
	}
	madvise(mem, len, MADV_NOHUGEPAGE);	/* 4 KiB pages, as the engine sees them */
	for (int v = 0; v < BENCH_VMS; v++)
		for (uint64_t i = 0; i < VM_PAGES; i++)
			make_page((uint64_t *)(mem + ((uint64_t)v * VM_PAGES + i) * PAGE_SIZE), v, i);
	if (madvise(mem, len, MADV_MERGEABLE)) {
		snprintf(why, whylen, "madvise(MADV_MERGEABLE): %s", strerror(errno));
		goto unmap;
	}
	base_sharing = ksm_num("pages_sharing");
	base_shared = ksm_num("pages_shared");
	cpu0 = ksmd_cpu(pid);
	wall0 = wall_now();
	if (ksm_write("run", "1")) {
		snprintf(why, whylen, "cannot start ksmd (run=1)");
		goto unmap;
	}
	last = 0;
	scans_at_change = ksm_num("full_scans");
	for (;;) {
		uint64_t sharing = ksm_num("pages_sharing");

		scans = ksm_num("full_scans");
		now = wall_now();
		if (sharing != last) {
			last = sharing;
			scans_at_change = scans;
			t_change_cpu = ksmd_cpu(pid) - cpu0;
			t_change_wall = now - wall0;
		} else if (sharing > base_sharing && scans >= scans_at_change + 2) {
			break;
		}
		if (now - wall0 > 60) {
			snprintf(why, whylen, "KSM did not converge within 60 s");
			goto unmap;
		}
		usleep(20000);
	}
	r->sharing = last - base_sharing;
	r->shared = ksm_num("pages_shared") - base_shared;
	r->cpu_to_final = t_change_cpu;
	r->wall_to_final = t_change_wall;
	/* Converged and idle: what ksmd keeps spending. */
	idle0 = ksmd_cpu(pid);
	now = wall_now();
	scans = ksm_num("full_scans");
	usleep(1000000);
	r->idle_cpu_per_s = (ksmd_cpu(pid) - idle0) / (wall_now() - now);
	r->full_scans = ksm_num("full_scans") - scans;
	rc = 0;
unmap:
	ksm_write("run", "0");
	munmap(mem, len);
	ksm_settle();		/* leave no counters of our region behind */
out:
	ksm_restore();
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	return rc;
}

/* ---- report ---------------------------------------------------------- */

static void print_merge(const char *name, const struct merge_result *r, double base_pps)
{
	double pps = (double)TOTAL_PAGES / r->to_final;

	printf("  %-22s first full scan %7.3f s = %6.2f Mpages/s; to converge %d scans %7.3f s\n",
	       name, r->first_scan, (double)TOTAL_PAGES / r->first_scan * 1e-6, r->scans_to_final,
	       r->to_final);
	printf("  %-22s merge phase: %.2f Mpages per CPU-second, %.2f GB/s, %.2f x the read pass\n",
	       "", pps * 1e-6, pps * PAGE_SIZE * 1e-9, pps / base_pps);
}

static void print_steady(const char *name, const struct merge_result *r, double read_t)
{
	printf("  %-22s %8.4f s, %6" PRIu64 " pages re-hashed of %" PRIu64
	       " visited (%.1f%% of the read pass)\n",
	       name, r->steady, r->steady_hashed, r->steady_scanned, 100.0 * r->steady / read_t);
}

/*
 * cow_cost - one VM of @n pages of one (non-pattern) content, merged in
 * inter-VM mode; then a COW break of @breaks of them, spread over the VM.
 * CPU-seconds and reverse-map entries searched per break into *@steps.
 */
static double cow_cost(uint64_t n, uint64_t breaks, double *steps)
{
	uint64_t page[PAGE_SIZE / 8], one = 1;
	struct share_stats a, b;
	struct world w;
	double t0, t;

	if (sim_init(&w.s, n * PAGE_SIZE + n * PAGE_SIZE / 10 + (16ull << 20)) ||
	    sv_patset_init(&w.set, true) || !(w.e = share_engine_create(&w.s.fp, &w.set)) ||
	    simvm_create(&w.s, w.e, &w.vm[0], 1, "default", n, &npt_format))
		fail("out of memory");
	share_set_mode(w.e, SHARE_INTER);
	for (size_t i = 0; i < PAGE_SIZE / 8; i++)
		page[i] = mix64(i + 4242);
	for (uint64_t i = 0; i < n; i++)
		if (simvm_write(&w.s, &w.vm[0], i * PAGE_SIZE, page, PAGE_SIZE))
			fail("out of simulated memory");
	for (int i = 0; i < 2 * SHARE_COW_SKIP + 4; i++)
		share_scan_full(w.e);
	share_get_stats(w.e, &a);
	t0 = cpu_now();
	for (uint64_t i = 0; i < breaks; i++)
		if (simvm_write(&w.s, &w.vm[0], (i * n / breaks) * PAGE_SIZE, &one, 1))
			fail("COW break failed");
	t = (cpu_now() - t0) / (double)breaks;
	share_get_stats(w.e, &b);
	*steps = (double)(b.rmap_steps - a.rmap_steps) / (double)breaks;
	simvm_destroy(&w.vm[0]);
	share_engine_destroy(w.e);
	sv_patset_destroy(&w.set);
	sim_free(&w.s);
	return t;
}

int main(void)
{
	struct merge_result npt, ept;
	struct ksm_result k;
	struct world w;
	double t0, read_t = 1e9, hash_t = 1e9, seq_t = 1e9, base_pps, seq_pps;
	uint64_t sink = 0, populated = TOTAL_PAGES, *buf;
	char why[160] = "";
	int krc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("sharing engine bench: %d MiB over %d VMs (%" PRIu64 " pages): 30%% zero, "
	       "10%% repeating 8-byte units (%d distinct), 30%% duplicated across VMs, 30%% unique\n",
	       BENCH_MIB, BENCH_VMS, populated, UNITS);
	printf("CPU-seconds of this process, best of %d\n", REPS);
	if (geteuid() == 0 && access(KSM_DIR "run", W_OK) == 0)
		printf("Part (f) runs Linux KSM on the same pages: it changes this host's KSM settings "
		       "(run, pages_to_scan, sleep_millisecs) and restores them afterwards, also on "
		       "Ctrl-C\n\n");
	else
		printf("Part (f), Linux KSM on the same pages, will be skipped: it needs root and "
		       "%s\n\n", KSM_DIR);

	/* One core's best sequential read, the ceiling for any pass over the pages. */
	buf = malloc(TOTAL_PAGES * PAGE_SIZE);
	if (!buf)
		fail("out of memory");
	memset(buf, 1, TOTAL_PAGES * PAGE_SIZE);
	for (int rep = 0; rep < REPS; rep++) {
		t0 = cpu_now();
		sink += seq_read(buf, TOTAL_PAGES * PAGE_SIZE);
		seq_t = min_d(seq_t, cpu_now() - t0);
	}
	free(buf);
	seq_pps = (double)populated / seq_t;

	world_build(&w, &npt_format);
	for (int rep = 0; rep < REPS; rep++) {
		t0 = cpu_now();
		sink += read_pass(&w);
		read_t = min_d(read_t, cpu_now() - t0);
		t0 = cpu_now();
		sink += hash_pass(&w);
		hash_t = min_d(hash_t, cpu_now() - t0);
	}
	world_free(&w);
	base_pps = (double)populated / read_t;
	printf("(a) one core reading %d MiB in one buffer: %.3f s = %.2f Mpages/s, %.2f GB/s\n",
	       BENCH_MIB, seq_t, seq_pps * 1e-6, seq_pps * PAGE_SIZE * 1e-9);
	printf("    baseline: the same read over the guests' pages, through their page tables: "
	       "%.3f s = %.2f Mpages/s, %.2f GB/s (%.2f x one buffer)\n", read_t, base_pps * 1e-6,
	       base_pps * PAGE_SIZE * 1e-9, base_pps / seq_pps);
	printf("    page hash alone:       %.3f s = %.2f Mpages/s, %.2f GB/s\n", hash_t,
	       (double)populated / hash_t * 1e-6, (double)populated / hash_t * PAGE_SIZE * 1e-9);

	best_merge(&npt_format, &npt);
	best_merge(&ept_format, &ept);
	printf("\n(b) merge phase (from freshly written memory until the saving stops changing)\n");
	print_merge("with dirty bits:", &npt, base_pps);
	print_merge("without dirty bits:", &ept, base_pps);

	printf("\n(c) steady state: one full scan over converged idle memory\n");
	print_steady("with dirty bits:", &npt, read_t);
	print_steady("without dirty bits:", &ept, read_t);

	printf("\n(d) memory\n");
	printf("  saved %" PRIu64 " of %" PRIu64 " pages (%.2f%%): %" PRIu64 " pattern pages"
	       " on %" PRIu64 " frames, %" PRIu64 " content frames shared by %" PRIu64
	       " more pages\n",
	       npt.saved, populated, 100.0 * (double)npt.saved / (double)populated,
	       npt.st.pattern_pages, npt.st.pattern_frames, npt.st.pages_shared,
	       npt.st.pages_sharing);
	printf("  engine heap %.2f MiB + frame metadata %.2f MiB = %.3f%% of the %.0f MiB simulated"
	       " machine (%.1f bytes per guest page)\n",
	       (double)npt.engine_bytes / 1048576.0, (double)npt.meta_bytes / 1048576.0,
	       100.0 * (double)(npt.engine_bytes + npt.meta_bytes) / (double)npt.sim_bytes,
	       (double)npt.sim_bytes / 1048576.0,
	       (double)(npt.engine_bytes + npt.meta_bytes) / (double)populated);

	{
		double s2, sn, t2 = cow_cost(2, 1, &s2), tn = cow_cost(65536, 1024, &sn);

		printf("\n(e) a COW break in a content 65,536 pages hold (frames of at most %d "
		       "mappings) against one 2 pages hold\n", SHARE_MAX_SHARING);
		printf("  65,536 pages: %.2f us per break, %.0f reverse-map entries searched; "
		       "2 pages: %.2f us, %.0f entries (%.1f x)\n", tn * 1e6, sn, t2 * 1e6, s2,
		       tn / t2);
	}

	printf("\n(f) Linux KSM on the same pages\n");
	krc = ksm_run(&k, why, sizeof(why));
	if (krc) {
		printf("  skipped: %s\n", why);
	} else {
		double kpps = (double)populated / k.cpu_to_final;
		double epps = (double)populated / npt.to_final;

		printf("  KSM: %" PRIu64 " pages merged into %" PRIu64 " (pages_sharing, pages_shared), "
		       "saved %.2f%%, ksmd %.3f CPU-s (%.2f s wall) to converge = %.3f Mpages per "
		       "CPU-second\n",
		       k.sharing, k.shared, 100.0 * (double)k.sharing / (double)populated,
		       k.cpu_to_final, k.wall_to_final, kpps * 1e-6);
		printf("  KSM once converged: ksmd busy %.0f%% of a CPU (%" PRIu64
		       " full scans in 1 s)\n", 100.0 * k.idle_cpu_per_s, k.full_scans);
		printf("  engine (with dirty bits): saved %" PRIu64 " pages (%+.2f%% of KSM's saving) in %.3f "
		       "CPU-s = %.2f Mpages per CPU-second: %.1f x KSM's rate, %.1f%% of its CPU time\n",
		       npt.saved, 100.0 * ((double)npt.saved - (double)k.sharing) / (double)k.sharing,
		       npt.to_final, epps * 1e-6, epps / kpps, 100.0 * npt.to_final / k.cpu_to_final);
		printf("  KSM settings restored (run, pages_to_scan, sleep_millisecs); left as found:"
		       " smart_scan %s, max_page_sharing %s, use_zero_pages %s\n", k.smart, k.maxps,
		       k.zero);
	}
	{
		double merge_pps = (double)populated / npt.to_final;
		uint64_t meta = npt.engine_bytes + npt.meta_bytes;

		printf("\ntargets, as ratios of this run:\n");
		printf("  the read over the guests' pages at least 0.8 x one core's read of one "
		       "buffer: %s (%.2f x)\n", base_pps >= 0.8 * seq_pps ? "met" : "missed",
		       base_pps / seq_pps);
		printf("  the merge phase (with dirty bits) at least 0.7 x that read: %s (%.2f x)\n",
		       merge_pps >= 0.7 * base_pps ? "met" : "missed", merge_pps / base_pps);
		printf("  no page re-read in a scan of idle memory with dirty bits: %s (%" PRIu64
		       " re-hashed)\n", npt.steady_hashed == 0 ? "met" : "missed", npt.steady_hashed);
		printf("  engine memory with frame metadata at most 0.5%% of the machine: %s "
		       "(%.3f%%)\n", meta * 200 <= npt.sim_bytes ? "met" : "missed",
		       100.0 * (double)meta / (double)npt.sim_bytes);
	}
	return sink == 42 ? 2 : 0;	/* keep the passes from being optimised away */
}
