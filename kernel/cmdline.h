/* SPDX-License-Identifier: MIT */
/* cmdline.h - reading key=value options from the hypervisor's GRUB command line. */
#ifndef SV_KERNEL_CMDLINE_H
#define SV_KERNEL_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * cmdline_get - copy the value of option @key ("key=value" or a bare "key")
 * in @cmdline into @buf. Returns true when the option is present ("" for a
 * bare key); false otherwise. Words are separated by spaces; a value may be
 * quoted with "...". Values longer than @size - 1 are truncated.
 */
bool cmdline_get(const char *cmdline, const char *key, char *buf, size_t size);

/* cmdline_has - true when @key is present, bare or with a value. */
bool cmdline_has(const char *cmdline, const char *key);

/*
 * cmdline_unknown - call @report (with @ctx; may be NULL) with the key of
 * every word of @cmdline that is not in @known (a NULL-terminated list of
 * keys; a word's key is what precedes its '=', or the bare word). Returns
 * how many there were.
 */
int cmdline_unknown(const char *cmdline, const char *const *known,
		    void (*report)(const char *key, void *ctx), void *ctx);

/*
 * cmdline_uint - option @key as a decimal number in [@min, @max] into @out.
 * Returns 1 when present and valid, 0 when absent (@out untouched), -1 when
 * present but empty, not a number or out of range (@out untouched).
 */
int cmdline_uint(const char *cmdline, const char *key, unsigned long min, unsigned long max,
		 unsigned long *out);

#endif
