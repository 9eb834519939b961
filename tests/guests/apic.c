// SPDX-License-Identifier: MIT
/*
 * apic - the local APIC and the I/O APIC a PC guest finds: IA32_APIC_BASE
 * (enabled, BSP, at 0xfee00000), the ID and version registers through
 * MMIO, a self-IPI by the ICR, TPR holding back a lower-priority vector,
 * self-NMIs (delivered with IF = 0, a second one held until the first
 * handler's IRET), one-shot timer deadlines of 100 us to 100 ms measured against the ACPI
 * PM timer (never early; the lateness is printed), x2APIC mode with its
 * MSRs and SELF_IPI, and the PIT's IRQ0 through I/O APIC pin 2 with the
 * 8259 masked. Needs sharevisor's platform (bare QEMU has another one).
 */
#include "rt.h"

#define APIC		0xfee00000u
#define IOAPIC		0xfec00000u
#define MSR_APIC_BASE	0x1b
#define VEC_IPI		0x2a
#define VEC_LOW		0x21	/* priority class 2: held back by TPR 0x20 */
#define VEC_TIMER	0x2b
#define VEC_PIT		0x2c
#define PM_TMR		0x608	/* the FADT's PM timer */
#define PM_HZ		3579545u

static volatile uint32_t hits[48];
static bool x2mode;	/* EOI by MSR: the xAPIC page is not decoded in x2APIC mode */

static uint32_t rd(uint32_t off)
{
	return *(volatile uint32_t *)(APIC + off);
}

static void wr(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(APIC + off) = v;
}

static uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void count(struct rt_frame *f)
{
	hits[f->vector]++;
	if (x2mode)
		__asm__ volatile("wrmsr" : : "c"(0x80b), "a"(0), "d"(0));	/* EOI (x2APIC) */
	else
		wr(0xb0, 0);	/* EOI (xAPIC) */
}

static void skip_bare(void)
{
	if (!rt_hv_present())
		rt_skip("bare: another platform");
}

/* base_and_id - APIC_BASE says enabled BSP at 0xfee00000; ID 0, version 0x14 with 6 LVTs. */
static void base_and_id(void)
{
	uint64_t base = 0;

	skip_bare();
	if (!rt_hv_present())
		return;
	/* The 8259 as the BIOS left it would deliver the PIT at vector 8: masked here. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	EXPECT(cpuid(1, 0).edx & (1u << 9));
	EXPECT(rt_rdmsr_probe(MSR_APIC_BASE, &base) == -1);
	rt_printf("apic: base %llx id %x version %x\n", base, rd(0x20), rd(0x30));
	EXPECT((base & ~0xfffull) == APIC);
	EXPECT(base & (1u << 8));	/* BSP */
	EXPECT(base & (1u << 11));	/* enabled */
	EXPECT(rd(0x20) >> 24 == 0);
	EXPECT((rd(0x30) & 0xff) == 0x14);
	EXPECT(((rd(0x30) >> 16) & 0xff) == 5);
	wr(0xf0, 0x1ff);		/* SVR: software enable, spurious 0xff */
	EXPECT((rd(0xf0) & 0x1ff) == 0x1ff);
}

/* self_ipi - ICR fixed self-IPI arrives; with TPR above its class it waits until TPR drops. */
static void self_ipi(void)
{
	if (!rt_hv_present())
		return;
	rt_set_handler(VEC_IPI, count);
	rt_set_handler(VEC_LOW, count);
	wr(0x300, (1u << 18) | VEC_IPI);	/* shorthand self, fixed */
	sti();
	for (volatile int i = 0; i < 1000 && !hits[VEC_IPI]; i++)
		;
	cli();
	EXPECT(hits[VEC_IPI] == 1);
	wr(0x80, 0x20);				/* TPR class 2 */
	wr(0x300, (1u << 18) | VEC_LOW);
	sti();
	for (volatile int i = 0; i < 100000; i++)
		;
	cli();
	EXPECT(hits[VEC_LOW] == 0);		/* held back */
	wr(0x80, 0);
	sti();
	for (volatile int i = 0; i < 1000 && !hits[VEC_LOW]; i++)
		;
	cli();
	EXPECT(hits[VEC_LOW] == 1);
}

static volatile uint32_t nmi_depth, nmi_max_depth, progress, progress_at_iret, progress_at_second;

/*
 * nmi_handler - counts NMIs and their nesting; the first one sends another,
 * which must wait for the IRET and then come at once, before the
 * interrupted loop (which counts progress) goes on.
 */
