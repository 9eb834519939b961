// SPDX-License-Identifier: MIT
/* hindex.c - growable hash index of 16-byte nodes addressed by 32-bit ids. */
#include <string.h>

#include "mm/plat.h"
#include "sharing/hindex.h"

#define MIN_NODES	64
#define MIN_BUCKETS	64

void hidx_init(struct hindex *h)
{
	memset(h, 0, sizeof(*h));
	h->free_head = HIDX_NONE;
}

void hidx_free(struct hindex *h)
{
	plat_free(h->node);
	plat_free(h->bucket);
	hidx_init(h);
}

void hidx_clear(struct hindex *h)
{
	h->top = 0;
	h->live = 0;
	h->free_head = HIDX_NONE;
	for (uint32_t i = 0; i < h->nbuckets; i++)
		h->bucket[i] = HIDX_NONE;
}

static int grow_nodes(struct hindex *h)
{
	uint32_t cap = h->cap ? h->cap * 2 : MIN_NODES;
	struct hnode *n;

	if (h->cap >= (HIDX_NONE >> 1))
		return -1;
	n = plat_alloc((size_t)cap * sizeof(*n));
	if (!n)
		return -1;
	if (h->node)
		memcpy(n, h->node, (size_t)h->top * sizeof(*n));
	plat_free(h->node);
	h->node = n;
	h->cap = cap;
	return 0;
}

uint32_t hidx_alloc(struct hindex *h, uint64_t val, uint16_t aux)
{
	uint32_t id;
	struct hnode *n;

	if (h->free_head != HIDX_NONE) {
		id = h->free_head;
		h->free_head = h->node[id].next;
	} else {
		if (h->top == h->cap && grow_nodes(h))
			return HIDX_NONE;
		id = h->top++;
	}
	n = &h->node[id];
	n->pfn = (uint32_t)(val >> 12);
	n->aux = aux;
	n->hash = 0;
	n->next = HIDX_NONE;
	n->live = 1;
	h->live++;
	return id;
}

void hidx_release(struct hindex *h, uint32_t id)
{
	h->node[id].live = 0;
	h->node[id].next = h->free_head;
	h->free_head = id;
	h->live--;
}

static void rehash(struct hindex *h)
{
	uint32_t nb = h->nbuckets ? h->nbuckets * 2 : MIN_BUCKETS;
	uint32_t *b = plat_alloc((size_t)nb * sizeof(*b));

	if (!b)
		return;	/* keep the old buckets: longer chains, still correct */
	for (uint32_t i = 0; i < nb; i++)
		b[i] = HIDX_NONE;
	for (uint32_t id = 0; id < h->top; id++) {
		struct hnode *n = &h->node[id];

		if (!n->live)
			continue;
		n->next = b[n->hash & (nb - 1)];
		b[n->hash & (nb - 1)] = id;
	}
	plat_free(h->bucket);
	h->bucket = b;
	h->nbuckets = nb;
}

uint32_t hidx_insert(struct hindex *h, uint32_t hash, uint64_t val, uint16_t aux)
{
	uint32_t id, b;

	if (!h->nbuckets || h->live >= 2 * h->nbuckets)
		rehash(h);
	if (!h->nbuckets)
		return HIDX_NONE;
	id = hidx_alloc(h, val, aux);
	if (id == HIDX_NONE)
		return HIDX_NONE;
	h->node[id].hash = hash;
	b = hash & (h->nbuckets - 1);
	h->node[id].next = h->bucket[b];
	h->bucket[b] = id;
	return id;
}

void hidx_remove(struct hindex *h, uint32_t id)
{
	uint32_t *link = &h->bucket[h->node[id].hash & (h->nbuckets - 1)];

	while (*link != id) {
		BUG_ON(*link == HIDX_NONE);
		link = &h->node[*link].next;
	}
	*link = h->node[id].next;
	hidx_release(h, id);
}

uint32_t hidx_first(const struct hindex *h, uint32_t hash)
{
	uint32_t id;

	if (!h->nbuckets)
		return HIDX_NONE;
	for (id = h->bucket[hash & (h->nbuckets - 1)]; id != HIDX_NONE; id = h->node[id].next)
		if (h->node[id].hash == hash)
			return id;
	return HIDX_NONE;
}

uint32_t hidx_next(const struct hindex *h, uint32_t id)
{
	uint32_t hash = h->node[id].hash;

	for (id = h->node[id].next; id != HIDX_NONE; id = h->node[id].next)
		if (h->node[id].hash == hash)
			return id;
	return HIDX_NONE;
}

uint64_t hidx_bytes(const struct hindex *h)
{
	return (uint64_t)h->cap * sizeof(struct hnode) + (uint64_t)h->nbuckets * sizeof(uint32_t);
}
