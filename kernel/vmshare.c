// SPDX-License-Identifier: MIT
/*
 * vmshare.c - the sharing engine inside the hypervisor: policy and glue.
 *
 * One engine for all VMs, one pattern set (the defaults: the zero page and
 * the repeating-unit family). The scanner runs between guest time slices
 * with a budget of scan_rate pages per 10 ms, less while passes find no
 * work (kernel/scanpace.h); a guest's TLB flush is
 * deferred to its next entry, which is enough while one CPU runs both the
 * scanner and the guests (SMP will need a synchronous flush).
 */
#include <string.h>

#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/hvabi.h"
#include "kernel/mem.h"
#include "kernel/printk.h"
#include "kernel/scanpace.h"
#include "kernel/sched.h"
#include "kernel/vm.h"
#include "kernel/vmshare.h"
#include "mm/errno.h"
#include "sharing/patset.h"

struct share_engine *hv_share;
static struct sv_patset patterns;
static unsigned scan_rate = SCAN_RATE_DEFAULT;
static uint64_t last_tick;
static struct scan_pace pace = { .div = 1 };
uint64_t vmshare_scanner_ns;	/* CPU time the scanner's turns took */
static uint64_t saved_lo, saved_hi;	/* extremes of saved since the last vmshare_saved_range() */
static bool saved_seen;

static const char *const mode_names[] = { "off", "intra", "inter", "on" };

/* pace_counters - what the pace is decided from, now. */
static struct scan_pace_counters pace_counters(void)
{
	struct share_stats st;
	uint64_t populated = 0;

	share_get_stats(hv_share, &st);
	for (int id = 1; id <= VM_MAX; id++)
		if (vms[id])
			populated += vms[id]->pages_populated;
	return (struct scan_pace_counters){
		st.full_scans, st.pages_scanned,
		st.pages_written + st.merges + st.cow_pattern + st.cow_content + populated };
}

/*
 * add_boot_patterns - patterns="NAME=REGEX NAME=REGEX ...": extra patterns
 * appended to the defaults (a space inside a regex is written \x20).
 */
static void add_boot_patterns(const char *cmdline)
{
	char list[512], *p = list;

	if (!cmdline_get(cmdline, "patterns", list, sizeof(list)))
		return;
	while (*p) {
		char *name = p, *re, *end;
		struct sv_pat_error err;

		while (*p && *p != ' ')
			p++;
		end = p;
		while (*p == ' ')
			*p++ = '\0';
		*end = '\0';
		if (!*name)
			continue;
		re = strchr(name, '=');
		if (!re || re == name || !re[1]) {
			pr_err("sharing: patterns=: '%s' is not NAME=REGEX\n", name);
			continue;
		}
		*re++ = '\0';
		memset(&err, 0, sizeof(err));
		if (sv_patset_add(&patterns, name, re, strlen(re), -1, &err) >= 0)
			pr_info("sharing: pattern '%s' added: %s\n", name, re);
		else if (err.pos == SV_PAT_NOPOS)
			pr_err("sharing: pattern '%s' (%s): %s\n", name, re, err.msg);
		else
			pr_err("sharing: pattern '%s': %s at byte %u of '%s'\n", name,
			       err.msg[0] ? err.msg : "cannot be added", (unsigned)err.pos, re);
	}
}

void vmshare_init(const char *cmdline)
{
	char v[16];
	int mode = SHARE_ON;

	if (sv_patset_init(&patterns, true)) {
		pr_err("sharing: cannot build the default pattern set; sharing is off\n");
		return;
	}
	hv_share = share_engine_create(&hv_frames, &patterns);
	if (!hv_share) {
		pr_err("sharing: out of memory for the engine; sharing is off\n");
		return;
	}
	if (cmdline_get(cmdline, "share", v, sizeof(v))) {
		mode = vmshare_mode_parse(v);
		if (mode < 0) {
			pr_err("sharing: share=%s: expected off, intra, inter or on; using on\n", v);
			mode = SHARE_ON;
		}
	}
	share_set_mode(hv_share, (enum share_mode)mode);
	add_boot_patterns(cmdline);
	if (cmdline_get(cmdline, "scan_rate", v, sizeof(v))) {
		unsigned n = 0;
		const char *p = v;

		while (*p >= '0' && *p <= '9' && n < 1000000)
			n = n * 10 + (unsigned)(*p++ - '0');
		if (*p || !*v)
			pr_err("sharing: scan_rate=%s is not a number; using %u\n", v, scan_rate);
		else
			scan_rate = n;
	}
	pr_info("sharing: mode %s, scan rate %u pages per 10 ms, patterns:", mode_names[mode], scan_rate);
	struct sv_patset_snap *snap = sv_patset_acquire(&patterns);
	for (uint32_t i = 0; i < snap->n; i++)
		pr_info(" %s", snap->e[i].name);
	sv_patset_release(snap);
	pr_info("\n");
}

