// SPDX-License-Identifier: MIT
/*
 * msrs - the MSRs a guest has, as a standard kernel uses them first:
 * GS_BASE written in 32-bit mode, the SYSCALL/SYSENTER MSRs and
 * KERNEL_GS_BASE keep this VM's values while other VMs run (run two of
 * these side by side: each writes values derived from its VM id), a TSC
 * write moves RDTSC, TSC_ADJUST follows it, TSC_AUX is this VM's for
 * RDTSCP, MISC_ENABLE on Intel, the AMD performance counters on AMD and the
 * MTRRs behave as the MSR table says, and an MSR the CPUID does not promise
 * gives #GP.
 */
#include "rt.h"
#include "../../kernel/hvabi.h"

static const struct {
	uint32_t msr;
	const char *name;
} kept[] = {
	{ 0xc0000100u, "FS_BASE" },
	{ 0xc0000101u, "GS_BASE" },
	{ 0xc0000102u, "KERNEL_GS_BASE" },
	{ 0xc0000081u, "STAR" },
	{ 0xc0000082u, "LSTAR" },
	{ 0xc0000083u, "CSTAR" },
	{ 0xc0000084u, "SFMASK" },
	{ 0x174, "SYSENTER_CS" },
	{ 0x175, "SYSENTER_ESP" },
	{ 0x176, "SYSENTER_EIP" },
};
#define NKEPT (sizeof(kept) / sizeof(kept[0]))

/* want - a value for MSR number @i of VM @id, canonical and within each MSR's width. */
static uint64_t want(unsigned i, uint32_t id)
{
	uint64_t v = 0x1000ull * id + 0x10 * (i + 1);

	if (kept[i].msr == 0x174)
		return v & 0xfff8;	/* SYSENTER_CS: a 16-bit selector */
	if (kept[i].msr == 0xc0000084u)
		return v & 0xffffffff;	/* SFMASK: 32 bits */
	return v | ((uint64_t)id << 40);	/* upper half too (canonical below bit 47) */
}

static uint32_t vm_id(void)
{
	return rt_hv_present() ? cpuid(SV_CPUID_INFO, 0).ebx : 1;
}

/* gs_base_32 - WRMSR GS_BASE from 32-bit code (the fourth instruction of some test kernels). */
static void gs_base_32(void)
{
	uint64_t v = 0;

	EXPECT(rt_wrmsr_probe(0xc0000101u, 0x12345000) == -1);
	EXPECT(rt_rdmsr_probe(0xc0000101u, &v) == -1);
	EXPECT(v == 0x12345000);
}

/* kept_across_vms - each MSR keeps this VM's value while the others run. */
static void kept_across_vms(void)
{
	uint32_t id = vm_id(), bad = 0;
	uint64_t v;

	for (unsigned i = 0; i < NKEPT; i++)
		EXPECT(rt_wrmsr_probe(kept[i].msr, want(i, id)) == -1);
	for (int round = 0; round < 40; round++) {
		if (rt_hv_present())
			rt_hypercall(SV_HC_YIELD, 0, 0, 0);
		for (volatile int k = 0; k < 20000; k++)
			;
	}
	for (unsigned i = 0; i < NKEPT; i++) {
		v = 0;
		if (rt_rdmsr_probe(kept[i].msr, &v) != -1 || v != want(i, id)) {
			rt_printf("msrs: %s = %llx, want %llx\n", kept[i].name, v, want(i, id));
			bad++;
		}
	}
	rt_printf("msrs: vm %u kept %u of %u MSRs\n", id, (unsigned)(NKEPT - bad), (unsigned)NKEPT);
	EXPECT(bad == 0);
}

/*
 * tsc_aux - where CPUID has RDTSCP, IA32_TSC_AUX keeps this VM's value while
 * the others run, and RDTSCP returns it in ECX; without RDTSCP the MSR #GPs
 * (under sharevisor).
 */
static void tsc_aux(void)
{
	uint32_t id = vm_id(), aux = 0x100 * id + 7, ecx;
	uint64_t v = 0;

	if (!(cpuid(0x80000001u, 0).edx & (1u << 27))) {
		/* Bare QEMU TCG has the MSR whatever its CPUID says. */
		if (rt_hv_present())
			EXPECT(rt_rdmsr_probe(0xc0000103u, &v) == VEC_GP);
		rt_skip("no RDTSCP");
		return;
	}
	EXPECT(rt_wrmsr_probe(0xc0000103u, aux) == -1);
	for (int round = 0; round < 40; round++) {
		if (rt_hv_present())
			rt_hypercall(SV_HC_YIELD, 0, 0, 0);
		for (volatile int k = 0; k < 20000; k++)
			;
	}
	__asm__ volatile("rdtscp" : "=c"(ecx) : : "eax", "edx");
	EXPECT(rt_rdmsr_probe(0xc0000103u, &v) == -1);
	rt_printf("msrs: vm %u TSC_AUX %llx, RDTSCP's ECX %x, want %x\n", id, v, ecx, aux);
	EXPECT(v == aux && ecx == aux);
}

