// SPDX-License-Identifier: MIT
/*
 * vmx_exit.c - decode a VM exit into the normalised struct vm_exit.
 *
 * The basic exit reason (SDM vol. 3C 28.2.1, appendix C) selects the kind;
 * the exit qualification gives the details (port and size of an I/O
 * instruction, the register of a MOV to CR, the access of an EPT violation).
 * Entry failures (bit 31 of the exit reason, 28.8) and VMLAUNCH/VMRESUME
 * failing as instructions (VM-instruction error numbers, 31.4; 30.4 in
 * editions of the SDM before 2023) become EXIT_FAIL with a named reason.
 */
#include <stddef.h>

#include "arch/x86/asm.h"
#include "arch/x86/vmx/vmx.h"
#include "kernel/printk.h"
#include "kernel/vm.h"


void vmx_skip(void)
{
	uint64_t intr = vmread(VMCS_GUEST_INTERRUPTIBILITY);

	vmwrite_ok(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + vmread(VMCS_EXIT_INSN_LEN));
	/* Skipping an instruction ends any STI/MOV SS interrupt shadow. */
	if (intr & (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS))
		vmwrite_ok(VMCS_GUEST_INTERRUPTIBILITY,
			   intr & ~(uint64_t)(INTR_BLOCK_STI | INTR_BLOCK_MOV_SS));
}

static void fail(struct vm_exit *e, const char *what, uint64_t info)
{
	e->kind = EXIT_FAIL;
	e->fail.what = what;
	e->fail.info = info;
}

/* gpr_value - general register @n of a MOV to CR: outside 64-bit mode, its low 32 bits. */
static uint64_t gpr_value(struct vcpu *v, unsigned n)
{
	uint64_t val = vcpu_gpr(v, n);

	if (!(vmread(VMCS_GUEST_EFER) & EFER_LMA) || !(vmread(VMCS_GUEST_CS_AR) & AR_L))
		val = (uint32_t)val;
	return val;
}

/* cr_access - MOV to CR0/CR3/CR4 or LMSW that touched a bit the hypervisor owns. */
static void cr_access(struct vcpu *v, uint64_t q, struct vm_exit *e)
{
	uint64_t cr0;

	switch (CRQ_TYPE(q)) {
	case CRQ_MOV_TO:
		if (CRQ_CR(q) != 0 && CRQ_CR(q) != 3 && CRQ_CR(q) != 4)
			break;
		e->cr.value = gpr_value(v, CRQ_GPR(q));
		e->kind = EXIT_CR_WRITE;
		e->cr.cr = (int)CRQ_CR(q);
		return;
	case CRQ_LMSW:
		/* LMSW writes CR0 bits 3:0 and can set PE but not clear it (vol. 2, LMSW). */
		cr0 = (vmread(VMCS_GUEST_CR0) & ~vmread(VMCS_CR0_MASK)) |
		      (vmread(VMCS_CR0_SHADOW) & vmread(VMCS_CR0_MASK));
		e->kind = EXIT_CR_WRITE;
		e->cr.cr = 0;
		e->cr.value = (cr0 & ~0xeull) | (CRQ_LMSW_DATA(q) & 0xf) | (cr0 & CR0_PE);
		return;
	}
	fail(e, "unexpected control-register access", q);
}

/*
 * task_switch - VMX exits on every task switch (SDM vol. 3C 26.4.2) and
 * the policy does it. The qualification gives the new TSS's selector and
 * the source (28.2.1, table 28-2); for a task gate in the IDT the
 * IDT-vectoring fields name the event, which the switch delivers: the
 * re-injection reinject() queued is withdrawn. The instruction length is
 * saved for CALL, JMP, IRET and software interrupts (28.2.5).
 */
