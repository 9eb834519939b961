// SPDX-License-Identifier: MIT
/*
 * share_engine.c - the engine object: VMs and domains, counters, invariants.
 *
 * See sharing/share.h for the algorithm. Scanning is in share_scan.c,
 * merging in share_merge.c, copy-on-write in share_cow.c.
 */
#include <string.h>

#include "mm/plat.h"
#include "sharing/share_int.h"

struct share_engine *share_engine_create(struct frame_pool *fp, struct sv_patset *patterns)
{
	struct share_engine *e = plat_alloc(sizeof(*e));

	if (!e)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->fp = fp;
	e->patterns = patterns;
	e->mode = SHARE_ON;
	e->hash = share_hash_page;
	hidx_init(&e->cand);
	hidx_init(&e->rmap);
	return e;
}

void share_engine_destroy(struct share_engine *e)
{
	BUG_ON(e->nvms != 0);
	for (int d = 0; d < SHARE_MAX_DOMAINS; d++) {
		if (e->dom[d]) {
			hidx_free(&e->dom[d]->stable);
			plat_free(e->dom[d]);
		}
	}
	hidx_free(&e->cand);
	hidx_free(&e->rmap);
	plat_free(e);
}

static struct share_domain *domain_get(struct share_engine *e, const char *name, int *index)
{
	int free_slot = -1;

	for (int d = 0; d < SHARE_MAX_DOMAINS; d++) {
		if (e->dom[d] && !strncmp(e->dom[d]->name, name, SHARE_NAME_MAX - 1)) {
			*index = d;
			return e->dom[d];
		}
		if (!e->dom[d] && free_slot < 0)
			free_slot = d;
	}
	if (free_slot < 0)
		return NULL;
	e->dom[free_slot] = plat_alloc(sizeof(struct share_domain));
	if (!e->dom[free_slot])
		return NULL;
	memset(e->dom[free_slot], 0, sizeof(struct share_domain));
	memcpy(e->dom[free_slot]->name, name, strnlen(name, SHARE_NAME_MAX - 1));
	hidx_init(&e->dom[free_slot]->stable);
	*index = free_slot;
	return e->dom[free_slot];
}

struct share_vm *share_vm_by_id(struct share_engine *e, uint16_t id)
{
	for (int i = 0; i < e->nvms; i++)
		if (e->vm[i]->id == id)
			return e->vm[i];
	return NULL;
}

struct share_vm *share_vm_add(struct share_engine *e, uint16_t id, const char *domain,
			      struct p2m *p2m, const uint64_t (*ranges)[2], int nranges,
			      void (*flush)(void *ctx), void *ctx)
{
	struct share_vm *sv;
	int d;

	if (e->nvms == SHARE_MAX_VMS || id == 0 || share_vm_by_id(e, id) ||
	    nranges < 1 || nranges > SHARE_MAX_RANGES)
		return NULL;
	sv = plat_alloc(sizeof(*sv));
	if (!sv)
		return NULL;
	memset(sv, 0, sizeof(*sv));
	sv->dom = domain_get(e, domain && *domain ? domain : "default", &d);
	if (!sv->dom) {
		plat_free(sv);
		return NULL;
	}
	sv->dom->nvms++;
	sv->id = id;
	sv->e = e;
	sv->p2m = p2m;
	memcpy(sv->ranges, ranges, (size_t)nranges * sizeof(ranges[0]));
	sv->nranges = nranges;
	sv->cursor = ranges[0][0];
	sv->flush = flush;
	sv->ctx = ctx;
	hidx_init(&sv->local);
	sv->ptab.fp = e->fp;
	e->vm[e->nvms++] = sv;
	return sv;
}

