// SPDX-License-Identifier: MIT
/*
 * svm_exit.c - decode a #VMEXIT into the normalised struct vm_exit.
 *
 * Without NRIPS the length of the exiting instruction is known from its
 * encoding: the intercepted instructions have fixed forms (CPUID 0F A2,
 * HLT F4, RDMSR 0F 32, WRMSR 0F 30, VMMCALL 0F 01 D9, XSETBV 0F 01 D1).
 * For port I/O, EXITINFO2 holds the next RIP in every implementation
 * (APM 15.10.2).
 */
#include "arch/x86/asm.h"
#include "arch/x86/cpufeat.h"
#include "arch/x86/insn.h"
#include "arch/x86/svm/svm.h"
#include "kernel/gmem.h"
#include "kernel/vm.h"

static void set_len(struct svm_vcpu *s, uint32_t len)
{
	s->insn_len = len;
	if (cpu_features.nrips) {
		s->next_rip = s->vmcb->next_rip;
		s->has_next_rip = true;
	}
}

static void fail(struct vm_exit *e, const char *what, uint64_t info)
{
	e->kind = EXIT_FAIL;
	e->fail.what = what;
	e->fail.info = info;
}

/*
 * decode_cr_write - the value an intercepted write to CR@cr wants: MOV to
 * CRn (its register from decode assists, or decoded) or CLTS. LMSW, whose
 * operand may be in memory, goes to the instruction emulator (decode
 * assists name only MOV's register, APM vol. 2 15.33.1).
 */
static void decode_cr_write(struct vcpu *v, struct svm_vcpu *s, unsigned cr, struct vm_exit *e)
{
	struct vmcb *c = s->vmcb;
	bool lm64 = (c->efer & EFER_LMA) && (c->cs.attrib & VMCB_ATTR_L);
	struct cr_write w;
	uint64_t src;

	if (cpu_features.decode_assists && (c->exitinfo1 >> 63)) {
		w.lock = false;
		w.insn = CR_INSN_MOV;
		w.cr = cr;
		w.gpr = c->exitinfo1 & 15;
		w.len = 3;	/* without NRIPS only the shortest form is assumed */
	} else if (!x86_decode_cr_write(v, c->efer & EFER_LMA, &w) ||
		   (w.insn == CR_INSN_MOV ? w.cr != cr && !(w.lock && cr == 8) : cr != 0)) {
		fail(e, "intercepted CR write is not a MOV to CR, CLTS or LMSW", c->rip);
		return;
	}
	if (w.lock) {
		/*
		 * LOCK on MOV CR is #UD (SDM vol. 2B); QEMU exits for it as a CR0
		 * write, AMD CPUs with AltMovCr8 as a CR8 write (not offered here).
		 */
		e->kind = EXIT_UD;
		return;
	}
	if (w.insn == CR_INSN_LMSW) {
		e->kind = EXIT_EMULATE;
		return;
	}
	e->kind = EXIT_CR_WRITE;
	e->cr.cr = (int)cr;
	if (w.insn == CR_INSN_CLTS) {
		e->cr.value = c->cr0 & ~(uint64_t)CR0_TS;
	} else {
		src = vcpu_gpr(v, w.gpr);
		e->cr.value = lm64 ? src : (uint32_t)src;	/* 32-bit operand outside 64-bit mode */
	}
	set_len(s, w.len);
}

/*
 * decode_dr_access - an intercepted MOV to (@write) or from DR@dr: the
 * general register from decode assists (APM vol. 2 15.33.1), or decoded.
 */
static void decode_dr_access(struct vcpu *v, struct svm_vcpu *s, unsigned dr, bool write,
			     struct vm_exit *e)
{
	struct vmcb *c = s->vmcb;
	struct dr_access a;

	if (cpu_features.decode_assists) {
		a.gpr = c->exitinfo1 & 15;
		a.len = 3;	/* without NRIPS only the shortest form is assumed */
	} else if (!x86_decode_dr_access(v, (c->efer & EFER_LMA) && (c->cs.attrib & VMCB_ATTR_L), &a) ||
		   a.dr != dr || a.write != write) {
		fail(e, "intercepted DR access is not a MOV to or from DR", c->rip);
		return;
	} else if (a.lock) {
		e->kind = EXIT_UD;	/* LOCK MOV DR is #UD (SDM vol. 2B) */
		return;
	}
	e->kind = EXIT_DR_ACCESS;
	e->dr.dr = dr;
	e->dr.gpr = a.gpr;
	e->dr.write = write;
	set_len(s, a.len);
}

