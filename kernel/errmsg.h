/* SPDX-License-Identifier: MIT */
/* errmsg.h - one-line error messages into a caller's buffer (plain C, host-built too). */
#ifndef SV_KERNEL_ERRMSG_H
#define SV_KERNEL_ERRMSG_H

#include <stddef.h>

/* errmsg - format a message into @err (@errlen bytes; nothing when NULL or 0); returns @rc. */
int errmsg(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
