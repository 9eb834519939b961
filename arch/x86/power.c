// SPDX-License-Identifier: MIT
/* power.c - halting the CPU and ending an emulator run. */
#include "arch/x86/cpu.h"
#include "drivers/uart.h"
#include "kernel/arch.h"
#include "kernel/hvabi.h"

void arch_halt(void)
{
	uart_drain();
	cpu_halt_forever();
}

void arch_emulator_exit(int code)
{
	/* Bochs drops characters still in the UART when it stops (EMULATORS.md). */
	uart_drain();
	/* QEMU: isa-debug-exit ends the emulator with status (code << 1) | 1. */
	outb(SV_PORT_DEBUG_EXIT, (uint8_t)code);
	/* Bochs: the magic breakpoint stops in the debugger, whose rc file says quit. */
	__asm__ volatile("xchg %%bx, %%bx" ::: "memory");
	cpu_halt_forever();
}
