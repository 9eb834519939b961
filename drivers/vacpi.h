/* SPDX-License-Identifier: MIT */
/*
 * vacpi.h - the ACPI fixed hardware a VM's FADT describes (kernel/firmware.c):
 * the PM1a event block (PM1_STS, PM1_EN), the PM1a control block (PM1_CNT)
 * and the 32-bit ACPI PM timer at 3.579545 MHz (ACPI 6.4 4.8.3).
 *
 * The VM is always in ACPI mode (the FADT has no SMI command port): SCI_EN
 * reads 1. No SCI is ever raised (no fixed events are generated), so the
 * status bits stay 0. Writing SLP_EN asks for the sleep state SLP_TYP: the
 * DSDT names only S5 (soft off, SLP_TYP 5), which the core turns into a
 * power-off of the VM; other types are ignored. The timer is a function of
 * the host clock, like the PIT.
 */
#ifndef SV_DRIVERS_VACPI_H
#define SV_DRIVERS_VACPI_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/vio.h"

#define VACPI_PM_HZ	3579545u	/* the PM timer's input clock */
#define VACPI_NPORTS	12		/* PM1 event (4), control (2, +2 unused), timer (4) */
#define VACPI_SLP_S5	5		/* the SLP_TYP the DSDT's \_S5 names */

struct vacpi {
	uint16_t base;
	uint16_t pm1_en;
	uint16_t pm1_cnt;		/* BM_RLD and SLP_TYP as written (SCI_EN reads 1) */
	vclock_fn clock;
	void *ctx;
	uint64_t t0_ns;			/* the timer counts from here */
	void (*sleep)(void *ctx, unsigned slp_typ);	/* SLP_EN written */
};

/* vacpi_init - the block at @base, timer at 0 from @now_ns. */
void vacpi_init(struct vacpi *a, uint16_t base, vclock_fn clock, void *ctx, uint64_t now_ns,
		void (*sleep)(void *ctx, unsigned slp_typ));

/* vacpi_io - the vio_fn for [base, base + VACPI_NPORTS). */
int vacpi_io(void *dev, uint16_t port, unsigned size, bool in, uint32_t *val);

/* vacpi_timer - the PM timer's value at @now_ns (32 bits, wrapping). */
uint32_t vacpi_timer(const struct vacpi *a, uint64_t now_ns);

#endif
