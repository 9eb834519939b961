// SPDX-License-Identifier: MIT
/* vcpustate.c - builders of a vCPU's first state (kernel/vcpustate.h). */
#include <string.h>

#include "kernel/vcpustate.h"
#include "kernel/x86def.h"

/* Descriptor attributes (SDM vol. 3A 3.4.5): P, S, DPL 0 and the type; G and D/B for 32-bit. */
#define ATTR_CODE32	0xc9b	/* execute/read, accessed; 4 KiB granular, 32-bit */
#define ATTR_DATA32	0xc93	/* read/write, accessed */
#define ATTR_TSS32_BUSY	0x08b	/* system segment type 11 */
#define ATTR_CODE16	0x09b	/* execute/read, accessed; byte granular, 16-bit */
#define ATTR_DATA16	0x093

static void seg(struct seg_state *s, uint16_t sel, uint16_t attr, uint32_t limit)
{
	s->sel = sel;
	s->attr = attr;
	s->limit = limit;
	s->base = 0;
}

void vcpu_state_flat32(struct vcpu_boot_state *s, uint32_t eip, uint16_t cs, uint16_t ds)
{
	memset(s, 0, sizeof(*s));
	seg(&s->seg[SEG_CS], cs, ATTR_CODE32, 0xffffffff);
	seg(&s->seg[SEG_ES], ds, ATTR_DATA32, 0xffffffff);
	seg(&s->seg[SEG_SS], ds, ATTR_DATA32, 0xffffffff);
	seg(&s->seg[SEG_DS], ds, ATTR_DATA32, 0xffffffff);
	seg(&s->seg[SEG_FS], ds, ATTR_DATA32, 0xffffffff);
	seg(&s->seg[SEG_GS], ds, ATTR_DATA32, 0xffffffff);
	/* No LDT; a task register the CPU accepts (VM entry insists on a busy TSS). */
	seg(&s->seg[SEG_TR], 0, ATTR_TSS32_BUSY, 0xffff);
	s->gdtr.limit = 0xffff;
	s->idtr.limit = 0x3ff;
	s->cr0 = CR0_PE | CR0_ET;
	s->rflags = RFLAGS_FIXED;
	s->rip = eip;
}

void vcpu_state_real16(struct vcpu_boot_state *s, uint16_t cs, uint16_t ip)
{
	memset(s, 0, sizeof(*s));
	for (int i = SEG_ES; i <= SEG_GS; i++) {
		seg(&s->seg[i], cs, i == SEG_CS ? ATTR_CODE16 : ATTR_DATA16, 0xffff);
		s->seg[i].base = (uint64_t)cs << 4;
	}
	seg(&s->seg[SEG_TR], 0, ATTR_TSS32_BUSY, 0xffff);
	s->gdtr.limit = 0xffff;
	s->idtr.limit = 0x3ff;	/* the real-mode IVT at 0 */
	s->cr0 = CR0_ET;
	s->rflags = RFLAGS_FIXED;
	s->rip = ip;
}
