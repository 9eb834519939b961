/* SPDX-License-Identifier: MIT */
/*
 * frame.h - the physical frame allocator and per-frame metadata.
 *
 * A frame pool describes every 4 KiB frame between the lowest and the
 * highest usable address of the memory map with one struct frame. Usable
 * frames that are not reserved (hypervisor image, boot information, modules)
 * sit on a doubly linked free list threaded through the metadata, so
 * allocation and freeing are O(1); contiguous runs (rare: SVM permission
 * maps) are found by a scan. The pool carves its own metadata array out of
 * usable RAM. Frame 0 is never managed, so physical address 0 means "none".
 *
 * The pool holds no global state: tests build many pools in one process.
 */
#ifndef SV_MM_FRAME_H
#define SV_MM_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE  4096ull
#define PAGE_MASK  (~(PAGE_SIZE - 1))

/* What a frame is used for; counters are kept per kind. */
enum frame_kind {
	FRAME_RESERVED,		/* not usable RAM, or reserved at boot: never allocated */
	FRAME_FREE,		/* on the free list */
	FRAME_HV,		/* hypervisor: page tables, heap, metadata, VMCS/VMCB */
	FRAME_GUEST,		/* private guest memory, mapped in one VM */
	FRAME_PATTERN,		/* shared inside one VM: content given by a pattern key */
	FRAME_CONTENT,		/* shared across VMs: content-identical pages merged */
	FRAME_KIND_MAX
};

#define FRAME_NIL UINT32_MAX

struct frame {
	/* Free-list links while FREE (frame indexes); the owner's to use otherwise. */
	uint32_t link[2];
	uint32_t refcount;	/* mappings/holders; 0 exactly when FREE or RESERVED */
	uint8_t kind;		/* enum frame_kind */
	uint8_t flags;		/* kind-specific */
	uint16_t owner;		/* VM id for guest and pattern frames, 0 otherwise */
};

/* A physical address range [start, end). */
struct mem_range {
	uint64_t start;
	uint64_t end;
};

struct frame_pool {
	uint64_t base_pfn;	/* frame number of meta[0] */
	uint64_t nframes;	/* frames described by meta[] */
	struct frame *meta;	/* per-frame metadata, carved from usable RAM */
	uint64_t meta_pa;	/* where meta[] lives, physical */
	uint64_t meta_bytes;
	uintptr_t va_offset;	/* virtual address = physical + va_offset */
	uint32_t free_head;	/* index into meta[], FRAME_NIL when empty */
	uint64_t total;		/* usable frames: free + in use */
	uint64_t count[FRAME_KIND_MAX];	/* frames per kind (RESERVED excluded from total) */
};

/*
 * frame_pool_init - build a pool over @usable minus @reserved.
 * @va_offset: virtual = physical + va_offset for frame contents and metadata.
 * Returns 0, or -SV_EINVAL (no usable RAM, too many ranges) or -SV_ENOMEM (no room
 * for the metadata).
 */
int frame_pool_init(struct frame_pool *fp, const struct mem_range *usable,
		    size_t n_usable, const struct mem_range *reserved,
		    size_t n_reserved, uintptr_t va_offset);

/* frame_alloc - one frame of @kind for @owner with refcount 1; its physical address, or 0. */
uint64_t frame_alloc(struct frame_pool *fp, enum frame_kind kind, uint16_t owner);

/* frame_alloc_contig - @n physically contiguous frames; the first one's address, or 0. */
uint64_t frame_alloc_contig(struct frame_pool *fp, uint64_t n,
			    enum frame_kind kind, uint16_t owner);

/* frame_alloc_filled - @n contiguous frames with every byte set to @fill; the first one's address, or 0. */
uint64_t frame_alloc_filled(struct frame_pool *fp, uint64_t n, enum frame_kind kind,
			    uint16_t owner, int fill);

/* frame_get - take one more reference on an allocated frame. */
void frame_get(struct frame_pool *fp, uint64_t pa);

/* frame_put - drop one reference; the frame is freed when none remain. Returns the new count. */
uint32_t frame_put(struct frame_pool *fp, uint64_t pa);

/* frame_set_kind - move an allocated frame to another kind (counters follow). */
void frame_set_kind(struct frame_pool *fp, uint64_t pa, enum frame_kind kind);

/* frame_meta - the metadata of the frame at @pa, or NULL when the pool does not describe it. */
struct frame *frame_meta(struct frame_pool *fp, uint64_t pa);

/* frame_va - where the hypervisor reaches the frame at @pa. */
static inline void *frame_va(const struct frame_pool *fp, uint64_t pa)
{
	return (void *)(uintptr_t)(pa + fp->va_offset);
}

/* frame_pa - the physical address of hypervisor pointer @va into pool memory. */
static inline uint64_t frame_pa(const struct frame_pool *fp, const void *va)
{
	return (uint64_t)(uintptr_t)va - fp->va_offset;
}

static inline uint64_t frame_free_count(const struct frame_pool *fp)
{
	return fp->count[FRAME_FREE];
}

/* frame_kind_name - a short name of @kind for reports. */
const char *frame_kind_name(enum frame_kind kind);

/*
 * frame_pool_check - verify the pool's invariants (free list length and
 * links, counters sum to total, refcounts match kinds). Returns 0 or a
 * negative number identifying the first broken invariant.
 */
int frame_pool_check(const struct frame_pool *fp);

#endif
