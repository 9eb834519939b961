// SPDX-License-Identifier: MIT
/*
 * xstate - the x87/SSE/AVX register state and XCR0, as a kernel that uses
 * XSAVE sees them: CPUID leaf 0xd consistent with XCR0, XSETBV checked as
 * the SDM says (vol. 1 13.3), and every register a VM loaded still its own
 * after many turns of other VMs on the CPU (run two or more of these side
 * by side: each loads values derived from its VM id, and the odd and even
 * ones choose different XCR0s). Without XSAVE in CPUID, the same state
 * check runs with FXSAVE, and XSETBV must #UD.
 *
 * The values are loaded with XRSTOR (or FXRSTOR) from a prepared area and
 * read back with XSAVE (FXSAVE): no SSE code in the guest itself.
 */
#include "rt.h"
#include "../../kernel/hvabi.h"

#define CR4_OSFXSR	(1u << 9)
#define CR4_OSXSAVE	(1u << 18)
#define CPUID1_ECX_XSAVE	(1u << 26)
#define CPUID1_ECX_OSXSAVE	(1u << 27)
#define CPUID1_ECX_AVX		(1u << 28)
#define XCR0_X87	1u
#define XCR0_SSE	2u
#define XCR0_AVX	4u

/* XSAVE area offsets (SDM vol. 1 13.4): FCW, MXCSR, XMM0-7 (32-bit mode), XSTATE_BV, YMM_Hi128. */
#define OFF_FCW		0
#define OFF_MXCSR	24
#define OFF_XMM		160
#define OFF_XSTATE_BV	512
#define OFF_YMMH	576
#define NXMM		8
#define AREA		1024

static uint8_t load[AREA] __attribute__((aligned(64)));
static uint8_t back[AREA] __attribute__((aligned(64)));

static bool has_xsave(void)
{
	return cpuid(1, 0).ecx & CPUID1_ECX_XSAVE;
}

static uint32_t vm_id(void)
{
	return rt_hv_present() ? cpuid(SV_CPUID_INFO, 0).ebx : 1;
}

static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

/* xsetbv_probe - XSETBV of @val to XCR[@idx]; the vector it raised, or -1. */
static int xsetbv_probe(uint32_t idx, uint64_t val)
{
	rt_fault_vec = -1;
	__asm__ volatile(RT_PROBE_ASM("xsetbv")
			 : : "c"(idx), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)) : "memory");
	rt_fault_ip = 0;
	return rt_fault_vec;
}

static void set_cr4(uint32_t bits)
{
	uint32_t cr4 = RT_READ_REG(cr4) | bits;

	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
}

/* offered - the XCR0 bits CPUID leaf 0xd offers, of x87/SSE/AVX. */
static uint32_t offered(void)
{
	return cpuid(0xd, 0).eax & (XCR0_X87 | XCR0_SSE | XCR0_AVX);
}

/* cpuid_and_xsetbv - leaf 0xd follows XCR0; XSETBV's #GP cases; #UD without OSXSAVE or XSAVE. */
static void cpuid_and_xsetbv(void)
{
	uint32_t all, avx_end;

	if (!has_xsave()) {
		EXPECT(xsetbv_probe(0, XCR0_X87) == VEC_UD);
		rt_skip("no XSAVE in CPUID");
		return;
	}
	EXPECT(xsetbv_probe(0, XCR0_X87) == VEC_UD);	/* CR4.OSXSAVE still clear */
	EXPECT(!(cpuid(1, 0).ecx & CPUID1_ECX_OSXSAVE));
	set_cr4(CR4_OSFXSR | CR4_OSXSAVE);
	EXPECT(cpuid(1, 0).ecx & CPUID1_ECX_OSXSAVE);
	all = offered();
	rt_printf("xstate: leaf 0xd offers %x (eax %x), xcr0 %llx, size %u of %u\n", all,
		  cpuid(0xd, 0).eax, xgetbv0(), cpuid(0xd, 0).ebx, cpuid(0xd, 0).ecx);
	EXPECT((all & 3) == 3);
	EXPECT(xgetbv0() == XCR0_X87);			/* the reset value */
	EXPECT(cpuid(0xd, 0).ebx == 576);		/* legacy region and header */
	if (rt_hv_present())
		EXPECT((cpuid(0xd, 0).eax & ~all) == 0 && cpuid(0xd, 0).edx == 0);
	EXPECT(!!(cpuid(1, 0).ecx & CPUID1_ECX_AVX) == !!(all & XCR0_AVX));
	/* SDM vol. 1 13.3: x87 always, AVX only with SSE, nothing unsupported, only XCR0. */
	EXPECT(xsetbv_probe(0, 0) == VEC_GP);
	EXPECT(xsetbv_probe(0, XCR0_SSE) == VEC_GP);
	EXPECT(xsetbv_probe(0, XCR0_X87 | XCR0_AVX) == VEC_GP);
	EXPECT(xsetbv_probe(0, XCR0_X87 | (1ull << 63)) == VEC_GP);
	EXPECT(xsetbv_probe(1, XCR0_X87) == VEC_GP);
	EXPECT(xgetbv0() == XCR0_X87);
	EXPECT(xsetbv_probe(0, XCR0_X87 | XCR0_SSE) == -1);
	EXPECT(xgetbv0() == (XCR0_X87 | XCR0_SSE));
	EXPECT(cpuid(0xd, 0).ebx == 576);
	if (all & XCR0_AVX) {
		avx_end = cpuid(0xd, 2).ebx + cpuid(0xd, 2).eax;
		EXPECT(cpuid(0xd, 2).eax == 256 && cpuid(0xd, 2).ebx == 576);
		EXPECT(xsetbv_probe(0, all) == -1);
		EXPECT(xgetbv0() == all);
		EXPECT(cpuid(0xd, 0).ebx == avx_end);
		EXPECT(cpuid(0xd, 0).ecx >= avx_end);
	}
}

