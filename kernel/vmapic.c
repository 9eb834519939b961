// SPDX-License-Identifier: MIT
/*
 * vmapic.c - a VM's interrupt controllers wired as on a PC: a local APIC
 * per vCPU (drivers/vlapic.c), one I/O APIC (drivers/vioapic.c), and the
 * 8259 pair behind LINT0 of the boot vCPU's APIC in virtual-wire mode.
 *
 * ISA devices drive their lines into both the 8259s and the I/O APIC
 * (IRQ0 on pin 2), as a PC's chipset does; whichever the guest unmasks
 * delivers. Each vCPU's interrupt source (vcpu->intc) is its local APIC,
 * which hands out the 8259's vector while LINT0 is in ExtINT mode. The
 * APIC registers are reached at the APIC base through the instruction
 * emulator and as x2APIC MSRs (kernel/msr.c); the I/O APIC at 0xfec00000.
 */
#include "arch/x86/asm.h"
#include "kernel/arch.h"
#include "kernel/firmware.h"
#include "kernel/printk.h"
#include "kernel/vm.h"
#include "kernel/vmapic.h"
#include "mm/errno.h"

static uint64_t clock_ns(void *ctx)
{
	(void)ctx;
	return arch_now_ns();
}

static uint64_t guest_tsc(void *ctx)
{
	const struct vcpu *v = ctx;

	return arch_read_tsc() + v->tsc_offset;
}

/* lapic_eoi - an EOI for a level-triggered vector: the I/O APIC may deliver that line again. */
static void lapic_eoi(void *ctx, uint8_t vector)
{
	struct vcpu *v = ctx;

	vioapic_eoi(&v->vm->ioapic, vector);
}

/* lapic_ipi - an IPI the sender's APIC did not deliver itself: to the other vCPUs of the VM. */
static void lapic_ipi(void *ctx, const struct vlapic_ipi *m)
{
	struct vcpu *from = ctx;
	struct vm *vm = from->vm;

	vm_for_each_vcpu(vm, v) {
		if (v == from)
			continue;
		if (m->shorthand == VLAPIC_SH_NONE &&
		    !vlapic_match_dest(&v->lapic, m->dest, m->logical, m->x2apic))
			continue;
		if (m->mode == VLAPIC_DM_INIT || m->mode == VLAPIC_DM_STARTUP) {
			if (!vm->ipi_warned++)
				pr_info("vm %d '%s': INIT/SIPI to other vCPUs are not delivered yet\n",
					vm->id, vm->name);
			continue;
		}
		vlapic_accept(&v->lapic, m->mode, m->vector, m->level);
	}
}

/* ioapic_deliver - a redirection entry fired: to the local APICs its destination names. */
static void ioapic_deliver(void *ctx, uint8_t dest, bool logical, uint8_t mode, uint8_t vector,
			   bool level)
{
	struct vm *vm = ctx;

	vm_for_each_vcpu(vm, v) {
		if (!vlapic_match_dest(&v->lapic, dest, logical, false))
			continue;
		vlapic_accept(&v->lapic, mode, vector, level);
		if (mode == VLAPIC_DM_LOWEST)
			break;	/* one of them: the first, for now */
	}
}

/* The ISA lines as the chipset wires them: to the 8259 pair and to the I/O APIC. */
static bool isa_pending(const void *chip, uint8_t *vector)
{
	(void)chip;
	(void)vector;
	return false;
}

static uint8_t isa_ack(void *chip)
{
	(void)chip;
	return 0;
}

static void isa_set_line(void *chip, unsigned line, int level)
{
	struct vm *vm = chip;

	vpic_set_irq(&vm->pic, line, level);
	vioapic_set_irq(&vm->ioapic, vioapic_isa_pin(line), level);
}

bool vm_isa_irq_busy(struct vm *vm, unsigned line)
{
	const struct vpic_chip *pic = &vm->pic.chip[line < 8 ? 0 : 1];
	unsigned bit = line & 7, pin = vioapic_isa_pin(line);
	uint64_t rte;

	/* The 8259 holds the edge in IRR until the INTA, if the line is not masked. */
	if (!(pic->imr & (1u << bit)) && (pic->irr & (1u << bit)))
		return true;
	if (pin == VIOAPIC_NO_PIN)
		return false;
	rte = vm->ioapic.rte[pin];
	if (rte & VIOAPIC_RTE_MASKED)
		return false;
	/* Through the I/O APIC, an edge waits in the local APICs' IRR. */
	vm_for_each_vcpu(vm, v)
		if (vlapic_irr_has(&v->lapic, (uint8_t)(rte & VIOAPIC_RTE_VECTOR)))
			return true;
	return false;
}

