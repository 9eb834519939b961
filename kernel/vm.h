/* SPDX-License-Identifier: MIT */
/*
 * vm.h - VM and vCPU objects.
 *
 * A VM owns its guest-physical map (p2m), its RAM (populated on first
 * touch), its virtual devices and, for now, one vCPU. The scheduler
 * (kernel/sched.c) runs vCPUs; the exit policy (kernel/exit.c) handles their
 * exits. Objects come from the hypervisor heap; vms[] lists them by id.
 */
#ifndef SV_KERNEL_VM_H
#define SV_KERNEL_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/vio.h"
#include "drivers/vpic.h"
#include "drivers/vpit.h"
#include "drivers/vrtc.h"
#include "drivers/vuart.h"
#include "kernel/loader.h"
#include "kernel/virt.h"
#include "mm/p2m.h"

#define VM_MAX		16
#define VM_NAME_MAX	16	/* with the NUL */
#define VM_IO_MAX	8
#define VM_LINE_MAX	160	/* guest console line buffer */
#define VM_LOG_SIZE	4096	/* the tail of its console output kept for `log` */

struct boot_module;
struct share_vm;

enum vm_state {
	VM_RUNNING,
	VM_PAUSED,
	VM_STOPPED,
};

struct vcpu {
	struct vm *vm;
	int id;
	struct gpr regs;	/* general registers while not in guest mode */
	void *arch;		/* the backend's state (VMCS or VMCB and friends) */
	struct mb1_boot boot;	/* the entry state vcpu_init starts from */
	bool halted;		/* in HLT, waiting for an interrupt */
	uint64_t pat;		/* IA32_PAT as the guest wrote it */
	uint64_t exits[EXIT_KIND_MAX];
	uint64_t exits_total;
	uint64_t injected_irqs;
};

struct vm {
	int id;			/* 1..VM_MAX; 0 is the hypervisor in frame owners */
	char name[VM_NAME_MAX];
	char domain[VM_NAME_MAX];
	enum vm_state state;
	int exit_code;		/* valid when STOPPED; -1 if stopped by the hypervisor */
	char stop_reason[128];
	uint64_t ram_bytes;
	struct guest_range ram[GUEST_RAM_RANGES];
	struct p2m p2m;
	uint16_t asid;		/* SVM ASID / VMX VPID: the VM's id */
	bool tlb_stale;		/* p2m changed: flush before the next entry */
	struct share_vm *share;	/* the sharing engine's handle, NULL if not shared */
	bool oom;		/* waiting for a free frame to finish a COW break */
	uint64_t pages_populated;	/* guest frames given RAM on first touch */
	struct vcpu vcpu;

	/* Devices and the port map. */
	struct vpic pic;
	struct vpit pit;
	struct vuart uart;
	struct vrtc rtc;
	struct vio_range io[VM_IO_MAX];
	int n_io;
	char line[VM_LINE_MAX];	/* console output not yet printed */
	unsigned line_len;
	char log[VM_LOG_SIZE];	/* ring of its recent console lines */
	uint64_t log_bytes;	/* written so far (position = log_bytes % VM_LOG_SIZE) */
	uint64_t console_drops;	/* operator keys lost: the guest's UART queue was full */
	uint64_t unhandled_ports;	/* accesses to ports with no device */
};

extern struct vm *vms[VM_MAX + 1];	/* by id; NULL where unused */

/*
 * What became of the GRUB modules: each vm_create() call is one module, which
 * either started a VM or printed why not. The test-mode verdict (sched.c)
 * needs both: a VM destroyed at the console leaves vms[] but was started.
 */
struct vm_tally {
	unsigned modules;	/* vm_create() calls */
	unsigned started;	/* of them, VMs that were started */
};
extern struct vm_tally vm_tally;

/*
 * vm_create - build a VM from a GRUB module: options from its command line
 * (vm=, mem=, cmdline=, domain=), the image loaded as a Multiboot v1 kernel.
 * Returns the VM, or NULL after printing why (the other VMs are unaffected).
 * Counts the module, and the VM if it started, in vm_tally.
 */
struct vm *vm_create(const struct boot_module *mod, int index);

/* vm_stop - stop @vm with @code (-1: by the hypervisor) and a printed reason; its memory is released. */
void vm_stop(struct vm *vm, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* vm_destroy - release everything @vm holds and remove it from vms[]. */
void vm_destroy(struct vm *vm);

/* vm_populate - give guest frame @gpa (page-aligned) host memory. Returns 0 or -errno. */
int vm_populate(struct vm *vm, uint64_t gpa);

/* vm_is_ram - true when [gpa, gpa + n) is guest RAM. */
bool vm_is_ram(const struct vm *vm, uint64_t gpa, uint64_t n);

/* vm_counter - counter @idx (enum sv_counter) of @vm for the CPUID leaf; false if unknown. */
bool vm_counter(const struct vm *vm, uint32_t idx, uint64_t *val);

/* vm_devices_init - the VM's PIC, PIT, UART and RTC, and its port map. */
void vm_devices_init(struct vm *vm);

/* vm_devices_update - advance device time to @now_ns (PIT ticks reach the PIC). */
void vm_devices_update(struct vm *vm, uint64_t now_ns);

/* vm_port_io - dispatch a port access to the VM's devices; 0, or -SV_ENOENT when none claims it. */
int vm_port_io(struct vm *vm, uint16_t port, unsigned size, bool in, uint32_t *val);

/* vm_console_flush - print what is left of the guest's current console line. */
void vm_console_flush(struct vm *vm);

/* vm_log_print - print the tail of @vm's console output. */
void vm_log_print(struct vm *vm);

/* vm_console_putc - a byte from the guest's UART: printed by line, prefixed "[name] ". */
void vm_console_putc(struct vm *vm, uint8_t c);

#endif
