// SPDX-License-Identifier: MIT
/*
 * vmconfig.c - parse a guest's GRUB module command line into struct vm_config.
 *
 * The line is untrusted text typed by an operator: every field has a fixed
 * size and a length check, nothing is allocated, and every rejection names
 * the key and the problem in one line. See vmconfig.h for the syntax.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kernel/errmsg.h"
#include "kernel/vmconfig.h"
#include "mm/errno.h"

/* The longest word we decode (key=value, after unquoting). */
#define WORD_MAX	(VMCFG_CMDLINE_MAX + 16)

struct cursor {
	const char *p;		/* next unread character */
	char *err;
	size_t errlen;
};

/* cfg_error - a one-line message into the caller's buffer; evaluates to @rc. */
#define cfg_error(c, rc, ...) errmsg((c)->err, (c)->errlen, (rc), __VA_ARGS__)

/* copy_str - copy @src (whose length the caller has checked to fit) into @dst. */
static void copy_str(char *dst, const char *src)
{
	size_t n = strlen(src);

	memcpy(dst, src, n + 1);
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static bool is_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
}

/* vmconfig_name_valid - true if @s is 1..VMCFG_NAME_MAX of [A-Za-z0-9_-]. */
bool vmconfig_name_valid(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (n >= VMCFG_NAME_MAX || !is_name_char(s[n]))
			return false;
	return n > 0;
}

/*
 * next_word - decode the next whitespace-separated word at c->p into @out
 * (@cap bytes with the NUL), removing quotes and escapes. Returns 1 for a
 * word, 0 at the end of the line, or -SV_EINVAL (message written).
 */
static int next_word(struct cursor *c, char *out, size_t cap)
{
	const char *start, *eq;
	bool quoted = false;
	size_t n = 0, len = 0;

	while (is_space(*c->p))
		c->p++;
	if (!*c->p)
		return 0;
	start = c->p;
	while (*c->p && (quoted || !is_space(*c->p))) {
		char ch = *c->p++;

		if (ch == '"') {
			quoted = !quoted;
			continue;
		}
		if (ch == '\\') {
			ch = *c->p;
			if (ch != '\\' && ch != '"' && ch != '\'' && ch != ' ' && ch != '\t')
				return cfg_error(c, -SV_EINVAL,
						 "'%.24s': bad escape '\\%c' (only \\\\ \\\" \\' and \\space)",
						 start, ch ? ch : '?');
			c->p++;
		}
		len++;
		if (n + 1 < cap)
			out[n++] = ch;
	}
	out[n] = '\0';
	if (quoted)
		return cfg_error(c, -SV_EINVAL, "'%.24s': unterminated quote", start);
	if (len >= cap) {
		eq = strchr(out, '=');
		if (eq)
			return cfg_error(c, -SV_EINVAL, "%.*s: value is too long (%zu bytes)",
					 (int)(eq - out > 24 ? 24 : eq - out), out,
					 len - (size_t)(eq - out) - 1);
		return cfg_error(c, -SV_EINVAL, "'%.24s...': word is too long (%zu bytes)",
				 out, len);
	}
	return 1;
}

