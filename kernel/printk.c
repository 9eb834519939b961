// SPDX-License-Identifier: MIT
/* printk.c - formatted console output on COM1, with log levels and prefixes. */
#include <stdio.h>

#include "drivers/uart.h"
#include "kernel/console.h"
#include "kernel/printk.h"
#include "kernel/testexit.h"

int console_loglevel = LOG_INFO;

void vprintk(int level, const char *fmt, va_list ap)
{
	char buf[512];

	if (level > console_loglevel)
		return;
	if (level == LOG_ERR)
		console_write("ERROR: ");
	else if (level == LOG_WARN)
		console_write("warning: ");
	vsnprintf(buf, sizeof(buf), fmt, ap);
	console_write(buf);
}

void printk(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write("\nPANIC: ");
	console_write(buf);
	console_write("\n");
	test_exit(TEST_PANIC);
}