/* release_page - drop @sv's mapping at @gpa of frame @pa, unsharing the frame if it was the last. */
static void release_page(struct share_engine *e, struct share_vm *sv, uint64_t gpa, uint64_t pa)
{
	struct frame *f = fmeta(e, pa);

	switch (f->kind) {
	case FRAME_PATTERN:
		sv->st.pattern_pages--;
		e->st.pattern_pages--;
		share_pat_count(e, f->link[1], -1, 0, false);
		if (f->refcount == 1)
			share_unlink_pattern(e, sv, pa);
		break;
	case FRAME_CONTENT:
		sv->st.content_pages--;
		if (f->refcount > 1) {
			share_content_drop(e, pa, sv->id, gpa);
			return;
		}
		share_unlink_content(e, pa);
		break;
	default:
		break;
	}
	frame_put(e->fp, pa);
}

void share_vm_remove(struct share_engine *e, struct share_vm *sv)
{
	struct p2m_leaf leaf;
	int i;

	for (int r = 0; r < sv->nranges; r++) {
		uint64_t cur = sv->ranges[r][0];

		while (!p2m_next(sv->p2m, &cur, sv->ranges[r][1], &leaf)) {
			for (uint64_t off = 0; off < leaf.size; off += PAGE_SIZE)
				release_page(e, sv, leaf.gpa + off, leaf.hpa + off);
			p2m_unmap(sv->p2m, leaf.gpa, leaf.size, NULL);
		}
	}
	share_flush(sv);
	BUG_ON(sv->local.live != 0 || sv->ptab.used != 0);
	ptab_free(&sv->ptab);
	hidx_free(&sv->local);
	sv->dom->nvms--;
	for (i = 0; i < e->nvms && e->vm[i] != sv; i++)
		;
	BUG_ON(i == e->nvms);
	/* Keep the order, so the scanner's pass visits every other VM exactly once. */
	memmove(&e->vm[i], &e->vm[i + 1], (size_t)(e->nvms - i - 1) * sizeof(e->vm[0]));
	e->vm[--e->nvms] = NULL;
	if (i < e->cur)
		e->cur--;
	if (e->cur >= e->nvms)
		e->cur = 0;
	plat_free(sv);
}

void share_pat_count(struct share_engine *e, uint32_t id, int64_t pages, int64_t frames, bool hit)
{
	int free_slot = -1;

	for (int i = 0; i < SHARE_PATSTATS; i++) {
		if (e->st.pattern[i].id == id) {
			e->st.pattern[i].pages += (uint64_t)pages;
			e->st.pattern[i].frames += (uint64_t)frames;
			e->st.pattern[i].hits += hit;
			return;
		}
		/* An unused slot, or one whose pattern has nothing mapped any more. */
		if (free_slot < 0 && (!e->st.pattern[i].id ||
				      (!e->st.pattern[i].pages && !e->st.pattern[i].frames)))
			free_slot = i;
	}
	if (free_slot >= 0 && pages >= 0 && frames >= 0 && (pages || frames)) {
		e->st.pattern[free_slot].id = id;
		e->st.pattern[free_slot].pages = (uint64_t)pages;
		e->st.pattern[free_slot].frames = (uint64_t)frames;
		e->st.pattern[free_slot].hits = hit;
	}
}

void share_set_mode(struct share_engine *e, enum share_mode mode)
{
	e->mode = mode & SHARE_ON;
}

enum share_mode share_get_mode(const struct share_engine *e)
{
	return e->mode;
}

void share_set_hash(struct share_engine *e, share_hash_fn fn)
{
	e->hash = fn ? fn : share_hash_page;
	/* Hashes recorded under another function mean nothing now. */
	hidx_clear(&e->cand);
	for (int d = 0; d < SHARE_MAX_DOMAINS; d++)
		BUG_ON(e->dom[d] && e->dom[d]->stable.live);
}

void share_get_stats(const struct share_engine *e, struct share_stats *out)
{
	*out = e->st;
	out->saved = (e->st.pattern_pages - e->st.pattern_frames) + e->st.pages_sharing;
}

void share_vm_get_stats(const struct share_vm *sv, struct share_vm_stats *out)
{
	*out = sv->st;
}

