// SPDX-License-Identifier: MIT
/*
 * vrtc.c - a virtual CMOS/RTC (MC146818 register model, IBM PC/AT layout).
 *
 * Facts from the Motorola MC146818A datasheet: time registers 0-9 (seconds,
 * alarm seconds, minutes, alarm minutes, hours with bit 7 = PM in 12-hour
 * mode, alarm hours, day of week 1-7, date, month, year 0-99), status A
 * (bit 7 UIP read-only, divider and rate bits), status B (bit 7 SET stops
 * updates so the time can be written, bit 2 DM binary/BCD, bit 1 24/12),
 * status C (interrupt flags, read-only, cleared by reading), status D (bit
 * 7 VRT). IBM PC/AT CMOS layout: 0x10-0x2d covered by the checksum at
 * 0x2e/0x2f, 0x15/0x16 base memory KiB, 0x17/0x18 extended memory KiB (also
 * 0x30/0x31), 0x32 century; 0x34/0x35 memory above 16 MiB in 64 KiB units
 * as later BIOSes (and SeaBIOS) keep it. Port 0x70 bit 7 masks NMI.
 */
#include <stddef.h>
#include <string.h>

#include "drivers/vrtc.h"
#include "mm/errno.h"

#define NS_PER_S	1000000000ull
#define UIP_NS		244000ull	/* UIP is high this long before each second */
#define KIB		1024ull
#define MIB		(1024ull * 1024)

/* days_from_civil - days since 1970-01-01 of year @y, month @m (1-12), day @d. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void vrtc_to_tm(int64_t t, struct vrtc_tm *tm)
{
	int64_t days = t / 86400, secs = t % 86400, era, doe, yoe, doy, mp;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	tm->hour = (int)(secs / 3600);
	tm->min = (int)(secs / 60 % 60);
	tm->sec = (int)(secs % 60);
	tm->wday = (int)(((days % 7) + 11) % 7);	/* 1970-01-01 was a Thursday */
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	tm->mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	tm->mon = (int)(mp < 10 ? mp + 3 : mp - 9);
	tm->year = yoe + era * 400 + (tm->mon <= 2);
}

int64_t vrtc_from_tm(const struct vrtc_tm *tm)
{
	int mon = tm->mon < 1 ? 1 : tm->mon > 12 ? 12 : tm->mon;

	return days_from_civil(tm->year, mon, tm->mday) * 86400 +
	       tm->hour * 3600 + tm->min * 60 + tm->sec;
}

/* since_epoch_ns - host nanoseconds since the epoch point (0 if before). */
static uint64_t since_epoch_ns(const struct vrtc *rtc, uint64_t now_ns)
{
	return now_ns > rtc->epoch_ns ? now_ns - rtc->epoch_ns : 0;
}

/* base_now - the guest clock at @now_ns without the guest's offset. */
static int64_t base_now(const struct vrtc *rtc, uint64_t now_ns)
{
	return rtc->epoch_s + (int64_t)(since_epoch_ns(rtc, now_ns) / NS_PER_S);
}

int64_t vrtc_now(const struct vrtc *rtc, uint64_t now_ns)
{
	return base_now(rtc, now_ns) + rtc->offset_s;
}

int64_t vrtc_now_ns(const struct vrtc *rtc, uint64_t now_ns)
{
	return vrtc_now(rtc, now_ns) * (int64_t)NS_PER_S +
	       (int64_t)(since_epoch_ns(rtc, now_ns) % NS_PER_S);
}

/* cur_tm - the time the registers show at @now_ns. */
static void cur_tm(const struct vrtc *rtc, uint64_t now_ns, struct vrtc_tm *tm)
{
	if (rtc->cmos[VRTC_B] & VRTC_B_SET)
		*tm = rtc->frozen;
	else
		vrtc_to_tm(vrtc_now(rtc, now_ns), tm);
}

/* enc - @v (0..99) in the guest's format (BCD unless status B.DM). */
static uint8_t enc(const struct vrtc *rtc, int v)
{
	v = (v % 100 + 100) % 100;
	if (rtc->cmos[VRTC_B] & VRTC_B_DM)
		return (uint8_t)v;
	return (uint8_t)((v / 10) << 4 | v % 10);
}

