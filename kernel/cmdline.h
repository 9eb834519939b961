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

#endif
