// SPDX-License-Identifier: MIT
/*
 * pattern_parse.c - the pattern syntax: text to AST, with positioned errors.
 *
 * A recursive-descent parser over bytes:
 *   alt    := concat ('|' concat)*
 *   concat := repeat*
 *   repeat := atom [quantifier]        quantifier := * + ? {m} {m,} {m,n}
 *   atom   := byte | escape | '.' | class | '(' alt ')'
 * Every error names the byte offset where it was found and what was
 * expected there; nothing here trusts the text (it comes from an operator).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mm/errno.h"
#include "mm/plat.h"
#include "sharing/pattern_int.h"

struct parser {
	const uint8_t *s;
	size_t len, i;
	struct pat_ast *ast;
	struct sv_pat_error *err;
	unsigned depth;
};

int pat_err(struct sv_pat_error *err, size_t pos, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->pos = pos;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -SV_EINVAL;
}

void *pat_calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	p = plat_alloc(n * size != 0 ? n * size : 1);
	if (p)
		memset(p, 0, n * size);
	return p;
}

/* node_new - a fresh node of @type at text offset @pos; returns its index. */
static uint32_t node_new(struct parser *ps, uint8_t type, size_t pos)
{
	struct pat_node *nd;

	/* pat_parse sized the array for the worst case: 3 nodes per byte. */
	BUG_ON(ps->ast->n >= ps->ast->cap);
	nd = &ps->ast->nodes[ps->ast->n];
	memset(nd, 0, sizeof(*nd));
	nd->type = type;
	nd->pos = (uint32_t)pos;
	nd->a = nd->b = PAT_NONE;
	return ps->ast->n++;
}

