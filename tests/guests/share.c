// SPDX-License-Identifier: MIT
/*
 * share - writes RAM that the sharing engine can merge, waits for the
 * scanner through the counters CPUID leaf, then checks that it reads back
 * exactly what it wrote, writes to every page (copy-on-write breaks) and
 * checks every byte again.
 *
 * The share area is the RAM from the end of the image up (first usable
 * block above 1 MiB); page i (counted from its start) holds, by i % 4:
 *   0  zeros                                 (pattern: all zero)
 *   1  one 8-byte word repeated; UNITS words  (pattern: repeating unit)
 *   2  words from (seed, i)                  (same in VMs with equal seed)
 *   3  words from (seed, vm id, i)           (unique to this VM)
 * Options: seed=N (default 1), vm=NAME (default: sharevisor's VM id),
 * units=N (default 4), pages=N (default all), polls=N (default 1000),
 * stable=N (unchanged polls that count as converged, default 8),
 * check=1 (require the exact sharing state of the area, asked page by page
 * through the SV_HC_PAGE_STATE hypercall: zero and unit pages on pattern
 * frames, dup pages on content frames when peers=N other VMs of the same
 * domain run with the same seed, unique pages private), peers=N (see
 * check; the VMs then meet at a barrier before anyone writes again),
 * churn=N (then N rounds of rewriting every page while scans run),
 * linger=1 (after the tests, stay alive like the idle guest: halt between
 * timer ticks, echo received bytes, exit on 'q'; for demos and the console).
 * Bare, the counters are reported unavailable and only the write/verify
 * part runs.
 */
#include "rt.h"
#include "../../kernel/hvabi.h"
#include "idle_loop.h"

#define PAGE		4096u
#define WORDS		(PAGE / 4)
#define NWATCH		4

enum kind { K_ZERO, K_UNIT, K_DUP, K_UNIQ, K_NR };

static uint32_t area, npages, seed, vm_key, units;
static uint32_t count[K_NR];

/* Counters that settle when the scanner has converged. */
static const unsigned int watched[NWATCH] = {
	SV_CNT_PAGES_SHARED, SV_CNT_PAGES_SHARING,
	SV_CNT_PATTERN_PAGES, SV_CNT_PATTERN_FRAMES,
};