static void task_switch(uint64_t q, struct vm_exit *e)
{
	uint32_t info = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO), type = info & INTR_INFO_TYPE_MASK;
	uint64_t intr = vmread(VMCS_GUEST_INTERRUPTIBILITY);
	bool gate = ((q >> 30) & 3) == TASK_GATE && (info & INTR_INFO_VALID);
	bool soft = type == INTR_TYPE_SW_INT || type == INTR_TYPE_PRIV_SW_EXC || type == INTR_TYPE_SW_EXC;

	e->kind = EXIT_TASK_SWITCH;
	e->vectoring = false;
	e->task.sel = (uint16_t)q;
	e->task.reason = (uint8_t)((q >> 30) & 3);
	e->task.insn_len = !gate || soft ? (uint8_t)vmread(VMCS_EXIT_INSN_LEN) : 0;
	e->task.exception = gate && type == INTR_TYPE_HW_EXC;
	e->task.vector = (uint8_t)(info & INTR_INFO_VECTOR_MASK);
	e->task.has_error = gate && (info & INTR_INFO_ERROR);
	e->task.error = e->task.has_error ? (uint32_t)vmread(VMCS_IDT_VECTORING_ERROR) : 0;
	if (gate)
		vmwrite_ok(VMCS_ENTRY_INTR_INFO, 0);
	/* An NMI's task runs with NMIs blocked; IRET ends that blocking (vol. 3A 6.7.1). */
	if (gate && type == INTR_TYPE_NMI)
		intr |= INTR_BLOCK_NMI;
	if (e->task.reason == TASK_IRET)
		intr &= ~(uint64_t)INTR_BLOCK_NMI;
	vmwrite_ok(VMCS_GUEST_INTERRUPTIBILITY, intr & ~(uint64_t)(INTR_BLOCK_STI | INTR_BLOCK_MOV_SS));
}

static const char *entry_fail_name(uint32_t basic)
{
	switch (basic) {
	case EXIT_REASON_BAD_GUEST_STATE: return "VM entry failed: invalid guest state";
	case EXIT_REASON_MSR_LOADING: return "VM entry failed: MSR loading";
	case EXIT_REASON_MACHINE_CHECK: return "VM entry failed: machine-check event";
	default: return "VM entry failed";
	}
}

