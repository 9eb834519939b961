// SPDX-License-Identifier: MIT
/*
 * pc64 - a 64-bit Multiboot kernel that starts the way the 64-bit test
 * kernels of other hypervisors' suites do, and checks each piece of the
 * PC they expect: GS_BASE written in 32-bit mode (entry64.S) and still
 * there in long mode, APIC_BASE, the local APIC's ID and version, the CPU
 * count of an environment module (a `for=` module under sharevisor, QEMU's
 * -initrd bare) against the ACPI MADT, SYSCALL/SYSRET through STAR, LSTAR
 * and SFMASK (at CPL 0 and a round trip through CPL 3), XSAVE/XRSTOR with
 * XCR0, RDTSCP and RDPID with TSC_AUX, self-IPIs through the xAPIC ICR and
 * x2APIC's ICR and SELF_IPI MSRs, and CR8: a vector the TPR held back is
 * taken right after the MOV to CR8 that lowers it (VMX: a TPR-threshold
 * exit, SVM: the CR8 write exits).
 *
 * Options: cpus=N (the count the environment module must give; without a
 * module the test is skipped unless need_env=1).
 */
#include "rt.h"

#define MSR_APIC_BASE	0x1bu
#define MSR_EFER	0xc0000080u
#define MSR_STAR	0xc0000081u
#define MSR_LSTAR	0xc0000082u
#define MSR_SFMASK	0xc0000084u
#define MSR_GS_BASE	0xc0000101u
#define MSR_TSC_AUX	0xc0000103u
#define MSR_X2_ID	0x802u
#define MSR_X2_VERSION	0x803u
#define MSR_X2_EOI	0x80bu
#define MSR_X2_ICR	0x830u
#define MSR_X2_SELF_IPI	0x83fu

#define APIC_BASE_BSP	(1ull << 8)
#define APIC_BASE_EXTD	(1ull << 10)
#define APIC_BASE_EN	(1ull << 11)
#define EFER_SCE	(1ull << 0)
#define RFLAGS_TF	(1ull << 8)
#define RFLAGS_IF	(1ull << 9)
#define RFLAGS_DF	(1ull << 10)
#define CR0_MP		(1ul << 1)
#define CR0_EM		(1ul << 2)
#define CR0_TS		(1ul << 3)
#define CR4_OSFXSR	(1ul << 9)
#define CR4_OSXMMEXCPT	(1ul << 10)
#define CR4_OSXSAVE	(1ul << 18)

#define APIC		0xfee00000ul
#define ICR_SELF	(1u << 18)	/* destination shorthand: self */
#define VEC_IPI		0x2d		/* priority class 2 */

static volatile uint32_t ipis;
static bool x2mode;

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static uint32_t apic_rd(uint32_t off)
{
	return *(volatile uint32_t *)(APIC + off);
}

static void apic_wr(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(APIC + off) = v;
}

static void ipi_handler(struct rt_frame *f)
{
	(void)f;
	ipis++;
	if (x2mode)
		wrmsr(MSR_X2_EOI, 0);
	else
		apic_wr(0xb0, 0);
}

/* pic_off - the 8259s masked: their BIOS base (vector 8) is an exception vector here. */
static void pic_off(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

/* gs_base - the base entry64.S wrote in 32-bit mode, through RDMSR and through GS. */
static void gs_base(void)
{
	uint64_t v;

	rt_percpu[0] = 0x5ca1ab1e0ddba11ull;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(v));
	rt_printf("pc64: GS_BASE %llx (rt_percpu %llx)\n", (unsigned long long)rdmsr(MSR_GS_BASE),
		  (unsigned long long)(uintptr_t)rt_percpu);
	EXPECT(rdmsr(MSR_GS_BASE) == (uintptr_t)rt_percpu);
	EXPECT(v == rt_percpu[0]);
}

