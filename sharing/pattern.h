/* SPDX-License-Identifier: MIT */
/*
 * pattern.h - the pattern engine: byte-level regular expressions over a whole
 * 4 KiB page, compiled to minimal DFAs, with a sampling prefilter and keys.
 *
 * The algorithm, in the order a pattern goes through it:
 *
 *  1. Parse (pattern_parse.c). A byte-level syntax (docs/PATTERNS.md) into a
 *     small AST. Every error carries the byte position and what was expected.
 *  2. NFA (pattern_compile.c). Thompson construction. x{m,n} is expanded as m
 *     copies followed by n-m *nested* optionals, (x(x(x)?)?)?, so that a
 *     subset of NFA states stays small while counting. The expansion is sized
 *     before it is built; over the NFA limit is an error, not an allocation.
 *     The alphabet is compressed into byte classes: two bytes are in the same
 *     class when every byte set of the pattern contains both or neither.
 *  3. DFA (pattern_compile.c). Subset construction over byte classes, under three
 *     limits (states, states x classes, total subset size) so compile memory
 *     is bounded. Then Hopcroft's partition refinement gives the minimal DFA;
 *     every state that cannot reach acceptance collapses into one dead state.
 *  4. Length-4096 analysis (pattern_analyse.c). Only pages matter, so what
 *     counts is the DFA restricted to strings of exactly 4096 bytes. A
 *     backward pass counts, per state, accepted continuations of length k
 *     (saturating at 2); from the start state at k = 4096 that says whether
 *     the pattern is *empty* (0 pages), *singular* (1 page: its canonical
 *     page is rebuilt and matching becomes a compare) or general (run the
 *     DFA). A forward pass gives the states reachable at depth i; a byte b
 *     is allowed at offset i iff some state reachable at depth i goes on b to
 *     a state that still accepts in 4095-i more bytes. The most selective
 *     offsets become the prefilter: sound by construction, since a matching
 *     page's byte at i is always in that set.
 *  5. The repeating-unit family (pattern.c) is not a regular
 *     expression: "the page is one N-byte unit repeated", N in 1,2,4..64.
 *     Any such page equals itself shifted by 64 bytes, which is what both the
 *     prefilter (sampled words 64 bytes apart must be equal) and the full
 *     check (every word equals the word 64 bytes before) test; the key is the
 *     smallest such unit.
 *
 * Matching (pattern.c): general patterns run the DFA in k-byte steps (k up
 * to 8, from tables composed at compile time, so a page costs 4096/k
 * dependent loads); singular patterns and the family compare 256 bytes per
 * branch. Pattern sets (patset.c) run every prefilter before any full match.
 *
 * Keys: a match yields a key, the pattern id plus the unit for the family.
 * For singular patterns and family members the key determines the content,
 * and sv_pat_regenerate() rebuilds the page from it (the COW path refills a
 * frame this way instead of copying). For a general DFA pattern the key names
 * only the pattern; such pages are grouped by content hash + compare.
 *
 * Ordered, named sets of patterns with run-time add/remove live in patset.h.
 */
#ifndef SV_SHARING_PATTERN_H
#define SV_SHARING_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SV_PAT_PAGE		4096	/* bytes a pattern matches, exactly */
#define SV_PAT_MAX_COUNT	4096	/* largest m or n in {m,n} */
#define SV_PAT_MAX_LEN		4096	/* longest pattern text */
#define SV_PAT_UNIT_MAX		64	/* largest repeating unit of the family */
#define SV_PAT_SAMPLES		8	/* prefilter samples kept per pattern */
#define SV_PAT_ERR_MSG		96

/* sv_pat_error - where a pattern went wrong: byte offset into the text and what was expected. */
struct sv_pat_error {
	size_t pos;
	char msg[SV_PAT_ERR_MSG];
};

/*
 * sv_pat_limits - compile-time bounds. The defaults (sv_pat_default_limits)
 * admit \x00{4096} (4098 DFA states) with room to spare and bound the
 * compiler's memory to roughly 64 MiB in the worst case.
 */
struct sv_pat_limits {
	uint32_t max_nfa_states;	/* Thompson states after expansion (default 65536) */
	uint32_t max_dfa_states;	/* subset-construction states (default 16384) */
	uint32_t max_dfa_cells;		/* DFA states x byte classes (default 2M) */
	uint32_t max_set_entries;	/* sum of NFA-subset sizes kept (default 4M) */
	uint32_t max_analysis_edges;	/* distinct DFA edges for the length-4096
					   analysis; above it the pattern is treated
					   as general, no prefilter (default 256K) */
};

