/* SPDX-License-Identifier: MIT */
/*
 * simvm.h - simulated guests on the host, for tests and sharevisor-sim.
 *
 * A simulated machine is a frame pool over ordinary memory; a simulated VM
 * is a p2m over it plus the sharing engine's handle. Guest accesses behave
 * as on the hypervisor: first touch populates, a write to a read-only page
 * goes through share_cow(), and writes set the dirty bit as the CPU would.
 */
#ifndef SV_TOOLS_SIMVM_H
#define SV_TOOLS_SIMVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/frame.h"
#include "mm/p2m.h"

struct share_engine;
struct share_vm;

struct sim {
	unsigned char *mem;
	uint64_t bytes;
	struct frame_pool fp;
};

struct simvm {
	uint16_t id;
	uint64_t ram_bytes;	/* guest RAM is [0, ram_bytes) */
	struct p2m p2m;
	struct share_vm *sv;
	struct share_engine *e;
	uint64_t flushes;
};

/* sim_init - @bytes of simulated physical memory (from 1 MiB). Returns 0 or -1. */
int sim_init(struct sim *s, uint64_t bytes);
void sim_free(struct sim *s);

/* simvm_create - a VM of @pages pages in @domain, nested tables in @fmt. Returns 0 or -1. */
int simvm_create(struct sim *s, struct share_engine *e, struct simvm *vm, uint16_t id,
		 const char *domain, uint64_t pages, const struct p2m_format *fmt);
/* simvm_destroy - the engine forgets the VM, every frame goes back. */
void simvm_destroy(struct simvm *vm);

/* simvm_write - a guest write of @n bytes at @gpa. Returns 0, or -SV_ENOMEM (nothing written). */
int simvm_write(struct sim *s, struct simvm *vm, uint64_t gpa, const void *buf, size_t n);
/* simvm_read - a guest read; untouched memory reads as zeros. */
void simvm_read(struct sim *s, struct simvm *vm, uint64_t gpa, void *buf, size_t n);

#endif
