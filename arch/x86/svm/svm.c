// SPDX-License-Identifier: MIT
/*
 * svm.c - the AMD SVM backend: enabling SVM, VMCB set-up, running a vCPU.
 *
 * Works without every optional SVM feature (APM vol. 2 15.4; QEMU TCG has
 * none of them): without NRIPS the next RIP comes from known instruction
 * lengths (or the IOIO exit's EXITINFO2), without flush-by-ASID a TLB flush
 * flushes every ASID, and the VMCB clean bits are never set (all state is
 * reloaded at every VMRUN).
 *
 * CR0, CR4 and EFER writes all exit and go through the policy's checks, and
 * the VMCB's EFER.LME is set only while the guest's CR0.PG is (the guest
 * still reads the LME it wrote). QEMU's TCG needs the latter: on #VMEXIT it
 * loads the host's CR0 while EFER and CR4 are still the guest's, and when
 * those say LME = 1, PAE = 0 it takes the host's CR0.PG for an illegal
 * entry into long mode and drops the whole CR0 load, so the host ran on
 * with the guest's CR0 (paging off) after any exit taken in that state
 * (docs/ARCHITECTURE.md, emulator quirks). LME without PG does nothing on
 * hardware, so leaving it out of the VMCB until paging starts is exact.
 */
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/cpufeat.h"
#include "arch/x86/gpr.h"
#include "arch/x86/svm/npt.h"
#include "arch/x86/svm/svm.h"
#include "arch/x86/x86.h"
#include "kernel/mem.h"
#include "kernel/printk.h"
#include "kernel/vm.h"
#include "mm/errno.h"

#define IOPM_FRAMES	3	/* 12 KiB: one bit per port, APM 15.10.1 */
#define MSRPM_FRAMES	2	/* 8 KiB: two bits per MSR, APM 15.11 */

_Static_assert(offsetof(struct gpr, rbx) == GPR_RBX && offsetof(struct gpr, rdi) == GPR_RDI &&
	       offsetof(struct gpr, r8) == GPR_R8 && offsetof(struct gpr, r15) == GPR_R15,
	       "arch/x86/gpr.h offsets follow struct gpr");

static uint64_t host_vmcb_pa;	/* host FS/GS/TR/LDTR and syscall MSRs (VMSAVE) */
static uint64_t iopm_pa, msrpm_pa;	/* shared: every port and MSR intercepted, but the direct ones */

/*
 * MSRs the guest reads and writes itself: VMLOAD/VMSAVE around VMRUN switch
 * them (svm_entry.S), so no guest value ever reaches the host (APM vol. 2
 * 15.5.2).
 */
static const uint32_t direct_msrs[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR, MSR_CSTAR,
	MSR_SFMASK, MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
};

/* Direct as well, where the CPU has it, and switched lazily (arch/x86/lazy.c): TSC_AUX, for RDTSCP. */
static const uint32_t lazy_msrs[] = { MSR_TSC_AUX };

/* msrpm_direct - clear @msr's read and write intercept bits (two per MSR, APM vol. 2 15.11). */
static void msrpm_direct(uint8_t *pm, uint32_t msr)
{
	uint32_t off;

	if (msr < 0x2000)
		off = 0;
	else if (msr - 0xc0000000u < 0x2000)
		off = 0x800;
	else
		off = 0x1000;	/* 0xc0010000 .. 0xc0011fff */
	off = off * 8 + (msr & 0x1fff) * 2;
	pm[off / 8] &= (uint8_t)~(3u << (off % 8));
}

static struct svm_vcpu *S(struct vcpu *v)
{
	return v->arch;
}

static int svm_cpu_enable(void)
{
	uint64_t hsave = frame_alloc_filled(&hv_frames, 1, FRAME_HV, 0, 0);

	host_vmcb_pa = frame_alloc_filled(&hv_frames, 1, FRAME_HV, 0, 0);
	iopm_pa = frame_alloc_filled(&hv_frames, IOPM_FRAMES, FRAME_HV, 0, 0xff);
	msrpm_pa = frame_alloc_filled(&hv_frames, MSRPM_FRAMES, FRAME_HV, 0, 0xff);
	if (!hsave || !host_vmcb_pa || !iopm_pa || !msrpm_pa)
		return -SV_ENOMEM;
	for (unsigned i = 0; i < sizeof(direct_msrs) / sizeof(direct_msrs[0]); i++)
		msrpm_direct(frame_va(&hv_frames, msrpm_pa), direct_msrs[i]);
	if (cpu_features.rdtscp)
		msrpm_direct(frame_va(&hv_frames, msrpm_pa), MSR_TSC_AUX);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, hsave);
	__asm__ volatile("vmsave %0" : : "a"(host_vmcb_pa) : "memory");
	return 0;
}

