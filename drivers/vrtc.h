/* SPDX-License-Identifier: MIT */
/*
 * vrtc.h - a virtual MC146818-style CMOS/RTC: index port 0x70 (bit 7 =
 * NMI mask), data port 0x71, 128 bytes of CMOS.
 *
 * Time source: the guest's wall clock is @epoch_s (seconds since
 * 1970-01-01 00:00:00 UTC, the host's boot wall-clock time or a fixed value
 * of the VM's configuration) at host time @epoch_ns, plus the host time
 * elapsed since, plus whatever offset the guest sets by writing the time
 * registers. Only the CMOS RAM and that offset are per VM state; the host's
 * RTC is never written. No interrupts: periodic, alarm and update-ended
 * interrupts are not generated (status C reads 0); UIP is set during the
 * last 244 us of each second so update-wait loops terminate.
 *
 * Memory-size bytes are set from the VM's RAM at init: 0x15/0x16 base KiB,
 * 0x17/0x18 and 0x30/0x31 extended KiB above 1 MiB (at most 63 MiB worth),
 * 0x34/0x35 64 KiB units above 16 MiB (below 4 GiB), with the AT checksum.
 */
#ifndef SV_DRIVERS_VRTC_H
#define SV_DRIVERS_VRTC_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/vio.h"

#define VRTC_PORT	0x70	/* 0x70 index, 0x71 data */
#define VRTC_NREGS	128

/* CMOS registers. */
#define VRTC_SEC	0x00
#define VRTC_MIN	0x02
#define VRTC_HOUR	0x04
#define VRTC_WDAY	0x06	/* 1 = Sunday */
#define VRTC_MDAY	0x07
#define VRTC_MON	0x08
#define VRTC_YEAR	0x09
#define VRTC_A		0x0a
#define VRTC_B		0x0b
#define VRTC_C		0x0c
#define VRTC_D		0x0d
#define VRTC_CENTURY	0x32
#define VRTC_B_SET	0x80	/* updates stopped: the guest is setting the time */
#define VRTC_B_DM	0x04	/* binary (else BCD) */
#define VRTC_B_24H	0x02
#define VRTC_A_UIP	0x80

/* A broken-down UTC time. */
struct vrtc_tm {
	int64_t year;	/* full year, e.g. 2026 */
	int mon;	/* 1..12 */
	int mday;	/* 1..31 */
	int hour, min, sec;
	int wday;	/* 0 = Sunday */
};

struct vrtc {
	uint8_t cmos[VRTC_NREGS];	/* RAM and stored registers */
	uint8_t index;			/* 0..127 */
	bool nmi_masked;		/* port 0x70 bit 7 as last written */
	int64_t epoch_s;		/* wall clock at host time epoch_ns */
	uint64_t epoch_ns;
	int64_t offset_s;		/* set by the guest writing the time */
	struct vrtc_tm frozen;		/* the time while status B.SET is 1 */
	vclock_fn clock;		/* used by vrtc_io; may be NULL */
	void *clock_ctx;
};

/*
 * vrtc_init - CMOS for a VM with @ram_bytes of RAM whose clock reads
 * @epoch_s at host time @epoch_ns; status B = 24-hour BCD.
 */
void vrtc_init(struct vrtc *rtc, uint64_t ram_bytes, int64_t epoch_s,
	       uint64_t epoch_ns, vclock_fn clock, void *clock_ctx);

/* vrtc_ranges - fill *@r with 0x70-0x71 going to vrtc_io. */
void vrtc_ranges(struct vrtc *rtc, struct vio_range *r);

/* vrtc_io - the vio_fn for 0x70-0x71; 0 or -SV_EINVAL. */
int vrtc_io(void *dev, uint16_t port, unsigned size, bool in, uint32_t *val);

/* vrtc_access - vrtc_io at an explicit host time @now_ns. */
int vrtc_access(struct vrtc *rtc, uint16_t port, unsigned size, bool in,
		uint32_t *val, uint64_t now_ns);

/* vrtc_now - the guest's wall clock at @now_ns, seconds since 1970. */
int64_t vrtc_now(const struct vrtc *rtc, uint64_t now_ns);

/* vrtc_now_ns - the same in nanoseconds (for a paravirtual wall clock). */
int64_t vrtc_now_ns(const struct vrtc *rtc, uint64_t now_ns);

/* vrtc_to_tm - split @t (seconds since 1970, UTC) into *tm. */
void vrtc_to_tm(int64_t t, struct vrtc_tm *tm);

/* vrtc_from_tm - seconds since 1970 of *tm (fields may be out of range). */
int64_t vrtc_from_tm(const struct vrtc_tm *tm);

#endif
