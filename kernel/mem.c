// SPDX-License-Identifier: MIT
/*
 * mem.c - turn the boot memory map into the frame pool and the heap.
 *
 * Reserved from the allocator: everything below 1 MiB (firmware areas, and
 * room for real-mode trampolines later), the hypervisor image, the boot
 * information and every module (guest images are read from there).
 */
#include "kernel/mem.h"
#include "kernel/multiboot2.h"
#include "kernel/printk.h"
#include "mm/errno.h"

struct frame_pool hv_frames;
struct heap hv_heap;
uint64_t hv_ram_bytes;

extern const char __image_start[], __image_end[];

int mem_init(const struct boot_info *bi)
{
	struct mem_range usable[BOOT_MAX_MMAP];
	struct mem_range reserved[3 + BOOT_MAX_MODULES];
	size_t nu = 0, nr = 0, i;
	int err;

	for (i = 0; i < bi->n_mmap; i++) {
		const struct boot_mmap_entry *e = &bi->mmap[i];

		pr_info("  mmap %016llx-%016llx %s\n", (unsigned long long)e->base,
			(unsigned long long)(e->base + e->len), mb2_mem_type_name(e->type));
		if (e->type == MB2_MEM_AVAILABLE && e->len) {
			usable[nu++] = (struct mem_range){ e->base, e->base + e->len };
			hv_ram_bytes += e->len;
		}
	}
	reserved[nr++] = (struct mem_range){ 0, 1ull << 20 };
	reserved[nr++] = (struct mem_range){ (uint64_t)(uintptr_t)__image_start,
					     (uint64_t)(uintptr_t)__image_end };
	reserved[nr++] = (struct mem_range){ bi->info_start, bi->info_end };
	for (i = 0; i < bi->n_mods; i++)
		reserved[nr++] = (struct mem_range){ bi->mods[i].start, bi->mods[i].end };

	err = frame_pool_init(&hv_frames, usable, nu, reserved, nr, 0);
	if (err)
		return err;
	heap_init(&hv_heap, &hv_frames);
	return 0;
}

void mem_report(const char *label)
{
	const struct frame_pool *fp = &hv_frames;

	pr_info("%s: total %llu (%llu MiB), free %llu, hypervisor %llu, guest %llu, "
		"pattern %llu, content %llu; metadata %llu KiB\n", label,
		(unsigned long long)fp->total,
		(unsigned long long)(fp->total * PAGE_SIZE >> 20),
		(unsigned long long)fp->count[FRAME_FREE],
		(unsigned long long)fp->count[FRAME_HV],
		(unsigned long long)fp->count[FRAME_GUEST],
		(unsigned long long)fp->count[FRAME_PATTERN],
		(unsigned long long)fp->count[FRAME_CONTENT],
		(unsigned long long)(fp->meta_bytes >> 10));
}
