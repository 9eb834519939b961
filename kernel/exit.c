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
#include "kernel/ctlreg.h"
#include "kernel/exit.h"
#include "kernel/hvabi.h"
#include "kernel/mem.h"
#include "kernel/printk.h"
#include "kernel/testexit.h"
#include "kernel/vm.h"
#include "kernel/vmshare.h"
#include "kernel/x86def.h"
#include "mm/errno.h"

/* CPUID bits hidden from guests: what the hypervisor does not virtualise. */
#define CPUID1_ECX_HIDE ((1u << 3) /* MONITOR */ | (1u << 5) /* VMX */ |       \
			 (1u << 6) /* SMX */ | (1u << 7) /* EIST */ |            \
			 (1u << 8) /* TM2 */ | (1u << 12) /* FMA */ |            \
			 (1u << 15) /* PDCM: no perf capabilities MSR */ |       \
			 (1u << 18) /* DCA */ |                                  \
			 (1u << 21) /* x2APIC */ | (1u << 24) /* TSC deadline */ | \
			 (1u << 26) /* XSAVE */ | (1u << 27) /* OSXSAVE */ |     \
			 (1u << 28) /* AVX */ | (1u << 29) /* F16C */)
#define CPUID1_ECX_SET	(1u << 31)	/* "running under a hypervisor" */
#define CPUID1_EDX_HIDE ((1u << 7) /* MCE */ | (1u << 9) /* APIC */ |           \
			 (1u << 12) /* MTRR */ | (1u << 14) /* MCA */ |          \
			 (1u << 22) /* ACPI thermal */ | (1u << 29) /* TM */ |   \
			 (1u << 31) /* PBE */)
/*
 * Leaf 7.0: what needs XSAVE-managed state (AVX2, AVX-512, AMX, MPX, PKRU,
 * CET), what changes paging (LA57, PKS), and the MSR-backed features the
 * MSR policy does not offer (speculation controls, TSX force-abort,
 * processor trace, key locker, user wait).
 */
#define CPUID7_EBX_HIDE ((1u << 5) /* AVX2 */ | (1u << 14) /* MPX */ |          \
			 (1u << 16) /* AVX512F */ | (1u << 17) /* AVX512DQ */ |  \
			 (1u << 21) /* AVX512IFMA */ | (1u << 25) /* PT */ |     \
			 (1u << 26) /* AVX512PF */ | (1u << 27) /* AVX512ER */ | \
			 (1u << 28) /* AVX512CD */ | (1u << 30) /* AVX512BW */ | \
			 (1u << 31) /* AVX512VL */)
#define CPUID7_ECX_HIDE ((1u << 1) /* AVX512VBMI */ | (1u << 3) /* PKU */ |     \
			 (1u << 4) /* OSPKE */ | (1u << 5) /* WAITPKG */ |       \
			 (1u << 6) /* AVX512VBMI2 */ | (1u << 7) /* CET_SS */ |  \
			 (1u << 9) /* VAES */ | (1u << 10) /* VPCLMULQDQ */ |    \
			 (1u << 11) /* AVX512VNNI */ | (1u << 12) /* BITALG */ | \
			 (1u << 14) /* VPOPCNTDQ */ | (1u << 16) /* LA57 */ |    \
			 (1u << 23) /* KL */ | (1u << 31) /* PKS */)
#define CPUID7_EDX_HIDE ((1u << 2) /* 4VNNIW */ | (1u << 3) /* 4FMAPS */ |      \
			 (1u << 8) /* VP2INTERSECT */ | (1u << 13) /* TSX_FORCE_ABORT */ | \
			 (1u << 20) /* CET_IBT */ | (1u << 22) /* AMX_BF16 */ |  \
			 (1u << 23) /* AVX512FP16 */ | (1u << 24) /* AMX_TILE */ | \
			 (1u << 25) /* AMX_INT8 */ | (1u << 26) /* IBRS/IBPB */ | \
			 (1u << 27) /* STIBP */ | (1u << 28) /* L1D_FLUSH */ |   \
			 (1u << 29) /* ARCH_CAPABILITIES */ | (1u << 30) /* CORE_CAPABILITIES */ | \
			 (1u << 31) /* SSBD */)
