// SPDX-License-Identifier: MIT
/*
 * test_vmconfig.c - the GRUB module command line parser (kernel/vmconfig.c).
 *
 * The parser is compiled into this test (the #include below) so that
 * mk/loader.mk can build it with -fsanitize=address,undefined.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/vmconfig.c"	/* a sanitized copy; see the file comment */

static struct vm_config cfg;
static char err[VMCFG_ERR_MAX];

static int parse(const char *line)
{
	return vmconfig_parse(line, &cfg, err, sizeof(err));
}

/* The example from the issue: every key, a quoted value with spaces. */
static void test_full_line(void **state)
{
	(void)state;
	assert_int_equal(parse("/guests/fill.elf vm=a mem=64M cmdline=\"seed=3 verbose\" domain=tenant1"), 0);
	assert_string_equal(err, "");
	assert_string_equal(cfg.path, "/guests/fill.elf");
	assert_string_equal(cfg.name, "a");
	assert_int_equal(cfg.mem_bytes, 64ull << 20);
	assert_string_equal(cfg.cmdline, "seed=3 verbose");
	assert_string_equal(cfg.domain, "tenant1");
	assert_true(cfg.share);
	assert_int_equal(cfg.given, VMCFG_KEY_VM | VMCFG_KEY_MEM | VMCFG_KEY_CMDLINE | VMCFG_KEY_DOMAIN);
}

/* Only the path: defaults everywhere, the name from the file name. */
static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse("  /guests/hello.elf  "), 0);
	assert_string_equal(cfg.name, "hello");
	assert_int_equal(cfg.mem_bytes, VMCFG_MEM_DEFAULT);
	assert_string_equal(cfg.cmdline, "");
	assert_string_equal(cfg.domain, "default");
	assert_true(cfg.share);
	assert_int_equal(cfg.given, 0);

	assert_int_equal(parse("(hd0,msdos1)/boot/timer-test.v2.bin"), 0);
	assert_string_equal(cfg.name, "timer-test");
	assert_int_equal(parse("kernel"), 0);
	assert_string_equal(cfg.name, "kernel");
	assert_int_equal(parse("/g/.hidden"), -SV_EINVAL);
	assert_int_equal(parse("/g/"), -SV_EINVAL);
	assert_int_equal(parse("/"), -SV_EINVAL);	/* ".hidden" is no name */
}

/* A file name that is no valid VM name needs vm=. */
static void test_name_required(void **state)
{
	(void)state;
	assert_int_equal(parse("/guests/very-long-file-name.elf"), -SV_EINVAL);
	assert_non_null(strstr(err, "vm:"));
	assert_int_equal(parse("/guests/bad+name.elf"), -SV_EINVAL);
	assert_non_null(strstr(err, "vm:"));
	assert_int_equal(parse("/guests/bad+name.elf vm=ok"), 0);
	assert_string_equal(cfg.name, "ok");
}

/* on_reboot= and entry=: two choices each, anything else named in the error. */
static void test_choices(void **state)
{
	(void)state;
	assert_int_equal(parse("/g/x.elf"), 0);
	assert_false(cfg.reboot_stops);
	assert_false(cfg.entry_real);
	assert_int_equal(parse("/g/x.elf on_reboot=stop entry=real"), 0);
	assert_true(cfg.reboot_stops);
	assert_true(cfg.entry_real);
	assert_int_equal(parse("/g/x.elf on_reboot=restart entry=protected"), 0);
	assert_false(cfg.reboot_stops);
	assert_false(cfg.entry_real);
	assert_int_equal(parse("/g/x.elf on_reboot=halt"), -SV_EINVAL);
	assert_non_null(strstr(err, "on_reboot:"));
	assert_int_equal(parse("/g/x.elf entry=long"), -SV_EINVAL);
	assert_non_null(strstr(err, "entry:"));
}

/* for=NAME: a module of that VM, not a VM; only cmdline= (its string) may go with it. */
static void test_for(void **state)
{
	(void)state;
	assert_int_equal(parse("/data/env.txt for=t1 cmdline=\"t1 env\""), 0);
	assert_string_equal(cfg.for_vm, "t1");
	assert_string_equal(cfg.cmdline, "t1 env");
	assert_int_equal(cfg.given, VMCFG_KEY_FOR | VMCFG_KEY_CMDLINE);
	/* The file name needs to be no VM name: it is no VM. */
	assert_int_equal(parse("/data/very-long-data-file.bin for=t1"), 0);
	assert_string_equal(cfg.for_vm, "t1");
	assert_int_equal(parse("/g/hello.elf"), 0);
	assert_string_equal(cfg.for_vm, "");
	assert_int_equal(parse("/d/e for=t1 mem=4M"), -SV_EINVAL);
	assert_non_null(strstr(err, "takes only cmdline="));
	assert_int_equal(parse("/d/e for=t1 vm=x"), -SV_EINVAL);
	assert_int_equal(parse("/d/e for=bad.name"), -SV_EINVAL);
	assert_non_null(strstr(err, "for:"));
	assert_int_equal(parse("/d/e for=a for=b"), -SV_EINVAL);
	assert_non_null(strstr(err, "for: given twice"));
}

