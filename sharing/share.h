/* SPDX-License-Identifier: MIT */
/*
 * share.h - the page-sharing engine: pattern pages inside a VM, content
 * pages across VMs, copy-on-write, and the scanner that finds them.
 *
 * How it works, and why
 * =====================
 *
 * Guest RAM is populated on first touch: a guest frame that was never
 * touched has no host memory, so it is neither "used" nor "saved". Every
 * populated guest page is backed by one frame, which is in one of three
 * states (the frame's kind in mm/frame.h):
 *
 *   FRAME_GUEST    private to one mapping, writable;
 *   FRAME_PATTERN  shared by pages of ONE VM whose content a pattern
 *                  describes; read-only; its owner is that VM;
 *   FRAME_CONTENT  shared by identical pages of any VMs of one sharing
 *                  domain; read-only.
 *
 * 1. Pattern pages (intra-VM). The scanner runs the pattern set
 *    (sharing/patset.h) over each page, prefilter first, so an ordinary
 *    page costs a few sampled words. A match yields a *key*: the pattern's
 *    id, plus the repeating unit for the periodic family. For singular
 *    patterns and the family, the key determines all 4096 bytes, so pages
 *    of one VM with equal keys map to that VM's one frame for the key with
 *    no byte compare at all, and a copy-on-write break refills a fresh
 *    frame from the key instead of copying. The first page seen with a key
 *    becomes the key's frame in place (no allocation, no copy). A pattern
 *    that admits many pages (say [\x00\x01]*) does not determine the
 *    content: its pages are grouped by content hash and compared byte by
 *    byte, inside the VM only. Pattern frames are never mapped into another
 *    VM: a pattern is a statement about one guest's memory, and keeping it
 *    there means a VM's zero pages never tie it to another tenant.
 *
 * 2. Content pages (inter-VM). Everything else goes to a content index per
 *    sharing domain, like Linux KSM's two trees:
 *      - the *stable index* holds the FRAME_CONTENT frames by hash;
 *      - the *candidate index* (KSM's unstable tree) holds private pages by
 *        hash, rebuilt every full scan.
 *    A page is considered only when its hash is the same as at the previous
 *    scan (the volatility filter: a page that keeps changing would be
 *    merged and broken again and again). Then: a hash hit in the stable
 *    index and an equal byte compare merge it into that frame; otherwise a
 *    hit in the candidate index and an equal compare turn the candidate's
 *    own frame into a new content frame (no copy) and merge the page into
 *    it; otherwise the page becomes a candidate. A hash match is never
 *    trusted: every merge is preceded by a full compare of the 4096 bytes
 *    (tests plug in a deliberately weak hash to prove it). Domains isolate
 *    tenants: pages are merged only within a domain. A content frame takes
 *    at most SHARE_MAX_SHARING mappings (KSM's max_page_sharing): a full
 *    one is passed over, and the next two such pages make another frame of
 *    the same content. So a frame's reverse map, which a COW break and a
 *    VM's removal search, never grows with how many pages hold the content:
 *    a guest that fills its memory with one content makes no work for the
 *    others' COW breaks, and 181,546 equal pages cost 710 frames, not one.
 *
 * 3. The merge protocol, for every merge: write-protect the page in the
 *    VM's p2m and flush that VM's cached translations; re-verify (the page
 *    still maps the same frame and still has the content or key that was
 *    found); remap it read-only to the shared frame; release the old frame.
 *    A guest write that lands before the write-protect changes the content
 *    and the re-verify fails; one that lands after it faults and wins (the
 *    fault path makes the page writable again and the merge is abandoned).
 *    On one CPU the guest cannot run between the steps; the steps are kept
 *    so that SMP only has to add a synchronous flush.
 *
 * 4. Copy-on-write. A guest write to a shared frame faults (EPT violation /
 *    NPF) into share_cow(): a pattern page with a determining key gets a
 *    fresh frame filled from the key; any other shared page gets a copy;
 *    when the writer holds the last mapping, the frame just becomes private
 *    and writable again. A page just broken is skipped by the scanner for
 *    SHARE_COW_SKIP full scans. Out of memory is reported to the caller
 *    (-SV_ENOMEM) with nothing changed, so the VM can be paused and retried.
 *
 * 5. The scanner visits populated pages with a per-VM cursor, a budget of
 *    pages per call (the kernel calls it every timer tick), and counts full
 *    scans. Where the nested page tables have dirty bits (EPT A/D, NPT),
 *    a page not written since its last scan is neither re-read nor re-hashed:
 *    its recorded hash is still right, and if it was found to match no
 *    pattern it still matches none. This is what a hypervisor can do and
 *    KSM cannot: KSM must checksum every page again to learn that it changed.
 *
 * Where the state lives (the memory cost is reported by share_mem_bytes()):
 *   - private frames: the last hash and scan flags in their struct frame
 *     (link[0] = hash, link[1] = epoch of the last COW break, flags);
 *   - content frames: link[0] = head of their reverse map (VM, gfn) chain,
 *     link[1] = their node in the stable index, owner = domain index;
 *   - pattern frames: owner = VM id, link[0] = their slot in the VM's key
 *     table (or node in the VM's local content index), link[1] = pattern id;
 *   - index nodes, reverse-map entries and key tables: heap memory.
 *
 * The engine is plain C over mm/ (frames, p2m) and a per-VM flush callback;
 * it builds into the hypervisor and into host tests and sharevisor-sim.
 * It is not reentrant: the caller serialises calls (one CPU today).
 */
