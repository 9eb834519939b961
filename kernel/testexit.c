// SPDX-License-Identifier: MIT
/* testexit.c - the test-mode verdict line and emulator exit. */
#include "kernel/arch.h"
#include "kernel/printk.h"
#include "kernel/testexit.h"

bool test_mode;

void test_exit(enum test_result r)
{
	static const char *const names[] = { "PASS", "FAIL", "PANIC" };

	if (!test_mode) {
		printk(LOG_ALWAYS, "sharevisor: halted\n");
		arch_halt();
	}
	printk(LOG_ALWAYS, "sharevisor: test end: %s\n", names[r]);
	arch_emulator_exit((int)r);
}
