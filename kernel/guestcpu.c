// SPDX-License-Identifier: MIT
/*
 * guestcpu.c - the CPU a guest sees: its CPUID (the host's, less what the
 * hypervisor does not virtualise, plus the hypervisor leaves) and, from
 * it, which control-register and EFER bits exist for it.
 */
#include <string.h>

#include "kernel/arch.h"
#include "kernel/guestcpu.h"
#include "kernel/hvabi.h"
#include "kernel/pvclock.h"
#include "kernel/vm.h"
#include "kernel/x86def.h"

/* CPUID bits hidden from guests: what the hypervisor does not virtualise. */
#define CPUID1_ECX_HIDE ((1u << 3) /* MONITOR */ | (1u << 5) /* VMX */ |       \
			 (1u << 6) /* SMX */ | (1u << 7) /* EIST */ |            \
			 (1u << 8) /* TM2 */ |                                   \
			 (1u << 15) /* PDCM: no perf capabilities MSR */ |       \
			 (1u << 18) /* DCA */ | (1u << 27) /* OSXSAVE: set below */)
/* Leaf 1 ECX: the VEX-coded instructions that need AVX state (shown with it). */
#define CPUID1_ECX_AVX_USERS	((1u << 12) /* FMA */ | (1u << 28) /* AVX */ | (1u << 29) /* F16C */)
#define CPUID7_EBX_AVX2		(1u << 5)
#define CPUID7_ECX_AVX_USERS	((1u << 9) /* VAES */ | (1u << 10) /* VPCLMULQDQ */)
/* Set: x2APIC and TSC-deadline (the local APIC model has both), "running under a hypervisor". */
#define CPUID1_ECX_SET	((1u << 21) | (1u << 24) | (1u << 31))
#define CPUID_EDX_APIC	(1u << 9)	/* a local APIC (leaves 1 and 0x80000001), while it is enabled */
#define CPUID1_EDX_SET	CPUID_EDX_APIC
#define CPUID1_EDX_HIDE ((1u << 7) /* MCE */ | (1u << 14) /* MCA */ |            \
			 (1u << 22) /* ACPI thermal */ | (1u << 29) /* TM */ |   \
			 (1u << 31) /* PBE */)
/*
 * Leaf 7.0: what needs XSAVE-managed state (AVX2, AVX-512, AMX, MPX, PKRU,
 * CET), what changes paging (LA57, PKS), and the MSR-backed features the
 * MSR policy does not offer (speculation controls, TSX force-abort,
 * processor trace, key locker, user wait).
 */
#define CPUID7_EBX_HIDE ((1u << 14) /* MPX */ |                                \
			 (1u << 16) /* AVX512F */ | (1u << 17) /* AVX512DQ */ |  \
			 (1u << 21) /* AVX512IFMA */ | (1u << 25) /* PT */ |     \
			 (1u << 26) /* AVX512PF */ | (1u << 27) /* AVX512ER */ | \
			 (1u << 28) /* AVX512CD */ | (1u << 30) /* AVX512BW */ | \
			 (1u << 31) /* AVX512VL */)
#define CPUID7_EBX_SET	(1u << 1)	/* TSC_ADJUST: the MSR policy has it on every CPU */
#define CPUID7_ECX_HIDE ((1u << 1) /* AVX512VBMI */ | (1u << 3) /* PKU */ |     \
			 (1u << 4) /* OSPKE */ | (1u << 5) /* WAITPKG */ |       \
			 (1u << 6) /* AVX512VBMI2 */ | (1u << 7) /* CET_SS */ |  \
			 (1u << 11) /* AVX512VNNI */ | (1u << 12) /* BITALG */ | \
			 (1u << 14) /* VPOPCNTDQ */ | (1u << 16) /* LA57 */ |    \
			 (1u << 23) /* KL */ | (1u << 31) /* PKS */)
