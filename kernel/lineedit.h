/* SPDX-License-Identifier: MIT */
/*
 * lineedit.h - the console's line editor: editing at the cursor, history,
 * Tab completion, on any terminal.
 *
 * Echo is produced as bytes for the caller to send, made only of printable
 * characters, BS (one column left), CR and LF: no cursor addressing, so a
 * dumb terminal shows the line right, and so does svctl's line model. The
 * keys (README, "The console"):
 *
 *   printable          inserted at the cursor
 *   BS, DEL            erase the character before the cursor
 *   Ctrl-D, Delete     erase the character at the cursor
 *   Left/Right, ^B/^F  move the cursor
 *   Home/End, ^A/^E    to the start or the end of the line
 *   Up/Down, ^P/^N     the previous or next line of the history
 *   Tab                complete the word before the cursor (le->complete)
 *   Ctrl-K, Ctrl-W     erase to the end of the line, the word before the cursor
 *   Ctrl-U             erase the whole line; Ctrl-L draw it again
 *   Ctrl-C             cancel the line; CR, LF or CR LF end it
 *
 * Escape sequences (CSI: ESC [ parameters final-byte; SS3: ESC O byte;
 * ESC and any other printable byte) are taken whole, also when they arrive
 * split over several reads: the known ones are keys, the others are
 * dropped. Any other control byte and every byte from 0x80 is not text: it
 * is counted in le->bad (the caller rejects the line) and not inserted.
 * Plain C, host-tested (tests/unit/test_console.c).
 */
#ifndef SV_KERNEL_LINEEDIT_H
#define SV_KERNEL_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>

#define LINE_MAX	200	/* characters of input, without the NUL */
#define LE_HISTORY	16	/* lines the history keeps */
#define LE_ECHO_MAX	1024	/* bytes of echo one key can produce, with the NUL */
#define LE_CSI_MAX	8	/* parameter bytes of an escape sequence that are kept */

enum le_event {
	LE_NONE,	/* keep typing */
	LE_LINE,	/* a line is complete: buf holds it (NUL-terminated) */
	LE_CANCEL,	/* Ctrl-C: the line was dropped */
	LE_REDRAW,	/* the echo ended the screen line: print the prompt, then le_draw() */
};

enum le_esc { LE_ESC_NONE, LE_ESC_START, LE_ESC_CSI, LE_ESC_SS3 };

/*
 * le_complete_fn - the @i-th (from 0) word that may stand at @line[@start]
 * (@line is the text before the cursor; the word being completed runs from
 * @start to its end) copied into @out (@outlen bytes); false after the last.
 */
typedef bool (*le_complete_fn)(void *arg, const char *line, unsigned start, unsigned i,
			       char *out, size_t outlen);

struct lineedit {
	char buf[LINE_MAX + 1];
	unsigned len;		/* characters in buf */
	unsigned cur;		/* the cursor: 0..len */
	bool overflow;		/* characters were dropped: the line is too long */
	unsigned bad;		/* bytes that are not text, since the line began */
	bool last_cr;		/* swallow the LF of a CR LF pair */
	enum le_esc esc;	/* inside an escape sequence */
	char csi[LE_CSI_MAX + 1];	/* its parameter bytes (the first LE_CSI_MAX) */
	unsigned csi_len;
	char hist[LE_HISTORY][LINE_MAX + 1];	/* a ring of the last lines entered */
	unsigned hist_n;	/* lines in it */
	unsigned hist_next;	/* the slot the next line goes to */
	unsigned hist_pos;	/* 0: the line being typed; k: the k-th latest line shown */
	char saved[LINE_MAX + 1];	/* the line being typed, while the history is shown */
	le_complete_fn complete;	/* Tab's words; NULL: Tab does nothing */
	void *complete_arg;
};

/* le_init - an empty editor with an empty history and no completion. */
void le_init(struct lineedit *le);

/* le_next - start the next line after LE_LINE or LE_CANCEL; the history stays. */
void le_next(struct lineedit *le);

/*
 * le_feed - one input byte. @echo (LE_ECHO_MAX bytes) receives what to
 * echo, NUL-terminated. Returns the event; after LE_LINE the caller reads
 * le->buf, le->overflow and le->bad (the line goes to the history only when
 * both are clear) and calls le_next() before the next byte.
 */
enum le_event le_feed(struct lineedit *le, unsigned char c, char *echo);

/* le_draw - the line with the cursor where it is, for after the prompt (LE_ECHO_MAX bytes). */
void le_draw(const struct lineedit *le, char *echo);

#endif