#define CPUID81_ECX_HIDE ((1u << 2) /* SVM */ | (1u << 3) /* extended APIC */)
/* Leaf 0x80000008 EBX: AMD's speculation-control MSR features (IBPB, IBRS, STIBP, SSBD, ...). */
#define CPUID88_EBX_HIDE ((1u << 12) | (1u << 14) | (1u << 15) | (1u << 16) | \
			  (1u << 17) | (1u << 18) | (1u << 24) | (1u << 25) | (1u << 26))

static const char *const exit_names[EXIT_KIND_MAX] = {
	[EXIT_NONE] = "none",
	[EXIT_EXTINT] = "interrupt",
	[EXIT_CPUID] = "cpuid",
	[EXIT_HLT] = "hlt",
	[EXIT_IO] = "io",
	[EXIT_MSR_READ] = "rdmsr",
	[EXIT_MSR_WRITE] = "wrmsr",
	[EXIT_CR_WRITE] = "cr",
	[EXIT_NPF] = "npf",
	[EXIT_HYPERCALL] = "hypercall",
	[EXIT_VIRT_INSN] = "virt-insn",
	[EXIT_XSETBV] = "xsetbv",
	[EXIT_INVD] = "invd",
	[EXIT_TRIPLE_FAULT] = "triple-fault",
	[EXIT_FAIL] = "fail",
};

const char *exit_kind_name(enum exit_kind k)
{
	return (unsigned)k < EXIT_KIND_MAX ? exit_names[k] : "?";
}

static void inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
	struct virt_event ev = { EVENT_EXCEPTION, vector, has_error, error };

	virt->inject(v, &ev);
}

/* complete_or_gp - the instruction is done (skip it), or it faults with #GP(0) as on hardware. */
static void complete_or_gp(struct vcpu *v, bool ok)
{
	if (ok)
		virt->skip_insn(v);
	else
		inject_exception(v, VEC_GP, true, 0);
}

static void cpuid_hypervisor(const struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	uint64_t val;
	int nvms = 0;

	memset(r, 0, 4 * sizeof(r[0]));
	switch (leaf) {
	case SV_CPUID_BASE:
		r[0] = SV_CPUID_MAX;
		r[1] = SV_SIGNATURE_EBX;
		r[2] = SV_SIGNATURE_ECX;
		r[3] = SV_SIGNATURE_EDX;
		break;
	case SV_CPUID_INFO:
		for (int id = 1; id <= VM_MAX; id++)
			nvms += vms[id] != NULL;
		r[0] = SV_ABI_VERSION;
		r[1] = (uint32_t)v->vm->id;
		r[2] = (uint32_t)nvms;
		break;
	case SV_CPUID_COUNTER:
		if (vm_counter(v->vm, sub, &val)) {
			r[0] = (uint32_t)val;
			r[3] = (uint32_t)(val >> 32);
			r[1] = 1;
		}
		break;
	}
}

