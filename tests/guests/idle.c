// SPDX-License-Identifier: MIT
/*
 * idle - a long-running guest for the console: prints "idle: ready", then
 * halts between timer ticks forever, echoing every byte received on COM1 as
 * "idle: got 'X' (0xNN)"; exits with code 0 (PASS) when it receives 'q'.
 */
#include "rt.h"
#include "idle_loop.h"

static void run(void)
{
	rt_printf("idle: ready\n");
	idle_loop("idle");
}

static const struct rt_test tests[] = {
	{ "idle", run },
	{ NULL, NULL },
};

RT_GUEST("idle", tests);
