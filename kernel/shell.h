/* SPDX-License-Identifier: MIT */
/* shell.h - the console's commands (kernel/shell.c). */
#ifndef SV_KERNEL_SHELL_H
#define SV_KERNEL_SHELL_H

/* shell_exec - run one command line; every error is one line of output. */
void shell_exec(const char *line);
/* shell_stats_line - one line of the main counters (watch, stats_every=). */
void shell_stats_line(void);

#endif
