/* SPDX-License-Identifier: MIT */
/*
 * vm.h - VM and vCPU objects.
 *
 * A VM owns its guest-physical map (p2m), its RAM (populated on first
 * touch), its virtual devices and its vCPUs (an array; one is used until
 * SMP guests land). The scheduler
 * (kernel/sched.c) runs vCPUs; the exit policy (kernel/exit.c) handles their
 * exits. Objects come from the hypervisor heap; vms[] lists them by id.
 */
#ifndef SV_KERNEL_VM_H
#define SV_KERNEL_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/vacpi.h"
#include "drivers/vpci.h"
#include "drivers/vioapic.h"
#include "drivers/vlapic.h"
#include "drivers/vio.h"
#include "drivers/vpic.h"
#include "drivers/vpit.h"
#include "drivers/vrtc.h"
#include "drivers/vuart.h"
#include "kernel/ctlreg.h"
#include "kernel/loader.h"
#include "kernel/mtrr.h"
#include "kernel/virt.h"
#include "mm/p2m.h"

#define VM_MAX		16
#define VCPU_MAX	8	/* vCPUs per VM */
#define VM_NAME_MAX	16	/* with the NUL */
#define VM_IO_MAX	24
#define VM_MMIO_MAX	4
#define VM_LINE_MAX	160	/* guest console line buffer */
#define VM_LOG_SIZE	4096	/* the tail of its console output kept for `log` */

struct boot_module;

/*
 * vmmio_fn - an access of @size (1, 2, 4, 8) bytes at @offset into an MMIO
 * region: a read fills *val, a write takes its low @size bytes. Returns 0,
 * or a negative SV_E* the device refuses (the VM is then stopped).
 */
typedef int (*vmmio_fn)(void *dev, uint64_t offset, unsigned size, bool write, uint64_t *val);

/* A guest-physical range a device answers, reached through the instruction emulator. */
struct vmmio_range {
	uint64_t base, size;
	vmmio_fn fn;
	void *dev;
};
struct share_vm;

enum vm_state {
	VM_RUNNING,
	VM_PAUSED,
	VM_STOPPED,
};

/* What a vCPU's exits were; per vCPU, summed per VM for reports (vm_exit_counts). */
struct exit_counts {
	uint64_t kind[EXIT_KIND_MAX];
	uint64_t total;
	uint64_t injected_irqs;
	uint64_t injected_nmis;
};

struct vcpu {
	struct vm *vm;
	int id;
	struct gpr regs;	/* general registers while not in guest mode */
	void *arch;		/* the backend's state (VMCS or VMCB and friends) */
	bool halted;		/* in HLT, waiting for an interrupt */
	bool halt_forever;	/* in HLT with interrupts disabled: no event we deliver wakes it */
	uint64_t halt_rip;	/* where it halted for good */
	uint64_t pat;		/* IA32_PAT as the guest wrote it */
	uint64_t tsc_offset;	/* guest TSC - host TSC (a WRMSR to the TSC sets it) */
	uint64_t misc_enable;	/* IA32_MISC_ENABLE (Intel) */
	uint64_t tsc_adjust;	/* IA32_TSC_ADJUST: what TSC writes and its own writes added */
	uint64_t pvclock_msr;	/* MSR_KVM_SYSTEM_TIME_NEW as written (kernel/pvclock.h) */
	uint32_t pvclock_version;	/* of its time-info structure */
	struct mtrr_state mtrr;	/* recorded and checked, not applied (kernel/mtrr.h) */
	struct dbg_regs dbg;	/* DR0-DR3 and DR7 (virtual: every access exits) */
	struct exit_counts counts;
	struct intc intc;	/* the controller that interrupts this vCPU: its local APIC */
	struct vlapic lapic;
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
	size_t module;		/* the GRUB module it was made from (for a restart) */
	bool reboot_stops;	/* on_reboot=stop: a reset request stops it */
	bool linux_guest;	/* loaded as Linux (bzImage or PVH): its panic trailer stops it */
	uint32_t rsdp_gpa;	/* where its ACPI RSDP is (vm_firmware_map) */
	uint64_t pvclock_wall_msr;	/* MSR_KVM_WALL_CLOCK_NEW as written */
	uint32_t pvclock_wall_version;
	bool restart;		/* stopped by a reset request: start it afresh */
	unsigned restarts;	/* resets it went through */
	uint8_t rcr;		/* reset control register (0xcf9) as written */
	struct vcpu vcpus[VCPU_MAX];
	int nr_vcpus;		/* vcpus[0 .. nr_vcpus) exist */
	int rr_vcpu;		/* the vCPU the scheduler ran last */