/* apic_id_version - APIC_BASE: enabled BSP at 0xfee00000; ID as CPUID says; an integrated APIC. */
static void apic_id_version(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	uint32_t id = apic_rd(0x20) >> 24, ver = apic_rd(0x30);

	rt_printf("pc64: APIC_BASE %llx, ID %x, version %x\n", (unsigned long long)base, id, ver);
	EXPECT((base & ~0xfffull) == APIC);
	EXPECT((base & (APIC_BASE_BSP | APIC_BASE_EN)) == (APIC_BASE_BSP | APIC_BASE_EN));
	EXPECT(!(base & APIC_BASE_EXTD));
	EXPECT(id == cpuid(1, 0).ebx >> 24);
	EXPECT((ver & 0xff) >= 0x10 && (ver & 0xff) <= 0x15);
	EXPECT(((ver >> 16) & 0xff) >= 3);	/* at least LINT0, LINT1, error and timer LVTs */
}

/* ---- the environment module and the MADT ---- */

/* env_value - the number after "KEY=" in module 0 (lines of KEY=VALUE), or -1. */
static long env_value(const char *key)
{
	const char *p = (const char *)(uintptr_t)rt_boot.mods[0].start;
	const char *end = (const char *)(uintptr_t)rt_boot.mods[0].end;
	size_t klen = rt_strlen(key);
	uint64_t v;

	while (p < end) {
		if ((size_t)(end - p) > klen && !rt_strncmp(p, key, klen) && p[klen] == '=') {
			rt_parse_u64(p + klen + 1, &v);
			return (long)v;
		}
		while (p < end && *p != '\n')
			p++;
		p++;
	}
	return -1;
}

