// SPDX-License-Identifier: MIT
/*
 * x86walk.c - from an operand's offset to guest-physical pieces:
 * segmentation, the guest's own page walk, and split accesses.
 *
 * The walk follows the guest's paging mode (SDM vol. 3A 4.3-4.5):
 *
 *   CR0.PG = 0                 linear == physical (32 bits)
 *   CR4.PAE = 0                PD -> PT, 32-bit entries; PDE.PS = 4 MiB with CR4.PSE
 *   CR4.PAE = 1, EFER.LMA = 0  PDPTE (one of 4 at CR3) -> PD -> PT; PDE.PS = 2 MiB
 *   EFER.LMA = 1               PML4 -> PDPT -> PD -> PT; 1 GiB and 2 MiB leaves
 *
 * Rights accumulate down the walk (SDM vol. 3A 4.6): writable only if every
 * level has R/W, user only if every level has U/S, not executable if any
 * level has XD (with EFER.NXE). Accessed bits are set once the translation
 * is known to succeed, the dirty bit for writes; each update writes the
 * entry's low byte through write_phys so that a copy-on-write frame holding
 * a page table is broken by the hypervisor like any other guest write.
 */
#include <stddef.h>
#include <string.h>

#include "emu/x86priv.h"

#define PG_P	0x001ull
#define PG_W	0x002ull
#define PG_U	0x004ull
#define PG_A	0x020ull
#define PG_D	0x040ull
#define PG_PS	0x080ull
#define PG_XD	(1ull << 63)
#define ADDR52	0x000ffffffffff000ull

int emu_fault(struct emu *e, unsigned vector, bool has_error, uint32_t error)
{
	e->ev->vector = (uint8_t)vector;
	e->ev->has_error = has_error;
	e->ev->error = error;
	e->ev->cr2 = 0;
	return EMU_EXC;
}

static int pf(struct x86emu_event *ev, uint64_t la, uint32_t error)
{
	ev->vector = X86EMU_PF;
	ev->has_error = true;
	ev->error = error;
	ev->cr2 = la;
	return 1;
}

static int read_entry(const struct x86emu_ops *ops, void *ctx, uint64_t gpa, unsigned esize,
		      uint64_t *ent)
{
	uint32_t e32;

	*ent = 0;
	if (esize == 4) {
		if (ops->read_phys(ctx, gpa, &e32, 4))
			return X86EMU_BUS_ERROR;
		*ent = e32;
		return 0;
	}
	return ops->read_phys(ctx, gpa, ent, 8) ? X86EMU_BUS_ERROR : 0;
}

/*
 * The entries a walk used, to set their A (and the leaf's D) bits
 * afterwards. Only the low byte of an entry holds them.
 */
struct walk_trail {
	uint64_t gpa[4];
	uint8_t low[4];
	unsigned n;
};

static void trail_add(struct walk_trail *t, uint64_t gpa, uint64_t ent)
{
	t->gpa[t->n] = gpa;
	t->low[t->n] = (uint8_t)ent;
	t->n++;
}

static int set_ad(const struct x86emu_ops *ops, void *ctx, struct walk_trail *t, bool write)
{
	for (unsigned i = 0; i < t->n; i++) {
		uint8_t low = (uint8_t)(t->low[i] | PG_A);

		if (i == t->n - 1 && write)
			low |= PG_D;
		if (low != t->low[i] && ops->write_phys(ctx, t->gpa[i], &low, 1))
			return X86EMU_BUS_ERROR;
	}
	return 0;
}

/*
 * Reserved bits of a 64-bit paging entry at level lvl (1 = PT .. 4 = PML4)
 * beyond the address width (SDM vol. 3A 4.5, tables 4-14 to 4-20; physical
 * addresses are taken as 52 bits wide).
 */
static bool reserved64(uint64_t ent, int lvl, bool nxe)
{
	if ((ent & PG_XD) && !nxe)
		return true;
	if (lvl == 4 && (ent & PG_PS))
		return true;
	if (lvl == 3 && (ent & PG_PS) && (ent & 0x3fffe000ull))
		return true;		/* a 1 GiB page: bits 29:13 */
	if (lvl == 2 && (ent & PG_PS) && (ent & 0x1fe000ull))
		return true;		/* a 2 MiB page: bits 20:13 */
	return false;
}

