// SPDX-License-Identifier: MIT
/*
 * tasks - hardware task switches, as a 32-bit kernel uses them (Linux's
 * i386 double-fault handler is a task gate): CALL to a TSS and IRET back
 * (back link, NT, busy bits, registers saved and restored, CR0.TS, a task
 * resumed where its IRET left it), JMP there and back, an exception with
 * an error code through a task gate (its error code on the new task's
 * stack, the saved EIP at the faulting instruction), INT n through a task
 * gate (the saved EIP past the INT), and a TSS with the T flag (#DB with
 * DR6.BT before the new task's first instruction).
 *
 * Bare CPUs (QEMU's TCG) switch tasks themselves; under sharevisor both
 * VMX and SVM exit on each and the hypervisor does it (emu/x86task.c),
 * except on QEMU's SVM, which has no task-switch intercept and lets the
 * guest switch natively. All must agree.
 */
#include "rt.h"

#define SEL_A		0x20	/* the task the runtime runs in */
#define SEL_B		0x28	/* called, returns with IRET */
#define SEL_C		0x30	/* jumped to, jumps back */
#define SEL_D		0x38	/* #GP through a task gate */
#define SEL_E		0x40	/* INT 0x1f through a task gate */
#define SEL_F		0x48	/* T flag */
#define NGDT		10
#define VEC_TASK	0x1f	/* reserved by Intel: nothing else raises it */
#define NT		0x4000u
#define CR0_TS		0x8u

static uint64_t gdt[NGDT] __attribute__((aligned(8)));
struct tss32 tss_a, tss_b, tss_c, tss_d, tss_e, tss_f;
static uint8_t stacks[5][2048] __attribute__((aligned(16)));

/* What the tasks saw, written by their code below. */
volatile uint32_t b_eax, b_esi, b_runs, b_eflags, b_cr0, c_runs, c_eflags, d_error, d_runs;
volatile uint32_t e_runs, f_runs;
volatile uint16_t b_tr, c_tr, d_tr;
volatile uint64_t b_gdt_a, b_gdt_b, c_gdt_a;
void task_b(void), task_c(void), task_d(void), task_e(void), task_f(void);
void gp_fixup(void);

/*
 * The tasks, in assembly: each one records what it sees and returns to A
 * (IRET, or a JMP for C), then loops, so that the next switch to it
 * resumes after that IRET or JMP.
 */
__asm__(
	".text\n"
	"task_b:\n"
	"	movl %eax, b_eax\n"
	"	movl %esi, b_esi\n"
	"1:	incl b_runs\n"
	"	pushfl\n"
	"	popl b_eflags\n"
	"	movl %cr0, %eax\n"
	"	movl %eax, b_cr0\n"
	"	str b_tr\n"
	"	movl gdt + 0x20, %eax\n"
	"	movl %eax, b_gdt_a\n"
	"	movl gdt + 0x24, %eax\n"
	"	movl %eax, b_gdt_a + 4\n"
	"	movl gdt + 0x28, %eax\n"
	"	movl %eax, b_gdt_b\n"
	"	movl gdt + 0x2c, %eax\n"
	"	movl %eax, b_gdt_b + 4\n"
	"	movl $0xdeadbeef, %eax\n"	/* A must not see this */
	"	movl $0xdeadbeef, %esi\n"
	"	iret\n"
	"	jmp 1b\n"
	"task_c:\n"
	"	incl c_runs\n"
	"	pushfl\n"
	"	popl c_eflags\n"
	"	str c_tr\n"
	"	movl gdt + 0x24, %eax\n"
	"	movl %eax, c_gdt_a + 4\n"
	"	ljmp $0x20, $0\n"
	"	jmp task_c\n"
	"task_d:\n"
	"	popl d_error\n"
	"	incl d_runs\n"
	"	str d_tr\n"
	"	movl $gp_fixup, tss_a + 0x20\n"	/* A resumes past its faulting MOV */
	"	iret\n"
	"	jmp task_d\n"
	"task_e:\n"
	"	incl e_runs\n"
	"	iret\n"
	"	jmp task_e\n"
	"task_f:\n"
	"	incl f_runs\n"
	"	iret\n"
	"	jmp task_f\n");

