/* SPDX-License-Identifier: MIT */
/*
 * scanpace.h - how fast the scanner goes: the full rate while guests change
 * memory, less while they do not (kernel/scanpace.c, host-tested).
 *
 * The scanner's cost is per page visited, and with dirty bits an idle
 * guest's pages are clean: a pass over them finds nothing new, however
 * often it runs. Work is what the scanner found (pages newly written since
 * their last visit, merges; a page an idle guest rewrites all the time, a
 * timer's or a stack's, counts once) and what guests did meanwhile (copy-on-write breaks,
 * pages touched for the first time: counted at once, wherever the scanner's
 * cursor is). After each full pass with little work (at most 1/64 of the
 * pages it visited) the rate halves, down to 1/8 of scan_rate; a pass with
 * more, or more than SCAN_PACE_BURST pages of work since the pass began,
 * puts it back to the full rate at once: a guest that starts writing gets
 * the full rate within a few hundred pages written. Without dirty bits
 * every visit counts as a change: never slower.
 */
#ifndef SV_KERNEL_SCANPACE_H
#define SV_KERNEL_SCANPACE_H

#include <stdint.h>

#define SCAN_PACE_MAX_DIV	8	/* slowest: scan_rate / 8 */
#define SCAN_PACE_QUIET	64	/* a quiet pass: work * 64 <= pages visited */
#define SCAN_PACE_BURST	256	/* pages of work in a pass that end the slow pace at once */

struct scan_pace {
	unsigned div;			/* the budget is scan_rate / div: 1, 2, 4 or 8 */
	uint64_t scans, visits, work;	/* the counters when the current pass began */
};

/* The engine's counters the pace is decided from (struct share_stats). */
struct scan_pace_counters {
	uint64_t full_scans;		/* passes completed */
	uint64_t visits;		/* pages visited (pages_scanned) */
	uint64_t work;			/* pages_written + merges + COW breaks + pages populated */
};

/* scan_pace_init - the full rate; @now the counters at the start. */
void scan_pace_init(struct scan_pace *p, const struct scan_pace_counters *now);

/* scan_pace_update - the divisor for the next budget, given the counters @now. */
unsigned scan_pace_update(struct scan_pace *p, const struct scan_pace_counters *now);

#endif
