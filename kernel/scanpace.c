// SPDX-License-Identifier: MIT
/* scanpace.c - the scanner's pace (kernel/scanpace.h says the rule). */
#include "kernel/scanpace.h"

static void mark(struct scan_pace *p, const struct scan_pace_counters *now)
{
	p->scans = now->full_scans;
	p->visits = now->visits;
	p->work = now->work;
}

void scan_pace_init(struct scan_pace *p, const struct scan_pace_counters *now)
{
	p->div = 1;
	mark(p, now);
}

unsigned scan_pace_update(struct scan_pace *p, const struct scan_pace_counters *now)
{
	uint64_t visits, work;

	if (now->full_scans < p->scans || now->visits < p->visits || now->work < p->work) {
		scan_pace_init(p, now);		/* counters reset (stats reset): start over */
		return p->div;
	}
	visits = now->visits - p->visits;
	work = now->work - p->work;
	if (now->full_scans != p->scans) {
		if (work * SCAN_PACE_QUIET > visits)
			p->div = 1;
		else if (p->div < SCAN_PACE_MAX_DIV)
			p->div *= 2;
		mark(p, now);
	} else if (work > SCAN_PACE_BURST) {
		p->div = 1;
	}
	return p->div;
}
