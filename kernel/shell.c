// SPDX-License-Identifier: MIT
/*
 * shell.c - the console's commands.
 *
 * Parsing (and every argument error) is in shell_parse.c; this file runs
 * the parsed command against the VMs, the frame pool and the sharing
 * engine. Output is plain text, one screen at most, except `stats json`,
 * which prints one JSON object on one line with stable keys (scripts/svctl
 * records it).
 */
#include <stdio.h>
#include <string.h>

#include "kernel/arch.h"
#include "kernel/console.h"
#include "kernel/exit.h"
#include "kernel/lineedit.h"
#include "kernel/mem.h"
#include "kernel/printk.h"
#include "kernel/shell.h"
#include "kernel/shell_parse.h"
#include "kernel/vm.h"
#include "kernel/vmshare.h"
#include "sharing/patset.h"

#define out(...) printk(LOG_ALWAYS, __VA_ARGS__)

static const char *const state_names[] = { "running", "paused", "stopped" };

/* vm_state_name - what `vms` and `vm` show: the state, or why a running VM does not run. */
static const char *vm_state_name(const struct vm *vm)
{
	if (vm->state == VM_RUNNING && vm->oom)
		return "oom-wait";
	if (vm->state == VM_RUNNING && vm_halted_for_good(vm))
		return "halted";	/* cli; hlt: nothing will wake it */
	return state_names[vm->state];
}

static struct vm *find_vm(const char *name)
{
	for (int id = 1; id <= VM_MAX; id++)
		if (vms[id] && !strcmp(vms[id]->name, name))
			return vms[id];
	out("error: no VM named '%s' (see vms)\n", name);
	return NULL;
}

/* pct - @part of @whole as "12.3%" in @buf. */
static const char *pct(char *buf, uint64_t part, uint64_t whole)
{
	uint64_t p = whole ? part * 1000 / whole : 0;

	snprintf(buf, 16, "%llu.%llu%%", (unsigned long long)(p / 10), (unsigned long long)(p % 10));
	return buf;
}

/* plural - "s" unless @n is 1: "%llu frame%s". */
static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* guest_totals - over the VMs that hold memory: their RAM as configured and their populated pages. */
static void guest_totals(uint64_t *ram_pages, uint64_t *populated)
{
	*ram_pages = *populated = 0;
	for (int id = 1; id <= VM_MAX; id++) {
		struct vm_usage u;

		if (!vms[id] || vms[id]->state == VM_STOPPED)
			continue;
		vmshare_vm_usage(vms[id], &u);
		*populated += u.populated;
		*ram_pages += vms[id]->ram_bytes >> PAGE_SHIFT;
	}
}

static void get_stats(struct share_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (hv_share)
		share_get_stats(hv_share, st);
}

static uint64_t frames_used(void)
{
	return hv_frames.total - hv_frames.count[FRAME_FREE];
}

static uint64_t engine_bytes(void)
{
	return (hv_share ? share_mem_bytes(hv_share) : 0) + hv_frames.meta_bytes;
}

static void cmd_help(const struct shell_line *l)
{
	char want[64] = "";
	size_t n;
	int shown = 0;

	for (int i = 0; i < l->argc; i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%s", i ? " " : "",
			 l->argv[i]);
	n = strlen(want);
	for (int c = 0; c < CMD_COUNT; c++) {
		const struct shell_cmd_info *ci = &shell_cmds[c];

		if (n && (strncmp(ci->name, want, n) || (ci->name[n] && ci->name[n] != ' ')))
			continue;
		out("  %s%s%-*s %s\n", ci->name, *ci->args ? " " : "",
		    (int)(28 - strlen(ci->name) - (*ci->args ? 1 : 0)), ci->args, ci->help);
		for (const char *d = n ? ci->detail : NULL; d && *d;) {
			size_t len = 0;

			while (d[len] && d[len] != '\n')
				len++;
			out("      %.*s\n", (int)len, d);
			d += len + (d[len] == '\n');
		}
		shown++;
	}
	if (!shown)
		out("error: no command '%s' (try help)\n", want);
}