/*
 * svm_sync_efer - the VMCB's EFER from the guest's: SVME always (APM vol. 2
 * 15.5.1), LME and LMA only while CR0.PG is set (LMA = LME && PG, as the
 * CPU keeps it; why LME waits for PG: the header).
 */
static void svm_sync_efer(struct svm_vcpu *s)
{
	struct vmcb *c = s->vmcb;
	bool lma = (s->efer & EFER_LME) && (c->cr0 & CR0_PG);

	c->efer = (s->efer & ~(uint64_t)(EFER_LME | EFER_LMA)) | EFER_SVME |
		  (lma ? EFER_LME | EFER_LMA : 0);
}

/* load_state - @st into the VMCB's save area (the segment attributes are already in VMCB form). */
static void load_state(struct svm_vcpu *s, const struct vcpu_boot_state *st)
{
	struct vmcb *c = s->vmcb;
	struct vmcb_seg *const seg[SEG_COUNT] = {
		[SEG_ES] = &c->es, [SEG_CS] = &c->cs, [SEG_SS] = &c->ss, [SEG_DS] = &c->ds,
		[SEG_FS] = &c->fs, [SEG_GS] = &c->gs, [SEG_LDTR] = &c->ldtr, [SEG_TR] = &c->tr,
	};

	for (int i = 0; i < SEG_COUNT; i++) {
		seg[i]->sel = st->seg[i].sel;
		seg[i]->attrib = st->seg[i].attr;
		seg[i]->limit = st->seg[i].limit;
		seg[i]->base = st->seg[i].base;
	}
	c->gdtr.base = st->gdtr.base;
	c->gdtr.limit = st->gdtr.limit;
	c->idtr.base = st->idtr.base;
	c->idtr.limit = st->idtr.limit;
	c->cpl = (uint8_t)((st->seg[SEG_SS].attr >> 5) & 3);
	c->cr0 = st->cr0;
	c->cr3 = st->cr3;
	c->cr4 = st->cr4;
	s->efer = st->efer & ~(uint64_t)(EFER_LMA | EFER_SVME);
	svm_sync_efer(s);
	c->dr6 = 0xffff0ff0;
	c->dr7 = 0x400;
	c->rflags = st->rflags | RFLAGS_FIXED;
	c->rip = st->rip;
	c->rsp = st->rsp;
}