const char *vmshare_mode_name(int mode)
{
	return mode >= 0 && mode < 4 ? mode_names[mode] : "?";
}

int vmshare_mode_parse(const char *s)
{
	for (int m = 0; m < 4; m++)
		if (!strcmp(s, mode_names[m]))
			return m;
	return -1;
}

struct sv_patset *vmshare_patterns(void)
{
	return hv_share ? &patterns : NULL;
}

unsigned vmshare_rate(void)
{
	return scan_rate;
}

void vmshare_set_rate(unsigned pages)
{
	struct scan_pace_counters c = pace_counters();

	scan_rate = pages;
	scan_pace_init(&pace, &c);	/* the new rate from now on */
}

static int usage_leaf(void *arg, const struct p2m_leaf *leaf)
{
	struct vm_usage *u = arg;

	for (uint64_t off = 0; off < leaf->size; off += PAGE_SIZE) {
		struct frame *f = frame_meta(&hv_frames, leaf->hpa + off);

		u->populated++;
		if (f && f->kind == FRAME_PATTERN) {
			u->pattern_pages++;
		} else if (f && f->kind == FRAME_CONTENT) {
			u->content_pages++;
			u->charged_milli += 1000 / (f->refcount ? f->refcount : 1);
		} else {
			u->private_pages++;
			u->charged_milli += 1000;
		}
	}
	return 0;
}

void vmshare_vm_usage(struct vm *vm, struct vm_usage *u)
{
	struct share_vm_stats vs;

	memset(u, 0, sizeof(*u));
	if (vm->state == VM_STOPPED)
		return;		/* its memory went back when it stopped */
	for (int i = 0; i < GUEST_RAM_RANGES; i++)
		p2m_for_each(&vm->p2m, vm->ram[i].start, vm->ram[i].end, usage_leaf, u);
	if (vm->share) {
		share_vm_get_stats(vm->share, &vs);
		u->charged_milli += vs.pattern_frames * 1000;
	}
}

/*
 * note_saved - fold the current "saved" into the extremes. Only the scanner
 * merges (its turns, scan now) and only writes (COW breaks) and VMs going
 * away unshare, so between a turn's end and the next one's start saved only
 * falls, and during a turn it only rises: noting it at both ends of every
 * turn (and when read) finds its true maximum and minimum.
 */
static void note_saved(void)
{
	struct share_stats st;

	if (!hv_share)
		return;
	share_get_stats(hv_share, &st);
	if (!saved_seen || st.saved < saved_lo)
		saved_lo = st.saved;
	if (!saved_seen || st.saved > saved_hi)
		saved_hi = st.saved;
	saved_seen = true;
}

void vmshare_saved_range(uint64_t *lo, uint64_t *hi)
{
	note_saved();
	*lo = saved_lo;
	*hi = saved_hi;
	saved_seen = false;
	note_saved();	/* the next interval starts at the current value */
}

void vmshare_scan_full(void)
{
	if (!hv_share)
		return;
	note_saved();
	share_scan_full(hv_share);
	note_saved();
}

unsigned vmshare_rate_now(void)
{
	return scan_rate / pace.div;
}

/*
 * vmshare_tick - the scanner's turn: scan_rate pages per 10 ms since the
 * last turn (divided by the pace), in chunks, and never more than a fifth of
 * that time in CPU time: on a slow CPU (or an emulator) the guests keep most
 * of the machine.
 */