/* idt_task_gate - IDT entry @vec of the guest is a task gate to TSS @sel. */
static bool idt_task_gate(struct vcpu *v, const struct vmcb *c, unsigned vec, uint16_t sel)
{
	uint8_t d[8];

	if (vec * 8 + 7 > c->idtr.limit || guest_read_linear(v, c->idtr.base + vec * 8, d, 8))
		return false;
	return (d[5] & 0x1f) == 5 && ((d[2] | d[3] << 8) & 0xfffc) == (sel & 0xfffc);
}

/*
 * task_switch - task switches are intercepted so that the policy does them
 * as on VMX (a native switch can stop half way on a nested page fault, then
 * finds its own TSS busy when the event is re-delivered). EXITINFO1 holds
 * the new TSS's selector; EXITINFO2 bit 36 IRET, bit 38 JMP, bit 44 an
 * error code in bits 31:0 (APM vol. 2, "Task Switch Intercept" in chapter
 * 15); EXITINTINFO the event a task gate delivers, which the
 * switch consumes. RIP is the instruction's own (CALL, JMP, IRET, INT n):
 * its length is decoded.
 */
static void task_switch(struct vcpu *v, struct svm_vcpu *s, struct vm_exit *e)
{
	struct vmcb *c = s->vmcb;
	uint64_t info = c->exitintinfo, i2 = c->exitinfo2;
	uint32_t type = (uint32_t)info & SVM_EVT_TYPE_MASK;
	uint16_t sel = (uint16_t)c->exitinfo1;
	uint8_t vec = (uint8_t)info;
	bool gate = info & SVM_EVT_VALID, code32 = c->cs.attrib & VMCB_ATTR_DB;
	unsigned len = 0;
	int n;

	/*
	 * Bochs's AMD model records EXITINTINFO for exceptions only and leaves
	 * a stale one for INT n and external interrupts: an event whose IDT
	 * entry is no task gate to this TSS is taken for the INT at RIP (if its
	 * gate is) or for an external interrupt.
	 */
	if (gate && !idt_task_gate(v, c, vec, sel)) {
		if (x86_task_insn_len(v, code32, &len, &n) && n >= 0 && idt_task_gate(v, c, (unsigned)n, sel)) {
			vec = (uint8_t)n;
			type = n == 3 || n == 4 ? SVM_EVT_TYPE_EXC : SVM_EVT_TYPE_SOFT;
		} else {
			type = SVM_EVT_TYPE_INTR;
		}
	}
	if ((!gate || type == SVM_EVT_TYPE_SOFT || (type == SVM_EVT_TYPE_EXC && (vec == 3 || vec == 4))) &&
	    !x86_task_insn_len(v, code32, &len, &n)) {
		fail(e, "task switch by an instruction that is not a far CALL/JMP, IRET or INT", c->rip);
		return;
	}
	e->kind = EXIT_TASK_SWITCH;
	e->vectoring = false;
	e->task.sel = sel;
	e->task.reason = (i2 >> 36) & 1 ? TASK_IRET : (i2 >> 38) & 1 ? TASK_JMP :
			 gate ? TASK_GATE : TASK_CALL;
	e->task.insn_len = (uint8_t)len;
	e->task.exception = gate && type == SVM_EVT_TYPE_EXC;
	e->task.vector = vec;
	e->task.has_error = (i2 >> 44) & 1;
	e->task.error = (uint32_t)i2;
	if (gate)
		c->eventinj = 0;	/* svm_vcpu_run queued it again */
	c->int_state &= ~1ull;		/* no interrupt shadow in the new task */
}