/* mix - a 32-bit finaliser: distinct inputs give well-spread words. */
static uint32_t mix(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

/* expected - the word at index W of share-area page I. */
static uint32_t expected(uint32_t i, uint32_t w)
{
	uint32_t u;

	switch (i % K_NR) {
	case K_ZERO:
		return 0;
	case K_UNIT:
		u = mix(seed * 0x9e3779b9u + (i / K_NR) % units + 0x1000);
		return (w & 1) ? mix(u) : u;
	case K_DUP:
		return mix(mix(seed ^ 0xd0d0d0d0u) + i * 0x9e3779b9u + w * 0x85ebca6bu);
	default:
		return mix(mix(seed ^ vm_key ^ 0x5eed0000u) + i * 0x9e3779b9u +
			   w * 0x85ebca6bu + 0x2545f491u);
	}
}

static volatile uint32_t *page(uint32_t i)
{
	return (volatile uint32_t *)(area + i * PAGE);
}

/* vm_id_key - FNV-1a of vm=NAME, else sharevisor's VM id, else 0. */
static uint32_t vm_id_key(void)
{
	const char *v = rt_opt("vm");
	uint32_t h = 2166136261u;

	if (!v)
		return rt_hv_present() ? cpuid(SV_CPUID_INFO, 0).ebx : 0;
	for (; *v && *v != ' '; v++)
		h = (h ^ (uint8_t)*v) * 16777619u;
	return h;
}

/* layout - pick the area and write every page's content. */
static void layout(void)
{
	uint32_t end = 0x100000 + rt_boot.mem_upper * 1024;

	seed = rt_opt_u32("seed", 1);
	units = rt_opt_u32("units", 4);
	if (!units)
		units = 1;
	vm_key = vm_id_key();
	area = rt_image_end_page();
	for (unsigned int m = 0; m < rt_boot.nmmap; m++)
		if (rt_boot.mmap[m].type == 1 && rt_boot.mmap[m].addr <= area &&
		    rt_boot.mmap[m].addr + rt_boot.mmap[m].len > area)
			end = (uint32_t)(rt_boot.mmap[m].addr + rt_boot.mmap[m].len);
	npages = end > area ? (end - area) / PAGE : 0;
	npages = rt_opt_u32("pages", npages) < npages ? rt_opt_u32("pages", npages) : npages;
	for (uint32_t i = 0; i < npages; i++) {
		volatile uint32_t *p = page(i);

		for (uint32_t w = 0; w < WORDS; w++)
			p[w] = expected(i, w);
		count[i % K_NR]++;
	}
	rt_printf("share: area %p pages=%u zero=%u unit=%u units=%u dup=%u uniq=%u\n",
		  (void *)area, npages, count[K_ZERO], count[K_UNIT],
		  count[K_UNIT] < units ? count[K_UNIT] : units, count[K_DUP], count[K_UNIQ]);
	EXPECT(npages >= K_NR);
}

/* print_counters - one line with the sharing counters. */
static void print_counters(const char *when)
{
	uint64_t c[SV_CNT_MAX];

	for (unsigned int k = 0; k < SV_CNT_MAX; k++)
		rt_hv_counter(k, &c[k]);
	rt_printf("share: %s scans=%llu shared=%llu sharing=%llu pattern_pages=%llu "
		  "pattern_frames=%llu cow=%llu\n", when, c[SV_CNT_FULL_SCANS],
		  c[SV_CNT_PAGES_SHARED], c[SV_CNT_PAGES_SHARING],
		  c[SV_CNT_PATTERN_PAGES], c[SV_CNT_PATTERN_FRAMES], c[SV_CNT_COW_BREAKS]);
}

/* area_state - how many area pages are in @state (enum sv_page_state). */
static int32_t area_state(uint32_t state)
{
	return rt_hypercall(SV_HC_PAGE_STATE, area, npages, state);
}

/*
 * check_states - the exact state every area page must reach, computed from
 * what layout() wrote: zero and unit pages on this VM's pattern frames, dup
 * pages on content frames if peers run, unique pages private. Polls (with
 * scans) until it holds, then waits at a barrier for the peers.
 */
static void check_states(void)
{
	uint32_t peers = rt_opt_u32("peers", 0), polls = rt_opt_u32("polls", 1000), n;
	bool unshared = rt_opt_is("unshared", "1");	/* this VM runs with share=off */
	int32_t want_pattern = unshared ? 0 : (int32_t)(count[K_ZERO] + count[K_UNIT]);
	int32_t want_content = peers && !unshared ? (int32_t)count[K_DUP] : 0;
	int32_t want_private = (int32_t)npages - want_pattern - want_content;
	int32_t pat = 0, con = 0, priv = 0;

	/* All private is also the state before any scan: make the scanner look first. */
	for (n = 0; unshared && n < 2; n++)
		rt_hypercall(SV_HC_SCAN_NOW, 0, 0, 0);
	for (n = 0; n < polls; n++) {
		pat = area_state(SV_PS_PATTERN);
		con = area_state(SV_PS_CONTENT);
		priv = area_state(SV_PS_PRIVATE);
		if (pat == want_pattern && con == want_content && priv == want_private)
			break;
		rt_hypercall(SV_HC_SCAN_NOW, 0, 0, 0);
		rt_hypercall(SV_HC_YIELD, 0, 0, 0);
	}
	rt_printf("share: area pattern=%d/%d content=%d/%d private=%d/%d after %u polls\n",
		  pat, want_pattern, con, want_content, priv, want_private, n);
	EXPECT(pat == want_pattern);
	EXPECT(con == want_content);
	EXPECT(priv == want_private);
	/* Nobody writes (and breaks the sharing) before every peer has checked. */
	if (!peers)
		return;
	for (n = 0; n < polls && rt_hypercall(SV_HC_BARRIER, 1, 0, 0) < (int32_t)peers + 1; n++)
		rt_hypercall(SV_HC_YIELD, 0, 0, 0);
	EXPECT(n < polls);
}

/* converge - poll the counters until they stop changing (or POLLS polls). */
static void converge(void)
{
	uint32_t polls = rt_opt_u32("polls", 1000), stable = rt_opt_u32("stable", 8);
	uint64_t last[NWATCH], now, scans = 0, scans_at_change = 0;
	uint32_t same = 0, n;

	if (!rt_hv_present()) {
		rt_printf("share: counters unavailable (no sharevisor)\n");
		rt_skip("bare");
		return;
	}
	if (rt_opt_is("check", "1")) {
		/* The exact per-page state is the convergence criterion. */
		check_states();
		print_counters("merged");
		return;
	}
	/*
	 * This VM's own counters are always there; the machine-wide ones (and
	 * SCAN_NOW) only when sharevisor runs in test mode: then wait for two
	 * more full scans after the last change, else just for stable counters.
	 */
	for (unsigned int k = 0; k < NWATCH; k++) {
		last[k] = 0;
		if (!rt_hv_counter(watched[k], &last[k]))
			EXPECT(watched[k] != SV_CNT_PATTERN_PAGES && watched[k] != SV_CNT_PATTERN_FRAMES);
	}
	bool have_scans = rt_hv_counter(SV_CNT_FULL_SCANS, &scans_at_change);
	for (n = 0; n < polls; n++) {
		bool changed = false;

		rt_hypercall(SV_HC_SCAN_NOW, 0, 0, 0);
		rt_hypercall(SV_HC_YIELD, 0, 0, 0);
		for (unsigned int s = 0; s < 100000; s++)
			__asm__ volatile("pause");
		for (unsigned int k = 0; k < NWATCH; k++) {
			now = last[k];
			rt_hv_counter(watched[k], &now);
			if (now != last[k])
				changed = true, last[k] = now;
		}
		rt_hv_counter(SV_CNT_FULL_SCANS, &scans);
		if (changed) {
			same = 0;
			scans_at_change = scans;
		} else if (++same >= stable && (!have_scans || scans >= scans_at_change + 2)) {
			break;
		}
	}
	rt_printf("share: %s after %u polls\n", n < polls ? "converged" : "NOT converged", n);
	print_counters("merged");
}

/* verify_all - every page holds exactly what was written; returns bad words. */
static uint32_t verify_all(bool modified)
{
	uint32_t bad = 0;

	for (uint32_t i = 0; i < npages; i++) {
		volatile uint32_t *p = page(i);
		uint32_t mw = (i * 7) % WORDS;

		for (uint32_t w = 0; w < WORDS; w++) {
			uint32_t want = expected(i, w);

			if (modified && w == mw)
				want = ~want ^ i;
			if (p[w] != want && ++bad <= 4)
				rt_printf("share: page %u word %u read %x want %x\n",
					  i, w, p[w], want);
		}
	}
	return bad;
}

/* readback - after the merges the guest reads exactly what it wrote. */
static void readback(void)
{
	EXPECT(verify_all(false) == 0);
}

/* write_all - one write into every page (COW breaks), then every byte. */
static void write_all(void)
{
	for (uint32_t i = 0; i < npages; i++)
		page(i)[(i * 7) % WORDS] = ~expected(i, (i * 7) % WORDS) ^ i;
	EXPECT(verify_all(true) == 0);
	if (rt_hv_present())
		print_counters("written");
}

/*
 * churn_check - after the last churn round, pages were rewritten in place:
 * the scanner must notice every change (dirty bits, or re-hashing) and reach
 * the exact state the last round implies: zero and unit pages on pattern
 * frames, the rest private (no peers). Proves that pages changed in place
 * are never taken for unchanged.
 */
static void churn_check(uint32_t rounds)
{
	int32_t want_pattern = 0, pat = 0, priv = 0, want_private;
	uint32_t polls = rt_opt_u32("polls", 1000), n;

	for (uint32_t i = 0; i < npages; i++)
		want_pattern += (i + rounds) % K_NR == K_ZERO || (i + rounds) % K_NR == K_UNIT;
	want_private = (int32_t)npages - want_pattern;
	for (n = 0; n < polls; n++) {
		pat = area_state(SV_PS_PATTERN);
		priv = area_state(SV_PS_PRIVATE);
		if (pat == want_pattern && priv == want_private)
			break;
		rt_hypercall(SV_HC_SCAN_NOW, 0, 0, 0);
		rt_hypercall(SV_HC_YIELD, 0, 0, 0);
	}
	rt_printf("share: after churn pattern=%d/%d private=%d/%d after %u polls\n",
		  pat, want_pattern, priv, want_private, n);
	EXPECT(pat == want_pattern && priv == want_private);
}

/*
 * churn - keep writing while the scanner merges: CHURN rounds, each writes
 * every page with the next kind (zero, unit, dup, unique rotate), asking for
 * scans in between, then checks every byte. Merges and COW breaks race
 * with the writes; the guest must always read what it last wrote.
 */
static void churn(void)
{
	uint32_t rounds = rt_opt_u32("churn", 0);

	if (!rounds) {
		rt_skip("churn=0");
		return;
	}
	for (uint32_t r = 1; r <= rounds; r++) {
		seed += 1;
		for (uint32_t i = 0; i < npages; i++) {
			volatile uint32_t *p = page(i);
			uint32_t j = i + r;	/* the page's kind rotates every round */

			for (uint32_t w = 0; w < WORDS; w++)
				p[w] = expected(j, w);
			if (rt_hv_present() && i % 64 == 0)
				rt_hypercall(SV_HC_SCAN_NOW, 0, 0, 0);
		}
		for (uint32_t i = 0, bad = 0; i < npages; i++)
			for (uint32_t w = 0; w < WORDS; w++)
				if (page(i)[w] != expected(i + r, w) && ++bad <= 4)
					rt_printf("share: churn %u page %u word %u read %x want %x\n",
						  r, i, w, page(i)[w], expected(i + r, w)),
					EXPECT(0);
	}
	if (rt_hv_present())
		print_counters("churned");
	if (rt_hv_present() && rt_opt_is("check", "1"))
		churn_check(rounds);
}

/* linger - with linger=1, keep the VM alive until it receives 'q'. */
static void linger(void)
{
	if (!rt_opt_is("linger", "1")) {
		rt_skip("linger=0");
		return;
	}
	rt_printf("share: lingering; send 'q' to exit\n");
	idle_loop("share");
}

static const struct rt_test tests[] = {
	{ "layout", layout },
	{ "converge", converge },
	{ "readback", readback },
	{ "write_all", write_all },
	{ "churn", churn },
	{ "linger", linger },
	{ NULL, NULL },
};

RT_GUEST("share", tests);
