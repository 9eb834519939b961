// SPDX-License-Identifier: MIT
/*
 * frame.c - physical frame allocator: per-frame metadata and an O(1) free list.
 *
 * Initialisation turns the memory map into "segments" (usable RAM minus
 * reserved ranges, page-aligned inward), places the metadata array in the
 * first segment that holds it, and threads every other segment frame onto
 * the free list. Everything else in the span stays FRAME_RESERVED forever.
 */
#include <string.h>

#include "mm/errno.h"
#include "mm/frame.h"
#include "mm/plat.h"

#define MAX_SEGMENTS 256

static const char *const kind_names[FRAME_KIND_MAX] = {
	[FRAME_RESERVED] = "reserved",
	[FRAME_FREE] = "free",
	[FRAME_HV] = "hypervisor",
	[FRAME_GUEST] = "guest",
	[FRAME_PATTERN] = "pattern",
	[FRAME_CONTENT] = "content",
};

const char *frame_kind_name(enum frame_kind kind)
{
	return (unsigned)kind < FRAME_KIND_MAX ? kind_names[kind] : "?";
}

static inline uint64_t align_up(uint64_t v)
{
	return (v + PAGE_SIZE - 1) & PAGE_MASK;
}

/*
 * subtract_reserved - cut @reserved out of [start, end) and append what is
 * left to @seg. Returns the new segment count, or -1 when @seg overflows.
 */
static int subtract_reserved(uint64_t start, uint64_t end,
			     const struct mem_range *reserved, size_t nr,
			     struct mem_range *seg, int nseg)
{
	size_t i;

	if (start >= end)
		return nseg;
	for (i = 0; i < nr; i++) {
		uint64_t rs = reserved[i].start & PAGE_MASK;
		uint64_t re = align_up(reserved[i].end);

		if (re <= start || rs >= end)
			continue;
		/* Overlap: recurse on the parts on either side of this range. */
		nseg = subtract_reserved(start, rs > start ? rs : start,
					 reserved + i + 1, nr - i - 1, seg, nseg);
		if (nseg < 0)
			return nseg;
		return subtract_reserved(re < end ? re : end, end,
					 reserved + i + 1, nr - i - 1, seg, nseg);
	}
	if (nseg == MAX_SEGMENTS)
		return -1;
	seg[nseg].start = start;
	seg[nseg].end = end;
	return nseg + 1;
}

static inline uint64_t idx_of(const struct frame_pool *fp, uint64_t pa)
{
	return (pa >> PAGE_SHIFT) - fp->base_pfn;
}

static inline uint64_t pa_of(const struct frame_pool *fp, uint64_t idx)
{
	return (idx + fp->base_pfn) << PAGE_SHIFT;
}

static void free_list_push(struct frame_pool *fp, uint32_t idx)
{
	struct frame *f = &fp->meta[idx];

	f->kind = FRAME_FREE;
	f->refcount = 0;
	f->owner = 0;
	f->flags = 0;
	f->link[0] = fp->free_head;	/* next */
	f->link[1] = FRAME_NIL;		/* prev */
	if (fp->free_head != FRAME_NIL)
		fp->meta[fp->free_head].link[1] = idx;
	fp->free_head = idx;
}

static void free_list_unlink(struct frame_pool *fp, uint32_t idx)
{
	struct frame *f = &fp->meta[idx];

	if (f->link[1] != FRAME_NIL)
		fp->meta[f->link[1]].link[0] = f->link[0];
	else
		fp->free_head = f->link[0];
	if (f->link[0] != FRAME_NIL)
		fp->meta[f->link[0]].link[1] = f->link[1];
	f->link[0] = f->link[1] = FRAME_NIL;
}

int frame_pool_init(struct frame_pool *fp, const struct mem_range *usable,
		    size_t n_usable, const struct mem_range *reserved,
		    size_t n_reserved, uintptr_t va_offset)
{
	struct mem_range seg[MAX_SEGMENTS];
	uint64_t lo = UINT64_MAX, hi = 0, meta_frames, meta_idx;
	int nseg = 0, i, meta_seg = -1;
	size_t u;

	memset(fp, 0, sizeof(*fp));
	fp->va_offset = va_offset;
	fp->free_head = FRAME_NIL;

	for (u = 0; u < n_usable; u++) {
		uint64_t s = align_up(usable[u].start), e = usable[u].end & PAGE_MASK;

		if (s < PAGE_SIZE)
			s = PAGE_SIZE;	/* frame 0 is never managed */
		nseg = subtract_reserved(s, e, reserved, n_reserved, seg, nseg);
		if (nseg < 0)
			return -SV_EINVAL;
	}
	for (i = 0; i < nseg; i++) {
		if (seg[i].start < lo)
			lo = seg[i].start;
		if (seg[i].end > hi)
			hi = seg[i].end;
	}
	if (nseg == 0 || hi <= lo)
		return -SV_EINVAL;
	fp->base_pfn = lo >> PAGE_SHIFT;
	fp->nframes = (hi - lo) >> PAGE_SHIFT;
	if (fp->nframes >= FRAME_NIL)
		return -SV_EINVAL;

	fp->meta_bytes = fp->nframes * sizeof(struct frame);
	meta_frames = align_up(fp->meta_bytes) >> PAGE_SHIFT;
	for (i = 0; i < nseg && meta_seg < 0; i++)
		if ((seg[i].end - seg[i].start) >> PAGE_SHIFT >= meta_frames)
			meta_seg = i;
	if (meta_seg < 0)
		return -SV_ENOMEM;
	fp->meta_pa = seg[meta_seg].start;
	fp->meta = frame_va(fp, fp->meta_pa);
	memset(fp->meta, 0, fp->meta_bytes);
	for (u = 0; u < fp->nframes; u++)
		fp->meta[u].kind = FRAME_RESERVED;

	/* Push in descending address order, so low frames are handed out first. */
	meta_idx = idx_of(fp, fp->meta_pa);
	for (i = nseg - 1; i >= 0; i--) {
		uint64_t a = idx_of(fp, seg[i].start), b = idx_of(fp, seg[i].end);

		while (b-- > a) {
			if (fp->meta[b].kind != FRAME_RESERVED)
				continue;	/* overlapping map entries */
			fp->total++;
			if (b >= meta_idx && b < meta_idx + meta_frames) {
				fp->meta[b].kind = FRAME_HV;
				fp->meta[b].refcount = 1;
				fp->count[FRAME_HV]++;
			} else {
				free_list_push(fp, (uint32_t)b);
				fp->count[FRAME_FREE]++;
			}
		}
	}
	return 0;
}

