// SPDX-License-Identifier: MIT
/*
 * vm.c - creating, stopping and destroying VMs; guest RAM on first touch.
 *
 * Guest-physical layout (kernel/loader.h): RAM [0, 640 KiB), a hole up to
 * 1 MiB, RAM from 1 MiB. No guest frame has host memory until it is first
 * touched (by the loader, or by the guest through a nested page fault), so
 * a VM's footprint is what it uses, and never-touched pages are not counted
 * as "saved" by sharing later.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kernel/errmsg.h"
#include "kernel/linux.h"
#include "kernel/mem.h"
#include "kernel/msr.h"
#include "kernel/multiboot2.h"
#include "kernel/printk.h"
#include "kernel/pvh.h"
#include "kernel/testexit.h"
#include "kernel/vm.h"
#include "kernel/vmconfig.h"
#include "kernel/vmshare.h"
#include "mm/errno.h"
#include "sharing/share.h"

struct vm *vms[VM_MAX + 1];
struct vm_tally vm_tally;

bool vm_is_ram(const struct vm *vm, uint64_t gpa, uint64_t n)
{
	for (int i = 0; i < GUEST_RAM_RANGES; i++)
		if (gpa >= vm->ram[i].start && gpa + n <= vm->ram[i].end && gpa + n >= gpa)
			return true;
	return false;
}

int vm_populate(struct vm *vm, uint64_t gpa)
{
	uint64_t hpa = frame_alloc(&hv_frames, FRAME_GUEST, (uint16_t)vm->id);
	int rc;

	if (!hpa)
		return -SV_ENOMEM;
	memset(frame_va(&hv_frames, hpa), 0, PAGE_SIZE);
	rc = p2m_map(&vm->p2m, gpa, hpa, P2M_SIZE_4K, P2M_RWX, P2M_MT_WB);
	if (rc) {
		frame_put(&hv_frames, hpa);
		return rc;
	}
	vm->pages_populated++;
	return 0;
}

static int guest_copy(struct vm *vm, uint64_t gpa, const void *src, size_t n);

/*
 * guest_page - the guest page at @gpa as the hypervisor writes it: populated
 * if it was not, its own copy if it was shared (the copy-on-write a guest
 * write would take), marked accessed and dirty so the scanner sees the
 * change. NULL if it is not RAM or no frame is free.
 */
static unsigned char *guest_page(struct vm *vm, uint64_t gpa)
{
	struct p2m_leaf leaf;
	uint64_t hpa;

	gpa &= PAGE_MASK;
	if (!vm_is_ram(vm, gpa, PAGE_SIZE))
		return NULL;
	if (p2m_lookup(&vm->p2m, gpa, &hpa, &leaf) && (vm_populate(vm, gpa) ||
							p2m_lookup(&vm->p2m, gpa, &hpa, &leaf)))
		return NULL;
	if (!(leaf.perms & P2M_W)) {
		if (!vm->share || share_cow(hv_share, vm->share, gpa) ||
		    p2m_lookup(&vm->p2m, gpa, &hpa, &leaf) || !(leaf.perms & P2M_W))
			return NULL;
		vm->tlb_stale = true;
	}
	p2m_set_ad(&vm->p2m, gpa, P2M_ACCESSED | P2M_DIRTY);
	return frame_va(&hv_frames, hpa & PAGE_MASK);
}

int vm_write_guest(struct vm *vm, uint64_t gpa, const void *src, size_t n)
{
	return guest_copy(vm, gpa, src, n);
}

/* guest_copy - write (@src) or zero (@src == NULL) guest memory, page by page. */
static int guest_copy(struct vm *vm, uint64_t gpa, const void *src, size_t n)
{
	while (n) {
		uint64_t off = gpa & ~PAGE_MASK;
		size_t chunk = PAGE_SIZE - off < n ? PAGE_SIZE - off : n;
		unsigned char *page = guest_page(vm, gpa);

		if (!page)
			return vm_is_ram(vm, gpa & PAGE_MASK, PAGE_SIZE) ? -SV_ENOMEM : -SV_EFAULT;
		if (src) {
			memcpy(page + off, src, chunk);
			src = (const unsigned char *)src + chunk;
		} else {
			memset(page + off, 0, chunk);
		}
		gpa += chunk;
		n -= chunk;
	}
	return 0;
}