	/* Devices and the port map. */
	struct vpic pic;
	struct intc isa_irq;	/* where the ISA devices' lines go: the 8259s and the I/O APIC */
	struct intc pic_intc;	/* the 8259 pair, behind LINT0 */
	struct vioapic ioapic;
	int lapic_mmio;		/* index of the APIC page in mmio[] */
	struct vcpu *cur_vcpu;	/* the vCPU whose instruction the emulator runs */
	unsigned ipi_warned;
	struct vpit pit;
	struct vuart uart;
	struct vrtc rtc;
	struct vacpi acpi;	/* PM1 block and PM timer, as the FADT says */
	struct vpci pci;	/* configuration mechanism 1: a host bridge, no devices */
	struct vio_range io[VM_IO_MAX];
	int n_io;
	struct vmmio_range mmio[VM_MMIO_MAX];
	int n_mmio;
	uint64_t hole_reads;	/* reads of guest-physical space with nothing there (all ones) */
	uint64_t hole_last;	/* the gpa of the last such read or write */
	uint64_t hole_writes;	/* writes there (dropped) */
	uint64_t emulated;	/* instructions run by the instruction emulator */
	char line[VM_LINE_MAX];	/* console output not yet printed */
	unsigned line_len;
	char log[VM_LOG_SIZE];	/* ring of its recent console lines */
	uint64_t log_bytes;	/* written so far (position = log_bytes % VM_LOG_SIZE) */
	uint64_t console_drops;	/* operator keys lost: the guest's UART queue was full */
	uint64_t unhandled_ports;	/* accesses to ports with no device */
	uint64_t unknown_msrs;	/* RDMSR/WRMSR that got #GP: an MSR not offered */
};

extern struct vm *vms[VM_MAX + 1];	/* by id; NULL where unused */

/*
 * What became of the GRUB modules: each module that is not for= another VM
 * either started a VM or printed why not (vm_create_all counts them; a for=
 * module whose VM never started counts as one that did not start). The
 * test-mode verdict (sched.c) needs both: a VM destroyed at the console
 * leaves vms[] but was started. Restarts after a reset are not counted.
 */
struct vm_tally {
	unsigned modules;	/* modules meant to start a VM */
	unsigned started;	/* of them, VMs that were started */
};
extern struct vm_tally vm_tally;

/*
 * vm_create - build a VM from GRUB module @index of @mods: options from its
 * command line (vm=, mem=, cmdline=, domain=, share=), the image loaded as a
 * Multiboot v1 kernel with the modules that say for=NAME as its modules.
 * Returns the VM, or NULL after printing why (the other VMs are unaffected);
 * NULL and nothing printed for a for= module, which is not a VM.
 */
struct vm *vm_create(const struct boot_module *mods, size_t nmods, size_t index);

/* vm_check_module_owners - an error line for each for=NAME module whose VM was not started; their number. */
unsigned vm_check_module_owners(const struct boot_module *mods, size_t nmods);

/* vm_create_all - a VM from every module that is not for=, then the for= check; keeps @mods for restarts. */
void vm_create_all(const struct boot_module *mods, size_t nmods);

