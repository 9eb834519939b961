// SPDX-License-Identifier: MIT
/* simvm.c - simulated guest memory over the sharing engine (hosted). */
#include <stdlib.h>
#include <string.h>

#include "mm/errno.h"
#include "sharing/share.h"
#include "tools/simvm.h"

#define SIM_BASE (1ull << 20)

int sim_init(struct sim *s, uint64_t bytes)
{
	struct mem_range usable = { SIM_BASE, SIM_BASE + bytes };

	memset(s, 0, sizeof(*s));
	s->mem = aligned_alloc(PAGE_SIZE, bytes);
	if (!s->mem)
		return -1;
	s->bytes = bytes;
	if (frame_pool_init(&s->fp, &usable, 1, NULL, 0, (uintptr_t)s->mem - SIM_BASE)) {
		free(s->mem);
		return -1;
	}
	return 0;
}

void sim_free(struct sim *s)
{
	free(s->mem);
	memset(s, 0, sizeof(*s));
}

static void flush(void *ctx)
{
	((struct simvm *)ctx)->flushes++;
}

int simvm_create(struct sim *s, struct share_engine *e, struct simvm *vm, uint16_t id,
		 const char *domain, uint64_t pages, const struct p2m_format *fmt)
{
	uint64_t range[1][2] = { { 0, pages * PAGE_SIZE } };

	memset(vm, 0, sizeof(*vm));
	vm->id = id;
	vm->ram_bytes = pages * PAGE_SIZE;
	vm->e = e;
	if (p2m_init(&vm->p2m, fmt, &s->fp, id, 0))
		return -1;
	vm->sv = share_vm_add(e, id, domain, &vm->p2m, range, 1, flush, vm);
	if (!vm->sv) {
		p2m_destroy(&vm->p2m, NULL, NULL);
		return -1;
	}
	return 0;
}

void simvm_destroy(struct simvm *vm)
{
	share_vm_remove(vm->e, vm->sv);
	p2m_destroy(&vm->p2m, NULL, NULL);
}

/* writable_page - the frame behind @gpa, populated and made writable. Returns its address or 0. */
static unsigned char *writable_page(struct sim *s, struct simvm *vm, uint64_t gpa)
{
	struct p2m_leaf leaf;
	uint64_t hpa;

	if (p2m_lookup(&vm->p2m, gpa, &hpa, &leaf)) {
		hpa = frame_alloc(&s->fp, FRAME_GUEST, vm->id);
		if (!hpa)
			return NULL;
		memset(frame_va(&s->fp, hpa), 0, PAGE_SIZE);
		if (p2m_map(&vm->p2m, gpa, hpa, PAGE_SIZE, P2M_RWX, P2M_MT_WB)) {
			frame_put(&s->fp, hpa);
			return NULL;
		}
	} else if (!(leaf.perms & P2M_W)) {
		if (share_cow(vm->e, vm->sv, gpa))
			return NULL;
		p2m_lookup(&vm->p2m, gpa, &hpa, NULL);
	}
	if (p2m_has_ad(&vm->p2m))
		p2m_set_ad(&vm->p2m, gpa, P2M_ACCESSED | P2M_DIRTY);
	return frame_va(&s->fp, hpa & PAGE_MASK);
}

int simvm_write(struct sim *s, struct simvm *vm, uint64_t gpa, const void *buf, size_t n)
{
	const unsigned char *src = buf;

	while (n) {
		uint64_t off = gpa & ~PAGE_MASK;
		size_t chunk = PAGE_SIZE - off < n ? PAGE_SIZE - off : n;
		unsigned char *page = writable_page(s, vm, gpa & PAGE_MASK);

		if (!page)
			return -SV_ENOMEM;
		memcpy(page + off, src, chunk);
		src += chunk;
		gpa += chunk;
		n -= chunk;
	}
	return 0;
}

void simvm_read(struct sim *s, struct simvm *vm, uint64_t gpa, void *buf, size_t n)
{
	unsigned char *dst = buf;

	while (n) {
		uint64_t off = gpa & ~PAGE_MASK, hpa;
		size_t chunk = PAGE_SIZE - off < n ? PAGE_SIZE - off : n;

		if (p2m_lookup(&vm->p2m, gpa & PAGE_MASK, &hpa, NULL))
			memset(dst, 0, chunk);
		else
			memcpy(dst, (unsigned char *)frame_va(&s->fp, hpa & PAGE_MASK) + off, chunk);
		dst += chunk;
		gpa += chunk;
		n -= chunk;
	}
}
