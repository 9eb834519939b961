// SPDX-License-Identifier: MIT
/* setup.c - per-CPU set-up and the fault-provoking test switch. */
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/cpufeat.h"
#include "arch/x86/lazy.h"
#include "arch/x86/x86.h"
#include "kernel/arch.h"

void arch_cpu_init(void)
{
	/* FXSAVE/FXRSTOR with SSE state, for switching guests' registers (lazy.c). */
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	gdt_init();
	idt_init();
	cpufeat_probe();
	lazy_setup();
	tsc_calibrate();
}

/* A byte of data holding "ret": executing it must fault (NX). */
static unsigned char data_ret[1] = { 0xc3 };

bool arch_provoke_fault(const char *what)
{
	if (!strcmp(what, "ud")) {
		__asm__ volatile("ud2");
	} else if (!strcmp(what, "de")) {
		volatile unsigned zero = 0;
		volatile unsigned r = 1 / zero;
		(void)r;
	} else if (!strcmp(what, "null")) {
		*(volatile int *)(uintptr_t)0 = 1;
	} else if (!strcmp(what, "wp")) {
		/* Write into our own text: read-only. */
		*(volatile unsigned char *)(uintptr_t)&arch_provoke_fault = 0x90;
	} else if (!strcmp(what, "nx")) {
		((void (*)(void))(uintptr_t)data_ret)();
	} else {
		return false;
	}
	return true;
}

void arch_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	cpuid_count(leaf, sub, &r[0], &r[1], &r[2], &r[3]);
}

uint64_t arch_read_tsc(void)
{
	return rdtsc();
}

uint64_t arch_tsc_khz(void)
{
	return tsc_khz();
}
