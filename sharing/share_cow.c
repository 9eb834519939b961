// SPDX-License-Identifier: MIT
/*
 * share_cow.c - copy-on-write: a guest write to a shared frame.
 *
 * The writer gets a private frame: refilled from the pattern key (no copy)
 * when the key determines the content, copied otherwise; when the writer
 * holds the last mapping, the shared frame itself becomes private again.
 * Nothing is changed when no frame is free (-SV_ENOMEM): the caller pauses
 * the VM and retries.
 */
#include <string.h>

#include "mm/plat.h"
#include "sharing/share_int.h"

void share_unlink_pattern(struct share_engine *e, struct share_vm *sv, uint64_t pa)
{
	struct frame *f = fmeta(e, pa);

	if (f->flags & PF_LOCAL)
		hidx_remove(&sv->local, f->link[0]);
	else
		ptab_remove(&sv->ptab, &sv->ptab.slot[f->link[0]]);
	sv->st.pattern_frames--;
	e->st.pattern_frames--;
	share_pat_count(e, f->link[1], 0, -1, false);
}

void share_unlink_content(struct share_engine *e, uint64_t pa)
{
	struct frame *f = fmeta(e, pa);

	hidx_remove(&e->dom[f->owner]->stable, f->link[1]);
	while (f->link[0] != HIDX_NONE) {
		uint32_t id = f->link[0];

		f->link[0] = hidx_node(&e->rmap, id)->next;
		hidx_release(&e->rmap, id);
	}
	e->st.pages_shared--;
}

void share_content_drop(struct share_engine *e, uint64_t pa, uint16_t vm, uint64_t gpa)
{
	struct frame *f = fmeta(e, pa);
	struct share_vm *ov;
	struct hnode *n;

	BUG_ON(f->refcount < 2);
	rmap_del(e, pa, vm, gpa);
	e->st.pages_sharing--;
	frame_put(e->fp, pa);
	if (f->refcount > 1)
		return;
	/* One mapping left: nothing is shared any more, give it back to its VM writable. */
	n = hidx_node(&e->rmap, f->link[0]);
	ov = share_vm_by_id(e, (uint16_t)n->aux);
	gpa = hnode_val(n);
	BUG_ON(!ov);
	share_unlink_content(e, pa);
	frame_set_kind(e->fp, pa, FRAME_GUEST);
	f->owner = ov->id;
	f->flags = 0;
	f->link[0] = f->link[1] = HIDX_NONE;
	ov->st.content_pages--;
	p2m_protect(ov->p2m, gpa, SHARE_RW);
	share_flush(ov);
}

/* make_private - shared frame @pa becomes the writer's private frame (it held the last mapping). */
static void make_private(struct share_engine *e, struct share_vm *sv, uint64_t pa)
{
	struct frame *f = fmeta(e, pa);

	frame_set_kind(e->fp, pa, FRAME_GUEST);
	f->owner = sv->id;
	f->flags = PF_COWED;
	f->link[0] = HIDX_NONE;
	f->link[1] = e->epoch;
}

int share_cow(struct share_engine *e, struct share_vm *sv, uint64_t gpa)
{
	struct p2m_leaf leaf;
	uint64_t pa, npa;
	struct frame *f;
	uint32_t pat_id;
	bool pattern;

	gpa &= PAGE_MASK;
	if (p2m_lookup(sv->p2m, gpa, &pa, &leaf))
		return -SV_ENOENT;
	pa &= PAGE_MASK;
	f = fmeta(e, pa);
	if (!f)
		return -SV_ENOENT;
	if (leaf.perms & P2M_W) {
		share_flush(sv);	/* a stale read-only translation */
		return 0;
	}
	if (f->kind == FRAME_GUEST) {
		/* A merge was abandoned (or is under way on another CPU): the write wins. */
		p2m_protect(sv->p2m, gpa, SHARE_RW);
		share_flush(sv);
		return 0;
	}
	pattern = f->kind == FRAME_PATTERN;
	pat_id = f->link[1];
	if (f->refcount == 1) {
		/* The last mapping: no copy, the frame just becomes private. */
		if (pattern) {
			share_unlink_pattern(e, sv, pa);
		} else {
			share_unlink_content(e, pa);
		}
		make_private(e, sv, pa);
		p2m_protect(sv->p2m, gpa, SHARE_RW);
		npa = pa;
	} else {
		npa = frame_alloc(e->fp, FRAME_GUEST, sv->id);
		if (!npa) {
			e->st.oom++;
			return -SV_ENOMEM;
		}
		if (pattern && !(f->flags & PF_LOCAL)) {
			struct ptab_slot *s = &sv->ptab.slot[f->link[0]];

			if (sv_pat_regenerate(s->pat, &s->key, frame_va(e->fp, npa)))
				memcpy(frame_va(e->fp, npa), fpage(e, pa), PAGE_SIZE);
		} else {
			memcpy(frame_va(e->fp, npa), fpage(e, pa), PAGE_SIZE);
		}
		if (p2m_remap(sv->p2m, gpa, npa, SHARE_RW, NULL)) {
			frame_put(e->fp, npa);
			e->st.oom++;
			return -SV_ENOMEM;
		}
		if (pattern)
			frame_put(e->fp, pa);
		else
			share_content_drop(e, pa, sv->id, gpa);
		make_private(e, sv, npa);
	}
	share_flush(sv);
	if (pattern) {
		sv->st.pattern_pages--;
		e->st.pattern_pages--;
		share_pat_count(e, pat_id, -1, 0, false);
		sv->st.cow_pattern++;
		e->st.cow_pattern++;
	} else {
		sv->st.content_pages--;
		sv->st.cow_content++;
		e->st.cow_content++;
	}
	return 0;
}