static void cmd_stats(void)
{
	struct share_stats st;
	uint64_t total = hv_frames.total, used = frames_used();
	uint64_t intra, eng = engine_bytes(), ram, populated;
	char a[16], b[16], c[16];

	get_stats(&st);
	guest_totals(&ram, &populated);
	intra = st.pattern_pages - st.pattern_frames;
	out("memory:   %llu MiB total, %llu MiB used (%s), %llu MiB free\n",
	    (unsigned long long)(total >> 8), (unsigned long long)(used >> 8), pct(a, used, total),
	    (unsigned long long)((total - used) >> 8));
	out("sharing:  mode %s, scan rate %u pages/10ms (now %u), %llu full scan%s, %llu page%s scanned\n",
	    vmshare_mode_name(hv_share ? (int)share_get_mode(hv_share) : 0), vmshare_rate(),
	    vmshare_rate_now(), (unsigned long long)st.full_scans, plural(st.full_scans),
	    (unsigned long long)st.pages_scanned, plural(st.pages_scanned));
	/* Guest memory first: what a researcher compares; host memory last. */
	out("saved:    %llu page%s = %llu.%llu MiB (intra-VM %llu, inter-VM %llu): %s of populated "
	    "guest pages, %s of guest RAM, %s of host memory\n",
	    (unsigned long long)st.saved, plural(st.saved), (unsigned long long)(st.saved / 256),
	    (unsigned long long)(st.saved % 256 * 10 / 256), (unsigned long long)intra,
	    (unsigned long long)st.pages_sharing, pct(a, st.saved, populated), pct(b, st.saved, ram),
	    pct(c, st.saved, total));
	out("pattern:  %llu page%s on %llu frame%s\n", (unsigned long long)st.pattern_pages,
	    plural(st.pattern_pages), (unsigned long long)st.pattern_frames, plural(st.pattern_frames));
	out("content:  %llu frame%s shared by %llu more page%s; %llu unshared, %llu volatile (last scan)\n",
	    (unsigned long long)st.pages_shared, plural(st.pages_shared),
	    (unsigned long long)st.pages_sharing, plural(st.pages_sharing),
	    (unsigned long long)st.pages_unshared, (unsigned long long)st.pages_volatile);
	out("cow:      %llu pattern, %llu content breaks; %llu merge%s, %llu aborted, %llu collision%s\n",
	    (unsigned long long)st.cow_pattern, (unsigned long long)st.cow_content,
	    (unsigned long long)st.merges, plural(st.merges), (unsigned long long)st.merge_aborts,
	    (unsigned long long)st.hash_collisions, plural(st.hash_collisions));
	out("cost:     %llu KiB engine memory (%s of host memory), %llu page%s hashed, %llu clean skip%s\n",
	    (unsigned long long)(eng >> 10), pct(a, eng, total * PAGE_SIZE),
	    (unsigned long long)st.pages_hashed, plural(st.pages_hashed),
	    (unsigned long long)st.clean_skips, plural(st.clean_skips));
}

/* u64 - for the %llu of out(). */
static unsigned long long u64(uint64_t v)
{
	return (unsigned long long)v;
}

/* stats_json_vm - one VM's object in stats json's "per_vm" (a stopped VM holds no memory). */
static void stats_json_vm(const struct vm *vm, bool first)
{
	struct share_vm_stats vs = { 0 };
	struct vm_usage u;

	vmshare_vm_usage((struct vm *)vm, &u);
	if (vm->share)
		share_vm_get_stats(vm->share, &vs);
	out("%s{\"id\":%d,\"name\":\"%s\",\"state\":\"%s\",\"ram_nominal_pages\":%llu,"
	    "\"populated_pages\":%llu,\"private_pages\":%llu,\"pattern_pages\":%llu,"
	    "\"content_pages\":%llu,\"pattern_frames\":%llu,", first ? "" : ",", vm->id, vm->name,
	    vm_state_name(vm), u64(vm->ram_bytes >> PAGE_SHIFT), u64(u.populated),
	    u64(u.private_pages), u64(u.pattern_pages), u64(u.content_pages),
	    u64(vs.pattern_frames));
	out("\"saved_milli\":%llu,\"cow_pattern\":%llu,\"cow_content\":%llu,\"merges\":%llu}",
	    u64(u.populated * 1000 - u.charged_milli), u64(vs.cow_pattern), u64(vs.cow_content),
	    u64(vs.merges));
}