/* tsc_write - WRMSR to the TSC moves what RDTSC returns; it keeps counting from there. */
static void tsc_write(void)
{
	uint64_t target = 0x4000000000ull, a, b;

	if (!rt_hv_present()) {
		rt_skip("bare: QEMU's TCG keeps only part of a TSC write");
		return;
	}
	EXPECT(rt_wrmsr_probe(0x10, target) == -1);
	a = rdtsc();
	for (volatile int k = 0; k < 10000; k++)
		;
	b = rdtsc();
	rt_printf("msrs: tsc after write %llx, then %llx\n", a, b);
	EXPECT(a >= target && a - target < 0x100000000ull);	/* within ~4e9 cycles */
	EXPECT(b > a);
}

/* vendor_msrs - MISC_ENABLE exists on Intel, AMD's performance counters on AMD. */
static void vendor_msrs(void)
{
	uint64_t v = 0, w = 0;

	if (!rt_hv_present()) {
		rt_skip("bare: the emulator's own MSRs");
		return;
	}
	if (rt_cpu_is_intel()) {
		EXPECT(rt_rdmsr_probe(0x1a0, &v) == -1);
		EXPECT(v & 1);				/* fast strings */
		EXPECT(rt_wrmsr_probe(0x1a0, v & ~1ull) == -1);
		EXPECT(rt_rdmsr_probe(0x1a0, &w) == -1 && w == (v & ~1ull));
		EXPECT(rt_wrmsr_probe(0x1a0, v) == -1);
		EXPECT(rt_rdmsr_probe(0xc0010004u, &w) == VEC_GP);
	} else {
		EXPECT(rt_rdmsr_probe(0x1a0, &v) == VEC_GP);
		for (uint32_t m = 0xc0010000u; m <= 0xc0010007u; m++) {
			EXPECT(rt_wrmsr_probe(m, 0x1234) == -1);
			EXPECT(rt_rdmsr_probe(m, &w) == -1 && w == 0);
		}
	}
}

/*
 * tsc_adjust - IA32_TSC_ADJUST (SDM vol. 3B 18.17.3): a write moves the TSC
 * by what it adds, and a TSC write moves TSC_ADJUST by as much as the TSC.
 */
static void tsc_adjust(void)
{
	uint64_t adj = 0, adj2 = 0, a, b, step = 1ull << 36;

	if (!rt_hv_present()) {
		rt_skip("bare: the emulator's own TSC");
		return;
	}
	EXPECT(cpuid(7, 0).ebx & (1u << 1));
	EXPECT(rt_rdmsr_probe(0x3b, &adj) == -1);
	a = rdtsc();
	EXPECT(rt_wrmsr_probe(0x3b, adj + step) == -1);
	b = rdtsc();
	EXPECT(rt_rdmsr_probe(0x3b, &adj2) == -1);
	rt_printf("msrs: TSC_ADJUST %llx -> %llx moved the TSC from %llx to %llx\n", adj, adj2, a, b);
	EXPECT(adj2 == adj + step);
	EXPECT(b - a >= step && b - a < step + 0x100000000ull);
	/* The TSC written back to a: TSC_ADJUST loses about the step again. */
	EXPECT(rt_wrmsr_probe(0x10, a) == -1);
	EXPECT(rt_rdmsr_probe(0x3b, &adj2) == -1);
	EXPECT(adj2 - adj < 0x100000000ull || adj - adj2 < 0x100000000ull);
}

/*
 * mtrr - the MTRRs a BIOS leaves (enabled, write-back by default, 3-4 GiB
 * uncached by variable range 0), written and read back, and #GP for a
 * reserved bit or memory type, as the SDM (vol. 3A 12.11) says.
 */
