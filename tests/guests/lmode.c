// SPDX-License-Identifier: MIT
/*
 * lmode - control registers and EFER as the CPU checks them, and the mode
 * changes a hypervisor must follow without losing itself.
 *
 * Under sharevisor every CR0, CR4 and EFER write exits and is checked by
 * the policy: the guest must get #GP exactly where hardware gives it, and
 * a CR4 bit is accepted exactly when this guest's CPUID advertises it.
 * lme_exits is the state that used to hand the host the guest's CR0 on
 * QEMU's SVM (EFER.LME = 1 with paging and PAE off, then exits); the
 * neighbours of this VM in the scenario would fail or the host crash. The
 * last test, bad_long_mode (option final=1), enters long mode with 32-bit
 * page tables: the CPU cannot even deliver the fault, so the VM ends in a
 * triple fault that stops it alone.
 */
#include "rt.h"

#define MSR_EFER	0xc0000080u
#define EFER_LME	(1u << 8)
#define EFER_LMA	(1u << 10)
#define CR0_PE		(1u << 0)
#define CR0_MP		(1u << 1)
#define CR0_TS		(1u << 3)
#define CR0_NW		(1u << 29)
#define CR0_CD		(1u << 30)
#define CR0_PG		(1u << 31)
#define CR4_PSE		(1u << 4)
#define CR4_PAE		(1u << 5)
#define CR4_PGE		(1u << 7)

static uint32_t pd32[1024] __attribute__((aligned(4096)));
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd64[512] __attribute__((aligned(4096)));
static uint64_t pd64_hi[512] __attribute__((aligned(4096)));
static uint64_t pae_pdpt[4] __attribute__((aligned(32)));

/* cr0_probe / cr4_probe - MOV to CRn; the vector it raised, or -1. */
static int cr0_probe(uint32_t v)
{
	rt_fault_vec = -1;
	__asm__ volatile(RT_PROBE_ASM("mov %0, %%cr0") : : "r"(v) : "memory");
	rt_fault_ip = 0;
	return rt_fault_vec;
}

static int cr4_probe(uint32_t v)
{
	rt_fault_vec = -1;
	__asm__ volatile(RT_PROBE_ASM("mov %0, %%cr4") : : "r"(v) : "memory");
	rt_fault_ip = 0;
	return rt_fault_vec;
}

static uint64_t efer(void)
{
	uint64_t v = 0;

	rt_rdmsr_probe(MSR_EFER, &v);
	return v;
}

/*
 * lme_exits - LME set with paging and PAE off, then many exits of several
 * kinds (CPUID, port I/O, MSR reads, hypercalls): each one must leave the
 * host intact. EFER reads back the LME it was given, LMA clear.
 */
static void lme_exits(void)
{
	uint64_t e = efer();

	EXPECT(rt_wrmsr_probe(MSR_EFER, e | EFER_LME) == -1);
	for (int i = 0; i < 200; i++) {
		(void)cpuid(0, 0);
		(void)inb(0x80);
		(void)efer();
		if (rt_hv_present())
			(void)rt_hypercall(0 /* SV_HC_VERSION */, 0, 0, 0);
	}
	rt_printf("lmode: efer %llx with LME, paging off\n", efer());
	EXPECT((efer() & (EFER_LME | EFER_LMA)) == EFER_LME);
	EXPECT(rt_wrmsr_probe(MSR_EFER, e) == -1);
	EXPECT(!(efer() & EFER_LME));
}

/* cr0_checks - PG without PE, NW without CD, and PG into long mode without PAE: #GP. */
static void cr0_checks(void)
{
	uint32_t cr0 = RT_READ_REG(cr0);
	uint64_t e = efer();

	if (!rt_hv_present()) {
		rt_skip("bare: QEMU ignores PG without PAE instead of #GP");
		return;
	}
	EXPECT(cr0_probe((cr0 & ~CR0_PE) | CR0_PG) == VEC_GP);
	EXPECT(cr0_probe(cr0 | CR0_NW) == VEC_GP);
	EXPECT(RT_READ_REG(cr0) == cr0);
	/* CD and NW together are legal (caches off); then back. */
	EXPECT(cr0_probe(cr0 | CR0_CD | CR0_NW) == -1);
	EXPECT(cr0_probe(cr0) == -1);
	EXPECT(rt_wrmsr_probe(MSR_EFER, e | EFER_LME) == -1);
	EXPECT(cr0_probe(cr0 | CR0_PG) == VEC_GP);	/* long mode needs CR4.PAE */
	EXPECT(!(RT_READ_REG(cr0) & CR0_PG));
	EXPECT(rt_wrmsr_probe(MSR_EFER, e) == -1);
}

