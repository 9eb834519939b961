// SPDX-License-Identifier: MIT
/*
 * test_msr.c - the MSR table (kernel/msr.c) on the host: each MSR's read
 * and write rules, vendor-only MSRs on the other vendor, #GP and the
 * rate-limited log line for MSRs not in the table, and the table against
 * the one in docs/ARCHITECTURE.md (every row there is in the code, every
 * range of the code has a row), and KVM's paravirtual clock (kernel/pvclock.c)
 * decoded as Linux decodes it. The backend, the TSC, guest RAM and the
 * vendor are stubs the test controls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/msr.c"
#include "kernel/pvclock.c"

/* ---- stubs: the backend's registers, the host TSC, the vendor ---- */

static uint64_t regs[VREG_MAX];
static uint64_t host_tsc, host_khz = 2609000;
static unsigned char ram[0x4000];	/* guest RAM: gpa 0 .. 16 KiB */
static unsigned writes;
static bool intel;
static unsigned log_lines;

static uint64_t stub_get_reg(struct vcpu *v, enum vreg r)
{
	(void)v;
	return regs[r];
}

static void stub_set_reg(struct vcpu *v, enum vreg r, uint64_t val)
{
	(void)v;
	regs[r] = val;
}

static const struct virt_ops stub_ops = { .name = "stub", .get_reg = stub_get_reg,
					  .set_reg = stub_set_reg };
const struct virt_ops *virt = &stub_ops;

uint64_t arch_read_tsc(void)
{
	return host_tsc;
}

uint64_t arch_tsc_khz(void)
{
	return host_khz;
}

uint64_t arch_now_ns(void)
{
	return host_tsc / host_khz * 1000000 + host_tsc % host_khz * 1000000 / host_khz;
}

bool vm_is_ram(const struct vm *vm, uint64_t gpa, uint64_t n)
{
	(void)vm;
	return gpa < sizeof(ram) && n <= sizeof(ram) - gpa;
}

int vm_write_guest(struct vm *vm, uint64_t gpa, const void *src, size_t n)
{
	if (!vm_is_ram(vm, gpa, n))
		return -SV_EFAULT;
	memcpy(ram + gpa, src, n);
	writes++;
	return 0;
}

bool guest_is_intel(void)
{
	return intel;
}

unsigned guest_maxphyaddr(struct vcpu *v)
{
	(void)v;
	return 40;
}

uint64_t guest_efer_allowed(struct vcpu *v)
{
	(void)v;
	return EFER_SCE | EFER_LME | EFER_NXE;
}

struct ctl_state guest_ctl_state(struct vcpu *v)
{
	(void)v;
	return (struct ctl_state){ regs[VREG_CR0], regs[VREG_CR3], regs[VREG_CR4], regs[VREG_EFER],
				   false };
}

void vm_apic_base_moved(struct vcpu *v)
{
	(void)v;
}

void printk(int level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
	log_lines++;
}

/* ---- the test VM ---- */

static struct vm vm;
static struct vcpu *v;

static int reset(void **state)
{
	static const struct vlapic_config lc = { .apic_id = 0, .bsp = true };

	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(regs, 0, sizeof(regs));
	strcpy(vm.name, "t");
	v = &vm.vcpus[0];
	v->vm = &vm;
	vm.nr_vcpus = 1;
	vlapic_init(&v->lapic, &lc);
	msr_vcpu_reset(v);
	regs[VREG_CR0] = CR0_PE | CR0_ET;
	host_tsc = 1000;
	host_khz = 2609000;
	log_lines = 0;
	memset(ram, 0, sizeof(ram));
	writes = 0;
	return 0;
}

static bool rdm(uint32_t msr, uint64_t *val)
{
	return msr_access(v, msr, false, val);
}

static bool wrm(uint32_t msr, uint64_t val)
{
	return msr_access(v, msr, true, &val);
}

static uint64_t rd_ok(uint32_t msr)
{
	uint64_t val = 0xdead;

	if (!rdm(msr, &val))
		fail_msg("RDMSR %#x gave #GP", msr);
	return val;
}

