// SPDX-License-Identifier: MIT
/*
 * vmx.c - the Intel VMX backend: VMXON, VMCS set-up, running a vCPU.
 *
 * Every control is derived from the capability MSRs (SDM vol. 3D appendix
 * A): the TRUE_* MSRs when VMX_BASIC[55] says so, each wanted bit checked
 * against the allowed-1 settings and the allowed-0 settings (bits the CPU
 * insists on) added. Guests run as unrestricted guests (25.6.2) under EPT
 * with their VM's id as VPID; every port and every MSR exits (bitmaps all
 * ones), host interrupts exit without being acknowledged so the host takes
 * them right after the exit (the preemption mechanism shared with SVM).
 * CR0 bits the CPU fixes in VMX operation (NE) and all of CR4 are owned by
 * the hypervisor through the guest/host masks: a MOV that changes an owned
 * bit exits and kernel/exit.c checks the value; the guest sees its own
 * values in the read shadows, the CPU runs with the fixed bits (VMXE) set.
 *
 * EPT runs with accessed/dirty flags when the CPU has them (EPTP[6], SDM
 * 29.3.5): the sharing scanner then skips pages not written since their
 * last scan. The ops table is const; the format it points at is chosen once
 * in vmx_cpu_enable().
 */
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/cpufeat.h"
#include "arch/x86/vmx/ept.h"
#include "arch/x86/vmx/vmx.h"
#include "arch/x86/x86.h"
#include "kernel/gmem.h"
#include "kernel/mem.h"
#include "kernel/printk.h"
#include "kernel/vm.h"
#include "mm/errno.h"


struct vmx_caps vmx_caps;
static uint64_t vmxon_pa;
static uint64_t io_bitmap_pa;	/* A (ports 0-0x7fff) then B: every port exits (25.6.4) */
static uint64_t msr_bitmap_pa;	/* every RDMSR/WRMSR exits (25.6.9) */
static uint64_t current_vmcs;	/* the VMCS loaded by VMPTRLD, 0 if none */

/*
 * MSRs the guest reads and writes itself. FS/GS base and SYSENTER_* are
 * VMCS guest fields, switched by every entry and exit (SDM vol. 3C 25.4.1,
 * 28.3.1); the SYSCALL MSRs, KERNEL_GS_BASE and TSC_AUX (where the CPU has
 * it) are not, so they are switched lazily whenever another vCPU runs
 * (arch/x86/lazy.c): no guest value ever reaches the host or another guest.
 */
static const uint32_t vmcs_msrs[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP,
	MSR_IA32_SYSENTER_EIP,
};
static const uint32_t lazy_msrs[] = {
	MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK,
	MSR_TSC_AUX,	/* last: only with RDTSCP */
};

/* nr_lazy_msrs - how many of lazy_msrs this CPU has. */
static unsigned nr_lazy_msrs(void)
{
	unsigned n = sizeof(lazy_msrs) / sizeof(lazy_msrs[0]);

	return cpu_features.rdtscp ? n : n - 1;
}

/* bitmap_direct - clear @msr's read and write exit bits (SDM vol. 3C 25.6.9). */
static void bitmap_direct(uint8_t *bm, uint32_t msr)
{
	uint32_t base = msr < 0x2000 ? 0 : 1024, bit = msr & 0x1fff;

	bm[base + bit / 8] &= (uint8_t)~(1u << (bit % 8));		/* read */
	bm[2048 + base + bit / 8] &= (uint8_t)~(1u << (bit % 8));	/* write */
}

/* One VM-execution, exit or entry control the backend wants. */
struct ctl {
	uint32_t bit;
	const char *name;
	bool optional;		/* used if the CPU allows it, silently dropped if not */
};

static const struct ctl pin_ctls[] = {
	{ PIN_EXTINT_EXIT, "external-interrupt exiting", false },
	{ PIN_NMI_EXIT, "NMI exiting", false },
	/* The CPU tracks NMI blocking for injected NMIs, IRET ends it (SDM vol. 3C 25.3). */
	{ PIN_VIRTUAL_NMIS, "virtual NMIs", false },
};

static const struct ctl proc_ctls[] = {
	{ PROC_TSC_OFFSET, "use TSC offsetting", false },
	{ PROC_HLT_EXIT, "HLT exiting", false },
	{ PROC_MWAIT_EXIT, "MWAIT exiting", false },
	{ PROC_MONITOR_EXIT, "MONITOR exiting", false },
	{ PROC_NMI_WINDOW, "NMI-window exiting", false },	/* allowed? (on only on demand) */
	{ PROC_MOV_DR_EXIT, "MOV-DR exiting", false },
	{ PROC_TPR_SHADOW, "use TPR shadow", false },
	{ PROC_IO_BITMAPS, "use I/O bitmaps", false },
	{ PROC_MSR_BITMAPS, "use MSR bitmaps", false },
	{ PROC_SECONDARY, "activate secondary controls", false },
};