void share_reset_stats(struct share_engine *e)
{
	struct share_stats *s = &e->st;

	s->full_scans = s->pages_scanned = s->merges = s->merge_aborts = s->hash_collisions = 0;
	s->pages_hashed = s->clean_skips = s->pages_written = s->cow_skips = s->oom = 0;
	s->rmap_steps = 0;
	s->cow_pattern = s->cow_content = 0;
	for (int i = 0; i < SHARE_PATSTATS; i++)
		s->pattern[i].hits = 0;
	for (int i = 0; i < e->nvms; i++)
		e->vm[i]->st.cow_pattern = e->vm[i]->st.cow_content = e->vm[i]->st.merges = 0;
}

uint64_t share_mem_bytes(const struct share_engine *e)
{
	uint64_t b = sizeof(*e) + hidx_bytes(&e->cand) + hidx_bytes(&e->rmap);

	for (int d = 0; d < SHARE_MAX_DOMAINS; d++)
		if (e->dom[d])
			b += sizeof(*e->dom[d]) + hidx_bytes(&e->dom[d]->stable);
	for (int i = 0; i < e->nvms; i++)
		b += sizeof(*e->vm[i]) + ptab_bytes(&e->vm[i]->ptab) + hidx_bytes(&e->vm[i]->local);
	return b;
}

/* Invariant checking: count every frame's mappings over all VMs. */
struct check {
	struct share_engine *e;
	struct share_vm *sv;
	uint64_t pattern_pages, content_pages, writable_shared, foreign_pattern;
	uint64_t bad_private, rmap_missing;
	uint32_t *maps;		/* per frame index of the pool */
};

static int check_leaf(void *arg, const struct p2m_leaf *leaf)
{
	struct check *c = arg;
	struct share_engine *e = c->e;

	for (uint64_t off = 0; off < leaf->size; off += PAGE_SIZE) {
		uint64_t pa = leaf->hpa + off;
		struct frame *f = fmeta(e, pa);
		bool found = false;

		if (!f)
			continue;
		c->maps[(pa >> PAGE_SHIFT) - e->fp->base_pfn]++;
		switch (f->kind) {
		case FRAME_GUEST:
			if (f->refcount != 1)
				c->bad_private++;
			break;
		case FRAME_PATTERN:
			c->pattern_pages++;
			if (leaf->perms & P2M_W)
				c->writable_shared++;
			if (f->owner != c->sv->id)
				c->foreign_pattern++;
			break;
		case FRAME_CONTENT:
			c->content_pages++;
			if (leaf->perms & P2M_W)
				c->writable_shared++;
			for (uint32_t id = f->link[0]; id != HIDX_NONE;
			     id = hidx_node(&e->rmap, id)->next) {
				struct hnode *n = hidx_node(&e->rmap, id);
				if (n->aux == c->sv->id && hnode_val(n) == leaf->gpa + off)
					found = true;
			}
			if (!found)
				c->rmap_missing++;
			break;
		default:
			c->bad_private++;	/* a guest maps a free or hypervisor frame */
			break;
		}
	}
	return 0;
}

/* check_pattern_slots - each per-pattern slot counts exactly its pattern's frames and their mappings. */
static int check_pattern_slots(const struct share_engine *e)
{
	for (int k = 0; k < SHARE_PATSTATS; k++) {
		uint64_t frames = 0, pages = 0;

		if (!e->st.pattern[k].id)
			continue;
		for (uint64_t i = 0; i < e->fp->nframes; i++) {
			const struct frame *f = &e->fp->meta[i];

			if (f->kind == FRAME_PATTERN && f->link[1] == e->st.pattern[k].id) {
				frames++;
				pages += f->refcount;
			}
		}
		if (frames != e->st.pattern[k].frames || pages != e->st.pattern[k].pages) {
			plat_log("share_check: pattern %u: %llu pages on %llu frames, counted %llu on %llu",
				 e->st.pattern[k].id, (unsigned long long)e->st.pattern[k].pages,
				 (unsigned long long)e->st.pattern[k].frames, (unsigned long long)pages,
				 (unsigned long long)frames);
			return -14;
		}
	}
	return 0;
}

