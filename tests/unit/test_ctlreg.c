// SPDX-License-Identifier: MIT
/*
 * test_ctlreg.c - the architectural checks on CR0, CR4, EFER and XCR0
 * writes: each #GP condition of the SDM, and CR4/EFER bits exactly as
 * the guest's CPUID advertises them; the virtual debug registers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "kernel/ctlreg.h"
#include "kernel/x86def.h"

/* The Multiboot entry state: 32-bit protected mode, paging off. */
static const struct ctl_state prot = { .cr0 = CR0_PE | CR0_ET };

/* Long mode, 64-bit code, PAE paging. */
static const struct ctl_state lm64 = {
	.cr0 = CR0_PE | CR0_ET | CR0_PG, .cr3 = 0x1000, .cr4 = CR4_PAE,
	.efer = EFER_LME | EFER_LMA, .cs_long = true,
};

static void test_cr0_basic(void **state)
{
	(void)state;
	assert_true(ctl_cr0_ok(&prot, CR0_PE | CR0_ET | CR0_PG));	/* 32-bit paging */
	assert_true(ctl_cr0_ok(&prot, CR0_ET));				/* back to real mode */
	assert_false(ctl_cr0_ok(&prot, CR0_ET | CR0_PG));		/* PG without PE */
	assert_false(ctl_cr0_ok(&prot, CR0_PE | CR0_NW));		/* NW without CD */
	assert_true(ctl_cr0_ok(&prot, CR0_PE | CR0_NW | CR0_CD));
	assert_true(ctl_cr0_ok(&prot, CR0_PE | CR0_CD));
	for (int bit = 32; bit < 64; bit++)
		assert_false(ctl_cr0_ok(&prot, CR0_PE | (1ull << bit)));
}

static void test_cr0_long_mode(void **state)
{
	struct ctl_state s = prot;

	(void)state;
	s.efer = EFER_LME;
	assert_false(ctl_cr0_ok(&s, s.cr0 | CR0_PG));	/* long mode without PAE */
	s.cr4 = CR4_PAE;
	assert_true(ctl_cr0_ok(&s, s.cr0 | CR0_PG));
	/* Leaving long mode: never from 64-bit code, allowed from compatibility mode. */
	assert_false(ctl_cr0_ok(&lm64, lm64.cr0 & ~CR0_PG));
	s = lm64;
	s.cs_long = false;
	assert_true(ctl_cr0_ok(&s, s.cr0 & ~CR0_PG));
	s.cr4 |= CR4_PCIDE;
	assert_false(ctl_cr0_ok(&s, s.cr0 & ~CR0_PG));	/* not with PCIDs on */
	/* Other bits may change in long mode. */
	assert_true(ctl_cr0_ok(&lm64, lm64.cr0 | CR0_WP | CR0_TS));
}

static void test_cr4(void **state)
{
	uint64_t all = ~0ull & ~(CR4_VMXE | CR4_SMXE), basic = CR4_PAE | CR4_PSE | CR4_PGE;
	struct ctl_state s = lm64;

	(void)state;
	assert_true(ctl_cr4_ok(&prot, basic, CR4_PAE | CR4_PGE));
	assert_false(ctl_cr4_ok(&prot, basic, CR4_PAE | CR4_SMEP));	/* not allowed */
	assert_false(ctl_cr4_ok(&prot, basic, 1ull << 40));
	assert_false(ctl_cr4_ok(&lm64, all, 0));			/* PAE off in long mode */
	assert_true(ctl_cr4_ok(&lm64, all, CR4_PAE | CR4_PGE));
	assert_false(ctl_cr4_ok(&lm64, all, CR4_PAE | CR4_LA57));	/* depth fixed */
	/* PCIDE: long mode only, PCID 0 in CR3. */
	assert_false(ctl_cr4_ok(&prot, all, CR4_PCIDE));
	assert_true(ctl_cr4_ok(&lm64, all, CR4_PAE | CR4_PCIDE));
	s.cr3 = 0x1005;
	assert_false(ctl_cr4_ok(&s, all, CR4_PAE | CR4_PCIDE));
	s.cr4 |= CR4_PCIDE;	/* already on: CR3's low bits are the PCID */
	assert_true(ctl_cr4_ok(&s, all, CR4_PAE | CR4_PCIDE | CR4_PGE));
}