static int svm_vcpu_init(struct vcpu *v, const struct vcpu_boot_state *st)
{
	struct svm_vcpu *s = heap_alloc(&hv_heap, sizeof(*s));
	struct vmcb *c;

	if (!s)
		return -SV_ENOMEM;
	s->vmcb_pa = frame_alloc_filled(&hv_frames, 1, FRAME_HV, 0, 0);
	if (!s->vmcb_pa) {
		heap_free(&hv_heap, s);
		return -SV_ENOMEM;
	}
	c = s->vmcb = frame_va(&hv_frames, s->vmcb_pa);
	lazy_init(&s->lazy, false, lazy_msrs, cpu_features.rdtscp ? 1 : 0);
	v->arch = s;

	/*
	 * CR0 and CR4 writes are checked by the policy (kernel/ctlreg.c), as on
	 * VMX. CR8 writes exit too: the policy sets the APIC's TPR, and a
	 * lowered TPR lets a pending interrupt in at once. (QEMU 7.2 also
	 * aborts on a guest CR8 write while V_IRQ is set, docs/ARCHITECTURE.md.)
	 * CR8 reads come from V_TPR without an exit.
	 */
	c->intercept_cr = SVM_INTERCEPT_CR_WRITE(0) | SVM_INTERCEPT_CR_WRITE(4) |
			  SVM_INTERCEPT_CR_WRITE(8);
	/*
	 * Every debug-register access, read or write: they are virtual (the
	 * policy's), and the VMCB's DR7 stays at its reset value, so no guest
	 * breakpoint is ever armed in the CPU (QEMU 7.2 crashes when a VMRUN
	 * loads an enabling DR7, docs/ARCHITECTURE.md). DR6 stays in the VMCB,
	 * where the CPU records a guest #DB.
	 */
	c->intercept_dr = 0xffffffff;
	/* INVD must be intercepted: in a guest it would drop the host's dirty cache lines. */
	c->intercept3 = SVM_INT3_INTR | SVM_INT3_NMI | SVM_INT3_CPUID | SVM_INT3_HLT |
			SVM_INT3_INVD | SVM_INT3_INVLPGA | SVM_INT3_IOIO | SVM_INT3_MSR |
			SVM_INT3_SHUTDOWN | SVM_INT3_TASK_SWITCH;
	/* VMRUN must be intercepted (APM 15.5.1); the others are SVM instructions a guest may not use. */
	/*
	 * WBINVD too: QEMU's TCG checks the WBINVD intercept for INVD (0F 08),
	 * so without it a guest's INVD would run there. Both complete as no-ops.
	 */
	c->intercept4 = SVM_INT4_WBINVD | SVM_INT4_VMRUN | SVM_INT4_VMMCALL | SVM_INT4_VMLOAD | SVM_INT4_VMSAVE |
			SVM_INT4_STGI | SVM_INT4_CLGI | SVM_INT4_SKINIT | SVM_INT4_MONITOR |
			SVM_INT4_MWAIT | SVM_INT4_MWAIT_COND | SVM_INT4_XSETBV;
	c->iopm_pa = iopm_pa;
	c->msrpm_pa = msrpm_pa;
	c->asid = v->vm->asid;
	c->tlb_control = SVM_TLB_FLUSH_ALL;
	/* Physical interrupts stay the host's; the guest's IF gates only virtual ones (APM 15.21.1). */
	c->int_ctl = SVM_V_INTR_MASKING;
	c->np_enable = 1;
	c->n_cr3 = npt_ncr3(p2m_root_pa(&v->vm->p2m));
	c->g_pat = 0x0007040600070406ull;	/* the power-on PAT */

	load_state(s, st);
	v->regs = st->regs;
	v->pat = c->g_pat;
	return 0;
}

static void svm_vcpu_free(struct vcpu *v)
{
	struct svm_vcpu *s = S(v);

	lazy_forget(&s->lazy);
	frame_put(&hv_frames, s->vmcb_pa);
	heap_free(&hv_heap, s);
	v->arch = NULL;
}

/*
 * soft_event - EXITINTINFO @info came from INTn, INT3 or INTO (the last two
 * are reported as exceptions 3 and 4, APM 15.7.2). RIP still points at that
 * instruction, which raises the event again when the guest resumes; injecting
 * it as well would deliver it twice (the handler returns to the instruction).
 */
static bool soft_event(uint64_t info)
{
	uint64_t type = info & SVM_EVT_TYPE_MASK, vec = info & 0xff;

	return type == SVM_EVT_TYPE_SOFT || (type == SVM_EVT_TYPE_EXC && (vec == 3 || vec == 4));
}

static void svm_vcpu_run(struct vcpu *v, struct vm_exit *e)
{
	struct svm_vcpu *s = S(v);
	struct vmcb *c = s->vmcb;
	const char *bad = svm_state_error(c);

	/* Never VMRUN a state the CPU would refuse: some emulators mishandle the refusal. */
	if (bad) {
		e->kind = EXIT_FAIL;
		e->raw = SVM_EXIT_INVALID;
		e->fail.what = bad;
		e->fail.info = c->rip;
		return;
	}
	lazy_load(&s->lazy);
	c->rax = v->regs.rax;
	if (s->flush) {
		c->tlb_control = cpu_features.flush_by_asid ? SVM_TLB_FLUSH_ASID
							     : SVM_TLB_FLUSH_ALL;
		s->flush = false;
	}
	/* GIF = 0 holds interrupts off until VMRUN; host IF = 1 lets them exit the guest. */
	__asm__ volatile("clgi; sti" ::: "memory");
	svm_enter(s->vmcb_pa, &v->regs, host_vmcb_pa);
	__asm__ volatile("cli; stgi" ::: "memory");
	/* The interrupt that ended the guest is still pending: take it now. */
	__asm__ volatile("sti; nop; cli" ::: "memory");
	c->tlb_control = SVM_TLB_FLUSH_NONE;
	v->regs.rax = c->rax;
	/* An event cut short by this exit (e.g. an NPF while delivering it) is delivered again. */
	if ((c->exitintinfo & SVM_EVT_VALID) && !soft_event(c->exitintinfo))
		c->eventinj = c->exitintinfo;
	svm_decode_exit(v, e);
}