#ifndef SV_SHARING_SHARE_H
#define SV_SHARING_SHARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct frame_pool;
struct p2m;
struct sv_patset;
struct share_engine;
struct share_vm;

#define SHARE_MAX_VMS		64
#define SHARE_MAX_DOMAINS	16
#define SHARE_NAME_MAX		16	/* with the NUL */
#define SHARE_MAX_RANGES	4	/* RAM ranges of a VM */
#define SHARE_COW_SKIP		2	/* full scans a COW-broken page is left alone */
#define SHARE_MAX_SHARING	256	/* mappings of one content frame, at most */
#define SHARE_PATSTATS		32	/* patterns with their own page counter */

enum share_mode {
	SHARE_OFF = 0,
	SHARE_INTRA = 1,	/* pattern pages inside each VM */
	SHARE_INTER = 2,	/* content pages across VMs */
	SHARE_ON = SHARE_INTRA | SHARE_INTER,
};

/*
 * Per pattern id, also of patterns removed from the set: their frames stay
 * (read-only, regenerated through the pattern they hold) until their pages
 * are written. The sums over the slots are pattern_pages and pattern_frames
 * as long as no more than SHARE_PATSTATS ids have pages at once; a slot
 * whose pattern has no pages left is reused.
 */
struct share_pat_stats {
	uint32_t id;			/* pattern id (0: unused slot) */
	uint64_t pages;			/* guest pages mapped to its frames now */
	uint64_t frames;		/* its pattern frames now */
	uint64_t hits;			/* merges under it (since the last reset) */
};

/* Global counters; named like Linux KSM's (Documentation/admin-guide/mm/ksm.rst) where the meaning is the same. */
struct share_stats {
	uint64_t pages_scanned;		/* page visits by the scanner */
	uint64_t full_scans;		/* completed passes over every VM */
	uint64_t pages_shared;		/* content frames (KSM pages_shared) */
	uint64_t pages_sharing;		/* content mappings beyond one per frame: saved (KSM pages_sharing) */
	uint64_t pages_unshared;	/* last full scan: stable unique pages, now candidates */
	uint64_t pages_volatile;	/* last full scan: pages whose hash changed */
	uint64_t pattern_pages;		/* guest pages mapped to pattern frames */
	uint64_t pattern_frames;	/* pattern frames */
	uint64_t cow_pattern;		/* COW breaks of pattern pages */
	uint64_t cow_content;		/* COW breaks of content pages */
	uint64_t merges;		/* pages merged into a shared frame (both kinds) */
	uint64_t merge_aborts;		/* merges abandoned at re-verify */
	uint64_t hash_collisions;	/* equal hashes, different bytes: no merge (a candidate rewritten since it was hashed is dropped, not counted) */
	uint64_t pages_hashed;		/* pages read and hashed */
	uint64_t clean_skips;		/* pages not re-read thanks to dirty bits */
	uint64_t pages_written;		/* visits finding a page newly written: dirty now, clean (or unseen) at its
					   last visit; pages written between every two visits count once (every
					   visit counts without dirty bits) */
	uint64_t cow_skips;		/* visits skipped because of a recent COW break */
	uint64_t oom;			/* COW breaks refused for lack of frames */
	uint64_t rmap_steps;		/* reverse-map entries searched (COW breaks, removals):
					   at most SHARE_MAX_SHARING per mapping removed */
	uint64_t saved;			/* frames saved: (pattern_pages - pattern_frames) + pages_sharing */
	struct share_pat_stats pattern[SHARE_PATSTATS];
};