/* GRUB's own re-quoting: the whole word quoted, backslash escapes. */
static void test_quoting(void **state)
{
	(void)state;
	assert_int_equal(parse("/g/x.elf \"cmdline=seed=3 verbose\" vm=x"), 0);
	assert_string_equal(cfg.cmdline, "seed=3 verbose");
	assert_int_equal(parse("/g/x.elf cmdline=\"a \\\"quoted\\\" \\\\ word\""), 0);
	assert_string_equal(cfg.cmdline, "a \"quoted\" \\ word");
	assert_int_equal(parse("/g/x.elf cmdline=one\\ word\\'s"), 0);
	assert_string_equal(cfg.cmdline, "one word's");
	assert_int_equal(parse("/g/x.elf cmdline=\"\""), 0);
	assert_string_equal(cfg.cmdline, "");
	assert_int_equal(parse("/g/x.elf cmdline=single"), 0);
	assert_string_equal(cfg.cmdline, "single");
	assert_int_equal(parse("/g/x.elf\tcmdline=a\"b c\"d"), 0);
	assert_string_equal(cfg.cmdline, "ab cd");
}

static void test_mem(void **state)
{
	static const struct {
		const char *v;
		uint64_t bytes;
	} good[] = {
		{ "2M", 2ull << 20 }, { "2048K", 2ull << 20 }, { "2097152", 2ull << 20 },
		{ "64m", 64ull << 20 }, { "1G", 1ull << 30 }, { "3g", 3ull << 30 },
		{ "3072M", 3ull << 30 }, { "4100K", 4100ull << 10 },
	};
	static const char *const bad[] = {
		"", "M", "-1M", "1.5M", "64MB", "64 M", "0", "1M", "2047K", "4G",
		"3073M", "2097153", "2049K1", "0x100000",
		"99999999999999999999999", "18446744073709551615G", "17179869184G",
	};
	char line[96];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(line, sizeof(line), "/g/x.elf mem=%s", good[i].v);
		assert_int_equal(parse(line), 0);
		assert_int_equal(cfg.mem_bytes, good[i].bytes);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "/g/x.elf mem=%s", bad[i]);
		assert_int_equal(parse(line), -SV_EINVAL);
		assert_true(strncmp(err, "mem:", 4) == 0 || strstr(err, "mem") != NULL);
	}
}

