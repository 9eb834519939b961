// SPDX-License-Identifier: MIT
/*
 * priv - executes what a guest must not be allowed to do and checks that
 * the CPU (or the hypervisor) answers with the architectural exception:
 * #GP for writes to virtualization-control MSRs, #UD for VMXON/VMRUN with
 * virtualization off, and, under sharevisor, VMX/SVM hidden in CPUID and
 * the vendor's hypercall instruction working while the other one #UDs.
 *
 * Bare (no sharevisor signature) only what holds on any CPU is checked:
 * QEMU's TCG ignores writes to MSRs it does not know and accepts CR4.VMXE
 * without VMX, so those checks need sharevisor's MSR and CR policy.
 */
#include "rt.h"
#include "../../kernel/hvabi.h"

#define MSR_FEATURE_CONTROL	0x3a
#define MSR_EFER		0xc0000080u
#define MSR_VM_CR		0xc0010114u
#define EFER_SVME		(1ull << 12)
#define CR4_VMXE		(1u << 13)

#define CPUID1_ECX_VMX		(1u << 5)
#define CPUID81_ECX_SVM		(1u << 2)

static uint64_t vmxon_region[512] __attribute__((aligned(4096)));

/* cpu_has_vmx / cpu_has_svm - what CPUID tells this guest. */
static bool cpu_has_vmx(void)
{
	return cpuid(1, 0).ecx & CPUID1_ECX_VMX;
}

static bool cpu_has_svm(void)
{
	if (cpuid(0x80000000u, 0).eax < 0x80000001u)
		return false;
	return cpuid(0x80000001u, 0).ecx & CPUID81_ECX_SVM;
}

/* cpuid_hidden - under sharevisor the guest sees neither VMX nor SVM. */
static void cpuid_hidden(void)
{
	bool hv = rt_hv_present();

	rt_printf("priv: sharevisor %s, vmx %d, svm %d\n", hv ? "present" : "absent",
		  cpu_has_vmx(), cpu_has_svm());
	if (!hv) {
		rt_skip("bare: nothing hidden");
		return;
	}
	EXPECT(!cpu_has_vmx());
	EXPECT(!cpu_has_svm());
}

/* wrmsr_vm_cr - VM_CR controls SVM lock/disable: #GP for a guest. */
static void wrmsr_vm_cr(void)
{
	int v;

	if (!rt_hv_present()) {
		rt_skip("bare: the MSR policy is sharevisor's");
		return;
	}
	v = rt_wrmsr_probe(MSR_VM_CR, 1u << 4);	/* SVMDIS */
	rt_printf("priv: wrmsr VM_CR -> vector %d\n", v);
	EXPECT(v == VEC_GP);
}

/* wrmsr_feature_control - FEATURE_CONTROL (VMX lock): #GP for a guest. */
static void wrmsr_feature_control(void)
{
	int v;

	if (!rt_hv_present()) {
		rt_skip("bare: the MSR policy is sharevisor's");
		return;
	}
	v = rt_wrmsr_probe(MSR_FEATURE_CONTROL, 0x5);
	rt_printf("priv: wrmsr FEATURE_CONTROL -> vector %d\n", v);
	EXPECT(v == VEC_GP);
}

/* vmxon_ud - VMXON with CR4.VMXE clear raises #UD (SDM Vol. 3C 30.3). */
static void vmxon_ud(void)
{
	uint64_t pa = (uint32_t)vmxon_region;	/* VMXON's operand is 64-bit */

	rt_fault_vec = -1;
	__asm__ volatile(RT_PROBE_ASM("vmxon (%0)") : : "r"(&pa) : "memory");
	rt_fault_ip = 0;
	rt_printf("priv: vmxon -> vector %d\n", rt_fault_vec);
	EXPECT(rt_fault_vec == VEC_UD);
}

/* vmrun_ud - VMRUN with EFER.SVME clear raises #UD (APM Vol. 3, VMRUN). */
static void vmrun_ud(void)
{
	rt_fault_vec = -1;
	__asm__ volatile(RT_PROBE_ASM("vmrun") : : "a"(vmxon_region) : "memory");
	rt_fault_ip = 0;
	rt_printf("priv: vmrun -> vector %d\n", rt_fault_vec);
	EXPECT(rt_fault_vec == VEC_UD);
}

