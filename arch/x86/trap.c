// SPDX-License-Identifier: MIT
/*
 * trap.c - exception reports, exception fix-ups and interrupt dispatch.
 *
 * An exception in the hypervisor is a hypervisor bug, except where the
 * faulting instruction is listed in __ex_table (rdmsr_safe and friends):
 * then execution resumes at its fix-up. Anything else prints the vector,
 * error code, RIP, CR2, the registers and a frame-pointer backtrace, and
 * stops (ending the emulator with a verdict in test mode).
 */
#include <stdint.h>

#include "arch/x86/cpu.h"
#include "arch/x86/x86.h"
#include "kernel/printk.h"
#include "kernel/testexit.h"

struct ex_entry {
	uint64_t insn;
	uint64_t fixup;
};

extern const struct ex_entry __ex_table_start[], __ex_table_end[];
extern const char __image_start[], __image_end[];

static void (*irq_handlers[256])(struct trap_frame *tf);

static const char *const exc_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault",
	"coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved",
	"#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD exception", "#VE virtualization exception",
	"#CP control protection", "reserved", "reserved", "reserved",
	"reserved", "reserved", "reserved", "#HV hypervisor injection",
	"#VC VMM communication", "#SX security exception", "reserved",
};

void irq_set_handler(unsigned vec, void (*fn)(struct trap_frame *tf))
{
	if (vec >= 32 && vec < 256)
		irq_handlers[vec] = fn;
}

static bool try_fixup(struct trap_frame *tf)
{
	const struct ex_entry *e;

	for (e = __ex_table_start; e < __ex_table_end; e++) {
		if (e->insn == tf->rip) {
			tf->rip = e->fixup;
			return true;
		}
	}
	return false;
}

static bool in_image(uint64_t a)
{
	return a >= (uint64_t)(uintptr_t)__image_start &&
	       a < (uint64_t)(uintptr_t)__image_end;
}

static void backtrace(uint64_t rip, uint64_t rbp)
{
	printk(LOG_ALWAYS, "  backtrace: %#llx", (unsigned long long)rip);
	for (int depth = 0; depth < 16; depth++) {
		const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;

		if (!rbp || rbp % 8 || !in_image(rbp) || !in_image(rbp + 15))
			break;
		if (!frame[1])
			break;
		printk(LOG_ALWAYS, " %#llx", (unsigned long long)frame[1]);
		rbp = frame[0];
	}
	printk(LOG_ALWAYS, "\n");
}

static void report(const struct trap_frame *tf)
{
	const char *name = tf->vector < 32 ? exc_names[tf->vector] : "interrupt";

	printk(LOG_ALWAYS, "\nEXCEPTION vector %llu (%s) error code %#llx\n",
	       (unsigned long long)tf->vector, name,
	       (unsigned long long)tf->error_code);
	if (tf->vector == 14)
		printk(LOG_ALWAYS, "  page fault: %s %s%s at CR2\n",
		       tf->error_code & 1 ? "protection violation," : "not present,",
		       tf->error_code & 2 ? "write" : "read",
		       tf->error_code & 16 ? " (instruction fetch)" : "");
	printk(LOG_ALWAYS,
	       "  RIP %016llx CS %04llx RFLAGS %016llx\n"
	       "  RSP %016llx SS %04llx CR2 %016llx\n",
	       (unsigned long long)tf->rip, (unsigned long long)tf->cs,
	       (unsigned long long)tf->rflags, (unsigned long long)tf->rsp,
	       (unsigned long long)tf->ss, (unsigned long long)read_cr2());
	printk(LOG_ALWAYS,
	       "  CR0 %016llx CR3 %016llx CR4 %016llx\n",
	       (unsigned long long)read_cr0(), (unsigned long long)read_cr3(),
	       (unsigned long long)read_cr4());
	printk(LOG_ALWAYS,
	       "  RAX %016llx RBX %016llx RCX %016llx RDX %016llx\n"
	       "  RSI %016llx RDI %016llx RBP %016llx R8  %016llx\n"
	       "  R9  %016llx R10 %016llx R11 %016llx R12 %016llx\n"
	       "  R13 %016llx R14 %016llx R15 %016llx\n",
	       (unsigned long long)tf->rax, (unsigned long long)tf->rbx,
	       (unsigned long long)tf->rcx, (unsigned long long)tf->rdx,
	       (unsigned long long)tf->rsi, (unsigned long long)tf->rdi,
	       (unsigned long long)tf->rbp, (unsigned long long)tf->r8,
	       (unsigned long long)tf->r9, (unsigned long long)tf->r10,
	       (unsigned long long)tf->r11, (unsigned long long)tf->r12,
	       (unsigned long long)tf->r13, (unsigned long long)tf->r14,
	       (unsigned long long)tf->r15);
	backtrace(tf->rip, tf->rbp);
}

void trap_dispatch(struct trap_frame *tf)
{
	if (tf->vector >= 32) {
		if (irq_handlers[tf->vector]) {
			irq_handlers[tf->vector](tf);
			return;
		}
		pr_warn("unexpected interrupt vector %llu\n",
			(unsigned long long)tf->vector);
		return;
	}
	if (tf->vector == 2) {
		/*
		 * An NMI (a watchdog, a hardware error report, an SVM guest's
		 * intercepted NMI taken at STGI): not a hypervisor bug. Say so,
		 * rarely, and go on.
		 */
		static uint64_t nmis;

		nmis++;
		if ((nmis & (nmis - 1)) == 0)	/* the 1st, 2nd, 4th, 8th, ... */
			pr_warn("NMI received (%llu so far), ignored\n", (unsigned long long)nmis);
		return;
	}
	if (try_fixup(tf))
		return;
	report(tf);
	test_exit(TEST_PANIC);
}

bool rdmsr_safe(uint32_t msr, uint64_t *v)
{
	uint32_t lo = 0, hi = 0;
	int faulted = 0;

	/* On #GP trap_dispatch resumes at label 3, which records the fault. */
	__asm__ volatile("1: rdmsr\n"
			 "2:\n"
			 ".pushsection .fixup, \"ax\"\n"
			 "3: movl $1, %2\n"
			 "   jmp 2b\n"
			 ".popsection\n"
			 EX_TABLE(1b, 3b)
			 : "+a"(lo), "+d"(hi), "+r"(faulted)
			 : "c"(msr));
	*v = faulted ? 0 : ((uint64_t)hi << 32) | lo;
	return !faulted;
}