/* pe_round_trip - PE off and on again (real mode for one instruction), as boot code does. */
static void pe_round_trip(void)
{
	uint32_t cr0 = RT_READ_REG(cr0);

	__asm__ volatile("cli; mov %0, %%cr0; mov %1, %%cr0" : : "r"(cr0 & ~CR0_PE), "r"(cr0) : "memory");
	EXPECT(RT_READ_REG(cr0) == cr0);
}

/*
 * lmsw_forms - LMSW from memory and from a register: bits 3:0 (PE MP EM
 * TS) of the source, PE set but never cleared. On SVM without decode
 * assists the hypervisor's instruction emulator reads the operand.
 */
static void lmsw_forms(void)
{
	uint32_t cr0 = RT_READ_REG(cr0);
	volatile uint16_t msw = (uint16_t)((cr0 & ~0xfu) | CR0_MP | CR0_TS);	/* PE clear */
	uint16_t back = (uint16_t)cr0;

	__asm__ volatile("lmsw %0" : : "m"(msw) : "memory");
	EXPECT(RT_READ_REG(cr0) == ((cr0 & ~0xfu) | CR0_PE | CR0_MP | CR0_TS));
	__asm__ volatile("lmsw %w0" : : "r"(back) : "memory");
	EXPECT(RT_READ_REG(cr0) == cr0);
}

/* efer_checks - reserved bits #GP, LMA is read-only (a written 1 is ignored). */
static void efer_checks(void)
{
	uint64_t e = efer();

	if (!rt_hv_present()) {
		rt_skip("bare: reserved-bit checks vary by emulator");
		return;
	}
	EXPECT(rt_wrmsr_probe(MSR_EFER, e | (1u << 1)) == VEC_GP);
	EXPECT(rt_wrmsr_probe(MSR_EFER, e | (1ull << 32)) == VEC_GP);
	EXPECT(rt_wrmsr_probe(MSR_EFER, e | (1u << 12)) == VEC_GP);	/* SVME: hidden */
	EXPECT(rt_wrmsr_probe(MSR_EFER, e | EFER_LMA) == -1);
	EXPECT(!(efer() & EFER_LMA));
	EXPECT(efer() == e);
}

/* cr4_advertised - the CR4 bits this guest's CPUID leaves 1 and 7 advertise. */
static uint32_t cr4_advertised(void)
{
	struct cpuid_regs l1 = cpuid(1, 0), l7 = { 0, 0, 0, 0 };
	uint32_t ok = (1u << 2) /* TSD */ | (1u << 8) /* PCE */;

	if (cpuid(0, 0).eax >= 7)
		l7 = cpuid(7, 0);
	if (l1.edx & (1u << 1))
		ok |= (1u << 0) | (1u << 1);	/* VME, PVI */
	if (l1.edx & (1u << 2))
		ok |= 1u << 3;	/* DE */
	if (l1.edx & (1u << 3))
		ok |= 1u << 4;	/* PSE */
	if (l1.edx & (1u << 6))
		ok |= 1u << 5;	/* PAE */
	if (l1.edx & (1u << 7))
		ok |= 1u << 6;	/* MCE */
	if (l1.edx & (1u << 13))
		ok |= 1u << 7;	/* PGE */
	if (l1.edx & (1u << 24))
		ok |= 1u << 9;	/* OSFXSR */
	if (l1.edx & (1u << 25))
		ok |= 1u << 10;	/* OSXMMEXCPT */
	if (l1.ecx & (1u << 17))
		ok |= 1u << 17;	/* PCIDE (only in long mode: tested apart) */
	if (l1.ecx & (1u << 26))
		ok |= 1u << 18;	/* OSXSAVE */
	if (l7.ebx & (1u << 0))
		ok |= 1u << 16;	/* FSGSBASE */
	if (l7.ebx & (1u << 7))
		ok |= 1u << 20;	/* SMEP */
	if (l7.ebx & (1u << 20))
		ok |= 1u << 21;	/* SMAP */
	if (l7.ecx & (1u << 2))
		ok |= 1u << 11;	/* UMIP */
	if (l7.ecx & (1u << 3))
		ok |= 1u << 22;	/* PKE */
	if (l7.ecx & (1u << 16))
		ok |= 1u << 12;	/* LA57 */
	if (l7.ecx & (1u << 31))
		ok |= 1u << 24;	/* PKS */
	if (l1.ecx & (1u << 5))
		ok |= 1u << 13;	/* VMXE */
	if (l1.ecx & (1u << 6))
		ok |= 1u << 14;	/* SMXE */
	return ok;
}