static int gm_write(void *ctx, uint64_t gpa, const void *src, size_t n)
{
	return guest_copy(ctx, gpa, src, n);
}

static int gm_zero(void *ctx, uint64_t gpa, size_t n)
{
	return guest_copy(ctx, gpa, NULL, n);
}

static int free_id(void)
{
	for (int id = 1; id <= VM_MAX; id++)
		if (!vms[id])
			return id;
	return -1;
}

static bool name_taken(const char *name)
{
	for (int id = 1; id <= VM_MAX; id++)
		if (vms[id] && !strcmp(vms[id]->name, name))
			return true;
	return false;
}

static int release_leaf(void *arg, const struct p2m_leaf *leaf)
{
	(void)arg;
	for (uint64_t off = 0; off < leaf->size; off += PAGE_SIZE)
		frame_put(&hv_frames, leaf->hpa + off);
	return 0;
}

/* The Multiboot modules of one guest while it is loaded: bytes in place, strings copied. */
struct mod_set {
	struct mb1_module mod[MB1_MAX_MODS];
	char str[MB1_MAX_MODS][VMCFG_CMDLINE_MAX + 1];
	unsigned int n;
};

/* module_config - parse module @i's line into @cfg; 0, or -SV_EINVAL with @err filled. */
static int module_config(const struct boot_module *mod, size_t i, struct vm_config *cfg,
			 char *err, size_t errlen)
{
	char line[VMCFG_PATH_MAX + VMCFG_CMDLINE_MAX + 64];

	/* GRUB passes the options only; vmconfig wants a leading path word. */
	snprintf(line, sizeof(line), "vm%zu %s", i, mod->cmdline);
	return vmconfig_parse(line, cfg, err, errlen);
}

/*
 * gather_mods - the modules whose line says for=@name, in line order, into
 * @ms. Returns 0, or -SV_E2BIG when there are more than MB1_MAX_MODS.
 */
static int gather_mods(const struct boot_module *mods, size_t nmods, const char *name,
		       struct mod_set *ms)
{
	struct vm_config cfg;

	ms->n = 0;
	for (size_t i = 0; i < nmods; i++) {
		if (module_config(&mods[i], i, &cfg, NULL, 0) || strcmp(cfg.for_vm, name))
			continue;
		if (ms->n == MB1_MAX_MODS)
			return -SV_E2BIG;
		memcpy(ms->str[ms->n], cfg.cmdline, sizeof(ms->str[0]));
		ms->mod[ms->n] = (struct mb1_module){ (const void *)(uintptr_t)mods[i].start,
						      mods[i].end - mods[i].start, ms->str[ms->n] };
		ms->n++;
	}
	return 0;
}

unsigned vm_check_module_owners(const struct boot_module *mods, size_t nmods)
{
	struct vm_config cfg;
	unsigned orphans = 0;

	for (size_t i = 0; i < nmods; i++) {
		if (module_config(&mods[i], i, &cfg, NULL, 0) || !cfg.for_vm[0] || name_taken(cfg.for_vm))
			continue;
		pr_err("module %zu: for=%s: no VM of that name was started; module not used\n", i,
		       cfg.for_vm);
		orphans++;
	}
	return orphans;
}

/* load_multiboot - a Multiboot v1 kernel and its modules; its first state in @first. */
static int load_multiboot(struct vm *vm, const struct boot_module *mod, const struct vm_config *cfg,
			  const struct guest_mem *gm, const struct mod_set *ms,
			  struct vcpu_boot_state *first, char *err, size_t errlen)
{
	struct mb1_boot boot;
	int rc;

	rc = mb1_load_mods(gm, (const void *)(uintptr_t)mod->start, mod->end - mod->start,
			   cfg->cmdline, ms->mod, ms->n, &boot, err, errlen);
	if (rc)
		return rc;
	if (!cfg->entry_real)
		mb1_boot_state(&boot, first);
	else if ((rc = mb1_boot_state_real(&boot, first, err, errlen)))
		return rc;
	pr_info("vm %d '%s': %llu MiB RAM, domain %s, entry %#x, %s image, cmdline '%s'\n",
		vm->id, vm->name, (unsigned long long)(vm->ram_bytes >> 20), vm->domain,
		boot.eip,
		boot.format == MB1_FMT_ELF64 ? "ELF64" :
		boot.format == MB1_FMT_AOUT ? "a.out-kludge" : "ELF32",
		cfg->cmdline);
	if (boot.nmods)
		pr_info("vm %d '%s': %u modules at %#llx-%#llx\n", vm->id, vm->name, boot.nmods,
			(unsigned long long)boot.mods_start, (unsigned long long)boot.mods_end);
	return 0;
}