#define CHECK(cond, code, ...)                                  \
	do {                                                    \
		if (!(cond)) {                                  \
			plat_log("share_check: " __VA_ARGS__);  \
			rc = (code);                            \
			goto out;                               \
		}                                               \
	} while (0)

int share_check(struct share_engine *e)
{
	struct check c = { .e = e };
	uint64_t frames_p = 0, frames_c = 0, maps_c = 0;
	int rc = 0;

	c.maps = plat_alloc(e->fp->nframes * sizeof(uint32_t));
	if (!c.maps)
		return -100;
	memset(c.maps, 0, e->fp->nframes * sizeof(uint32_t));
	for (int i = 0; i < e->nvms; i++) {
		uint64_t pp = c.pattern_pages, cp = c.content_pages;

		c.sv = e->vm[i];
		for (int r = 0; r < c.sv->nranges; r++)
			p2m_for_each(c.sv->p2m, c.sv->ranges[r][0], c.sv->ranges[r][1], check_leaf, &c);
		CHECK(c.pattern_pages - pp == c.sv->st.pattern_pages, -1,
		      "vm %u pattern_pages %llu counted %llu", c.sv->id,
		      (unsigned long long)c.sv->st.pattern_pages,
		      (unsigned long long)(c.pattern_pages - pp));
		CHECK(c.content_pages - cp == c.sv->st.content_pages, -2,
		      "vm %u content_pages mismatch", c.sv->id);
	}
	CHECK(!c.writable_shared, -3, "%llu shared frames mapped writable",
	      (unsigned long long)c.writable_shared);
	CHECK(!c.foreign_pattern, -4, "pattern frame mapped outside its owner");
	CHECK(!c.bad_private, -5, "%llu private frames with refcount != 1 or bad kind",
	      (unsigned long long)c.bad_private);
	CHECK(!c.rmap_missing, -6, "%llu content mappings missing from the reverse map",
	      (unsigned long long)c.rmap_missing);
	for (uint64_t i = 0; i < e->fp->nframes; i++) {
		struct frame *f = &e->fp->meta[i];
		uint64_t pa = (i + e->fp->base_pfn) << PAGE_SHIFT;

		if (f->kind == FRAME_PATTERN) {
			frames_p++;
			CHECK(c.maps[i] == f->refcount, -7, "pattern frame %#llx refcount %u maps %u",
			      (unsigned long long)pa, f->refcount, c.maps[i]);
		} else if (f->kind == FRAME_CONTENT) {
			frames_c++;
			maps_c += c.maps[i];
			CHECK(c.maps[i] == f->refcount && rmap_count(e, pa) == f->refcount &&
			      f->refcount >= 2, -8,
			      "content frame %#llx refcount %u maps %u rmap %u",
			      (unsigned long long)pa, f->refcount, c.maps[i], rmap_count(e, pa));
		}
	}
	CHECK(frames_p == e->st.pattern_frames, -9, "pattern_frames %llu counted %llu",
	      (unsigned long long)e->st.pattern_frames, (unsigned long long)frames_p);
	CHECK(c.pattern_pages == e->st.pattern_pages, -10, "pattern_pages mismatch");
	CHECK(frames_c == e->st.pages_shared, -11, "pages_shared %llu counted %llu",
	      (unsigned long long)e->st.pages_shared, (unsigned long long)frames_c);
	CHECK(maps_c - frames_c == e->st.pages_sharing, -12, "pages_sharing %llu counted %llu",
	      (unsigned long long)e->st.pages_sharing, (unsigned long long)(maps_c - frames_c));
	CHECK(e->fp->count[FRAME_PATTERN] == frames_p && e->fp->count[FRAME_CONTENT] == frames_c,
	      -13, "frame pool counters disagree");
	rc = check_pattern_slots(e);
out:
	plat_free(c.maps);
	return rc;
}