#define CPUID7_EDX_HIDE ((1u << 2) /* 4VNNIW */ | (1u << 3) /* 4FMAPS */ |      \
			 (1u << 8) /* VP2INTERSECT */ | (1u << 13) /* TSX_FORCE_ABORT */ | \
			 (1u << 20) /* CET_IBT */ | (1u << 22) /* AMX_BF16 */ |  \
			 (1u << 23) /* AVX512FP16 */ | (1u << 24) /* AMX_TILE */ | \
			 (1u << 25) /* AMX_INT8 */ | (1u << 26) /* IBRS/IBPB */ | \
			 (1u << 27) /* STIBP */ | (1u << 28) /* L1D_FLUSH */ |   \
			 (1u << 29) /* ARCH_CAPABILITIES */ | (1u << 30) /* CORE_CAPABILITIES */ | \
			 (1u << 31) /* SSBD */)
#define CPUID81_ECX_HIDE ((1u << 2) /* SVM */ | (1u << 3) /* extended APIC */ | \
			  (1u << 4) /* AltMovCr8: LOCK MOV CR0 is #UD here */)
#define CPUID81_ECX_AVX_USERS	((1u << 11) /* XOP */ | (1u << 16) /* FMA4 */)
/* Leaf 0xd.1 EAX: XSAVEOPT, XSAVEC, XGETBV with ECX = 1; not XSAVES (no IA32_XSS) nor XFD. */
#define CPUID_D1_EAX_KEEP	((1u << 0) | (1u << 1) | (1u << 2))
/* Leaf 0x80000008 EBX: AMD's speculation-control MSR features (IBPB, IBRS, STIBP, SSBD, ...). */
#define CPUID88_EBX_HIDE ((1u << 12) | (1u << 14) | (1u << 15) | (1u << 16) | \
			  (1u << 17) | (1u << 18) | (1u << 24) | (1u << 25) | (1u << 26))

static void cpuid_hypervisor(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	uint64_t val;
	int nvms = 0;

	memset(r, 0, 4 * sizeof(r[0]));
	switch (leaf) {
	case SV_CPUID_BASE:
		r[0] = SV_CPUID_MAX;
		r[1] = SV_SIGNATURE_EBX;
		r[2] = SV_SIGNATURE_ECX;
		r[3] = SV_SIGNATURE_EDX;
		break;
	case SV_CPUID_INFO:
		for (int id = 1; id <= VM_MAX; id++)
			nvms += vms[id] != NULL;
		r[0] = SV_ABI_VERSION;
		r[1] = (uint32_t)v->vm->id;
		r[2] = (uint32_t)nvms;
		break;
	case SV_CPUID_COUNTER:
		if (vm_counter(v->vm, sub, &val)) {
			r[0] = (uint32_t)val;
			r[3] = (uint32_t)(val >> 32);
			r[1] = 1;
		}
		break;
	}
}

/*
 * xsave_size - the XSAVE area for the state components in @mask (x87 and
 * SSE always in the 512-byte legacy region, then the 64-byte header):
 * standard format, or @compacted (XSAVEC: components in order, each
 * 64-byte aligned where sub-leaf ECX bit 1 says so; SDM vol. 1 13.4.3).
 */
static uint32_t xsave_size(uint64_t mask, bool compacted)
{
	uint32_t size = 576, c[4];

	for (unsigned i = 2; i < 63; i++) {
		if (!((mask >> i) & 1))
			continue;
		arch_cpuid(0xd, i, c);
		if (!compacted) {
			if (c[1] + c[0] > size)
				size = c[1] + c[0];
			continue;
		}
		if (c[2] & 2)
			size = (size + 63) & ~63u;
		size += c[0];
	}
	return size;
}

/*
 * cpuid_xsave - leaf 0xd for the components offered (arch_xcr0_offered):
 * sub-leaf 0 their mask and the area sizes, for the vCPU's XCR0 (EBX) and
 * for all of them (ECX); 1 the XSAVE variants offered; one per component.
 */