/* cr4_bits - each CR4 bit alone is accepted exactly when CPUID advertises its feature. */
static void cr4_bits(void)
{
	uint32_t cr4 = RT_READ_REG(cr4), ok = cr4_advertised(), bad = 0;

	if (!rt_hv_present()) {
		rt_skip("bare: the emulator's own CR4 checks");
		return;
	}
	for (int bit = 0; bit < 32; bit++) {
		uint32_t m = 1u << bit;
		int want, got;

		if (cr4 & m)
			continue;
		if (m & (1u << 17)) {	/* PCIDE: #GP outside long mode even when advertised */
			want = VEC_GP;
		} else {
			want = (ok & m) ? -1 : VEC_GP;
		}
		got = cr4_probe(cr4 | m);
		if (got != want) {
			rt_printf("lmode: cr4 bit %d: vector %d, want %d\n", bit, got, want);
			bad++;
		}
		if (RT_READ_REG(cr4) != cr4)
			EXPECT(cr4_probe(cr4) == -1);
	}
	rt_printf("lmode: cr4 advertised %x, %u mismatches\n", ok, bad);
	EXPECT(bad == 0);
	EXPECT(RT_READ_REG(cr4) == cr4);
}

/*
 * long_mode_round_trip - real long mode (compatibility mode, this 32-bit
 * code) with identity-mapped 4-level tables, and back: EFER.LMA reads 1
 * inside, 0 after, and exits inside work. Interrupts stay off (the IDT is
 * a 32-bit one) and nothing here faults.
 */
/* long_mode_on / long_mode_off - into long mode (compatibility mode: CS stays 32-bit) and back, interrupts off. */
static void long_mode_on(uint32_t cr0, uint32_t cr4, uint64_t e)
{
	for (int i = 0; i < 512; i++) {
		pd64[i] = ((uint64_t)i << 21) | 0x83;	/* 2 MiB pages: the first GiB */
		pd64_hi[i] = (0xc0000000ull + ((uint64_t)i << 21)) | 0x93;	/* 3-4 GiB, uncached */
	}
	pdpt[0] = (uint32_t)pd64 | 3;
	pdpt[3] = (uint32_t)pd64_hi | 3;
	pml4[0] = (uint32_t)pdpt | 3;
	cli();
	__asm__ volatile("mov %0, %%cr3" : : "r"(pml4) : "memory");
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | CR4_PAE) : "memory");
	EXPECT(rt_wrmsr_probe(MSR_EFER, e | EFER_LME) == -1);
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | CR0_PG) : "memory");
}

static void long_mode_off(uint32_t cr0, uint32_t cr4, uint64_t e)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
	EXPECT(rt_wrmsr_probe(MSR_EFER, e) == -1);
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
}

static void long_mode_round_trip(void)
{
	uint32_t cr0 = RT_READ_REG(cr0), cr4 = RT_READ_REG(cr4);
	uint64_t e = efer(), inside;

	long_mode_on(cr0, cr4, e);
	inside = efer();
	(void)cpuid(0, 0);
	long_mode_off(cr0, cr4, e);
	rt_printf("lmode: efer in long mode %llx, after %llx\n", inside, efer());
	EXPECT((inside & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA));
	EXPECT(!(efer() & EFER_LMA));
}

