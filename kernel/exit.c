// SPDX-License-Identifier: MIT
/*
 * exit.c - the VM-exit policy, written once for both vendors.
 *
 * The backend (arch/x86/vmx or arch/x86/svm) decodes each exit into a
 * struct vm_exit; exit_handle() decides what it means. Nothing a guest does
 * here may stop the hypervisor: a misbehaving guest gets the fault real
 * hardware would give it (#GP, #UD) or its VM is stopped with a report.
 */
#include <string.h>

#include "kernel/arch.h"
#include "kernel/emulate.h"
#include "kernel/exit.h"
#include "kernel/gmem.h"
#include "kernel/guestcpu.h"
#include "kernel/hvabi.h"
#include "kernel/mem.h"
#include "kernel/msr.h"
#include "kernel/printk.h"
#include "kernel/testexit.h"
#include "kernel/vm.h"
#include "kernel/vmshare.h"
#include "kernel/x86def.h"
#include "mm/errno.h"

static const char *const exit_names[EXIT_KIND_MAX] = {
	[EXIT_NONE] = "none",
	[EXIT_EXTINT] = "interrupt",
	[EXIT_CPUID] = "cpuid",
	[EXIT_HLT] = "hlt",
	[EXIT_IO] = "io",
	[EXIT_MSR_READ] = "rdmsr",
	[EXIT_MSR_WRITE] = "wrmsr",
	[EXIT_CR_WRITE] = "cr",
	[EXIT_DR_ACCESS] = "dr",
	[EXIT_NPF] = "npf",
	[EXIT_HYPERCALL] = "hypercall",
	[EXIT_VIRT_INSN] = "virt-insn",
	[EXIT_UD] = "ud",
	[EXIT_XSETBV] = "xsetbv",
	[EXIT_INVD] = "invd",
	[EXIT_TASK_SWITCH] = "task-switch",
	[EXIT_EMULATE] = "emulate",
	[EXIT_TRIPLE_FAULT] = "triple-fault",
	[EXIT_FAIL] = "fail",
};

const char *exit_kind_name(enum exit_kind k)
{
	return (unsigned)k < EXIT_KIND_MAX ? exit_names[k] : "?";
}

void vcpu_inject_fault(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
	struct virt_event ev = { EVENT_EXCEPTION, vector, has_error, error };

	virt->set_reg(v, VREG_RFLAGS, virt->get_reg(v, VREG_RFLAGS) | RFLAGS_RF);
	virt->inject(v, &ev);
}

void vcpu_insn_done(struct vcpu *v)
{
	struct virt_event ev = { EVENT_EXCEPTION, VEC_DB, false, 0 };
	uint64_t rflags = virt->get_reg(v, VREG_RFLAGS);

	/* The CPU clears RF when an instruction completes (SDM vol. 3B 17.3.1.1). */
	if (rflags & RFLAGS_RF)
		virt->set_reg(v, VREG_RFLAGS, rflags & ~(uint64_t)RFLAGS_RF);
	if (!(rflags & RFLAGS_TF))
		return;
	virt->set_reg(v, VREG_DR6, virt->get_reg(v, VREG_DR6) | DR6_BS);
	virt->inject(v, &ev);
}

/* complete_insn - the hypervisor did the instruction: RIP moves past it. */
static void complete_insn(struct vcpu *v)
{
	virt->skip_insn(v);
	vcpu_insn_done(v);
}

/* complete_or_gp - the instruction is done (skip it), or it faults with #GP(0) as on hardware. */
static void complete_or_gp(struct vcpu *v, bool ok)
{
	if (ok)
		complete_insn(v);
	else
		vcpu_inject_fault(v, VEC_GP, true, 0);
}

static void handle_cpuid(struct vcpu *v)
{
	uint32_t r[4];

	guest_cpuid(v, (uint32_t)v->regs.rax, (uint32_t)v->regs.rcx, r);
	v->regs.rax = r[0];
	v->regs.rbx = r[1];
	v->regs.rcx = r[2];
	v->regs.rdx = r[3];
}

/* handle_io - port I/O: the debug-exit port, then the VM's devices; the rest floats. */
static enum exit_action handle_io(struct vcpu *v, const struct vm_exit *e)
{
	struct vm *vm = v->vm;
	uint32_t val = e->io.in ? 0 : (uint32_t)v->regs.rax, mask;

