// SPDX-License-Identifier: MIT
/*
 * triple - loads an empty IDT and executes UD2: #UD cannot be delivered,
 * nor can the #DF that follows, so the CPU triple-faults (shutdown). Under
 * sharevisor this VM must be stopped with a report while the others go on.
 * If execution ever continues, it prints so and exits with code 2.
 *
 * With how=stack it points ESP into the hole at 3 GiB instead and executes
 * UD2: pushing the #UD frame writes where there is no RAM. Hardware drops
 * the writes and goes on with garbage; sharevisor stops the VM with a
 * report ("event delivery: write access ... outside guest RAM").
 */
#include "rt.h"

/* triple_fault - the point of no return. */
static void triple_fault(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	if (rt_opt_is("how", "stack")) {
		rt_printf("triple: ESP in the hole at 3 GiB, then ud2\n");
		__asm__ volatile("mov $0xc0001000, %%esp; ud2" : : : "memory");
	}
	rt_printf("triple: loading an empty IDT, then ud2\n");
	__asm__ volatile("lidt %0; ud2" : : "m"(empty) : "memory");
	rt_printf("triple: still running after the triple fault, exit 2\n");
	rt_exit(2);
}

static const struct rt_test tests[] = {
	{ "triple_fault", triple_fault },
	{ NULL, NULL },
};

RT_GUEST("triple", tests);