/*
 * pae_pdptes - PAE paging (PG, PAE, LME clear): a MOV to CR0 or CR4 that
 * changes PG, CD, NW, PAE, PGE, PSE or SMEP loads the four PDPTEs from CR3,
 * and one that is present with a reserved bit set (bit 1, the "writable"
 * bit of the other levels) gives #GP(0) with nothing changed (SDM vol. 3A
 * 4.4.1). Under sharevisor on Intel (VMX) these writes exit and the policy
 * does the load (a bad one would otherwise fail the VM entry). AMD's nested
 * paging, and bare QEMU's TCG, read PDPTEs at each walk instead (QEMU sets
 * bit 5 in them as an accessed bit), so there only the good path runs.
 */
static void pae_pdptes(void)
{
	uint32_t cr0 = RT_READ_REG(cr0), cr4 = RT_READ_REG(cr4);
	bool hv = rt_hv_present() && rt_cpu_is_intel(), pge = cpuid(1, 0).edx & (1u << 13);
	int bad_pg, bad_pge = -1, good_cd = -1;
	uint32_t paged_cr0, after_pg, after_pge = 0, flags;

	if (!(cpuid(1, 0).edx & (1u << 6))) {
		rt_skip("no PAE");
		return;
	}
	for (int i = 0; i < 512; i++)
		pd64[i] = ((uint64_t)i << 21) | 0x83;	/* 2 MiB pages: the first GiB */
	pae_pdpt[0] = (uint32_t)pd64 | 1;	/* a PDPTE has no R/W bit: only P, PWT, PCD */
	pae_pdpt[1] = pae_pdpt[2] = pae_pdpt[3] = 0;
	__asm__ volatile("pushf; pop %0; cli" : "=r"(flags) : : "memory");
	__asm__ volatile("mov %0, %%cr3" : : "r"(pae_pdpt) : "memory");
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | CR4_PAE) : "memory");
	if (hv) {
		pae_pdpt[3] = (uint32_t)pd64 | 3;	/* reserved bit 1 */
		bad_pg = cr0_probe(cr0 | CR0_PG);
		after_pg = RT_READ_REG(cr0);
		pae_pdpt[3] = 0;
	} else {
		bad_pg = VEC_GP;
		after_pg = cr0;
	}
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | CR0_PG) : "memory");
	paged_cr0 = RT_READ_REG(cr0);
	if (hv) {
		/* A CD toggle reloads them too: fine while they are good. */
		good_cd = cr0_probe(paged_cr0 | CR0_CD);
		__asm__ volatile("mov %0, %%cr0" : : "r"(paged_cr0) : "memory");
		if (pge) {
			pae_pdpt[2] = (uint32_t)pd64 | 1 | (1u << 5);	/* reserved bit 5 */
			bad_pge = cr4_probe(cr4 | CR4_PAE | CR4_PGE);
			after_pge = RT_READ_REG(cr4);
			pae_pdpt[2] = 0;
		}
	}
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
	__asm__ volatile("push %0; popf" : : "r"(flags) : "memory", "cc");
	if (hv)
		rt_printf("pae_pdptes: PG with a bad PDPTE: vector %d; PGE: vector %d; paged cr0 %x\n",
			  bad_pg, bad_pge, paged_cr0);
	else
		rt_printf("pae_pdptes: good PDPTEs only (bare or AMD); paged cr0 %x\n", paged_cr0);
	EXPECT(bad_pg == VEC_GP);
	EXPECT(!(after_pg & CR0_PG));
	EXPECT(paged_cr0 == (cr0 | CR0_PG));
	EXPECT(good_cd == -1);
	if (hv && pge) {
		EXPECT(bad_pge == VEC_GP);
		EXPECT(after_pge == (cr4 | CR4_PAE));
	}
	EXPECT(RT_READ_REG(cr0) == cr0);
	EXPECT(RT_READ_REG(cr4) == cr4);
}

/*
 * cr8_64 - 64-bit code, entered by a far call to selector 0x18 from
 * compatibility mode and left by a 32-bit far return: CR8 := EAX, then
 * EAX := the xAPIC TPR (at 0xfee00080); then TPR := ECX, EDX := CR8.
 */