void vmshare_tick(void)
{
	uint64_t now = arch_ticks(), n = now - last_tick, budget, start, cap;
	struct scan_pace_counters c;

	if (!hv_share || !n)
		return;
	last_tick = now;
	c = pace_counters();
	scan_pace_update(&pace, &c);
	/* scan_rate is per 10 ms; at most 100 ms of backlog; at most a fifth of the time. */
	if (n > SCHED_HZ / 10)
		n = SCHED_HZ / 10;
	budget = (scan_rate * n * 100 / SCHED_HZ + pace.div - 1) / pace.div;	/* >= 1 when scanning */
	start = arch_now_ns();
	cap = n * (1000000000ull / SCHED_HZ) / 5;
	if (cap > 2000000)
		cap = 2000000;
	note_saved();
	while (budget) {
		unsigned chunk = budget > 32 ? 32 : (unsigned)budget;

		if (!share_scan(hv_share, chunk))
			break;
		budget -= chunk;
		if (arch_now_ns() - start > cap)
			break;
	}
	note_saved();
	vmshare_scanner_ns += arch_now_ns() - start;
}

static void vm_flush(void *ctx)
{
	((struct vm *)ctx)->tlb_stale = true;
}

int vmshare_add_vm(struct vm *vm)
{
	uint64_t ranges[GUEST_RAM_RANGES][2];
	int n = 0;

	if (!hv_share)
		return 0;
	for (int i = 0; i < GUEST_RAM_RANGES; i++) {
		if (vm->ram[i].end <= vm->ram[i].start)
			continue;
		ranges[n][0] = vm->ram[i].start;
		ranges[n][1] = vm->ram[i].end;
		n++;
	}
	vm->share = share_vm_add(hv_share, (uint16_t)vm->id, vm->domain, &vm->p2m,
				 (const uint64_t (*)[2])ranges, n, vm_flush, vm);
	return vm->share ? 0 : -SV_ENOMEM;
}

int64_t vmshare_page_state(struct vm *vm, uint64_t gpa, uint64_t n, uint32_t state)
{
	int64_t count = 0;

	if (state > SV_PS_CONTENT || n > (1ull << 20))
		return -SV_EINVAL;
	for (uint64_t i = 0; i < n; i++, gpa += PAGE_SIZE) {
		uint64_t hpa;
		uint32_t s = SV_PS_UNTOUCHED;

		if (!p2m_lookup(&vm->p2m, gpa & PAGE_MASK, &hpa, NULL)) {
			struct frame *f = frame_meta(&hv_frames, hpa & PAGE_MASK);

			s = !f ? SV_PS_PRIVATE : f->kind == FRAME_PATTERN ? SV_PS_PATTERN :
			    f->kind == FRAME_CONTENT ? SV_PS_CONTENT : SV_PS_PRIVATE;
		}
		count += s == state;
	}
	return count;
}

static unsigned pct10(uint64_t part, uint64_t whole)
{
	return whole ? (unsigned)(part * 1000 / whole) : 0;
}

void vmshare_report(void)
{
	struct share_stats st;
	uint64_t cost, meta, total = hv_frames.total * PAGE_SIZE;
	unsigned p;

	if (!hv_share)
		return;
	share_get_stats(hv_share, &st);
	meta = hv_frames.meta_bytes;
	cost = share_mem_bytes(hv_share) + meta;
	p = pct10(st.saved, hv_frames.total);
	pr_info("sharing: %llu pages scanned in %llu full scans; pattern pages %llu on %llu frame%s; "
		"content frames %llu shared by %llu more pages; saved %llu pages (%u.%u%% of host memory)\n",
		(unsigned long long)st.pages_scanned, (unsigned long long)st.full_scans,
		(unsigned long long)st.pattern_pages, (unsigned long long)st.pattern_frames,
		st.pattern_frames == 1 ? "" : "s",
		(unsigned long long)st.pages_shared, (unsigned long long)st.pages_sharing,
		(unsigned long long)st.saved, p / 10, p % 10);
	p = pct10(cost, total);
	pr_info("sharing: COW breaks %llu pattern, %llu content; %llu merges, %llu aborted, "
		"%llu hash collisions; %llu pages hashed, %llu skipped as clean (dirty bits); "
		"engine memory %llu KiB (%u.%u%% of host memory, frame metadata %llu KiB)\n",
		(unsigned long long)st.cow_pattern, (unsigned long long)st.cow_content,
		(unsigned long long)st.merges, (unsigned long long)st.merge_aborts,
		(unsigned long long)st.hash_collisions, (unsigned long long)st.pages_hashed,
		(unsigned long long)st.clean_skips, (unsigned long long)(cost >> 10),
		p / 10, p % 10, (unsigned long long)(meta >> 10));
}
