// SPDX-License-Identifier: MIT
/*
 * pvclock.c - KVM's paravirtual clock ABI: the TSC's frequency and a
 * nanosecond clock for guests (kernel/pvclock.h says what and why).
 */
#include <stddef.h>
#include <string.h>

#include "kernel/arch.h"
#include "kernel/printk.h"
#include "kernel/pvclock.h"
#include "kernel/vm.h"
#include "mm/errno.h"

#define NS_PER_MS	1000000ull
#define NS_PER_S	1000000000ull

struct pvclock_scale pvclock_scale_for(uint64_t khz)
{
	/* ns per tick = NS_PER_MS / khz = (num / den) * 2^shift, with 1/2 <= num / den < 1. */
	uint64_t num = NS_PER_MS, den = khz ? khz : 1;
	struct pvclock_scale s = { 0, 0 };

	while (num >= den) {
		den <<= 1;
		s.shift++;
	}
	while (2 * num < den) {
		num <<= 1;
		s.shift--;
	}
	s.mul = (uint32_t)((num << 32) / den);
	return s;
}

uint64_t pvclock_ns(uint64_t ticks, struct pvclock_scale s)
{
	if (s.shift < 0)
		ticks >>= -s.shift;
	else
		ticks <<= s.shift;
	return (uint64_t)(((unsigned __int128)ticks * s.mul) >> 32);
}

void pvclock_cpuid(uint32_t leaf, uint32_t r[4])
{
	memset(r, 0, 4 * sizeof(r[0]));
	if (leaf == KVM_CPUID_SIGNATURE) {
		r[0] = KVM_CPUID_FEATURES;
		r[1] = KVM_SIGNATURE_EBX;
		r[2] = KVM_SIGNATURE_ECX;
		r[3] = KVM_SIGNATURE_EDX;
	} else if (leaf == KVM_CPUID_FEATURES) {
		r[0] = KVM_FEATURE_NOP_IO_DELAY | KVM_FEATURE_CLOCKSOURCE2 |
		       KVM_FEATURE_CLOCKSOURCE_STABLE_BIT;
	}
}

/* system_ns - the clock's nanoseconds at host TSC @host (since the host TSC's reset). */
static uint64_t system_ns(uint64_t host)
{
	return pvclock_ns(host, pvclock_scale_for(arch_tsc_khz()));
}

/* offsets_agree - every vCPU of @vm has the same TSC offset (one TSC for all: "stable"). */
static bool offsets_agree(struct vm *vm)
{
	vm_for_each_vcpu(vm, u)
		if (u->tsc_offset != vm->vcpus[0].tsc_offset)
			return false;
	return true;
}

/*
 * write_versioned - @len bytes of @rec, whose first 4 bytes are a version,
 * to @gpa as the ABI wants them seen: the version made odd, the rest, the
 * version made even (a reader on another CPU retries across the update).
 */
static int write_versioned(struct vm *vm, uint64_t gpa, uint32_t *version, void *rec, size_t len)
{
	uint32_t odd = *version + 1, even = *version + 2;
	int rc;

	rc = vm_write_guest(vm, gpa, &odd, sizeof(odd));
	if (!rc)
		rc = vm_write_guest(vm, gpa + 4, (unsigned char *)rec + 4, len - 4);
	if (!rc)
		rc = vm_write_guest(vm, gpa, &even, sizeof(even));
	if (!rc)
		*version = even;
	return rc;
}

/* snapshot - write @v's time-info structure for now. */
static int snapshot(struct vcpu *v)
{
	uint64_t host = arch_read_tsc();
	struct pvclock_scale s = pvclock_scale_for(arch_tsc_khz());
	struct pvclock_vcpu_time_info t = {
		.tsc_timestamp = host + v->tsc_offset,
		.system_time = pvclock_ns(host, s),
		.tsc_to_system_mul = s.mul,
		.tsc_shift = s.shift,
		.flags = offsets_agree(v->vm) ? PVCLOCK_TSC_STABLE_BIT : 0,
	};

	return write_versioned(v->vm, v->pvclock_msr & ~1ull, &v->pvclock_version, &t, sizeof(t));
}

/* wall_clock - write the guest's wall clock at system time 0 to @gpa. */
static int wall_clock(struct vm *vm, uint64_t gpa)
{
	uint64_t now = arch_now_ns();
	int64_t wall = vrtc_now_ns(&vm->rtc, now) - (int64_t)system_ns(arch_read_tsc());
	struct pvclock_wall_clock w = { 0 };

	if (wall < 0)
		wall = 0;
	w.sec = (uint32_t)((uint64_t)wall / NS_PER_S);
	w.nsec = (uint32_t)((uint64_t)wall % NS_PER_S);
	return write_versioned(vm, gpa, &vm->pvclock_wall_version, &w, sizeof(w));
}

/* area_ok - @len bytes at @gpa: 4-byte aligned, in one page, guest RAM. */
static bool area_ok(struct vm *vm, uint64_t gpa, uint64_t len)
{
	return !(gpa & 3) && (gpa & 0xfff) + len <= 0x1000 && vm_is_ram(vm, gpa, len);
}

bool pvclock_msr(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	struct vm *vm = v->vm;
	uint64_t gpa = *val & ~1ull;
	int rc = 0;

	if (!write) {
		*val = msr == MSR_KVM_WALL_CLOCK_NEW ? vm->pvclock_wall_msr : v->pvclock_msr;
		return true;
	}
	if (msr == MSR_KVM_WALL_CLOCK_NEW) {
		if (!area_ok(vm, *val, sizeof(struct pvclock_wall_clock)))
			return false;
		vm->pvclock_wall_msr = *val;
		rc = wall_clock(vm, *val);
	} else {
		if ((*val & 1) && !area_ok(vm, gpa, sizeof(struct pvclock_vcpu_time_info)))
			return false;
		v->pvclock_msr = *val;
		if (*val & 1)
			rc = snapshot(v);
	}
	if (rc)
		pr_err("vm %d '%s': cannot write the paravirtual clock at %#llx (error %d)\n", vm->id,
		       vm->name, (unsigned long long)gpa, rc);
	return !rc;
}

void pvclock_tsc_moved(struct vcpu *v)
{
	vm_for_each_vcpu(v->vm, u)
		if ((u->pvclock_msr & 1) && snapshot(u))
			pr_err("vm %d '%s': cannot update the paravirtual clock\n", v->vm->id,
			       v->vm->name);
}