/* Each bad line: rejected, and the message names the key / problem. */
static void test_rejections(void **state)
{
	static const struct {
		const char *line;
		const char *msg;	/* a substring of the message */
	} cases[] = {
		{ "", "empty" },
		{ "   ", "empty" },
		{ "/g/x.elf vm=a vm=b", "vm: given twice" },
		{ "/g/x.elf mem=4M mem=8M", "mem: given twice" },
		{ "/g/x.elf colour=blue", "colour: unknown key" },
		{ "/g/x.elf vm", "expected key=value" },
		{ "/g/x.elf =3", "expected key=value" },
		{ "/g/x.elf vm=", "vm:" },
		{ "/g/x.elf vm=sixteen-chars-xx", "vm: 'sixteen-chars-xx' is 16 characters long, at most 15" },
		{ "/g/x.elf vm=a-name-of-twenty-eight-chars", "vm: 'a-name-of-twenty-eight-c...' is 28 characters long" },
		{ "/g/x.elf domain=sixteen-chars-xx", "domain: 'sixteen-chars-xx' is 16 characters long" },
		{ "/g/x.elf vm=a.b", "vm:" },
		{ "/g/x.elf vm=\"a b\"", "vm:" },
		{ "/g/x.elf domain=", "domain:" },
		{ "/g/x.elf domain=a/b", "domain:" },
		{ "/g/x.elf share=yes", "share:" },
		{ "/g/x.elf share=", "share:" },
		{ "/g/x.elf cmdline=\"unterminated", "unterminated quote" },
		{ "/g/x.elf cmdline=\"a\\\"", "unterminated quote" },
		{ "/g/x.elf cmdline=a\\n", "bad escape" },
		{ "/g/x.elf cmdline=a\\", "bad escape" },
		{ "\"/g/x.elf", "unterminated quote" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(err, 0, sizeof(err));
		assert_int_equal(parse(cases[i].line), -SV_EINVAL);
		if (!strstr(err, cases[i].msg))
			fail_msg("line '%s': message '%s' lacks '%s'", cases[i].line, err, cases[i].msg);
		assert_null(strchr(err, '\n'));
	}
}

/* share=, and the limits of every fixed-size field. */
static void test_limits(void **state)
{
	char line[1024], big[600];

	(void)state;
	assert_int_equal(parse("/g/x.elf share=off"), 0);
	assert_false(cfg.share);
	assert_int_equal(cfg.given, VMCFG_KEY_SHARE);
	assert_int_equal(parse("/g/x.elf share=on vm=ABCdef_-0123456"), 0);
	assert_true(cfg.share);
	assert_string_equal(cfg.name, "ABCdef_-0123456");

	/* cmdline: VMCFG_CMDLINE_MAX fits, one more does not, far more neither. */
	for (size_t n = VMCFG_CMDLINE_MAX - 1; n <= VMCFG_CMDLINE_MAX + 300; n++) {
		memset(big, 'c', n);
		big[n] = '\0';
		snprintf(line, sizeof(line), "/g/x.elf cmdline=%s vm=z", big);
		if (n <= VMCFG_CMDLINE_MAX) {
			assert_int_equal(parse(line), 0);
			assert_int_equal(strlen(cfg.cmdline), n);
		} else {
			assert_int_equal(parse(line), -SV_EINVAL);
			assert_non_null(strstr(err, "cmdline"));
		}
	}
	/* path: VMCFG_PATH_MAX fits. */
	memset(big, 'p', VMCFG_PATH_MAX + 1);
	big[VMCFG_PATH_MAX] = '\0';
	snprintf(line, sizeof(line), "%s vm=p", big);
	assert_int_equal(parse(line), 0);
	big[VMCFG_PATH_MAX] = 'p';
	big[VMCFG_PATH_MAX + 1] = '\0';
	snprintf(line, sizeof(line), "%s vm=p", big);
	assert_int_equal(parse(line), -SV_EINVAL);
	assert_non_null(strstr(err, "path"));

	/* A tiny error buffer is still NUL-terminated; NULL is allowed. */
	char tiny[5];
	assert_int_equal(vmconfig_parse("/g/x.elf bogus=1", &cfg, tiny, sizeof(tiny)), -SV_EINVAL);
	assert_int_equal(strlen(tiny), 4);
	assert_int_equal(vmconfig_parse("/g/x.elf bogus=1", &cfg, NULL, 0), -SV_EINVAL);
	assert_int_equal(vmconfig_parse(NULL, &cfg, err, sizeof(err)), -SV_EINVAL);
}

static void test_name_valid(void **state)
{
	(void)state;
	assert_true(vmconfig_name_valid("a"));
	assert_true(vmconfig_name_valid("0123456789abcde"));
	assert_false(vmconfig_name_valid("0123456789abcdef"));
	assert_false(vmconfig_name_valid(""));
	assert_false(vmconfig_name_valid("a b"));
	assert_false(vmconfig_name_valid("\xc3\xa9"));
}

/* Random lines: never crash, always terminate the message, fields in bounds. */
static void test_random_lines(void **state)
{
	static const char alphabet[] = "ab= \"\\'\tvm=mem=cmdline=domain=share=64MKG0";
	char line[400];

	(void)state;
	srand(7);
	for (int iter = 0; iter < 200000; iter++) {
		size_t n = (size_t)rand() % (sizeof(line) - 1);

		for (size_t i = 0; i < n; i++)
			line[i] = (rand() & 7) ? alphabet[rand() % (sizeof(alphabet) - 1)]
					       : (char)(rand() % 255 + 1);
		line[n] = '\0';
		memset(err, 'X', sizeof(err));
		int rc = parse(line);

		assert_true(rc == 0 || rc == -SV_EINVAL);
		assert_non_null(memchr(err, '\0', sizeof(err)));
		if (rc == 0) {
			assert_true(vmconfig_name_valid(cfg.name));
			assert_true(vmconfig_name_valid(cfg.domain));
			assert_true(cfg.mem_bytes >= VMCFG_MEM_MIN && cfg.mem_bytes <= VMCFG_MEM_MAX);
			assert_int_equal(cfg.mem_bytes & 0xfff, 0);
		} else {
			assert_true(err[0] != '\0');
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_line),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_name_required),
		cmocka_unit_test(test_for),
		cmocka_unit_test(test_choices),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_mem),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_random_lines),
	};

	return cmocka_run_group_tests_name("vmconfig", tests, NULL, NULL);
}