/*
 * cmd_stats_json - one line, one object, stable keys (docs/ARCHITECTURE.md
 * lists them). Printed in pieces: printk formats at most 511 bytes at a time.
 */
static void cmd_stats_json(void)
{
	struct share_stats st;
	uint64_t ram = 0, nominal = 0, populated = 0, lo, hi;
	int nvms = 0;
	bool first = true;

	get_stats(&st);
	vmshare_saved_range(&lo, &hi);
	for (int id = 1; id <= VM_MAX; id++) {
		struct vm_usage u;

		if (!vms[id])
			continue;
		nvms++;
		if (vms[id]->state == VM_STOPPED)
			continue;
		vmshare_vm_usage(vms[id], &u);
		populated += u.populated;
		ram += (vms[id]->ram[0].end - vms[id]->ram[0].start +
			vms[id]->ram[1].end - vms[id]->ram[1].start) >> PAGE_SHIFT;
		nominal += vms[id]->ram_bytes >> PAGE_SHIFT;
	}
	out("{\"t_ms\":%llu,\"frames_total\":%llu,\"frames_free\":%llu,\"frames_used\":%llu,"
	    "\"vms\":%d,\"full_scans\":%llu,\"pages_scanned\":%llu,\"pages_shared\":%llu,"
	    "\"pages_sharing\":%llu,\"pages_unshared\":%llu,\"pages_volatile\":%llu,",
	    u64(arch_now_ns() / 1000000), u64(hv_frames.total), u64(hv_frames.count[FRAME_FREE]),
	    u64(frames_used()), nvms, u64(st.full_scans), u64(st.pages_scanned),
	    u64(st.pages_shared), u64(st.pages_sharing), u64(st.pages_unshared),
	    u64(st.pages_volatile));
	out("\"pattern_pages\":%llu,\"pattern_frames\":%llu,\"saved_intra\":%llu,"
	    "\"saved_inter\":%llu,\"saved\":%llu,\"cow_pattern\":%llu,\"cow_content\":%llu,"
	    "\"merges\":%llu,\"engine_bytes\":%llu,\"guest_ram_pages\":%llu,",
	    u64(st.pattern_pages), u64(st.pattern_frames), u64(st.pattern_pages - st.pattern_frames),
	    u64(st.pages_sharing), u64(st.saved), u64(st.cow_pattern), u64(st.cow_content),
	    u64(st.merges), u64(engine_bytes()), u64(ram));
	out("\"populated_pages\":%llu,\"untouched_pages\":%llu,\"scanner_ms\":%llu,"
	    "\"scan_rate_now\":%u,\"hv_start_ms\":%llu,\"host_ram_pages\":%llu,"
	    "\"guest_ram_nominal_pages\":%llu,\"saved_min\":%llu,\"saved_max\":%llu,\"per_vm\":[",
	    u64(populated), u64(ram - populated), u64(vmshare_scanner_ns / 1000000),
	    vmshare_rate_now(), u64(arch_start_ns() / 1000000), u64(hv_ram_bytes >> PAGE_SHIFT),
	    u64(nominal), u64(lo), u64(hi));
	for (int id = 1; id <= VM_MAX; id++)
		if (vms[id]) {
			stats_json_vm(vms[id], first);
			first = false;
		}
	out("]}\n");
}