static bool sum_ok(const uint8_t *p, uint32_t len)
{
	uint8_t s = 0;

	for (uint32_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	return s == 0;
}

/* find_rsdp - the ACPI RSDP in the BIOS area (16-byte aligned, ACPI 5.2.5.1), or NULL. */
static const uint8_t *find_rsdp(void)
{
	for (uintptr_t a = 0xe0000; a < 0x100000; a += 16) {
		const uint8_t *p = (const uint8_t *)a;

		if (!rt_strncmp((const char *)p, "RSD PTR ", 8) && sum_ok(p, 20))
			return p;
	}
	return NULL;
}

/* madt_cpus - enabled processors in the MADT (local APIC and x2APIC entries), or -1. */
static int madt_cpus(void)
{
	const uint8_t *rsdp = find_rsdp(), *sdt, *madt = NULL;
	bool xsdt;
	uint32_t len, n;
	int cpus = 0;

	if (!rsdp)
		return -1;
	xsdt = rsdp[15] >= 2 && *(const uint64_t *)(rsdp + 24);
	sdt = xsdt ? (const uint8_t *)(uintptr_t)*(const uint64_t *)(rsdp + 24) :
		     (const uint8_t *)(uintptr_t)*(const uint32_t *)(rsdp + 16);
	len = *(const uint32_t *)(sdt + 4);
	if (!sum_ok(sdt, len))
		return -1;
	n = (len - 36) / (xsdt ? 8 : 4);
	for (uint32_t i = 0; i < n && !madt; i++) {
		uint64_t a = xsdt ? *(const uint64_t *)(sdt + 36 + 8 * i) :
				    *(const uint32_t *)(sdt + 36 + 4 * i);
		const uint8_t *t = (const uint8_t *)(uintptr_t)a;

		if (!rt_strncmp((const char *)t, "APIC", 4))
			madt = t;
	}
	if (!madt || !sum_ok(madt, *(const uint32_t *)(madt + 4)))
		return -1;
	len = *(const uint32_t *)(madt + 4);
	for (uint32_t off = 44; off + 2 <= len && madt[off + 1] >= 2; off += madt[off + 1]) {
		if (madt[off] == 0 && (madt[off + 4] & 1))	/* processor local APIC, enabled */
			cpus++;
		if (madt[off] == 9 && (madt[off + 8] & 1))	/* processor local x2APIC */
			cpus++;
	}
	return cpus;
}

/* cpus_env - the environment module's NR_CPUS, the MADT and the cpus= option agree. */
static void cpus_env(void)
{
	long env;
	int madt = madt_cpus();
	uint32_t want = rt_opt_u32("cpus", 1);

	if (!rt_boot.nmods) {
		if (rt_opt_is("need_env", "1"))
			EXPECT(!"no environment module");
		else
			rt_skip("no environment module");
		return;
	}
	env = env_value("NR_CPUS");
	rt_printf("pc64: module '%s' (%u bytes): NR_CPUS=%d; MADT: %d CPUs\n", rt_boot.mods[0].string,
		  rt_boot.mods[0].end - rt_boot.mods[0].start, (int)env, madt);
	EXPECT(env == (long)want);
	EXPECT(madt == (int)want);
}

/* ---- SYSCALL and SYSRET ---- */

/* Set by the SYSCALL entry points below. */
uint64_t sc_rcx, sc_r11, sc_rflags, sc_rax;
uint16_t sc_cs, sc_ss, user_cs;
uint64_t sc_saved_rsp;
static uint8_t user_stack[4096] __attribute__((aligned(16)));
uint8_t *user_stack_top = user_stack + sizeof(user_stack);

void sc_kernel_entry(void);
void sc_back_entry(void);
uint64_t sc_to_user_and_back(void);

/*
 * sc_kernel_entry: a SYSCALL at CPL 0 returns by hand (SYSRET would go to
 * CPL 3): RFLAGS from R11, then to RCX. sc_to_user_and_back: SYSRET to
 * CPL 3 code that does SYSCALL straight back; sc_back_entry restores the
 * kernel stack and returns what the user code left in RAX.
 */
__asm__(".text\n"
	"sc_kernel_entry:\n\t"
	"pushfq\n\t"
	"popq sc_rflags\n\t"
	"movq %rcx, sc_rcx\n\t"
	"movq %r11, sc_r11\n\t"
	"movw %cs, sc_cs\n\t"
	"movw %ss, sc_ss\n\t"
	"pushq %r11\n\t"
	"popfq\n\t"
	"jmp *%rcx\n"
	"sc_to_user_and_back:\n\t"
	"pushq %rbx\n\tpushq %rbp\n\tpushq %r12\n\tpushq %r13\n\tpushq %r14\n\tpushq %r15\n\t"
	"movq %rsp, sc_saved_rsp\n\t"
	"leaq sc_user(%rip), %rcx\n\t"
	"movq $0x2, %r11\n\t"		/* user RFLAGS: IF off */
	"movq user_stack_top, %rsp\n\t"
	"sysretq\n"
	"sc_user:\n\t"			/* CPL 3 */
	"movw %cs, user_cs\n\t"
	"movl $0x5ca11, %eax\n\t"
	"syscall\n\t"
	"ud2\n"
	"sc_back_entry:\n\t"
	"movq sc_saved_rsp, %rsp\n\t"
	"movw %cs, sc_cs\n\t"
	"movw %ss, sc_ss\n\t"
	"movq %rcx, sc_rcx\n\t"
	"popq %r15\n\tpopq %r14\n\tpopq %r13\n\tpopq %r12\n\tpopq %rbp\n\tpopq %rbx\n\t"
	"ret\n");

static void syscall_sysret(void)
{
	uint64_t star = (0x20ull << 48) | (0x18ull << 32), ret_rip, rflags, got;

	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, star);
	wrmsr(MSR_LSTAR, (uintptr_t)sc_kernel_entry);
	wrmsr(MSR_SFMASK, RFLAGS_DF | RFLAGS_IF | RFLAGS_TF);
	EXPECT(rdmsr(MSR_STAR) == star);
	EXPECT(rdmsr(MSR_LSTAR) == (uintptr_t)sc_kernel_entry);
	EXPECT(rdmsr(MSR_SFMASK) == (RFLAGS_DF | RFLAGS_IF | RFLAGS_TF));

	/* At CPL 0 with DF set: the entry sees DF masked, R11 keeps it. */
	__asm__ volatile("std\n\t"
			 "leaq 1f(%%rip), %0\n\t"
			 "syscall\n"
			 "1:\n\t"
			 "pushfq\n\t"
			 "popq %1\n\t"
			 "cld"
			 : "=&r"(ret_rip), "=r"(rflags) : : "rcx", "r11", "memory");
	rt_printf("pc64: syscall at CPL 0: CS %x SS %x RCX %llx (want %llx) R11 %llx RFLAGS %llx\n",
		  sc_cs, sc_ss, (unsigned long long)sc_rcx, (unsigned long long)ret_rip,
		  (unsigned long long)sc_r11, (unsigned long long)sc_rflags);
	EXPECT(sc_cs == 0x18 && sc_ss == 0x20);
	EXPECT(sc_rcx == ret_rip);
	EXPECT(sc_r11 & RFLAGS_DF);
	EXPECT(!(sc_rflags & (RFLAGS_DF | RFLAGS_IF)));
	EXPECT(rflags & RFLAGS_DF);	/* restored from R11 */

	/* SYSRET to CPL 3 (CS 0x33, SS 0x2b), SYSCALL back. */
	wrmsr(MSR_LSTAR, (uintptr_t)sc_back_entry);
	got = sc_to_user_and_back();
	rt_printf("pc64: round trip: user CS %x, back in CS %x SS %x, RAX %llx\n", user_cs, sc_cs,
		  sc_ss, (unsigned long long)got);
	EXPECT(user_cs == 0x33);
	EXPECT(sc_cs == 0x18 && sc_ss == 0x20);
	EXPECT(got == 0x5ca11);
	/* Back to a plain data SS for the rest (interrupt frames keep whatever SS holds). */
	__asm__ volatile("movw %w0, %%ss" : : "r"(0x10) : "memory");
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) & ~EFER_SCE);
}

