/* SPDX-License-Identifier: MIT */
/* sched.h - the VM scheduler (kernel/sched.c). */
#ifndef SV_KERNEL_SCHED_H
#define SV_KERNEL_SCHED_H

#define SCHED_HZ 100	/* host ticks per second; one tick is a time slice */

/* sched_run - run every VM until all have stopped; then report and end (test mode) or idle. */
void sched_run(void) __attribute__((noreturn));

#endif
