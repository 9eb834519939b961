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
/* vmshare_add_vm - register @vm with the engine; 0 or -errno. */
int vmshare_add_vm(struct vm *vm);
/* vmshare_page_state - how many of @n pages from @gpa are in state @state (enum sv_page_state). */
int64_t vmshare_page_state(struct vm *vm, uint64_t gpa, uint64_t n, uint32_t state);
/* vmshare_report - print the counters and the engine's memory cost. */
void vmshare_report(void);

#endif
