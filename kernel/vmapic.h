/* SPDX-License-Identifier: MIT */
/* vmapic.h - a VM's local APICs and I/O APIC, wired as on a PC (kernel/vmapic.c). */
#ifndef SV_KERNEL_VMAPIC_H
#define SV_KERNEL_VMAPIC_H

#include <stdbool.h>
#include <stdint.h>

struct vm;
struct vcpu;

/* vm_apic_init - every vCPU's local APIC (the boot one in virtual-wire mode), the I/O APIC, their MMIO. */
void vm_apic_init(struct vm *vm);

/* vm_apic_base_moved - after a write to IA32_APIC_BASE of @v: the APIC page follows the base. */
void vm_apic_base_moved(struct vcpu *v);

/*
 * vm_isa_irq_busy - the last edge of ISA IRQ @line still waits to be taken:
 * in the 8259's IRR (line unmasked there) or, through an unmasked I/O APIC
 * entry, in a local APIC's IRR. A new edge now would merge with it.
 */
bool vm_isa_irq_busy(struct vm *vm, unsigned line);

/* vm_apic_update - advance the local APIC timers to @now_ns. */
void vm_apic_update(struct vm *vm, uint64_t now_ns);

#endif