/* The CR4 bits follow CPUID one feature at a time. */
static void test_cr4_allowed_by_cpuid(void **state)
{
	static const struct {
		int leaf7;	/* 0: leaf 1, 1: leaf 7 */
		int reg;	/* EAX..EDX */
		uint32_t feature;
		uint64_t cr4;
	} map[] = {
		{ 0, 3, CPUID1_EDX_VME, CR4_VME | CR4_PVI },
		{ 0, 3, CPUID1_EDX_DE, CR4_DE },
		{ 0, 3, CPUID1_EDX_PSE, CR4_PSE },
		{ 0, 3, CPUID1_EDX_PAE, CR4_PAE },
		{ 0, 3, CPUID1_EDX_MCE, CR4_MCE },
		{ 0, 3, CPUID1_EDX_PGE, CR4_PGE },
		{ 0, 3, CPUID1_EDX_FXSR, CR4_OSFXSR },
		{ 0, 3, CPUID1_EDX_SSE, CR4_OSXMMEXCPT },
		{ 0, 2, CPUID1_ECX_PCID, CR4_PCIDE },
		{ 0, 2, CPUID1_ECX_XSAVE, CR4_OSXSAVE },
		{ 1, 1, CPUID7_EBX_FSGSBASE, CR4_FSGSBASE },
		{ 1, 1, CPUID7_EBX_SMEP, CR4_SMEP },
		{ 1, 1, CPUID7_EBX_SMAP, CR4_SMAP },
		{ 1, 2, CPUID7_ECX_UMIP, CR4_UMIP },
	};
	uint32_t none[4] = { 0, 0, 0, 0 }, all[4] = { ~0u, ~0u, ~0u, ~0u };
	uint64_t base = ctl_cr4_allowed(none, none), every = ctl_cr4_allowed(all, all);

	(void)state;
	assert_int_equal(base, CR4_TSD | CR4_PCE);
	/* Never: VMXE, SMXE (hidden), LA57, PKE, PKS, CET (not virtualised), reserved bits. */
	assert_int_equal(every & (CR4_VMXE | CR4_SMXE | CR4_LA57 | CR4_PKE | (1ull << 23) |
				  (1ull << 24) | ~0x1ffffffull), 0);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		uint32_t l1[4] = { 0, 0, 0, 0 }, l7[4] = { 0, 0, 0, 0 };

		(map[i].leaf7 ? l7 : l1)[map[i].reg] = map[i].feature;
		assert_int_equal(ctl_cr4_allowed(l1, l7), base | map[i].cr4);
		assert_int_equal(every & map[i].cr4, map[i].cr4);
	}
}

/* When a CR0/CR4 write loads the PAE PDPTEs (SDM vol. 3A 4.4.1), and which ones are refused. */
static void test_pdptes(void **state)
{
	const struct ctl_state pae = { .cr0 = CR0_PE | CR0_ET | CR0_PG, .cr3 = 0x2000, .cr4 = CR4_PAE };
	const struct ctl_state lme = { .cr0 = CR0_PE | CR0_ET, .cr4 = CR4_PAE, .efer = EFER_LME };
	const uint64_t pae_cr0 = CR0_PE | CR0_ET | CR0_PG;
	uint64_t good[4] = { 0x3000 | 1, 0x4000 | 1 | X86_BIT(3) | X86_BIT(4), 0, 0xe00 };
	uint64_t bad[4];

	(void)state;
	/* Paging on with PAE, or PAE on with paging: a load. */
	assert_true(ctl_pdptes_load(&prot, pae_cr0, CR4_PAE));
	assert_true(ctl_pdptes_load(&(struct ctl_state){ .cr0 = pae_cr0 }, pae_cr0, CR4_PAE));
	/* Each of CD, NW, PG and PAE, PGE, PSE, SMEP changed in PAE paging: a load. */
	assert_true(ctl_pdptes_load(&pae, pae_cr0 | CR0_CD, CR4_PAE));
	assert_true(ctl_pdptes_load(&pae, pae_cr0 | CR0_CD | CR0_NW, CR4_PAE));
	assert_true(ctl_pdptes_load(&pae, pae_cr0, CR4_PAE | CR4_PGE));
	assert_true(ctl_pdptes_load(&pae, pae_cr0, CR4_PAE | CR4_PSE));
	assert_true(ctl_pdptes_load(&pae, pae_cr0, CR4_PAE | CR4_SMEP));
	/* Other bits, no change, no PAE paging afterwards, or long mode: none. */
	assert_false(ctl_pdptes_load(&pae, pae_cr0 | CR0_WP, CR4_PAE));
	assert_false(ctl_pdptes_load(&pae, pae_cr0, CR4_PAE | CR4_OSFXSR));
	assert_false(ctl_pdptes_load(&pae, pae_cr0, CR4_PAE));
	assert_false(ctl_pdptes_load(&pae, CR0_PE | CR0_ET, CR4_PAE));
	assert_false(ctl_pdptes_load(&prot, CR0_PE | CR0_ET | CR0_PG, 0));
	assert_false(ctl_pdptes_load(&lme, pae_cr0, CR4_PAE));
	assert_false(ctl_pdptes_load(&lm64, lm64.cr0 | CR0_CD, CR4_PAE));

	/* Reserved: bits 2:1, 8:5 and 63:MAXPHYADDR, in present entries only. */
	assert_true(ctl_pdptes_ok(good, 36));
	for (int bit = 1; bit < 64; bit++) {
		bool rsvd = bit == 1 || bit == 2 || (bit >= 5 && bit <= 8) || bit >= 36;

		for (int i = 0; i < 4; i++) {
			for (int j = 0; j < 4; j++)
				bad[j] = good[j];
			bad[i] = 0x5000 | 1 | (1ull << bit);
			assert_int_equal(ctl_pdptes_ok(bad, 36), !rsvd);
			bad[i] &= ~1ull;	/* not present: nothing is checked */
			assert_true(ctl_pdptes_ok(bad, 36));
		}
	}
	bad[0] = 1 | (1ull << 40);
	bad[1] = bad[2] = bad[3] = 0;
	assert_false(ctl_pdptes_ok(bad, 40));
	assert_true(ctl_pdptes_ok(bad, 48));
	assert_true(ctl_pdptes_ok(bad, 64));
}