void shell_stats_line(void)
{
	struct share_stats st;
	char a[16];

	get_stats(&st);
	out("stats: used %llu/%llu frames, saved %llu (%s), intra %llu, inter %llu, cow %llu, scans %llu\n",
	    (unsigned long long)frames_used(), (unsigned long long)hv_frames.total,
	    (unsigned long long)st.saved, pct(a, st.saved, hv_frames.total),
	    (unsigned long long)(st.pattern_pages - st.pattern_frames),
	    (unsigned long long)st.pages_sharing,
	    (unsigned long long)(st.cow_pattern + st.cow_content), (unsigned long long)st.full_scans);
}

static void cmd_vms(void)
{
	out("%3s %-15s %-10s %-8s %7s %9s %8s %8s %8s %6s\n", "id", "name", "domain", "state",
	    "RAM MiB", "populated", "private", "pattern", "content", "saved");
	for (int id = 1; id <= VM_MAX; id++) {
		struct vm *vm = vms[id];
		struct vm_usage u;
		uint64_t saved_milli;
		char a[16];

		if (!vm)
			continue;
		vmshare_vm_usage(vm, &u);
		saved_milli = u.populated * 1000 - u.charged_milli;
		out("%3d %-15s %-10s %-8s %7llu %9llu %8llu %8llu %8llu %6s\n", vm->id, vm->name,
		    vm->domain, vm_state_name(vm),
		    (unsigned long long)(vm->ram_bytes >> 20), (unsigned long long)u.populated,
		    (unsigned long long)u.private_pages, (unsigned long long)u.pattern_pages,
		    (unsigned long long)u.content_pages, pct(a, saved_milli, u.populated * 1000));
	}
}

static void cmd_vm(struct vm *vm)
{
	struct share_vm_stats vs = { 0 };
	struct exit_counts c;
	struct vm_usage u;

	vmshare_vm_usage(vm, &u);
	if (vm->share)
		share_vm_get_stats(vm->share, &vs);
	out("vm %d '%s': %s, domain %s, %llu MiB RAM, %llu pages populated\n", vm->id, vm->name,
	    vm_state_name(vm), vm->domain, (unsigned long long)(vm->ram_bytes >> 20),
	    (unsigned long long)u.populated);
	if (vm->state == VM_STOPPED)
		out("  stopped: code %d, %s\n", vm->exit_code, vm->stop_reason);
	vm_for_each_vcpu(vm, v)
		if (vm->state != VM_STOPPED && v->halt_forever)
			out("  vcpu %d halted with interrupts disabled at RIP %#llx: only destroy ends it\n",
			    v->id, (unsigned long long)v->halt_rip);
	out("  pages: private %llu, pattern %llu (on %llu frame%s of its own), content %llu\n",
	    (unsigned long long)u.private_pages, (unsigned long long)u.pattern_pages,
	    (unsigned long long)vs.pattern_frames, plural(vs.pattern_frames),
	    (unsigned long long)u.content_pages);
	out("  cow breaks: %llu pattern, %llu content; merges %llu\n",
	    (unsigned long long)vs.cow_pattern, (unsigned long long)vs.cow_content,
	    (unsigned long long)vs.merges);
	vm_exit_counts(vm, &c);
	out("  exits: %llu total;", (unsigned long long)c.total);
	for (int k = 0; k < EXIT_KIND_MAX; k++)
		if (c.kind[k])
			out(" %s %llu", exit_kind_name(k), (unsigned long long)c.kind[k]);
	out("; %llu interrupts injected, %llu NMIs injected\n", (unsigned long long)c.injected_irqs,
	    (unsigned long long)c.injected_nmis);
	out("  emulated %llu instructions; unbacked memory: %llu reads (all ones), %llu writes (dropped)",
	    (unsigned long long)vm->emulated, (unsigned long long)vm->hole_reads,
	    (unsigned long long)vm->hole_writes);
	if (vm->hole_reads || vm->hole_writes)
		out(", the last at %#llx", (unsigned long long)vm->hole_last);
	out("; ports with no device: %llu\n", (unsigned long long)vm->unhandled_ports);
}

