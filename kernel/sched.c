// SPDX-License-Identifier: MIT
/*
 * sched.c - running the VMs: round-robin on one CPU.
 *
 * Each runnable vCPU gets the CPU for SLICE_TICKS host ticks (each tick is an
 * external-interrupt exit, where its virtual timer catches up), until it
 * halts (HLT) or yields, its VM stops, or the operator types. A halted vCPU
 * becomes runnable when its virtual PIC has an interrupt for it. With nothing
 * runnable the CPU sleeps until the next tick. When every VM has stopped, a
 * per-VM summary and the verdict are printed (see verdict()); in test mode
 * the run ends with that verdict.
 */
#include "kernel/arch.h"
#include "kernel/console.h"
#include "kernel/exit.h"
#include "kernel/mem.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/testexit.h"
#include "kernel/vm.h"
#include "kernel/vmshare.h"

/*
 * A VM waiting for memory resumes when a fault can surely be served: one
 * frame for the page and up to three for nested page tables on the way.
 */
#define OOM_RESUME_FRAMES 4

/* deliver_irq - inject the PIC's pending interrupt now, or ask for an exit when the guest can take it. */
static void deliver_irq(struct vcpu *v)
{
	struct vm *vm = v->vm;
	uint8_t vector;

	if (!vpic_pending(&vm->pic, &vector)) {
		virt->want_irq_window(v, false);
		return;
	}
	if (!virt->irq_window(v)) {
		virt->want_irq_window(v, true);
		return;
	}
	struct virt_event ev = { EVENT_EXTINT, (uint8_t)vpic_ack(&vm->pic), false, 0 };
	virt->inject(v, &ev);
	virt->want_irq_window(v, false);
	v->injected_irqs++;
}

static bool runnable(struct vm *vm)
{
	uint8_t vector;

	if (vm->state != VM_RUNNING)
		return false;
	if (vm->oom) {
		if (frame_free_count(&hv_frames) < OOM_RESUME_FRAMES)
			return false;
		pr_info("vm %d '%s': resumed, memory is free again\n", vm->id, vm->name);
		vm->oom = false;
	}
	if (!vm->vcpu.halted)
		return true;
	vm_devices_update(vm, arch_now_ns());
	return vpic_pending(&vm->pic, &vector);
}

/*
 * oom_deadlock - every live VM waits for memory and none is free: nothing
 * will ever free some. Stop the VM holding the most pages, with a report
 * (the policy of last resort), so the others can go on. Returns true if one
 * was stopped.
 */
static bool oom_deadlock(void)
{
	struct vm *victim = NULL;

	if (frame_free_count(&hv_frames) >= OOM_RESUME_FRAMES)
		return false;
	for (int id = 1; id <= VM_MAX; id++) {
		struct vm *vm = vms[id];

		if (!vm || vm->state == VM_STOPPED)
			continue;
		if (vm->state == VM_RUNNING && !vm->oom)
			return false;	/* someone can still run and may free memory */
		if (vm->state == VM_RUNNING && (!victim || vm->pages_populated > victim->pages_populated))
			victim = vm;
	}
	if (!victim)
		return false;
	vm_stop(victim, -1, "out of memory: every VM was waiting for a free frame");
	return true;
}

static void run_slice(struct vcpu *v)
{
	struct vm *vm = v->vm;
	uint64_t start = arch_ticks();
	struct vm_exit e;
	enum exit_action a;

	v->halted = false;
	do {
		vm_devices_update(vm, arch_now_ns());
		deliver_irq(v);
		if (vm->tlb_stale) {
			virt->flush_tlb(vm);
			vm->tlb_stale = false;
		}
		virt->vcpu_run(v, &e);
		a = exit_handle(v, &e);
	} while (a == EXIT_CONTINUE && arch_ticks() - start < SLICE_TICKS &&
		 !console_input_pending());
}

static void summary(void)
{
	pr_info("all VMs have stopped\n");
	vmshare_report();
	mem_report("frames after the VMs");
	for (int id = 1; id <= VM_MAX; id++) {
		struct vm *vm = vms[id];
		const struct vcpu *v;

		if (!vm)
			continue;
		v = &vm->vcpu;
		pr_info("vm %d '%s': %s, code %d (%s); %llu exits:", vm->id, vm->name,
			vm->exit_code == 0 ? "PASS" : "FAIL", vm->exit_code, vm->stop_reason,
			(unsigned long long)v->exits_total);
		for (int k = 0; k < EXIT_KIND_MAX; k++)
			if (v->exits[k])
				pr_info(" %s %llu", exit_kind_name(k), (unsigned long long)v->exits[k]);
		pr_info("; %llu interrupts injected, %llu pages populated\n",
			(unsigned long long)v->injected_irqs,
			(unsigned long long)vm->pages_populated);
	}
}

/*
 * verdict - PASS only if at least one VM was started, every module started
 * a VM, and every VM still there exited with code 0. A module that did not
 * start a VM (bad image or options, no memory) is a failure: a test that
 * means to feed bad modules expects FAIL. A VM destroyed at the console is
 * gone from vms[] and counts as neither. Prints one line of counts, and an
 * error line for each reason of a FAIL that no other line gives.
 */
static enum test_result verdict(void)
{
	unsigned left = 0, failed = 0;
	unsigned not_started = vm_tally.modules - vm_tally.started;

	for (int id = 1; id <= VM_MAX; id++) {
		if (!vms[id])
			continue;
		left++;
		if (vms[id]->exit_code != 0)
			failed++;
	}
	pr_info("verdict: %u modules: %u started a VM, %u did not; VMs: %u exited with code 0, "
		"%u failed, %u destroyed\n", vm_tally.modules, vm_tally.started, not_started,
		left - failed, failed, vm_tally.started - left);
	if (!vm_tally.modules)
		pr_err("no VM was started: no guest modules were given\n");
	else if (!vm_tally.started)
		pr_err("no VM was started: none of the %u modules loaded (see the errors above)\n",
		       vm_tally.modules);
	else if (not_started)
		pr_err("%u of %u modules did not start a VM (see the errors above)\n",
		       not_started, vm_tally.modules);
	return vm_tally.started && !not_started && !failed ? TEST_PASS : TEST_FAIL;
}

void sched_run(void)
{
	bool summarized = false;
	int cur = 0;

	for (;;) {
		struct vm *next = NULL;
		int live = 0;

		vmshare_tick();
		console_poll();
		for (int n = 1; n <= VM_MAX; n++) {
			struct vm *vm = vms[(cur + n - 1) % VM_MAX + 1];

			if (!vm || vm->state == VM_STOPPED)
				continue;
			live++;
			if (!next && runnable(vm))
				next = vm;
		}
		if (!live && !summarized) {
			enum test_result r;

			summary();
			r = verdict();
			summarized = true;
			/* An operator at the console keeps the hypervisor up; tests end here. */
			if (test_mode || !console_is_active())
				test_exit(r);
		}
		if (!next && live && oom_deadlock())
			continue;
		if (!next) {
			arch_idle();
			continue;
		}
		cur = next->id;
		run_slice(&next->vcpu);
	}
}
