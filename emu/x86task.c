// SPDX-License-Identifier: MIT
/*
 * x86task.c - the hardware task switch (SDM vol. 3A 7.3) and the
 * double-fault rules (6.15), for CPUs that exit instead of switching.
 *
 * The order is the architecture's: check the new TSS descriptor, translate
 * every access the switch will make before the commit point (so a #PF there
 * changes nothing), save the old task (EIP, EFLAGS, general and segment
 * registers), clear or set the busy bits, write the back link, then load
 * the new task: registers, EFLAGS, EIP, TR, CR0.TS, CR3, the LDT, then CS,
 * SS and the data segments with the checks of table 7-1, the error code of
 * an exception through a task gate, and the EIP limit check.
 *
 * Descriptor and TSS accesses are implicit supervisor-mode accesses
 * (4.6.1): the walk runs as CPL 0 with EFLAGS.AC ignored.
 */
#include <stddef.h>
#include <string.h>

#include "emu/x86priv.h"

#define EMU_CR0_TS	(1ull << 3)
#define EMU_NT		(1ull << 14)
#define EMU_EFLAGS_VALID 0x3f7fd5ull	/* the defined EFLAGS bits (vol. 1 3.4.3), bit 1 aside */

/* Descriptor bits (vol. 3A 3.4.5), as struct x86emu_seg.attr holds them. */
#define D_ACCESSED	0x001
#define D_WRITE		0x002	/* data: writable; code: readable */
#define D_CONFORM	0x004	/* code: conforming */
#define D_CODE		0x008
#define D_S		0x010
#define D_DPL(a)	(((a) >> 5) & 3)
#define D_BUSY		0x002	/* TSS types 3 and 11 */
#define TYPE_LDT	2

#define SEL_RPL(s)	((unsigned)(s) & 3)
#define SEL_TI		4u
#define SEL_NULL(s)	(((s) & 0xfffc) == 0)

/* The part of a TSS a switch reads and the part it saves (figures 7-2, 7-11). */
#define TSS32_MIN	0x67	/* smallest limit of a 32-bit TSS */
#define TSS16_MIN	0x2b
#define TSS32_SAVE	0x20	/* EIP .. GS: 0x20-0x5f */
#define TSS32_SAVE_LEN	0x40
#define TSS16_SAVE	0x0e	/* IP .. DS: 0x0e-0x29 */
#define TSS16_SAVE_LEN	0x1c

struct tsw {
	struct emu e;			/* implicit supervisor accesses */
	struct x86emu_cpu sys;		/* the CPU state those accesses see */
	struct x86emu_event *ev;
};

static int fault(struct tsw *w, unsigned vector, uint32_t error)
{
	return emu_fault(&w->e, vector, true, error);
}

static void sys_view(struct tsw *w, const struct x86emu_cpu *cpu)
{
	w->sys = *cpu;
	w->sys.cpl = 0;
	w->sys.rflags &= ~EMU_AC;
}

/* sys_prepare - translate [la, la+len) for an implicit access (len <= 4096). */
static int sys_prepare(struct tsw *w, uint64_t la, unsigned len, bool write, struct emu_access *a)
{
	return emu_translate(&w->e, la & 0xffffffffull, len, write ? ACC_RW : ACC_R, a);
}

/* sys_copy - read (write == false) or write the bytes of a prepared access, 8 at a time. */
static int sys_copy(struct tsw *w, const struct emu_access *a, uint8_t *buf, bool write)
{
	unsigned done = 0;

	for (unsigned i = 0; i < a->n; i++) {
		for (unsigned off = 0; off < a->len[i]; off += 8) {
			unsigned n = a->len[i] - off < 8 ? a->len[i] - off : 8;
			int r = write ? w->e.ops->write_phys(w->e.ctx, a->gpa[i] + off, buf + done, n)
				      : w->e.ops->read_phys(w->e.ctx, a->gpa[i] + off, buf + done, n);

			if (r)
				return EMU_BUS;
			done += n;
		}
	}
	return 0;
}

static uint32_t get16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | get16(p + 2) << 16;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

/* A descriptor as a segment register's cache would hold it. */
static struct x86emu_seg decode_desc(uint16_t sel, uint32_t lo, uint32_t hi)
{
	struct x86emu_seg s;

	s.sel = sel;
	s.base = (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000u);
	s.limit = (lo & 0xffff) | (hi & 0xf0000);
	if (hi & (1u << 23))	/* G: 4 KiB units */
		s.limit = s.limit << 12 | 0xfff;
	s.attr = (uint16_t)(((hi >> 8) & 0xff) | ((hi >> 12) & 0xf00));
	return s;
}

