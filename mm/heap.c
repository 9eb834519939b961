// SPDX-License-Identifier: MIT
/*
 * heap.c - size-class heap for hypervisor objects.
 *
 * A frame given to a size class records the class in its metadata flags
 * (class index + 1) and its slots in use in link[0]; a large allocation
 * records its frame count in the first frame's link[0] and HEAP_LARGE in
 * flags. heap_free reads these to know what it is freeing. Freed class
 * slots go on a per-class list; a class frame whose slots are all free goes
 * back to the pool when the class has another frame's worth of free slots
 * besides (so alloc/free at a frame boundary does not thrash).
 */
#include <string.h>

#include "mm/heap.h"
#include "mm/plat.h"

#define HEAP_LARGE 0xff

void heap_init(struct heap *h, struct frame_pool *fp)
{
	memset(h, 0, sizeof(*h));
	h->fp = fp;
}

static int class_of(size_t size)
{
	int c = 0;

	while (((size_t)1 << (c + HEAP_MIN_SHIFT)) < size)
		c++;
	return c;
}

static int refill(struct heap *h, int c)
{
	size_t slot = (size_t)1 << (c + HEAP_MIN_SHIFT), off;
	uint64_t pa = frame_alloc(h->fp, FRAME_HV, 0);
	char *page;

	if (!pa)
		return -1;
	frame_meta(h->fp, pa)->flags = (uint8_t)(c + 1);
	frame_meta(h->fp, pa)->link[0] = 0;
	h->frames++;
	page = frame_va(h->fp, pa);
	for (off = 0; off + slot <= PAGE_SIZE; off += slot) {
		*(void **)(page + off) = h->free[c];
		h->free[c] = page + off;
		h->nfree[c]++;
	}
	return 0;
}

/* release_page - class @c's frame at @pa has no slot in use: unlink its slots, free it. */
static void release_page(struct heap *h, int c, uint64_t pa)
{
	char *page = frame_va(h->fp, pa);
	void **link = &h->free[c];

	while (*link) {
		char *s = *link;

		if (s >= page && s < page + PAGE_SIZE) {
			*link = *(void **)s;
			h->nfree[c]--;
		} else {
			link = (void **)s;
		}
	}
	frame_meta(h->fp, pa)->flags = 0;
	frame_put(h->fp, pa);
	h->frames--;
}

void *heap_alloc(struct heap *h, size_t size)
{
	void *p;
	int c;

	if (size == 0)
		size = 1;
	if (size > ((size_t)1 << HEAP_MAX_SHIFT)) {
		uint64_t n = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
		uint64_t pa = frame_alloc_contig(h->fp, n, FRAME_HV, 0);
		struct frame *f;

		if (!pa)
			return NULL;
		f = frame_meta(h->fp, pa);
		f->flags = HEAP_LARGE;
		f->link[0] = (uint32_t)n;
		h->frames += n;
		h->bytes_in_use += n * PAGE_SIZE;
		p = frame_va(h->fp, pa);
		memset(p, 0, n * PAGE_SIZE);
		return p;
	}
	c = class_of(size);
	if (!h->free[c] && refill(h, c) < 0)
		return NULL;
	p = h->free[c];
	h->free[c] = *(void **)p;
	h->nfree[c]--;
	frame_meta(h->fp, frame_pa(h->fp, p) & PAGE_MASK)->link[0]++;
	memset(p, 0, (size_t)1 << (c + HEAP_MIN_SHIFT));
	h->bytes_in_use += (size_t)1 << (c + HEAP_MIN_SHIFT);
	return p;
}

void heap_free(struct heap *h, void *p)
{
	uint64_t pa, n, i;
	struct frame *f;

	if (!p)
		return;
	pa = frame_pa(h->fp, p);
	f = frame_meta(h->fp, pa & PAGE_MASK);
	if (!f || f->kind != FRAME_HV || f->flags == 0)
		plat_panic("heap_free: %p is not a heap object", p);
	if (f->flags == HEAP_LARGE) {
		BUG_ON(pa & ~PAGE_MASK);
		n = f->link[0];
		f->flags = 0;
		for (i = 0; i < n; i++)
			frame_put(h->fp, pa + i * PAGE_SIZE);
		h->frames -= n;
		h->bytes_in_use -= n * PAGE_SIZE;
		return;
	}
	BUG_ON(f->flags > HEAP_NCLASSES || f->link[0] == 0);
	int c = f->flags - 1;
	uint64_t per_page = PAGE_SIZE >> (c + HEAP_MIN_SHIFT);

	*(void **)p = h->free[c];
	h->free[c] = p;
	h->nfree[c]++;
	h->bytes_in_use -= (size_t)1 << (c + HEAP_MIN_SHIFT);
	if (--f->link[0] == 0 && h->nfree[c] >= 2 * per_page)
		release_page(h, c, pa & PAGE_MASK);
}
