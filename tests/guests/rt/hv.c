// SPDX-License-Identifier: MIT
/*
 * hv.c - is sharevisor underneath? Its CPUID leaves and hypercalls.
 */
#include "rt.h"
#include "../../../kernel/hvabi.h"

/* vendor_is - compare the CPUID leaf 0 vendor string with "EBX EDX ECX". */
static bool vendor_is(uint32_t ebx, uint32_t edx, uint32_t ecx)
{
	struct cpuid_regs r = cpuid(0, 0);

	return r.ebx == ebx && r.edx == edx && r.ecx == ecx;
}

/* rt_cpu_is_intel - "GenuineIntel". */
bool rt_cpu_is_intel(void)
{
	return vendor_is(0x756e6547, 0x49656e69, 0x6c65746e);
}

/* rt_cpu_is_amd - "AuthenticAMD". */
bool rt_cpu_is_amd(void)
{
	return vendor_is(0x68747541, 0x69746e65, 0x444d4163);
}

/* rt_hv_present - sharevisor's signature at CPUID 0x40000000. */
bool rt_hv_present(void)
{
	struct cpuid_regs r;

	/* Not gated on CPUID.1:ECX[31]: the signature alone decides (an
	 * unknown leaf echoes the highest basic leaf, which cannot match). */
	r = cpuid(SV_CPUID_BASE, 0);
	return r.ebx == SV_SIGNATURE_EBX && r.ecx == SV_SIGNATURE_ECX &&
	       r.edx == SV_SIGNATURE_EDX && r.eax >= SV_CPUID_COUNTER;
}

/* rt_hv_counter - counter IDX through CPUID 0x40000002; false if absent. */
bool rt_hv_counter(unsigned int idx, uint64_t *val)
{
	struct cpuid_regs r;

	*val = 0;
	if (!rt_hv_present())
		return false;
	r = cpuid(SV_CPUID_COUNTER, idx);
	if (r.ebx != 1)
		return false;
	*val = ((uint64_t)r.edx << 32) | r.eax;
	return true;
}

/* rt_hypercall - VMCALL on Intel, VMMCALL otherwise; -38 if it raised #UD. */
int32_t rt_hypercall(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3)
{
	uint32_t ret = nr;

	rt_fault_vec = -1;
	if (rt_cpu_is_intel())
		__asm__ volatile(RT_PROBE_ASM("vmcall")
				 : "+a"(ret) : "b"(a1), "c"(a2), "d"(a3) : "memory");
	else
		__asm__ volatile(RT_PROBE_ASM("vmmcall")
				 : "+a"(ret) : "b"(a1), "c"(a2), "d"(a3) : "memory");
	rt_fault_ip = 0;
	return rt_fault_vec >= 0 ? -38 : (int32_t)ret;
}