/*
 * read_desc - the descriptor @sel selects, from the GDT or the LDT in
 * @ldtr, with *at its linear address. A selector outside the table (or TI
 * with no LDT) faults with @vector(sel); so does a #PF of the read.
 */
static int read_desc(struct tsw *w, const struct x86emu_seg *ldtr, uint16_t sel, unsigned vector,
		     struct x86emu_seg *d, uint64_t *at)
{
	uint64_t base = w->sys.gdt_base, limit = w->sys.gdt_limit;
	struct emu_access a;
	uint8_t raw[8];
	int r;

	if (sel & SEL_TI) {
		if (!ldtr->attr)
			return fault(w, vector, sel & 0xfffc);
		base = ldtr->base;
		limit = ldtr->limit;
	}
	if ((uint64_t)(sel | 7u) > limit)
		return fault(w, vector, sel & 0xfffc);
	*at = base + (sel & ~7u);
	r = sys_prepare(w, *at, 8, false, &a);
	if (!r)
		r = sys_copy(w, &a, raw, false);
	if (r)
		return r;
	*d = decode_desc(sel, get32(raw), get32(raw + 4));
	return 0;
}

/* set_type - rewrite the type byte (descriptor byte 5) at descriptor address @at. */
static int set_type(struct tsw *w, uint64_t at, uint8_t type_byte)
{
	struct emu_access a;
	int r = sys_prepare(w, at + 5, 1, true, &a);

	return r ? r : sys_copy(w, &a, &type_byte, true);
}

/* mark_accessed - set the accessed bit in a descriptor being loaded, as the CPU does. */
static int mark_accessed(struct tsw *w, struct x86emu_seg *d, uint64_t at)
{
	int r = 0;

	if (!(d->attr & D_ACCESSED))
		r = set_type(w, at, (uint8_t)(d->attr | D_ACCESSED));
	d->attr |= D_ACCESSED;
	return r;
}

/* load_ldt - the new task's LDTR (table 7-1: #TS(LDT selector) for every failure). */
static int load_ldt(struct tsw *w, uint16_t sel, struct x86emu_seg *ldtr)
{
	struct x86emu_seg none = { .attr = 0 };
	uint64_t at;
	int r;

	*ldtr = (struct x86emu_seg){ .sel = sel };
	if (sel & SEL_TI)
		return fault(w, X86EMU_TS, sel & 0xfffc);
	if (SEL_NULL(sel))
		return 0;
	r = read_desc(w, &none, sel, X86EMU_TS, ldtr, &at);
	if (r)
		return r;
	if ((ldtr->attr & (D_S | EMU_SEG_TYPE)) != TYPE_LDT || !(ldtr->attr & EMU_SEG_P)) {
		*ldtr = (struct x86emu_seg){ .sel = sel };
		return fault(w, X86EMU_TS, sel & 0xfffc);
	}
	return 0;
}

/*
 * load_seg - check and load segment register @i of the new task at CPL
 * @cpl (CS.RPL), with table 7-1's faults: #TS(sel) for a bad selector or
 * descriptor, #NP(sel) (#SS for SS) when it is not present.
 */
static int load_seg(struct tsw *w, const struct x86emu_seg *ldtr, unsigned i, uint16_t sel,
		    unsigned cpl, struct x86emu_seg *d)
{
	unsigned err = sel & 0xfffc, type, dpl;
	uint64_t at;
	bool ok;
	int r;

	if (SEL_NULL(sel)) {
		*d = (struct x86emu_seg){ .sel = sel };	/* unusable */
		return i == X86EMU_CS || i == X86EMU_SS ? fault(w, X86EMU_TS, err) : 0;
	}
	r = read_desc(w, ldtr, sel, X86EMU_TS, d, &at);
	if (r)
		return r;
	type = d->attr & EMU_SEG_TYPE;
	dpl = D_DPL(d->attr);
	ok = d->attr & D_S;
	if (i == X86EMU_CS)
		ok = ok && (type & D_CODE) && ((type & D_CONFORM) ? dpl <= SEL_RPL(sel)
								   : dpl == SEL_RPL(sel));
	else if (i == X86EMU_SS)
		ok = ok && !(type & D_CODE) && (type & D_WRITE) && dpl == cpl && SEL_RPL(sel) == cpl;
	else
		ok = ok && (!(type & D_CODE) || (type & D_WRITE)) &&
		     (((type & (D_CODE | D_CONFORM)) == (D_CODE | D_CONFORM)) ||
		      (dpl >= cpl && dpl >= SEL_RPL(sel)));
	if (!ok)
		return fault(w, X86EMU_TS, err);
	if (!(d->attr & EMU_SEG_P))
		return fault(w, i == X86EMU_SS ? X86EMU_SS_FAULT : X86EMU_NP, err);
	return mark_accessed(w, d, at);
}

