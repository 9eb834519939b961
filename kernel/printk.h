/* SPDX-License-Identifier: MIT */
/* printk.h - the hypervisor's console log, with levels. */
#ifndef SV_KERNEL_PRINTK_H
#define SV_KERNEL_PRINTK_H

#include <stdarg.h>

enum log_level {
	LOG_ALWAYS = 0,	/* verdicts and reports that must always appear, no prefix */
	LOG_ERR = 3,
	LOG_WARN = 4,
	LOG_INFO = 6,
	LOG_DEBUG = 7,
};

/* The most verbose level printed; set from the command line (loglevel=N). */
extern int console_loglevel;

void printk(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vprintk(int level, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#define pr_err(...)   printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  printk(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

/* panic - a hypervisor invariant is broken: report "function: reason" and stop. */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