static void cpuid_xsave(struct vcpu *v, uint32_t sub, uint32_t r[4])
{
	uint64_t offered = arch_xcr0_offered();
	uint64_t xcr0 = v->arch ? virt->get_reg(v, VREG_XCR0) : XCR0_X87;

	memset(r, 0, 4 * sizeof(r[0]));
	if (!offered)
		return;
	if (sub == 0) {
		r[0] = (uint32_t)offered;
		r[1] = xsave_size(xcr0, false);
		r[2] = xsave_size(offered, false);
		r[3] = (uint32_t)(offered >> 32);
	} else if (sub == 1) {
		arch_cpuid(0xd, 1, r);
		r[0] &= CPUID_D1_EAX_KEEP;
		r[1] = (r[0] & (1u << 1)) ? xsave_size(xcr0, true) : 0;
		r[2] = r[3] = 0;
	} else if (sub < 63 && ((offered >> sub) & 1)) {
		arch_cpuid(0xd, sub, r);	/* size, offset, alignment */
		r[3] = 0;
	}
}

/*
 * cpuid_tsc_freq - Intel's leaves 0x15 (TSC/crystal ratio and the crystal's
 * Hz) and 0x16 (base and maximum MHz, bus MHz) for the TSC the guest runs
 * on; a guest finds them where the host's leaf 0 reaches them. The
 * "crystal" is the local APIC timer's input (VLAPIC_TIMER_HZ), as on CPUs
 * whose APIC timer runs on the core crystal clock: Linux then takes both
 * the TSC and the APIC timer frequency from leaf 0x15 and calibrates
 * neither (SDM vol. 2A, CPUID 15H). Linux multiplies crystal kHz by the
 * numerator in 32 bits, so the numerator stays below 2^32 / 25,000; a
 * denominator of 1,000 gives the TSC to 25 kHz up to 4.29 GHz, a smaller
 * one is taken above.
 */
static void cpuid_tsc_freq(uint32_t leaf, uint32_t r[4])
{
	const uint64_t crystal_khz = VLAPIC_TIMER_HZ / 1000;
	uint64_t khz = arch_tsc_khz(), den = 1000;

	memset(r, 0, 4 * sizeof(r[0]));
	if (leaf == 0x16) {
		r[0] = r[1] = (uint32_t)((khz + 500) / 1000);
		r[2] = 100;
		return;
	}
	while (den > 1 && khz * den / crystal_khz > UINT32_MAX / crystal_khz)
		den /= 2;
	r[0] = (uint32_t)den;
	r[1] = (uint32_t)((khz * den + crystal_khz / 2) / crystal_khz);
	r[2] = (uint32_t)VLAPIC_TIMER_HZ;
}

