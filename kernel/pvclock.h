/* SPDX-License-Identifier: MIT */
/*
 * pvclock.h - the TSC's frequency for guests that cannot measure it: KVM's
 * paravirtual clock ABI (Linux's Documentation/virt/kvm/x86/cpuid.rst and
 * msr.rst), which Linux, FreeBSD and others read when the CPUID leaf at
 * 0x40000100 carries KVM's signature. sharevisor's own leaves stay at
 * 0x40000000 (kernel/hvabi.h), as QEMU puts Hyper-V's there and KVM's above.
 *
 * Why: a guest that calibrates its TSC against the PIT or the ACPI PM timer
 * reads them in a loop and gives up when one read takes too long, and under
 * an emulator every read is an exit of tens of microseconds. Intel CPUs
 * have CPUID 0x15 (kernel/guestcpu.c fills it); Linux reads that leaf only
 * on Intel, so AMD guests had no TSC frequency ("tsc: Marking TSC unstable
 * due to could not calculate TSC khz") and ran on the ACPI PM timer, an
 * exit per clock read. With these leaves Linux takes tsc_khz from the
 * time-info structure below and skips the delay-loop calibration too.
 *
 * Offered (leaf 0x40000101 EAX): CLOCKSOURCE2 (bit 3: the MSRs below),
 * NOP_IO_DELAY (bit 1: port 0x80 delays are not needed) and
 * CLOCKSOURCE_STABLE_BIT (bit 24: the structure's flags say whether
 * vCPUs' clocks agree). Nothing else: no async page faults, steal time,
 * PV EOI, PV spinlocks or PV IPIs; EDX (hints) = 0.
 *
 * MSR_KVM_WALL_CLOCK_NEW (0x4b564d00): a write names a 12-byte
 * struct pvclock_wall_clock, which gets the guest's wall clock (the CMOS
 * clock's, kernel/vmdev.c) at system time 0. Reads return what was written.
 *
 * MSR_KVM_SYSTEM_TIME_NEW (0x4b564d01): a write of gpa | 1 names this
 * vCPU's 32-byte struct pvclock_vcpu_time_info, 4-byte aligned within one
 * page of guest RAM (else #GP); bit 0 clear turns it off. The structure
 * maps the guest's TSC to nanoseconds: system_time + ((tsc - tsc_timestamp)
 * scaled by tsc_to_system_mul and tsc_shift). The guest's TSC runs at the
 * host's rate, so one snapshot stays right until the guest moves its TSC
 * (WRMSR to the TSC or TSC_ADJUST: pvclock_tsc_moved() writes a new one).
 * System time is the host's TSC since its reset in nanoseconds: it never
 * goes back, whatever the guest does with its TSC. PVCLOCK_TSC_STABLE_BIT
 * is set while every vCPU of the VM has the same TSC offset.
 */
#ifndef SV_KERNEL_PVCLOCK_H
#define SV_KERNEL_PVCLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define KVM_CPUID_SIGNATURE	0x40000100u
#define KVM_CPUID_FEATURES	0x40000101u
#define KVM_SIGNATURE_EBX	0x4b4d564bu	/* "KVMK" */
#define KVM_SIGNATURE_ECX	0x564b4d56u	/* "VMKV" */
#define KVM_SIGNATURE_EDX	0x0000004du	/* "M\0\0\0" */
#define KVM_FEATURE_NOP_IO_DELAY	(1u << 1)
#define KVM_FEATURE_CLOCKSOURCE2	(1u << 3)
#define KVM_FEATURE_CLOCKSOURCE_STABLE_BIT (1u << 24)

#define MSR_KVM_WALL_CLOCK_NEW	0x4b564d00u
#define MSR_KVM_SYSTEM_TIME_NEW	0x4b564d01u

#define PVCLOCK_TSC_STABLE_BIT	(1u << 0)

/* What the guest reads (msr.rst); little-endian, packed. */
struct pvclock_vcpu_time_info {
	uint32_t version;		/* odd while being written */
	uint32_t pad0;
	uint64_t tsc_timestamp;		/* guest TSC at the snapshot */
	uint64_t system_time;		/* ns at the snapshot */
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;
	uint8_t pad[2];
} __attribute__((packed));

struct pvclock_wall_clock {
	uint32_t version;
	uint32_t sec;			/* wall clock at system time 0 */
	uint32_t nsec;
} __attribute__((packed));

/* TSC ticks to nanoseconds: ((ticks << shift), or >> -shift) * mul / 2^32. */
struct pvclock_scale {
	uint32_t mul;
	int8_t shift;
};

/*
 * pvclock_scale_for - the scale for a TSC of @khz (> 0): mul >= 2^31 for
 * precision (one part in 2^31), as Linux's pvclock_tsc_khz() inverts it.
 */
struct pvclock_scale pvclock_scale_for(uint64_t khz);

/* pvclock_ns - @ticks scaled by @s, as the guest computes it (a 64x32-bit product). */
uint64_t pvclock_ns(uint64_t ticks, struct pvclock_scale s);

/* pvclock_cpuid - leaves 0x40000100-0x400001ff. */
void pvclock_cpuid(uint32_t leaf, uint32_t r[4]);

struct vcpu;

/* pvclock_msr - RDMSR/WRMSR of the two MSRs above; false for #GP. */
bool pvclock_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val);

/* pvclock_tsc_moved - @v's TSC offset changed: new snapshots for the VM's vCPUs. */
void pvclock_tsc_moved(struct vcpu *v);

#endif