/* ---- XSAVE ---- */

static uint8_t xarea[4096] __attribute__((aligned(64)));

static void xsetbv(uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static uint64_t xgetbv(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

/* xsave_xrstor - XCR0 with x87, SSE (and AVX when offered); XMM1 survives XSAVE, clobbering, XRSTOR. */
static void xsave_xrstor(void)
{
	struct cpuid_regs r = cpuid(1, 0);
	uint64_t want = 3, pat[2] = { 0x0123456789abcdefull, 0xfedcba9876543210ull }, back[2], zero[2] = { 0, 0 };
	unsigned long cr0 = RT_READ_REG(cr0), cr4 = RT_READ_REG(cr4);

	if (!(r.ecx & (1u << 26))) {
		rt_skip("no XSAVE");
		return;
	}
	cr0 = (cr0 & ~(CR0_EM | CR0_TS)) | CR0_MP;
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE));
	EXPECT(cpuid(1, 0).ecx & (1u << 27));	/* OSXSAVE follows CR4 */
	if ((r.ecx & (1u << 28)) && (cpuid(0xd, 0).eax & 4))
		want |= 4;
	xsetbv(want);
	EXPECT(xgetbv() == want);
	EXPECT(cpuid(0xd, 0).ebx <= sizeof(xarea));
	rt_memset(xarea, 0, sizeof(xarea));
	__asm__ volatile("movdqu %0, %%xmm1" : : "m"(pat));
	__asm__ volatile("xsave %0" : "+m"(xarea) : "a"((uint32_t)want), "d"(0) : "memory");
	__asm__ volatile("movdqu %0, %%xmm1" : : "m"(zero));
	__asm__ volatile("xrstor %0" : : "m"(xarea), "a"((uint32_t)want), "d"(0) : "memory");
	__asm__ volatile("movdqu %%xmm1, %0" : "=m"(back));
	rt_printf("pc64: XCR0 %llx, XSAVE area %u bytes, XMM1 %llx%016llx after XRSTOR\n",
		  (unsigned long long)xgetbv(), cpuid(0xd, 0).ebx, (unsigned long long)back[1],
		  (unsigned long long)back[0]);
	EXPECT(back[0] == pat[0] && back[1] == pat[1]);
	EXPECT(*(uint64_t *)(xarea + 512) & 2);	/* XSTATE_BV: SSE state saved */
}

/* ---- RDTSCP and RDPID ---- */