static const struct ctl proc2_ctls[] = {
	{ PROC2_EPT, "enable EPT", false },
	{ PROC2_VPID, "enable VPID", false },
	{ PROC2_UNRESTRICTED, "unrestricted guest", false },
	{ PROC2_RDTSCP, "enable RDTSCP", true },
	{ PROC2_INVPCID, "enable INVPCID", true },
};

static const struct ctl exit_ctls[] = {
	{ EXIT_SAVE_DEBUG, "save debug controls", false },
	{ EXIT_HOST_64, "host address-space size", false },
	{ EXIT_SAVE_EFER, "save IA32_EFER", false },
	{ EXIT_LOAD_EFER, "load IA32_EFER", false },
	{ EXIT_LOAD_PAT, "load IA32_PAT", true },
};

static const struct ctl entry_ctls[] = {
	{ ENTRY_LOAD_DEBUG, "load debug controls", false },
	{ ENTRY_LOAD_EFER, "load IA32_EFER", false },
	{ ENTRY_LOAD_PAT, "load IA32_PAT", true },
};

/*
 * adjust_ctls - the control word for @want within what capability MSR @msr
 * allows: low half = allowed-0 settings (bits that must be 1), high half =
 * allowed-1 settings (bits that may be 1), SDM vol. 3D A.3-A.5. Returns 0
 * with *out set, or -SV_ENOTSUP after naming each required bit the CPU refuses.
 */
static int adjust_ctls(const char *what, uint32_t msr, const struct ctl *want, int n,
		       uint32_t *out)
{
	uint64_t cap = rdmsr(msr);
	uint32_t must = (uint32_t)cap, may = (uint32_t)(cap >> 32), val = must;
	int rc = 0;

	for (int i = 0; i < n; i++) {
		if (may & want[i].bit) {
			val |= want[i].bit;
		} else if (!want[i].optional) {
			pr_err("vmx: %s control '%s' is not allowed by this CPU (MSR %#x)\n",
			       what, want[i].name, msr);
			rc = -SV_ENOTSUP;
		}
	}
	*out = val;
	return rc;
}

#define ADJUST(what, msr, tbl, out) adjust_ctls(what, msr, tbl, sizeof(tbl) / sizeof(tbl[0]), out)

static int setup_controls(struct vmx_caps *c)
{
	bool t = cpu_features.true_ctls;
	uint64_t cap;
	int rc = 0;

	rc |= ADJUST("pin-based", t ? MSR_VMX_TRUE_PINBASED : MSR_VMX_PINBASED, pin_ctls, &c->pin);
	rc |= ADJUST("processor-based", t ? MSR_VMX_TRUE_PROCBASED : MSR_VMX_PROCBASED,
		     proc_ctls, &c->proc);
	rc |= ADJUST("secondary processor-based", MSR_VMX_PROCBASED2, proc2_ctls, &c->proc2);
	rc |= ADJUST("VM-exit", t ? MSR_VMX_TRUE_EXIT : MSR_VMX_EXIT, exit_ctls, &c->exit);
	rc |= ADJUST("VM-entry", t ? MSR_VMX_TRUE_ENTRY : MSR_VMX_ENTRY, entry_ctls, &c->entry);
	if (rc)
		return -SV_ENOTSUP;
	/* Interrupt- and NMI-window exiting are turned on per vCPU on demand, IA-32e mode per guest. */
	c->proc &= ~(PROC_INTR_WINDOW | PROC_NMI_WINDOW);
	c->entry &= ~ENTRY_IA32E;
	/* The guest's PAT only with both loads: the host must never run on a guest's PAT. */
	if (!(c->entry & ENTRY_LOAD_PAT) || !(c->exit & EXIT_LOAD_PAT)) {
		c->entry &= ~ENTRY_LOAD_PAT;
		c->exit &= ~EXIT_LOAD_PAT;
	}
	if (c->proc & (PROC_CR3_LOAD_EXIT | PROC_CR3_STORE_EXIT | PROC_CR8_LOAD_EXIT |
		       PROC_CR8_STORE_EXIT)) {
		pr_err("vmx: this CPU insists on CR3/CR8 exiting (controls %#x)\n", c->proc);
		return -SV_ENOTSUP;
	}
	cap = rdmsr(MSR_VMX_EPT_VPID_CAP);	/* A.10: INVVPID types at bits 41-42 */
	c->invvpid_single = cpu_features.invvpid && (cap & (1ull << 41));
	c->invvpid_all = cpu_features.invvpid && (cap & (1ull << 42));
	return 0;
}