/* vm_stop - stop @vm with @code (-1: by the hypervisor) and a printed reason; its memory is released. */
void vm_stop(struct vm *vm, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* vm_destroy - release everything @vm holds and remove it from vms[]. */
void vm_destroy(struct vm *vm);

/* vcpu_gpr - @v's general register with x86 encoding number @n (0 RAX, 1 RCX, ... 4 RSP, ... 15 R15). */
uint64_t vcpu_gpr(struct vcpu *v, unsigned n);

/* vcpu_set_gpr - set that register to @val. */
void vcpu_set_gpr(struct vcpu *v, unsigned n, uint64_t val);

/* vm_populate - give guest frame @gpa (page-aligned) host memory. Returns 0 or -errno. */
int vm_populate(struct vm *vm, uint64_t gpa);

/*
 * vm_write_guest - write @n bytes to guest RAM at @gpa as a guest write
 * would land: populating, breaking copy-on-write sharing, marking dirty.
 * Returns 0, -SV_EFAULT outside RAM, -SV_ENOMEM without a free frame.
 */
int vm_write_guest(struct vm *vm, uint64_t gpa, const void *src, size_t n);

/* vm_is_ram - true when [gpa, gpa + n) is guest RAM. */
bool vm_is_ram(const struct vm *vm, uint64_t gpa, uint64_t n);

/* vm_for_each_vcpu - @v runs over the vCPUs of @vm. */
#define vm_for_each_vcpu(vm, v) \
	for (struct vcpu *v = (vm)->vcpus; v < (vm)->vcpus + (vm)->nr_vcpus; v++)

/* vm_exit_counts - the exit counters of @vm's vCPUs, summed into @c. */
void vm_exit_counts(const struct vm *vm, struct exit_counts *c);

/* vm_halted_for_good - true when every vCPU of @vm halted with interrupts disabled. */
bool vm_halted_for_good(const struct vm *vm);

/* vm_counter - counter @idx (enum sv_counter) of @vm for the CPUID leaf; false if unknown. */
bool vm_counter(const struct vm *vm, uint32_t idx, uint64_t *val);

/* vm_reset - the guest asked for a reset (@why): stop @vm, to be started afresh unless on_reboot=stop. */
void vm_reset(struct vm *vm, const char *why);

/* vm_restart_pending - re-create every VM stopped by a reset request from its module. */
void vm_restart_pending(void);

/*
 * vm_firmware_map - the ACPI and MP tables describing @vm (kernel/firmware.c)
 * in a read-only BIOS area at 0xe0000-0xfffff; sets vm->rsdp_gpa. Returns 0
 * or -errno.
 */
int vm_firmware_map(struct vm *vm);

/* vm_devices_init - the VM's PIC, PIT, UART and RTC, and its port map. */
void vm_devices_init(struct vm *vm);

/* vm_devices_update - advance device time to @now_ns (PIT ticks reach the PIC). */
void vm_devices_update(struct vm *vm, uint64_t now_ns);

/* vm_mmio_find - the MMIO region of @vm holding [gpa, gpa + n), or NULL. */
const struct vmmio_range *vm_mmio_find(const struct vm *vm, uint64_t gpa, uint64_t n);

/*
 * vm_port_access - a port access as the guest's bus answers it: the
 * debug-exit port ends the VM, a device's port goes to the device, and
 * nothing else floats (reads all ones, writes dropped, counted). The VM
 * may be stopped afterwards (debug exit, reset, power-off).
 */
void vm_port_access(struct vm *vm, uint16_t port, unsigned size, bool in, uint32_t *val);

/* vm_port_io - dispatch a port access to the VM's devices; 0, or -SV_ENOENT when none claims it. */
int vm_port_io(struct vm *vm, uint16_t port, unsigned size, bool in, uint32_t *val);

/* vm_console_flush - print what is left of the guest's current console line. */
void vm_console_flush(struct vm *vm);

/* vm_log_print - print the tail of @vm's console output. */
void vm_log_print(struct vm *vm);

/* vm_console_putc - a byte from the guest's UART: printed by line, prefixed "[name] ". */
void vm_console_putc(struct vm *vm, uint8_t c);

#endif