static void rdtscp_tsc_aux(void)
{
	uint32_t aux, lo, hi;
	uint64_t t0 = rdtsc(), t1, pid;

	if (!(cpuid(0x80000001u, 0).edx & (1u << 27))) {
		rt_skip("no RDTSCP");
		return;
	}
	wrmsr(MSR_TSC_AUX, 0x2a);
	EXPECT(rdmsr(MSR_TSC_AUX) == 0x2a);
	__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	t1 = (uint64_t)hi << 32 | lo;
	rt_printf("pc64: RDTSCP aux %x, TSC advanced %llu\n", aux, (unsigned long long)(t1 - t0));
	EXPECT(aux == 0x2a);
	EXPECT(t1 > t0);
	if (cpuid(7, 0).ecx & (1u << 22)) {
		__asm__ volatile(".byte 0xf3, 0x0f, 0xc7, 0xf8" : "=a"(pid));	/* rdpid rax */
		EXPECT(pid == 0x2a);
	}
}

/* ---- the TSC and APIC timer frequencies ---- */

#define PM_TMR		0x608		/* the FADT's PM timer (sharevisor's PM block at 0x600) */
#define PM_HZ		3579545u

static uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/*
 * tsc_apic_freq - over 20 ms of the ACPI PM timer, the TSC advances as
 * CPUID 0x15 says (Intel: crystal * EBX / EAX) and the APIC timer counts
 * at the crystal's rate (within 2%: each PM timer read is an exit).
 */
static void apic_on(void);

static void tsc_apic_freq(void)
{
	struct cpuid_regs c = cpuid(0x15, 0);
	uint32_t p0, p1, a0, a1;
	uint64_t t0, t1, pm, tsc_hz, apic_hz, want_tsc;

	if (!rt_hv_present() || !rt_cpu_is_intel() || cpuid(0, 0).eax < 0x15 || !c.eax || !c.ecx) {
		rt_skip("no CPUID 0x15 (bare, AMD or an old CPU)");
		return;
	}
	want_tsc = (uint64_t)c.ecx * c.ebx / c.eax;
	apic_on();
	apic_wr(0x320, 1u << 16);	/* one-shot, masked */
	apic_wr(0x3e0, 0xb);		/* divide by 1 */
	apic_wr(0x380, 0xffffffffu);
	p0 = inl(PM_TMR);
	t0 = rdtsc();
	a0 = apic_rd(0x390);
	do
		p1 = inl(PM_TMR);
	while (((p1 - p0) & 0xffffff) < PM_HZ / 50);
	t1 = rdtsc();
	a1 = apic_rd(0x390);
	pm = (p1 - p0) & 0xffffff;
	tsc_hz = (t1 - t0) * PM_HZ / pm;
	apic_hz = (uint64_t)(a0 - a1) * PM_HZ / pm;
	apic_wr(0x380, 0);
	rt_printf("pc64: CPUID 0x15: crystal %u Hz x %u / %u = TSC %llu kHz; measured TSC %llu kHz, "
		  "APIC timer %llu kHz\n", c.ecx, c.ebx, c.eax, (unsigned long long)(want_tsc / 1000),
		  (unsigned long long)(tsc_hz / 1000), (unsigned long long)(apic_hz / 1000));
	EXPECT(tsc_hz > want_tsc - want_tsc / 50 && tsc_hz < want_tsc + want_tsc / 50);
	EXPECT(apic_hz > c.ecx - c.ecx / 50 && apic_hz < c.ecx + c.ecx / 50);
}

/* ---- self-IPIs and CR8 ---- */

static void apic_on(void)
{
	pic_off();
	rt_set_handler(VEC_IPI, ipi_handler);
	apic_wr(0xf0, 0x1ff);	/* SVR: enabled, spurious vector 0xff */
	apic_wr(0x80, 0);	/* TPR 0 */
}

/* wait_ipis - interrupts on for a short while: the IPIs sent so far arrive. */
static uint32_t wait_ipis(uint32_t want)
{
	sti();
	for (int i = 0; i < 100000 && ipis < want; i++)
		__asm__ volatile("pause" ::: "memory");
	cli();
	return ipis;
}

static void self_ipi_xapic(void)
{
	apic_on();
	ipis = 0;
	apic_wr(0x310, 0);
	apic_wr(0x300, ICR_SELF | VEC_IPI);	/* fixed, edge, to self */
	EXPECT(wait_ipis(1) == 1);
	EXPECT(!(apic_rd(0x300) & (1u << 12)));	/* delivery status idle */
	apic_wr(0x310, apic_rd(0x20));		/* physical destination: this APIC's ID */
	apic_wr(0x300, VEC_IPI);
	EXPECT(wait_ipis(2) == 2);
	rt_printf("pc64: xAPIC self-IPIs: %u\n", ipis);
}

