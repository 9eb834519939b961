// SPDX-License-Identifier: MIT
/*
 * lineedit.c - the console's line editor (see lineedit.h).
 *
 * Every edit is drawn with BS and reprinting: to move the cursor left,
 * BS; right, print the character under it; to change the line from the
 * cursor on, print its new tail, blank what is left of the old one and
 * step back to the cursor.
 */
#include <string.h>

#include "kernel/lineedit.h"

#define CTRL(c)	((c) & 0x1f)
#define BS	0x08
#define TAB	0x09
#define ESC	0x1b
#define DEL	0x7f

/* Echo under construction: bounded, always NUL-terminated. */
struct out {
	char *p;
	size_t n;
};

static void put(struct out *o, char c)
{
	if (o->n < LE_ECHO_MAX - 1)
		o->p[o->n++] = c;
	o->p[o->n] = '\0';
}

static void put_n(struct out *o, const char *s, size_t n)
{
	while (n--)
		put(o, *s++);
}

static void put_rep(struct out *o, char c, size_t n)
{
	while (n--)
		put(o, c);
}

void le_init(struct lineedit *le)
{
	memset(le, 0, sizeof(*le));
}

void le_next(struct lineedit *le)
{
	le->buf[0] = '\0';
	le->len = le->cur = le->bad = le->csi_len = le->hist_pos = 0;
	le->overflow = false;
	le->esc = LE_ESC_NONE;
}

void le_draw(const struct lineedit *le, char *echo)
{
	struct out o = { echo, 0 };

	echo[0] = '\0';
	put_n(&o, le->buf, le->len);
	put_rep(&o, '\b', le->len - le->cur);
}

/* move_to - the cursor to @pos. */
static void move_to(struct lineedit *le, unsigned pos, struct out *o)
{
	if (pos < le->cur)
		put_rep(o, '\b', le->cur - pos);
	else
		put_n(o, le->buf + le->cur, pos - le->cur);
	le->cur = pos;
}

/* redraw_from - the screen showed @old_len characters; draw buf from the cursor on. */
static void redraw_from(struct lineedit *le, unsigned old_len, struct out *o)
{
	unsigned blank = old_len > le->len ? old_len - le->len : 0;

	put_n(o, le->buf + le->cur, le->len - le->cur);
	put_rep(o, ' ', blank);
	put_rep(o, '\b', le->len - le->cur + blank);
}

/* delete_range - erase [@from, @to) of the line; the cursor ends at @from. */
static void delete_range(struct lineedit *le, unsigned from, unsigned to, struct out *o)
{
	unsigned old = le->len;

	if (from >= to)
		return;
	move_to(le, from, o);
	memmove(le->buf + from, le->buf + to, le->len - to);
	le->len -= to - from;
	le->buf[le->len] = '\0';
	redraw_from(le, old, o);
}

/* insert - @n characters at the cursor; what does not fit is dropped (overflow). */
static void insert(struct lineedit *le, const char *s, unsigned n, struct out *o)
{
	unsigned start = le->cur;

	if (n > LINE_MAX - le->len) {
		n = LINE_MAX - le->len;
		le->overflow = true;
	}
	if (!n)
		return;
	memmove(le->buf + le->cur + n, le->buf + le->cur, le->len - le->cur);
	memcpy(le->buf + le->cur, s, n);
	le->len += n;
	le->buf[le->len] = '\0';
	le->cur += n;
	put_n(o, le->buf + start, le->len - start);
	put_rep(o, '\b', le->len - le->cur);
}

/* replace - the whole line becomes @s (from the history). */
static void replace(struct lineedit *le, const char *s, struct out *o)
{
	unsigned old = le->len, blank;

	move_to(le, 0, o);
	le->len = le->cur = (unsigned)strlen(s);
	memcpy(le->buf, s, le->len + 1);
	blank = old > le->len ? old - le->len : 0;
	put_n(o, le->buf, le->len);
	put_rep(o, ' ', blank);
	put_rep(o, '\b', blank);
}

/* hist_entry - the @k-th latest line of the history (1 = the latest). */
static const char *hist_entry(const struct lineedit *le, unsigned k)
{
	return le->hist[(le->hist_next + LE_HISTORY - k) % LE_HISTORY];
}

static void history_push(struct lineedit *le)
{
	const char *p = le->buf;

	while (*p == ' ')
		p++;
	if (!*p || le->overflow || le->bad || (le->hist_n && !strcmp(hist_entry(le, 1), le->buf)))
		return;
	memcpy(le->hist[le->hist_next], le->buf, le->len + 1);
	le->hist_next = (le->hist_next + 1) % LE_HISTORY;
	if (le->hist_n < LE_HISTORY)
		le->hist_n++;
}

