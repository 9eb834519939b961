/* SPDX-License-Identifier: MIT */
/*
 * testexit.h - ending an emulator run with a verdict, for the test suite.
 *
 * Only when the command line has `test_exit`: the hypervisor prints the
 * sentinel line "sharevisor: test end: VERDICT" and stops the emulator
 * (QEMU's isa-debug-exit port, Bochs's magic breakpoint). Otherwise it
 * halts the CPU where it is, as on a real machine.
 */
#ifndef SV_KERNEL_TESTEXIT_H
#define SV_KERNEL_TESTEXIT_H

#include <stdbool.h>

enum test_result {
	TEST_PASS = 0,
	TEST_FAIL = 1,
	TEST_PANIC = 2,
};

extern bool test_mode;

/* test_exit - print the verdict and stop the machine; never returns. */
void test_exit(enum test_result r) __attribute__((noreturn));

#endif
