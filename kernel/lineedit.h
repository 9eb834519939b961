/* SPDX-License-Identifier: MIT */
/*
 * lineedit.h - the console's line editor, for dumb terminals.
 *
 * Printable ASCII is inserted at the end; backspace (BS or DEL) erases one
 * character, Ctrl-U the whole line, Ctrl-C cancels it; CR or LF ends it.
 * Everything else is ignored. Echo is produced as bytes for the caller to
 * send (no cursor addressing, only "\b \b"). Plain C, host-tested.
 */
#ifndef SV_KERNEL_LINEEDIT_H
#define SV_KERNEL_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>

#define LINE_MAX 200	/* characters of input, without the NUL */

enum le_event {
	LE_NONE,	/* keep typing */
	LE_LINE,	/* a line is complete: buf holds it (NUL-terminated) */
	LE_CANCEL,	/* Ctrl-C: the line was dropped */
};

struct lineedit {
	char buf[LINE_MAX + 1];
	unsigned len;
	bool overflow;		/* characters were dropped: the line is too long */
	bool last_cr;		/* swallow the LF of a CR LF pair */
};

void le_init(struct lineedit *le);

/*
 * le_feed - one input byte. @echo (at least 8 bytes) receives what to echo,
 * NUL-terminated. Returns the event; after LE_LINE or LE_CANCEL the caller
 * reads le->buf / le->overflow and calls le_init() before the next line.
 */
enum le_event le_feed(struct lineedit *le, unsigned char c, char *echo);

#endif