/* Per-VM counters. */
struct share_vm_stats {
	uint64_t pattern_pages;		/* this VM's pages on its pattern frames */
	uint64_t pattern_frames;	/* its pattern frames */
	uint64_t content_pages;		/* its pages on content frames */
	uint64_t cow_pattern;
	uint64_t cow_content;
	uint64_t merges;
};

/* The hash the indexes use (tests plug in a weak one). */
typedef uint32_t (*share_hash_fn)(const void *page);

/*
 * share_engine_create - an engine over frames of @fp matching @patterns
 * (may be NULL: no pattern sharing). Returns NULL when out of memory.
 */
struct share_engine *share_engine_create(struct frame_pool *fp, struct sv_patset *patterns);

/* share_engine_destroy - free the engine; every VM must have been removed. */
void share_engine_destroy(struct share_engine *e);

/*
 * share_vm_add - make VM @id (1..65535, unique) known to the engine: its
 * p2m, its RAM ranges [start, end) in guest-physical space, its sharing
 * domain (created on first use), and @flush, called (with @ctx) whenever
 * the VM's cached guest-physical translations must go before it runs again.
 * Returns the engine's handle, or NULL (too many VMs or domains, no memory).
 */
struct share_vm *share_vm_add(struct share_engine *e, uint16_t id, const char *domain,
			      struct p2m *p2m, const uint64_t (*ranges)[2], int nranges,
			      void (*flush)(void *ctx), void *ctx);

/*
 * share_vm_remove - forget @sv: unmap every page of its p2m and drop its
 * references on the frames (shared frames stay while others map them).
 * The caller then destroys the (now empty) p2m.
 */
void share_vm_remove(struct share_engine *e, struct share_vm *sv);

/* share_scan - visit up to @budget populated pages; returns how many were visited. */
unsigned share_scan(struct share_engine *e, unsigned budget);

/* share_scan_full - scan until one more full scan has completed. */
void share_scan_full(struct share_engine *e);

/*
 * share_cow - handle a guest write fault at @gpa of @sv. Returns 0 when the
 * page is writable now; -SV_ENOENT when @gpa is not mapped (not ours to
 * handle); -SV_ENOMEM when no frame is free (nothing was changed).
 */
int share_cow(struct share_engine *e, struct share_vm *sv, uint64_t gpa);

void share_set_mode(struct share_engine *e, enum share_mode mode);
enum share_mode share_get_mode(const struct share_engine *e);
void share_set_hash(struct share_engine *e, share_hash_fn fn);

/* share_get_stats - a copy of the global counters. */
void share_get_stats(const struct share_engine *e, struct share_stats *out);
/* share_vm_get_stats - a copy of @sv's counters. */
void share_vm_get_stats(const struct share_vm *sv, struct share_vm_stats *out);
/*
 * share_reset_stats - zero the event counters: full_scans, pages_scanned,
 * merges, merge_aborts, hash_collisions, pages_hashed, clean_skips,
 * pages_written, cow_skips, oom, the COW breaks, each pattern's hits and
 * each VM's cow_pattern, cow_content and merges. The gauges of the current
 * state (pages and frames shared, pages_unshared, pages_volatile) stay.
 */
void share_reset_stats(struct share_engine *e);

/* share_mem_bytes - heap bytes the engine holds (indexes, reverse maps, key tables). */
uint64_t share_mem_bytes(const struct share_engine *e);

/*
 * share_check - verify every invariant: writable frames are private with one
 * mapping; shared frames are read-only; pattern frames are mapped only in
 * their owner; every frame's refcount equals its mappings; reverse maps
 * list exactly the content mappings; counters add up. Returns 0, or a
 * negative number identifying the first violation (and logs it).
 */
int share_check(struct share_engine *e);

/* share_hash_page - the default page hash: 64-bit, four lanes, folded to 32 bits. */
uint32_t share_hash_page(const void *page);

#endif