static uint64_t svm_get_reg(struct vcpu *v, enum vreg r)
{
	struct vmcb *c = S(v)->vmcb;

	switch (r) {
	case VREG_RIP: return c->rip;
	case VREG_RSP: return c->rsp;
	case VREG_RFLAGS: return c->rflags;
	case VREG_CR0: return c->cr0;
	case VREG_CR2: return c->cr2;
	case VREG_CR3: return c->cr3;
	case VREG_CR4: return c->cr4;
	case VREG_EFER: return S(v)->efer | (c->efer & EFER_LMA);
	case VREG_CS_BASE: return c->cs.base;
	case VREG_CPL: return c->cpl;
	case VREG_CS_L: return !!(c->cs.attrib & VMCB_ATTR_L);
	case VREG_DR6: return c->dr6;
	case VREG_XCR0: return lazy_xcr0(&S(v)->lazy);
	case VREG_TPR: return (c->int_ctl & SVM_V_TPR_MASK) << 4;
	case VREG_GDT_BASE: return c->gdtr.base;
	case VREG_GDT_LIMIT: return c->gdtr.limit;
	default: return 0;
	}
}

static struct vmcb_seg *vmcb_seg(struct vmcb *c, int i)
{
	struct vmcb_seg *const seg[SEG_COUNT] = {
		[SEG_ES] = &c->es, [SEG_CS] = &c->cs, [SEG_SS] = &c->ss, [SEG_DS] = &c->ds,
		[SEG_FS] = &c->fs, [SEG_GS] = &c->gs, [SEG_LDTR] = &c->ldtr, [SEG_TR] = &c->tr,
	};

	return seg[i];
}

static void svm_get_seg(struct vcpu *v, int i, struct seg_state *s)
{
	const struct vmcb_seg *g = vmcb_seg(S(v)->vmcb, i);

	s->sel = g->sel;
	s->attr = g->attrib;
	s->limit = g->limit;
	s->base = g->base;
}

/* svm_set_seg - the VMCB keeps the CPL apart (APM vol. 2 15.5.1): it follows SS.DPL. */
static void svm_set_seg(struct vcpu *v, int i, const struct seg_state *s)
{
	struct vmcb *c = S(v)->vmcb;
	struct vmcb_seg *g = vmcb_seg(c, i);

	g->sel = s->sel;
	g->attrib = s->attr;
	g->limit = s->limit;
	g->base = s->base;
	if (i == SEG_SS)
		c->cpl = (uint8_t)((s->attr >> 5) & 3);
}

static void svm_set_reg(struct vcpu *v, enum vreg r, uint64_t val)
{
	struct vmcb *c = S(v)->vmcb;

	switch (r) {
	case VREG_RIP: c->rip = val; break;
	case VREG_RSP: c->rsp = val; break;
	case VREG_RFLAGS: c->rflags = val | 2; break;
	case VREG_CR0: c->cr0 = val; svm_sync_efer(S(v)); break;
	case VREG_CR2: c->cr2 = val; break;
	case VREG_CR3: c->cr3 = val; break;
	case VREG_CR4: c->cr4 = val; break;
	case VREG_EFER: S(v)->efer = val & ~(uint64_t)(EFER_LMA | EFER_SVME); svm_sync_efer(S(v)); break;
	case VREG_PAT: c->g_pat = val; break;	/* the guest PAT for nested paging (APM 15.25.8) */
	case VREG_TSC_OFFSET: c->tsc_offset = val; break;
	case VREG_DR6: c->dr6 = val; break;
	case VREG_XCR0: lazy_set_xcr0(&S(v)->lazy, val); break;
	case VREG_INT_SHADOW: c->int_state = (c->int_state & ~1ull) | (val & 1); break;
	/* With V_INTR_MASKING, guest CR8 reads and writes V_TPR (APM vol. 2 15.21.1). */
	case VREG_TPR: c->int_ctl = (c->int_ctl & ~SVM_V_TPR_MASK) | ((val >> 4) & SVM_V_TPR_MASK); break;
	default: break;
	}
}

static void svm_skip_insn(struct vcpu *v)
{
	struct svm_vcpu *s = S(v);

	if (s->has_next_rip)
		s->vmcb->rip = s->next_rip;
	else
		s->vmcb->rip += s->insn_len;
	/* Skipping an instruction ends any STI/MOV SS interrupt shadow. */
	s->vmcb->int_state &= ~1ull;
}

