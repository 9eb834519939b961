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
 * scans=N (full scans that must also pass without a change, default 3;
 * inter-VM merges wait for a page's hash to be stable across scans),
 * check=1 (also require counters to reach the lower bounds this guest can
 * compute alone). Bare, the counters are reported unavailable and only the
 * write/verify part runs.
 */
#include "rt.h"
#include "../../kernel/hvabi.h"

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

/* A page's content: word w is A + w * B, or A/B alternating for unit pages. */
struct gen {
	enum kind kind;
	uint32_t a, b;
};

/* gen_page - the generator for share-area page I. */
static struct gen gen_page(uint32_t i)
{
	struct gen g = { .kind = (enum kind)(i % K_NR), .a = 0, .b = 0x9e3779b9u };

	switch (g.kind) {
	case K_ZERO:
		g.b = 0;
		break;
	case K_UNIT:
		g.a = mix(seed * 0x9e3779b9u + (i / K_NR) % units + 0x1000);
		g.b = mix(g.a);
		break;
	case K_DUP:
		g.a = mix(mix(seed ^ 0xd0d0d0d0u) + i * 0x85ebca6bu);
		break;
	default:
		g.a = mix(mix(seed ^ vm_key ^ 0x5eed0000u) + i * 0x85ebca6bu + 0x2545f491u);
		break;
	}
	return g;
}

/* word_at - word W of the page G describes. */
static inline uint32_t word_at(const struct gen *g, uint32_t w)
{
	if (g->kind == K_UNIT)
		return (w & 1) ? g->b : g->a;
	return g->a + w * g->b;
}

/* expected - the word at index W of share-area page I. */
static uint32_t expected(uint32_t i, uint32_t w)
{
	struct gen g = gen_page(i);

	return word_at(&g, w);
}

/* page - share-area page I. */
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
		struct gen g = gen_page(i);

		for (uint32_t w = 0; w < WORDS; w++)
			p[w] = word_at(&g, w);
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

/* converge - poll the counters until they stop changing (or POLLS polls). */
static void converge(void)
{
	uint32_t polls = rt_opt_u32("polls", 1000), stable = rt_opt_u32("stable", 8);
	uint32_t need_scans = rt_opt_u32("scans", 3);
	uint64_t last[NWATCH], now, scans = 0, scans_at_change = 0;
	uint32_t same = 0, n, nknown = 0;
	bool have_scans, check = rt_opt_is("check", "1");

	if (!rt_hv_present()) {
		rt_printf("share: counters unavailable (no sharevisor)\n");
		rt_skip("bare");
		return;
	}
	for (unsigned int k = 0; k < NWATCH; k++) {
		bool known = rt_hv_counter(watched[k], &last[k]);

		nknown += known;
		if (check)
			EXPECT(known);
	}
	if (!nknown) {
		rt_printf("share: sharing counters unavailable (no sharing engine)\n");
		if (!check)
			rt_skip("no counters");
		return;
	}
	/* Without a scan counter, "unchanged for STABLE polls" alone decides. */
	have_scans = rt_hv_counter(SV_CNT_FULL_SCANS, &scans_at_change);
	for (n = 0; n < polls; n++) {
		bool changed = false;

		rt_hypercall(SV_HC_SCAN_NOW, 0, 0, 0);
		rt_hypercall(SV_HC_YIELD, 0, 0, 0);
		for (unsigned int s = 0; s < 100000; s++)
			__asm__ volatile("pause");
		for (unsigned int k = 0; k < NWATCH; k++) {
			rt_hv_counter(watched[k], &now);
			if (now != last[k])
				changed = true, last[k] = now;
		}
		rt_hv_counter(SV_CNT_FULL_SCANS, &scans);
		if (changed) {
			same = 0;
			scans_at_change = scans;
		} else if (++same >= stable && (!have_scans || scans >= scans_at_change + need_scans)) {
			break;
		}
	}
	rt_printf("share: %s after %u polls\n", n < polls ? "converged" : "NOT converged", n);
	print_counters("merged");
	if (check) {
		uint64_t pp, pf, sharing;
		uint32_t nunits = count[K_UNIT] < units ? count[K_UNIT] : units;

		EXPECT(n < polls);
		rt_hv_counter(SV_CNT_PATTERN_PAGES, &pp);
		rt_hv_counter(SV_CNT_PATTERN_FRAMES, &pf);
		rt_hv_counter(SV_CNT_PAGES_SHARING, &sharing);
		EXPECT(pp >= count[K_ZERO] + count[K_UNIT]);
		EXPECT(pf >= (count[K_ZERO] ? 1 : 0) + nunits);
		(void)sharing;
	}
}

/* verify_all - every page holds exactly what was written; returns bad words. */
static uint32_t verify_all(bool modified)
{
	uint32_t bad = 0;

	for (uint32_t i = 0; i < npages; i++) {
		volatile uint32_t *p = page(i);
		uint32_t mw = (i * 7) % WORDS;
		struct gen g = gen_page(i);

		for (uint32_t w = 0; w < WORDS; w++) {
			uint32_t want = word_at(&g, w);

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

static const struct rt_test tests[] = {
	{ "layout", layout },
	{ "converge", converge },
	{ "readback", readback },
	{ "write_all", write_all },
	{ NULL, NULL },
};

RT_GUEST("share", tests);
