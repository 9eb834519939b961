// SPDX-License-Identifier: MIT
/* errmsg.c - one-line error messages into a caller's buffer. */
#include <stdarg.h>
#include <stdio.h>

#include "kernel/errmsg.h"

int errmsg(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}
