// SPDX-License-Identifier: MIT
/*
 * share_hash.c - the page hash of the content indexes.
 *
 * Four independent 64-bit lanes, each a multiply-rotate accumulator over
 * every fourth word (the structure of xxHash64's main loop), merged and
 * avalanched at the end, folded to 32 bits for the index. It only has to
 * spread pages over buckets and make equal hashes rare: no merge trusts it.
 */
#include <string.h>

#include "mm/frame.h"
#include "sharing/share.h"

#define P1 0x9e3779b185ebca87ull
#define P2 0xc2b2ae3d27d4eb4full
#define P3 0x165667b19e3779f9ull

static inline uint64_t rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t round64(uint64_t acc, uint64_t in)
{
	return rotl(acc + in * P2, 31) * P1;
}

uint32_t share_hash_page(const void *page)
{
	const unsigned char *p = page;
	uint64_t a = P1 + P2, b = P2, c = 0, d = 0 - P1, w[4], h;

	for (size_t off = 0; off < PAGE_SIZE; off += 32) {
		memcpy(w, p + off, sizeof(w));
		a = round64(a, w[0]);
		b = round64(b, w[1]);
		c = round64(c, w[2]);
		d = round64(d, w[3]);
	}
	h = rotl(a, 1) + rotl(b, 7) + rotl(c, 12) + rotl(d, 18);
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	h *= P3;
	h ^= h >> 32;
	return (uint32_t)(h ^ (h >> 32));
}