/* pdptes_ok - the four PAE PDPTEs at @cr3 have no reserved bit set where present (4.4.1). */
static int pdptes_ok(struct tsw *w, uint64_t cr3, bool *ok)
{
	uint8_t raw[8];

	*ok = true;
	for (unsigned i = 0; i < 4; i++) {
		uint64_t e;

		if (w->e.ops->read_phys(w->e.ctx, (cr3 & 0xffffffe0ull) + 8 * i, raw, 8))
			return EMU_BUS;
		e = get32(raw) | (uint64_t)get32(raw + 4) << 32;
		/* Bits 2:1 and 8:5 are reserved; MAXPHYADDR taken as 52, as in the walk. */
		if ((e & 1) && (e & (0x1e6ull | 0xfff0000000000000ull)))
			*ok = false;
	}
	return 0;
}

/* The new task's state as its TSS gives it. */
struct tss_image {
	uint32_t cr3, eip, eflags, gpr[8];
	uint16_t sel[X86EMU_NSEG], ldt;
	bool trap;
};

static void parse_tss(const uint8_t *b, bool is32, struct tss_image *n)
{
	/* The TSS stores ES CS SS DS (FS GS): the emulator's segment order. */
	if (is32) {
		n->cr3 = get32(b + 0x1c);
		n->eip = get32(b + 0x20);
		n->eflags = get32(b + 0x24);
		for (unsigned r = 0; r < 8; r++)
			n->gpr[r] = get32(b + 0x28 + 4 * r);
		for (unsigned s = 0; s < X86EMU_NSEG; s++)
			n->sel[s] = (uint16_t)get16(b + 0x48 + 4 * s);
		n->ldt = (uint16_t)get16(b + 0x60);
		n->trap = get16(b + 0x64) & 1;
	} else {
		n->cr3 = 0;
		n->eip = get16(b + 0x0e);
		n->eflags = get16(b + 0x10);
		for (unsigned r = 0; r < 8; r++)
			n->gpr[r] = 0xffff0000u | get16(b + 0x12 + 2 * r);
		for (unsigned s = 0; s < X86EMU_NSEG; s++)
			n->sel[s] = s < 4 ? (uint16_t)get16(b + 0x22 + 2 * s) : 0;
		n->ldt = (uint16_t)get16(b + 0x2a);
		n->trap = false;
	}
}

static void save_image(const struct x86emu_cpu *c, bool is32, uint32_t eflags, uint8_t *b)
{
	if (is32) {
		put32(b, (uint32_t)c->rip);
		put32(b + 4, eflags);
		for (unsigned r = 0; r < 8; r++)
			put32(b + 8 + 4 * r, (uint32_t)c->gpr[r]);
		for (unsigned s = 0; s < X86EMU_NSEG; s++)
			put16(b + 0x28 + 4 * s, c->seg[s].sel);	/* bits 31:16 stay */
	} else {
		put16(b, (uint32_t)c->rip);
		put16(b + 2, eflags);
		for (unsigned r = 0; r < 8; r++)
			put16(b + 4 + 2 * r, (uint32_t)c->gpr[r]);
		for (unsigned s = 0; s < 4; s++)
			put16(b + 0x14 + 2 * s, c->seg[s].sel);
	}
}

/*
 * load_new - after the commit point: CR3, LDTR and the segments, leaving
 * a state a CPU can run with when one of them faults (see x86emu.h).
 */