static void self_ipi_x2apic(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	uint32_t id = apic_rd(0x20) >> 24, ver = apic_rd(0x30);

	if (!(cpuid(1, 0).ecx & (1u << 21))) {
		rt_skip("no x2APIC");
		return;
	}
	apic_on();
	wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD);
	x2mode = true;
	EXPECT(rdmsr(MSR_X2_ID) == id);
	EXPECT(rdmsr(MSR_X2_VERSION) == ver);
	ipis = 0;
	wrmsr(MSR_X2_SELF_IPI, VEC_IPI);
	EXPECT(wait_ipis(1) == 1);
	wrmsr(MSR_X2_ICR, ICR_SELF | VEC_IPI);
	EXPECT(wait_ipis(2) == 2);
	wrmsr(MSR_X2_ICR, (uint64_t)id << 32 | VEC_IPI);	/* physical, the 32-bit x2APIC ID */
	EXPECT(wait_ipis(3) == 3);
	rt_printf("pc64: x2APIC ID %llx, self-IPIs: %u\n", (unsigned long long)rdmsr(MSR_X2_ID), ipis);
	/* Back to xAPIC mode: x2APIC -> disabled -> xAPIC (SDM vol. 3A 11.12.5). */
	wrmsr(MSR_APIC_BASE, base & ~(APIC_BASE_EN | APIC_BASE_EXTD));
	x2mode = false;
	wrmsr(MSR_APIC_BASE, base);
	EXPECT(rdmsr(MSR_APIC_BASE) == base);
	apic_wr(0xf0, 0x1ff);
	EXPECT(apic_rd(0x20) >> 24 == id);
}

/*
 * cr8_tpr_threshold - CR8 = 15 holds back a class-2 self-IPI (interrupts
 * on: it stays in IRR); the MOV that sets CR8 to 0 lets it in before the
 * next instruction, which reads the count.
 */
static void cr8_tpr_threshold(void)
{
	uint32_t held, after;
	unsigned long cr8;

	apic_on();
	ipis = 0;
	__asm__ volatile("mov %0, %%cr8" : : "r"(15ul) : "memory");
	EXPECT(apic_rd(0x80) == 0xf0);
	apic_wr(0x300, ICR_SELF | VEC_IPI);
	held = wait_ipis(1);
	EXPECT(apic_rd(0x200 + (VEC_IPI / 32) * 0x10) & (1u << (VEC_IPI % 32)));	/* in IRR */
	__asm__ volatile("sti\n\t"
			 "nop\n\t"
			 "mov %2, %%cr8\n\t"
			 "movl %3, %0\n\t"
			 "cli\n\t"
			 "mov %%cr8, %1"
			 : "=&r"(after), "=r"(cr8) : "r"(0ul), "m"(ipis) : "memory");
	rt_printf("pc64: CR8 15: %u IPIs taken; after CR8 0: %u (CR8 reads %lu, TPR %x)\n", held,
		  after, cr8, apic_rd(0x80));
	EXPECT(held == 0);
	EXPECT(after == 1);
	EXPECT(cr8 == 0 && apic_rd(0x80) == 0);
}

static const struct rt_test tests[] = {
	{ "gs_base", gs_base },
	{ "apic_id_version", apic_id_version },
	{ "cpus_env", cpus_env },
	{ "syscall_sysret", syscall_sysret },
	{ "xsave_xrstor", xsave_xrstor },
	{ "rdtscp_tsc_aux", rdtscp_tsc_aux },
	{ "tsc_apic_freq", tsc_apic_freq },
	{ "self_ipi_xapic", self_ipi_xapic },
	{ "self_ipi_x2apic", self_ipi_x2apic },
	{ "cr8_tpr_threshold", cr8_tpr_threshold },
	{ NULL, NULL },
};

RT_GUEST("pc64", tests);
