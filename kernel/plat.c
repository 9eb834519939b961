// SPDX-License-Identifier: MIT
/* plat.c - the platform shim (mm/plat.h) inside the hypervisor. */
#include <stdio.h>

#include "kernel/arch.h"
#include "kernel/mem.h"
#include "kernel/printk.h"
#include "mm/plat.h"

void plat_panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	panic("%s", buf);
}

void plat_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(LOG_INFO, fmt, ap);
	va_end(ap);
	printk(LOG_INFO, "\n");
}

void *plat_alloc(size_t size)
{
	return heap_alloc(&hv_heap, size);
}

void plat_free(void *p)
{
	heap_free(&hv_heap, p);
}

uint64_t plat_now_ns(void)
{
	return arch_now_ns();
}
