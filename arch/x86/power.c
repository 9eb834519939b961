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

void arch_reboot(void)
{
	uart_drain();
	/* The 8042's pulse-reset command (0xfe) resets the PC. */
	for (int i = 0; i < 100000 && (inb(0x64) & 2); i++)
		cpu_relax();
	outb(0x64, 0xfe);
	/* If that did nothing: an empty IDT and a fault make a triple fault. */
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) none = { 0, 0 };
	__asm__ volatile("lidt %0; int3" : : "m"(none));
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