/* history_move - @older: Up, else Down; nothing past either end. */
static void history_move(struct lineedit *le, bool older, struct out *o)
{
	if (older) {
		if (le->hist_pos == le->hist_n)
			return;
		if (!le->hist_pos)
			memcpy(le->saved, le->buf, le->len + 1);
		le->hist_pos++;
	} else {
		if (!le->hist_pos)
			return;
		le->hist_pos--;
	}
	replace(le, le->hist_pos ? hist_entry(le, le->hist_pos) : le->saved, o);
}

/* offer - the @i-th word le->complete offers, into @cand (LINE_MAX + 1 bytes). */
static bool offer(struct lineedit *le, const char *line, unsigned start, unsigned i, char *cand)
{
	return le->complete(le->complete_arg, line, start, i, cand, LINE_MAX + 1);
}

/*
 * complete - Tab: the words le->complete offers for the word before the
 * cursor. One match: the rest of it and a space; several: as much as they
 * have in common, or, when that is nothing more, a list of them on a line
 * of its own (LE_REDRAW).
 */
static enum le_event complete(struct lineedit *le, struct out *o)
{
	char line[LINE_MAX + 1], cand[LINE_MAX + 1], common[LINE_MAX + 1];
	unsigned start = le->cur, plen, clen = 0, matches = 0;

	if (!le->complete)
		return LE_NONE;
	while (start && le->buf[start - 1] != ' ')
		start--;
	plen = le->cur - start;
	memcpy(line, le->buf, le->cur);
	line[le->cur] = '\0';
	for (unsigned i = 0; offer(le, line, start, i, cand); i++) {
		unsigned k = 0;

		if (strncmp(cand, line + start, plen))
			continue;
		if (!matches++) {
			clen = (unsigned)strlen(cand);
			memcpy(common, cand, clen + 1);
			continue;
		}
		while (k < clen && cand[k] == common[k])
			k++;
		clen = k;
	}
	if (clen > plen)
		insert(le, common + plen, clen - plen, o);
	if (matches == 1 && le->buf[le->cur] != ' ')
		insert(le, " ", 1, o);
	if (matches <= 1 || clen > plen)
		return LE_NONE;
	/* Several, with nothing more in common: list them (as many as the echo holds). */
	put_n(o, "\r\n", 2);
	for (unsigned i = 0, n = 0; offer(le, line, start, i, cand); i++) {
		size_t w = strlen(cand);

		if (strncmp(cand, line + start, plen))
			continue;
		if (o->n + w + 8 >= LE_ECHO_MAX) {
			put_n(o, " ...", 4);
			break;
		}
		if (n++)
			put_n(o, "  ", 2);
		put_n(o, cand, w);
	}
	put_n(o, "\r\n", 2);
	return LE_REDRAW;
}

/* word_start - where the word before the cursor begins (spaces before it included). */
static unsigned word_start(const struct lineedit *le)
{
	unsigned p = le->cur;

	while (p && le->buf[p - 1] == ' ')
		p--;
	while (p && le->buf[p - 1] != ' ')
		p--;
	return p;
}

/* The editing keys that control bytes and escape sequences stand for. */
enum key { K_NONE, K_LEFT, K_RIGHT, K_HOME, K_END, K_UP, K_DOWN, K_DELETE, K_KILL_WORD,
	   K_KILL_END };

/* The control bytes that are editing keys (emacs's, as readline binds them). */
static const enum key ctrl_keys[0x20] = {
	[CTRL('A')] = K_HOME,	[CTRL('B')] = K_LEFT,	[CTRL('D')] = K_DELETE,
	[CTRL('E')] = K_END,	[CTRL('F')] = K_RIGHT,	[CTRL('K')] = K_KILL_END,
	[CTRL('N')] = K_DOWN,	[CTRL('P')] = K_UP,	[CTRL('W')] = K_KILL_WORD,
};

static void do_key(struct lineedit *le, enum key k, struct out *o)
{
	switch (k) {
	case K_LEFT:
		if (le->cur)
			move_to(le, le->cur - 1, o);
		break;
	case K_RIGHT:
		if (le->cur < le->len)
			move_to(le, le->cur + 1, o);
		break;
	case K_HOME:
		move_to(le, 0, o);
		break;
	case K_END:
		move_to(le, le->len, o);
		break;
	case K_UP:
	case K_DOWN:
		history_move(le, k == K_UP, o);
		break;
	case K_DELETE:
		delete_range(le, le->cur, le->cur + (le->cur < le->len), o);
		break;
	case K_KILL_WORD:
		delete_range(le, word_start(le), le->cur, o);
		break;
	case K_KILL_END:
		delete_range(le, le->cur, le->len, o);
		break;
	default:
		break;
	}
}