/*
 * linux_modules - what a Linux guest (bzImage or PVH, @kind) takes: entry in
 * protected mode, one module at most, its initrd. 0, or -SV_EINVAL with @err.
 */
static int linux_modules(const struct vm *vm, const struct vm_config *cfg,
			 const struct mod_set *ms, const char *kind, char *err, size_t errlen)
{
	if (cfg->entry_real)
		return errmsg(err, errlen, -SV_EINVAL, "entry=real: %s starts in protected mode", kind);
	if (ms->n > 1)
		return errmsg(err, errlen, -SV_EINVAL,
			      "a Linux guest takes one module, its initrd (%u have for=%s)", ms->n,
			      vm->name);
	return 0;
}

/* report_initrd - the log line on where the initrd went (@size 0: there is none). */
static void report_initrd(const struct vm *vm, uint64_t addr, uint64_t size, const char *how)
{
	if (size)
		pr_info("vm %d '%s': initrd of %llu KiB at %#llx%s\n", vm->id, vm->name,
			(unsigned long long)(size >> 10), (unsigned long long)addr, how);
	else
		pr_info("vm %d '%s': no initrd (no for=%s module)\n", vm->id, vm->name, vm->name);
}

/*
 * load_linux - a bzImage (kernel/linux.h); its first for= module is the
 * initrd. Its first state (the 32-bit boot protocol) in @first.
 */
static int load_linux(struct vm *vm, const struct boot_module *mod, const struct vm_config *cfg,
		      const struct guest_mem *gm, const struct mod_set *ms,
		      struct vcpu_boot_state *first, char *err, size_t errlen)
{
	struct linux_boot lb;
	int rc;

	if ((rc = linux_modules(vm, cfg, ms, "a Linux bzImage", err, errlen)))
		return rc;
	rc = linux_load(gm, (const void *)(uintptr_t)mod->start, mod->end - mod->start, cfg->cmdline,
			ms->n ? &ms->mod[0] : NULL, vm->rsdp_gpa, &lb, err, errlen);
	if (rc)
		return rc;
	linux_boot_state(&lb, first);
	pr_info("vm %d '%s': %llu MiB RAM, domain %s, Linux bzImage (boot protocol %u.%02u, %s), "
		"kernel at %#llx (%llu KiB, %llu KiB to start), cmdline '%s'\n",
		vm->id, vm->name, (unsigned long long)(vm->ram_bytes >> 20), vm->domain,
		lb.version >> 8, lb.version & 0xff, lb.kernel64 ? "64-bit" : "32-bit",
		(unsigned long long)lb.load_addr, (unsigned long long)(lb.kernel_bytes >> 10),
		(unsigned long long)(lb.init_size >> 10), cfg->cmdline);
	report_initrd(vm, lb.initrd_addr, lb.initrd_size, "");
	return 0;
}

/*
 * load_pvh - an ELF kernel through its PVH entry (kernel/pvh.h), a Linux
 * vmlinux; its first for= module is the initrd, as for load_linux(). Its
 * first state in @first. @no_mb: the image has no Multiboot header either
 * (it came here for want of one), which a "no PVH note" error then says.
 */
static int load_pvh(struct vm *vm, const struct boot_module *mod, const struct vm_config *cfg,
		    const struct guest_mem *gm, const struct mod_set *ms, bool no_mb,
		    struct vcpu_boot_state *first, char *err, size_t errlen)
{
	const void *image = (const void *)(uintptr_t)mod->start;
	size_t size = mod->end - mod->start;
	struct pvh_boot pb;
	uint64_t off, n;
	int rc;