static void nmi_handler(struct rt_frame *f)
{
	(void)f;
	if (++nmi_depth > nmi_max_depth)
		nmi_max_depth = nmi_depth;
	if (++hits[2] == 1) {
		wr(0x300, (1u << 18) | (4u << 8));	/* self, NMI */
		for (volatile int i = 0; i < 100000; i++)
			;
		progress_at_iret = progress;
	} else {
		progress_at_second = progress;
	}
	nmi_depth--;
}

/*
 * nmi - an ICR self-NMI arrives with interrupts disabled; one sent from the
 * NMI handler is held until that handler's IRET and then delivered (NMI
 * blocking, SDM vol. 3A 6.7.1), so both arrive and they never nest.
 */
static void nmi(void)
{
	rt_set_handler(2, nmi_handler);
	cli();
	wr(0x300, (1u << 18) | (4u << 8));	/* self, NMI: IF = 0 does not hold it */
	/* No exits in this loop: only a precise NMI window ends it early. */
	for (uint32_t i = 0; i < 20000000 && hits[2] < 2; i++)
		progress++;
	rt_printf("apic: %u NMIs, nested at most %u deep, the second %u loop rounds after the IRET\n",
		  hits[2], nmi_max_depth, progress_at_second - progress_at_iret);
	EXPECT(hits[2] == 2);
	EXPECT(nmi_max_depth == 1);
	EXPECT(progress_at_second == progress_at_iret);
}

/* one_shot - deadlines from 100 us to 100 ms: none early; how late each was, in microseconds. */
static void one_shot(void)
{
	static const uint32_t us[] = { 100, 1000, 10000, 100000 };

	if (!rt_hv_present())
		return;
	rt_set_handler(VEC_TIMER, count);
	wr(0x3e0, 0xb);				/* divide by 1: 25 MHz ticks */
	for (unsigned i = 0; i < sizeof(us) / sizeof(us[0]); i++) {
		uint32_t before = hits[VEC_TIMER], t0, t1, want = us[i];
		uint64_t el;

		wr(0x320, VEC_TIMER);		/* one-shot, unmasked */
		t0 = inl(PM_TMR);
		wr(0x380, want * 25u);		/* initial count: 25 ticks a microsecond */
		while (hits[VEC_TIMER] == before) {	/* checked with IF = 0: no lost wake-up */
			sti_hlt();
			cli();
		}
		t1 = inl(PM_TMR);
		el = (uint64_t)(t1 - t0) * 1000000u;
		u64_divmod(&el, PM_HZ);
		rt_printf("apic: one-shot %u us fired after %u us (late %d us)\n", want,
			  (uint32_t)el, (int)((int64_t)el - want));
		EXPECT(el + 5 >= want);		/* never early (5 us of PM timer reading) */
		EXPECT(hits[VEC_TIMER] == before + 1);
		EXPECT(rd(0x390) == 0);		/* current count at 0 */
	}
}

/* ioapic_pit - the 8259 masked, PIT IRQ0 through I/O APIC pin 2 as vector VEC_PIT. */
static void ioapic_pit(void)
{
	uint32_t ver;

	if (!rt_hv_present())
		return;
	*(volatile uint32_t *)IOAPIC = 1;
	ver = *(volatile uint32_t *)(IOAPIC + 0x10);
	rt_printf("apic: ioapic version %x\n", ver);
	EXPECT(ver == 0x00170011);
	outb(0x21, 0xff);			/* 8259 masked */
	outb(0xa1, 0xff);
	*(volatile uint32_t *)IOAPIC = 0x10 + 2 * 2;	/* pin 2 low: fixed, edge, physical */
	*(volatile uint32_t *)(IOAPIC + 0x10) = VEC_PIT;
	*(volatile uint32_t *)IOAPIC = 0x11 + 2 * 2;
	*(volatile uint32_t *)(IOAPIC + 0x10) = 0;	/* to APIC 0 */
	rt_set_handler(VEC_PIT, count);
	outb(0x43, 0x34);			/* PIT channel 0, mode 2, 1000 Hz */
	outb(0x40, (uint8_t)1193);
	outb(0x40, (uint8_t)(1193 >> 8));
	while (hits[VEC_PIT] < 10) {
		sti_hlt();
		cli();
	}
	*(volatile uint32_t *)IOAPIC = 0x10 + 2 * 2;
	*(volatile uint32_t *)(IOAPIC + 0x10) = 1u << 16;	/* masked again */
	EXPECT(hits[VEC_PIT] >= 10);
}