	mask = e->io.size == 4 ? 0xffffffffu : (1u << (8 * e->io.size)) - 1;
	vm_port_access(vm, e->io.port, e->io.size, e->io.in, &val);
	/* A device may have ended the VM (debug exit, reset, power-off): its vCPU state is gone. */
	if (vm->state == VM_STOPPED)
		return EXIT_STOP;
	if (e->io.in)
		v->regs.rax = (v->regs.rax & ~(uint64_t)mask) | (val & mask);
	return EXIT_CONTINUE;
}

/* handle_msr - RDMSR/WRMSR through the MSR policy (kernel/msr.c); #GP where it says no. */
static void handle_msr(struct vcpu *v, bool write)
{
	uint32_t msr = (uint32_t)v->regs.rcx;
	uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
	bool ok = msr_access(v, msr, write, &val);

	if (ok && !write) {
		v->regs.rax = (uint32_t)val;
		v->regs.rdx = val >> 32;
	}
	complete_or_gp(v, ok);
}

/*
 * pdptes_valid - false where a MOV to CR0 or CR4 taking @v from @cs to @cr0
 * and @cr4 loads PAE PDPTEs that set a reserved bit: #GP(0) then (SDM vol. 3A
 * 4.4.1), where VM entry would fail otherwise. Only where the CPU loads them
 * (virt->loads_pdptes). A table outside guest RAM reads as all ones, as on a
 * PC, so it is refused too.
 */
static bool pdptes_valid(struct vcpu *v, const struct ctl_state *cs, uint64_t cr0, uint64_t cr4)
{
	uint64_t pdpte[4];

	if (!virt->loads_pdptes || !ctl_pdptes_load(cs, cr0, cr4))
		return true;
	if (guest_read_phys(v->vm, cs->cr3 & 0xffffffe0ull, pdpte, sizeof(pdpte)))
		return false;
	return ctl_pdptes_ok(pdpte, guest_maxphyaddr(v));
}

bool vcpu_write_cr(struct vcpu *v, int cr, uint64_t val)
{
	struct ctl_state cs = guest_ctl_state(v);
	bool ok;

	switch (cr) {
	case 0:
		ok = ctl_cr0_ok(&cs, val) && pdptes_valid(v, &cs, val, cs.cr4);
		if (ok)
			virt->set_reg(v, VREG_CR0, val);
		break;
	case 4:
		ok = ctl_cr4_ok(&cs, guest_cr4_allowed(v), val) && pdptes_valid(v, &cs, cs.cr0, val);
		if (ok)
			virt->set_reg(v, VREG_CR4, val);
		break;
	case 8:
		/* CR8 is TPR bits 7:4; bits 63:4 are reserved (SDM vol. 3A 10.8.6.1). */
		ok = !(val >> 4);
		if (ok)
			vlapic_set_tpr(&v->lapic, (uint8_t)(val << 4));
		break;
	default:
		ok = false;
	}
	return ok;
}

/*
 * handle_dr_access - MOV to or from a debug register, on the vCPU's virtual
 * ones (kernel/ctlreg.c). Outside 64-bit mode the register operand is 32
 * bits wide: a write takes its low half, a read zero-extends.
 */
static void handle_dr_access(struct vcpu *v, const struct vm_exit *e)
{
	struct ctl_state cs = guest_ctl_state(v);
	bool lm64 = cs.cs_long;
	uint64_t dr6 = virt->get_reg(v, VREG_DR6), old6 = dr6;
	uint64_t val = e->dr.write ? vcpu_gpr(v, e->dr.gpr) : 0;
	enum dr_fault f;

	if (!lm64)
		val = (uint32_t)val;
	f = ctl_dr_access(&v->dbg, &dr6, (unsigned)virt->get_reg(v, VREG_CPL),
			  cs.cr4, e->dr.dr, e->dr.write, &val);
	if (dr6 != old6)
		virt->set_reg(v, VREG_DR6, dr6);
	switch (f) {
	case DR_OK:
		if (!e->dr.write)
			vcpu_set_gpr(v, e->dr.gpr, lm64 ? val : (uint32_t)val);
		complete_insn(v);
		break;
	case DR_UD:
		vcpu_inject_fault(v, VEC_UD, false, 0);
		break;
	case DR_GP:
		vcpu_inject_fault(v, VEC_GP, true, 0);
		break;
	case DR_DB:
		vcpu_inject_fault(v, VEC_DB, false, 0);
		break;
	}
}

/*
 * handle_xsetbv - XSETBV: #UD unless the guest turned on CR4.OSXSAVE (which
 * needs XSAVE in its CPUID), #GP from user mode or for a value SDM vol. 1
 * 13.3 forbids or that names a component not offered (arch_xcr0_offered);
 * else the vCPU's XCR0, which the CPU holds while it runs.
 */