	if ((rc = linux_modules(vm, cfg, ms, "a PVH kernel", err, errlen)))
		return rc;
	rc = pvh_load(gm, image, size, cfg->cmdline, ms->n ? &ms->mod[0] : NULL, vm->rsdp_gpa, &pb,
		      err, errlen);
	if (rc && no_mb && !elf_find_note(image, size, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &off, &n,
					 NULL, 0)) {
		size_t len = strnlen(err, errlen);

		errmsg(err + len, errlen - len, rc, "; no Multiboot header either");
	}
	if (rc)
		return rc;
	pvh_boot_state(&pb, first);
	pr_info("vm %d '%s': %llu MiB RAM, domain %s, Linux vmlinux (PVH entry %#x, %s), "
		"kernel at %#llx-%#llx (%u segments, %llu KiB), cmdline '%s'\n",
		vm->id, vm->name, (unsigned long long)(vm->ram_bytes >> 20), vm->domain, pb.entry,
		pb.format == MB1_FMT_ELF64 ? "ELF64" : "ELF32", (unsigned long long)pb.kernel_start,
		(unsigned long long)pb.kernel_end, pb.nseg, (unsigned long long)(pb.kernel_bytes >> 10),
		cfg->cmdline);
	report_initrd(vm, pb.initrd_addr, pb.initrd_size, " (PVH module 0)");
	return 0;
}

/*
 * load_kernel - the boot protocol for the image of @mod, tried in this order
 * (QEMU's for -kernel too): a bzImage ("HdrS") is Linux; an ELF with a PVH
 * entry note goes through PVH even if it also has a Multiboot header (a
 * kernel with both, such as Xen, wants PVH's richer start info); anything
 * with a Multiboot header is Multiboot; an ELF with neither goes to the PVH
 * loader, whose error says what is missing (a truncated vmlinux has its
 * note cut off); the rest to the Multiboot loader, which says why not.
 */
static int load_kernel(struct vm *vm, const struct boot_module *mod, const struct vm_config *cfg,
		       const struct guest_mem *gm, const struct mod_set *ms,
		       struct vcpu_boot_state *first, char *err, size_t errlen)
{
	const void *image = (const void *)(uintptr_t)mod->start;
	size_t size = mod->end - mod->start;
	const unsigned char *b = image;

	/* A Linux kernel's console is watched for its panic trailer (vm_console_flush). */
	vm->linux_guest = linux_is_bzimage(image, size) || pvh_has_note(image, size);
	if (linux_is_bzimage(image, size))
		return load_linux(vm, mod, cfg, gm, ms, first, err, errlen);
	if (pvh_has_note(image, size))
		return load_pvh(vm, mod, cfg, gm, ms, false, first, err, errlen);
	if (!mb1_has_header(image, size) && size >= 4 && !memcmp(b, "\x7f" "ELF", 4))
		return load_pvh(vm, mod, cfg, gm, ms, true, first, err, errlen);
	return load_multiboot(vm, mod, cfg, gm, ms, first, err, errlen);
}

struct vm *vm_create(const struct boot_module *mods, size_t nmods, size_t index)
{
	const struct boot_module *mod = &mods[index];
	struct vm_config cfg;
	char err[VMCFG_ERR_MAX];
	struct mod_set *ms;
	struct guest_mem gm;
	struct vcpu_boot_state first;
	struct vm *vm;
	int id, rc;