/* TSC writes move the offset (and TSC_ADJUST by as much); TSC_ADJUST writes move the TSC. */
static void test_tsc(void **state)
{
	(void)state;
	assert_int_equal(rd_ok(MSR_IA32_TSC), 1000);
	assert_true(wrm(MSR_IA32_TSC, 5000));
	assert_int_equal(regs[VREG_TSC_OFFSET], 4000);
	assert_int_equal(rd_ok(MSR_IA32_TSC_ADJUST), 4000);
	host_tsc += 100;
	assert_int_equal(rd_ok(MSR_IA32_TSC), 5100);
	assert_true(wrm(MSR_IA32_TSC_ADJUST, 4050));
	assert_int_equal(rd_ok(MSR_IA32_TSC), 5150);
	assert_int_equal(regs[VREG_TSC_OFFSET], 4050);
	assert_true(wrm(MSR_IA32_TSC, 0));		/* backwards too */
	assert_int_equal(rd_ok(MSR_IA32_TSC), 0);
	assert_int_equal(rd_ok(MSR_IA32_TSC_ADJUST), 4050 - 5150);
}

/* MISC_ENABLE: Intel only; only its writable bits change. */
static void test_misc_enable(void **state)
{
	uint64_t val;

	(void)state;
	intel = true;
	assert_int_equal(rd_ok(MSR_IA32_MISC_ENABLE), MISC_ENABLE_INIT);
	assert_true(wrm(MSR_IA32_MISC_ENABLE, ~0ull));
	assert_int_equal(rd_ok(MSR_IA32_MISC_ENABLE), MISC_ENABLE_INIT | MISC_ENABLE_WRITABLE);
	assert_true(wrm(MSR_IA32_MISC_ENABLE, 0));
	assert_int_equal(rd_ok(MSR_IA32_MISC_ENABLE), MISC_ENABLE_INIT & ~MISC_ENABLE_WRITABLE);
	intel = false;
	assert_false(rdm(MSR_IA32_MISC_ENABLE, &val));
	assert_false(wrm(MSR_IA32_MISC_ENABLE, 0));
}

/* PAT: memory types 2, 3 and 8 up are #GP and change nothing; a good one reaches the backend. */
static void test_pat(void **state)
{
	uint64_t good = 0x0007040600070406ull;

	(void)state;
	assert_true(wrm(MSR_IA32_PAT, good));
	assert_int_equal(regs[VREG_PAT], good);
	assert_int_equal(rd_ok(MSR_IA32_PAT), good);
	for (unsigned byte = 0; byte < 8; byte++)
		for (unsigned t = 0; t < 256; t++) {
			uint64_t bad = (good & ~(0xffull << (8 * byte))) | ((uint64_t)t << (8 * byte));
			bool ok = t < 8 && t != 2 && t != 3;

			assert_int_equal(wrm(MSR_IA32_PAT, bad), ok);
			if (ok)
				assert_true(wrm(MSR_IA32_PAT, good));
			assert_int_equal(rd_ok(MSR_IA32_PAT), good);
		}
}

/* EFER: what CPUID offers, checked by ctlreg.c; the backend gets it. */
static void test_efer(void **state)
{
	(void)state;
	assert_true(wrm(MSR_EFER, EFER_SCE | EFER_NXE));
	assert_int_equal(regs[VREG_EFER], EFER_SCE | EFER_NXE);
	assert_int_equal(rd_ok(MSR_EFER), EFER_SCE | EFER_NXE);
	assert_false(wrm(MSR_EFER, 1ull << 1));		/* reserved */
	assert_false(wrm(MSR_EFER, EFER_SVME));		/* not offered */
	assert_int_equal(regs[VREG_EFER], EFER_SCE | EFER_NXE);
}