enum sv_pat_kind {
	SV_PAT_DFA,		/* general: run the DFA over the page */
	SV_PAT_SINGULAR,	/* exactly one page matches: compare with it */
	SV_PAT_PERIODIC,	/* the repeating-unit family */
};

/* sv_pat_sample - one prefilter sample: the bytes a matching page may hold at @off. */
struct sv_pat_sample {
	uint16_t off;
	uint16_t nallowed;
	uint64_t allowed[4];	/* bitmap over byte values */
};

/* sv_pat_key - what a match says about the page; see the file comment. */
struct sv_pat_key {
	uint32_t id;			/* the pattern's id in its set (0: none) */
	uint8_t unit_len;		/* family only: 1..64, else 0 */
	uint8_t unit[SV_PAT_UNIT_MAX];	/* family only: the smallest unit */
};

/* sv_pat_info - what the compiler found, for tools and tests. */
struct sv_pat_info {
	enum sv_pat_kind kind;
	uint32_t nfa_states;		/* after expansion */
	uint32_t dfa_states_raw;	/* after subset construction */
	uint32_t dfa_states;		/* after minimisation, dead state included */
	uint32_t classes;		/* byte classes */
	bool analysed;			/* length analysis done (within limits) */
	bool empty;			/* no 4096-byte page matches */
	unsigned nsamples;
	const struct sv_pat_sample *samples;
};

struct sv_pat;

/* sv_pat_default_limits - fill @lim with the documented defaults. */
void sv_pat_default_limits(struct sv_pat_limits *lim);

/*
 * sv_pat_compile - compile @len bytes of pattern text (NUL bytes are ordinary
 * bytes). @lim may be NULL for the defaults. Returns 0 and a pattern with one
 * reference in *@out, or a negative SV_E* with @err filled (when not NULL):
 * -SV_EINVAL for a syntax error, -SV_E2BIG for a limit, -SV_ENOMEM.
 */
int sv_pat_compile(const char *re, size_t len, const struct sv_pat_limits *lim,
		   struct sv_pat **out, struct sv_pat_error *err);

/* sv_pat_new_periodic - the repeating-unit family; 0 and *@out, or -SV_ENOMEM. */
int sv_pat_new_periodic(struct sv_pat **out);

/* sv_pat_get - take a reference on @p; returns @p. */
struct sv_pat *sv_pat_get(struct sv_pat *p);
/* sv_pat_put - drop a reference; the last one frees the pattern. NULL is ignored. */
void sv_pat_put(struct sv_pat *p);

/* sv_pat_set_id - the id keys carry (pattern sets assign it). */
void sv_pat_set_id(struct sv_pat *p, uint32_t id);
uint32_t sv_pat_id(const struct sv_pat *p);

/* sv_pat_info - fill @info; pointers in it live as long as @p. */
void sv_pat_info(const struct sv_pat *p, struct sv_pat_info *info);
/* sv_pat_canonical - the singular page (4096 bytes), or NULL if @p is not singular. */
const uint8_t *sv_pat_canonical(const struct sv_pat *p);

/* sv_pat_prefilter - false when @page certainly does not match @p (cheap, sound). */
bool sv_pat_prefilter(const struct sv_pat *p, const void *page);

/*
 * sv_pat_match - the full verdict for a 4096-byte @page (prefilter not
 * included). Returns true on a match and fills @key when not NULL.
 */
bool sv_pat_match(const struct sv_pat *p, const void *page, struct sv_pat_key *key);

/* sv_pat_dfa_run - run the DFA alone over @page (tests compare it with the fast paths). */
bool sv_pat_dfa_run(const struct sv_pat *p, const void *page);

/*
 * sv_pat_regenerate - write the page @key names into @page (4096 bytes).
 * Returns 0, -SV_EINVAL if the key does not belong to @p or is malformed, or
 * -SV_ENOENT when @p is a general pattern whose key does not fix the content.
 */
int sv_pat_regenerate(const struct sv_pat *p, const struct sv_pat_key *key, void *page);

/* sv_pat_key_format - "%08x" id, then ":" and the unit in hex for the family; returns snprintf's value. */
int sv_pat_key_format(const struct sv_pat_key *key, char *buf, size_t size);

/* sv_pat_periodic_unit - the smallest power-of-two unit (1..64) the page repeats, or 0. */
unsigned sv_pat_periodic_unit(const void *page);

#endif