	if (module_config(mod, index, &cfg, err, sizeof(err))) {
		pr_err("module %zu: %s; VM not started\n", index, err);
		return NULL;
	}
	if (cfg.for_vm[0])
		return NULL;	/* a module of another VM's kernel, not a VM */
	if (name_taken(cfg.name)) {
		pr_err("module %zu: a VM named '%s' exists already; VM not started\n", index, cfg.name);
		return NULL;
	}
	id = free_id();
	if (id < 0) {
		pr_err("vm %s: at most %d VMs; VM not started\n", cfg.name, VM_MAX);
		return NULL;
	}
	vm = heap_alloc(&hv_heap, sizeof(*vm));
	if (!vm) {
		pr_err("vm %s: out of memory for the VM object; VM not started\n", cfg.name);
		return NULL;
	}
	vm->id = id;
	vm->asid = (uint16_t)id;
	memcpy(vm->name, cfg.name, sizeof(vm->name) - 1);
	memcpy(vm->domain, cfg.domain, sizeof(vm->domain) - 1);
	vm->ram_bytes = cfg.mem_bytes;
	vm->module = index;
	vm->reboot_stops = cfg.reboot_stops;
	vm->exit_code = -1;
	vm->nr_vcpus = 1;	/* the boot vCPU; more with SMP guests */
	for (int i = 0; i < VCPU_MAX; i++) {
		vm->vcpus[i].vm = vm;
		vm->vcpus[i].id = i;
		msr_vcpu_reset(&vm->vcpus[i]);
		ctl_dbg_reset(&vm->vcpus[i].dbg);
	}
	guest_ram_ranges(vm->ram_bytes, vm->ram);
	rc = p2m_init(&vm->p2m, virt->p2m_format, &hv_frames, (uint16_t)id, virt->p2m_flags);
	if (rc) {
		pr_err("vm %s: cannot create its nested page table (error %d); VM not started\n",
		       vm->name, rc);
		goto err_free;
	}
	vms[id] = vm;	/* visible from here on: vm_destroy cleans up */
	rc = cfg.share ? vmshare_add_vm(vm) : 0;
	if (rc) {
		pr_err("vm %s: cannot register with the sharing engine (error %d); VM not started\n",
		       vm->name, rc);
		goto err_destroy;
	}

	ms = heap_alloc(&hv_heap, sizeof(*ms));
	if (!ms) {
		pr_err("vm %s: out of memory for its module list; VM not started\n", vm->name);
		goto err_destroy;
	}
	if (gather_mods(mods, nmods, vm->name, ms)) {
		pr_err("vm %s: more than %d modules with for=%s; VM not started\n", vm->name,
		       MB1_MAX_MODS, vm->name);
		heap_free(&hv_heap, ms);
		goto err_destroy;
	}
	vm_devices_init(vm);
	rc = vm_firmware_map(vm);
	if (rc) {
		pr_err("vm %s: cannot map its firmware tables (error %d); VM not started\n",
		       vm->name, rc);
		heap_free(&hv_heap, ms);
		goto err_destroy;
	}
	gm = (struct guest_mem){ vm, vm->ram_bytes, gm_write, gm_zero };
	rc = load_kernel(vm, mod, &cfg, &gm, ms, &first, err, sizeof(err));
	heap_free(&hv_heap, ms);
	if (rc) {
		pr_err("vm %s: %s; VM not started\n", vm->name, err);
		goto err_destroy;
	}
	rc = virt->vcpu_init(&vm->vcpus[0], &first);
	if (rc) {
		pr_err("vm %s: cannot set up its vCPU (error %d); VM not started\n", vm->name, rc);
		goto err_destroy;
	}
	vm->state = VM_RUNNING;
	return vm;

err_destroy:
	vm->state = VM_STOPPED;
	vm_destroy(vm);
	return NULL;
err_free:
	heap_free(&hv_heap, vm);
	return NULL;
}

/*
 * vm_release - give back everything @vm holds but its object: vCPU state,
 * its share of shared frames, its private frames and its nested page
 * tables. Idempotent; the object stays for reports until vm_destroy().
 */
static void vm_release(struct vm *vm)
{
	vm_for_each_vcpu(vm, v)
		if (v->arch)
			virt->vcpu_free(v);
	/* The engine drops this VM's share of every frame; what is left is private. */
	if (vm->share) {
		share_vm_remove(hv_share, vm->share);
		vm->share = NULL;
	}
	p2m_destroy(&vm->p2m, release_leaf, NULL);
	vm->oom = false;
}

void vm_stop(struct vm *vm, int code, const char *fmt, ...)
{
	va_list ap;

	if (vm->state == VM_STOPPED)
		return;
	va_start(ap, fmt);
	vsnprintf(vm->stop_reason, sizeof(vm->stop_reason), fmt, ap);
	va_end(ap);
	vm->state = VM_STOPPED;
	vm->exit_code = code;
	if (vm->line_len)
		vm_console_flush(vm);	/* its last words before the stop line */
	if (code >= 0)
		pr_info("vm %d '%s': exited with code %d (%s)\n", vm->id, vm->name, code,
			vm->stop_reason);
	else
		pr_info("vm %d '%s': stopped by the hypervisor: %s\n", vm->id, vm->name,
			vm->stop_reason);
	/* A stopped VM never runs again: its memory goes back at once. */
	vm_release(vm);
}