static uint32_t node_pair(struct parser *ps, uint8_t type, uint32_t a, uint32_t b)
{
	uint32_t n = node_new(ps, type, ps->ast->nodes[a].pos);

	ps->ast->nodes[n].a = a;
	ps->ast->nodes[n].b = b;
	return n;
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * parse_escape - the escape whose backslash is at ps->i; advances past it.
 * Returns the byte value (0..255) or a negative SV_E* with the error filled.
 */
static int parse_escape(struct parser *ps)
{
	size_t at = ps->i;
	uint8_t c;
	int hi, lo;

	ps->i++;
	if (ps->i >= ps->len)
		return pat_err(ps->err, at, "expected a character after '\\'");
	c = ps->s[ps->i++];
	switch (c) {
	case 'n':
		return '\n';
	case 't':
		return '\t';
	case 'r':
		return '\r';
	case '0':
		return 0;
	case 'x':
		if (ps->i >= ps->len || (hi = hexval(ps->s[ps->i])) < 0)
			return pat_err(ps->err, ps->i, "expected two hex digits after '\\x'");
		if (ps->i + 1 >= ps->len || (lo = hexval(ps->s[ps->i + 1])) < 0)
			return pat_err(ps->err, ps->i + 1, "expected a second hex digit after '\\x%c'",
				       ps->s[ps->i]);
		ps->i += 2;
		return hi << 4 | lo;
	}
	if (is_alnum(c))
		return pat_err(ps->err, at, "unknown escape '\\%c': expected \\xHH \\n \\t \\r \\0 or an escaped symbol", c);
	return c;
}

/* class_byte - one byte inside [...] (literal or escape); the byte or a negative SV_E*. */
static int class_byte(struct parser *ps)
{
	if (ps->s[ps->i] == '\\')
		return parse_escape(ps);
	return ps->s[ps->i++];
}

/* parse_class - [...] starting at ps->i; returns the SET node or a negative SV_E*. */
static int64_t parse_class(struct parser *ps)
{
	size_t open = ps->i;
	struct pat_bset set = { { 0 } };
	bool neg = false, first = true;
	uint32_t n;
	int lo, hi, b, k;

	ps->i++;
	if (ps->i < ps->len && ps->s[ps->i] == '^') {
		neg = true;
		ps->i++;
	}
	for (;;) {
		size_t at = ps->i;

		if (ps->i >= ps->len)
			return pat_err(ps->err, ps->len, "expected ']' to close the class opened at %zu", open);
		if (ps->s[ps->i] == ']') {
			if (first)
				return pat_err(ps->err, at, "expected a byte or range in the class (write \\] for ']')");
			ps->i++;
			break;
		}
		first = false;
		if ((lo = class_byte(ps)) < 0)
			return lo;
		hi = lo;
		if (ps->i + 1 < ps->len && ps->s[ps->i] == '-' && ps->s[ps->i + 1] != ']') {
			size_t hi_at = ++ps->i;

			if ((hi = class_byte(ps)) < 0)
				return hi;
			if (hi < lo)
				return pat_err(ps->err, hi_at, "range out of order: expected a byte >= 0x%02x", lo);
		}
		for (b = lo; b <= hi; b++)
			pat_bset_add(&set, (unsigned)b);
	}
	if (neg)
		for (k = 0; k < 4; k++)
			set.w[k] = ~set.w[k];
	n = node_new(ps, PN_SET, open);
	ps->ast->nodes[n].set = set;
	return n;
}

/* parse_count - a decimal count at ps->i (<= SV_PAT_MAX_COUNT); the count or a negative SV_E*. */
static int parse_count(struct parser *ps, const char *what)
{
	size_t at = ps->i;
	unsigned v = 0;

	if (ps->i >= ps->len || ps->s[ps->i] < '0' || ps->s[ps->i] > '9')
		return pat_err(ps->err, at, "expected %s", what);
	while (ps->i < ps->len && ps->s[ps->i] >= '0' && ps->s[ps->i] <= '9') {
		v = v * 10 + (ps->s[ps->i++] - '0');
		if (v > SV_PAT_MAX_COUNT)
			return pat_err(ps->err, at, "count too large: expected at most %u", SV_PAT_MAX_COUNT);
	}
	return (int)v;
}

static bool is_quant(uint8_t c)
{
	return c == '*' || c == '+' || c == '?' || c == '{';
}

/* parse_quant - the quantifier at ps->i applied to @atom; the REP node or a negative SV_E*. */
static int64_t parse_quant(struct parser *ps, uint32_t atom)
{
	size_t at = ps->i;
	int min = 0, max = PAT_INF;
	uint32_t n;

	switch (ps->s[ps->i++]) {
	case '*':
		break;
	case '+':
		min = 1;
		break;
	case '?':
		max = 1;
		break;
	default:	/* '{' */
		if ((min = parse_count(ps, "a count after '{'")) < 0)
			return min;
		if (ps->i < ps->len && ps->s[ps->i] == '}') {
			max = min;
		} else if (ps->i < ps->len && ps->s[ps->i] == ',') {
			ps->i++;
			if (ps->i < ps->len && ps->s[ps->i] != '}') {
				size_t max_at = ps->i;

				if ((max = parse_count(ps, "a count or '}' after ','")) < 0)
					return max;
				if (max < min)
					return pat_err(ps->err, max_at, "counts out of order: expected a count >= %d", min);
			}
		}
		if (ps->i >= ps->len || ps->s[ps->i] != '}')
			return pat_err(ps->err, ps->i, "expected '}' to close the quantifier at %zu", at);
		ps->i++;
	}
	/*
	 * A repeated group that is itself a repetition: use the exact
	 * identities (x?){m,n} = x{0,n}, (x*){m,n} = x* (n > 0) and
	 * (x+){m,n} = x{m,} (m > 0), x* (m = 0, n > 0). Without them
	 * (x?){4096} builds subsets of thousands of NFA states per DFA state.
	 */
	if (ps->ast->nodes[atom].type == PN_REP && max > 0) {
		struct pat_node *in = &ps->ast->nodes[atom];

		if (in->min == 0 && in->max == 1) {
			in->max = (uint16_t)max;
			goto done;
		}
		if (in->min == 0 && in->max == PAT_INF)
			goto done;
		if (in->min == 1 && in->max == PAT_INF) {
			in->min = (uint16_t)min;
			goto done;
		}
	}
	n = node_new(ps, PN_REP, at);
	ps->ast->nodes[n].pos = ps->ast->nodes[atom].pos;
	ps->ast->nodes[n].a = atom;
	ps->ast->nodes[n].min = (uint16_t)min;
	ps->ast->nodes[n].max = (uint16_t)max;
	atom = n;
done:
	if (ps->i < ps->len && is_quant(ps->s[ps->i]))
		return pat_err(ps->err, ps->i, "a quantifier cannot follow a quantifier: expected a group around the first");
	return atom;
}

static int64_t parse_alt(struct parser *ps);

/* parse_atom - one atom at ps->i; its node or a negative SV_E*. */
static int64_t parse_atom(struct parser *ps)
{
	size_t at = ps->i;
	uint8_t c = ps->s[ps->i];
	int64_t inner;
	uint32_t n;
	int v;

	switch (c) {
	case '(':
		if (ps->depth >= PAT_MAX_DEPTH)
			return pat_err(ps->err, at, "groups nested too deeply: expected at most %d levels", PAT_MAX_DEPTH);
		ps->depth++;
		ps->i++;
		inner = parse_alt(ps);
		ps->depth--;
		if (inner < 0)
			return inner;
		if (ps->i >= ps->len || ps->s[ps->i] != ')')
			return pat_err(ps->err, ps->i, "expected ')' to close the group opened at %zu", at);
		ps->i++;
		return inner;
	case '[':
		return parse_class(ps);
	case '*':
	case '+':
	case '?':
	case '{':
		return pat_err(ps->err, at, "expected something to repeat before '%c'", c);
	case ']':
	case '}':
		return pat_err(ps->err, at, "unmatched '%c': expected it escaped as '\\%c'", c, c);
	case '^':
	case '$':
		return pat_err(ps->err, at, "unexpected anchor '%c': the whole page always matches, escape it as '\\%c'", c, c);
	case '.':
		ps->i++;
		n = node_new(ps, PN_SET, at);
		memset(&ps->ast->nodes[n].set, 0xff, sizeof(struct pat_bset));
		return n;
	case '\\':
		if ((v = parse_escape(ps)) < 0)
			return v;
		break;
	default:
		ps->i++;
		v = c;
	}
	n = node_new(ps, PN_SET, at);
	pat_bset_add(&ps->ast->nodes[n].set, (unsigned)v);
	return n;
}

static int64_t parse_concat(struct parser *ps)
{
	int64_t node = -1, item;

	while (ps->i < ps->len && ps->s[ps->i] != '|' && ps->s[ps->i] != ')') {
		if ((item = parse_atom(ps)) < 0)
			return item;
		if (ps->i < ps->len && is_quant(ps->s[ps->i]))
			if ((item = parse_quant(ps, (uint32_t)item)) < 0)
				return item;
		node = node < 0 ? item : node_pair(ps, PN_CAT, (uint32_t)node, (uint32_t)item);
	}
	if (node < 0)
		node = node_new(ps, PN_EMPTY, ps->i);
	return node;
}

static int64_t parse_alt(struct parser *ps)
{
	int64_t left, right;

	if ((left = parse_concat(ps)) < 0)
		return left;
	while (ps->i < ps->len && ps->s[ps->i] == '|') {
		ps->i++;
		if ((right = parse_concat(ps)) < 0)
			return right;
		left = node_pair(ps, PN_ALT, (uint32_t)left, (uint32_t)right);
	}
	return left;
}

int pat_parse(const char *re, size_t len, struct pat_ast *ast, struct sv_pat_error *err)
{
	struct parser ps = { (const uint8_t *)re, len, 0, ast, err, 0 };
	int64_t root;

	memset(ast, 0, sizeof(*ast));
	if (len > SV_PAT_MAX_LEN)
		return pat_err(err, SV_PAT_MAX_LEN, "pattern too long: expected at most %d bytes", SV_PAT_MAX_LEN);
	ast->cap = (uint32_t)(3 * len + 4);
	ast->nodes = pat_calloc(ast->cap, sizeof(*ast->nodes));
	if (!ast->nodes) {
		pat_err(err, 0, "out of memory");
		return -SV_ENOMEM;
	}
	root = parse_alt(&ps);
	if (root >= 0 && ps.i < len)	/* parse_alt stops only at ')' */
		root = pat_err(err, ps.i, "unmatched ')': expected '|', a byte or the end");
	if (root < 0) {
		pat_ast_free(ast);
		return (int)root;
	}
	ast->root = (uint32_t)root;
	return 0;
}

void pat_ast_free(struct pat_ast *ast)
{
	plat_free(ast->nodes);
	ast->nodes = NULL;
	ast->n = ast->cap = 0;
}
