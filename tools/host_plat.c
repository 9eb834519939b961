// SPDX-License-Identifier: MIT
/* host_plat.c - the platform shim (mm/plat.h) for hosted builds: tests and tools. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mm/plat.h"

void plat_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("PANIC: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

void plat_log(const char *fmt, ...)
{
	va_list ap;

	if (!getenv("SV_VERBOSE"))
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void *plat_alloc(size_t size)
{
	return malloc(size);
}

void plat_free(void *p)
{
	free(p);
}

uint64_t plat_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