int x86emu_linear_to_phys(const struct x86emu_cpu *cpu, const struct x86emu_ops *ops,
			  void *ctx, uint64_t la, bool write, bool user, bool fetch,
			  uint64_t *gpa, struct x86emu_event *ev)
{
	bool pae = cpu->cr4 & EMU_CR4_PAE, lma = cpu->efer & EMU_EFER_LMA;
	bool nxe = (cpu->efer & EMU_EFER_NXE) && pae;
	bool can_w = true, can_u = true, nx = false;
	uint32_t ecode = (write ? X86EMU_PF_W : 0) | (user ? X86EMU_PF_U : 0);
	struct walk_trail trail = { .n = 0 };
	uint64_t table, ent = 0, out;
	unsigned esize = pae ? 8 : 4;
	int lvl;

	if (fetch && ((cpu->cr4 & EMU_CR4_SMEP) || nxe))
		ecode |= X86EMU_PF_I;
	if (!(cpu->cr0 & EMU_CR0_PG)) {
		*gpa = la & 0xffffffffull;
		return 0;
	}
	if (!lma)
		la &= 0xffffffffull;
	if (lma) {
		lvl = 4;
		table = cpu->cr3 & ADDR52;
	} else if (pae) {
		/* PAE: PDPTE i = bits 31:30; the PDPTE has P but no rights or A bit. */
		uint64_t at = (cpu->cr3 & 0xffffffe0ull) + ((la >> 30) & 3) * 8;

		if (read_entry(ops, ctx, at, 8, &ent))
			return X86EMU_BUS_ERROR;
		if (!(ent & PG_P))
			return pf(ev, la, ecode);
		/*
		 * The PDPTEs were checked when the CPU loaded them (MOV to CR3 on
		 * Intel, SDM vol. 3A 4.4.1) and the guest's own walk got this far;
		 * their reserved bits are not checked again: QEMU's TCG sets bit 5
		 * (accessed) in them, as AMD's PAE PDPEs allow.
		 */
		lvl = 2;
		table = ent & ADDR52;
	} else {
		lvl = 2;
		table = cpu->cr3 & 0xfffff000ull;
	}

	for (;; lvl--) {
		unsigned shift = pae ? 12 + 9 * (lvl - 1) : 12 + 10 * (lvl - 1);
		unsigned idx = (unsigned)(la >> shift) & (pae ? 511 : 1023);
		uint64_t at = table + idx * esize;
		bool leaf;

		if (read_entry(ops, ctx, at, esize, &ent))
			return X86EMU_BUS_ERROR;
		if (!(ent & PG_P))
			return pf(ev, la, ecode);
		if (pae && reserved64(ent, lvl, nxe))
			return pf(ev, la, ecode | X86EMU_PF_P | X86EMU_PF_RSVD);
		if (!pae && lvl == 2 && (ent & PG_PS) && (cpu->cr4 & EMU_CR4_PSE) &&
		    (ent & (1ull << 21)))
			return pf(ev, la, ecode | X86EMU_PF_P | X86EMU_PF_RSVD);
		can_w = can_w && (ent & PG_W);
		can_u = can_u && (ent & PG_U);
		nx = nx || (nxe && (ent & PG_XD));
		trail_add(&trail, at, ent);
		leaf = lvl == 1 || ((ent & PG_PS) && (lvl < 4) && (pae || (cpu->cr4 & EMU_CR4_PSE)));
		if (leaf) {
			uint64_t off = la & ((1ull << shift) - 1);

			if (!pae && lvl == 2)	/* PSE-36: bits 20:13 are address bits 39:32 */
				out = (ent & 0xffc00000ull) | (((ent >> 13) & 0xff) << 32);
			else
				out = ent & ADDR52 & ~((1ull << shift) - 1);
			out |= off;
			break;
		}
		table = ent & (pae ? ADDR52 : 0xfffff000ull);
	}

	/* Rights (SDM vol. 3A 4.6). */
	ecode |= X86EMU_PF_P;
	if (user) {
		if (!can_u || (write && !can_w))
			return pf(ev, la, ecode);
	} else {
		if (write && !can_w && (cpu->cr0 & EMU_CR0_WP))
			return pf(ev, la, ecode);
		if (fetch && can_u && (cpu->cr4 & EMU_CR4_SMEP))
			return pf(ev, la, ecode);
		if (!fetch && can_u && (cpu->cr4 & EMU_CR4_SMAP) && !(cpu->rflags & EMU_AC))
			return pf(ev, la, ecode);
	}
	if (fetch && nx)
		return pf(ev, la, ecode);
	if (set_ad(ops, ctx, &trail, write))
		return X86EMU_BUS_ERROR;
	*gpa = out;
	return 0;
}

static bool canonical(uint64_t la)
{
	return (uint64_t)((int64_t)(la << 16) >> 16) == la;
}