/* cr4_vmxe - without VMX in CPUID, setting CR4.VMXE is reserved: #GP. */
static void cr4_vmxe(void)
{
	uint32_t cr4;

	if (!rt_hv_present() || cpu_has_vmx()) {
		rt_skip("bare or VMX visible");
		return;
	}
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= CR4_VMXE;
	rt_fault_vec = -1;
	__asm__ volatile(RT_PROBE_ASM("mov %0, %%cr4") : : "r"(cr4) : "memory");
	rt_fault_ip = 0;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	rt_printf("priv: cr4.vmxe -> vector %d\n", rt_fault_vec);
	EXPECT(rt_fault_vec == VEC_GP);
	EXPECT(!(cr4 & CR4_VMXE));
}

/* efer_svme - without SVM in CPUID, setting EFER.SVME is reserved: #GP. */
static void efer_svme(void)
{
	uint64_t efer;
	int v;

	if (!rt_hv_present() || cpu_has_svm()) {
		rt_skip("bare or SVM visible");
		return;
	}
	if (rt_rdmsr_probe(MSR_EFER, &efer) >= 0) {
		rt_skip("no EFER");
		return;
	}
	v = rt_wrmsr_probe(MSR_EFER, efer | EFER_SVME);
	rt_printf("priv: efer.svme -> vector %d\n", v);
	EXPECT(v == VEC_GP);
	EXPECT(rt_rdmsr_probe(MSR_EFER, &efer) < 0 && !(efer & EFER_SVME));
}

/* hypercall - sharevisor answers VERSION; the other vendor's insn #UDs. */
static void hypercall(void)
{
	bool intel = rt_cpu_is_intel();

	rt_fault_vec = -1;
	if (intel)
		__asm__ volatile(RT_PROBE_ASM("vmmcall") : : "a"(SV_HC_VERSION) : "memory");
	else
		__asm__ volatile(RT_PROBE_ASM("vmcall") : : "a"(SV_HC_VERSION) : "memory");
	rt_fault_ip = 0;
	rt_printf("priv: %s -> vector %d\n", intel ? "vmmcall" : "vmcall", rt_fault_vec);
	EXPECT(rt_fault_vec == VEC_UD);
	if (!rt_hv_present()) {
		/* Bare, with virtualization off, the native one #UDs too. */
		EXPECT(rt_hypercall(SV_HC_VERSION, 0, 0, 0) == -38);
		return;
	}
	EXPECT(rt_hypercall(SV_HC_VERSION, 0, 0, 0) == SV_ABI_VERSION);
	EXPECT(rt_hypercall(0x7fff, 0, 0, 0) == -38);
}

/*
 * invd - INVD completes without a fault and memory keeps what was written:
 * under sharevisor it exits and is a no-op (a guest must never drop the
 * machine's dirty cache lines), bare it runs natively.
 */
static void invd(void)
{
	static volatile uint32_t word;

	word = 0x1badd00d;
	rt_fault_vec = -1;
	__asm__ volatile(RT_PROBE_ASM("invd") : : : "memory");
	rt_fault_ip = 0;
	rt_printf("priv: invd -> vector %d, word %x\n", rt_fault_vec, word);
	EXPECT(rt_fault_vec == -1);
	EXPECT(word == 0x1badd00d);
}

/*
 * dr_kept - DR0-DR3 keep this guest's values while other VMs run (each
 * vCPU has its own).
 */