static void cmd_vm_action(enum shell_cmd c, struct vm *vm)
{
	switch (c) {
	case CMD_VM_PAUSE:
		if (vm->state != VM_RUNNING) {
			out("error: '%s' is %s\n", vm->name, state_names[vm->state]);
			return;
		}
		vm->state = VM_PAUSED;
		out("vm '%s' paused\n", vm->name);
		break;
	case CMD_VM_RESUME:
		if (vm->state != VM_PAUSED) {
			out("error: '%s' is %s\n", vm->name, state_names[vm->state]);
			return;
		}
		vm->state = VM_RUNNING;
		out("vm '%s' resumed\n", vm->name);
		break;
	default: {
		uint64_t before = hv_frames.count[FRAME_FREE];
		char name[VM_NAME_MAX];

		memcpy(name, vm->name, sizeof(name));
		console_forget(vm);
		vm_stop(vm, -1, "destroyed by the operator");
		vm_destroy(vm);
		out("vm '%s' destroyed, %llu frames released\n", name,
		    (unsigned long long)(hv_frames.count[FRAME_FREE] - before));
		break;
	}
	}
}

static void cmd_patterns(void)
{
	struct sv_patset *set = vmshare_patterns();
	struct sv_patset_snap *snap;
	struct share_stats st;
	uint64_t rest_pages, rest_frames, rest_hits = 0;

	if (!set) {
		out("error: sharing is not available\n");
		return;
	}
	get_stats(&st);
	snap = sv_patset_acquire(set);
	out("%-3s %-20s %-9s %10s %10s %10s\n", "#", "name", "kind", "pages", "frames", "merges");
	/* What is not on a current pattern's frames is on frames of removed ones. */
	rest_pages = st.pattern_pages;
	rest_frames = st.pattern_frames;
	for (int k = 0; k < SHARE_PATSTATS; k++)
		rest_hits += st.pattern[k].hits;
	for (uint32_t i = 0; i < snap->n; i++) {
		struct sv_pat_info info;
		uint32_t id = sv_pat_id(snap->e[i].pat);
		struct share_pat_stats ps = { 0 };

		sv_pat_info(snap->e[i].pat, &info);
		for (int k = 0; k < SHARE_PATSTATS; k++)
			if (st.pattern[k].id == id)
				ps = st.pattern[k];
		rest_pages -= ps.pages;
		rest_frames -= ps.frames;
		rest_hits -= ps.hits;
		out("%-3u %-20s %-9s %10llu %10llu %10llu\n", i + 1, snap->e[i].name,
		    info.kind == SV_PAT_SINGULAR ? "singular" :
		    info.kind == SV_PAT_PERIODIC ? "periodic" : "dfa",
		    (unsigned long long)ps.pages, (unsigned long long)ps.frames,
		    (unsigned long long)ps.hits);
	}
	sv_patset_release(snap);
	if (rest_pages || rest_frames)
		out("%-3s %-30s %10llu %10llu %10llu\n", "-", "(removed patterns)",
		    (unsigned long long)rest_pages, (unsigned long long)rest_frames,
		    (unsigned long long)rest_hits);
	out("%-3s %-30s %10llu %10llu\n", "", "total (as in stats)",
	    (unsigned long long)st.pattern_pages, (unsigned long long)st.pattern_frames);
}

static void cmd_pattern_add(const char *name, const char *re)
{
	struct sv_patset *set = vmshare_patterns();
	struct sv_pat_error err;
	char caret[LINE_MAX + 2];
	size_t i;
	int rc;

	if (!set) {
		out("error: sharing is not available\n");
		return;
	}
	memset(&err, 0, sizeof(err));
	rc = sv_patset_add(set, name, re, strlen(re), -1, &err);
	if (rc > 0) {
		out("pattern '%s' added: %s\n", name, re);
		return;
	}
	if (err.pos == SV_PAT_NOPOS) {
		out("error: cannot add pattern '%s': %s\n", name, err.msg);
	} else if (err.msg[0]) {
		/* The regex again, with a caret under the offending byte. */
		for (i = 0; i < err.pos && i < LINE_MAX; i++)
			caret[i] = ' ';
		caret[i++] = '^';
		caret[i] = '\0';
		out("error: %s\n  %s\n  %s\n", err.msg, re, caret);
	} else {
		out("error: cannot add pattern '%s' (error %d)\n", name, rc);
	}
}

