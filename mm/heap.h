/* SPDX-License-Identifier: MIT */
/*
 * heap.h - a small heap for hypervisor objects, on top of the frame pool.
 *
 * Objects up to 2 KiB come from power-of-two size classes (16 B .. 2 KiB),
 * each class carving whole frames into equal slots; larger objects take
 * physically contiguous frames. All memory returned is zeroed.
 */
#ifndef SV_MM_HEAP_H
#define SV_MM_HEAP_H

#include <stddef.h>
#include <stdint.h>

#include "mm/frame.h"

#define HEAP_MIN_SHIFT	4	/* 16 bytes */
#define HEAP_MAX_SHIFT	11	/* 2048 bytes */
#define HEAP_NCLASSES	(HEAP_MAX_SHIFT - HEAP_MIN_SHIFT + 1)

struct heap {
	struct frame_pool *fp;
	void *free[HEAP_NCLASSES];	/* per class: singly linked free slots */
	uint64_t nfree[HEAP_NCLASSES];	/* per class: how many */
	uint64_t bytes_in_use;		/* as requested, rounded to the class */
	uint64_t frames;		/* frames the heap holds */
};

void heap_init(struct heap *h, struct frame_pool *fp);
/* heap_alloc - @size zeroed bytes, 16-byte aligned (page-aligned above 2 KiB); NULL when out of memory. */
void *heap_alloc(struct heap *h, size_t size);
/* heap_free - give back memory from heap_alloc; NULL is ignored. */
void heap_free(struct heap *h, void *p);

#endif