static void dr_kept(void)
{
	uint32_t id = rt_hv_present() ? cpuid(SV_CPUID_INFO, 0).ebx : 1, got[4];
	uint32_t want[4] = { 0x100000 * id + 0x10, 0x100000 * id + 0x20,
			     0x100000 * id + 0x30, 0x100000 * id + 0x40 };

	__asm__ volatile("mov %0, %%dr0" : : "r"(want[0]));
	__asm__ volatile("mov %0, %%dr1" : : "r"(want[1]));
	__asm__ volatile("mov %0, %%dr2" : : "r"(want[2]));
	__asm__ volatile("mov %0, %%dr3" : : "r"(want[3]));
	for (int i = 0; i < 50; i++) {
		rt_hypercall(SV_HC_YIELD, 0, 0, 0);
		for (volatile int k = 0; k < 20000; k++)
			;
	}
	__asm__ volatile("mov %%dr0, %0" : "=r"(got[0]));
	__asm__ volatile("mov %%dr1, %0" : "=r"(got[1]));
	__asm__ volatile("mov %%dr2, %0" : "=r"(got[2]));
	__asm__ volatile("mov %%dr3, %0" : "=r"(got[3]));
	rt_printf("priv: dr0 %x want %x\n", got[0], want[0]);
	for (int i = 0; i < 4; i++)
		EXPECT(got[i] == want[i]);
}

/* dr45_probe - MOV to (@write) DR4 or from DR5 under a fault probe; returns the vector or -1. */
static int dr45_probe(bool write, uint32_t *val)
{
	rt_fault_vec = -1;
	if (write)
		__asm__ volatile(RT_PROBE_ASM("mov %0, %%dr4") : : "r"(*val) : "memory");
	else
		__asm__ volatile(RT_PROBE_ASM("mov %%dr5, %0") : "+r"(*val) : : "memory");
	return rt_fault_vec;
}

/*
 * dr_arch - the debug registers behave as the SDM says (vol. 3B 17.2):
 * DR6 and DR7 keep their fixed bits, DR4/DR5 are DR6/DR7 while CR4.DE is
 * clear and #UD while it is set. Under sharevisor (whose debug registers
 * are virtual) also: DR7.GD makes the next access a #DB with DR6.BD set
 * and GD cleared, and a DR7 that enables a breakpoint reads back but never
 * reaches the CPU.
 */
static void dr_arch(void)
{
	uint32_t cr4, v, dr6, dr7;
	static volatile uint32_t watched;

	__asm__ volatile("mov %0, %%dr6" : : "r"(0u));
	__asm__ volatile("mov %0, %%dr7" : : "r"(0u));
	dr6 = RT_READ_REG(dr6);
	dr7 = RT_READ_REG(dr7);
	rt_printf("priv: dr6 %x dr7 %x after writing 0\n", dr6, dr7);
	EXPECT(dr6 == 0xffff0ff0u);
	EXPECT(dr7 == 0x400u);
	v = 0x0000000fu;	/* B0-B3 through DR4 = DR6 */
	EXPECT(dr45_probe(true, &v) == -1);
	EXPECT(RT_READ_REG(dr6) == 0xffff0fffu);
	v = 0;
	EXPECT(dr45_probe(false, &v) == -1 && v == 0x400u);	/* DR5 = DR7 */
	__asm__ volatile("mov %0, %%dr6" : : "r"(0u));
	if (cpuid(1, 0).edx & (1u << 2)) {	/* DE */
		cr4 = RT_READ_REG(cr4);
		__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | 8u));
		EXPECT(dr45_probe(true, &v) == VEC_UD);
		EXPECT(dr45_probe(false, &v) == VEC_UD);
		__asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
	}
	if (!rt_hv_present())
		return;
	/* General detect. */
	__asm__ volatile("mov %0, %%dr7" : : "r"(0x2000u));
	rt_fault_vec = -1;
	__asm__ volatile(RT_PROBE_ASM("mov %%dr6, %0") : "=r"(v) : : "memory");
	EXPECT(rt_fault_vec == 1);
	dr6 = RT_READ_REG(dr6);
	dr7 = RT_READ_REG(dr7);
	rt_printf("priv: general detect: #DB %d, dr6 %x dr7 %x\n", rt_fault_vec == 1, dr6, dr7);
	EXPECT(dr6 == (0xffff0ff0u | 0x2000u));
	EXPECT(dr7 == 0x400u);
	/*
	 * An armed data breakpoint (L0, write, 4 bytes) reads back and does
	 * not fire: a #DB here would end the guest (unexpected exception).
	 */
	__asm__ volatile("mov %0, %%dr0" : : "r"((uint32_t)(uintptr_t)&watched));
	__asm__ volatile("mov %0, %%dr7" : : "r"(0x000d0001u));
	watched = 1;
	EXPECT(RT_READ_REG(dr7) == 0x000d0401u);
	__asm__ volatile("mov %0, %%dr7" : : "r"(0u));
	__asm__ volatile("mov %0, %%dr6" : : "r"(0u));
}

