// SPDX-License-Identifier: MIT
/*
 * share_rmap.c - reverse map of content frames: which (VM, gfn) map them.
 *
 * Each content frame heads a singly linked list of nodes from the engine's
 * node pool (struct frame.link[0] is the head). Lists are as long as a
 * frame's mappings, at most SHARE_MAX_SHARING; they are walked only on a
 * COW break, a VM's removal and invariant checks.
 */
#include "mm/plat.h"
#include "sharing/share_int.h"

int rmap_add(struct share_engine *e, uint64_t frame_pa, uint16_t vm, uint64_t gpa)
{
	struct frame *f = fmeta(e, frame_pa);
	uint32_t id = hidx_alloc(&e->rmap, gpa, vm);

	if (id == HIDX_NONE)
		return -1;
	hidx_node(&e->rmap, id)->next = f->link[0];
	f->link[0] = id;
	return 0;
}

void rmap_del(struct share_engine *e, uint64_t frame_pa, uint16_t vm, uint64_t gpa)
{
	struct frame *f = fmeta(e, frame_pa);
	uint32_t *link = &f->link[0];

	while (*link != HIDX_NONE) {
		struct hnode *n = hidx_node(&e->rmap, *link);

		e->st.rmap_steps++;
		if (n->aux == vm && hnode_val(n) == gpa) {
			uint32_t id = *link;

			*link = n->next;
			hidx_release(&e->rmap, id);
			return;
		}
		link = &n->next;
	}
	plat_panic("rmap_del: frame %#llx has no mapping of vm %u gpa %#llx",
		   (unsigned long long)frame_pa, vm, (unsigned long long)gpa);
}

uint32_t rmap_count(struct share_engine *e, uint64_t frame_pa)
{
	uint32_t n = 0;

	for (uint32_t id = fmeta(e, frame_pa)->link[0]; id != HIDX_NONE;
	     id = hidx_node(&e->rmap, id)->next)
		n++;
	return n;
}