void vmx_decode_exit(struct vcpu *v, struct vm_exit *e)
{
	struct vmx_vcpu *x = v->arch;
	uint32_t reason = (uint32_t)vmread(VMCS_EXIT_REASON), info;
	uint64_t q = vmread(VMCS_EXIT_QUALIFICATION);

	e->raw = reason;
	e->kind = EXIT_NONE;
	e->vectoring = vmread(VMCS_IDT_VECTORING_INFO) & INTR_INFO_VALID;
	if (reason & EXIT_REASON_ENTRY_FAIL) {
		fail(e, entry_fail_name(reason & EXIT_REASON_BASIC_MASK), q);
		return;
	}
	switch (reason & EXIT_REASON_BASIC_MASK) {
	case EXIT_REASON_EXTINT:
		e->kind = EXIT_EXTINT;
		break;
	case EXIT_REASON_EXCEPTION_NMI:
		/* The exception bitmap is empty: only NMIs exit here (NMI exiting). */
		info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);
		if ((info & INTR_INFO_TYPE_MASK) == INTR_TYPE_NMI) {
			/* The exit consumed a host NMI: hand it to the host's NMI handler, as SVM's STGI does. */
			__asm__ volatile("int $2");
			e->kind = EXIT_EXTINT;
		} else {
			fail(e, "unexpected exception exit", info);
		}
		break;
	case EXIT_REASON_INTR_WINDOW:
	case EXIT_REASON_NMI_WINDOW:
		/* The window is open: drop the request, the scheduler injects. */
		x->proc &= ~((reason & EXIT_REASON_BASIC_MASK) == EXIT_REASON_NMI_WINDOW ?
			     PROC_NMI_WINDOW : PROC_INTR_WINDOW);
		vmwrite_ok(VMCS_PROC_CTLS, x->proc);
		break;
	case EXIT_REASON_TRIPLE_FAULT:
		e->kind = EXIT_TRIPLE_FAULT;
		break;
	case EXIT_REASON_INIT:
	case EXIT_REASON_SIPI:
		break;		/* this CPU is the hypervisor's: INIT/SIPI are ignored */
	case EXIT_REASON_TPR_BELOW:
		break;		/* a trap after a CR8 write: the scheduler delivers what it let in */
	case EXIT_REASON_INVD:
		e->kind = EXIT_INVD;	/* INVD always exits (SDM vol. 3C 26.1.2) */
		break;
	case EXIT_REASON_CPUID:
		e->kind = EXIT_CPUID;
		break;
	case EXIT_REASON_HLT:
		e->kind = EXIT_HLT;
		break;
	case EXIT_REASON_IO:
		e->kind = EXIT_IO;
		e->io.port = IOQ_PORT(q);
		e->io.size = (uint8_t)IOQ_SIZE(q);
		e->io.in = q & IOQ_IN;
		e->io.string = q & IOQ_STRING;
		e->io.rep = q & IOQ_REP;
		break;
	case EXIT_REASON_RDMSR:
		e->kind = EXIT_MSR_READ;
		break;
	case EXIT_REASON_WRMSR:
		e->kind = EXIT_MSR_WRITE;
		break;
	case EXIT_REASON_CR_ACCESS:
		cr_access(v, q, e);
		break;
	case EXIT_REASON_DR_ACCESS:
		e->kind = EXIT_DR_ACCESS;
		e->dr.dr = DRQ_DR(q);
		e->dr.gpr = DRQ_GPR(q);
		e->dr.write = !(q & DRQ_FROM);
		break;
	case EXIT_REASON_EPT_VIOLATION:
		e->kind = EXIT_NPF;
		e->npf.gpa = vmread(VMCS_GUEST_PHYS_ADDR);
		e->npf.read = q & EPTQ_READ;
		e->npf.write = q & EPTQ_WRITE;
		e->npf.exec = q & EPTQ_FETCH;
		e->npf.present = q & EPTQ_PERM_MASK;
		/* An IRET that unblocked NMIs faulted: block them again before it restarts (28.2.3). */
		if ((q & EPTQ_NMI_UNBLOCK) && !(vmread(VMCS_IDT_VECTORING_INFO) & INTR_INFO_VALID))
			vmwrite_ok(VMCS_GUEST_INTERRUPTIBILITY,
				   vmread(VMCS_GUEST_INTERRUPTIBILITY) | INTR_BLOCK_NMI);
		break;
	case EXIT_REASON_EPT_MISCONFIG:
		fail(e, "EPT misconfiguration", vmread(VMCS_GUEST_PHYS_ADDR));
		break;
	case EXIT_REASON_VMCALL:
		e->kind = EXIT_HYPERCALL;
		break;
	case EXIT_REASON_GETSEC:
	case EXIT_REASON_VMCLEAR:
	case EXIT_REASON_VMLAUNCH:
	case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST:
	case EXIT_REASON_VMREAD:
	case EXIT_REASON_VMRESUME:
	case EXIT_REASON_VMWRITE:
	case EXIT_REASON_VMXOFF:
	case EXIT_REASON_VMXON:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_MONITOR:
	case EXIT_REASON_MWAIT:
		e->kind = EXIT_VIRT_INSN;
		break;
	case EXIT_REASON_XSETBV:
		e->kind = EXIT_XSETBV;
		break;
	case EXIT_REASON_TASK_SWITCH:
		task_switch(q, e);
		break;
	default:
		fail(e, "unexpected VM exit", q);
		break;
	}
}