/* parse_mem - decimal bytes with an optional K/M/G suffix; returns 0 or -SV_EINVAL. */
static int parse_mem(struct cursor *c, const char *v, uint64_t *out)
{
	uint64_t x = 0, mul = 1;
	const char *s = v;

	if (*s < '0' || *s > '9')
		return cfg_error(c, -SV_EINVAL, "mem: '%.24s' is not a number (e.g. mem=64M)", v);
	for (; *s >= '0' && *s <= '9'; s++) {
		if (x > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return cfg_error(c, -SV_EINVAL, "mem: '%.24s' is too large", v);
		x = x * 10 + (uint64_t)(*s - '0');
	}
	switch (*s) {
	case '\0':
		break;
	case 'k': case 'K':
		mul = 1ull << 10;
		s++;
		break;
	case 'm': case 'M':
		mul = 1ull << 20;
		s++;
		break;
	case 'g': case 'G':
		mul = 1ull << 30;
		s++;
		break;
	default:
		return cfg_error(c, -SV_EINVAL, "mem: '%.24s': bad suffix (use K, M or G)", v);
	}
	if (*s)
		return cfg_error(c, -SV_EINVAL, "mem: '%.24s': junk after the size", v);
	if (x > UINT64_MAX / mul)
		return cfg_error(c, -SV_EINVAL, "mem: '%.24s' is too large", v);
	x *= mul;
	if (x < VMCFG_MEM_MIN || x > VMCFG_MEM_MAX)
		return cfg_error(c, -SV_EINVAL, "mem: '%.24s' is outside %lluM..%lluM", v,
				 (unsigned long long)(VMCFG_MEM_MIN >> 20),
				 (unsigned long long)(VMCFG_MEM_MAX >> 20));
	if (x & 0xfff)
		return cfg_error(c, -SV_EINVAL, "mem: '%.24s' is not a multiple of 4K", v);
	*out = x;
	return 0;
}

/* default_name - the module file's base name up to its first '.' (not counting a leading one), if valid. */
static void default_name(const char *path, char *name)
{
	const char *base = path, *dot = NULL, *s;
	size_t n;

	for (s = path; *s; s++)
		if (*s == '/' || *s == ')')
			base = s + 1;
	for (s = *base ? base + 1 : base; *s && !dot; s++)
		if (*s == '.')
			dot = s;
	n = dot ? (size_t)(dot - base) : strlen(base);
	name[0] = '\0';
	if (n == 0 || n > VMCFG_NAME_MAX)
		return;
	memcpy(name, base, n);
	name[n] = '\0';
	if (!vmconfig_name_valid(name))
		name[0] = '\0';
}

/* bad_name - the message for a vm= or domain= value that is no valid name; -SV_EINVAL. */
static int bad_name(struct cursor *c, const char *key, const char *v)
{
	size_t n = strlen(v);

	if (n > VMCFG_NAME_MAX)
		return cfg_error(c, -SV_EINVAL, "%s: '%.24s%s' is %zu characters long, at most %d",
				 key, v, n > 24 ? "..." : "", n, VMCFG_NAME_MAX);
	return cfg_error(c, -SV_EINVAL, "%s: '%.24s' is not a valid name (1-%d of A-Z a-z 0-9 _ -)",
			 key, v, VMCFG_NAME_MAX);
}

/* Setters: validate @v and store it in @cfg; return 0 or -SV_EINVAL (message written). */
static int set_vm(struct cursor *c, struct vm_config *cfg, const char *v)
{
	if (!vmconfig_name_valid(v))
		return bad_name(c, "vm", v);
	copy_str(cfg->name, v);
	return 0;
}

static int set_domain(struct cursor *c, struct vm_config *cfg, const char *v)
{
	if (!vmconfig_name_valid(v))
		return bad_name(c, "domain", v);
	copy_str(cfg->domain, v);
	return 0;
}

static int set_mem(struct cursor *c, struct vm_config *cfg, const char *v)
{
	return parse_mem(c, v, &cfg->mem_bytes);
}

static int set_cmdline(struct cursor *c, struct vm_config *cfg, const char *v)
{
	if (strlen(v) > VMCFG_CMDLINE_MAX)
		return cfg_error(c, -SV_EINVAL, "cmdline: longer than %d bytes", VMCFG_CMDLINE_MAX);
	copy_str(cfg->cmdline, v);
	return 0;
}

static int set_for(struct cursor *c, struct vm_config *cfg, const char *v)
{
	if (!vmconfig_name_valid(v))
		return cfg_error(c, -SV_EINVAL,
				 "for: '%.24s' is not a valid VM name (1-%d of A-Z a-z 0-9 _ -)",
				 v, VMCFG_NAME_MAX);
	copy_str(cfg->for_vm, v);
	return 0;
}

static int set_on_reboot(struct cursor *c, struct vm_config *cfg, const char *v)
{
	if (!strcmp(v, "restart"))
		cfg->reboot_stops = false;
	else if (!strcmp(v, "stop"))
		cfg->reboot_stops = true;
	else
		return cfg_error(c, -SV_EINVAL, "on_reboot: '%.24s' is not restart or stop", v);
	return 0;
}

static int set_entry(struct cursor *c, struct vm_config *cfg, const char *v)
{
	if (!strcmp(v, "protected"))
		cfg->entry_real = false;
	else if (!strcmp(v, "real"))
		cfg->entry_real = true;
	else
		return cfg_error(c, -SV_EINVAL, "entry: '%.24s' is not protected or real", v);
	return 0;
}

static int set_share(struct cursor *c, struct vm_config *cfg, const char *v)
{
	if (!strcmp(v, "on"))
		cfg->share = true;
	else if (!strcmp(v, "off"))
		cfg->share = false;
	else
		return cfg_error(c, -SV_EINVAL, "share: '%.24s' is not on or off", v);
	return 0;
}

/* The keys: a new option is one setter and one line here (and one enum bit). */
static const struct {
	const char *key;
	unsigned int bit;
	int (*set)(struct cursor *c, struct vm_config *cfg, const char *v);
} keys[] = {
	{ "vm",		VMCFG_KEY_VM,		set_vm },
	{ "mem",	VMCFG_KEY_MEM,		set_mem },
	{ "cmdline",	VMCFG_KEY_CMDLINE,	set_cmdline },
	{ "domain",	VMCFG_KEY_DOMAIN,	set_domain },
	{ "share",	VMCFG_KEY_SHARE,	set_share },
	{ "for",	VMCFG_KEY_FOR,		set_for },
	{ "on_reboot",	VMCFG_KEY_ON_REBOOT,	set_on_reboot },
	{ "entry",	VMCFG_KEY_ENTRY,	set_entry },
};

/* apply_option - one key=value word; returns 0 or -SV_EINVAL (message written). */
static int apply_option(struct cursor *c, struct vm_config *cfg, char *word)
{
	char *eq = strchr(word, '=');

	if (!eq || eq == word)
		return cfg_error(c, -SV_EINVAL, "'%.24s': expected key=value", word);
	*eq = '\0';
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(word, keys[i].key))
			continue;
		if (cfg->given & keys[i].bit)
			return cfg_error(c, -SV_EINVAL, "%s: given twice", word);
		cfg->given |= keys[i].bit;
		return keys[i].set(c, cfg, eq + 1);
	}
	return cfg_error(c, -SV_EINVAL,
			 "%.24s: unknown key (known: vm mem cmdline domain share for on_reboot entry)", word);
}