/* dec - a guest-format byte to binary, clamped to @lo..@hi. */
static int dec(const struct vrtc *rtc, uint8_t b, int lo, int hi)
{
	int v = (rtc->cmos[VRTC_B] & VRTC_B_DM) ? b : (b >> 4) * 10 + (b & 15);

	return v < lo ? lo : v > hi ? hi : v;
}

/* time_read - time register @r at @now_ns in the guest's format. */
static uint8_t time_read(const struct vrtc *rtc, unsigned r, uint64_t now_ns)
{
	struct vrtc_tm tm;
	int h;

	cur_tm(rtc, now_ns, &tm);
	switch (r) {
	case VRTC_SEC:
		return enc(rtc, tm.sec);
	case VRTC_MIN:
		return enc(rtc, tm.min);
	case VRTC_HOUR:
		if (rtc->cmos[VRTC_B] & VRTC_B_24H)
			return enc(rtc, tm.hour);
		h = tm.hour % 12;
		return (uint8_t)(enc(rtc, h ? h : 12) | (tm.hour >= 12 ? 0x80 : 0));
	case VRTC_WDAY: {
		struct vrtc_tm w;

		vrtc_to_tm(vrtc_from_tm(&tm), &w);	/* weekday of the shown date */
		return enc(rtc, w.wday + 1);
	}
	case VRTC_MDAY:
		return enc(rtc, tm.mday);
	case VRTC_MON:
		return enc(rtc, tm.mon);
	case VRTC_YEAR:
		return enc(rtc, (int)(tm.year % 100));
	default:	/* VRTC_CENTURY */
		return enc(rtc, (int)(tm.year / 100));
	}
}

/* time_write - the guest writes time register @r. */
static void time_write(struct vrtc *rtc, unsigned r, uint8_t v, uint64_t now_ns)
{
	struct vrtc_tm tm;
	int h;

	cur_tm(rtc, now_ns, &tm);
	switch (r) {
	case VRTC_SEC:
		tm.sec = dec(rtc, v, 0, 59);
		break;
	case VRTC_MIN:
		tm.min = dec(rtc, v, 0, 59);
		break;
	case VRTC_HOUR:
		if (rtc->cmos[VRTC_B] & VRTC_B_24H) {
			tm.hour = dec(rtc, v, 0, 23);
		} else {
			h = dec(rtc, v & 0x7f, 1, 12);
			tm.hour = h % 12 + ((v & 0x80) ? 12 : 0);
		}
		break;
	case VRTC_MDAY:
		tm.mday = dec(rtc, v, 1, 31);
		break;
	case VRTC_MON:
		tm.mon = dec(rtc, v, 1, 12);
		break;
	case VRTC_YEAR:
		tm.year = tm.year / 100 * 100 + dec(rtc, v, 0, 99);
		break;
	case VRTC_CENTURY:
		tm.year = dec(rtc, v, 0, 99) * 100 + tm.year % 100;
		break;
	default:	/* the weekday is derived from the date */
		return;
	}
	if (rtc->cmos[VRTC_B] & VRTC_B_SET)
		rtc->frozen = tm;
	else
		rtc->offset_s = vrtc_from_tm(&tm) - base_now(rtc, now_ns);
}

/* is_time_reg - @r is one of the clock's own registers. */
static bool is_time_reg(unsigned r)
{
	return r == VRTC_SEC || r == VRTC_MIN || r == VRTC_HOUR ||
	       r == VRTC_WDAY || r == VRTC_MDAY || r == VRTC_MON ||
	       r == VRTC_YEAR || r == VRTC_CENTURY;
}

/* reg_read - CMOS register @r at @now_ns. */
static uint8_t reg_read(struct vrtc *rtc, unsigned r, uint64_t now_ns)
{
	uint64_t sub;

	if (is_time_reg(r))
		return time_read(rtc, r, now_ns);
	switch (r) {
	case VRTC_A:
		sub = since_epoch_ns(rtc, now_ns) % NS_PER_S;
		return (uint8_t)((rtc->cmos[VRTC_A] & 0x7f) |
			(!(rtc->cmos[VRTC_B] & VRTC_B_SET) &&
			 sub >= NS_PER_S - UIP_NS ? VRTC_A_UIP : 0));
	case VRTC_C:
		return 0;	/* no interrupt flags are ever raised */
	case VRTC_D:
		return 0x80;	/* VRT: RAM and time valid */
	default:
		return rtc->cmos[r];
	}
}

