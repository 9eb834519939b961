/* SPDX-License-Identifier: MIT */
/*
 * hindex.h - a growable hash index of small nodes, addressed by 32-bit ids.
 *
 * Nodes live in one array (ids instead of pointers: half the size, and the
 * array can move when it grows); buckets chain them by hash. A node holds a
 * page-aligned address (a frame or a guest page), a 32-bit hash and a
 * 16-bit tag (a VM id). The same node
 * pool also serves plain linked lists (the reverse maps) through
 * hidx_alloc()/hidx_release() without the buckets.
 */
#ifndef SV_SHARING_HINDEX_H
#define SV_SHARING_HINDEX_H

#include <stdint.h>

#define HIDX_NONE UINT32_MAX

/* 16 bytes: values are page-aligned addresses, kept as page numbers (up to 16 TiB). */
struct hnode {
	uint32_t hash;
	uint32_t next;		/* bucket chain, list link, or free list */
	uint32_t pfn;		/* the value >> 12 */
	uint16_t aux;
	uint16_t live;		/* 1 while allocated */
};

struct hindex {
	struct hnode *node;
	uint32_t cap;		/* nodes allocated */
	uint32_t top;		/* nodes ever used */
	uint32_t live;
	uint32_t free_head;
	uint32_t *bucket;
	uint32_t nbuckets;	/* power of two, or 0 before the first insert */
};

/* hidx_init - an empty index (no memory until first use). */
void hidx_init(struct hindex *h);
void hidx_free(struct hindex *h);
/* hidx_clear - drop every node, keep the memory. */
void hidx_clear(struct hindex *h);

/* hidx_alloc - a node outside the buckets (for lists) for page-aligned @val; its id, or HIDX_NONE when out of memory. */
uint32_t hidx_alloc(struct hindex *h, uint64_t val, uint16_t aux);
/* hidx_release - give back a node from hidx_alloc. */
void hidx_release(struct hindex *h, uint32_t id);

/* hidx_insert - a node in the bucket of @hash; its id, or HIDX_NONE when out of memory. */
uint32_t hidx_insert(struct hindex *h, uint32_t hash, uint64_t val, uint16_t aux);
/* hidx_remove - unlink node @id from its bucket and free it. */
void hidx_remove(struct hindex *h, uint32_t id);

/* hidx_first - the first node with @hash, or HIDX_NONE; hidx_next continues after @id. */
uint32_t hidx_first(const struct hindex *h, uint32_t hash);
uint32_t hidx_next(const struct hindex *h, uint32_t id);

static inline struct hnode *hidx_node(const struct hindex *h, uint32_t id)
{
	return &h->node[id];
}

/* hnode_val - the page-aligned address node @n holds. */
static inline uint64_t hnode_val(const struct hnode *n)
{
	return (uint64_t)n->pfn << 12;
}

/* hidx_bytes - memory held. */
uint64_t hidx_bytes(const struct hindex *h);

#endif