/* vmconfig_parse - parse a module command line into @cfg; returns 0 or -SV_EINVAL. */
int vmconfig_parse(const char *line, struct vm_config *cfg, char *err, size_t errlen)
{
	struct cursor c = { .p = line ? line : "", .err = err, .errlen = errlen };
	char word[WORD_MAX + 1];
	int n, rc;

	memset(cfg, 0, sizeof(*cfg));
	cfg->mem_bytes = VMCFG_MEM_DEFAULT;
	cfg->share = true;
	copy_str(cfg->domain, "default");
	if (err && errlen)
		err[0] = '\0';

	n = next_word(&c, word, sizeof(word));
	if (n < 0)
		return n;
	if (n == 0 || !word[0])
		return cfg_error(&c, -SV_EINVAL, "module line is empty: expected a path first");
	if (strlen(word) > VMCFG_PATH_MAX)
		return cfg_error(&c, -SV_EINVAL, "module path longer than %d bytes",
				 VMCFG_PATH_MAX);
	copy_str(cfg->path, word);

	while ((n = next_word(&c, word, sizeof(word))) > 0) {
		rc = apply_option(&c, cfg, word);
		if (rc)
			return rc;
	}
	if (n < 0)
		return n;

	if (cfg->given & VMCFG_KEY_FOR) {
		if (cfg->given & ~(VMCFG_KEY_FOR | VMCFG_KEY_CMDLINE))
			return cfg_error(&c, -SV_EINVAL,
					 "for: a module for VM '%s' takes only cmdline= (its string)",
					 cfg->for_vm);
		return 0;
	}
	if (!(cfg->given & VMCFG_KEY_VM)) {
		default_name(cfg->path, cfg->name);
		if (!cfg->name[0])
			return cfg_error(&c, -SV_EINVAL,
					 "vm: missing, and the file name of '%.40s' is not a valid VM name",
					 cfg->path);
	}
	return 0;
}
