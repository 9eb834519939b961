/* SPDX-License-Identifier: MIT */
/* mem.h - the hypervisor's frame pool and heap, set up from the boot memory map. */
#ifndef SV_KERNEL_MEM_H
#define SV_KERNEL_MEM_H

#include "mm/frame.h"
#include "mm/heap.h"

struct boot_info;

extern struct frame_pool hv_frames;
extern struct heap hv_heap;
extern uint64_t hv_ram_bytes;	/* the boot memory map's available RAM, all of it */

/* mem_init - frame pool over usable RAM minus image, boot info and modules. Returns 0 or -errno. */
int mem_init(const struct boot_info *bi);

/* mem_report - print the frame counters by kind, on a line starting with @label. */
void mem_report(const char *label);

#endif