/* guest_cpuid - CPUID (@leaf, @sub) as guests see it: the host's, less what is not virtualised. */
static void guest_cpuid(const struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	if (leaf >= SV_CPUID_BASE && leaf < SV_CPUID_BASE + 0x100) {
		cpuid_hypervisor(v, leaf, sub, r);
		return;
	}
	arch_cpuid(leaf, sub, r);
	switch (leaf) {
	case 1:
		r[1] &= 0x00ffffff;	/* initial APIC id 0: one vCPU */
		r[2] = (r[2] & ~CPUID1_ECX_HIDE) | CPUID1_ECX_SET;
		r[3] &= ~CPUID1_EDX_HIDE;
		break;
	case 5:		/* MONITOR/MWAIT */
	case 6:		/* thermal and power */
	case 0xa:	/* performance monitoring */
	case 0xd:	/* XSAVE */
	case 0x8000000a:	/* SVM */
		memset(r, 0, 4 * sizeof(r[0]));
		break;
	case 7:
		if (sub != 0) {
			memset(r, 0, 4 * sizeof(r[0]));
			break;
		}
		r[0] = 0;	/* no sub-leaf 1 and up */
		r[1] &= ~CPUID7_EBX_HIDE;
		r[2] &= ~CPUID7_ECX_HIDE;
		r[3] &= ~CPUID7_EDX_HIDE;
		break;
	case 0x80000001:
		r[2] &= ~CPUID81_ECX_HIDE;
		break;
	case 0x80000008:
		r[1] &= ~CPUID88_EBX_HIDE;
		break;
	}
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

/* ctl_state_of - the guest state its control-register writes are checked against. */
static struct ctl_state ctl_state_of(struct vcpu *v)
{
	struct ctl_state s = {
		.cr0 = virt->get_reg(v, VREG_CR0),
		.cr3 = virt->get_reg(v, VREG_CR3),
		.cr4 = virt->get_reg(v, VREG_CR4),
		.efer = virt->get_reg(v, VREG_EFER),
	};

	s.cs_long = (s.efer & EFER_LMA) && virt->get_reg(v, VREG_CS_L);
	return s;
}

/* cr4_allowed - the CR4 bits this guest's CPUID advertises. */
static uint64_t cr4_allowed(const struct vcpu *v)
{
	uint32_t l1[4], l7[4];

	guest_cpuid(v, 1, 0, l1);
	guest_cpuid(v, 7, 0, l7);
	return ctl_cr4_allowed(l1, l7);
}

static uint64_t efer_allowed(const struct vcpu *v)
{
	uint32_t l81[4];

	guest_cpuid(v, 0x80000001, 0, l81);
	return ctl_efer_allowed(l81);
}

/* handle_io - port I/O: the debug-exit port, then the VM's devices; the rest floats. */
static enum exit_action handle_io(struct vcpu *v, const struct vm_exit *e)
{
	struct vm *vm = v->vm;
	uint32_t val = e->io.in ? 0 : (uint32_t)v->regs.rax, mask;

	if (e->io.string) {
		vm_stop(vm, -1, "string port I/O (INS/OUTS) on port %#x is not emulated",
			e->io.port);
		return EXIT_STOP;
	}
	mask = e->io.size == 4 ? 0xffffffffu : (1u << (8 * e->io.size)) - 1;
	if (!e->io.in && e->io.port == SV_PORT_DEBUG_EXIT) {
		vm_stop(vm, (int)(val & 0xff), "debug-exit port");
		return EXIT_STOP;
	}
	if (vm_port_io(vm, e->io.port, e->io.size, e->io.in, &val)) {
		/* No device answered: reads float high, writes vanish, as on a PC bus. */
		val = 0xffffffffu;
		vm->unhandled_ports++;
	}
	if (e->io.in)
		v->regs.rax = (v->regs.rax & ~(uint64_t)mask) | (val & mask);
	return EXIT_CONTINUE;
}

/* handle_msr - a small allow-list; #GP for everything else, as for an absent MSR. */
static void handle_msr(struct vcpu *v, bool write)
{
	uint32_t msr = (uint32_t)v->regs.rcx;
	uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
	bool ok = true;

	if (!write) {
		switch (msr) {
		case MSR_IA32_TSC:
			val = arch_read_tsc();
			break;
		case MSR_IA32_PAT:
			val = v->pat;
			break;
		case MSR_IA32_MISC_ENABLE:
			val = 1;	/* fast strings */
			break;
		case MSR_EFER:
			val = virt->get_reg(v, VREG_EFER);
			break;
		default:
			ok = false;
		}
		if (ok) {
			v->regs.rax = (uint32_t)val;
			v->regs.rdx = val >> 32;
		}
	} else {
		switch (msr) {
		case MSR_IA32_PAT:
			/* Each byte a memory type: 2 and 3 and 8 up are reserved (SDM vol. 3A 13.12.2). */
			for (int i = 0; i < 8 && ok; i++) {
				uint8_t t = (uint8_t)(val >> (8 * i));
				ok = t <= 7 && t != 2 && t != 3;
			}
			if (ok) {
				v->pat = val;
				virt->set_reg(v, VREG_PAT, val);
			}
			break;
		case MSR_EFER: {
			struct ctl_state cs = ctl_state_of(v);
			uint64_t efer;

			ok = ctl_efer_value(&cs, efer_allowed(v), val, &efer);
			if (ok)
				virt->set_reg(v, VREG_EFER, efer);
			break;
		}
		default:
			ok = false;
		}
	}
	complete_or_gp(v, ok);
}

/* handle_cr_write - a checked write to CR0 or CR4; #GP where the CPU would give one. */
static void handle_cr_write(struct vcpu *v, const struct vm_exit *e)
{
	struct ctl_state cs = ctl_state_of(v);
	uint64_t val = e->cr.value;
	bool ok;

	switch (e->cr.cr) {
	case 0:
		ok = ctl_cr0_ok(&cs, val);
		if (ok)
			virt->set_reg(v, VREG_CR0, val);
		break;
	case 4:
		ok = ctl_cr4_ok(&cs, cr4_allowed(v), val);
		if (ok)
			virt->set_reg(v, VREG_CR4, val);
		break;
	default:
		ok = false;
	}
	complete_or_gp(v, ok);
}

/*
 * handle_xsetbv - XSETBV: #UD unless the guest turned on CR4.OSXSAVE (which
 * needs XSAVE in its CPUID), #GP from user mode or for a value SDM vol. 1
 * 13.3 forbids. No XSAVE state is offered to guests yet, so no value passes.
 */
static void handle_xsetbv(struct vcpu *v)
{
	uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;

	if (!(virt->get_reg(v, VREG_CR4) & CR4_OSXSAVE)) {
		inject_exception(v, VEC_UD, false, 0);
		return;
	}
	complete_or_gp(v, virt->get_reg(v, VREG_CPL) == 0 &&
			  ctl_xcr0_ok(0, (uint32_t)v->regs.rcx, val));
}

/* handle_npf - first touch of guest RAM populates it; anything else outside RAM stops the VM. */
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
	vm_stop(vm, -1, "%s access to gpa %#llx %s (RIP %#llx)",
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

	/* Only the guest's kernel talks to the hypervisor: user mode gets #UD, as with no hypervisor. */
	if (virt->get_reg(v, VREG_CPL) != 0) {
		inject_exception(v, VEC_UD, false, 0);
		return EXIT_CONTINUE;
	}
	virt->skip_insn(v);
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
			ret = hv_share ? (share_scan_full(hv_share), 0) : 0;
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
		virt->skip_insn(v);
		return EXIT_CONTINUE;
	case EXIT_HLT:
		virt->skip_insn(v);
		v->halted = true;
		/*
		 * With IF = 0 only NMI, INIT or SMI would end the HLT, and none is
		 * delivered: the vCPU stays halted, as on hardware, and `vms`
		 * shows it so. The VM keeps its memory until it is destroyed.
		 */
		if (!(virt->get_reg(v, VREG_RFLAGS) & RFLAGS_IF)) {
			v->halt_forever = true;
			v->halt_rip = virt->get_reg(v, VREG_RIP);
			pr_info("vm %d '%s': halted with interrupts disabled (RIP %#llx); it stays halted\n",
				vm->id, vm->name, (unsigned long long)v->halt_rip);
		}
		return EXIT_YIELD;
	case EXIT_IO: {
		enum exit_action a = handle_io(v, e);
		if (a == EXIT_CONTINUE)
			virt->skip_insn(v);
		return a;
	}
	case EXIT_MSR_READ:
	case EXIT_MSR_WRITE:
		handle_msr(v, e->kind == EXIT_MSR_WRITE);
		return EXIT_CONTINUE;
	case EXIT_CR_WRITE:
		handle_cr_write(v, e);
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
		virt->skip_insn(v);
		return EXIT_CONTINUE;
	case EXIT_VIRT_INSN:
		inject_exception(v, VEC_UD, false, 0);
		return EXIT_CONTINUE;
	case EXIT_XSETBV:
		handle_xsetbv(v);
		return EXIT_CONTINUE;
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