static void handle_xsetbv(struct vcpu *v)
{
	uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
	bool ok;

	if (!(virt->get_reg(v, VREG_CR4) & CR4_OSXSAVE)) {
		vcpu_inject_fault(v, VEC_UD, false, 0);
		return;
	}
	ok = virt->get_reg(v, VREG_CPL) == 0 &&
	     ctl_xcr0_ok(arch_xcr0_offered(), (uint32_t)v->regs.rcx, val);
	if (ok)
		virt->set_reg(v, VREG_XCR0, val);
	complete_or_gp(v, ok);
}

/*
 * handle_npf - first touch of guest RAM populates it, a write to a shared
 * page breaks it (COW); a data access outside RAM goes to the emulator (a
 * device's MMIO region, or a hole: all ones, writes dropped). Executing
 * outside RAM stops the VM, and so does an access outside RAM made while
 * delivering an event (pushing an exception frame onto a stack in a hole,
 * say): the emulator runs instructions, not event delivery, and the
 * re-delivered event would fault the same way forever. KVM, too, gives up
 * there (an internal error for its user space).
 */
static enum exit_action handle_npf(struct vcpu *v, const struct vm_exit *e)
{
	struct vm *vm = v->vm;
	uint64_t gpa = e->npf.gpa & PAGE_MASK;
	int rc;

	if (vm_is_ram(vm, gpa, PAGE_SIZE) && !e->npf.present) {
		rc = vm_populate(vm, gpa);
		if (rc == 0 || rc == -SV_EEXIST)
			return EXIT_CONTINUE;
		if (rc != -SV_ENOMEM)
			goto stop;
	} else if (!vm_is_ram(vm, gpa, PAGE_SIZE) && !e->npf.exec && !e->vectoring) {
		return emulate_insn(v, e->npf.gpa);
	} else if (vm_is_ram(vm, gpa, PAGE_SIZE) && e->npf.write && vm->share) {
		/* A write to a shared (read-only) page: copy-on-write. */
		rc = share_cow(hv_share, vm->share, gpa);
		if (rc == 0)
			return EXIT_CONTINUE;
		if (rc != -SV_ENOMEM)
			goto stop;
	} else {
		goto stop;
	}
	/* Out of memory: the VM waits (the access is retried) until frames are free. */
	if (!vm->oom)
		pr_warn("vm %d '%s': paused, no free memory for gpa %#llx; it resumes when frames are free\n",
			vm->id, vm->name, (unsigned long long)gpa);
	vm->oom = true;
	return EXIT_YIELD;
stop:
	vm_stop(vm, -1, "%s%s access to gpa %#llx %s (RIP %#llx)",
		e->vectoring ? "event delivery: " : "",
		e->npf.exec ? "execute" : e->npf.write ? "write" : "read",
		(unsigned long long)e->npf.gpa,
		vm_is_ram(vm, gpa, PAGE_SIZE) ? "denied" : "outside guest RAM",
		(unsigned long long)virt->get_reg(v, VREG_RIP));
	return EXIT_STOP;
}

/* Test barriers: which VMs have arrived at each (bit n = VM id n). */
static uint32_t barrier_arrived[8];	/* VM ids are 1..16 */

static int64_t barrier(struct vm *vm, uint64_t id)
{
	if (id >= 8)
		return -SV_EINVAL;
	int n = 0;

	barrier_arrived[id] |= 1u << vm->id;
	for (uint32_t m = barrier_arrived[id]; m; m &= m - 1)
		n++;
	return n;
}

static enum exit_action handle_hypercall(struct vcpu *v)
{
	uint64_t nr = (uint32_t)v->regs.rax;
	int64_t ret = 0;

