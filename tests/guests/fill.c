// SPDX-License-Identifier: MIT
/*
 * fill - fills RAM above its image with a seed-derived pattern, then checks
 * every byte; a second pass with another seed proves the first was not
 * merely left over.
 *
 * Options: seed=N (default 1), region=high|low|all (high: from the end of
 * the image up, per the memory map; low: 4 KiB to 640 KiB; default high),
 * limit=N[KMG] (at most this many bytes), passes=N (default 2),
 * corrupt=1 (flip one byte between writing and checking: the check must fail).
 */
#include "rt.h"

#define MAX_RANGES	RT_MMAP_MAX
#define MAX_REPORTS	4

struct range {
	uint32_t start, end;
};

static struct range ranges[MAX_RANGES];
static unsigned int nranges;

/* page_base - the first word of SEED's pattern in the page at address A. */
static inline uint32_t page_base(uint32_t seed, uint32_t a)
{
	uint32_t x = (a >> 12) ^ (seed * 0x9e3779b9u);

	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

/*
 * The pattern: word w of a page is page_base + w * STEP. Cheap enough for
 * Bochs, and a page that lands at the wrong address or a shifted word shows.
 */
#define STEP	0x9e3779b9u

/* add_range - clip [s, e) to the wanted window and the byte limit; keep it. */
static void add_range(uint64_t s, uint64_t e, uint32_t lo, uint32_t hi, uint32_t *budget)
{
	if (s < lo)
		s = lo;
	if (e > hi)
		e = hi;
	s = (s + 0xfff) & ~0xfffull;
	e &= ~0xfffull;
	if (s >= e || nranges == MAX_RANGES || !*budget)
		return;
	if (e - s > *budget)
		e = s + *budget;
	*budget -= (uint32_t)(e - s);
	ranges[nranges].start = (uint32_t)s;
	ranges[nranges].end = (uint32_t)e;
	nranges++;
}

/* collect - the ranges to fill, from the memory map (or mem_upper). */
static void collect_window(uint32_t lo, uint32_t hi, uint32_t *budget)
{
	if (!rt_boot.has_mmap) {
		add_range(0x1000, (uint64_t)rt_boot.mem_lower * 1024, lo, hi, budget);
		add_range(0x100000, 0x100000 + (uint64_t)rt_boot.mem_upper * 1024, lo, hi, budget);
		return;
	}
	for (unsigned int i = 0; i < rt_boot.nmmap; i++)
		if (rt_boot.mmap[i].type == 1)
			add_range(rt_boot.mmap[i].addr,
				  rt_boot.mmap[i].addr + rt_boot.mmap[i].len, lo, hi, budget);
}

/* regions - decide what to fill and say so. */
static void regions(void)
{
	uint32_t budget = rt_opt_u32("limit", 0xffffffffu);
	uint32_t total = 0;
	bool low = rt_opt_is("region", "low") || rt_opt_is("region", "all");
	bool high = !rt_opt_is("region", "low");

	if (low)
		collect_window(0x1000, 0xa0000, &budget);
	if (high)
		collect_window(rt_image_end_page(), 0xfffff000u, &budget);
	for (unsigned int i = 0; i < nranges; i++) {
		rt_printf("fill: %p-%p\n", (void *)ranges[i].start, (void *)ranges[i].end);
		total += ranges[i].end - ranges[i].start;
	}
	rt_printf("fill: %u KiB in %u ranges\n", total >> 10, nranges);
	EXPECT(nranges > 0);
	EXPECT(total >= 0x10000);
}

/* fill_pass - write SEED's pattern everywhere, then check every byte. */
static void fill_pass(uint32_t seed)
{
	unsigned int bad = 0;

	for (unsigned int r = 0; r < nranges; r++) {
		volatile uint32_t *p = (volatile uint32_t *)ranges[r].start;
		volatile uint32_t *end = (volatile uint32_t *)ranges[r].end;
		uint32_t v = 0;

		for (; p < end; p++) {
			if (!((uint32_t)p & 0xfff))
				v = page_base(seed, (uint32_t)p);
			*p = v;
			v += STEP;
		}
	}
	if (rt_opt_is("corrupt", "1") && nranges) {
		volatile uint8_t *c = (volatile uint8_t *)
			((ranges[0].start + ranges[0].end) / 2 + 1);

		*c ^= 0x10;
	}
	for (unsigned int r = 0; r < nranges; r++) {
		volatile uint32_t *p = (volatile uint32_t *)ranges[r].start;
		volatile uint32_t *end = (volatile uint32_t *)ranges[r].end;
		uint32_t want = 0;

		for (; p < end; p++, want += STEP) {
			uint32_t got;

			if (!((uint32_t)p & 0xfff))
				want = page_base(seed, (uint32_t)p);
			got = *p;
			if (got == want)
				continue;
			for (int b = 0; b < 4; b++)
				bad += ((got >> (8 * b)) & 0xff) != ((want >> (8 * b)) & 0xff);
			if (bad <= MAX_REPORTS)
				rt_printf("fill: at %p read %x want %x\n", (void *)p, got, want);
		}
	}
	if (bad)
		rt_printf("fill: seed %u: %u bad bytes\n", seed, bad);
	EXPECT(bad == 0);
}

/* fill_verify - PASSES passes with seeds seed, seed+1, ... */
static void fill_verify(void)
{
	uint32_t seed = rt_opt_u32("seed", 1);
	uint32_t passes = rt_opt_u32("passes", 2);

	for (uint32_t i = 0; i < passes; i++)
		fill_pass(seed + i);
}

static const struct rt_test tests[] = {
	{ "regions", regions },
	{ "fill_verify", fill_verify },
	{ NULL, NULL },
};

RT_GUEST("fill", tests);
