// SPDX-License-Identifier: MIT
/* lineedit.c - the console's line editor (see lineedit.h). */
#include <string.h>

#include "kernel/lineedit.h"

#define CTRL_C	0x03
#define CTRL_U	0x15
#define BS	0x08
#define DEL	0x7f

void le_init(struct lineedit *le)
{
	memset(le, 0, sizeof(*le));
}

enum le_event le_feed(struct lineedit *le, unsigned char c, char *echo)
{
	echo[0] = '\0';
	if (c == '\n' && le->last_cr) {
		le->last_cr = false;
		return LE_NONE;
	}
	le->last_cr = c == '\r';
	switch (c) {
	case '\r':
	case '\n':
		memcpy(echo, "\r\n", 3);
		le->buf[le->len] = '\0';
		return LE_LINE;
	case CTRL_C:
		memcpy(echo, "^C\r\n", 5);
		le->len = 0;
		le->buf[0] = '\0';
		return LE_CANCEL;
	case CTRL_U:
		/* The caller redraws: erasing many characters one by one would need a long echo. */
		le->len = 0;
		le->overflow = false;
		memcpy(echo, "^U\r\n", 5);
		return LE_NONE;
	case BS:
	case DEL:
		if (le->len) {
			le->len--;
			memcpy(echo, "\b \b", 4);
		}
		return LE_NONE;
	default:
		if (c < 0x20 || c > 0x7e)
			return LE_NONE;	/* control and 8-bit bytes: ignored */
		if (le->len == LINE_MAX) {
			le->overflow = true;
			return LE_NONE;
		}
		le->buf[le->len++] = (char)c;
		echo[0] = (char)c;
		echo[1] = '\0';
		return LE_NONE;
	}
}