/* csi_key - the key a complete CSI sequence (parameters in le->csi) or SS3 stands for. */
static enum key csi_key(const struct lineedit *le, unsigned char final)
{
	switch (final) {
	case 'A': return K_UP;
	case 'B': return K_DOWN;
	case 'C': return K_RIGHT;
	case 'D': return K_LEFT;
	case 'H': return K_HOME;
	case 'F': return K_END;
	case '~':	/* VT220 keys: ESC [ n ~ */
		if (le->esc != LE_ESC_CSI)
			return K_NONE;
		if (!strcmp(le->csi, "1") || !strcmp(le->csi, "7"))
			return K_HOME;
		if (!strcmp(le->csi, "4") || !strcmp(le->csi, "8"))
			return K_END;
		if (!strcmp(le->csi, "3"))
			return K_DELETE;
		return K_NONE;
	default:
		return K_NONE;
	}
}

/*
 * escape - a byte inside an escape sequence. Returns true when the byte was
 * part of it; false when it ended the sequence without belonging to it (a
 * control byte or a non-ASCII byte: the sequence is dropped and the byte
 * taken as typed).
 */
static bool escape(struct lineedit *le, unsigned char c, struct out *o)
{
	switch (le->esc) {
	case LE_ESC_START:
		if (c == '[' || c == 'O') {
			le->esc = c == '[' ? LE_ESC_CSI : LE_ESC_SS3;
			le->csi_len = 0;
			le->csi[0] = '\0';
			return true;
		}
		le->esc = LE_ESC_NONE;
		return c >= 0x20 && c <= 0x7e;	/* ESC x (Alt-x): dropped */
	case LE_ESC_CSI:
	case LE_ESC_SS3:
		if (c >= 0x20 && c <= 0x3f) {	/* parameter and intermediate bytes */
			if (le->csi_len < LE_CSI_MAX) {
				le->csi[le->csi_len++] = (char)c;
				le->csi[le->csi_len] = '\0';
			}
			return true;
		}
		/* fall through */
	default:
		if (c >= 0x40 && c <= 0x7e) {
			do_key(le, csi_key(le, c), o);
			le->esc = LE_ESC_NONE;
			return true;
		}
		le->esc = LE_ESC_NONE;
		return false;
	}
}

enum le_event le_feed(struct lineedit *le, unsigned char c, char *echo)
{
	struct out o = { echo, 0 };

	echo[0] = '\0';
	if (le->esc != LE_ESC_NONE && escape(le, c, &o))
		return LE_NONE;
	if (c == '\n' && le->last_cr) {
		le->last_cr = false;
		return LE_NONE;
	}
	le->last_cr = c == '\r';
	switch (c) {
	case '\r':
	case '\n':
		move_to(le, le->len, &o);
		put_n(&o, "\r\n", 2);
		le->buf[le->len] = '\0';
		history_push(le);
		return LE_LINE;
	case CTRL('C'):
		move_to(le, le->len, &o);
		put_n(&o, "^C\r\n", 4);
		le->len = le->cur = 0;
		le->buf[0] = '\0';
		return LE_CANCEL;
	case CTRL('U'):
		/* Erasing in place would leave rows behind on a line wider than the terminal. */
		move_to(le, le->len, &o);
		put_n(&o, "^U\r\n", 4);
		le->len = le->cur = le->bad = le->hist_pos = 0;
		le->buf[0] = '\0';
		le->overflow = false;
		return LE_REDRAW;
	case CTRL('L'):	/* the caller draws the line again, the cursor where it was */
		put_n(&o, "\r\n", 2);
		return LE_REDRAW;
	case BS:
	case DEL:
		if (le->cur)
			delete_range(le, le->cur - 1, le->cur, &o);
		return LE_NONE;
	case TAB:
		return complete(le, &o);
	case ESC:
		le->esc = LE_ESC_START;
		return LE_NONE;
	default:
		if (c < 0x20 && ctrl_keys[c] != K_NONE) {
			do_key(le, ctrl_keys[c], &o);
			return LE_NONE;
		}
		if (c < 0x20 || c > 0x7e) {
			le->bad++;	/* not text: the caller rejects the line */
			return LE_NONE;
		}
		insert(le, (const char *)&c, 1, &o);
		return LE_NONE;
	}
}