/* vmxon - enter VMX root operation; false if VMXON faulted (#GP, #UD) or failed. */
static bool vmxon(uint64_t pa)
{
	uint8_t fail = 0;

	/* A fault resumes at label 3 (arch/x86/trap.c's exception table). */
	__asm__ volatile("1: vmxon %1\n"
			 "   setna %0\n"
			 "2:\n"
			 ".pushsection .fixup, \"ax\"\n"
			 "3: movb $1, %0\n"
			 "   jmp 2b\n"
			 ".popsection\n"
			 EX_TABLE(1b, 3b)
			 : "+q"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static bool vmclear(uint64_t pa)
{
	bool fail;

	__asm__ volatile("vmclear %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static bool vmptrld(uint64_t pa)
{
	bool fail;

	__asm__ volatile("vmptrld %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

/* vmw - VMWRITE that cannot fail unless the hypervisor is wrong: a failure panics. */
static void vmw(uint32_t field, uint64_t val)
{
	if (!vmwrite_ok(field, val)) {
		uint32_t err = (uint32_t)vmread(VMCS_INSN_ERROR);

		panic("vmw: VMWRITE of field %#x failed: error %u, %s", field, err,
		      vmx_insn_error_name(err));
	}
}

/*
 * vmx_cpu_enable - VMXON on this CPU (SDM vol. 3C 24.7, 24.8): CR0 and CR4
 * adjusted with the fixed-bit MSRs (A.7, A.8), CR4.VMXE, a VMXON region
 * stamped with the VMCS revision id. IA32_FEATURE_CONTROL is only read
 * (firmware locks it; virt.c checked that VMX is allowed).
 */
/* The EPT entry format in use: with or without A/D bits (set before any VM exists). */
static struct p2m_format vmx_ept;

static int vmx_cpu_enable(void)
{
	struct vmx_caps *c = &vmx_caps;
	uint64_t basic = rdmsr(MSR_VMX_BASIC);
	int rc;

	vmx_ept = cpu_features.ept_ad ? ept_format_ad : ept_format;

	c->revision = (uint32_t)basic & 0x7fffffff;
	c->cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
	c->cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	c->cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	c->cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
	/*
	 * Unrestricted guests may clear PE and PG (26.3.1.1); every other fixed
	 * bit is ours, and so are PE, PG, CD and NW, so that every CR0 write
	 * that changes the mode or the caches goes through the policy's checks
	 * (kernel/ctlreg.c), as on SVM.
	 */
	c->cr0_owned = (((c->cr0_fixed0 & ~(uint64_t)(CR0_PE | CR0_PG)) | ~c->cr0_fixed1) &
			0xffffffffull) | CR0_PE | CR0_PG | CR0_CD | CR0_NW;
	/* All of CR4: every change exits and the policy checks it, as on SVM (exit.c). */
	c->cr4_owned = ~0ull;
	rc = setup_controls(c);
	if (rc)
		return rc;

	vmxon_pa = frame_alloc_filled(&hv_frames, 1, FRAME_HV, 0, 0);
	io_bitmap_pa = frame_alloc_filled(&hv_frames, 2, FRAME_HV, 0, 0xff);
	msr_bitmap_pa = frame_alloc_filled(&hv_frames, 1, FRAME_HV, 0, 0xff);
	if (!vmxon_pa || !io_bitmap_pa || !msr_bitmap_pa)
		return -SV_ENOMEM;
	*(uint32_t *)frame_va(&hv_frames, vmxon_pa) = c->revision;
	for (unsigned i = 0; i < sizeof(vmcs_msrs) / sizeof(vmcs_msrs[0]); i++)
		bitmap_direct(frame_va(&hv_frames, msr_bitmap_pa), vmcs_msrs[i]);
	for (unsigned i = 0; i < nr_lazy_msrs(); i++)
		bitmap_direct(frame_va(&hv_frames, msr_bitmap_pa), lazy_msrs[i]);

	write_cr0((read_cr0() | c->cr0_fixed0) & c->cr0_fixed1);
	write_cr4((read_cr4() | c->cr4_fixed0 | CR4_VMXE) & c->cr4_fixed1);
	if (!vmxon(vmxon_pa)) {
		pr_err("vmx: VMXON failed (CR0 %#llx, CR4 %#llx)\n",
		       (unsigned long long)read_cr0(), (unsigned long long)read_cr4());
		return -SV_EIO;
	}
	return 0;
}

static struct vmx_vcpu *X(struct vcpu *v)
{
	return v->arch;
}

/* vmcs_load - make @x's VMCS the current one. */
static void vmcs_load(struct vmx_vcpu *x)
{
	if (current_vmcs == x->vmcs_pa)
		return;
	if (!vmptrld(x->vmcs_pa))
		panic("vmcs_load: VMPTRLD %#llx failed", (unsigned long long)x->vmcs_pa);
	current_vmcs = x->vmcs_pa;
}

/*
 * sync_ia32e - EFER.LMA = EFER.LME && CR0.PG, and the "IA-32e mode guest"
 * entry control equal to it (27.3.1.1 checks both).
 */
static void sync_ia32e(void)
{
	uint64_t efer = vmread(VMCS_GUEST_EFER), entry = vmread(VMCS_ENTRY_CTLS);
	bool lma = (efer & EFER_LME) && (vmread(VMCS_GUEST_CR0) & CR0_PG);

	vmw(VMCS_GUEST_EFER, lma ? efer | EFER_LMA : efer & ~(uint64_t)EFER_LMA);
	vmw(VMCS_ENTRY_CTLS, lma ? entry | ENTRY_IA32E : entry & ~(uint64_t)ENTRY_IA32E);
}

/* set_cr0 - the guest's CR0 in the read shadow, the CPU's fixed bits added in the real one. */
static void set_cr0(uint64_t val)
{
	uint64_t fixed0 = vmx_caps.cr0_fixed0 & ~(uint64_t)(CR0_PE | CR0_PG);

	vmw(VMCS_CR0_SHADOW, val);
	vmw(VMCS_GUEST_CR0, (val | fixed0) & vmx_caps.cr0_fixed1);
	sync_ia32e();
}

static void set_cr4(uint64_t val)
{
	vmw(VMCS_CR4_SHADOW, val);
	vmw(VMCS_GUEST_CR4, (val | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1);
}

/*
 * guest_seg - segment register @i (ES, CS, SS, DS, FS, GS, LDTR, TR: the
 * VMCS order, enum seg_reg). The access rights are the descriptor's bits
 * 47:40 and 55:52 as in @s->attr, the upper four moved to 15:12, and bit 16
 * for an unusable register (SDM vol. 3C 24.4.1, table 24-2).
 */
static void guest_seg(unsigned i, const struct seg_state *s)
{
	uint32_t ar = (s->attr & 0xff) | ((uint32_t)(s->attr & 0xf00) << 4);

	vmw(VMCS_GUEST_ES_SEL + 2 * i, s->sel);
	vmw(VMCS_GUEST_ES_BASE + 2 * i, s->base);
	vmw(VMCS_GUEST_ES_LIMIT + 2 * i, s->limit);
	vmw(VMCS_GUEST_ES_AR + 2 * i, s->attr ? ar : AR_UNUSABLE);
}

/* host_state - what a VM exit loads (27.5): this CPU's 64-bit state; RSP/RIP by vmx_enter. */
static void host_state(void)
{
	uint16_t fs, gs;

	__asm__ volatile("mov %%fs, %0" : "=r"(fs));
	__asm__ volatile("mov %%gs, %0" : "=r"(gs));
	vmw(VMCS_HOST_CR0, read_cr0());
	vmw(VMCS_HOST_CR3, read_cr3());
	vmw(VMCS_HOST_CR4, read_cr4());
	vmw(VMCS_HOST_CS_SEL, GDT_CS);
	vmw(VMCS_HOST_SS_SEL, GDT_DS);
	vmw(VMCS_HOST_DS_SEL, GDT_DS);
	vmw(VMCS_HOST_ES_SEL, GDT_DS);
	vmw(VMCS_HOST_FS_SEL, fs & ~7u);
	vmw(VMCS_HOST_GS_SEL, gs & ~7u);
	vmw(VMCS_HOST_TR_SEL, GDT_TSS);	/* must not be 0 (27.2.3) */
	vmw(VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	vmw(VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE));
	vmw(VMCS_HOST_TR_BASE, tss_base());
	vmw(VMCS_HOST_GDTR_BASE, gdt_base());
	vmw(VMCS_HOST_IDTR_BASE, idt_base());
	vmw(VMCS_HOST_SYSENTER_CS, 0);
	vmw(VMCS_HOST_SYSENTER_ESP, 0);
	vmw(VMCS_HOST_SYSENTER_EIP, 0);
	vmw(VMCS_HOST_EFER, rdmsr(MSR_EFER));
	if (vmx_caps.exit & EXIT_LOAD_PAT)
		vmw(VMCS_HOST_PAT, rdmsr(MSR_IA32_PAT));
}

static void controls(struct vcpu *v, struct vmx_vcpu *x)
{
	const struct vmx_caps *c = &vmx_caps;

	vmw(VMCS_PIN_CTLS, c->pin);
	vmw(VMCS_PROC_CTLS, c->proc);
	x->proc = c->proc;
	vmw(VMCS_PROC_CTLS2, c->proc2);
	vmw(VMCS_EXIT_CTLS, c->exit);
	vmw(VMCS_ENTRY_CTLS, c->entry);
	vmw(VMCS_EXCEPTION_BITMAP, 0);
	vmw(VMCS_TSC_OFFSET, 0);
	vmw(VMCS_PF_ERROR_MASK, 0);
	vmw(VMCS_PF_ERROR_MATCH, 0);
	vmw(VMCS_CR3_TARGET_COUNT, 0);
	vmw(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmw(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmw(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmw(VMCS_ENTRY_INTR_INFO, 0);
	vmw(VMCS_IO_BITMAP_A, io_bitmap_pa);
	vmw(VMCS_IO_BITMAP_B, io_bitmap_pa + PAGE_SIZE);
	vmw(VMCS_MSR_BITMAP, msr_bitmap_pa);
	/* The guest's CR8 reads and writes its own TPR; threshold 0 never exits (30.1.2). */
	vmw(VMCS_VIRTUAL_APIC_ADDR, x->vapic_pa);
	vmw(VMCS_TPR_THRESHOLD, 0);
	x->tpr_threshold = 0;
	vmw(VMCS_VPID, v->vm->asid);	/* never 0: VPID 0 is the host's (26.1, 29.1) */
	vmw(VMCS_EPTP, x->eptp);
	vmw(VMCS_CR0_MASK, c->cr0_owned);
	vmw(VMCS_CR4_MASK, c->cr4_owned);
	vmw(VMCS_LINK_POINTER, ~0ull);	/* no shadow VMCS (27.3.1.5) */
}

/* guest_state - @st in the guest-state area, and the state no boot description names. */
static void guest_state(struct vcpu *v, const struct vcpu_boot_state *st)
{
	for (unsigned i = 0; i < SEG_COUNT; i++)
		guest_seg(i, &st->seg[i]);
	vmw(VMCS_GUEST_GDTR_BASE, st->gdtr.base);
	vmw(VMCS_GUEST_GDTR_LIMIT, st->gdtr.limit);
	vmw(VMCS_GUEST_IDTR_BASE, st->idtr.base);
	vmw(VMCS_GUEST_IDTR_LIMIT, st->idtr.limit);
	vmw(VMCS_GUEST_EFER, st->efer & ~(uint64_t)EFER_LMA);
	set_cr0(st->cr0);	/* and EFER.LMA with the IA-32e entry control */
	vmw(VMCS_GUEST_CR3, st->cr3);
	set_cr4(st->cr4);
	vmw(VMCS_GUEST_DR7, 0x400);
	vmw(VMCS_GUEST_DEBUGCTL, 0);
	vmw(VMCS_GUEST_RSP, st->rsp);
	vmw(VMCS_GUEST_RIP, st->rip);
	vmw(VMCS_GUEST_RFLAGS, st->rflags | RFLAGS_FIXED);
	vmw(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmw(VMCS_GUEST_ACTIVITY, 0);		/* active */
	vmw(VMCS_GUEST_PENDING_DBG, 0);
	vmw(VMCS_GUEST_SYSENTER_CS, 0);
	vmw(VMCS_GUEST_SYSENTER_ESP, 0);
	vmw(VMCS_GUEST_SYSENTER_EIP, 0);
	v->regs = st->regs;
	v->pat = 0x0007040600070406ull;		/* the power-on PAT */
	if (vmx_caps.entry & ENTRY_LOAD_PAT)
		vmw(VMCS_GUEST_PAT, v->pat);
}

static int vmx_vcpu_init(struct vcpu *v, const struct vcpu_boot_state *st)
{
	struct vmx_vcpu *x = heap_alloc(&hv_heap, sizeof(*x));
	int rc = -SV_ENOMEM;

	if (!x)
		return -SV_ENOMEM;
	x->vmcs_pa = frame_alloc_filled(&hv_frames, 1, FRAME_HV, 0, 0);
	x->vapic_pa = frame_alloc_filled(&hv_frames, 1, FRAME_HV, 0, 0);
	if (!x->vmcs_pa || !x->vapic_pa)
		goto err_frames;
	/* A new VMCS: revision id, then VMCLEAR makes it "clear" for VMLAUNCH (25.11.3). */
	*(uint32_t *)frame_va(&hv_frames, x->vmcs_pa) = vmx_caps.revision;
	if (!vmclear(x->vmcs_pa)) {
		pr_err("vmx: VMCLEAR of a new VMCS failed\n");
		rc = -SV_EIO;
		goto err_frames;
	}
	lazy_init(&x->lazy, true, lazy_msrs, nr_lazy_msrs());
	x->eptp = ept_eptp(&vmx_ept, p2m_root_pa(&v->vm->p2m));
	x->flush = true;	/* the VPID may have been another VM's */
	v->arch = x;
	vmcs_load(x);
	controls(v, x);
	host_state();
	guest_state(v, st);
	return 0;

err_frames:
	if (x->vmcs_pa)
		frame_put(&hv_frames, x->vmcs_pa);
	if (x->vapic_pa)
		frame_put(&hv_frames, x->vapic_pa);
	heap_free(&hv_heap, x);
	return rc;
}

static void vmx_vcpu_free(struct vcpu *v)
{
	struct vmx_vcpu *x = X(v);

	vmclear(x->vmcs_pa);
	if (current_vmcs == x->vmcs_pa)
		current_vmcs = 0;
	lazy_forget(&x->lazy);
	frame_put(&hv_frames, x->vmcs_pa);
	frame_put(&hv_frames, x->vapic_pa);
	heap_free(&hv_heap, x);
	v->arch = NULL;
}

/* flush - drop the guest's cached translations: its EPT (all VPIDs) and its VPID (31.3). */
static void flush(struct vmx_vcpu *x, uint16_t vpid)
{
	struct { uint64_t eptp, zero; } ed = { x->eptp, 0 };
	struct { uint64_t vpid, addr; } vd = { vpid, 0 };
	uint64_t et = cpu_features.invept_single ? INVEPT_SINGLE : INVEPT_ALL;
	uint64_t vt = vmx_caps.invvpid_single ? INVVPID_SINGLE : INVVPID_ALL;

	__asm__ volatile("invept %0, %1" : : "m"(ed), "r"(et) : "cc", "memory");
	if (vmx_caps.invvpid_single || vmx_caps.invvpid_all)
		__asm__ volatile("invvpid %0, %1" : : "m"(vd), "r"(vt) : "cc", "memory");
}

/*
 * reinject - an event whose delivery this exit cut short (an EPT violation
 * while pushing the frame, say) is delivered again at the next entry (28.2.4).
 */
static void reinject(void)
{
	uint32_t info = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO), type;

	if (!(info & INTR_INFO_VALID))
		return;
	type = info & INTR_INFO_TYPE_MASK;
	if (info & INTR_INFO_ERROR)
		vmw(VMCS_ENTRY_EXC_ERROR, vmread(VMCS_IDT_VECTORING_ERROR));
	if (type == INTR_TYPE_SW_INT || type == INTR_TYPE_PRIV_SW_EXC || type == INTR_TYPE_SW_EXC)
		vmw(VMCS_ENTRY_INSN_LEN, vmread(VMCS_EXIT_INSN_LEN));
	/*
	 * An NMI cut short leaves blocking by NMI set, and VM entry refuses to
	 * inject an NMI while it is (SDM vol. 3C 26.3.1.5): delivery sets it again.
	 */
	if (type == INTR_TYPE_NMI)
		vmw(VMCS_GUEST_INTERRUPTIBILITY,
		    vmread(VMCS_GUEST_INTERRUPTIBILITY) & ~(uint64_t)INTR_BLOCK_NMI);
	vmw(VMCS_ENTRY_INTR_INFO, info & (INTR_INFO_VECTOR_MASK | INTR_INFO_TYPE_MASK |
					  INTR_INFO_ERROR | INTR_INFO_VALID));
}

static void vmx_vcpu_run(struct vcpu *v, struct vm_exit *e)
{
	struct vmx_vcpu *x = X(v);
	uint32_t err;
	int rc;

	lazy_load(&x->lazy);
	vmcs_load(x);
	if (x->flush) {
		flush(x, v->vm->asid);
		x->flush = false;
	}
	/* CR2 is not part of the VMCS (25.4.1): switched by hand. */
	if (read_cr2() != x->cr2)
		write_cr2(x->cr2);
	/* Host IF = 0: an interrupt that arrives exits the guest and stays pending. */
	__asm__ volatile("cli" ::: "memory");
	rc = vmx_enter(&v->regs, x->launched);
	x->cr2 = read_cr2();
	if (rc) {
		err = rc == 2 ? (uint32_t)vmread(VMCS_INSN_ERROR) : 0;
		e->kind = EXIT_FAIL;
		e->raw = EXIT_REASON_VMFAIL;
		e->fail.what = rc == 2 ? vmx_insn_error_name(err)
				       : "VMLAUNCH/VMRESUME: VMfailInvalid (no current VMCS)";
		e->fail.info = err;
		return;
	}
	x->launched = true;
	/* The interrupt that ended the guest was not acknowledged: take it now. */
	__asm__ volatile("sti; nop; cli" ::: "memory");
	reinject();
	vmx_decode_exit(v, e);
}

/*
 * load_pdptes - with PAE paging outside long mode and EPT, VM entry takes
 * the four PDPTEs from the VMCS (SDM vol. 3C 26.3.2.4), which the CPU
 * itself fills when the guest's MOV to CR0/CR3/CR4 runs natively. After a
 * CR0 or CR4 write the policy completed, they are read from the guest's
 * CR3 here, as that MOV would have.
 */
static void load_pdptes(struct vcpu *v)
{
	uint64_t cr0 = vmread(VMCS_GUEST_CR0), cr4 = vmread(VMCS_GUEST_CR4), pdpte[4] = { 0 };

	if (!(cr0 & CR0_PG) || !(cr4 & CR4_PAE) || (vmread(VMCS_GUEST_EFER) & EFER_LMA))
		return;
	guest_read_phys(v->vm, vmread(VMCS_GUEST_CR3) & 0xffffffe0ull, pdpte, sizeof(pdpte));
	for (int i = 0; i < 4; i++)
		vmw(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
}

/* vtpr - the TPR byte of the virtual-APIC page, which the guest's CR8 reads and writes (SDM vol. 3C 30.1.2). */
static uint8_t *vtpr(struct vmx_vcpu *x)
{
	return (uint8_t *)frame_va(&hv_frames, x->vapic_pa) + 0x80;
}

static uint64_t vmx_get_reg(struct vcpu *v, enum vreg r)
{
	vmcs_load(X(v));
	switch (r) {
	case VREG_RIP: return vmread(VMCS_GUEST_RIP);
	case VREG_RSP: return vmread(VMCS_GUEST_RSP);
	case VREG_RFLAGS: return vmread(VMCS_GUEST_RFLAGS);
	case VREG_CR0:
		return (vmread(VMCS_GUEST_CR0) & ~vmx_caps.cr0_owned) |
		       (vmread(VMCS_CR0_SHADOW) & vmx_caps.cr0_owned);
	case VREG_CR2: return X(v)->cr2;
	case VREG_CR3: return vmread(VMCS_GUEST_CR3);
	case VREG_CR4:
		return (vmread(VMCS_GUEST_CR4) & ~vmx_caps.cr4_owned) |
		       (vmread(VMCS_CR4_SHADOW) & vmx_caps.cr4_owned);
	case VREG_EFER: return vmread(VMCS_GUEST_EFER);
	case VREG_CS_BASE: return vmread(VMCS_GUEST_CS_BASE);
	/* SS.DPL is the CPL (SDM vol. 3C 26.4.1 checks keep them equal). */
	case VREG_CPL: return (vmread(VMCS_GUEST_SS_AR) >> 5) & 3;
	case VREG_CS_L: return !!(vmread(VMCS_GUEST_CS_AR) & AR_L);
	case VREG_DR6: return lazy_dr6(&X(v)->lazy);
	case VREG_XCR0: return lazy_xcr0(&X(v)->lazy);
	case VREG_TPR: return *vtpr(X(v));
	case VREG_GDT_BASE: return vmread(VMCS_GUEST_GDTR_BASE);
	case VREG_GDT_LIMIT: return vmread(VMCS_GUEST_GDTR_LIMIT);
	default: return 0;
	}
}

/* vmx_get_seg - the VMCS's access rights back in struct seg_state's layout (bits 15:12 to 11:8). */
static void vmx_get_seg(struct vcpu *v, int i, struct seg_state *s)
{
	uint32_t ar;

	vmcs_load(X(v));
	ar = (uint32_t)vmread(VMCS_GUEST_ES_AR + 2 * i);
	s->sel = (uint16_t)vmread(VMCS_GUEST_ES_SEL + 2 * i);
	s->base = vmread(VMCS_GUEST_ES_BASE + 2 * i);
	s->limit = (uint32_t)vmread(VMCS_GUEST_ES_LIMIT + 2 * i);
	s->attr = (ar & AR_UNUSABLE) ? 0 : (uint16_t)((ar & 0xff) | ((ar >> 4) & 0xf00));
}

/* vmx_set_seg - struct seg_state's attributes as VMCS access rights (bits 11:8 to 15:12). */
static void vmx_set_seg(struct vcpu *v, int i, const struct seg_state *s)
{
	vmcs_load(X(v));
	vmw(VMCS_GUEST_ES_SEL + 2 * i, s->sel);
	vmw(VMCS_GUEST_ES_BASE + 2 * i, s->base);
	vmw(VMCS_GUEST_ES_LIMIT + 2 * i, s->limit);
	vmw(VMCS_GUEST_ES_AR + 2 * i,
	    s->attr ? (uint64_t)((s->attr & 0xff) | ((s->attr & 0xf00) << 4)) : AR_UNUSABLE);
}

static void vmx_set_reg(struct vcpu *v, enum vreg r, uint64_t val)
{
	struct vmx_vcpu *x = X(v);

	vmcs_load(x);
	switch (r) {
	case VREG_RIP: vmw(VMCS_GUEST_RIP, val); break;
	case VREG_RSP: vmw(VMCS_GUEST_RSP, val); break;
	case VREG_RFLAGS: vmw(VMCS_GUEST_RFLAGS, val | 2); break;
	case VREG_CR0: set_cr0(val); load_pdptes(v); break;
	case VREG_CR2: x->cr2 = val; break;
	case VREG_CR3:
		vmw(VMCS_GUEST_CR3, val);
		load_pdptes(v);
		x->flush = true;	/* a MOV to CR3 would have flushed the VPID's TLB */
		break;
	case VREG_CR4: set_cr4(val); load_pdptes(v); break;
	case VREG_EFER:
		vmw(VMCS_GUEST_EFER, val);
		sync_ia32e();
		break;
	case VREG_TSC_OFFSET: vmw(VMCS_TSC_OFFSET, val); break;
	case VREG_DR6: lazy_set_dr6(&x->lazy, val); break;
	case VREG_XCR0: lazy_set_xcr0(&x->lazy, val); break;
	case VREG_TPR: *vtpr(x) = (uint8_t)val; break;
	case VREG_TPR_THRESHOLD:
		if (x->tpr_threshold != (uint8_t)val) {
			x->tpr_threshold = (uint8_t)val;
			vmw(VMCS_TPR_THRESHOLD, val);
		}
		break;
	case VREG_INT_SHADOW:
		if (!val)
			vmw(VMCS_GUEST_INTERRUPTIBILITY, vmread(VMCS_GUEST_INTERRUPTIBILITY) &
			    ~(uint64_t)(INTR_BLOCK_STI | INTR_BLOCK_MOV_SS));
		break;
	case VREG_PAT:
		/* Without the PAT load controls the guest runs on the host's (power-on) PAT. */
		if (vmx_caps.entry & ENTRY_LOAD_PAT)
			vmw(VMCS_GUEST_PAT, val);
		break;
	default: break;
	}
}

static void vmx_skip_insn(struct vcpu *v)
{
	vmcs_load(X(v));
	vmx_skip();
}

static void vmx_inject(struct vcpu *v, const struct virt_event *ev)
{
	static const uint32_t type[] = {
		[EVENT_EXTINT] = INTR_TYPE_EXT,
		[EVENT_NMI] = INTR_TYPE_NMI,
		[EVENT_EXCEPTION] = INTR_TYPE_HW_EXC,
	};
	uint32_t info = ev->vector | type[ev->type] | INTR_INFO_VALID;

	vmcs_load(X(v));
	/* In real mode (unrestricted guest, CR0.PE = 0) no error code is pushed (27.2.1.3). */
	if (ev->has_error && (vmread(VMCS_GUEST_CR0) & CR0_PE)) {
		info |= INTR_INFO_ERROR;
		vmw(VMCS_ENTRY_EXC_ERROR, ev->error);
	}
	vmw(VMCS_ENTRY_INTR_INFO, info);
}

/*
 * vmx_can_inject - no event is being injected, no STI/MOV SS shadow, and
 * IF = 1 for an interrupt or no NMI blocking for an NMI (the shadows block
 * NMIs on some processors, SDM vol. 3C 26.3.1.5, so they count for both).
 */
static bool vmx_can_inject(struct vcpu *v, enum event_type t)
{
	uint64_t intr;

	vmcs_load(X(v));
	intr = vmread(VMCS_GUEST_INTERRUPTIBILITY);
	if ((vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID) ||
	    (intr & (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS)))
		return false;
	return t == EVENT_NMI ? !(intr & INTR_BLOCK_NMI) : (vmread(VMCS_GUEST_RFLAGS) & RFLAGS_IF);
}

/*
 * vmx_want_window - interrupt- and NMI-window exiting (25.6.2) from the
 * scheduler's wishes. An NMI window may open inside an STI shadow on some
 * processors (25.2), which vmx_can_inject refuses, so the exit would repeat
 * at the same instruction: inside the shadow (IF = 1 after STI) the
 * interrupt window, which waits the shadow out, asks for the NMI's exit.
 */
static void vmx_want_window(struct vcpu *v, enum event_type t, bool on)
{
	struct vmx_vcpu *x = X(v);
	uint32_t proc = x->proc & ~(PROC_INTR_WINDOW | PROC_NMI_WINDOW);
	bool sti;

	if (t == EVENT_NMI)
		x->want_nmi = on;
	else
		x->want_irq = on;
	vmcs_load(x);
	sti = x->want_nmi && (vmread(VMCS_GUEST_INTERRUPTIBILITY) & INTR_BLOCK_STI) &&
	      (vmread(VMCS_GUEST_RFLAGS) & RFLAGS_IF);	/* read only when an NMI waits */
	if (x->want_irq || (x->want_nmi && sti))
		proc |= PROC_INTR_WINDOW;
	if (x->want_nmi && !sti)
		proc |= PROC_NMI_WINDOW;
	if (proc == x->proc)
		return;
	x->proc = proc;
	vmw(VMCS_PROC_CTLS, proc);
}

static void vmx_flush_tlb(struct vm *vm)
{
	vm_for_each_vcpu(vm, v)
		if (v->arch)
			X(v)->flush = true;
}

const struct virt_ops vmx_ops = {
	.name = "VMX",
	.p2m_format = &vmx_ept,
	.p2m_flags = 0,
	.loads_pdptes = true,
	.tpr_threshold = true,
	.cpu_enable = vmx_cpu_enable,
	.vcpu_init = vmx_vcpu_init,
	.vcpu_free = vmx_vcpu_free,
	.vcpu_run = vmx_vcpu_run,
	.get_reg = vmx_get_reg,
	.get_seg = vmx_get_seg,
	.set_reg = vmx_set_reg,
	.set_seg = vmx_set_seg,
	.skip_insn = vmx_skip_insn,
	.inject = vmx_inject,
	.can_inject = vmx_can_inject,
	.want_window = vmx_want_window,
	.flush_tlb = vmx_flush_tlb,
	.exit_name = vmx_exit_name,
};
