/* SPDX-License-Identifier: MIT */
/*
 * console.h - the operator's serial console on COM1.
 *
 * All hypervisor output goes through console_write(), which keeps the
 * operator's half-typed command line intact: it is erased before other
 * output and drawn again after it. Input is polled between guest time
 * slices (and while idle), so the console never holds anything the
 * scheduler needs, and a flood of input only costs what it reads.
 */
#ifndef SV_KERNEL_CONSOLE_H
#define SV_KERNEL_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#define CONSOLE_PROMPT "sharevisor> "

struct vm;

/* console_init - @interactive: show the prompt now (otherwise after the first key). */
void console_init(bool interactive, unsigned stats_every_s);
/* console_write - hypervisor output (printk). */
void console_write(const char *s);
/* console_poll - read what the operator typed; run periodic output. */
void console_poll(void);
/* console_guest_line - one complete line of @vm's serial output. */
void console_guest_line(struct vm *vm, const char *line);
/* console_attach - send the operator's keys to @vm's UART until Ctrl-A x3. */
void console_attach(struct vm *vm);
/* console_forget - @vm is going away. */
void console_forget(struct vm *vm);
/* console_watch - a stats line every @seconds until a key is pressed. */
void console_watch(unsigned seconds);
/* console_input_pending - the operator typed something not read yet. */
bool console_input_pending(void);
/* console_is_active - the operator has used the console (keep running when the VMs stop). */
bool console_is_active(void);

#endif
