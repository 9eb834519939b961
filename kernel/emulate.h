/* SPDX-License-Identifier: MIT */
/* emulate.h - one guest instruction through the instruction emulator (kernel/emulate.c). */
#ifndef SV_KERNEL_EMULATE_H
#define SV_KERNEL_EMULATE_H

#include <stdint.h>

#include "kernel/exit.h"

struct vcpu;

/*
 * emulate_insn - run the instruction at @v's CS:RIP in the emulator (an
 * MMIO or hole access at @gpa, or string port I/O; @gpa only for reports).
 * Returns EXIT_CONTINUE (done, or a fault injected) or EXIT_STOP (the VM
 * was stopped: an instruction not emulated, a device error, or a device
 * that ended the VM).
 */
enum exit_action emulate_insn(struct vcpu *v, uint64_t gpa);

/*
 * emulate_task_switch - do the hardware task switch @e describes (VMX exits
 * on each, kernel/emulate.c hands it to emu/x86task.c): the new task's
 * state into the vCPU, a fault of the switch injected (#DF or a stop for
 * a triple fault where delivery of an exception was cut short), the T
 * flag's #DB. Returns EXIT_CONTINUE, or EXIT_STOP with the VM stopped.
 */
struct vm_exit;
enum exit_action emulate_task_switch(struct vcpu *v, const struct vm_exit *e);

#endif