static volatile uint32_t ss_n, ss_eip[8], ss_dr6[8];

static void ss_handler(struct rt_frame *f)
{
	if (ss_n < 8) {
		ss_eip[ss_n] = f->eip;
		ss_dr6[ss_n] = RT_READ_REG(dr6);
	}
	ss_n++;
	__asm__ volatile("mov %0, %%dr6" : : "r"(0u));
}

/*
 * single_step - with RFLAGS.TF every instruction ends in a #DB with
 * DR6.BS, also CPUID and IN, which sharevisor completes for the guest (it
 * must raise the #DB the CPU would have): six instructions, six #DBs, each
 * at the next instruction's address.
 */
static void single_step(void)
{
	uint32_t l1, l2, l3;

	rt_set_handler(1, ss_handler);
	ss_n = 0;
	__asm__ volatile("movl $1f, %0\n\t"
			 "movl $2f, %1\n\t"
			 "movl $3f, %2\n\t"
			 "xorl %%eax, %%eax\n\t"
			 "movl $0x80, %%edx\n\t"
			 "pushf\n\t"
			 "orl $0x100, (%%esp)\n\t"
			 "popf\n\t"
			 "nop\n"
			 "1: cpuid\n"
			 "2: inb %%dx, %%al\n"
			 "3: pushf\n\t"
			 "andl $~0x100, (%%esp)\n\t"
			 "popf\n\t"
			 : "=m"(l1), "=m"(l2), "=m"(l3) : : "eax", "ebx", "ecx", "edx", "memory");
	rt_set_handler(1, NULL);
	rt_printf("priv: single-step: %u #DBs, at %x %x %x (want %x %x %x), dr6 %x %x %x\n", ss_n,
		  ss_eip[0], ss_eip[1], ss_eip[2], l1, l2, l3, ss_dr6[0], ss_dr6[1], ss_dr6[2]);
	EXPECT(ss_n == 6);
	EXPECT(ss_eip[0] == l1 && ss_eip[1] == l2 && ss_eip[2] == l3);
	for (int i = 0; i < 3; i++)
		EXPECT(ss_dr6[i] & (1u << 14));
}

/* pat - IA32_PAT takes valid memory types and reads back; a reserved type is #GP. */
static void pat(void)
{
	uint64_t old = 0, now = 0, want = 0x0001040600070406ull;	/* entry 6 = WC (1) */

	if (rt_rdmsr_probe(0x277, &old) >= 0) {
		rt_skip("no PAT");
		return;
	}
	EXPECT(rt_wrmsr_probe(0x277, want) < 0);
	EXPECT(rt_rdmsr_probe(0x277, &now) < 0 && now == want);
	if (rt_hv_present())
		EXPECT(rt_wrmsr_probe(0x277, 0x0002040600070406ull) == VEC_GP);	/* type 2 */
	EXPECT(rt_wrmsr_probe(0x277, old) < 0);
	rt_printf("priv: pat %llx -> %llx\n", old, now);
}

static const struct rt_test tests[] = {
	{ "cpuid_hidden", cpuid_hidden },
	{ "wrmsr_vm_cr", wrmsr_vm_cr },
	{ "wrmsr_feature_control", wrmsr_feature_control },
	{ "vmxon_ud", vmxon_ud },
	{ "vmrun_ud", vmrun_ud },
	{ "cr4_vmxe", cr4_vmxe },
	{ "efer_svme", efer_svme },
	{ "hypercall", hypercall },
	{ "invd", invd },
	{ "dr_kept", dr_kept },
	{ "dr_arch", dr_arch },
	{ "single_step", single_step },
	{ "pat", pat },
	{ NULL, NULL },
};

RT_GUEST("priv", tests);
