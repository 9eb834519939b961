// SPDX-License-Identifier: MIT
/*
 * console.c - the operator's console: input, output multiplexing, modes.
 *
 * Modes: the shell (line editor + commands), attached to a VM (keys go to
 * its UART; Ctrl-A three times returns), and watch (a stats line every
 * period until any key). Guest lines are printed "[name] text" and kept
 * in a per-VM ring for `log NAME`. At the prompt Ctrl-A is the line
 * editor's Home; Tab completes command words and VM names.
 */
#include <stdio.h>
#include <string.h>

#include "drivers/uart.h"
#include "kernel/arch.h"
#include "kernel/console.h"
#include "kernel/lineedit.h"
#include "kernel/printk.h"
#include "kernel/shell.h"
#include "kernel/shell_parse.h"
#include "kernel/vm.h"

#define CTRL_A 0x01
#define MAX_INPUT_PER_POLL 256	/* bytes read per poll: input floods cannot starve the VMs */

enum con_mode { CON_SHELL, CON_ATTACHED, CON_WATCH };

static struct lineedit le;
static char echo[LE_ECHO_MAX];	/* the line editor's output for one key */
static enum con_mode mode;
static bool interactive, prompt_shown, at_line_start = true;
static bool running;	/* a command is running: no prompt between its output lines */
static struct vm *attached;
static int ctrl_a;
static uint64_t watch_period_ns, watch_next, stats_period_ns, stats_next;

static void raw_write(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			uart_putc('\r');
		uart_putc(*s);
	}
}

static void erase_input(void)
{
	if (!prompt_shown)
		return;
	uart_putc('\r');
	for (unsigned i = 0; i < sizeof(CONSOLE_PROMPT) - 1 + le.len; i++)
		uart_putc(' ');
	uart_putc('\r');
	prompt_shown = false;
}

static void redraw(void)
{
	if (!interactive || running || mode != CON_SHELL || prompt_shown || !at_line_start)
		return;
	raw_write(CONSOLE_PROMPT);
	le_draw(&le, echo);
	raw_write(echo);
	prompt_shown = true;
}

void console_write(const char *s)
{
	size_t n = strlen(s);

	if (!n)
		return;
	erase_input();
	raw_write(s);
	at_line_start = s[n - 1] == '\n';
	redraw();
}

/* vm_name - the @i-th VM's name, for Tab; NULL after the last. */
static const char *vm_name(void *arg, unsigned i)
{
	(void)arg;
	for (int id = 1; id <= VM_MAX; id++)
		if (vms[id] && !i--)
			return vms[id]->name;
	return NULL;
}

static bool complete(void *arg, const char *line, unsigned start, unsigned i, char *out,
		     size_t outlen)
{
	return shell_complete(line, start, i, out, outlen, vm_name, arg);
}

void console_init(bool show_prompt, unsigned stats_every_s)
{
	/* Bytes are taken from the UART as they arrive, even while a guest runs. */
	uart_enable_rx_interrupt();
	arch_serial_irq(uart_rx_interrupt);
	le_init(&le);
	le.complete = complete;
	interactive = show_prompt;
	stats_period_ns = (uint64_t)stats_every_s * 1000000000ull;
	stats_next = arch_now_ns() + stats_period_ns;
	if (interactive)
		pr_info("console: type 'help' for the commands, 'stats' for the counters\n");
	redraw();
}

bool console_input_pending(void)
{
	return uart_rx_pending();
}

bool console_is_active(void)
{
	return interactive;
}

void console_guest_line(struct vm *vm, const char *line)
{
	if (mode == CON_ATTACHED && attached == vm) {
		console_write(line);
		console_write("\n");
		return;
	}
	printk(LOG_ALWAYS, "[%s] %s\n", vm->name, line);
}

void console_attach(struct vm *vm)
{
	printk(LOG_ALWAYS, "attached to '%s'; Ctrl-A three times returns\n", vm->name);
	attached = vm;
	ctrl_a = 0;
	mode = CON_ATTACHED;
}

static void detach(const char *why)
{
	const char *name = attached ? attached->name : "?";

	mode = CON_SHELL;
	attached = NULL;
	printk(LOG_ALWAYS, "\ndetached from '%s'%s\n", name, why);
}

void console_forget(struct vm *vm)
{
	if (mode == CON_ATTACHED && attached == vm)
		detach(" (the VM is gone)");
}

void console_watch(unsigned seconds)
{
	watch_period_ns = (uint64_t)seconds * 1000000000ull;
	watch_next = arch_now_ns();
	mode = CON_WATCH;
}

static void attached_key(int c)
{
	if (c == CTRL_A) {
		if (++ctrl_a == 3)
			detach("");
		return;
	}
	/* Ctrl-A typed fewer than three times was meant for the guest. */
	for (; ctrl_a; ctrl_a--)
		vuart_rx_push(&attached->uart, CTRL_A);
	if (!vuart_rx_push(&attached->uart, (uint8_t)c))
		attached->console_drops++;
}

static void shell_key(int c)
{
	enum le_event ev;

	if (!interactive) {
		interactive = true;
		at_line_start = true;
	}
	if (!prompt_shown)
		redraw();
	ev = le_feed(&le, (unsigned char)c, echo);
	raw_write(echo);
	if (ev == LE_NONE)
		return;
	prompt_shown = false;
	at_line_start = true;
	if (ev == LE_LINE) {
		running = true;
		if (le.bad)
			printk(LOG_ALWAYS, "error: the line held %u byte%s that %s not text; nothing run\n",
			       le.bad, le.bad == 1 ? "" : "s", le.bad == 1 ? "is" : "are");
		else if (le.overflow)
			printk(LOG_ALWAYS, "error: line too long (at most %d characters)\n", LINE_MAX);
		else
			shell_exec(le.buf);
		running = false;
	}
	if (ev != LE_REDRAW)
		le_next(&le);	/* the CR state stays: the LF of CR LF must not end an empty line */
	redraw();
}

void console_poll(void)
{
	uint64_t now = arch_now_ns();
	int c, n = 0;

	while (n++ < MAX_INPUT_PER_POLL && (c = uart_getc()) >= 0) {
		switch (mode) {
		case CON_ATTACHED:
			attached_key(c);
			break;
		case CON_WATCH:
			mode = CON_SHELL;
			printk(LOG_ALWAYS, "\n");
			break;
		default:
			shell_key(c);
			break;
		}
	}
	if (mode == CON_ATTACHED && attached->state == VM_STOPPED)
		detach(" (the VM has stopped)");
	if (mode == CON_WATCH && now >= watch_next) {
		shell_stats_line();
		watch_next = now + watch_period_ns;
	}
	if (stats_period_ns && now >= stats_next) {
		shell_stats_line();
		stats_next = now + stats_period_ns;
	}
}