/*
 * Segment checks (SDM vol. 3A 5.3-5.5): a null/unusable segment, a write to
 * code or read-only data, a read of execute-only code, and the limit (for
 * expand-down data the valid offsets are limit+1 .. 0xffff or 0xffffffff).
 * Faults are #SS(0) through SS and #GP(0) otherwise.
 */
int emu_linear(struct emu *e, unsigned seg, uint64_t off, unsigned size, enum emu_acc acc,
	       uint64_t *la)
{
	const struct x86emu_seg *s = &e->cpu->seg[seg];
	unsigned vec = seg == X86EMU_SS ? X86EMU_SS_FAULT : X86EMU_GP;
	uint64_t last = off + size - 1;

	if (e->mode == 64) {
		/* SDM vol. 3A 3.2.4: only FS and GS have a base; all bytes canonical. */
		*la = off + (seg == X86EMU_FS || seg == X86EMU_GS ? s->base : 0);
		if (!canonical(*la) || !canonical(*la + size - 1))
			return emu_fault(e, vec, true, 0);
		return 0;
	}
	if (e->cpu->cr0 & EMU_CR0_PE) {
		unsigned type = s->attr & EMU_SEG_TYPE;
		bool code = type & 8;

		if (!s->attr || !(s->attr & EMU_SEG_P))
			return emu_fault(e, vec, true, 0);
		if (acc != ACC_X) {
			if ((acc != ACC_R) && (code || !(type & 2)))
				return emu_fault(e, vec, true, 0);
			if (acc != ACC_W && code && !(type & 2))
				return emu_fault(e, vec, true, 0);
		}
		if (!code && (type & 4)) {	/* expand-down */
			uint64_t upper = s->attr & EMU_SEG_DB ? 0xffffffffull : 0xffffull;

			if (off <= s->limit || last > upper)
				return emu_fault(e, vec, true, 0);
		} else if (last > s->limit) {
			return emu_fault(e, vec, true, 0);
		}
	} else if (last > s->limit) {
		return emu_fault(e, vec, true, 0);	/* real mode: the cached limit */
	}
	*la = (s->base + off) & 0xffffffffull;
	return 0;
}

int emu_translate(struct emu *e, uint64_t la, unsigned size, enum emu_acc acc,
		  struct emu_access *a)
{
	const struct x86emu_cpu *cpu = e->cpu;
	uint64_t wrap = e->mode == 64 ? ~0ull : 0xffffffffull;	/* legacy linear addresses wrap at 4 GiB */
	unsigned done = 0;

	a->n = 0;
	a->size = size;
	while (done < size) {
		uint64_t at = (la + done) & wrap;
		unsigned chunk = 4096 - (unsigned)(at & 4095);
		int r;

		if (chunk > size - done)
			chunk = size - done;
		r = x86emu_linear_to_phys(cpu, e->ops, e->ctx, at, acc == ACC_W || acc == ACC_RW,
					  cpu->cpl == 3, acc == ACC_X, &a->gpa[a->n], e->ev);
		if (r)
			return r == 1 ? EMU_EXC : EMU_BUS;
		a->len[a->n++] = chunk;
		done += chunk;
	}
	return 0;
}

int emu_prepare(struct emu *e, unsigned seg, uint64_t off, unsigned size, enum emu_acc acc,
		struct emu_access *a)
{
	uint64_t la;
	int r = emu_linear(e, seg, off, size, acc, &la);

	return r ? r : emu_translate(e, la, size, acc, a);
}

int emu_load(struct emu *e, const struct emu_access *a, uint64_t *val)
{
	uint8_t buf[8] = { 0 };
	unsigned done = 0;

	for (unsigned i = 0; i < a->n; i++) {
		if (e->ops->read_phys(e->ctx, a->gpa[i], buf + done, a->len[i]))
			return EMU_BUS;
		done += a->len[i];
	}
	*val = 0;
	for (unsigned i = 0; i < a->size; i++)
		*val |= (uint64_t)buf[i] << (8 * i);
	return 0;
}

int emu_store(struct emu *e, const struct emu_access *a, uint64_t val)
{
	uint8_t buf[8];
	unsigned done = 0;

	for (unsigned i = 0; i < a->size; i++)
		buf[i] = (uint8_t)(val >> (8 * i));
	for (unsigned i = 0; i < a->n; i++) {
		if (e->ops->write_phys(e->ctx, a->gpa[i], buf + done, a->len[i]))
			return EMU_BUS;
		done += a->len[i];
	}
	return 0;
}
