/* SPDX-License-Identifier: MIT */
/*
 * guest_sim.h - simulated guest RAM for the loader tests (test_loader.c,
 * test_linux.c): a struct guest_mem over a buffer poisoned with POISON,
 * which counts writes, refuses (and counts) any byte outside the test's
 * own idea of guest RAM, and can fail a chosen call; little-endian
 * writers for building images.
 */
#ifndef SV_TESTS_GUEST_SIM_H
#define SV_TESTS_GUEST_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/loader.h"
#include "mm/errno.h"

#define POISON		0xa5

/* Simulated guest RAM [0, top) (the hole is in the buffer but is not RAM). */
struct sim {
	uint8_t *ram;
	uint64_t top;
	unsigned long writes;		/* successful write()/zero() calls */
	unsigned long bad;		/* attempts outside RAM */
	long fail_after;		/* fail the call after this many (-1: never) */
	struct guest_mem gm;
};

/* sim_ok - the test's own idea of guest RAM (independent of the loader's). */
static bool sim_ok(const struct sim *s, uint64_t gpa, size_t n)
{
	if (n == 0 || gpa + n < gpa)
		return false;
	if (gpa + n <= 0xa0000)
		return true;
	return gpa >= 0x100000 && gpa + n <= s->top;
}

/* sim_check - 0 if the call may go ahead (counting it), else its error. */
static int sim_check(struct sim *s, uint64_t gpa, size_t n)
{
	if (!sim_ok(s, gpa, n)) {
		s->bad++;
		return -SV_EFAULT;
	}
	if (s->fail_after >= 0 && (long)s->writes >= s->fail_after)
		return -SV_EIO;
	s->writes++;
	return 0;
}

static int sim_write(void *ctx, uint64_t gpa, const void *src, size_t n)
{
	struct sim *s = ctx;
	int rc = sim_check(s, gpa, n);

	if (!rc)
		memcpy(s->ram + gpa, src, n);
	return rc;
}

static int sim_zero(void *ctx, uint64_t gpa, size_t n)
{
	struct sim *s = ctx;
	int rc = sim_check(s, gpa, n);

	if (!rc)
		memset(s->ram + gpa, 0, n);
	return rc;
}

static struct sim *sim_new(uint64_t top)
{
	struct sim *s = calloc(1, sizeof(*s));

	s->ram = malloc(top);
	memset(s->ram, POISON, top);
	s->top = top;
	s->fail_after = -1;
	s->gm = (struct guest_mem){ .ctx = s, .ram_bytes = top, .write = sim_write, .zero = sim_zero };
	return s;
}

static void sim_free(struct sim *s)
{
	free(s->ram);
	free(s);
}

static void w16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void w32(uint8_t *p, uint32_t v)
{
	w16(p, (uint16_t)v);
	w16(p + 2, (uint16_t)(v >> 16));
}

static void w64(uint8_t *p, uint64_t v)
{
	w32(p, (uint32_t)v);
	w32(p + 4, (uint32_t)(v >> 32));
}

#endif
