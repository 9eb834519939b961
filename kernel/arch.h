/* SPDX-License-Identifier: MIT */
/*
 * arch.h - the hooks kernel/ calls into arch/; kernel/ reaches the CPU only here.
 *
 * Implemented by arch/x86/. Hooks for virtualization (enable on this CPU,
 * run a vCPU, normalised exits, event injection) live in kernel/virt.h.
 */
#ifndef SV_KERNEL_ARCH_H
#define SV_KERNEL_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct frame_pool;
struct boot_info;

/* arch_cpu_init - GDT with a TSS, IDT with every exception handled. */
void arch_cpu_init(void);

/* arch_cpu_report - print the CPU's vendor, model and virtualization features. */
void arch_cpu_report(void);

/*
 * arch_paging_init - replace the boot page tables: identity map of all RAM
 * (at least 4 GiB), hypervisor text read-only, data non-executable, page 0
 * unmapped. Returns 0 or a negative error.
 */
int arch_paging_init(struct frame_pool *fp, const struct boot_info *bi);

/* arch_now_ns - nanoseconds since the CPU's reset (TSC, calibrated against the PIT). */
uint64_t arch_now_ns(void);
/* arch_start_ns - arch_now_ns() when the hypervisor started (its clock calibrated). */
uint64_t arch_start_ns(void);

/* arch_provoke_fault - raise the exception named @what (test switch); false if unknown. */
bool arch_provoke_fault(const char *what);

/* arch_cpuid - execute CPUID (@leaf, @sub) on this CPU into r[EAX, EBX, ECX, EDX]. */
void arch_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]);

/* arch_tsc_khz - the TSC's frequency, as calibrated at boot. */
uint64_t arch_tsc_khz(void);

/* arch_xcr0_offered - the XSAVE state components (XCR0 bits) guests may enable; 0 without XSAVE. */
uint64_t arch_xcr0_offered(void);

/* arch_read_tsc - the time-stamp counter. */
uint64_t arch_read_tsc(void);

/* arch_timer_init - a periodic host tick at @hz (the scheduler's clock). */
void arch_timer_init(unsigned hz);

/* arch_serial_irq - call @fn on COM1's receive interrupt (IRQ4); after arch_timer_init. */
void arch_serial_irq(void (*fn)(void));

/* arch_ticks - host ticks since arch_timer_init. */
uint64_t arch_ticks(void);

/* arch_idle - wait, interrupts enabled, until the next host interrupt. */
void arch_idle(void);

/* arch_reboot - reset the machine (keyboard controller, then a triple fault). */
void arch_reboot(void) __attribute__((noreturn));

/* arch_halt - stop this CPU for good, interrupts off. */
void arch_halt(void) __attribute__((noreturn));

/* arch_emulator_exit - end an emulator run with @code (QEMU debug-exit, Bochs magic break). */
void arch_emulator_exit(int code) __attribute__((noreturn));

#endif
