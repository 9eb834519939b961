// SPDX-License-Identifier: MIT
/*
 * emulate.c - running one guest instruction through the emulator (emu/).
 *
 * Used where the CPU cannot complete an instruction itself: an access to
 * guest-physical space that is not RAM (a device's MMIO region, or a hole,
 * where reads return all ones and writes vanish, as on a PC bus) and string
 * port I/O (INS/OUTS, with REP), and LMSW on SVM (its operand may be in
 * memory, which the CPU does not decode for the hypervisor). The vCPU's
 * state goes into a struct x86emu_cpu, the emulator reaches guest memory
 * through vm_write_guest() (copy-on-write aware) and guest_read_phys(),
 * devices through the VM's MMIO regions and ports, and the state comes
 * back. A fault the emulator finds is injected into the guest; an
 * instruction it does not know stops the VM with the instruction's bytes
 * in the report.
 */
#include <string.h>

#include "emu/x86emu.h"
#include "kernel/emulate.h"
#include "kernel/gmem.h"
#include "kernel/mem.h"
#include "kernel/printk.h"
#include "kernel/vm.h"
#include "kernel/x86def.h"
#include "mm/errno.h"

static struct x86emu_seg emu_seg(const struct seg_state *s)
{
	return (struct x86emu_seg){ s->sel, s->attr, s->limit, s->base };
}

static struct seg_state seg_state(const struct x86emu_seg *s)
{
	return (struct seg_state){ s->sel, s->attr, s->limit, s->base };
}

static void load_cpu(struct vcpu *v, struct x86emu_cpu *c)
{
	struct seg_state s;

	memset(c, 0, sizeof(*c));
	for (unsigned i = 0; i < 16; i++)
		c->gpr[i] = vcpu_gpr(v, i);
	c->rip = virt->get_reg(v, VREG_RIP);
	c->rflags = virt->get_reg(v, VREG_RFLAGS);
	c->cr0 = virt->get_reg(v, VREG_CR0);
	c->cr3 = virt->get_reg(v, VREG_CR3);
	c->cr4 = virt->get_reg(v, VREG_CR4);
	c->efer = virt->get_reg(v, VREG_EFER);
	c->cpl = (unsigned)virt->get_reg(v, VREG_CPL);
	/* enum seg_reg and the emulator's segment order are both ES CS SS DS FS GS. */
	for (int i = 0; i < X86EMU_NSEG; i++) {
		virt->get_seg(v, i, &s);
		c->seg[i] = emu_seg(&s);
	}
}

static void store_cpu(struct vcpu *v, const struct x86emu_cpu *c)
{
	for (unsigned i = 0; i < 16; i++)
		vcpu_set_gpr(v, i, c->gpr[i]);
	virt->set_reg(v, VREG_RIP, c->rip);
	virt->set_reg(v, VREG_RFLAGS, c->rflags);
}

/* Guest-physical accesses: RAM, then the VM's MMIO regions, else a hole. */
static int emu_read_phys(void *ctx, uint64_t gpa, void *buf, unsigned len)
{
	struct vm *vm = ctx;
	const struct vmmio_range *r;
	uint64_t val = 0, hpa;

	if (vm_is_ram(vm, gpa, len))
		return guest_read_phys(vm, gpa, buf, len) ? X86EMU_BUS_ERROR : 0;
	if (((gpa ^ (gpa + len - 1)) & PAGE_MASK) == 0 && !p2m_lookup(&vm->p2m, gpa, &hpa, NULL)) {
		/* Mapped but not RAM: the read-only BIOS area (firmware tables). */
		memcpy(buf, (const uint8_t *)frame_va(&hv_frames, hpa & PAGE_MASK) + (gpa & ~PAGE_MASK), len);
		return 0;
	}
	r = vm_mmio_find(vm, gpa, len);
	if (r) {
		if (len > 8 || r->fn(r->dev, gpa - r->base, len, false, &val))
			return X86EMU_BUS_ERROR;
		memcpy(buf, &val, len);
		return 0;
	}
	memset(buf, 0xff, len);
	vm->hole_reads++;
	vm->hole_last = gpa;
	return 0;
}

static int emu_write_phys(void *ctx, uint64_t gpa, const void *buf, unsigned len)
{
	struct vm *vm = ctx;
	const struct vmmio_range *r;
	uint64_t val = 0;

	if (vm_is_ram(vm, gpa, len))
		return vm_write_guest(vm, gpa, buf, len) ? X86EMU_BUS_ERROR : 0;
	r = vm_mmio_find(vm, gpa, len);
	if (r) {
		if (len > 8)
			return X86EMU_BUS_ERROR;
		memcpy(&val, buf, len);
		return r->fn(r->dev, gpa - r->base, len, true, &val) ? X86EMU_BUS_ERROR : 0;
	}
	vm->hole_writes++;
	vm->hole_last = gpa;
	return 0;
}

static int emu_port_in(void *ctx, uint16_t port, unsigned size, uint32_t *val)
{
	vm_port_access(ctx, port, size, true, val);
	return 0;
}

static int emu_port_out(void *ctx, uint16_t port, unsigned size, uint32_t val)
{
	vm_port_access(ctx, port, size, false, &val);
	return 0;
}

static const struct x86emu_ops emu_ops = {
	.read_phys = emu_read_phys,
	.write_phys = emu_write_phys,
	.port_in = emu_port_in,
	.port_out = emu_port_out,
};

