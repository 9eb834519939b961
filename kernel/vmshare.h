/* SPDX-License-Identifier: MIT */
/* vmshare.h - the hypervisor's sharing engine instance and its knobs (kernel/vmshare.c). */
#ifndef SV_KERNEL_VMSHARE_H
#define SV_KERNEL_VMSHARE_H

#include <stdint.h>

#include "sharing/share.h"

#define SCAN_RATE_DEFAULT 512	/* pages per host tick */

struct vm;

extern struct share_engine *hv_share;

/* vmshare_init - the engine, the pattern set, share= and scan_rate= from @cmdline. */
void vmshare_init(const char *cmdline);
/* vmshare_tick - give the scanner its budget for the host ticks since the last call. */
void vmshare_tick(void);

/* vmshare_scanner_ns - CPU time the scanner's turns have taken since boot. */
extern uint64_t vmshare_scanner_ns;
/* vmshare_add_vm - register @vm with the engine; 0 or -errno. */
int vmshare_add_vm(struct vm *vm);
/* vmshare_page_state - how many of @n pages from @gpa are in state @state (enum sv_page_state). */
int64_t vmshare_page_state(struct vm *vm, uint64_t gpa, uint64_t n, uint32_t state);
/* vmshare_report - print the counters and the engine's memory cost. */
void vmshare_report(void);

struct sv_patset;
/* vmshare_patterns - the pattern set every VM is matched against. */
struct sv_patset *vmshare_patterns(void);
/* vmshare_rate - the scanner's budget in pages per 10 ms; vmshare_set_rate changes it. */
unsigned vmshare_rate(void);
void vmshare_set_rate(unsigned pages);
/* vmshare_rate_now - the budget at the current pace (kernel/scanpace.h): scan_rate / 1..8. */
unsigned vmshare_rate_now(void);
/*
 * vmshare_saved_range - the least and the most "saved" (pages) has been since
 * the previous call (the first: since boot), exact (see note_saved()); the
 * next interval starts now.
 */
void vmshare_saved_range(uint64_t *lo, uint64_t *hi);
/* vmshare_scan_full - a full scan now (scan now, the test hypercall), its extremes noted. */
void vmshare_scan_full(void);
/* vmshare_mode_name - "off", "intra", "inter" or "on". */
const char *vmshare_mode_name(int mode);
/* vmshare_mode_parse - the mode called @s, or -1. */
int vmshare_mode_parse(const char *s);

/* Memory of one VM, by what backs it (a walk of its p2m). */
struct vm_usage {
	uint64_t populated;	/* pages with host memory behind them */
	uint64_t private_pages;
	uint64_t pattern_pages;
	uint64_t content_pages;
	uint64_t charged_milli;	/* frames charged to it x 1000: private + pattern frames + shares of content frames */
};
/* vmshare_vm_usage - fill @u for @vm. */
void vmshare_vm_usage(struct vm *vm, struct vm_usage *u);

#endif
