// SPDX-License-Identifier: MIT
/*
 * memcheck - the Linux test guests' memory checker (static, in the test
 * initramfs): fills MIB MiB with pages of four kinds by page index i % 4:
 * zero pages (written, so populated), repeated 8-byte patterns (one of 16
 * units), "shared" pages whose content depends only on SHARED and i (the
 * same in every VM given the same SHARED), and random pages (SEED and i).
 * Then it waits while the hypervisor merges (under sharevisor until two
 * full scans have passed, at most NAP seconds; elsewhere NAP seconds),
 * verifies every byte, rewrites every page in place with the next kind's
 * content, and verifies again. Prints "memcheck: ... PASS" or the bad byte
 * count. Under sharevisor (test mode) it also reads the sharing counters
 * (CPUID 0x40000002), waits until at least as many pages as its zero and
 * pattern pages are pattern-shared and PEERS other VMs' copies of its
 * shared pages are merged (when PEERS > 0), checks that, and that the
 * rewrite broke copy-on-write. With PEERS, no VM rewrites before all
 * PEERS + 1 have checked (the test barrier hypercall, which test mode lets
 * user mode reach): a VM done early would take its copies away from the
 * count of a slower one.
 *
 *   memcheck MIB SEED SHARED NAP [PEERS]
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../../kernel/hvabi.h"

#define PAGE 4096

/* sv_counter - sharevisor's counter @idx, or -1 when absent (not sharevisor, not test mode). */
static long long sv_counter(unsigned idx)
{
	uint32_t a, b, c = idx, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(SV_CPUID_BASE), "c"(0));
	if (b != SV_SIGNATURE_EBX || a < SV_CPUID_COUNTER)
		return -1;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(SV_CPUID_COUNTER), "c"(idx));
	return b == 1 ? (long long)((uint64_t)d << 32 | a) : -1;
}