	/*
	 * Only the guest's kernel talks to the hypervisor: user mode gets #UD, as
	 * with no hypervisor. In test mode user mode reaches the barrier too (the
	 * Linux test guest's memory checker is a program).
	 */
	if (virt->get_reg(v, VREG_CPL) != 0 && !(test_mode && nr == SV_HC_BARRIER)) {
		vcpu_inject_fault(v, VEC_UD, false, 0);
		return EXIT_CONTINUE;
	}
	complete_insn(v);
	switch (nr) {
	case SV_HC_VERSION:
		ret = SV_ABI_VERSION;
		break;
	case SV_HC_EXIT:
		vm_stop(v->vm, (int)(v->regs.rbx & 0xff), "exit hypercall");
		return EXIT_STOP;
	case SV_HC_YIELD:
		v->regs.rax = 0;
		return EXIT_YIELD;
	case SV_HC_SCAN_NOW:
	case SV_HC_PAGE_STATE:
	case SV_HC_BARRIER:
		/*
		 * Test aids only: a forced full scan costs the whole machine, and
		 * a page's sharing state tells a guest that another VM holds the
		 * same bytes (the deduplication side channel).
		 */
		if (!test_mode)
			ret = -SV_EPERM;
		else if (nr == SV_HC_SCAN_NOW)
			vmshare_scan_full(), ret = 0;
		else if (nr == SV_HC_PAGE_STATE)
			ret = vmshare_page_state(v->vm, (uint32_t)v->regs.rbx,
						 (uint32_t)v->regs.rcx, (uint32_t)v->regs.rdx);
		else
			ret = barrier(v->vm, (uint32_t)v->regs.rbx);
		break;
	default:
		ret = -SV_ENOSYS;
	}
	v->regs.rax = (uint64_t)ret;
	return EXIT_CONTINUE;
}

enum exit_action exit_handle(struct vcpu *v, const struct vm_exit *e)
{
	struct vm *vm = v->vm;

	v->counts.kind[e->kind]++;
	v->counts.total++;
	switch (e->kind) {
	case EXIT_NONE:
	case EXIT_EXTINT:
		return EXIT_CONTINUE;
	case EXIT_CPUID:
		handle_cpuid(v);
		complete_insn(v);
		return EXIT_CONTINUE;
	case EXIT_HLT:
		virt->skip_insn(v);
		v->halted = true;
		/*
		 * With IF = 0 only NMI, INIT or SMI would end the HLT: the vCPU
		 * stays halted, as on hardware, and `vms` shows it so, until an
		 * NMI comes (sched.c wakes it). The VM keeps its memory until it
		 * is destroyed.
		 */
		if (!(virt->get_reg(v, VREG_RFLAGS) & RFLAGS_IF)) {
			v->halt_forever = true;
			v->halt_rip = virt->get_reg(v, VREG_RIP);
			pr_info("vm %d '%s': halted with interrupts disabled (RIP %#llx); it stays halted\n",
				vm->id, vm->name, (unsigned long long)v->halt_rip);
		}
		return EXIT_YIELD;
	case EXIT_IO: {
		enum exit_action a;

		/* INS/OUTS (with REP): the emulator does the memory side and moves RIP. */
		if (e->io.string)
			return emulate_insn(v, 0);
		a = handle_io(v, e);
		if (a == EXIT_CONTINUE)
			complete_insn(v);
		return a;
	}
	case EXIT_MSR_READ:
	case EXIT_MSR_WRITE:
		handle_msr(v, e->kind == EXIT_MSR_WRITE);
		return EXIT_CONTINUE;
	case EXIT_CR_WRITE:
		complete_or_gp(v, vcpu_write_cr(v, e->cr.cr, e->cr.value));
		return EXIT_CONTINUE;
	case EXIT_DR_ACCESS:
		handle_dr_access(v, e);
		return EXIT_CONTINUE;
	case EXIT_NPF:
		return handle_npf(v, e);
	case EXIT_HYPERCALL:
		return handle_hypercall(v);
	case EXIT_INVD:
		/*
		 * Invalidating caches without writing them back would lose other
		 * VMs' and the hypervisor's data: it completes as a no-op (caches
		 * stay coherent, so the guest cannot tell).
		 */
		complete_insn(v);
		return EXIT_CONTINUE;
	case EXIT_VIRT_INSN:
	case EXIT_UD:
		vcpu_inject_fault(v, VEC_UD, false, 0);
		return EXIT_CONTINUE;
	case EXIT_XSETBV:
		handle_xsetbv(v);
		return EXIT_CONTINUE;
	case EXIT_TASK_SWITCH:
		return emulate_task_switch(v, e);
	case EXIT_EMULATE:
		return emulate_insn(v, 0);
	case EXIT_TRIPLE_FAULT:
		vm_stop(vm, -1, "triple fault (RIP %#llx)",
			(unsigned long long)virt->get_reg(v, VREG_RIP));
		return EXIT_STOP;
	case EXIT_FAIL:
	default:
		vm_stop(vm, -1, "%s (%s exit %#x, info %#llx)", e->fail.what,
			virt->name, e->raw, (unsigned long long)e->fail.info);
		return EXIT_STOP;
	}
}
