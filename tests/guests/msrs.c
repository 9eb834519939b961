// SPDX-License-Identifier: MIT
/*
 * msrs - the MSRs a guest has, as a standard kernel uses them first:
 * GS_BASE written in 32-bit mode, the SYSCALL/SYSENTER MSRs and
 * KERNEL_GS_BASE keep this VM's values while other VMs run (run two of
 * these side by side: each writes values derived from its VM id), a TSC
 * write moves RDTSC, TSC_AUX is this VM's for RDTSCP, MISC_ENABLE on Intel and the AMD performance counters
 * on AMD behave as the MSR table says, and an MSR the CPUID does not
 * promise gives #GP.
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

/* absent - no TSC_ADJUST, no PDCM (so no IA32_PERF_CAPABILITIES), nothing at a wild number: #GP. */
static void absent(void)
{
	uint64_t v;

	if (!rt_hv_present()) {
		rt_skip("bare: the emulator's own MSRs");
		return;
	}
	EXPECT(!(cpuid(7, 0).ebx & (1u << 1)));
	EXPECT(rt_rdmsr_probe(0x3b, &v) == VEC_GP);
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
	{ "absent", absent },
	{ NULL, NULL },
};

RT_GUEST("msrs", tests);