/* The vendor's own MSRs, and #GP for them on the other vendor. */
static void test_vendor_msrs(void **state)
{
	static const uint32_t amd_cfg[] = { MSR_AMD_SYSCFG, MSR_AMD_HWCR, MSR_AMD_DE_CFG };
	uint64_t val;

	(void)state;
	intel = false;
	for (uint32_t m = MSR_AMD_PERF_CTL0; m <= MSR_AMD_PERF_CTR3; m++) {
		assert_true(wrm(m, 0x12345));
		assert_int_equal(rd_ok(m), 0);
	}
	for (size_t i = 0; i < 3; i++) {
		uint64_t now = rd_ok(amd_cfg[i]);

		assert_int_equal(now, amd_cfg[i] == MSR_AMD_DE_CFG ? AMD_DE_CFG_LFENCE : 0);
		assert_true(wrm(amd_cfg[i], now));
		assert_false(wrm(amd_cfg[i], now | 1));
		assert_int_equal(rd_ok(amd_cfg[i]), now);
	}
	assert_int_equal(rd_ok(MSR_AMD_INT_PENDING), 0);
	assert_false(wrm(MSR_AMD_INT_PENDING, 0));
	assert_int_equal(rd_ok(MSR_IA32_UCODE_REV), 0);
	intel = true;
	assert_false(rdm(MSR_AMD_PERF_CTL0, &val));
	assert_false(rdm(MSR_AMD_SYSCFG, &val));
	assert_false(rdm(MSR_AMD_DE_CFG, &val));
	assert_true(wrm(MSR_IA32_UCODE_REV, 0));	/* Intel: write 0, CPUID, read the revision */
	assert_int_equal(rd_ok(MSR_IA32_UCODE_REV), 0);
}

/* MTRRs and the APIC MSRs are routed to their models. */
static void test_routing(void **state)
{
	uint64_t val;

	(void)state;
	assert_int_equal(rd_ok(MSR_IA32_MTRRCAP) & 0xff, MTRR_VAR_COUNT);
	assert_false(wrm(MSR_IA32_MTRRCAP, 0));		/* read-only */
	assert_true(wrm(MSR_IA32_MTRR_DEF_TYPE, (1u << 11) | 6));
	assert_int_equal(rd_ok(MSR_IA32_MTRR_DEF_TYPE), (1u << 11) | 6);
	assert_false(wrm(MSR_IA32_MTRR_DEF_TYPE, 2));	/* reserved type */
	assert_int_equal(rd_ok(MSR_IA32_APIC_BASE), 0xfee00000ull | (1u << 8) | (1u << 11));
	assert_false(rdm(MSR_X2APIC_FIRST + 2, &val));	/* x2APIC MSRs need x2APIC mode */
}

/* Not in the table: #GP both ways, one log line each for the first few, then silence. */
static void test_unknown(void **state)
{
	static const uint32_t unknown[] = { 0x48, 0x49, 0x10a, 0x345, 0x3a, 0xc0010114, 0x12345678 };
	uint64_t val;

	(void)state;
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		assert_false(rdm(unknown[i], &val));
		assert_false(wrm(unknown[i], 0));
	}
	assert_int_equal(vm.unknown_msrs, 2 * sizeof(unknown) / sizeof(unknown[0]));
	assert_int_equal(log_lines, UNKNOWN_MSR_LOG);
}

/* linux_tsc_khz - Linux's pvclock_tsc_khz(): the frequency back from mul and shift. */
static uint64_t linux_tsc_khz(const struct pvclock_vcpu_time_info *t)
{
	uint64_t khz = (1000000ull << 32) / t->tsc_to_system_mul;

	return t->tsc_shift < 0 ? khz << -t->tsc_shift : khz >> t->tsc_shift;
}

/* linux_ns - Linux's __pvclock_read_cycles() at guest TSC @tsc. */
static uint64_t linux_ns(const struct pvclock_vcpu_time_info *t, uint64_t tsc)
{
	uint64_t d = tsc - t->tsc_timestamp;

	d = t->tsc_shift < 0 ? d >> -t->tsc_shift : d << t->tsc_shift;
	return t->system_time + (uint64_t)(((unsigned __int128)d * t->tsc_to_system_mul) >> 32);
}

