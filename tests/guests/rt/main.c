// SPDX-License-Identifier: MIT
/*
 * main.c - runtime start-up: Multiboot information, command-line options,
 * the test runner with its EXPECT bookkeeping, and exit.
 */
#include "rt.h"
#include "../../../kernel/hvabi.h"

#define MB_BOOT_MAGIC	0x2BADB002u
#define MBI_MEM		(1u << 0)
#define MBI_CMDLINE	(1u << 2)
#define MBI_MODS	(1u << 3)
#define MBI_MMAP	(1u << 6)

/* The part of the Multiboot v1 information structure the guests read. */
struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
} __attribute__((packed));

/* One module entry. */
struct mb_mod {
	uint32_t start, end, string, reserved;
} __attribute__((packed));

/* One memory map entry; SIZE does not count itself. */
struct mb_mmap {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

struct rt_boot rt_boot;
#ifdef __x86_64__
uint64_t rt_percpu[RT_PERCPU_WORDS] __attribute__((aligned(64)));
#endif

static unsigned int test_failures;
static bool test_skipped;

void rt_main(uint32_t magic, const struct mb_info *mbi);

/* copy_boot_info - keep what we need from the loader: RAM tests overwrite it. */
static void copy_boot_info(uint32_t magic, const struct mb_info *mbi)
{
	rt_boot.magic = magic;
	if (magic != MB_BOOT_MAGIC || !mbi)
		return;
	rt_boot.flags = mbi->flags;
	if (mbi->flags & MBI_MEM) {
		rt_boot.has_mem = true;
		rt_boot.mem_lower = mbi->mem_lower;
		rt_boot.mem_upper = mbi->mem_upper;
	}
	if ((mbi->flags & MBI_CMDLINE) && mbi->cmdline) {
		const char *s = (const char *)(uintptr_t)mbi->cmdline;
		unsigned int i;

		for (i = 0; i < RT_CMDLINE_MAX - 1 && s[i]; i++)
			rt_boot.cmdline[i] = s[i];
		rt_boot.cmdline[i] = '\0';
		rt_boot.has_cmdline = true;
	}
	if ((mbi->flags & MBI_MODS) && (mbi->mods_addr || !mbi->mods_count)) {
		const struct mb_mod *m = (const void *)(uintptr_t)mbi->mods_addr;

		rt_boot.has_mods = true;
		rt_boot.nmods = mbi->mods_count;
		for (unsigned int i = 0; i < mbi->mods_count && i < RT_MODS_MAX; i++) {
			const char *s = (const char *)(uintptr_t)m[i].string;
			unsigned int k = 0;

			rt_boot.mods[i].start = m[i].start;
			rt_boot.mods[i].end = m[i].end;
			for (; s && k < sizeof(rt_boot.mods[i].string) - 1 && s[k]; k++)
				rt_boot.mods[i].string[k] = s[k];
			rt_boot.mods[i].string[k] = '\0';
		}
	}
	if (mbi->flags & MBI_MMAP) {
		uint32_t off = 0;

		rt_boot.has_mmap = true;
		while (off + sizeof(struct mb_mmap) <= mbi->mmap_length &&
		       rt_boot.nmmap < RT_MMAP_MAX) {
			const struct mb_mmap *e = (const void *)(uintptr_t)(mbi->mmap_addr + off);

			rt_boot.mmap[rt_boot.nmmap].addr = e->addr;
			rt_boot.mmap[rt_boot.nmmap].len = e->len;
			rt_boot.mmap[rt_boot.nmmap].type = e->type;
			rt_boot.nmmap++;
			off += e->size + 4;
		}
	}
}

/* rt_opt - the value of "key=value" in the command line, or NULL. */
const char *rt_opt(const char *key)
{
	size_t klen = rt_strlen(key);
	const char *p = rt_boot.cmdline;

	while (*p) {
		while (*p == ' ')
			p++;
		if (!rt_strncmp(p, key, klen) && p[klen] == '=')
			return p + klen + 1;
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}

/* rt_parse_u64 - parse decimal or 0x hex with an optional K/M/G suffix. */
const char *rt_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	uint32_t base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	for (;; s++) {
		uint32_t d;

		if (*s >= '0' && *s <= '9')
			d = (uint32_t)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (uint32_t)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (uint32_t)(*s - 'A' + 10);
		else
			break;
		v = v * base + d;
	}
	if (*s == 'K' || *s == 'k')
		v <<= 10, s++;
	else if (*s == 'M' || *s == 'm')
		v <<= 20, s++;
	else if (*s == 'G' || *s == 'g')
		v <<= 30, s++;
	*out = v;
	return s;
}

/* rt_opt_u32 - numeric option KEY, or DEF when absent. */
uint32_t rt_opt_u32(const char *key, uint32_t def)
{
	const char *v = rt_opt(key);
	uint64_t n;

	if (!v)
		return def;
	rt_parse_u64(v, &n);
	return (uint32_t)n;
}

/* rt_opt_is - true if option KEY is present and its value is exactly VAL. */
bool rt_opt_is(const char *key, const char *val)
{
	const char *v = rt_opt(key);
	size_t n = rt_strlen(val);

	return v && !rt_strncmp(v, val, n) && (v[n] == '\0' || v[n] == ' ');
}

/* rt_image_end_page - first page boundary above the image (text to bss). */
uint32_t rt_image_end_page(void)
{
	return ((uint32_t)(uintptr_t)_image_end + 0xfff) & ~0xfffu;
}

/* rt_expect - report a failed EXPECT with file:line; returns COND. */
bool rt_expect(bool cond, const char *text, const char *file, int line)
{
	if (!cond) {
		rt_printf("  FAIL %s:%d: %s\n", file, line, text);
		test_failures++;
	}
	return cond;
}

/* rt_skip - the running test does not apply here; it still counts as ok. */
void rt_skip(const char *why)
{
	rt_printf("  skip: %s\n", why);
	test_skipped = true;
}

/* rt_exit - drain COM1, write CODE to the debug-exit port, halt forever. */
void rt_exit(uint8_t code)
{
	unsigned int spins = 0;

	/* LSR bit 6: transmitter empty; some emulators drop queued bytes. */
	while (!(inb(SV_PORT_COM1 + 5) & (1 << 6)) && ++spins < 1000000)
		;
	outb(SV_PORT_DEBUG_EXIT, code);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* rt_main - called from entry.S: set up, run the guest's test table, exit. */
void rt_main(uint32_t magic, const struct mb_info *mbi)
{
	unsigned int failed_tests = 0, total_failures = 0;
	const struct rt_test *t;

	copy_boot_info(magic, mbi);
	rt_serial_init();
	rt_trap_init();
	rt_printf("guest %s: start%s%s\n", rt_guest.name,
		  rt_boot.cmdline[0] ? " cmdline=" : "", rt_boot.cmdline);
	if (magic != MB_BOOT_MAGIC) {
		rt_printf("guest %s: bad boot magic %x\n", rt_guest.name, magic);
		rt_exit(1);
	}
	for (t = rt_guest.tests; t->name; t++) {
		test_failures = 0;
		test_skipped = false;
		t->fn();
		cli();
		rt_printf("test %s: %s\n", t->name,
			  test_failures ? "FAILED" : "ok");
		if (test_failures)
			failed_tests++;
		total_failures += test_failures;
	}
	if (failed_tests) {
		rt_printf("guest %s: FAIL (%u failures)\n", rt_guest.name, total_failures);
		rt_exit(1);
	}
	rt_printf("guest %s: PASS\n", rt_guest.name);
	rt_exit(0);
}