static void take(struct frame_pool *fp, uint32_t idx, enum frame_kind kind,
		 uint16_t owner)
{
	struct frame *f = &fp->meta[idx];

	free_list_unlink(fp, idx);
	f->kind = (uint8_t)kind;
	f->owner = owner;
	f->refcount = 1;
	f->flags = 0;
	fp->count[FRAME_FREE]--;
	fp->count[kind]++;
}

uint64_t frame_alloc(struct frame_pool *fp, enum frame_kind kind, uint16_t owner)
{
	uint32_t idx = fp->free_head;

	BUG_ON(kind <= FRAME_FREE || kind >= FRAME_KIND_MAX);
	if (idx == FRAME_NIL)
		return 0;
	take(fp, idx, kind, owner);
	return pa_of(fp, idx);
}

uint64_t frame_alloc_contig(struct frame_pool *fp, uint64_t n,
			    enum frame_kind kind, uint16_t owner)
{
	uint64_t run = 0, i, j;

	BUG_ON(kind <= FRAME_FREE || kind >= FRAME_KIND_MAX);
	if (n == 0 || n > fp->count[FRAME_FREE])
		return 0;
	for (i = 0; i < fp->nframes; i++) {
		run = fp->meta[i].kind == FRAME_FREE ? run + 1 : 0;
		if (run == n) {
			for (j = i + 1 - n; j <= i; j++)
				take(fp, (uint32_t)j, kind, owner);
			return pa_of(fp, i + 1 - n);
		}
	}
	return 0;
}

uint64_t frame_alloc_filled(struct frame_pool *fp, uint64_t n, enum frame_kind kind,
			    uint16_t owner, int fill)
{
	uint64_t pa = frame_alloc_contig(fp, n, kind, owner);

	if (pa)
		memset(frame_va(fp, pa), fill, n * PAGE_SIZE);
	return pa;
}

struct frame *frame_meta(struct frame_pool *fp, uint64_t pa)
{
	uint64_t pfn = pa >> PAGE_SHIFT;

	if (pfn < fp->base_pfn || pfn - fp->base_pfn >= fp->nframes)
		return NULL;
	return &fp->meta[pfn - fp->base_pfn];
}

static struct frame *allocated_meta(struct frame_pool *fp, uint64_t pa,
				    const char *who)
{
	struct frame *f = frame_meta(fp, pa);

	if (!f || f->kind <= FRAME_FREE || f->refcount == 0)
		plat_panic("%s: frame %#llx is not allocated (kind %s)", who,
			   (unsigned long long)pa,
			   f ? frame_kind_name(f->kind) : "outside pool");
	return f;
}

void frame_get(struct frame_pool *fp, uint64_t pa)
{
	struct frame *f = allocated_meta(fp, pa, __func__);

	BUG_ON(f->refcount == UINT32_MAX);
	f->refcount++;
}

uint32_t frame_put(struct frame_pool *fp, uint64_t pa)
{
	struct frame *f = allocated_meta(fp, pa, __func__);

	if (--f->refcount)
		return f->refcount;
	fp->count[f->kind]--;
	fp->count[FRAME_FREE]++;
	free_list_push(fp, (uint32_t)idx_of(fp, pa));
	return 0;
}

void frame_set_kind(struct frame_pool *fp, uint64_t pa, enum frame_kind kind)
{
	struct frame *f = allocated_meta(fp, pa, __func__);

	BUG_ON(kind <= FRAME_FREE || kind >= FRAME_KIND_MAX);
	fp->count[f->kind]--;
	fp->count[kind]++;
	f->kind = (uint8_t)kind;
}

int frame_pool_check(const struct frame_pool *fp)
{
	uint64_t seen[FRAME_KIND_MAX] = { 0 }, listed = 0, i, sum = 0;
	uint32_t idx, prev = FRAME_NIL;

	for (i = 0; i < fp->nframes; i++) {
		const struct frame *f = &fp->meta[i];

		if (f->kind >= FRAME_KIND_MAX)
			return -1;
		if ((f->kind <= FRAME_FREE) != (f->refcount == 0))
			return -2;
		seen[f->kind]++;
	}
	for (idx = fp->free_head; idx != FRAME_NIL; idx = fp->meta[idx].link[0]) {
		if (idx >= fp->nframes || fp->meta[idx].kind != FRAME_FREE)
			return -3;
		if (fp->meta[idx].link[1] != prev)
			return -4;
		if (++listed > fp->nframes)
			return -5;
		prev = idx;
	}
	for (i = FRAME_FREE; i < FRAME_KIND_MAX; i++) {
		if (seen[i] != fp->count[i])
			return -6;
		sum += seen[i];
	}
	if (listed != seen[FRAME_FREE])
		return -7;
	if (sum != fp->total)
		return -8;
	return 0;
}