static void svm_inject(struct vcpu *v, const struct virt_event *ev)
{
	static const uint32_t type[] = {
		[EVENT_EXTINT] = SVM_EVT_TYPE_INTR,
		[EVENT_NMI] = SVM_EVT_TYPE_NMI,
		[EVENT_EXCEPTION] = SVM_EVT_TYPE_EXC,
	};
	uint64_t inj = ev->vector | type[ev->type] | SVM_EVT_VALID;
	struct svm_vcpu *s = S(v);

	if (ev->has_error)
		inj |= SVM_EVT_ERR_VALID | ((uint64_t)ev->error << 32);
	s->vmcb->eventinj = inj;
	if (ev->type == EVENT_NMI) {
		/* Blocked until the handler's IRET (APM vol. 2 15.20 leaves that to the VMM). */
		s->nmi_blocked = true;
		s->iret_seen = false;
		s->vmcb->intercept3 |= SVM_INT3_IRET;
	}
}

static bool svm_can_inject(struct vcpu *v, enum event_type t)
{
	struct svm_vcpu *s = S(v);
	struct vmcb *c = s->vmcb;

	if (s->iret_seen && c->rip != s->iret_rip) {
		/* That IRET has completed, or faulted (it unblocks NMIs either way). */
		if (s->nmi_step)
			svm_nmi_step_done(s);
		s->nmi_blocked = s->iret_seen = false;
	}
	if ((c->eventinj & SVM_EVT_VALID) || (c->int_state & 1) || s->nmi_step)
		return false;
	return t == EVENT_NMI ? !s->nmi_blocked : (c->rflags & RFLAGS_IF);
}

/*
 * svm_update_windows - a virtual interrupt request makes a VINTR exit once
 * the guest can take an interrupt (an interrupt window); an NMI waiting on
 * an IRET that has exited single-steps that IRET (APM vol. 2 15.20 leaves
 * NMI blocking to the VMM; a #DB exit follows the IRET at once).
 */
void svm_update_windows(struct svm_vcpu *s)
{
	struct vmcb *c = s->vmcb;

	if (s->want_nmi && s->iret_seen && !s->nmi_step && c->rip == s->iret_rip) {
		s->nmi_step = true;
		s->nmi_step_tf = c->rflags & RFLAGS_TF;
		s->nmi_step_dr6 = c->dr6;
		c->rflags |= RFLAGS_TF;
		c->intercept_exc |= 1u << VEC_DB;
	}
	/* No interrupt window while stepping: a VINTR exit before the IRET would repeat. */
	if (s->want_irq && !s->nmi_step) {
		c->int_ctl |= SVM_V_IRQ | SVM_V_IGN_TPR;
		c->intercept3 |= SVM_INT3_VINTR;
	} else {
		c->int_ctl &= ~(SVM_V_IRQ | SVM_V_IGN_TPR);
		c->intercept3 &= ~SVM_INT3_VINTR;
	}
}

void svm_nmi_step_done(struct svm_vcpu *s)
{
	struct vmcb *c = s->vmcb;

	s->nmi_step = false;
	c->intercept_exc &= ~(1u << VEC_DB);
	/* The IRET popped the guest's own RFLAGS; the DR6.BS the step set is ours. */
	if (!s->nmi_step_tf)
		c->dr6 = s->nmi_step_dr6;
}

static void svm_want_window(struct vcpu *v, enum event_type t, bool on)
{
	struct svm_vcpu *s = S(v);

	if (t == EVENT_NMI)
		s->want_nmi = on;
	else
		s->want_irq = on;
	svm_update_windows(s);
}

static void svm_flush_tlb(struct vm *vm)
{
	vm_for_each_vcpu(vm, v)
		if (v->arch)
			S(v)->flush = true;
}

const struct virt_ops svm_ops = {
	.name = "SVM",
	.p2m_format = &npt_format,
	.p2m_flags = 0,
	.cpu_enable = svm_cpu_enable,
	.vcpu_init = svm_vcpu_init,
	.vcpu_free = svm_vcpu_free,
	.vcpu_run = svm_vcpu_run,
	.get_reg = svm_get_reg,
	.get_seg = svm_get_seg,
	.set_reg = svm_set_reg,
	.set_seg = svm_set_seg,
	.skip_insn = svm_skip_insn,
	.inject = svm_inject,
	.can_inject = svm_can_inject,
	.want_window = svm_want_window,
	.flush_tlb = svm_flush_tlb,
	.exit_name = svm_exit_name,
};