void cr8_64(void);
__asm__(".pushsection .text\n"
	".code64\n"
	"cr8_64:\n\t"
	"mov %rax, %cr8\n\t"
	"mov $0xfee00080, %esi\n\t"
	"mov (%rsi), %eax\n\t"
	"mov %ecx, (%rsi)\n\t"
	"mov %cr8, %rdx\n\t"
	"lretl\n"
	".code32\n"
	".popsection");

/*
 * cr8_tpr - CR8 is the local APIC's TPR bits 7:4 (SDM vol. 3A 10.8.6.1),
 * both ways. Under sharevisor CR8 moves without an exit (VMX TPR shadow,
 * SVM V_TPR) while the TPR register is the APIC model's, so they must be
 * kept in step.
 */
static void cr8_tpr(void)
{
	uint32_t cr0 = RT_READ_REG(cr0), cr4 = RT_READ_REG(cr4);
	uint64_t e = efer();
	uint32_t tpr, cr8, want_cr8 = 0x7, want_tpr = 0x35;

	if (!(cpuid(0x80000001u, 0).edx & (1u << 29))) {
		rt_skip("no long mode");
		return;
	}
	long_mode_on(cr0, cr4, e);
	__asm__ volatile("lcall $0x18, $cr8_64"
			 : "=a"(tpr), "=d"(cr8) : "a"(want_cr8), "c"(want_tpr) : "esi", "memory");
	long_mode_off(cr0, cr4, e);
	rt_printf("lmode: CR8 %x gave TPR %x; TPR %x gave CR8 %x\n", want_cr8, tpr, want_tpr, cr8);
	EXPECT(tpr == want_cr8 << 4);
	EXPECT(cr8 == want_tpr >> 4);
	/* Back to TPR 0: the other tests take interrupts. */
	*(volatile uint32_t *)0xfee00080u = 0;
}

/*
 * bad_long_mode - the sequence that took QEMU's host down: PE off and on,
 * the debug registers written, then LME, PAE|PSE and PG with a 32-bit page
 * directory in CR3. The first fetch in long mode walks 4 MiB entries as a
 * PML4 (reserved bits): #PF, whose delivery through a 32-bit IDT in long
 * mode fails, #DF too: triple fault. Only with final=1 (it ends the VM).
 */
static void bad_long_mode(void)
{
	uint32_t cr0 = RT_READ_REG(cr0);

	if (!rt_opt_is("final", "1")) {
		rt_skip("final=1 not given");
		return;
	}
	for (int i = 0; i < 1024; i++)
		pd32[i] = ((uint32_t)i << 22) | 0x87;	/* present, writable, user, 4 MiB */
	rt_printf("lmode: entering long mode with 32-bit page tables\n");
	cli();
	__asm__ volatile("mov %0, %%cr0; mov %1, %%cr0" : : "r"(cr0 & ~CR0_PE), "r"(cr0) : "memory");
	__asm__ volatile("mov %0, %%dr0; mov %0, %%dr1; mov %0, %%dr2; mov %0, %%dr3; mov %1, %%dr7"
			 : : "r"(0x1234u), "r"(0x4ffu));
	__asm__ volatile("mov %0, %%cr3" : : "r"(pd32) : "memory");
	EXPECT(rt_wrmsr_probe(MSR_EFER, efer() | EFER_LME) == -1);
	__asm__ volatile("mov %0, %%cr4" : : "r"(RT_READ_REG(cr4) | CR4_PAE | CR4_PSE) : "memory");
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | CR0_PG) : "memory");
	rt_printf("lmode: still running in long mode with 32-bit tables, exit 2\n");
	rt_exit(2);
}

static const struct rt_test tests[] = {
	{ "lme_exits", lme_exits },
	{ "cr0_checks", cr0_checks },
	{ "pe_round_trip", pe_round_trip },
	{ "lmsw_forms", lmsw_forms },
	{ "efer_checks", efer_checks },
	{ "cr4_bits", cr4_bits },
	{ "long_mode_round_trip", long_mode_round_trip },
	{ "pae_pdptes", pae_pdptes },
	{ "cr8_tpr", cr8_tpr },
	{ "bad_long_mode", bad_long_mode },
	{ NULL, NULL },
};

RT_GUEST("lmode", tests);
