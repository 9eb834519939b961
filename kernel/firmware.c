// SPDX-License-Identifier: MIT
/*
 * firmware.c - ACPI and MP tables for a VM (kernel/firmware.h).
 *
 * Layout of the area (offsets from its start, all tables little-endian):
 *   0x000  RSDP (36 bytes, 16-byte aligned: found by the scan of 0xe0000-0xfffff)
 *   0x030  MP floating pointer (16 bytes, same scan)
 *   0x040  FACS (64 bytes, 64-byte aligned)
 *   then   RSDT, XSDT, FADT, DSDT, MADT, MP configuration table, each 16-byte aligned
 */
#include <string.h>

#include "kernel/firmware.h"
#include "mm/errno.h"

#define OEM_ID		"SHRVSR"	/* 6 bytes */
#define OEM_TABLE_ID	"SHRVSRVM"	/* 8 bytes */
#define CREATOR_ID	"SHVR"
#define ACPI_HDR	36

struct out {
	uint8_t *base;
	uint32_t gpa;
	size_t size, at;
	int err;
};

static void p8(uint8_t *p, uint8_t v) { p[0] = v; }
static void p16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void p32(uint8_t *p, uint32_t v) { p16(p, (uint16_t)v); p16(p + 2, (uint16_t)(v >> 16)); }
static void p64(uint8_t *p, uint64_t v) { p32(p, (uint32_t)v); p32(p + 4, (uint32_t)(v >> 32)); }

uint8_t fw_checksum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + p[i]);
	return (uint8_t)-sum;
}

/* take - @n bytes at the next @align-aligned offset; NULL (and o->err) when the area is full. */
static uint8_t *take(struct out *o, size_t n, size_t align, uint32_t *gpa)
{
	size_t at = (o->at + align - 1) & ~(align - 1);

	if (o->err || at > o->size || n > o->size - at) {
		o->err = -SV_ENOSPC;
		return NULL;
	}
	o->at = at + n;
	*gpa = o->gpa + (uint32_t)at;
	return o->base + at;
}

/* acpi_header - the common 36-byte header (ACPI 6.4 5.2.6); the checksum is set by acpi_seal. */
static void acpi_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	p32(t + 4, len);
	p8(t + 8, rev);
	memcpy(t + 10, OEM_ID, 6);
	memcpy(t + 16, OEM_TABLE_ID, 8);
	p32(t + 24, 1);			/* OEM revision */
	memcpy(t + 28, CREATOR_ID, 4);
	p32(t + 32, 1);			/* creator revision */
}

static void acpi_seal(uint8_t *t, uint32_t len)
{
	t[9] = 0;
	t[9] = fw_checksum(t, len);
}

/* gas - a Generic Address Structure for @width bits of system I/O at @port (ACPI 5.2.3.2). */
static void gas(uint8_t *p, uint16_t port, uint8_t width)
{
	p8(p, port ? 1 : 0);		/* address space: system I/O */
	p8(p + 1, port ? width : 0);
	p8(p + 2, 0);
	p8(p + 3, !port ? 0 : width == 8 ? 1 : width == 16 ? 2 : 3);	/* access size */
	p64(p + 4, port);
}

#define FADT_LEN	244	/* revision 4 (ACPI 3.0 layout, still accepted by ACPI 6) */

/* fadt - the fixed description: PM block, SCI, reset register, no SMI command (always in ACPI mode). */
static void fadt(uint8_t *t, const struct fw_config *c, uint32_t facs, uint32_t dsdt)
{
	uint16_t evt = c->pm_base, cnt = (uint16_t)(c->pm_base + 4), tmr = (uint16_t)(c->pm_base + 8);

	acpi_header(t, "FACP", FADT_LEN, 4);
	p32(t + 36, facs);
	p32(t + 40, dsdt);
	p16(t + 46, c->sci_irq);
	p32(t + 48, 0);			/* SMI_CMD 0: ACPI mode is always on */
	p32(t + 56, evt);		/* PM1a_EVT_BLK */
	p32(t + 64, cnt);		/* PM1a_CNT_BLK */
	p32(t + 76, tmr);		/* PM_TMR_BLK */
	p8(t + 88, 4);			/* PM1_EVT_LEN */
	p8(t + 89, 2);			/* PM1_CNT_LEN */
	p8(t + 91, 4);			/* PM_TMR_LEN */
	p16(t + 96, 101);		/* P_LVL2_LAT > 100: no C2 */
	p16(t + 98, 1001);		/* P_LVL3_LAT > 1000: no C3 */
	/* IAPC_BOOT_ARCH: legacy devices (PIT, RTC, PIC) present; no 8042; VGA not present. */
	p16(t + 109, (1u << 0) | (1u << 2));
	/* Flags: WBINVD works, C1 supported, no fixed power/sleep buttons, 32-bit PM timer, reset register. */
	p32(t + 112, (1u << 0) | (1u << 2) | (1u << 4) | (1u << 5) | (1u << 8) | (1u << 10));
	gas(t + 116, c->reset_port, 8);
	p8(t + 128, FW_RESET_VALUE);
	p64(t + 132, 0);		/* X_FIRMWARE_CTRL: FIRMWARE_CTRL is used */
	p64(t + 140, dsdt);		/* X_DSDT */
	gas(t + 148, evt, 32);
	gas(t + 172, cnt, 16);
	gas(t + 208, tmr, 32);
	acpi_seal(t, FADT_LEN);
}

