/* SPDX-License-Identifier: MIT */
/*
 * guest_sim.h - simulated guest RAM for the loader tests (test_loader.c,
 * test_linux.c): a struct guest_mem over a buffer poisoned with POISON,
 * which counts writes, refuses (and counts) any byte outside the test's
 * own idea of guest RAM, and can fail a chosen call; little-endian
 * writers and ELF header writers for building images, a reader for
 * checking what landed in RAM.
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

/* sim_rd - @n bytes (up to 8) of simulated RAM at @gpa, little-endian. */
static inline uint64_t sim_rd(const struct sim *s, uint64_t gpa, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)s->ram[gpa + i] << (8 * i);
	return v;
}

/*
 * sim_elf_header - an x86 ET_EXEC header at @e: ELF64 (EM_X86_64) when
 * @wide, else ELF32 (EM_386); entry @entry, @phnum program headers right
 * after the header.
 */
static inline void sim_elf_header(uint8_t *e, bool wide, uint64_t entry, unsigned phnum)
{
	memcpy(e, "\x7f" "ELF", 4);
	e[4] = wide ? 2 : 1;	/* ELFCLASS64 / ELFCLASS32 */
	e[5] = 1;		/* little-endian */
	e[6] = 1;
	w16(e + 16, 2);		/* ET_EXEC */
	w16(e + 18, wide ? 62 : 3);
	w32(e + 20, 1);
	if (wide) {
		w64(e + 24, entry);
		w64(e + 32, 64);	/* e_phoff */
		w16(e + 52, 64);
		w16(e + 54, 56);
		w16(e + 56, (uint16_t)phnum);
	} else {
		w32(e + 24, (uint32_t)entry);
		w32(e + 28, 52);	/* e_phoff */
		w16(e + 40, 52);
		w16(e + 42, 32);
		w16(e + 44, (uint16_t)phnum);
	}
}

/* sim_phdr32 / sim_phdr64 - a program header at @ph (flags RWX, align 4 KiB). */
static inline void sim_phdr32(uint8_t *ph, uint32_t type, uint32_t off, uint32_t va, uint32_t pa,
			      uint32_t fsz, uint32_t msz)
{
	w32(ph, type);
	w32(ph + 4, off);
	w32(ph + 8, va);
	w32(ph + 12, pa);
	w32(ph + 16, fsz);
	w32(ph + 20, msz);
	w32(ph + 24, 7);
	w32(ph + 28, 0x1000);
}

static inline void sim_phdr64(uint8_t *ph, uint32_t type, uint64_t off, uint64_t va, uint64_t pa,
			      uint64_t fsz, uint64_t msz)
{
	w32(ph, type);
	w32(ph + 4, 7);
	w64(ph + 8, off);
	w64(ph + 16, va);
	w64(ph + 24, pa);
	w64(ph + 32, fsz);
	w64(ph + 40, msz);
	w64(ph + 48, 0x1000);
}

#endif