static uint64_t desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	return (limit & 0xffffull) | (uint64_t)(base & 0xffffff) << 16 | (uint64_t)access << 40 |
	       (uint64_t)((limit >> 16) & 0xf) << 48 | (uint64_t)flags << 52 |
	       (uint64_t)(base >> 24) << 56;
}

static unsigned type_of(uint64_t d)
{
	return (unsigned)(d >> 40) & 0xf;
}

static void tss_init(struct tss32 *t, void (*entry)(void), uint8_t *stack)
{
	rt_memset(t, 0, sizeof(*t));
	__asm__ volatile("mov %%cr3, %0" : "=r"(t->cr3));
	t->eip = (uint32_t)entry;
	t->eflags = 2;
	t->esp = (uint32_t)(stack + 2048);
	t->cs = 0x08;
	t->es = t->ss = t->ds = t->fs = t->gs = 0x10;
	t->iomap = sizeof(*t);
}

/* set_gate - IDT entry @vec := @gate; returns the entry it replaced. */
static uint64_t set_gate(unsigned vec, uint64_t gate)
{
	struct { uint16_t limit; uint32_t base; } __attribute__((packed)) idtr;
	volatile uint64_t *idt;
	uint64_t old;

	__asm__ volatile("sidt %0" : "=m"(idtr));
	idt = (volatile uint64_t *)idtr.base;
	old = idt[vec];
	idt[vec] = gate;
	return old;
}

/* task_gate - a task gate to TSS @sel, DPL 0 (SDM vol. 3A 7.2.5). */
static uint64_t task_gate(uint16_t sel)
{
	return (uint64_t)sel << 16 | 0x85ull << 40;
}

static uint16_t str(void)
{
	uint16_t tr;

	__asm__ volatile("str %0" : "=r"(tr));
	return tr;
}

static uint32_t eflags(void)
{
	uint32_t f;

	__asm__ volatile("pushfl; popl %0" : "=r"(f));
	return f;
}

static void setup(void)
{
	struct { uint16_t limit; uint32_t base; } __attribute__((packed)) gdtr, old;

	__asm__ volatile("sgdt %0" : "=m"(old));
	rt_memset(gdt, 0, sizeof(gdt));
	for (unsigned i = 0; i < 4 && 8 * i < old.limit; i++)	/* 0x08, 0x10, 0x18 */
		gdt[i] = ((const uint64_t *)old.base)[i];
	gdt[SEL_A / 8] = desc((uint32_t)&tss_a, sizeof(tss_a) - 1, 0x89, 0);
	gdt[SEL_B / 8] = desc((uint32_t)&tss_b, sizeof(tss_b) - 1, 0x89, 0);
	gdt[SEL_C / 8] = desc((uint32_t)&tss_c, sizeof(tss_c) - 1, 0x89, 0);
	gdt[SEL_D / 8] = desc((uint32_t)&tss_d, sizeof(tss_d) - 1, 0x89, 0);
	gdt[SEL_E / 8] = desc((uint32_t)&tss_e, sizeof(tss_e) - 1, 0x89, 0);
	gdt[SEL_F / 8] = desc((uint32_t)&tss_f, sizeof(tss_f) - 1, 0x89, 0);
	tss_init(&tss_a, NULL, stacks[0]);	/* filled in by the first switch away */
	tss_init(&tss_b, task_b, stacks[0]);
	tss_b.eax = 0x1111aaaa;
	tss_b.esi = 0x2222bbbb;
	tss_init(&tss_c, task_c, stacks[1]);
	tss_c.link = 0x7777;
	tss_init(&tss_d, task_d, stacks[2]);
	tss_init(&tss_e, task_e, stacks[3]);
	tss_init(&tss_f, task_f, stacks[4]);
	tss_f.trap = 1;
	/*
	 * The stacks get distinct bytes now, so that no switch meets a page the
	 * hypervisor has not populated or has shared (a zero page): QEMU's SVM
	 * has no task-switch intercept, and a native switch that takes a nested
	 * page fault half way is not restartable (docs/ARCHITECTURE.md).
	 */
	for (uint32_t i = 0, x = 1; i < sizeof(stacks); i++, x = x * 1103515245u + 12345u)
		((uint8_t *)stacks)[i] = (uint8_t)(x >> 16);
	gdtr.limit = sizeof(gdt) - 1;
	gdtr.base = (uint32_t)gdt;
	__asm__ volatile("lgdt %0; ltr %w1" : : "m"(gdtr), "r"(SEL_A) : "memory");
}

