// SPDX-License-Identifier: MIT
/*
 * share_hash.c - the page hash of the content indexes.
 *
 * Eight independent 64-bit lanes, each over every eighth word: the lane
 * is rotated, the word added, and the sum multiplied by an odd constant
 * (one multiply per word, and eight short dependency chains, so the
 * multiplier stays busy: about twice the speed of two multiplies per word).
 * The lanes are merged and avalanched at the end and folded to 32 bits for
 * the index. It only has to spread pages over buckets and make equal hashes
 * rare: no merge trusts it (every merge compares all 4096 bytes first).
 */
#include <string.h>

#include "mm/frame.h"
#include "sharing/share.h"

#define P1 0x9e3779b185ebca87ull
#define P2 0xc2b2ae3d27d4eb4full
#define P3 0x165667b19e3779f9ull
#define LANES 8

static inline uint64_t rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t round64(uint64_t acc, uint64_t in)
{
	return (rotl(acc, 27) + in) * P1;
}

/* word - the 64-bit word @i of @p (unaligned-safe; a plain load on x86). */
static inline uint64_t word(const unsigned char *p, size_t i)
{
	uint64_t w;

	memcpy(&w, p + i * 8, sizeof(w));
	return w;
}

uint32_t share_hash_page(const void *page)
{
	const unsigned char *p = page;
	/* Eight lanes in named variables, so they live in registers. */
	uint64_t a0 = P2, a1 = 2 * P2, a2 = 3 * P2, a3 = 4 * P2;
	uint64_t a4 = 5 * P2, a5 = 6 * P2, a6 = 7 * P2, a7 = 8 * P2, h;

	for (size_t off = 0; off < PAGE_SIZE; off += 8 * LANES) {
		const unsigned char *q = p + off;

		a0 = round64(a0, word(q, 0));
		a1 = round64(a1, word(q, 1));
		a2 = round64(a2, word(q, 2));
		a3 = round64(a3, word(q, 3));
		a4 = round64(a4, word(q, 4));
		a5 = round64(a5, word(q, 5));
		a6 = round64(a6, word(q, 6));
		a7 = round64(a7, word(q, 7));
	}
	h = (rotl(a0, 1) ^ rotl(a1, 8)) * P3;
	h = (h ^ rotl(a2, 15) ^ rotl(a3, 22)) * P3;
	h = (h ^ rotl(a4, 29) ^ rotl(a5, 36)) * P3;
	h = (h ^ rotl(a6, 43) ^ rotl(a7, 50)) * P3;
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	h *= P3;
	h ^= h >> 32;
	return (uint32_t)(h ^ (h >> 32));
}