/* avx_needs_xcr0 - a VEX-coded 256-bit instruction #UDs unless XCR0 enables AVX state. */
static void avx_needs_xcr0(void)
{
	if (!has_xsave() || !(offered() & XCR0_AVX)) {
		rt_skip("no AVX offered");
		return;
	}
	set_cr4(CR4_OSFXSR | CR4_OSXSAVE);
	EXPECT(xsetbv_probe(0, XCR0_X87 | XCR0_SSE) == -1);
	rt_fault_vec = -1;
	__asm__ volatile(RT_PROBE_ASM("vxorps %%ymm1, %%ymm1, %%ymm1") : : : "memory");
	rt_fault_ip = 0;
	EXPECT(rt_fault_vec == VEC_UD);
	EXPECT(xsetbv_probe(0, XCR0_X87 | XCR0_SSE | XCR0_AVX) == -1);
	rt_fault_vec = -1;
	__asm__ volatile(RT_PROBE_ASM("vxorps %%ymm1, %%ymm1, %%ymm1") : : : "memory");
	rt_fault_ip = 0;
	EXPECT(rt_fault_vec == -1);
}

static uint8_t pattern(uint32_t id, unsigned i)
{
	return (uint8_t)(id * 0x35 + i * 7 + 1);
}

/*
 * kept_across_vms - load XMM0-7 (and the YMM upper halves where this VM
 * enables AVX) and MXCSR with values of this VM's own, let the other VMs
 * run many times, and read them back: all still this VM's. The odd VMs run
 * with XCR0 = x87|SSE, the even ones with everything offered, so the
 * hypervisor's XCR0 switch is crossed both ways.
 */
static void kept_across_vms(void)
{
	uint32_t id = vm_id(), xcr0 = 0, mxcsr = 0x1f80 | ((id & 3) << 13);
	bool xs = has_xsave(), ymm;
	unsigned bad = 0;

	set_cr4(CR4_OSFXSR | (xs ? CR4_OSXSAVE : 0));
	if (xs) {
		xcr0 = (id & 1) ? (XCR0_X87 | XCR0_SSE) : offered();
		EXPECT(xsetbv_probe(0, xcr0) == -1);
	}
	ymm = xcr0 & XCR0_AVX;
	for (unsigned i = 0; i < AREA; i++)
		load[i] = back[i] = 0;
	load[OFF_FCW] = 0x7f;
	load[OFF_FCW + 1] = 0x03;
	load[OFF_MXCSR] = (uint8_t)mxcsr;
	load[OFF_MXCSR + 1] = (uint8_t)(mxcsr >> 8);
	for (unsigned i = 0; i < 16 * NXMM; i++) {
		load[OFF_XMM + i] = pattern(id, i);
		if (ymm)
			load[OFF_YMMH + i] = pattern(id + 100, i);
	}
	if (xs) {
		load[OFF_XSTATE_BV] = (uint8_t)xcr0;
		__asm__ volatile("xrstor %0" : : "m"(load), "a"(xcr0), "d"(0) : "memory");
	} else {
		__asm__ volatile("fxrstor %0" : : "m"(load) : "memory");
	}
	for (int round = 0; round < 60; round++) {
		if (rt_hv_present())
			rt_hypercall(SV_HC_YIELD, 0, 0, 0);
		for (volatile int k = 0; k < 20000; k++)
			;
	}
	if (xs) {
		EXPECT(xgetbv0() == xcr0);
		__asm__ volatile("xsave %0" : "=m"(back) : "a"(xcr0), "d"(0) : "memory");
	} else {
		__asm__ volatile("fxsave %0" : "=m"(back) : : "memory");
	}
	for (unsigned i = 0; i < 16 * NXMM; i++) {
		bad += back[OFF_XMM + i] != load[OFF_XMM + i];
		if (ymm)
			bad += back[OFF_YMMH + i] != load[OFF_YMMH + i];
	}
	bad += back[OFF_MXCSR] != load[OFF_MXCSR] || back[OFF_MXCSR + 1] != load[OFF_MXCSR + 1];
	rt_printf("xstate: vm %u with %s, xcr0 %x: %u bytes changed\n", id,
		  xs ? "XSAVE" : "FXSAVE", xcr0, bad);
	EXPECT(bad == 0);
}

static const struct rt_test tests[] = {
	{ "cpuid_and_xsetbv", cpuid_and_xsetbv },
	{ "avx_needs_xcr0", avx_needs_xcr0 },
	{ "kept_across_vms", kept_across_vms },
	{ NULL, NULL },
};

RT_GUEST("xstate", tests);