static void test_efer(void **state)
{
	uint32_t l81[4] = { 0, 0, 0, CPUID81_EDX_SYSCALL | CPUID81_EDX_NX | CPUID81_EDX_LM };
	uint64_t allowed = ctl_efer_allowed(l81), e;
	struct ctl_state s = prot;

	(void)state;
	assert_int_equal(allowed, EFER_SCE | EFER_LME | EFER_NXE);
	l81[3] = CPUID81_EDX_LM;
	assert_int_equal(ctl_efer_allowed(l81), EFER_LME);
	assert_true(ctl_efer_value(&prot, allowed, EFER_LME | EFER_NXE, &e));
	assert_int_equal(e, EFER_LME | EFER_NXE);
	assert_false(ctl_efer_value(&prot, allowed, EFER_SVME, &e));
	assert_false(ctl_efer_value(&prot, allowed, 1ull << 1, &e));
	assert_false(ctl_efer_value(&prot, allowed, 1ull << 32, &e));
	/* LMA is read-only: a written 1 is ignored, the CPU's value kept. */
	assert_true(ctl_efer_value(&prot, allowed, EFER_LMA, &e));
	assert_int_equal(e, 0);
	assert_true(ctl_efer_value(&lm64, allowed, EFER_LME | EFER_SCE, &e));
	assert_int_equal(e, EFER_LME | EFER_LMA | EFER_SCE);
	/* LME may not change while paging is on, in either direction. */
	assert_false(ctl_efer_value(&lm64, allowed, 0, &e));
	s.cr0 |= CR0_PG;
	assert_false(ctl_efer_value(&s, allowed, EFER_LME, &e));
	assert_true(ctl_efer_value(&s, allowed, EFER_NXE, &e));
}

static void test_xcr0(void **state)
{
	uint64_t avx = 0x7, avx512 = 0xe7;

	(void)state;
	assert_false(ctl_xcr0_ok(0, 0, 1));		/* nothing offered: nothing passes */
	assert_true(ctl_xcr0_ok(avx512, 0, 1));
	assert_true(ctl_xcr0_ok(avx512, 0, 3));
	assert_true(ctl_xcr0_ok(avx512, 0, avx));
	assert_true(ctl_xcr0_ok(avx512, 0, avx512));
	assert_false(ctl_xcr0_ok(avx512, 1, 1));	/* only XCR0 */
	assert_false(ctl_xcr0_ok(avx512, 0, 0));	/* x87 always on */
	assert_false(ctl_xcr0_ok(avx512, 0, 2));
	assert_false(ctl_xcr0_ok(avx512, 0, 5));	/* AVX without SSE */
	assert_false(ctl_xcr0_ok(avx512, 0, 0x67));	/* AVX-512 components apart */
	assert_false(ctl_xcr0_ok(avx512, 0, 0xe3));	/* AVX-512 without AVX */
	assert_false(ctl_xcr0_ok(avx, 0, avx512));	/* not offered */
	assert_false(ctl_xcr0_ok(avx512, 0, 1ull << 63));
}

