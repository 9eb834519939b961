// SPDX-License-Identifier: MIT
/* test_boot.c - Multiboot2 information parsing and command-line options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/cmdline.h"
#include "kernel/multiboot2.h"
#include "mm/errno.h"

/* A Multiboot2 information builder. */
struct mb {
	uint8_t buf[4096] __attribute__((aligned(8)));
	uint32_t len;
};

static void mb_start(struct mb *m)
{
	memset(m, 0, sizeof(*m));
	m->len = 8;
}

static uint8_t *mb_tag(struct mb *m, uint32_t type, uint32_t size)
{
	uint8_t *t = m->buf + m->len;

	memcpy(t, &type, 4);
	memcpy(t + 4, &size, 4);
	m->len += (size + 7) & ~7u;
	return t;
}

static void mb_string(struct mb *m, uint32_t type, const char *s)
{
	uint8_t *t = mb_tag(m, type, 8 + (uint32_t)strlen(s) + 1);
	strcpy((char *)t + 8, s);
}

static void mb_module(struct mb *m, uint32_t start, uint32_t end, const char *s)
{
	uint8_t *t = mb_tag(m, 3, 16 + (uint32_t)strlen(s) + 1);
	memcpy(t + 8, &start, 4);
	memcpy(t + 12, &end, 4);
	strcpy((char *)t + 16, s);
}

static void mb_mmap(struct mb *m, int n, uint32_t esz)
{
	uint8_t *t = mb_tag(m, 6, 16 + n * esz);
	uint32_t ver = 0;

	memcpy(t + 8, &esz, 4);
	memcpy(t + 12, &ver, 4);
	for (int i = 0; i < n; i++) {
		uint64_t base = (uint64_t)i << 20, len = 1 << 20;
		uint32_t type = i % 2 ? 2 : 1;
		memcpy(t + 16 + i * esz, &base, 8);
		memcpy(t + 24 + i * esz, &len, 8);
		memcpy(t + 32 + i * esz, &type, 4);
	}
}

static void mb_end(struct mb *m)
{
	mb_tag(m, 0, 8);
	memcpy(m->buf, &m->len, 4);
}

static struct boot_info bi;
static char err[128];

static int parse(struct mb *m)
{
	return mb2_parse(m->buf, 0x10000, &bi, err, sizeof(err));
}

static void test_valid(void **state)
{
	struct mb m;
	(void)state;

	mb_start(&m);
	mb_string(&m, 1, "test_exit loglevel=7");
	mb_string(&m, 2, "GRUB 2.06");
	mb_module(&m, 0x200000, 0x201000, "vm=a mem=16M");
	mb_module(&m, 0x300000, 0x300000, "");
	mb_tag(&m, 4, 16);	/* basic meminfo: ignored */
	mb_mmap(&m, 3, 24);
	mb_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_string_equal(bi.cmdline, "test_exit loglevel=7");
	assert_string_equal(bi.loader, "GRUB 2.06");
	assert_int_equal(bi.n_mods, 2);
	assert_int_equal(bi.mods[0].start, 0x200000);
	assert_int_equal(bi.mods[0].end, 0x201000);
	assert_string_equal(bi.mods[0].cmdline, "vm=a mem=16M");
	assert_string_equal(bi.mods[1].cmdline, "");
	assert_int_equal(bi.n_mmap, 3);
	assert_int_equal(bi.mmap[1].base, 1 << 20);
	assert_int_equal(bi.mmap[1].type, 2);
	assert_int_equal(bi.info_start, 0x10000);
	assert_int_equal(bi.info_end, 0x10000 + m.len);
}

static void test_bigger_mmap_entries(void **state)
{
	struct mb m;
	(void)state;

	mb_start(&m);
	mb_mmap(&m, 4, 32);	/* a future, larger entry format */
	mb_end(&m);
	assert_int_equal(parse(&m), 0);
	assert_int_equal(bi.n_mmap, 4);
	assert_int_equal(bi.mmap[3].base, 3 << 20);
	assert_string_equal(bi.cmdline, "");
}

static void expect_error(struct mb *m, const char *what)
{
	assert_int_equal(parse(m), -SV_EINVAL);
	if (!strstr(err, what))
		fail_msg("error '%s' does not mention '%s'", err, what);
}

static void test_malformed(void **state)
{
	struct mb m;
	(void)state;

	assert_int_equal(mb2_parse(NULL, 0, &bi, err, sizeof(err)), -SV_EINVAL);
	assert_non_null(strstr(err, "no Multiboot2"));

	mb_start(&m);	/* no end tag: the total size covers only an mmap */
	mb_mmap(&m, 1, 24);
	memcpy(m.buf, &m.len, 4);
	expect_error(&m, "no end tag");

	mb_start(&m);
	mb_end(&m);
	expect_error(&m, "no memory map");

	mb_start(&m);
	mb_mmap(&m, 1, 20);	/* entry size below 24 */
	mb_end(&m);
	expect_error(&m, "entry size");

	mb_start(&m);
	mb_string(&m, 1, "abc");
	m.buf[8 + 8 + 3] = 'x';	/* overwrite the NUL */
	mb_mmap(&m, 1, 24);
	mb_end(&m);
	expect_error(&m, "not terminated");

	mb_start(&m);
	mb_module(&m, 0x2000, 0x1000, "backwards");
	mb_mmap(&m, 1, 24);
	mb_end(&m);
	expect_error(&m, "before start");

	mb_start(&m);
	mb_tag(&m, 9, 4000);	/* a tag running past total_size */
	m.len = 64;
	mb_end(&m);
	expect_error(&m, "bad size");

	mb_start(&m);
	mb_end(&m);
	m.buf[0] = 12;	/* total_size not a multiple of 8 */
	expect_error(&m, "size");

	mb_start(&m);
	mb_mmap(&m, 1, 24);
	mb_end(&m);
	assert_int_equal(mb2_parse(m.buf, 0x10004, &bi, err, sizeof(err)), -SV_EINVAL);
	assert_non_null(strstr(err, "aligned"));

	mb_start(&m);
	for (int i = 0; i < BOOT_MAX_MODULES + 1; i++)
		mb_module(&m, 0, 0, "");
	mb_mmap(&m, 1, 24);
	mb_end(&m);
	expect_error(&m, "more than");
}