/* The scale for TSCs from 1 MHz to 10 GHz: mul normalised, the frequency and an hour's ns exact to 2^-30. */
static void test_pvclock_scale(void **state)
{
	static const uint64_t khzs[] = { 1000, 100000, 999999, 1000000, 1000001, 2609000,
					 3999999, 4294967, 10000000 };

	(void)state;
	for (unsigned i = 0; i < sizeof(khzs) / sizeof(khzs[0]); i++) {
		struct pvclock_scale s = pvclock_scale_for(khzs[i]);
		struct pvclock_vcpu_time_info t = { .tsc_to_system_mul = s.mul, .tsc_shift = s.shift };
		uint64_t khz = linux_tsc_khz(&t), ticks = khzs[i] * 1000 * 3600;	/* an hour */
		uint64_t ns = pvclock_ns(ticks, s), want = 3600 * NS_PER_S;

		assert_true(s.mul >= 1u << 31);
		/* Linux divides, then shifts: a negative shift leaves 2^-shift kHz steps. */
		assert_true(khz <= khzs[i] &&
			    khzs[i] - khz <= (s.shift < 0 ? 1u << -s.shift : 1u) + khzs[i] / (1u << 30));
		assert_true(ns <= want && want - ns <= want / (1u << 30));
	}
}

/* The CPUID leaves: KVM's signature at 0x40000100, the clock features, nothing above. */
static void test_pvclock_cpuid(void **state)
{
	uint32_t r[4];
	char sig[13] = { 0 };

	(void)state;
	pvclock_cpuid(KVM_CPUID_SIGNATURE, r);
	assert_int_equal(r[0], KVM_CPUID_FEATURES);
	memcpy(sig, &r[1], 4);
	memcpy(sig + 4, &r[2], 4);
	memcpy(sig + 8, &r[3], 4);
	assert_memory_equal(sig, "KVMKVMKVM\0\0\0", 12);
	pvclock_cpuid(KVM_CPUID_FEATURES, r);
	assert_int_equal(r[0], (1u << 1) | (1u << 3) | (1u << 24));
	assert_int_equal(r[3], 0);
	pvclock_cpuid(KVM_CPUID_FEATURES + 1, r);
	assert_int_equal(r[0] | r[1] | r[2] | r[3], 0);
}

/*
 * The time-info structure: written at the WRMSR with an even version, it
 * reads as the host's nanoseconds at any later TSC, keeps doing so (no jump)
 * across a guest TSC write, goes off with bit 0 clear; bad areas #GP.
 */