/* ctl_dr_access: privilege, DR4/DR5, fixed bits, general detect. */
static void test_dr(void **state)
{
	struct dbg_regs d;
	uint64_t dr6 = DR6_INIT, val;

	(void)state;
	ctl_dbg_reset(&d);
	val = 0x1234;
	assert_int_equal(ctl_dr_access(&d, &dr6, 3, 0, 0, true, &val), DR_GP);	/* CPL 3 */
	assert_int_equal(ctl_dr_access(&d, &dr6, 0, 0, 8, true, &val), DR_UD);	/* DR8 */
	assert_int_equal(ctl_dr_access(&d, &dr6, 0, 0, 0, true, &val), DR_OK);
	val = 0xffffffff00000000ull;	/* DR0-DR3 take any 64-bit address */
	assert_int_equal(ctl_dr_access(&d, &dr6, 0, 0, 3, true, &val), DR_OK);
	val = 0;
	assert_int_equal(ctl_dr_access(&d, &dr6, 0, 0, 0, false, &val), DR_OK);
	assert_int_equal(val, 0x1234);
	assert_int_equal(ctl_dr_access(&d, &dr6, 0, 0, 3, false, &val), DR_OK);
	assert_int_equal(val, 0xffffffff00000000ull);
	/* DR6: only B0-B3, BD, BS, BT change; the rest read as at reset. */
	val = 0;
	assert_int_equal(ctl_dr_access(&d, &dr6, 0, 0, 6, true, &val), DR_OK);
	assert_int_equal(dr6, DR6_INIT);
	val = 0xffffffff;
	assert_int_equal(ctl_dr_access(&d, &dr6, 0, 0, 6, true, &val), DR_OK);
	assert_int_equal(dr6, 0xffffeffful);
	val = 1ull << 32;
	assert_int_equal(ctl_dr_access(&d, &dr6, 0, 0, 6, true, &val), DR_GP);
	assert_int_equal(ctl_dr_access(&d, &dr6, 0, 0, 7, true, &val), DR_GP);
	/* DR7: bit 10 always set, 11, 12, 14 and 15 always clear. */
	val = 0;
	assert_int_equal(ctl_dr_access(&d, &dr6, 0, 0, 7, true, &val), DR_OK);
	assert_int_equal(d.dr7, DR7_INIT);
	val = 0xffffffff & ~0x2000ull;
	assert_int_equal(ctl_dr_access(&d, &dr6, 0, 0, 7, true, &val), DR_OK);
	assert_int_equal(d.dr7, 0xffff07ffull);
	/* DR4/DR5: DR6/DR7 with CR4.DE clear, #UD with it set. */
	val = 0;
	assert_int_equal(ctl_dr_access(&d, &dr6, 0, 0, 5, false, &val), DR_OK);
	assert_int_equal(val, d.dr7);
	assert_int_equal(ctl_dr_access(&d, &dr6, 0, 0, 4, false, &val), DR_OK);
	assert_int_equal(val, dr6);
	assert_int_equal(ctl_dr_access(&d, &dr6, 0, CR4_DE, 4, false, &val), DR_UD);
	assert_int_equal(ctl_dr_access(&d, &dr6, 0, CR4_DE, 5, true, &val), DR_UD);
	assert_int_equal(ctl_dr_access(&d, &dr6, 0, CR4_DE, 6, false, &val), DR_OK);
	/* General detect: the next access faults once, sets BD and clears GD. */
	dr6 = DR6_INIT;
	val = 0x2000;
	assert_int_equal(ctl_dr_access(&d, &dr6, 0, 0, 7, true, &val), DR_OK);
	val = 0x5555;
	assert_int_equal(ctl_dr_access(&d, &dr6, 0, 0, 0, true, &val), DR_DB);
	assert_int_equal(dr6, DR6_INIT | 0x2000);
	assert_int_equal(d.dr7, DR7_INIT);
	assert_int_equal(d.dr[0], 0x1234);	/* the faulting write did not happen */
	assert_int_equal(ctl_dr_access(&d, &dr6, 0, 0, 0, true, &val), DR_OK);
	assert_int_equal(d.dr[0], 0x5555);
	/* Reset. */
	ctl_dbg_reset(&d);
	assert_int_equal(d.dr7, DR7_INIT);
	for (int i = 0; i < 4; i++)
		assert_int_equal(d.dr[i], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cr0_basic),
		cmocka_unit_test(test_cr0_long_mode),
		cmocka_unit_test(test_cr4),
		cmocka_unit_test(test_cr4_allowed_by_cpuid),
		cmocka_unit_test(test_pdptes),
		cmocka_unit_test(test_efer),
		cmocka_unit_test(test_xcr0),
		cmocka_unit_test(test_dr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