/* madt_len - MADT bytes: header, LAPIC address and flags, the entries madt() writes. */
static uint32_t madt_len(const struct fw_config *c)
{
	return ACPI_HDR + 8 + 8 * c->ncpus + 12 + 2 * 10 + 6;
}

/* madt - the interrupt model (ACPI 5.2.12): CPUs, the I/O APIC, PC overrides, LINT1 NMI. */
static void madt(uint8_t *t, const struct fw_config *c)
{
	uint32_t len = madt_len(c);
	uint8_t *e = t + ACPI_HDR + 8;

	acpi_header(t, "APIC", len, 4);
	p32(t + 36, c->lapic_addr);
	p32(t + 40, 1);			/* PCAT_COMPAT: an 8259 pair is there too */
	for (unsigned int i = 0; i < c->ncpus; i++, e += 8) {
		p8(e, 0);		/* processor local APIC */
		p8(e + 1, 8);
		p8(e + 2, (uint8_t)i);	/* ACPI processor UID */
		p8(e + 3, (uint8_t)i);	/* APIC id */
		p32(e + 4, 1);		/* enabled */
	}
	p8(e, 1);			/* I/O APIC */
	p8(e + 1, 12);
	p8(e + 2, c->ioapic_id);
	p8(e + 3, 0);
	p32(e + 4, c->ioapic_addr);
	p32(e + 8, 0);			/* GSI base */
	e += 12;
	/* ISA IRQ0 (the PIT) arrives on pin 2; polarity and trigger as the bus says. */
	p8(e, 2), p8(e + 1, 10), p8(e + 2, 0), p8(e + 3, 0), p32(e + 4, 2), p16(e + 8, 0);
	e += 10;
	/* The SCI: level-triggered, active high (flags 0b1101). */
	p8(e, 2), p8(e + 1, 10), p8(e + 2, 0), p8(e + 3, c->sci_irq), p32(e + 4, c->sci_irq);
	p16(e + 8, 0xd);
	e += 10;
	/* NMI on LINT1 of every processor (UID 0xff). */
	p8(e, 4), p8(e + 1, 6), p8(e + 2, 0xff), p16(e + 3, 0), p8(e + 5, 1);
	acpi_seal(t, len);
}

/* Intel MP specification 1.4, chapter 4: entry types. */
#define MP_PROC		0
#define MP_BUS		1
#define MP_IOAPIC	2
#define MP_IOINT	3
#define MP_LINT		4
#define MP_INT		0	/* vectored interrupt */
#define MP_NMI		1
#define MP_EXTINT	3
#define MP_HDR		44

/* mp_len - the configuration table: header, CPUs, one bus, the I/O APIC, 16 I/O and 2 local interrupts. */
static uint32_t mp_len(const struct fw_config *c)
{
	return MP_HDR + 20 * c->ncpus + 8 + 8 + 16 * 8 + 2 * 8;
}

static uint8_t *mp_int(uint8_t *e, uint8_t type, uint8_t itype, uint16_t flags, uint8_t irq,
		       uint8_t dst, uint8_t pin)
{
	p8(e, type), p8(e + 1, itype), p16(e + 2, flags), p8(e + 4, 0), p8(e + 5, irq);
	p8(e + 6, dst), p8(e + 7, pin);
	return e + 8;
}

/* mp_config - the MP configuration table, the same platform as the MADT. */
static void mp_config(uint8_t *t, const struct fw_config *c)
{
	uint32_t len = mp_len(c);
	uint8_t *e = t + MP_HDR;
	uint16_t entries = 0;

	memcpy(t, "PCMP", 4);
	p16(t + 4, (uint16_t)len);
	p8(t + 6, 4);			/* spec revision 1.4 */
	memcpy(t + 8, "SHRVSR  ", 8);
	memcpy(t + 16, "SHAREVISOR  ", 12);
	p32(t + 36, c->lapic_addr);
	for (unsigned int i = 0; i < c->ncpus; i++, e += 20, entries++) {
		p8(e, MP_PROC);
		p8(e + 1, (uint8_t)i);		/* local APIC id */
		p8(e + 2, 0x14);		/* local APIC version */
		p8(e + 3, i ? 1 : 3);		/* enabled; the first is the bootstrap CPU */
		p32(e + 4, 0x600);		/* family 6 */
		p32(e + 8, (1u << 0) | (1u << 9));	/* FPU, APIC */
	}
	p8(e, MP_BUS), p8(e + 1, 0), memcpy(e + 2, "ISA   ", 6);
	e += 8, entries++;
	p8(e, MP_IOAPIC), p8(e + 1, c->ioapic_id), p8(e + 2, 0x11), p8(e + 3, 1);
	p32(e + 4, c->ioapic_addr);
	e += 8, entries++;
	/* Pin 0: the 8259's INTR (ExtINT); ISA IRQ n on pin n, but IRQ0 on pin 2 (IRQ2 is the cascade). */
	e = mp_int(e, MP_IOINT, MP_EXTINT, 0, 0, c->ioapic_id, 0);
	entries++;
	for (uint8_t irq = 0; irq < 16; irq++) {
		if (irq == 2)
			continue;
		e = mp_int(e, MP_IOINT, MP_INT, irq == c->sci_irq ? 0xd : 0, irq, c->ioapic_id,
			   irq ? irq : 2);
		entries++;
	}
	e = mp_int(e, MP_LINT, MP_EXTINT, 0, 0, 0xff, 0);	/* LINT0 of every CPU */
	e = mp_int(e, MP_LINT, MP_NMI, 0, 0, 0xff, 1);		/* LINT1 */
	entries += 2;
	p16(t + 34, entries);
	t[7] = fw_checksum(t, len);
}

