/* SPDX-License-Identifier: MIT */
/*
 * plat.h - the platform shim that mm/ and sharing/ are written against.
 *
 * mm/ and sharing/ are plain C: they build freestanding into the hypervisor
 * and hosted into unit tests, benchmarks and tools. Everything they need
 * from their surroundings is declared here and implemented twice: by
 * kernel/plat.c in the hypervisor and by tools/host_plat.c on the host.
 */
#ifndef SV_MM_PLAT_H
#define SV_MM_PLAT_H

#include <stddef.h>
#include <stdint.h>

/* plat_panic - report a broken hypervisor invariant and stop; never returns. */
void plat_panic(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

/* plat_log - an informational line (no trailing newline needed). */
void plat_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* plat_alloc - general-purpose object memory; NULL when exhausted. */
void *plat_alloc(size_t size);
void plat_free(void *p);

/* plat_now_ns - a monotonic clock for statistics (not for correctness). */
uint64_t plat_now_ns(void);

/* BUG_ON - an invariant of the hypervisor's own making has been broken. */
#define BUG_ON(cond)                                                         \
	do {                                                                 \
		if (__builtin_expect(!!(cond), 0))                           \
			plat_panic("%s: BUG: %s (%s:%d)", __func__, #cond,   \
				   __FILE__, __LINE__);                      \
	} while (0)

#endif