/* sv_barrier - arrive at test barrier @id; how many VMs have (VMCALL on Intel, VMMCALL on AMD). */
static long long sv_barrier(unsigned id)
{
	uint32_t a = 0, b, c, d;
	uint64_t rax = SV_HC_BARRIER, rbx = id;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	if (b == 0x68747541u)	/* "Auth"enticAMD */
		__asm__ volatile("vmmcall" : "+a"(rax), "+b"(rbx) : : "memory");
	else
		__asm__ volatile("vmcall" : "+a"(rax), "+b"(rbx) : : "memory");
	return (long long)rax;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

/* fill - page @i as kind @kind: 0 zero, 1 pattern, 2 shared, 3 random. */
static void fill(uint64_t *p, uint64_t i, unsigned kind, uint64_t seed, uint64_t shared)
{
	uint64_t unit = 0x0101010101010101ull * (1 + (i / 4) % 16), x;

	for (unsigned w = 0; w < PAGE / 8; w++) {
		switch (kind) {
		case 0: x = 0; break;
		case 1: x = unit; break;
		case 2: x = mix(shared << 40 ^ i << 9 ^ w); break;
		default: x = mix((seed | 1ull << 63) << 32 ^ i << 9 ^ w); break;
		}
		p[w] = x;
	}
}

/* check - bad bytes in page @i against kind @kind. */
static unsigned long check(const uint64_t *p, uint64_t i, unsigned kind, uint64_t seed,
			   uint64_t shared)
{
	static uint64_t want[PAGE / 8];
	unsigned long bad = 0;

	fill(want, i, kind, seed, shared);
	if (!memcmp(p, want, PAGE))
		return 0;
	for (unsigned b = 0; b < PAGE; b++)
		bad += ((const uint8_t *)p)[b] != ((const uint8_t *)want)[b];
	return bad;
}

static unsigned long verify(uint8_t *buf, uint64_t pages, unsigned shift, uint64_t seed,
			    uint64_t shared)
{
	unsigned long bad = 0;

	for (uint64_t i = 0; i < pages; i++)
		bad += check((const uint64_t *)(buf + i * PAGE), i, (unsigned)((i + shift) % 4), seed,
			     shared);
	return bad;
}

int main(int argc, char **argv)
{
	uint64_t mib, seed, shared, pages, peers = 0;
	unsigned nap;
	unsigned long bad1, bad2;
	long long scans0, pat, sharing, cow0, cow;
	bool low = false;
	uint8_t *buf;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: memcheck MIB SEED SHARED NAP [PEERS]\n");
		return 2;
	}
	if (argc == 6)
		peers = strtoull(argv[5], NULL, 0);
	mib = strtoull(argv[1], NULL, 0);
	seed = strtoull(argv[2], NULL, 0);
	shared = strtoull(argv[3], NULL, 0);
	nap = (unsigned)strtoul(argv[4], NULL, 0);
	pages = mib * (1 << 20) / PAGE;
	buf = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		printf("memcheck: cannot map %llu MiB\n", (unsigned long long)mib);
		return 1;
	}
	for (uint64_t i = 0; i < pages; i++)
		fill((uint64_t *)(buf + i * PAGE), i, (unsigned)(i % 4), seed, shared);
	printf("memcheck: filled %llu pages: %llu zero, %llu pattern, %llu shared (%llu), %llu random (%llu)\n",
	       (unsigned long long)pages, (unsigned long long)(pages + 3) / 4,
	       (unsigned long long)(pages + 2) / 4, (unsigned long long)(pages + 1) / 4,
	       (unsigned long long)shared, (unsigned long long)pages / 4, (unsigned long long)seed);
	fflush(stdout);
	/*
	 * Under sharevisor: until the zero and pattern pages (at least) are
	 * pattern-shared, the other VMs' shared pages too, and three full
	 * scans have passed (the first may have begun before the fill), or
	 * NAP seconds. Elsewhere: NAP seconds.
	 */
	scans0 = sv_counter(SV_CNT_FULL_SCANS);
	for (unsigned t = 0; t < nap; t++) {
		if (scans0 >= 0 && sv_counter(SV_CNT_FULL_SCANS) >= scans0 + 3 &&
		    sv_counter(SV_CNT_PATTERN_PAGES) >= (long long)(pages / 2) &&
		    sv_counter(SV_CNT_PAGES_SHARING) >= (long long)(peers * (pages / 4)))
			break;
		sleep(1);
	}
	pat = sv_counter(SV_CNT_PATTERN_PAGES);
	sharing = sv_counter(SV_CNT_PAGES_SHARING);
	cow0 = sv_counter(SV_CNT_COW_BREAKS);
	if (pat >= 0) {
		/* Zero and pattern pages: at least these, plus Linux's own. */
		low = pat < (long long)(pages / 2) || (peers && sharing < (long long)(peers * (pages / 4)));
		printf("memcheck: merged after %lld full scans: %lld pattern pages in this VM (want >= %llu), "
		       "%lld more mappings of shared frames in all VMs (want >= %llu): %s\n",
		       sv_counter(SV_CNT_FULL_SCANS) - scans0, pat, (unsigned long long)(pages / 2), sharing,
		       (unsigned long long)(peers * (pages / 4)), low ? "LOW" : "ok");
		fflush(stdout);
		for (unsigned t = 0; peers && t < nap && sv_barrier(0) < (long long)peers + 1; t++)
			sleep(1);
	}
	bad1 = verify(buf, pages, 0, seed, shared);
	for (uint64_t i = 0; i < pages; i++)
		fill((uint64_t *)(buf + i * PAGE), i, (unsigned)((i + 1) % 4), seed, shared);
	bad2 = verify(buf, pages, 1, seed, shared);
	cow = sv_counter(SV_CNT_COW_BREAKS);
	if (cow >= 0) {
		/* How many of its pages were shared is not known exactly (Linux's count too): some. */
		printf("memcheck: the rewrite broke copy-on-write %lld times\n", cow - cow0);
		low |= cow - cow0 <= 0;
	}
	printf("memcheck: %llu pages verified twice: %lu bad bytes after the wait, %lu after the rewrite: %s\n",
	       (unsigned long long)pages, bad1, bad2, bad1 || bad2 || low ? "FAIL" : "PASS");
	return bad1 || bad2 || low;
}
