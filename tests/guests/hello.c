// SPDX-License-Identifier: MIT
/*
 * hello - prints, and checks what the loader handed over: the Multiboot
 * magic, mem_lower/mem_upper, the memory map and the command line.
 *
 * Options: mem=N[KMG] (the RAM size the loader was asked for: mem_upper
 * must agree), expect=WORD (the command line must carry this word),
 * mods=N (the loader handed over N Multiboot modules, module i with the
 * string "modI"; default 0) and modword=WORD (each module's bytes begin
 * with WORD).
 */
#include "rt.h"

/* say_hello - the loader's magic got through and we can talk. */
static void say_hello(void)
{
	rt_printf("hello from a Multiboot v1 guest at %p\n", (void *)_image_start);
	EXPECT(rt_boot.magic == 0x2BADB002u);
}

/* meminfo - mem_lower/mem_upper are present and look like a PC. */
static void meminfo(void)
{
	uint64_t want;
	const char *mem = rt_opt("mem");

	if (!EXPECT(rt_boot.has_mem))
		return;
	rt_printf("mem_lower=%uK mem_upper=%uK\n", rt_boot.mem_lower, rt_boot.mem_upper);
	EXPECT(rt_boot.mem_lower >= 64 && rt_boot.mem_lower <= 640);
	/* The image itself sits at 1 MiB, so there is RAM above it. */
	EXPECT(rt_boot.mem_upper * 1024u + 0x100000u >= rt_image_end_page());
	if (mem) {
		rt_parse_u64(mem, &want);
		/* mem_upper counts the first contiguous block above 1 MiB. */
		EXPECT((uint64_t)rt_boot.mem_upper * 1024 + 0x100000 <= want);
		EXPECT((uint64_t)rt_boot.mem_upper * 1024 + 0x100000 + 0x100000 > want);
	}
}

/* mmap - the map has usable RAM at 0 and at 1 MiB matching mem_upper. */
static void mmap(void)
{
	bool low = false, high = false;

	if (!rt_boot.has_mmap) {
		rt_skip("no memory map");
		return;
	}
	EXPECT(rt_boot.nmmap > 0);
	for (unsigned int i = 0; i < rt_boot.nmmap; i++) {
		const struct rt_mmap_entry *e = &rt_boot.mmap[i];

		if (e->type != 1)
			continue;
		if (e->addr == 0)
			low = EXPECT(e->len >= (uint64_t)rt_boot.mem_lower * 1024);
		if (e->addr == 0x100000)
			high = EXPECT(e->len == (uint64_t)rt_boot.mem_upper * 1024);
	}
	EXPECT(low);
	EXPECT(high);
}

/* cmdline - there is one, and it carries expect=WORD's word if asked. */
static void cmdline(void)
{
	const char *want = rt_opt("expect");

	EXPECT(rt_boot.has_cmdline);
	if (!want)
		return;
	size_t n = 0;
	while (want[n] && want[n] != ' ')
		n++;
	/* Find WORD as its own token, apart from the expect= option itself. */
	bool found = false;
	for (const char *p = rt_boot.cmdline; *p; p++) {
		if ((p == rt_boot.cmdline || p[-1] == ' ') && !rt_strncmp(p, want, n) &&
		    (p[n] == ' ' || p[n] == '\0'))
			found = true;
	}
	EXPECT(found);
}

/* modules - mods=N modules, page-aligned in RAM above the image, in order, named modI. */
static void modules(void)
{
	uint32_t want = rt_opt_u32("mods", 0), ram_top = 0x100000u + rt_boot.mem_upper * 1024u;
	const char *word = rt_opt("modword");
	uint32_t prev_end = rt_image_end_page();

	if (!rt_boot.has_mods) {
		EXPECT(want == 0);
		return;
	}
	rt_printf("modules: %u\n", rt_boot.nmods);
	EXPECT(rt_boot.nmods == want);
	for (unsigned int i = 0; i < rt_boot.nmods && i < RT_MODS_MAX; i++) {
		const struct rt_module *m = &rt_boot.mods[i];
		char name[8] = { 'm', 'o', 'd', (char)('0' + i % 10), 0 };

		rt_printf("module %u: %x-%x '%s'\n", i, m->start, m->end, m->string);
		EXPECT((m->start & 0xfff) == 0);
		EXPECT(m->start >= prev_end && m->end >= m->start && m->end <= ram_top);
		EXPECT(!rt_strncmp(m->string, name, 8));
		if (word)
			for (size_t k = 0; word[k] && word[k] != ' '; k++)
				EXPECT(m->start + k < m->end && ((const char *)m->start)[k] == word[k]);
		prev_end = m->end;
	}
}

static const struct rt_test tests[] = {
	{ "hello", say_hello },
	{ "meminfo", meminfo },
	{ "mmap", mmap },
	{ "cmdline", cmdline },
	{ "modules", modules },
	{ NULL, NULL },
};

RT_GUEST("hello", tests);