/* x2apic - EXTD on: ID and version as MSRs, SELF_IPI, the xAPIC page no longer decoded. */
static void x2apic(void)
{
	uint64_t base = 0, id = 0, ver = 0;

	if (!rt_hv_present())
		return;
	EXPECT(cpuid(1, 0).ecx & (1u << 21));
	EXPECT(rt_rdmsr_probe(MSR_APIC_BASE, &base) == -1);
	EXPECT(rt_wrmsr_probe(MSR_APIC_BASE, base | (1u << 10)) == -1);
	x2mode = true;
	EXPECT(rt_rdmsr_probe(0x802, &id) == -1 && id == 0);
	EXPECT(rt_rdmsr_probe(0x803, &ver) == -1 && (ver & 0xff) == 0x14);
	EXPECT(rd(0x30) == 0xffffffffu);	/* the page floats in x2APIC mode */
	hits[VEC_IPI] = 0;
	EXPECT(rt_wrmsr_probe(0x83f, VEC_IPI) == -1);
	sti();
	for (volatile int i = 0; i < 1000 && !hits[VEC_IPI]; i++)
		;
	cli();
	EXPECT(hits[VEC_IPI] == 1);
	EXPECT(rt_wrmsr_probe(MSR_APIC_BASE, base) == VEC_GP);	/* x2APIC -> xAPIC: #GP */
	EXPECT(rt_rdmsr_probe(0x808, &ver) == -1);		/* TPR */
}

static uint8_t sum8(const uint8_t *p, uint32_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* find - a signature on a 16-byte boundary of the BIOS area, as OSes scan it. */
static const uint8_t *find(const char *sig, unsigned n)
{
	for (uint32_t a = 0xe0000; a < 0x100000; a += 16)
		if (!rt_strncmp((const char *)a, sig, n))
			return (const uint8_t *)a;
	return NULL;
}

/* acpi_tables - the firmware tables as an OS reads them: RSDP, checksums, MADT CPUs and I/O APIC, FADT, MP. */
static void acpi_tables(void)
{
	const uint8_t *rsdp, *xsdt, *t, *e, *mp;
	unsigned cpus = 0, ioapics = 0;
	uint32_t pmtmr = 0;

	if (!rt_hv_present())
		return;
	rsdp = find("RSD PTR ", 8);
	if (!EXPECT(rsdp))
		return;
	EXPECT(sum8(rsdp, 20) == 0 && rsdp[15] == 2 && sum8(rsdp, 36) == 0);
	xsdt = (const uint8_t *)le32(rsdp + 24);	/* below 4 GiB: the high half is 0 */
	EXPECT(!rt_strncmp((const char *)xsdt, "XSDT", 4) && sum8(xsdt, le32(xsdt + 4)) == 0);
	for (uint32_t off = 36; off + 8 <= le32(xsdt + 4); off += 8) {
		t = (const uint8_t *)le32(xsdt + off);
		EXPECT(sum8(t, le32(t + 4)) == 0);
		if (!rt_strncmp((const char *)t, "FACP", 4))
			pmtmr = le32(t + 76);
		if (rt_strncmp((const char *)t, "APIC", 4))
			continue;
		EXPECT(le32(t + 36) == APIC);
		for (e = t + 44; e < t + le32(t + 4); e += e[1]) {
			cpus += e[0] == 0 && (le32(e + 4) & 1);
			if (e[0] == 1) {
				ioapics++;
				EXPECT(le32(e + 4) == IOAPIC);
			}
		}
	}
	mp = find("_MP_", 4);
	rt_printf("apic: ACPI: %u CPUs, %u I/O APIC, PM timer at %x; MP table %s\n", cpus, ioapics,
		  pmtmr, mp ? "found" : "missing");
	EXPECT(cpus == 1 && ioapics == 1 && pmtmr == PM_TMR);
	EXPECT(mp && sum8(mp, 16) == 0);
}

static const struct rt_test tests[] = {
	{ "acpi_tables", acpi_tables },
	{ "base_and_id", base_and_id },
	{ "self_ipi", self_ipi },
	{ "nmi", nmi },
	{ "one_shot", one_shot },
	{ "ioapic_pit", ioapic_pit },
	{ "x2apic", x2apic },
	{ NULL, NULL },
};

RT_GUEST("apic", tests);
