/* SPDX-License-Identifier: MIT */
/* sched.h - the VM scheduler (kernel/sched.c). */
#ifndef SV_KERNEL_SCHED_H
#define SV_KERNEL_SCHED_H

/*
 * The host tick: 1 kHz, so a guest's virtual timer is served at up to 1 kHz
 * (its PIT edges reach it at the next exit, and a halted vCPU wakes at the
 * next tick). A time slice is SLICE_TICKS ticks.
 */
#define SCHED_HZ	1000
#define SLICE_TICKS	10

/* sched_run - run every VM until all have stopped; then report and end (test mode) or idle. */
void sched_run(void) __attribute__((noreturn));

#endif