static void mtrr(void)
{
	uint64_t cap = 0, def = 0, base = 0, mask = 0, v = 0;
	uint32_t phys = cpuid(0x80000000u, 0).eax >= 0x80000008u ? cpuid(0x80000008u, 0).eax & 0xff : 36;
	uint64_t above = ~0ull << phys;

	EXPECT(cpuid(1, 0).edx & (1u << 12));
	if (!rt_hv_present()) {
		rt_skip("bare: the emulator's own MTRRs");
		return;
	}
	EXPECT(rt_rdmsr_probe(0xfe, &cap) == -1);
	EXPECT(rt_rdmsr_probe(0x2ff, &def) == -1);
	EXPECT(rt_rdmsr_probe(0x200, &base) == -1);
	EXPECT(rt_rdmsr_probe(0x201, &mask) == -1);
	rt_printf("msrs: MTRRcap %llx, default %llx, range 0 %llx/%llx\n", cap, def, base, mask);
	EXPECT((cap & 0xff) == 8 && (cap & (1u << 8)) && (cap & (1u << 10)));
	EXPECT(def == ((1u << 11) | 6));
	EXPECT(base == 0xc0000000u && mask == ((~0x3fffffffull & ~above) | (1u << 11)));
	EXPECT(rt_wrmsr_probe(0xfe, cap) == VEC_GP);
	/* Default type: reserved bit 9, reserved type 2: #GP; FE on is fine. */
	EXPECT(rt_wrmsr_probe(0x2ff, def | (1u << 9)) == VEC_GP);
	EXPECT(rt_wrmsr_probe(0x2ff, (def & ~0xffull) | 2) == VEC_GP);
	EXPECT(rt_wrmsr_probe(0x2ff, def | (1u << 10)) == -1);
	EXPECT(rt_rdmsr_probe(0x2ff, &v) == -1 && v == (def | (1u << 10)));
	/* Variable range 7: write-combining at 64 MiB, 16 MiB long. */
	EXPECT(rt_wrmsr_probe(0x20e, 0x4000000 | 1) == -1);
	EXPECT(rt_wrmsr_probe(0x20f, (~0xffffffull & ~above) | (1u << 11)) == -1);
	EXPECT(rt_rdmsr_probe(0x20e, &v) == -1 && v == (0x4000000 | 1));
	EXPECT(rt_wrmsr_probe(0x20e, 0x4000000 | 7) == VEC_GP);	/* type 7 */
	EXPECT(rt_wrmsr_probe(0x20e, 0x4000000 | 0x100) == VEC_GP);	/* bit 8 */
	EXPECT(rt_wrmsr_probe(0x20f, (1u << 11) | 1) == VEC_GP);	/* bit 0 */
	if (phys < 64)
		EXPECT(rt_wrmsr_probe(0x20e, (1ull << phys) | 6) == VEC_GP);	/* above MAXPHYADDR */
	EXPECT(rt_wrmsr_probe(0x20f, 0) == -1);
	EXPECT(rt_wrmsr_probe(0x20e, 0) == -1);
	/* Fixed ranges: every byte a memory type. */
	EXPECT(rt_wrmsr_probe(0x259, 0x0000000000000101ull) == -1);
	EXPECT(rt_rdmsr_probe(0x259, &v) == -1 && v == 0x0000000000000101ull);
	EXPECT(rt_wrmsr_probe(0x26f, 0x0606060606060606ull) == -1);
	EXPECT(rt_wrmsr_probe(0x268, 0x0600000000000000ull | 3) == VEC_GP);
	EXPECT(rt_wrmsr_probe(0x251, 0) == VEC_GP);	/* not an MTRR */
	EXPECT(rt_wrmsr_probe(0x2ff, def) == -1);
}

/* absent - no PDCM (so no IA32_PERF_CAPABILITIES), nothing at a wild number: #GP. */
static void absent(void)
{
	uint64_t v;

	if (!rt_hv_present()) {
		rt_skip("bare: the emulator's own MSRs");
		return;
	}
	EXPECT(!(cpuid(1, 0).ecx & (1u << 15)));
	EXPECT(rt_rdmsr_probe(0x345, &v) == VEC_GP);
	EXPECT(rt_rdmsr_probe(0x12345678u, &v) == VEC_GP);
	EXPECT(rt_wrmsr_probe(0x12345678u, 1) == VEC_GP);
}

static const struct rt_test tests[] = {
	{ "gs_base_32", gs_base_32 },
	{ "kept_across_vms", kept_across_vms },
	{ "tsc_aux", tsc_aux },
	{ "tsc_write", tsc_write },
	{ "vendor_msrs", vendor_msrs },
	{ "tsc_adjust", tsc_adjust },
	{ "mtrr", mtrr },
	{ "absent", absent },
	{ NULL, NULL },
};

RT_GUEST("msrs", tests);
