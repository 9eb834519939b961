// SPDX-License-Identifier: MIT
/*
 * sched.c - running the VMs: round-robin on one CPU.
 *
 * VMs take turns, and inside a VM its vCPUs do. Each runnable vCPU gets the CPU for SLICE_TICKS host ticks (each tick is an
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

/*
 * deliver_events - inject the vCPU's pending NMI, else its pending
 * interrupt, now; or ask for an exit when the guest can take them. One
 * event goes in per entry: an interrupt behind an NMI waits for the exit
 * its window request brings.
 */
static void deliver_events(struct vcpu *v)
{
	uint8_t vector;
	bool nmi = intc_nmi_pending(&v->intc);

	if (nmi && virt->can_inject(v, EVENT_NMI)) {
		struct virt_event ev = { EVENT_NMI, VEC_NMI, false, 0 };

		intc_nmi_ack(&v->intc);
		virt->inject(v, &ev);
		v->counts.injected_nmis++;
		nmi = false;
	}
	virt->want_window(v, EVENT_NMI, nmi);
	if (!intc_pending(&v->intc, &vector)) {
		virt->want_window(v, EVENT_EXTINT, false);
		return;
	}
	if (!virt->can_inject(v, EVENT_EXTINT)) {
		virt->want_window(v, EVENT_EXTINT, true);
		return;
	}
	struct virt_event ev = { EVENT_EXTINT, intc_ack(&v->intc), false, 0 };
	virt->inject(v, &ev);
	virt->want_window(v, EVENT_EXTINT, false);
	v->counts.injected_irqs++;
}

/*
 * run_tpr_synced - run @v with its CR8 equal to its local APIC's TPR (SDM
 * vol. 3A 10.8.6.1). The guest reads CR8 without an exit (TPR shadow on
 * VMX, V_TPR on SVM) and, on VMX, writes it without one too, so the TPR
 * goes to the backend before entry and comes back after the exit, before
 * the policy (an APIC read of the TPR) sees it. A CR8 the guest left alone
 * keeps the TPR's low bits. On VMX an interrupt only the TPR holds back
 * sets the threshold: lowering CR8 below it exits, and the next entry
 * delivers it (SVM's CR8 writes exit anyway).
 */
static void run_tpr_synced(struct vcpu *v, struct vm_exit *e)
{
	uint64_t tpr;

	virt->set_reg(v, VREG_TPR, vlapic_get_tpr(&v->lapic));
	if (virt->tpr_threshold)
		virt->set_reg(v, VREG_TPR_THRESHOLD, vlapic_tpr_threshold(&v->lapic));
	tpr = virt->get_reg(v, VREG_TPR);
	virt->vcpu_run(v, e);
	if (virt->get_reg(v, VREG_TPR) != tpr)
		vlapic_set_tpr(&v->lapic, (uint8_t)virt->get_reg(v, VREG_TPR));
}

/* vm_runnable - @vm may run: it is running and not waiting for memory. */
static bool vm_runnable(struct vm *vm)
{
	if (vm->state != VM_RUNNING)
		return false;
	if (vm->oom) {
		if (frame_free_count(&hv_frames) < OOM_RESUME_FRAMES)
			return false;
		pr_info("vm %d '%s': resumed, memory is free again\n", vm->id, vm->name);
		vm->oom = false;
	}
	return true;
}

/* vcpu_runnable - @v is not halted, or an interrupt for it ends its HLT (an NMI even with IF = 0). */
static bool vcpu_runnable(struct vcpu *v)
{
	uint8_t vector;

	/* A blocked NMI (its handler has not returned) does not end a HLT. */
	if (intc_nmi_pending(&v->intc) && virt->can_inject(v, EVENT_NMI)) {
		v->halt_forever = false;
		return true;
	}
	if (v->halt_forever)
		return false;
	if (!v->halted)
		return true;
	vm_devices_update(v->vm, arch_now_ns());
	return intc_pending(&v->intc, &vector);
}

/* pick_vcpu - the next runnable vCPU of @vm, round robin among its vCPUs; NULL if none. */
static struct vcpu *pick_vcpu(struct vm *vm)
{
	if (!vm_runnable(vm))
		return NULL;
	for (int n = 1; n <= vm->nr_vcpus; n++) {
		struct vcpu *v = &vm->vcpus[(vm->rr_vcpu + n) % vm->nr_vcpus];

		if (vcpu_runnable(v)) {
			vm->rr_vcpu = v->id;
			return v;
		}
	}
	return NULL;
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
		deliver_events(v);
		if (vm->tlb_stale) {
			virt->flush_tlb(vm);
			vm->tlb_stale = false;
		}
		run_tpr_synced(v, &e);
		a = exit_handle(v, &e);
	} while (a == EXIT_CONTINUE && arch_ticks() - start < SLICE_TICKS &&
		 !console_input_pending());
}

static void stop_halted_for_good(void)
{
	for (int id = 1; id <= VM_MAX; id++)
		if (vms[id] && vms[id]->state != VM_STOPPED && vm_halted_for_good(vms[id]))
			vm_stop(vms[id], -1, "halted with interrupts disabled (RIP %#llx) until the end of the test run",
				(unsigned long long)vms[id]->vcpus[0].halt_rip);
}

static void summary(void)
{
	pr_info("all VMs have stopped\n");
	vmshare_report();
	mem_report("frames after the VMs");
	for (int id = 1; id <= VM_MAX; id++) {
		struct vm *vm = vms[id];
		struct exit_counts c;

		if (!vm)
			continue;
		vm_exit_counts(vm, &c);
		pr_info("vm %d '%s': %s, code %d (%s); %llu exits:", vm->id, vm->name,
			vm->exit_code == 0 ? "PASS" : "FAIL", vm->exit_code, vm->stop_reason,
			(unsigned long long)c.total);
		for (int k = 0; k < EXIT_KIND_MAX; k++)
			if (c.kind[k])
				pr_info(" %s %llu", exit_kind_name(k), (unsigned long long)c.kind[k]);
		pr_info("; %llu interrupts injected, ", (unsigned long long)c.injected_irqs);
		if (c.injected_nmis)
			pr_info("%llu NMIs injected, ", (unsigned long long)c.injected_nmis);
		pr_info("%llu pages populated", (unsigned long long)vm->pages_populated);
		if (vm->hole_reads || vm->hole_writes)
			pr_info("; %llu hole reads, %llu hole writes", (unsigned long long)vm->hole_reads,
				(unsigned long long)vm->hole_writes);
		pr_info("\n");
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
		struct vcpu *next = NULL;
		int live = 0, stuck = 0;

		vmshare_tick();
		console_poll();
		vm_restart_pending();
		for (int n = 1; n <= VM_MAX; n++) {
			struct vm *vm = vms[(cur + n - 1) % VM_MAX + 1];

			if (!vm || vm->state == VM_STOPPED)
				continue;
			live++;
			stuck += vm_halted_for_good(vm);
			if (!next)
				next = pick_vcpu(vm);
		}
		/* A test run is over when only VMs halted for good are left: they are stopped. */
		if (test_mode && live && stuck == live) {
			stop_halted_for_good();
			continue;
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
		cur = next->vm->id;
		run_slice(next);
	}
}