static int load_new(struct tsw *w, struct x86emu_cpu *cpu, const struct tss_image *n, bool is32)
{
	struct x86emu_seg seg[X86EMU_NSEG];
	static const unsigned order[] = { X86EMU_CS, X86EMU_SS, X86EMU_DS, X86EMU_ES,
					   X86EMU_FS, X86EMU_GS };
	unsigned cpl = SEL_RPL(n->sel[X86EMU_CS]), loaded = 0;
	bool ok;
	int r;

	for (unsigned s = 0; s < X86EMU_NSEG; s++)
		seg[s] = (struct x86emu_seg){ .sel = n->sel[s] };
	if (is32 && (cpu->cr0 & EMU_CR0_PG)) {
		if ((cpu->cr4 & EMU_CR4_PAE) && !(cpu->efer & EMU_EFER_LMA)) {
			r = pdptes_ok(w, n->cr3, &ok);
			if (r)
				return r;
			if (!ok) {
				r = fault(w, X86EMU_TS, 0);
				goto out;
			}
		}
		cpu->cr3 = n->cr3;
		sys_view(w, cpu);
	}
	r = load_ldt(w, n->ldt, &cpu->ldtr);
	if (cpu->rflags & EMU_VM) {
		/* Virtual-8086 mode: real-mode style segments at CPL 3 (20.1). */
		for (unsigned s = 0; s < X86EMU_NSEG; s++)
			cpu->seg[s] = (struct x86emu_seg){ n->sel[s], 0xf3, 0xffff,
							   (uint64_t)n->sel[s] << 4 };
		cpu->cpl = 3;
		return r;
	}
	for (; !r && loaded < X86EMU_NSEG; loaded++)
		r = load_seg(w, &cpu->ldtr, order[loaded], n->sel[order[loaded]], cpl,
			     &seg[order[loaded]]);
	if (r && loaded > 0)
		loaded--;		/* the one that faulted is not loaded */
out:
	/* CS and SS change together, so that CS.DPL and SS.DPL (the CPL) agree. */
	if (loaded >= 2) {
		cpu->seg[X86EMU_CS] = seg[X86EMU_CS];
		cpu->seg[X86EMU_SS] = seg[X86EMU_SS];
		cpu->cpl = cpl;
	}
	for (unsigned k = 2; k < X86EMU_NSEG; k++)
		cpu->seg[order[k]] = k < loaded ? seg[order[k]]
						: (struct x86emu_seg){ .sel = n->sel[order[k]] };
	return r;
}

/* push_error - the error code of an exception through a task gate, on the new task's stack. */
static int push_error(struct tsw *w, struct x86emu_cpu *cpu, bool is32, uint32_t error)
{
	struct emu e = { cpu, w->e.ops, w->e.ctx, w->ev, cpu->seg[X86EMU_CS].attr & EMU_SEG_DB ? 32 : 16 };
	bool big = cpu->seg[X86EMU_SS].attr & EMU_SEG_DB;
	unsigned size = is32 ? 4 : 2;
	uint64_t sp = cpu->gpr[X86EMU_RSP], nsp = (sp - size) & (big ? 0xffffffffull : 0xffff);
	struct emu_access a;
	int r = emu_prepare(&e, X86EMU_SS, nsp, size, ACC_W, &a);

	if (!r)
		r = emu_store(&e, &a, error);
	if (!r)
		cpu->gpr[X86EMU_RSP] = big ? nsp : (sp & ~0xffffull) | nsp;
	return r;
}

static enum x86emu_status status(int r)
{
	return r == EMU_BUS ? X86EMU_BUS : r ? X86EMU_EXCEPTION : X86EMU_DONE;
}