/* call_iret - CALL to B, IRET back: twice, the second resuming B after its IRET. */
static void call_iret(void)
{
	uint32_t out[4];

	for (uint32_t round = 1; round <= 2; round++) {
		__asm__ volatile("clts");
		__asm__ volatile("movl $0xa1a1a1a1, %%eax\n\t"
				 "movl $0xa2a2a2a2, %%ecx\n\t"
				 "movl $0xa3a3a3a3, %%edx\n\t"
				 "movl $0xa4a4a4a4, %%esi\n\t"
				 "lcall $0x28, $0\n\t"
				 "movl %%eax, 0(%%edi)\n\t"
				 "movl %%ecx, 4(%%edi)\n\t"
				 "movl %%edx, 8(%%edi)\n\t"
				 "movl %%esi, 12(%%edi)\n\t"
				 : : "D"(out) : "eax", "ecx", "edx", "esi", "memory");
		rt_printf("tasks: call %u: B ran %u times, saw eax %x esi %x eflags %x tr %x cr0.ts %u "
			  "link %x, types A %x B %x; back in A: %x %x %x %x, tr %x, types A %x B %x\n",
			  round, b_runs, b_eax, b_esi, b_eflags, b_tr, !!(b_cr0 & CR0_TS), tss_b.link,
			  type_of(b_gdt_a), type_of(b_gdt_b), out[0], out[1], out[2], out[3], str(),
			  type_of(gdt[SEL_A / 8]), type_of(gdt[SEL_B / 8]));
		EXPECT(b_runs == round);
		EXPECT(b_eax == 0x1111aaaa && b_esi == 0x2222bbbb);	/* loaded from B's TSS */
		EXPECT(b_eflags & NT);
		EXPECT(b_tr == SEL_B);
		EXPECT(b_cr0 & CR0_TS);
		EXPECT(tss_b.link == SEL_A);
		EXPECT(type_of(b_gdt_a) == 0xb && type_of(b_gdt_b) == 0xb);
		EXPECT(out[0] == 0xa1a1a1a1 && out[1] == 0xa2a2a2a2 && out[2] == 0xa3a3a3a3 &&
		       out[3] == 0xa4a4a4a4);
		EXPECT(str() == SEL_A);
		EXPECT(type_of(gdt[SEL_A / 8]) == 0xb && type_of(gdt[SEL_B / 8]) == 0x9);
		EXPECT(!(eflags() & NT));
		EXPECT(!(tss_b.eflags & NT));	/* IRET clears NT in the image it saves */
		EXPECT(tss_b.eax == 0xdeadbeef);
		EXPECT(RT_READ_REG(cr0) & CR0_TS);
	}
	__asm__ volatile("clts");
}

/* jmp_back - JMP to C and C's JMP back: busy bits follow, no link, no NT. */
static void jmp_back(void)
{
	for (uint32_t round = 1; round <= 2; round++) {
		__asm__ volatile("ljmp $0x30, $0" ::: "eax", "memory");
		rt_printf("tasks: jmp %u: C ran %u times, eflags %x tr %x, A's type there %x; "
			  "link %x, types A %x C %x\n", round, c_runs, c_eflags, c_tr,
			  type_of(c_gdt_a), tss_c.link, type_of(gdt[SEL_A / 8]),
			  type_of(gdt[SEL_C / 8]));
		EXPECT(c_runs == round);
		EXPECT(!(c_eflags & NT));
		EXPECT(c_tr == SEL_C);
		EXPECT(type_of(c_gdt_a) == 0x9);	/* A was free while C ran */
		EXPECT(tss_c.link == 0x7777);
		EXPECT(type_of(gdt[SEL_A / 8]) == 0xb && type_of(gdt[SEL_C / 8]) == 0x9);
	}
	__asm__ volatile("clts");
}