/* report - stop the VM: @what happened to the instruction at @c's CS:RIP (its bytes shown). */
static void report(struct vcpu *v, const struct x86emu_cpu *c, const char *what, uint64_t gpa)
{
	uint8_t b[8] = { 0 };
	uint64_t la = c->seg[X86EMU_CS].base + c->rip;

	guest_read_linear(v, la, b, sizeof(b));
	vm_stop(v->vm, -1, "%s (gpa %#llx, RIP %#llx: %02x %02x %02x %02x %02x %02x %02x %02x)", what,
		(unsigned long long)gpa, (unsigned long long)c->rip, b[0], b[1], b[2], b[3], b[4],
		b[5], b[6], b[7]);
}

enum exit_action emulate_insn(struct vcpu *v, uint64_t gpa)
{
	struct vm *vm = v->vm;
	struct x86emu_cpu c;
	struct x86emu_event ev;
	enum x86emu_status st;
	uint64_t cr0;

	load_cpu(v, &c);
	cr0 = c.cr0;
	vm->cur_vcpu = v;
	st = x86emu_step(&c, &emu_ops, vm, &ev);
	vm->cur_vcpu = NULL;
	vm->emulated++;
	/* A device may have ended the VM (debug-exit port, reset): its vCPU state is gone. */
	if (vm->state == VM_STOPPED)
		return EXIT_STOP;
	switch (st) {
	case X86EMU_DONE:
		/* LMSW: the new CR0 is checked as a MOV to CR0 would be. */
		if (c.cr0 != cr0 && !vcpu_write_cr(v, 0, c.cr0)) {
			vcpu_inject_fault(v, X86EMU_GP, true, 0);
			return EXIT_CONTINUE;
		}
		store_cpu(v, &c);
		virt->set_reg(v, VREG_INT_SHADOW, 0);	/* as skipping an instruction does */
		vcpu_insn_done(v);
		return EXIT_CONTINUE;
	case X86EMU_PARTIAL:
		store_cpu(v, &c);	/* REP iterations left: the instruction runs on */
		return EXIT_CONTINUE;
	case X86EMU_EXCEPTION:
		/* Iterations a REP instruction completed stay done, as on hardware. */
		store_cpu(v, &c);
		if (ev.vector == X86EMU_PF)
			virt->set_reg(v, VREG_CR2, ev.cr2);
		vcpu_inject_fault(v, ev.vector, ev.has_error, ev.error);
		return EXIT_CONTINUE;
	case X86EMU_UNSUPPORTED:
		report(v, &c, "instruction not emulated", gpa);
		return EXIT_STOP;
	case X86EMU_BUS:
	default:
		report(v, &c, "device or memory error during emulation", gpa);
		return EXIT_STOP;
	}
}

/* store_task - the whole state a task switch changes, back into the vCPU. */
static void store_task(struct vcpu *v, const struct x86emu_cpu *c)
{
	struct seg_state s;

	store_cpu(v, c);
	virt->set_reg(v, VREG_CR0, c->cr0);
	virt->set_reg(v, VREG_CR3, c->cr3);
	for (int i = 0; i < X86EMU_NSEG; i++) {
		s = seg_state(&c->seg[i]);
		virt->set_seg(v, i, &s);
	}
	s = seg_state(&c->ldtr);
	virt->set_seg(v, SEG_LDTR, &s);
	s = seg_state(&c->tr);
	virt->set_seg(v, SEG_TR, &s);
	/* The CPU clears the local breakpoint enables at every task switch. */
	v->dbg.dr7 &= ~DR7_LOCAL;
}

enum exit_action emulate_task_switch(struct vcpu *v, const struct vm_exit *e)
{
	struct x86emu_task t = { .sel = e->task.sel, .reason = e->task.reason,
				 .has_error = e->task.has_error, .error = e->task.error };
	struct virt_event db = { EVENT_EXCEPTION, VEC_DB, false, 0 };
	struct x86emu_cpu c;
	struct x86emu_event ev;
	enum x86emu_status st;
	struct seg_state s;
	int vec;

	load_cpu(v, &c);
	virt->get_seg(v, SEG_LDTR, &s);
	c.ldtr = emu_seg(&s);
	virt->get_seg(v, SEG_TR, &s);
	c.tr = emu_seg(&s);
	c.gdt_base = virt->get_reg(v, VREG_GDT_BASE);
	c.gdt_limit = (uint32_t)virt->get_reg(v, VREG_GDT_LIMIT);
	c.rip = (c.rip + e->task.insn_len) & 0xffffffffull;	/* the EIP the old TSS keeps */
	st = x86emu_task_switch(&c, &emu_ops, v->vm, &t, &ev);
	v->vm->emulated++;
	if (st == X86EMU_UNSUPPORTED || st == X86EMU_BUS) {
		vm_stop(v->vm, -1, "task switch to TSS %#x: %s", e->task.sel,
			st == X86EMU_BUS ? "device or memory error" : "not in protected mode");
		return EXIT_STOP;
	}
	if (t.committed)
		store_task(v, &c);
	if (st == X86EMU_EXCEPTION) {
		vec = ev.vector;
		/* A fault before the commit point cut short the delivery of an exception. */
		if (!t.committed && e->task.exception)
			vec = x86emu_exception_merge(e->task.vector, ev.vector);
		if (vec < 0) {
			vm_stop(v->vm, -1, "triple fault (task switch to TSS %#x while delivering #DF)",
				e->task.sel);
			return EXIT_STOP;
		}
		if (vec == X86EMU_PF)
			virt->set_reg(v, VREG_CR2, ev.cr2);
		if (vec == X86EMU_DF)
			vcpu_inject_fault(v, X86EMU_DF, true, 0);
		else
			vcpu_inject_fault(v, ev.vector, ev.has_error, ev.error);
	} else if (t.trap) {
		virt->set_reg(v, VREG_DR6, virt->get_reg(v, VREG_DR6) | DR6_BT);
		virt->inject(v, &db);
	}
	return EXIT_CONTINUE;
}