static const struct intc_ops isa_ops = {
	.pending = isa_pending,
	.ack = isa_ack,
	.eoi = NULL,
	.set_line = isa_set_line,
};

/* lapic_mmio - the APIC page of the vCPU that accesses it; an APIC that does not decode it floats. */
static int lapic_mmio(void *dev, uint64_t offset, unsigned size, bool write, uint64_t *val)
{
	struct vm *vm = dev;
	struct vcpu *v = vm->cur_vcpu ? vm->cur_vcpu : &vm->vcpus[0];
	uint32_t v32 = (uint32_t)*val;
	int rc = vlapic_mmio(&v->lapic, (uint32_t)offset, size > 4 ? 4 : size, write, &v32);

	if (rc == -SV_ENOENT) {
		vm->hole_reads += !write;
		vm->hole_writes += write;
		vm->hole_last = (v->lapic.base_msr & ~0xfffull) + offset;
		v32 = 0xffffffffu;
		rc = 0;
	}
	if (!write)
		*val = size > 4 ? 0xffffffff00000000ull | v32 : v32;
	return rc;
}

static int ioapic_mmio(void *dev, uint64_t offset, unsigned size, bool write, uint64_t *val)
{
	struct vm *vm = dev;
	uint32_t v32 = (uint32_t)*val;
	int rc = vioapic_mmio(&vm->ioapic, (uint32_t)offset, size > 4 ? 4 : size, write, &v32);

	if (!write)
		*val = v32;
	return rc;
}

static void add_mmio(struct vm *vm, uint64_t base, uint64_t size, vmmio_fn fn)
{
	if (vm->n_mmio == VM_MMIO_MAX)
		panic("add_mmio: VM_MMIO_MAX too small");
	vm->mmio[vm->n_mmio++] = (struct vmmio_range){ base, size, fn, vm };
}

void vm_apic_init(struct vm *vm)
{
	vm->pic_intc = (struct intc){ &vpic_intc_ops, &vm->pic };
	vm->isa_irq = (struct intc){ &isa_ops, vm };
	vioapic_init(&vm->ioapic, (uint8_t)vm->nr_vcpus, ioapic_deliver, vm);
	vm_for_each_vcpu(vm, v) {
		struct vlapic_config cfg = {
			.apic_id = (uint32_t)v->id,
			.bsp = v->id == 0,
			.x2apic = true,
			.tsc_deadline = true,
			.tsc_hz = arch_tsc_khz() * 1000,
			.clock = clock_ns,
			.tsc = guest_tsc,
			.eoi = lapic_eoi,
			.ipi = lapic_ipi,
			.extint = &vm->pic_intc,
			.ctx = v,
		};

		vlapic_init(&v->lapic, &cfg);
		if (v->id == 0)
			vlapic_virtual_wire(&v->lapic);	/* what a BIOS leaves */
		v->intc = (struct intc){ &vlapic_intc_ops, &v->lapic };
	}
	vm->lapic_mmio = vm->n_mmio;
	add_mmio(vm, VLAPIC_DEFAULT_BASE, PAGE_SIZE, lapic_mmio);
	add_mmio(vm, VIOAPIC_DEFAULT_BASE, PAGE_SIZE, ioapic_mmio);
}

void vm_apic_base_moved(struct vcpu *v)
{
	struct vmmio_range *r = &v->vm->mmio[v->vm->lapic_mmio];
	uint64_t base;

	/* One region for every vCPU's APIC: they all sit at the base the boot vCPU's says. */
	if (v->id != 0)
		return;
	r->size = vlapic_mmio_enabled(&v->lapic, &base) ? PAGE_SIZE : 0;
	if (r->size)
		r->base = base;
}

void vm_apic_update(struct vm *vm, uint64_t now_ns)
{
	vm_for_each_vcpu(vm, v)
		vlapic_update(&v->lapic, now_ns);
}