enum x86emu_status x86emu_task_switch(struct x86emu_cpu *cpu, const struct x86emu_ops *ops,
				      void *ctx, struct x86emu_task *t, struct x86emu_event *ev)
{
	struct tsw w = { .e = { .ops = ops, .ctx = ctx, .ev = ev, .mode = 32 }, .ev = ev };
	struct x86emu_seg none = { .attr = 0 }, nd;
	struct emu_access old_save, new_read, new_link, old_desc, new_desc;
	uint64_t nat, oat = cpu->gdt_base + (cpu->tr.sel & ~7u);
	bool iret = t->reason == X86EMU_TASK_IRET, jmp = t->reason == X86EMU_TASK_JMP;
	bool nest = !iret && !jmp, new32, old32;
	unsigned bad = iret ? X86EMU_TS : X86EMU_GP, ntype;
	uint8_t buf[TSS32_MIN + 1], link[2];
	struct tss_image n;
	uint32_t eflags;
	int r;

	w.e.cpu = &w.sys;
	t->committed = t->trap = false;
	memset(ev, 0, sizeof(*ev));
	if (!(cpu->cr0 & EMU_CR0_PE) || (cpu->efer & EMU_EFER_LMA))
		return X86EMU_UNSUPPORTED;
	sys_view(&w, cpu);

	/* The new TSS descriptor: in the GDT, a TSS, busy for IRET and free otherwise, present. */
	if (t->sel & SEL_TI)
		return status(fault(&w, bad, t->sel & 0xfffc));
	r = read_desc(&w, &none, t->sel, bad, &nd, &nat);
	if (r)
		return status(r);
	ntype = nd.attr & (D_S | EMU_SEG_TYPE);
	if ((ntype & ~(D_CODE | D_BUSY)) != 1 || !!(ntype & D_BUSY) != iret)
		return status(fault(&w, bad, t->sel & 0xfffc));
	if (!(nd.attr & EMU_SEG_P))
		return status(fault(&w, X86EMU_NP, t->sel & 0xfffc));
	new32 = ntype & D_CODE;
	old32 = cpu->tr.attr & D_CODE;
	if (nd.limit < (new32 ? TSS32_MIN : TSS16_MIN))
		return status(fault(&w, X86EMU_TS, t->sel & 0xfffc));
	if (cpu->tr.limit < (old32 ? TSS32_SAVE + TSS32_SAVE_LEN - 1 : TSS16_SAVE + TSS16_SAVE_LEN - 1))
		return status(fault(&w, X86EMU_TS, cpu->tr.sel & 0xfffc));

	/* Every access before the commit point, translated first. */
	r = sys_prepare(&w, cpu->tr.base + (old32 ? TSS32_SAVE : TSS16_SAVE),
			old32 ? TSS32_SAVE_LEN : TSS16_SAVE_LEN, true, &old_save);
	if (!r)
		r = sys_prepare(&w, nd.base, new32 ? TSS32_MIN + 1 : TSS16_MIN + 1, false, &new_read);
	if (!r && nest)
		r = sys_prepare(&w, nd.base, 2, true, &new_link);
	if (!r && !nest)
		r = sys_prepare(&w, oat + 5, 1, true, &old_desc);
	if (!r && !iret)
		r = sys_prepare(&w, nat + 5, 1, true, &new_desc);
	if (r)
		return status(r);

	/* Save the old task; IRET clears NT in the saved EFLAGS. */
	eflags = (uint32_t)cpu->rflags & ~(iret ? (uint32_t)EMU_NT : 0);
	r = sys_copy(&w, &old_save, buf, false);
	save_image(cpu, old32, eflags, buf);
	if (!r)
		r = sys_copy(&w, &old_save, buf, true);
	/* Busy bits: JMP and IRET free the old TSS; all but IRET mark the new one busy. */
	if (!r && !nest) {
		uint8_t type;

		r = sys_copy(&w, &old_desc, &type, false);
		type &= (uint8_t)~D_BUSY;
		if (!r)
			r = sys_copy(&w, &old_desc, &type, true);
	}
	if (!r && nest) {
		put16(link, cpu->tr.sel);
		r = sys_copy(&w, &new_link, link, true);
	}
	if (!r && !iret) {
		uint8_t type = (uint8_t)(nd.attr | D_BUSY);

		r = sys_copy(&w, &new_desc, &type, true);
	}
	if (!r)
		r = sys_copy(&w, &new_read, buf, false);
	if (r)
		return status(r);
	parse_tss(buf, new32, &n);

	/* Commit: the new task's registers, EFLAGS (NT set when nested), EIP, TR, CR0.TS. */
	t->committed = true;
	for (unsigned i = 0; i < 8; i++)
		cpu->gpr[i] = n.gpr[i];
	cpu->rflags = ((n.eflags | (nest ? EMU_NT : 0)) & EMU_EFLAGS_VALID) | 2;
	cpu->rip = n.eip;
	cpu->cr0 |= EMU_CR0_TS;
	cpu->tr = nd;
	cpu->tr.attr |= D_BUSY;
	r = load_new(&w, cpu, &n, new32);
	if (!r && t->reason == X86EMU_TASK_GATE && t->has_error)
		r = push_error(&w, cpu, new32, t->error);
	if (!r && cpu->rip > cpu->seg[X86EMU_CS].limit)
		r = fault(&w, X86EMU_GP, 0);
	t->trap = !r && n.trap;
	return status(r);
}

static bool contributory(unsigned v)
{
	return v == 0 || (v >= X86EMU_TS && v <= X86EMU_GP);
}

int x86emu_exception_merge(unsigned first, unsigned second)
{
	bool serious = contributory(second) || second == X86EMU_PF;

	if (first == X86EMU_DF)
		return serious ? -1 : (int)second;
	if ((contributory(first) && contributory(second)) || (first == X86EMU_PF && serious))
		return X86EMU_DF;
	return (int)second;
}