/* gp_gate - #GP(0x1230) through a task gate: the error code on D's stack, A restarted by D. */
static void __attribute__((noinline)) gp_gate(void)
{
	uint64_t old = set_gate(13, task_gate(SEL_D));

	__asm__ volatile("movw $0x1230, %%ax\n\t"
			 "movw %%ax, %%ds\n\t"
			 ".globl gp_fixup\n"
			 "gp_fixup:\n\t"
			 "movw $0x10, %%ax\n\t"
			 "movw %%ax, %%ds\n\t" ::: "eax", "memory");
	set_gate(13, old);	/* the runtime's own gate back */
	rt_printf("tasks: #GP gate: D ran %u times, error %x, tr %x; link %x, type D %x\n", d_runs,
		  d_error, d_tr, tss_d.link, type_of(gdt[SEL_D / 8]));
	EXPECT(d_runs == 1);
	EXPECT(d_error == 0x1230);
	EXPECT(d_tr == SEL_D);
	EXPECT(tss_d.link == SEL_A);
	EXPECT(type_of(gdt[SEL_D / 8]) == 0x9);
	EXPECT(str() == SEL_A);
	__asm__ volatile("clts");
}

/* int_gate - INT 0x1f through a task gate: A resumes past the INT. */
static void int_gate(void)
{
	volatile uint32_t after = 0;
	uint64_t old = set_gate(VEC_TASK, task_gate(SEL_E));

	__asm__ volatile("int $0x1f\n\t"
			 "movl $1, %0" : "=m"(after) : : "memory");
	set_gate(VEC_TASK, old);
	rt_printf("tasks: int gate: E ran %u times, resumed %u\n", e_runs, after);
	EXPECT(e_runs == 1 && after == 1);
	EXPECT(tss_e.link == SEL_A && str() == SEL_A);
	__asm__ volatile("clts");
}

static volatile uint32_t db_n, db_eip, db_dr6;

static void db_handler(struct rt_frame *f)
{
	db_n++;
	db_eip = f->eip;
	db_dr6 = RT_READ_REG(dr6);
	__asm__ volatile("mov %0, %%dr6" : : "r"(0u));
}

/* on_qemu - the CPU's brand string (CPUID 0x80000002-4) names QEMU. */
static bool on_qemu(void)
{
	char brand[49];

	if (cpuid(0x80000000u, 0).eax < 0x80000004u)
		return false;
	for (unsigned i = 0; i < 3; i++) {
		struct cpuid_regs r = cpuid(0x80000002u + i, 0);

		((uint32_t *)brand)[4 * i] = r.eax;
		((uint32_t *)brand)[4 * i + 1] = r.ebx;
		((uint32_t *)brand)[4 * i + 2] = r.ecx;
		((uint32_t *)brand)[4 * i + 3] = r.edx;
	}
	brand[48] = '\0';
	for (unsigned i = 0; i + 4 <= 48; i++)
		if (brand[i] == 'Q' && brand[i + 1] == 'E' && brand[i + 2] == 'M' && brand[i + 3] == 'U')
			return true;
	return false;
}

/* trap_flag - the T flag: #DB, DR6.BT, before F's first instruction. */
static void trap_flag(void)
{
	rt_set_handler(1, db_handler);
	__asm__ volatile("mov %0, %%dr6" : : "r"(0u));
	__asm__ volatile("lcall $0x48, $0" ::: "memory");
	rt_set_handler(1, NULL);
	rt_printf("tasks: T flag: %u #DB at %x (F at %x), dr6 %x, F ran %u times\n", db_n, db_eip,
		  (uint32_t)task_f, db_dr6, f_runs);
	EXPECT(f_runs == 1);
	if (db_n == 0 && on_qemu()) {
		rt_skip("QEMU's TCG does not raise the T flag's #DB (bare and under SVM)");
		return;
	}
	EXPECT(db_n == 1 && db_eip == (uint32_t)task_f && (db_dr6 & (1u << 15)));
	__asm__ volatile("clts");
}

static const struct rt_test tests[] = {
	{ "setup", setup },
	{ "call_iret", call_iret },
	{ "jmp_back", jmp_back },
	{ "gp_gate", gp_gate },
	{ "int_gate", int_gate },
	{ "trap_flag", trap_flag },
	{ NULL, NULL },
};

RT_GUEST("tasks", tests);