/* reg_write - the guest writes @v to CMOS register @r at @now_ns. */
static void reg_write(struct vrtc *rtc, unsigned r, uint8_t v, uint64_t now_ns)
{
	uint8_t old = rtc->cmos[VRTC_B];

	if (is_time_reg(r)) {
		time_write(rtc, r, v, now_ns);
		return;
	}
	switch (r) {
	case VRTC_A:
		rtc->cmos[VRTC_A] = v & 0x7f;
		break;
	case VRTC_B:
		if ((v & VRTC_B_SET) && !(old & VRTC_B_SET))
			vrtc_to_tm(vrtc_now(rtc, now_ns), &rtc->frozen);
		rtc->cmos[VRTC_B] = v;
		if (!(v & VRTC_B_SET) && (old & VRTC_B_SET))
			rtc->offset_s = vrtc_from_tm(&rtc->frozen) -
					base_now(rtc, now_ns);
		break;
	case VRTC_C:
	case VRTC_D:
		break;	/* read-only */
	default:
		rtc->cmos[r] = v;
		break;
	}
}

int vrtc_access(struct vrtc *rtc, uint16_t port, unsigned size, bool in,
		uint32_t *val, uint64_t now_ns)
{
	uint32_t out = 0;

	if ((size != 1 && size != 2 && size != 4) || !val)
		return -SV_EINVAL;
	for (unsigned i = 0; i < size; i++) {
		uint16_t p = (uint16_t)(port + i);
		uint8_t b = (uint8_t)(*val >> (8 * i));

		if (p == VRTC_PORT) {
			if (in) {
				b = 0xff;	/* the index register is write-only */
			} else {
				rtc->index = b & 0x7f;
				rtc->nmi_masked = b & 0x80;
			}
		} else if (p == VRTC_PORT + 1) {
			if (in)
				b = reg_read(rtc, rtc->index, now_ns);
			else
				reg_write(rtc, rtc->index, b, now_ns);
		} else {
			if (i == 0)
				return -SV_EINVAL;
			b = 0xff;
		}
		out |= (uint32_t)b << (8 * i);
	}
	if (in)
		*val = out;
	return 0;
}

int vrtc_io(void *dev, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	struct vrtc *rtc = dev;
	uint64_t now = rtc->clock ? rtc->clock(rtc->clock_ctx) : rtc->epoch_ns;

	return vrtc_access(rtc, port, size, in, val, now);
}

void vrtc_ranges(struct vrtc *rtc, struct vio_range *r)
{
	*r = (struct vio_range){ VRTC_PORT, 2, vrtc_io, rtc };
}

/* put16 - a little-endian 16-bit CMOS value at @r, @r + 1. */
static void put16(struct vrtc *rtc, unsigned r, uint64_t v)
{
	rtc->cmos[r] = (uint8_t)v;
	rtc->cmos[r + 1] = (uint8_t)(v >> 8);
}

void vrtc_init(struct vrtc *rtc, uint64_t ram_bytes, int64_t epoch_s,
	       uint64_t epoch_ns, vclock_fn clock, void *clock_ctx)
{
	uint64_t kib = ram_bytes / KIB, ext = 0, high = 0, low4g, sum = 0;

	memset(rtc, 0, sizeof(*rtc));
	rtc->epoch_s = epoch_s;
	rtc->epoch_ns = epoch_ns;
	rtc->clock = clock;
	rtc->clock_ctx = clock_ctx;
	rtc->cmos[VRTC_A] = 0x26;	/* 32.768 kHz time base, 1024 Hz rate */
	rtc->cmos[VRTC_B] = VRTC_B_24H;	/* BCD, 24-hour */

	put16(rtc, 0x15, kib < 640 ? kib : 640);
	if (kib > 1024)
		ext = kib - 1024 < 0xfc00 ? kib - 1024 : 0xfc00;
	put16(rtc, 0x17, ext);
	put16(rtc, 0x30, ext);
	low4g = ram_bytes < 4096 * MIB ? ram_bytes : 4096 * MIB;
	if (low4g > 16 * MIB)
		high = (low4g - 16 * MIB) / (64 * KIB);
	put16(rtc, 0x34, high < 0xffff ? high : 0xffff);

	for (unsigned r = 0x10; r <= 0x2d; r++)
		sum += rtc->cmos[r];
	rtc->cmos[0x2e] = (uint8_t)(sum >> 8);
	rtc->cmos[0x2f] = (uint8_t)sum;
}
