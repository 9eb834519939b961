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

#include "kernel/mem.h"
#include "kernel/multiboot2.h"
#include "kernel/printk.h"
#include "kernel/vm.h"
#include "kernel/vmconfig.h"
#include "kernel/vmshare.h"
#include "mm/errno.h"

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

/* guest_page - the hypervisor's view of the guest page at @gpa, populated if needed; NULL if not RAM. */
static unsigned char *guest_page(struct vm *vm, uint64_t gpa)
{
	uint64_t hpa;

	gpa &= PAGE_MASK;
	if (!vm_is_ram(vm, gpa, PAGE_SIZE))
		return NULL;
	if (p2m_lookup(&vm->p2m, gpa, &hpa, NULL) && (vm_populate(vm, gpa) ||
						   p2m_lookup(&vm->p2m, gpa, &hpa, NULL)))
		return NULL;
	return frame_va(&hv_frames, hpa & PAGE_MASK);
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

struct vm *vm_create(const struct boot_module *mod, int index)
{
	struct vm_config cfg;
	char line[VMCFG_PATH_MAX + VMCFG_CMDLINE_MAX + 64], err[VMCFG_ERR_MAX];
	struct guest_mem gm;
	struct vm *vm;
	int id, rc;

	vm_tally.modules++;
	/* GRUB passes the options only; vmconfig wants a leading path word. */
	snprintf(line, sizeof(line), "vm%d %s", index, mod->cmdline);
	if (vmconfig_parse(line, &cfg, err, sizeof(err))) {
		pr_err("module %d: %s; VM not started\n", index, err);
		return NULL;
	}
	if (name_taken(cfg.name)) {
		pr_err("module %d: a VM named '%s' exists already; VM not started\n", index, cfg.name);
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
	vm->exit_code = -1;
	vm->vcpu.vm = vm;
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

	gm = (struct guest_mem){ vm, vm->ram_bytes, gm_write, gm_zero };
	rc = mb1_load(&gm, (const void *)(uintptr_t)mod->start, mod->end - mod->start,
		      cfg.cmdline, &vm->vcpu.boot, err, sizeof(err));
	if (rc) {
		pr_err("vm %s: %s; VM not started\n", vm->name, err);
		goto err_destroy;
	}
	vm_devices_init(vm);
	rc = virt->vcpu_init(&vm->vcpu);
	if (rc) {
		pr_err("vm %s: cannot set up its vCPU (error %d); VM not started\n", vm->name, rc);
		goto err_destroy;
	}
	pr_info("vm %d '%s': %llu MiB RAM, domain %s, entry %#x, %s image, cmdline '%s'\n",
		vm->id, vm->name, (unsigned long long)(vm->ram_bytes >> 20), vm->domain,
		vm->vcpu.boot.eip,
		vm->vcpu.boot.format == MB1_FMT_ELF64 ? "ELF64" :
		vm->vcpu.boot.format == MB1_FMT_AOUT ? "a.out-kludge" : "ELF32",
		cfg.cmdline);
	vm->state = VM_RUNNING;
	vm_tally.started++;
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
	if (vm->vcpu.arch)
		virt->vcpu_free(&vm->vcpu);
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
	if (vm->line_len)
		vm_console_flush(vm);
	vm->state = VM_STOPPED;
	vm->exit_code = code;
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
