/* SPDX-License-Identifier: MIT */
/*
 * vmconfig.h - a guest's options, parsed from its GRUB module command line.
 *
 * GRUB hands each module2 line's words over as one string; the first word is
 * the module's path, the rest are key=value options:
 *
 *   /guests/fill.elf vm=a mem=64M cmdline="seed=3 verbose" domain=tenant1
 *
 * Keys (each at most once; anything else is rejected):
 *   vm=NAME       the VM's name, 1..15 of [A-Za-z0-9_-]. Default: the module
 *                 file's base name up to its first '.' ("fill" above)
 *                 if that is a valid name, else vm= is required. Names must
 *                 be unique: the caller checks that across all modules.
 *   mem=SIZE      guest RAM: a decimal number with an optional K, M or G
 *                 suffix (powers of 1024, either case); a multiple of 4 KiB,
 *                 VMCFG_MEM_MIN..VMCFG_MEM_MAX. Default VMCFG_MEM_DEFAULT.
 *   cmdline=TEXT  the guest kernel's command line (Multiboot "cmdline"),
 *                 at most VMCFG_CMDLINE_MAX bytes, may be empty. Default "".
 *   domain=NAME   the sharing domain (same rules as vm=). Default "default".
 *   share=on|off  take part in page sharing. Default on.
 *   on_reboot=restart|stop  what a guest's reset request (port 0xcf9, the
 *                 8042's pulse command 0xfe) does: start the VM afresh from
 *                 its module, or stop it (code 0). Default restart.
 *   entry=protected|real  the mode the kernel is entered in: 32-bit protected
 *                 mode (Multiboot's, the default) or real mode (CS:IP from
 *                 the image's load address: kernel/loader.h).
 *   for=NAME      this module is not a VM: it belongs to the VM named NAME, as
 *                 one of its kernel's Multiboot modules (in the order of the
 *                 lines). Only cmdline= may go with it: the module's string.
 *
 * Quoting, as GRUB's own quoting rules produce it: inside a word, "..." quotes
 * spaces; a backslash escapes the next character when it is one of \ " ' or a
 * space/tab (so \" and \\ work inside and outside quotes). GRUB re-quotes a
 * word that contained spaces as a whole ("cmdline=seed=3 verbose"), which is
 * the same as cmdline="seed=3 verbose" here. Unterminated quotes, dangling
 * backslashes and other escapes are errors.
 */
#ifndef SV_KERNEL_VMCONFIG_H
#define SV_KERNEL_VMCONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMCFG_NAME_MAX		15		/* vm= and domain= (chars, no NUL) */
#define VMCFG_PATH_MAX		127		/* the module path (first word) */
#define VMCFG_CMDLINE_MAX	255		/* cmdline= */
#define VMCFG_MEM_DEFAULT	(32ull << 20)
#define VMCFG_MEM_MIN		(2ull << 20)
#define VMCFG_MEM_MAX		(3ull << 30)	/* = GUEST_RAM_MAX, see loader.h */
#define VMCFG_ERR_MAX		128		/* a good size for the error buffer */

/* Which keys were given explicitly (vm_config.given). */
enum vmcfg_key {
	VMCFG_KEY_VM		= 1u << 0,
	VMCFG_KEY_MEM		= 1u << 1,
	VMCFG_KEY_CMDLINE	= 1u << 2,
	VMCFG_KEY_DOMAIN	= 1u << 3,
	VMCFG_KEY_SHARE		= 1u << 4,
	VMCFG_KEY_FOR		= 1u << 5,
	VMCFG_KEY_ON_REBOOT	= 1u << 6,
	VMCFG_KEY_ENTRY		= 1u << 7,
};

struct vm_config {
	char path[VMCFG_PATH_MAX + 1];		/* module path, as given */
	char name[VMCFG_NAME_MAX + 1];		/* vm= or from the file name */
	uint64_t mem_bytes;			/* mem= in bytes */
	char cmdline[VMCFG_CMDLINE_MAX + 1];	/* cmdline=, unquoted */
	char domain[VMCFG_NAME_MAX + 1];	/* domain= */
	bool share;				/* share= */
	bool reboot_stops;			/* on_reboot=stop */
	bool entry_real;			/* entry=real */
	char for_vm[VMCFG_NAME_MAX + 1];	/* for=: a module of that VM, "" for a VM */
	unsigned int given;			/* enum vmcfg_key bits */
};

/*
 * vmconfig_parse - parse one module command line into @cfg (defaults filled
 * in). Returns 0, or -SV_EINVAL with a one-line message naming the key and
 * the problem in @err (always NUL-terminated when @errlen > 0; @err may be
 * NULL). @cfg is fully written either way, but only meaningful on success.
 */
int vmconfig_parse(const char *line, struct vm_config *cfg, char *err, size_t errlen);

/* vmconfig_name_valid - true if @s is 1..VMCFG_NAME_MAX of [A-Za-z0-9_-]. */
bool vmconfig_name_valid(const char *s);

#endif