void vm_destroy(struct vm *vm)
{
	vm_release(vm);
	vms[vm->id] = NULL;
	heap_free(&hv_heap, vm);
}

void vm_exit_counts(const struct vm *vm, struct exit_counts *c)
{
	memset(c, 0, sizeof(*c));
	for (int i = 0; i < vm->nr_vcpus; i++) {
		const struct exit_counts *vc = &vm->vcpus[i].counts;

		for (int k = 0; k < EXIT_KIND_MAX; k++)
			c->kind[k] += vc->kind[k];
		c->total += vc->total;
		c->injected_irqs += vc->injected_irqs;
		c->injected_nmis += vc->injected_nmis;
	}
}

bool vm_halted_for_good(const struct vm *vm)
{
	for (int i = 0; i < vm->nr_vcpus; i++)
		if (!vm->vcpus[i].halt_forever)
			return false;
	return vm->nr_vcpus > 0;
}

/* The modules every VM was made from (kernel/main.c), for restarts. */
static const struct boot_module *boot_mods;
static size_t boot_nmods;

void vm_create_all(const struct boot_module *mods, size_t nmods)
{
	boot_mods = mods;
	boot_nmods = nmods;
	for (size_t i = 0; i < nmods; i++) {
		struct vm_config cfg;

		/* A for= line is a module of another VM, not a VM of its own. */
		if (!module_config(&mods[i], i, &cfg, NULL, 0) && cfg.for_vm[0])
			continue;
		vm_tally.modules++;
		vm_tally.started += vm_create(mods, nmods, i) != NULL;
	}
	/* A module whose VM never started was given for nothing: counted as one that failed. */
	vm_tally.modules += vm_check_module_owners(mods, nmods);
}

/* A test run stops a VM that keeps resetting itself: it would never end otherwise. */
#define TEST_MAX_RESTARTS	10

void vm_reset(struct vm *vm, const char *why)
{
	if (vm->reboot_stops) {
		vm_stop(vm, 0, "%s (on_reboot=stop)", why);
		return;
	}
	if (test_mode && vm->restarts >= TEST_MAX_RESTARTS) {
		vm_stop(vm, -1, "%s after %u restarts: stopped (test mode)", why, vm->restarts);
		return;
	}
	vm->restart = true;
	vm_stop(vm, 0, "%s: restarting", why);
}

void vm_restart_pending(void)
{
	for (int id = 1; id <= VM_MAX; id++) {
		struct vm *vm = vms[id];
		size_t module;

		if (!vm || vm->state != VM_STOPPED || !vm->restart)
			continue;
		/* A reset keeps the CMOS RAM and the clock, as on a PC. */
		struct vrtc rtc = vm->rtc;
		unsigned restarts = vm->restarts + 1;
		struct vm *fresh;

		module = vm->module;
		vm_destroy(vm);
		fresh = vm_create(boot_mods, boot_nmods, module);
		if (!fresh)
			continue;
		fresh->rtc = rtc;
		fresh->restarts = restarts;
		pr_info("vm %d '%s': restarted (%u so far)\n", fresh->id, fresh->name, restarts);
	}
}

/* gpr_slot - where struct gpr keeps register @n, NULL for RSP (the VMCS or VMCB has it). */
static uint64_t *gpr_slot(struct gpr *r, unsigned n)
{
	uint64_t *const by_number[16] = {
		&r->rax, &r->rcx, &r->rdx, &r->rbx, NULL, &r->rbp, &r->rsi, &r->rdi,
		&r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15,
	};

	return by_number[n & 15];
}

uint64_t vcpu_gpr(struct vcpu *v, unsigned n)
{
	uint64_t *p = gpr_slot(&v->regs, n);

	return p ? *p : virt->get_reg(v, VREG_RSP);
}

void vcpu_set_gpr(struct vcpu *v, unsigned n, uint64_t val)
{
	uint64_t *p = gpr_slot(&v->regs, n);

	if (p)
		*p = val;
	else
		virt->set_reg(v, VREG_RSP, val);
}