static void test_pvclock_msrs(void **state)
{
	struct pvclock_vcpu_time_info t;
	struct pvclock_wall_clock w;
	uint64_t before, after;

	(void)state;
	host_tsc = 2609000ull * 1000 * 5;		/* 5 s after the host's reset */
	assert_true(wrm(MSR_KVM_SYSTEM_TIME_NEW, 0x1040 | 1));
	assert_int_equal(rd_ok(MSR_KVM_SYSTEM_TIME_NEW), 0x1041);
	memcpy(&t, ram + 0x1040, sizeof(t));
	assert_int_equal(t.version & 1, 0);
	assert_true(t.version > 0);
	assert_int_equal(t.flags, PVCLOCK_TSC_STABLE_BIT);
	assert_int_equal(linux_tsc_khz(&t), host_khz);
	assert_int_equal(t.tsc_timestamp, host_tsc);
	host_tsc += 2609000ull * 250;			/* 250 ms later */
	before = linux_ns(&t, host_tsc);
	assert_true(before >= 5250 * NS_PER_MS - 2 && before <= 5250 * NS_PER_MS);

	/* The guest moves its TSC back by 4 s: a new snapshot, the clock does not jump. */
	assert_true(wrm(MSR_IA32_TSC, host_tsc - 2609000ull * 4000));
	memcpy(&t, ram + 0x1040, sizeof(t));
	assert_int_equal(t.version & 1, 0);
	after = linux_ns(&t, host_tsc + v->tsc_offset);
	assert_true(after >= before && after - before < 3);

	/* Off, then bad areas: misaligned, across a page, outside RAM. */
	writes = 0;
	assert_true(wrm(MSR_KVM_SYSTEM_TIME_NEW, 0x1040));
	assert_true(wrm(MSR_IA32_TSC, 0));
	assert_int_equal(writes, 0);
	assert_false(wrm(MSR_KVM_SYSTEM_TIME_NEW, 0x1042 | 1));
	assert_false(wrm(MSR_KVM_SYSTEM_TIME_NEW, 0x1fe8 | 1));
	assert_false(wrm(MSR_KVM_SYSTEM_TIME_NEW, sizeof(ram) | 1));
	assert_false(wrm(MSR_KVM_WALL_CLOCK_NEW, 0x2ffc));
	assert_int_equal(writes, 0);

	/* The wall clock at system time 0: the CMOS clock's now, less the system time now. */
	vrtc_init(&vm.rtc, 1 << 20, 1700000000, arch_now_ns(), NULL, NULL);
	host_tsc += 2609000ull * 1500;			/* 1.5 s later */
	assert_true(wrm(MSR_KVM_WALL_CLOCK_NEW, 0x2000));
	assert_int_equal(rd_ok(MSR_KVM_WALL_CLOCK_NEW), 0x2000);
	memcpy(&w, ram + 0x2000, sizeof(w));
	assert_int_equal(w.version & 1, 0);
	{
		uint64_t sys = pvclock_ns(host_tsc, pvclock_scale_for(host_khz));
		uint64_t wall = w.sec * NS_PER_S + w.nsec + sys, want = 1700000001500ull * NS_PER_MS;

		assert_true(wall <= want + 2 && wall + 2 >= want);
	}
}

/* docs_hex - the hex number at @p ("0x..." ), its end in *@end. */
static unsigned long docs_hex(const char *p, const char **end)
{
	char *e;
	unsigned long n = strtoul(p, &e, 16);

	*end = e;
	return n;
}

/* The table in docs/ARCHITECTURE.md and the code's table list the same MSRs. */
static void test_docs_table(void **state)
{
	FILE *f = fopen("docs/ARCHITECTURE.md", "r");
	static char docs[1 << 20];
	size_t n;
	unsigned rows = 0;

	(void)state;
	assert_non_null(f);
	n = fread(docs, 1, sizeof(docs) - 1, f);
	fclose(f);
	docs[n] = '\0';
	/* Every row "  | 0xNNN..." names MSRs the code has (for some vendor). */
	for (const char *p = strstr(docs, "\n  | 0x"); p; p = strstr(p + 1, "\n  | 0x")) {
		const char *e;
		unsigned long first = docs_hex(p + 5, &e);

		intel = true;
		if (!msr_find((uint32_t)first)) {
			intel = false;
			if (!msr_find((uint32_t)first))
				fail_msg("docs list MSR %#lx, the table does not have it", first);
		}
		rows++;
	}
	assert_true(rows >= 10);
	/* Every range of the code's table starts a row or a range in a row. */
	for (size_t i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
		char want[24];

		snprintf(want, sizeof(want), "%#x", msrs[i].first);
		if (!strstr(docs, want))
			fail_msg("MSR %s is in the table, not in docs/ARCHITECTURE.md", want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_tsc, reset),
		cmocka_unit_test_setup(test_misc_enable, reset),
		cmocka_unit_test_setup(test_pat, reset),
		cmocka_unit_test_setup(test_efer, reset),
		cmocka_unit_test_setup(test_vendor_msrs, reset),
		cmocka_unit_test_setup(test_routing, reset),
		cmocka_unit_test_setup(test_unknown, reset),
		cmocka_unit_test_setup(test_pvclock_scale, reset),
		cmocka_unit_test_setup(test_pvclock_cpuid, reset),
		cmocka_unit_test_setup(test_pvclock_msrs, reset),
		cmocka_unit_test_setup(test_docs_table, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