static const char *const exit_names[] = {
	[EXIT_REASON_EXCEPTION_NMI] = "exception or NMI",
	[EXIT_REASON_EXTINT] = "external interrupt",
	[EXIT_REASON_TRIPLE_FAULT] = "triple fault",
	[EXIT_REASON_INIT] = "INIT signal",
	[EXIT_REASON_SIPI] = "start-up IPI",
	[EXIT_REASON_IO_SMI] = "I/O SMI",
	[EXIT_REASON_OTHER_SMI] = "other SMI",
	[EXIT_REASON_INTR_WINDOW] = "interrupt window",
	[EXIT_REASON_NMI_WINDOW] = "NMI window",
	[EXIT_REASON_TASK_SWITCH] = "task switch",
	[EXIT_REASON_CPUID] = "CPUID",
	[EXIT_REASON_GETSEC] = "GETSEC",
	[EXIT_REASON_HLT] = "HLT",
	[EXIT_REASON_INVD] = "INVD",
	[EXIT_REASON_INVLPG] = "INVLPG",
	[EXIT_REASON_RDPMC] = "RDPMC",
	[EXIT_REASON_RDTSC] = "RDTSC",
	[EXIT_REASON_RSM] = "RSM",
	[EXIT_REASON_VMCALL] = "VMCALL",
	[EXIT_REASON_VMCLEAR] = "VMCLEAR",
	[EXIT_REASON_VMLAUNCH] = "VMLAUNCH",
	[EXIT_REASON_VMPTRLD] = "VMPTRLD",
	[EXIT_REASON_VMPTRST] = "VMPTRST",
	[EXIT_REASON_VMREAD] = "VMREAD",
	[EXIT_REASON_VMRESUME] = "VMRESUME",
	[EXIT_REASON_VMWRITE] = "VMWRITE",
	[EXIT_REASON_VMXOFF] = "VMXOFF",
	[EXIT_REASON_VMXON] = "VMXON",
	[EXIT_REASON_CR_ACCESS] = "control-register access",
	[EXIT_REASON_DR_ACCESS] = "MOV DR",
	[EXIT_REASON_IO] = "I/O instruction",
	[EXIT_REASON_RDMSR] = "RDMSR",
	[EXIT_REASON_WRMSR] = "WRMSR",
	[EXIT_REASON_BAD_GUEST_STATE] = "VM-entry failure due to invalid guest state",
	[EXIT_REASON_MSR_LOADING] = "VM-entry failure due to MSR loading",
	[EXIT_REASON_MWAIT] = "MWAIT",
	[EXIT_REASON_MTF] = "monitor trap flag",
	[EXIT_REASON_MONITOR] = "MONITOR",
	[EXIT_REASON_PAUSE] = "PAUSE",
	[EXIT_REASON_MACHINE_CHECK] = "VM-entry failure due to machine-check event",
	[EXIT_REASON_TPR_BELOW] = "TPR below threshold",
	[EXIT_REASON_APIC_ACCESS] = "APIC access",
	[EXIT_REASON_VIRT_EOI] = "virtualized EOI",
	[EXIT_REASON_GDTR_IDTR] = "access to GDTR or IDTR",
	[EXIT_REASON_LDTR_TR] = "access to LDTR or TR",
	[EXIT_REASON_EPT_VIOLATION] = "EPT violation",
	[EXIT_REASON_EPT_MISCONFIG] = "EPT misconfiguration",
	[EXIT_REASON_INVEPT] = "INVEPT",
	[EXIT_REASON_RDTSCP] = "RDTSCP",
	[EXIT_REASON_PREEMPT_TIMER] = "VMX-preemption timer expired",
	[EXIT_REASON_INVVPID] = "INVVPID",
	[EXIT_REASON_WBINVD] = "WBINVD or WBNOINVD",
	[EXIT_REASON_XSETBV] = "XSETBV",
	[EXIT_REASON_APIC_WRITE] = "APIC write",
	[EXIT_REASON_RDRAND] = "RDRAND",
	[EXIT_REASON_INVPCID] = "INVPCID",
	[EXIT_REASON_VMFUNC] = "VMFUNC",
	[EXIT_REASON_ENCLS] = "ENCLS",
	[EXIT_REASON_RDSEED] = "RDSEED",
	[EXIT_REASON_PML_FULL] = "page-modification log full",
	[EXIT_REASON_XSAVES] = "XSAVES",
	[EXIT_REASON_XRSTORS] = "XRSTORS",
};

const char *vmx_exit_name(uint32_t raw)
{
	uint32_t basic = raw & EXIT_REASON_BASIC_MASK;

	if (raw == EXIT_REASON_VMFAIL)
		return "VMLAUNCH/VMRESUME failed";
	if (basic < sizeof(exit_names) / sizeof(exit_names[0]) && exit_names[basic])
		return exit_names[basic];
	return "other";
}

/* The VM-instruction error numbers (31.4). */
static const char *const insn_errors[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

const char *vmx_insn_error_name(uint32_t err)
{
	if (err < sizeof(insn_errors) / sizeof(insn_errors[0]) && insn_errors[err])
		return insn_errors[err];
	return "unknown VM-instruction error";
}
