// SPDX-License-Identifier: MIT
/* vacpi.c - PM1 event and control registers and the ACPI PM timer (drivers/vacpi.h). */
#include "drivers/vacpi.h"
#include "mm/errno.h"

#define PM1_STS		0	/* 16 bits: write 1 to clear */
#define PM1_EN		2	/* 16 bits */
#define PM1_CNT		4	/* 16 bits */
#define PM_TMR		8	/* 32 bits, read-only */

#define CNT_SCI_EN	(1u << 0)
#define CNT_BM_RLD	(1u << 1)
#define CNT_GBL_RLS	(1u << 2)	/* write-only */
#define CNT_SLP_TYP	(7u << 10)
#define CNT_SLP_EN	(1u << 13)	/* write-only */
/* PM1_EN bits that exist: TMR_EN, GBL_EN, PWRBTN_EN, SLPBTN_EN, RTC_EN (ACPI 4.8.3.1.2). */
#define EN_BITS		((1u << 0) | (1u << 5) | (1u << 8) | (1u << 9) | (1u << 10))

void vacpi_init(struct vacpi *a, uint16_t base, vclock_fn clock, void *ctx, uint64_t now_ns,
		void (*sleep)(void *ctx, unsigned slp_typ))
{
	*a = (struct vacpi){ .base = base, .clock = clock, .ctx = ctx, .t0_ns = now_ns, .sleep = sleep };
}

uint32_t vacpi_timer(const struct vacpi *a, uint64_t now_ns)
{
	uint64_t ns = now_ns - a->t0_ns;

	/* Split so that nothing overflows 64 bits: ns % 1e9 * 3579545 < 2^52. */
	return (uint32_t)((ns / 1000000000u) * VACPI_PM_HZ +
			  (ns % 1000000000u) * VACPI_PM_HZ / 1000000000u);
}

/* A register read or written in pieces: bytes @off .. @off + @size of the 12-byte block. */
static uint32_t read_block(struct vacpi *a, unsigned off, unsigned size)
{
	uint8_t b[VACPI_NPORTS] = { 0 };
	uint32_t t = vacpi_timer(a, a->clock(a->ctx)), v = 0;
	uint16_t cnt = (uint16_t)(a->pm1_cnt | CNT_SCI_EN);

	b[PM1_EN] = (uint8_t)a->pm1_en;
	b[PM1_EN + 1] = (uint8_t)(a->pm1_en >> 8);
	b[PM1_CNT] = (uint8_t)cnt;
	b[PM1_CNT + 1] = (uint8_t)(cnt >> 8);
	for (int i = 0; i < 4; i++)
		b[PM_TMR + i] = (uint8_t)(t >> (8 * i));
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)b[off + i] << (8 * i);
	return v;
}

static void write_byte(struct vacpi *a, unsigned off, uint8_t v)
{
	unsigned shift = 8 * (off & 1);
	uint16_t mask = (uint16_t)(0xff << shift), w = (uint16_t)(v << shift);

	switch (off & ~1u) {
	case PM1_EN:
		a->pm1_en = (uint16_t)((a->pm1_en & ~mask) | (w & EN_BITS));
		break;
	case PM1_CNT:
		a->pm1_cnt = (uint16_t)((a->pm1_cnt & ~mask) | (w & (CNT_BM_RLD | CNT_SLP_TYP)));
		if ((w & CNT_SLP_EN) && a->sleep)
			a->sleep(a->ctx, (a->pm1_cnt & CNT_SLP_TYP) >> 10);
		break;
	default:
		break;		/* PM1_STS: nothing is ever set; the timer is read-only */
	}
}

int vacpi_io(void *dev, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	struct vacpi *a = dev;
	unsigned off = (unsigned)(port - a->base);

	if ((size != 1 && size != 2 && size != 4) || port < a->base || off + size > VACPI_NPORTS)
		return -SV_EINVAL;
	if (in) {
		*val = read_block(a, off, size);
		return 0;
	}
	/* PM1_CNT's SLP_EN must see SLP_TYP of the same write: high byte last. */
	for (unsigned i = 0; i < size; i++)
		write_byte(a, off + i, (uint8_t)(*val >> (8 * i)));
	return 0;
}
