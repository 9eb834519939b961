/* SPDX-License-Identifier: MIT */
/*
 * firmware.h - the tables a PC BIOS leaves for the OS, built for one VM:
 * ACPI (RSDP, RSDT, XSDT, FADT, FACS, DSDT, MADT) and an Intel MP table,
 * in the read-only BIOS area the guest maps at 0xe0000-0xfffff.
 *
 * Plain C over a byte buffer (also built on the host for
 * tests/unit/test_firmware.c). The tables describe the VM's platform as
 * struct fw_config says: its CPUs (local APIC ids 0..ncpus-1), the I/O
 * APIC, the ISA interrupt overrides of a PC (IRQ0 on pin 2, the SCI level
 * triggered), the ACPI PM block (PM1 event/control, the PM timer) and the
 * reset register. Sources: ACPI 6.4 sections 5.2.5-5.2.12, Intel
 * MultiProcessor Specification 1.4 chapter 4.
 */
#ifndef SV_KERNEL_FIRMWARE_H
#define SV_KERNEL_FIRMWARE_H

#include <stddef.h>
#include <stdint.h>

#define FW_AREA_GPA	0xe0000u	/* the BIOS area: [0xe0000, 0x100000) */
#define FW_AREA_SIZE	0x20000u

struct fw_config {
	unsigned int ncpus;		/* 1..FW_MAX_CPUS */
	uint32_t lapic_addr;		/* 0xfee00000 */
	uint32_t ioapic_addr;		/* 0xfec00000 */
	uint8_t ioapic_id;		/* not a local APIC id */
	uint8_t sci_irq;		/* ISA IRQ of the ACPI SCI (9) */
	uint16_t pm_base;		/* PM1a event (4 ports), control (+4, 2), timer (+8, 4) */
	uint16_t reset_port;		/* reset register (0xcf9), value FW_RESET_VALUE */
};

#define FW_MAX_CPUS	64
#define FW_PM_BASE	0x600		/* where a VM's ACPI PM block is (drivers/vacpi.c) */
#define FW_RESET_PORT	0xcf9
#define FW_RESET_VALUE	0x06		/* CF9: system reset, full (hard) reset */

/* Where the tables went (guest-physical addresses), for reports and tests. */
struct fw_layout {
	uint32_t rsdp, rsdt, xsdt, fadt, facs, dsdt, madt;
	uint32_t mp_floating, mp_config;
	uint32_t used;			/* bytes of the area in use from its start */
};

/*
 * fw_build - write the tables for @cfg into @area (@size bytes, which the
 * guest sees at @area_gpa; FW_AREA_GPA and FW_AREA_SIZE for a PC). The
 * rest of @area is zeroed. Returns 0 with @out filled, or -SV_EINVAL for
 * a bad configuration, -SV_ENOSPC if the area is too small.
 */
int fw_build(const struct fw_config *cfg, uint8_t *area, uint32_t area_gpa, size_t size,
	     struct fw_layout *out);

/* fw_checksum - the byte that makes @n bytes at @p sum to 0 (ACPI and MP tables). */
uint8_t fw_checksum(const uint8_t *p, size_t n);

#endif