/*
 * The DSDT's AML (ACPI 6.4 ch. 20): only Name (\_S5, Package () { 5, 5, 0, 0 }),
 * the SLP_TYP values of soft-off, so that an OS can power the VM off
 * (drivers/vacpi.c). The platform needs no methods.
 */
static const uint8_t dsdt_aml[] = {
	0x08, '_', 'S', '5', '_',	/* NameOp "_S5_" */
	0x12, 0x08, 0x04,		/* PackageOp, PkgLength 8, 4 elements */
	0x0a, 0x05, 0x0a, 0x05,		/* BytePrefix 5, BytePrefix 5 */
	0x00, 0x00,			/* ZeroOp, ZeroOp */
};

int fw_build(const struct fw_config *c, uint8_t *area, uint32_t area_gpa, size_t size,
	     struct fw_layout *l)
{
	struct out o = { area, area_gpa, size, 0, 0 };
	uint8_t *rsdp, *mpf, *facs, *rsdt, *xsdt, *fa, *dsdt, *ma, *mp;

	if (!c || !c->ncpus || c->ncpus > FW_MAX_CPUS || c->ioapic_id < c->ncpus || c->sci_irq > 15 ||
	    c->sci_irq == 0 || c->sci_irq == 2)
		return -SV_EINVAL;
	memset(area, 0, size);
	memset(l, 0, sizeof(*l));
	rsdp = take(&o, 36, 16, &l->rsdp);
	mpf = take(&o, 16, 16, &l->mp_floating);
	facs = take(&o, 64, 64, &l->facs);
	rsdt = take(&o, ACPI_HDR + 2 * 4, 16, &l->rsdt);
	xsdt = take(&o, ACPI_HDR + 2 * 8, 16, &l->xsdt);
	fa = take(&o, FADT_LEN, 16, &l->fadt);
	dsdt = take(&o, ACPI_HDR + sizeof(dsdt_aml), 16, &l->dsdt);
	ma = take(&o, madt_len(c), 16, &l->madt);
	mp = take(&o, mp_len(c), 16, &l->mp_config);
	if (o.err)
		return o.err;
	l->used = (uint32_t)o.at;

	/* FACS (ACPI 5.2.10): no checksum, no waking vector (no sleep states). */
	memcpy(facs, "FACS", 4);
	p32(facs + 4, 64);
	p8(facs + 32, 2);		/* version */
	acpi_header(dsdt, "DSDT", ACPI_HDR + sizeof(dsdt_aml), 2);
	memcpy(dsdt + ACPI_HDR, dsdt_aml, sizeof(dsdt_aml));
	acpi_seal(dsdt, ACPI_HDR + sizeof(dsdt_aml));
	fadt(fa, c, l->facs, l->dsdt);
	madt(ma, c);
	acpi_header(rsdt, "RSDT", ACPI_HDR + 8, 1);
	p32(rsdt + 36, l->fadt);
	p32(rsdt + 40, l->madt);
	acpi_seal(rsdt, ACPI_HDR + 8);
	acpi_header(xsdt, "XSDT", ACPI_HDR + 16, 1);
	p64(xsdt + 36, l->fadt);
	p64(xsdt + 44, l->madt);
	acpi_seal(xsdt, ACPI_HDR + 16);
	/* RSDP revision 2 (ACPI 5.2.5.3): checksum over 20 bytes, extended over 36. */
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, OEM_ID, 6);
	p8(rsdp + 15, 2);
	p32(rsdp + 16, l->rsdt);
	p32(rsdp + 20, 36);
	p64(rsdp + 24, l->xsdt);
	rsdp[8] = fw_checksum(rsdp, 20);
	rsdp[32] = fw_checksum(rsdp, 36);
	/* MP floating pointer (MP spec 4.1): 16 bytes, a configuration table follows. */
	mp_config(mp, c);
	memcpy(mpf, "_MP_", 4);
	p32(mpf + 4, l->mp_config);
	p8(mpf + 8, 1);			/* length in 16-byte units */
	p8(mpf + 9, 4);			/* spec revision 1.4 */
	mpf[10] = fw_checksum(mpf, 16);
	return 0;
}