static void test_cmdline(void **state)
{
	char v[32];
	const char *c = "test_exit loglevel=7 test_fault=ud share=\"a b\" x";
	(void)state;

	assert_true(cmdline_has(c, "test_exit"));
	assert_true(cmdline_has(c, "x"));
	assert_false(cmdline_has(c, "test"));
	assert_false(cmdline_has(c, "loglevel7"));
	assert_true(cmdline_get(c, "loglevel", v, sizeof(v)));
	assert_string_equal(v, "7");
	assert_true(cmdline_get(c, "share", v, sizeof(v)));
	assert_string_equal(v, "a b");
	assert_true(cmdline_get(c, "test_exit", v, sizeof(v)));
	assert_string_equal(v, "");
	assert_true(cmdline_get(c, "test_fault", v, 2));
	assert_string_equal(v, "u");	/* truncated to the buffer */
	assert_false(cmdline_get("", "x", v, sizeof(v)));
	/* GRUB's form: the whole word quoted, backslashes and quotes escaped. */
	c = "test_exit \"patterns=ab=(ab)* ff=\\\\xff*\" \"q=say \\\"hi\\\"\"";
	assert_true(cmdline_get(c, "patterns", v, sizeof(v)));
	assert_string_equal(v, "ab=(ab)* ff=\\xff*");
	assert_true(cmdline_get(c, "q", v, sizeof(v)));
	assert_string_equal(v, "say \"hi\"");
	assert_true(cmdline_has(c, "test_exit"));
}

static void note_key(const char *key, void *ctx)
{
	char *seen = ctx;

	snprintf(seen + strlen(seen), 128 - strlen(seen), "[%s]", key);
}

static void test_cmdline_unknown(void **state)
{
	static const char *const known[] = { "share", "loglevel", "test_exit", "patterns", NULL };
	char seen[128] = "";
	(void)state;

	assert_int_equal(cmdline_unknown("", known, note_key, seen), 0);
	assert_int_equal(cmdline_unknown("  share=on   test_exit loglevel=3 ", known, note_key, seen), 0);
	/* GRUB's quoted form: the key is inside the quotes. */
	assert_int_equal(cmdline_unknown("\"patterns=a=\\x20 b=c\" share=\"x y\"", known, note_key,
					 seen), 0);
	assert_string_equal(seen, "");
	assert_int_equal(cmdline_unknown("bogus=1 share=on sharex loglevel=9 test \"q=a b\" Share",
					 known, note_key, seen), 5);
	assert_string_equal(seen, "[bogus][sharex][test][q][Share]");
	seen[0] = '\0';
	assert_int_equal(cmdline_unknown("Share", known, NULL, NULL), 1);
}

static void test_cmdline_uint(void **state)
{
	unsigned long n = 77;
	(void)state;

	assert_int_equal(cmdline_uint("x=1", "loglevel", 0, 7, &n), 0);
	assert_int_equal(n, 77);
	assert_int_equal(cmdline_uint("loglevel=7", "loglevel", 0, 7, &n), 1);
	assert_int_equal(n, 7);
	assert_int_equal(cmdline_uint("loglevel=0", "loglevel", 0, 7, &n), 1);
	assert_int_equal(n, 0);
	n = 77;
	assert_int_equal(cmdline_uint("loglevel=9", "loglevel", 0, 7, &n), -1);
	assert_int_equal(cmdline_uint("loglevel=12", "loglevel", 0, 7, &n), -1);
	assert_int_equal(cmdline_uint("loglevel", "loglevel", 0, 7, &n), -1);
	assert_int_equal(cmdline_uint("loglevel=", "loglevel", 0, 7, &n), -1);
	assert_int_equal(cmdline_uint("loglevel=5x", "loglevel", 0, 7, &n), -1);
	assert_int_equal(cmdline_uint("loglevel=-1", "loglevel", 0, 7, &n), -1);
	assert_int_equal(cmdline_uint("s=0", "s", 1, 10, &n), -1);
	assert_int_equal(cmdline_uint("s=99999999999999999999999", "s", 0, ~0ul, &n), -1);
	assert_int_equal(n, 77);
	assert_int_equal(cmdline_uint("s=86400", "s", 0, 86400, &n), 1);
	assert_int_equal(n, 86400);
	assert_int_equal(cmdline_uint("s=86401", "s", 0, 86400, &n), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_bigger_mmap_entries),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_cmdline_unknown),
		cmocka_unit_test(test_cmdline_uint),
	};

	return cmocka_run_group_tests_name("boot", tests, NULL, NULL);
}