void shell_exec(const char *line)
{
	struct shell_line l;
	char err[128];
	unsigned long n;
	struct vm *vm;
	int rc = shell_parse(line, &l, err, sizeof(err));

	if (rc <= 0) {
		if (rc < 0)
			out("error: %s\n", err);
		return;
	}
	switch (l.cmd) {
	case CMD_HELP:
		cmd_help(&l);
		break;
	case CMD_STATS:
		cmd_stats();
		break;
	case CMD_STATS_JSON:
		cmd_stats_json();
		break;
	case CMD_STATS_RESET:
		if (hv_share)
			share_reset_stats(hv_share);
		out("event counters reset\n");
		break;
	case CMD_VMS:
		cmd_vms();
		break;
	case CMD_VM:
		if ((vm = find_vm(l.argv[0])))
			cmd_vm(vm);
		break;
	case CMD_VM_PAUSE:
	case CMD_VM_RESUME:
	case CMD_VM_DESTROY:
		if ((vm = find_vm(l.argv[0])))
			cmd_vm_action(l.cmd, vm);
		break;
	case CMD_PATTERNS:
		cmd_patterns();
		break;
	case CMD_PATTERN_ADD:
		cmd_pattern_add(l.argv[0], l.argv[1]);
		break;
	case CMD_PATTERN_DEL:
		if (!vmshare_patterns())
			out("error: sharing is not available\n");
		else if (sv_patset_remove(vmshare_patterns(), l.argv[0]))
			out("error: no pattern named '%s' (see patterns)\n", l.argv[0]);
		else
			out("pattern '%s' removed\n", l.argv[0]);
		break;
	case CMD_SHARE:
		rc = vmshare_mode_parse(l.argv[0]);
		if (rc < 0 || !hv_share) {
			out(hv_share ? "error: share: expected off, intra, inter or on\n" :
				       "error: sharing is not available\n");
			break;
		}
		share_set_mode(hv_share, (enum share_mode)rc);
		out("sharing mode %s\n", vmshare_mode_name(rc));
		break;
	case CMD_SCAN_RATE:
		if (shell_parse_uint(l.argv[0], 0, 1000000, &n)) {
			out("error: scan rate: expected a number of pages from 0 to 1000000\n");
			break;
		}
		vmshare_set_rate((unsigned)n);
		out("scan rate %lu pages per 10 ms\n", n);
		break;
	case CMD_SCAN_NOW:
		vmshare_scan_full();
		shell_stats_line();
		break;
	case CMD_WATCH:
		if (shell_parse_uint(l.argv[0], 1, 3600, &n)) {
			out("error: watch: expected seconds from 1 to 3600\n");
			break;
		}
		out("a stats line every %lu s; press any key to stop\n", n);
		console_watch((unsigned)n);
		break;
	case CMD_CONSOLE:
		if ((vm = find_vm(l.argv[0]))) {
			if (vm->state == VM_STOPPED)
				out("error: '%s' has stopped\n", vm->name);
			else
				console_attach(vm);
		}
		break;
	case CMD_LOG:
		if ((vm = find_vm(l.argv[0])))
			vm_log_print(vm);
		break;
	case CMD_MEM:
		mem_report("frames");
		break;
	case CMD_VERSION:
		out("sharevisor %s, %s backend\n", SV_VERSION, virt ? virt->name : "no");
		break;
	case CMD_REBOOT:
		out("rebooting\n");
		arch_reboot();
		break;
	default:
		break;
	}
}