/* guest_cpuid - CPUID (@leaf, @sub) as guests see it: the host's, less what is not virtualised. */
void guest_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	/* 0x40000000-0x4fffffff: hypervisors' leaves, ours then KVM's clock; never the host's. */
	if (leaf >= SV_CPUID_BASE && leaf < SV_CPUID_BASE + 0x10000000u) {
		if (leaf < KVM_CPUID_SIGNATURE)
			cpuid_hypervisor(v, leaf, sub, r);
		else
			pvclock_cpuid(leaf, r);
		return;
	}
	arch_cpuid(leaf, sub, r);
	switch (leaf) {
	case 1:
		r[1] = (r[1] & 0x0000ffff) | (1u << 16) | ((uint32_t)v->id << 24);	/* APIC id */
		r[2] = (r[2] & ~CPUID1_ECX_HIDE) | CPUID1_ECX_SET;
		if (!arch_xcr0_offered())
			r[2] &= ~CPUID1_ECX_XSAVE;
		if (!(arch_xcr0_offered() & XCR0_AVX))
			r[2] &= ~CPUID1_ECX_AVX_USERS;
		if (v->arch && (virt->get_reg(v, VREG_CR4) & CR4_OSXSAVE))
			r[2] |= CPUID1_ECX_OSXSAVE;
		r[3] = (r[3] & ~(CPUID1_EDX_HIDE | (1u << 28) /* HTT */)) | CPUID1_EDX_SET;
		if (!vlapic_hw_enabled(&v->lapic))
			r[3] &= ~CPUID_EDX_APIC;
		break;
	case 0xb:
		/* x2APIC topology (SDM vol. 2A CPUID 0BH): one thread per core, one core per package. */
		r[0] = 0;
		r[1] = sub < 2 ? 1 : 0;
		r[2] = sub | (sub < 2 ? (sub + 1) << 8 : 0);
		r[3] = (uint32_t)v->id;
		break;
	case 0x1f:	/* V2 extended topology: not offered (0xb is) */
		memset(r, 0, 4 * sizeof(r[0]));
		break;
	case 5:		/* MONITOR/MWAIT */
	case 6:		/* thermal and power */
	case 0xa:	/* performance monitoring */
	case 0x8000000a:	/* SVM */
		memset(r, 0, 4 * sizeof(r[0]));
		break;
	case 0xd:
		cpuid_xsave(v, sub, r);
		break;
	case 7:
		if (sub != 0) {
			memset(r, 0, 4 * sizeof(r[0]));
			break;
		}
		r[0] = 0;	/* no sub-leaf 1 and up */
		r[1] = (r[1] & ~CPUID7_EBX_HIDE) | CPUID7_EBX_SET;
		r[2] &= ~CPUID7_ECX_HIDE;
		if (!(arch_xcr0_offered() & XCR0_AVX)) {
			r[1] &= ~CPUID7_EBX_AVX2;
			r[2] &= ~CPUID7_ECX_AVX_USERS;
		}
		r[3] &= ~CPUID7_EDX_HIDE;
		break;
	case 0x15:
	case 0x16:
		if (guest_is_intel())
			cpuid_tsc_freq(leaf, r);
		break;
	case 0x80000001:
		r[2] &= ~CPUID81_ECX_HIDE;
		if (!(arch_xcr0_offered() & XCR0_AVX))
			r[2] &= ~CPUID81_ECX_AVX_USERS;
		if (!vlapic_hw_enabled(&v->lapic))
			r[3] &= ~CPUID_EDX_APIC;	/* AMD mirrors leaf 1's APIC bit here */
		break;
	case 0x80000008:
		r[1] &= ~CPUID88_EBX_HIDE;
		break;
	}
}

struct ctl_state guest_ctl_state(struct vcpu *v)
{
	struct ctl_state s = {
		.cr0 = virt->get_reg(v, VREG_CR0),
		.cr3 = virt->get_reg(v, VREG_CR3),
		.cr4 = virt->get_reg(v, VREG_CR4),
		.efer = virt->get_reg(v, VREG_EFER),
	};

	s.cs_long = (s.efer & EFER_LMA) && virt->get_reg(v, VREG_CS_L);
	return s;
}

uint64_t guest_cr4_allowed(struct vcpu *v)
{
	uint32_t l1[4], l7[4];

	guest_cpuid(v, 1, 0, l1);
	guest_cpuid(v, 7, 0, l7);
	return ctl_cr4_allowed(l1, l7);
}

unsigned guest_maxphyaddr(struct vcpu *v)
{
	uint32_t r[4];

	guest_cpuid(v, 0x80000000u, 0, r);
	if (r[0] < 0x80000008u)
		return 36;
	guest_cpuid(v, 0x80000008u, 0, r);
	return r[0] & 0xff;
}

uint64_t guest_efer_allowed(struct vcpu *v)
{
	uint32_t l81[4];

	guest_cpuid(v, 0x80000001, 0, l81);
	return ctl_efer_allowed(l81);
}

bool guest_is_intel(void)
{
	uint32_t r[4];

	arch_cpuid(0, 0, r);
	return r[1] == 0x756e6547 && r[3] == 0x49656e69 && r[2] == 0x6c65746e;	/* "GenuineIntel" */
}