void svm_decode_exit(struct vcpu *v, struct vm_exit *e)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb *c = s->vmcb;
	uint32_t code = (uint32_t)c->exitcode;
	uint64_t i1 = c->exitinfo1;

	e->raw = code;
	e->kind = EXIT_NONE;
	e->vectoring = c->exitintinfo & SVM_EVT_VALID;
	s->insn_len = 0;
	s->has_next_rip = false;
	switch (code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
		e->kind = EXIT_EXTINT;
		break;
	case SVM_EXIT_VINTR:
		/* The interrupt window is open; drop the request, the scheduler injects. */
		s->want_irq = s->want_nmi = false;
		svm_update_windows(s);
		break;
	case SVM_EXIT_EXCP_BASE + VEC_DB:
		/* Only intercepted for an NMI single-step: the IRET is done. */
		if (!s->nmi_step) {
			fail(e, "unexpected #DB intercept", c->rip);
			break;
		}
		svm_nmi_step_done(s);
		/* A guest that single-steps the IRET itself gets its #DB too. */
		if (s->nmi_step_tf)
			c->eventinj = VEC_DB | SVM_EVT_TYPE_EXC | SVM_EVT_VALID;
		break;
	case SVM_EXIT_IRET:
		/* The NMI handler returns: the IRET runs when the guest resumes, then NMIs unblock. */
		s->iret_seen = true;
		s->iret_rip = c->rip;
		c->intercept3 &= ~SVM_INT3_IRET;
		break;
	case SVM_EXIT_CR0_WRITE:
	case SVM_EXIT_CR0_WRITE + 4:
	case SVM_EXIT_CR0_WRITE + 8:
		decode_cr_write(v, s, code - SVM_EXIT_CR0_WRITE, e);
		break;
	case SVM_EXIT_DR0_READ ... SVM_EXIT_DR0_READ + 15:
		decode_dr_access(v, s, code - SVM_EXIT_DR0_READ, false, e);
		break;
	case SVM_EXIT_DR0_WRITE ... SVM_EXIT_DR0_WRITE + 15:
		decode_dr_access(v, s, code - SVM_EXIT_DR0_WRITE, true, e);
		break;
	case SVM_EXIT_CPUID:
		e->kind = EXIT_CPUID;
		set_len(s, 2);
		break;
	case SVM_EXIT_HLT:
		e->kind = EXIT_HLT;
		set_len(s, 1);
		break;
	case SVM_EXIT_IOIO:
		/* EXITINFO1: bit 0 IN, bit 2 string, bit 3 REP, bits 6:4 size, 31:16 port. */
		e->kind = EXIT_IO;
		e->io.port = (uint16_t)(i1 >> 16);
		e->io.in = i1 & 1;
		e->io.string = i1 & 4;
		e->io.rep = i1 & 8;
		e->io.size = (i1 & 0x10) ? 1 : (i1 & 0x20) ? 2 : 4;
		s->next_rip = c->exitinfo2;
		s->has_next_rip = true;
		break;
	case SVM_EXIT_MSR:
		e->kind = i1 ? EXIT_MSR_WRITE : EXIT_MSR_READ;
		set_len(s, 2);
		break;
	case SVM_EXIT_VMMCALL:
		e->kind = EXIT_HYPERCALL;
		set_len(s, 3);
		break;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_COND:
		e->kind = EXIT_VIRT_INSN;
		break;
	case SVM_EXIT_XSETBV:
		e->kind = EXIT_XSETBV;
		set_len(s, 3);	/* 0F 01 D1 */
		break;
	case SVM_EXIT_INVD:
	case SVM_EXIT_WBINVD:
		e->kind = EXIT_INVD;
		set_len(s, 2);	/* 0F 08 or 0F 09 */
		break;
	case SVM_EXIT_TASK_SWITCH:
		task_switch(v, s, e);
		break;
	case SVM_EXIT_SHUTDOWN:
		e->kind = EXIT_TRIPLE_FAULT;
		break;
	case SVM_EXIT_NPF:
		/* EXITINFO1 is a page-fault error code (APM 15.25.6); EXITINFO2 the gpa. */
		e->kind = EXIT_NPF;
		e->npf.gpa = c->exitinfo2;
		e->npf.present = i1 & 1;
		e->npf.write = i1 & 2;
		e->npf.exec = i1 & 0x10;
		e->npf.read = !e->npf.write && !e->npf.exec;
		break;
	case SVM_EXIT_INVALID:
		fail(e, "VMRUN failed: the guest state is invalid", c->exitinfo1);
		break;
	default:
		fail(e, "unexpected #VMEXIT", i1);
		break;
	}
}

const char *svm_exit_name(uint32_t raw)
{
	switch (raw) {
	case SVM_EXIT_INTR: return "INTR";
	case SVM_EXIT_NMI: return "NMI";
	case SVM_EXIT_VINTR: return "VINTR";
	case SVM_EXIT_CPUID: return "CPUID";
	case SVM_EXIT_HLT: return "HLT";
	case SVM_EXIT_IOIO: return "IOIO";
	case SVM_EXIT_MSR: return "MSR";
	case SVM_EXIT_SHUTDOWN: return "SHUTDOWN";
	case SVM_EXIT_TASK_SWITCH: return "TASK_SWITCH";
	case SVM_EXIT_VMRUN: return "VMRUN";
	case SVM_EXIT_VMMCALL: return "VMMCALL";
	case SVM_EXIT_NPF: return "NPF";
	case SVM_EXIT_INVALID: return "INVALID";
	default: return raw >= SVM_EXIT_EXCP_BASE && raw < SVM_EXIT_EXCP_BASE + 32 ?
			"exception" : "other";
	}
}
