// SPDX-License-Identifier: MIT
/*
 * hostile - a seeded hostile guest: does, step by step from a xorshift
 * PRNG, what a buggy or malicious kernel might do to its hypervisor, and
 * survives its own faults. Every exception vector and every interrupt
 * (all 256 IDT gates) lands in one handler that restores this guest's GDT,
 * IDT, segments, CR0, CR4, EFER, DR7, TR and LDTR and resumes at the next
 * step (a setjmp-like recovery point in asm), so one step's damage does not
 * end the run.
 *
 * Options: seed=N (default 1), mode=LIST (comma-separated, default all),
 * steps=N (per mode, default 200), pages=N (storm pages, default 16),
 * rounds=N (storm rounds, default 6), verbose=1 (a line per step),
 * v86=0 (insn: no virtual-8086 steps; Bochs's AMD model panics on them),
 * from=N and to=N (execute only steps N..M of each mode, the others are
 * drawn from the PRNG but skipped: to narrow a failure down to one step).
 *
 * Modes that normally survive (mode=all runs them in this order):
 *   insn   random bytes and instruction templates from a scratch page, in
 *          ring 3 (segments confined to scratch pages, TSS stack for
 *          faults, a PIT tick as watchdog) and in virtual-8086 mode
 *   io     IN/OUT of 1, 2 and 4 bytes on interesting and random ports
 *   msr    RDMSR/WRMSR on interesting and random MSRs, random values
 *   crx    random writes to CR0 (PE kept, PG only with good tables), CR3,
 *          CR4, CR8 (AMD's LOCK MOV CR0 form), EFER, XCR0, DR0-DR7
 *   int    INT n for every n 0..255, then random n, also INT3/INTO/INT1
 *   desc   garbage GDT/LDT/IDT contents and limits, random selector loads,
 *          far JMP/CALL and IRET with garbage frames, LAR/LSL/VERR/VERW
 *   virt   VMX and SVM instructions, GETSEC, MONITOR/MWAIT, random registers
 *   hcall  VMCALL/VMMCALL (by vendor) with random registers, never EXIT
 *   storm  pages the scanner merges (zero, repeated unit, dup by seed, code),
 *          then write storms checked byte by byte against a shadow copy
 * Modes that end the VM (each a terminal action; the hypervisor must stop
 * this VM alone, or handle it as hardware would):
 *   cr     the known-bad sequence first (CR0.PE off/on then DR0-3/DR7; EFER.LME,
 *          CR4.PAE|PSE, CR0.PG with a 32-bit PSE page directory: long mode with
 *          the wrong tables, a triple fault on hardware), then crx steps
 *   insn0  random bytes in ring 0 (segments confined; may triple-fault)
 *   strio  INS/OUTS with and without REP, random ECX and DF, in and out of RAM
 *   mem    loads/stores at 3 GiB, the PC hole, the IOAPIC, the LAPIC, past the
 *          end of RAM and at 64 GiB - 1 (PAE): one access per step
 *   triple a deliberate triple fault (by seed: empty IDT, garbage IDT under an
 *          injected #GP, paging with garbage tables, a stack that cannot fault)
 *   task   a hardware task switch (far JMP to a TSS)
 *   halt   cli; hlt (a real hypervisor keeps the VM halted)
 * Each mode prints "hostile: mode=M seed=S steps=N faults=F ... done"; at
 * the end "hostile: seed=S all done" and exit 0 through port 0xf4.
 */
#include "rt.h"
#include "../../kernel/hvabi.h"

#define PAGE		4096u
#define NGDT		24
#define SEL_CODE	0x08
#define SEL_DATA	0x10
#define SEL_R3CODE	0x18	/* ring 3, base = scratch code, 4 KiB */
#define SEL_R3DATA	0x20	/* ring 3, base = scratch data, 64 KiB */
#define SEL_TSS		0x28
#define SEL_C0CODE	0x30	/* ring 0, confined like the ring-3 pair */
#define SEL_C0DATA	0x38
#define SEL_LDT		0x40
#define SEL_TSS2	0x48	/* a second TSS, only for the task mode */
#define SEL_SPARE	0x50	/* 0x50..0xb8: garbage for the desc mode */
#define NSPARE		(NGDT - SEL_SPARE / 8)
#define SCRATCH_DATA	0x10000u
#define V86_CODE	0x7000u	/* low RAM: V86 code at 0700:0000 */

#define MSR_EFER	0xc0000080u
#define MSR_PAT		0x277u
#define EFER_LME	(1ull << 8)
#define CR0_PE		(1u << 0)
#define CR0_ET		(1u << 4)
#define CR0_NE		(1u << 5)
#define CR0_WP		(1u << 16)
#define CR0_NW		(1u << 29)
#define CR0_CD		(1u << 30)
#define CR0_PG		(1u << 31)
#define CR4_PSE		(1u << 4)
#define CR4_PAE		(1u << 5)

/* ---- the CPU state this guest restores after every step ---- */

struct dtr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

struct gate {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
} __attribute__((packed));

uint64_t hgdt[NGDT] __attribute__((aligned(8)));
struct gate hidt[256] __attribute__((aligned(8)));
struct dtr hgdtr, hidtr;
static struct tss32 tss, tss2;
static uint8_t exc_stack[8192] __attribute__((aligned(16)));
static uint8_t scratch_code[PAGE] __attribute__((aligned(PAGE)));
static uint8_t scratch_data[SCRATCH_DATA] __attribute__((aligned(PAGE)));
static uint64_t ldt[8] __attribute__((aligned(8)));
static uint64_t junk_gdt[64] __attribute__((aligned(8)));
static struct gate junk_idt[256] __attribute__((aligned(8)));
static uint32_t pgdir[1024] __attribute__((aligned(PAGE)));	/* 4 MiB PSE identity */
static uint32_t user_pd[1024] __attribute__((aligned(PAGE)));	/* the insn modes' (below) */
static uint32_t cr0_good, cr4_good;
static uint64_t efer_good, pat_good;
static bool have_efer, have_pat, intel;

/* Set by the trap path, read by step_call's caller. */
volatile uint32_t step_active, recov_esp, step_vec, step_eip, step_cs;
volatile uint32_t r3regs[8];	/* eax ecx edx ebx esp(ignored) ebp esi edi */
extern const uint32_t hostile_stubs[256];
extern char landing_pad[];

/* step_call - run FN(ARG); a fault or interrupt inside returns its vector, else -1. */
int step_call(void (*fn)(void *), void *arg);
void enter_frame(const uint32_t *frame, uint32_t nwords, uint32_t dsel);

/*
 * The stubs push a dummy error code where the CPU pushes none (for software
 * INT n of an error-code vector the frame is off by one word: the step path
 * never returns through it). trap_entry first reloads this guest's GDT and
 * CS (a step may have loaded garbage), then either resumes at the recovery
 * point (a step was running) or handles a harness-time event and IRETs:
 * #DB from a DR7 breakpoint a step left behind (DR7 cleared), an IRQ (EOI).
 */
__asm__(
	".text\n"
	".macro hstub v\n"
	"hstub\\v:\n"
	".if (\\v == 8) || (\\v >= 10 && \\v <= 14) || (\\v == 17) || (\\v == 21) || (\\v == 29) || (\\v == 30)\n"
	"\tpushl $\\v\n"
	".else\n"
	"\tpushl $0\n\tpushl $\\v\n"
	".endif\n"
	"\tjmp trap_entry\n"
	".endm\n"
	".altmacro\n"
	".set i, 0\n"
	".rept 256\n"
	"\thstub %i\n"
	".set i, i+1\n"
	".endr\n"
	".macro hptr v\n"
	"\t.long hstub\\v\n"
	".endm\n"
	".section .rodata\n"
	".balign 4\n"
	".globl hostile_stubs\n"
	"hostile_stubs:\n"
	".set i, 0\n"
	".rept 256\n"
	"\thptr %i\n"
	".set i, i+1\n"
	".endr\n"
	".noaltmacro\n"
	".text\n"
	"trap_entry:\n"
	"\tlgdt %cs:hgdtr\n"
	"\tljmp $0x08, $1f\n"
	"1:\tpushl %eax\n"
	"\tmovl $0x10, %eax\n"
	"\tmovw %ax, %ds\n"
	"\tmovw %ax, %es\n"
	"\tcmpl $0, step_active\n"
	"\tje 3f\n"
	"\tmovl 4(%esp), %eax\n"
	"\tmovl %eax, step_vec\n"
	"\tmovl 12(%esp), %eax\n"
	"\tmovl %eax, step_eip\n"
	"\tmovl 16(%esp), %eax\n"
	"\tmovl %eax, step_cs\n"
	"\tmovl $0x10, %eax\n"
	"\tmovw %ax, %ss\n"
	"\tmovl recov_esp, %esp\n"
	"\tmovw %ax, %fs\n"
	"\tmovw %ax, %gs\n"
	"\tlidt hidtr\n"
	"\tpushl $2\n"
	"\tpopfl\n"
	"\tmovl $0, step_active\n"
	"\tmovl step_vec, %eax\n"
	"\tjmp step_out\n"
	/* harness time: #DB (clear DR7), IRQ vectors (EOI both PICs), else fatal */
	"3:\tmovl 4(%esp), %eax\n"
	"\tcmpl $1, %eax\n"
	"\tjne 4f\n"
	"\tmovl $0x400, %eax\n"
	"\tmovl %eax, %dr7\n"
	"\tjmp 5f\n"
	"4:\tcmpl $32, %eax\n"
	"\tjb 6f\n"
	"\tmovb $0x20, %al\n"
	"\toutb %al, $0xa0\n"
	"\toutb %al, $0x20\n"
	"5:\tpopl %eax\n"
	"\taddl $8, %esp\n"
	"\tiret\n"
	"6:\tpushl %esp\n"
	"\tcall harness_fault\n"
	/* step_call(fn, arg): callee-saved registers, then the recovery ESP */
	".globl step_call\n"
	"step_call:\n"
	"\tpushl %ebp\n\tpushl %ebx\n\tpushl %esi\n\tpushl %edi\n"
	"\tmovl %esp, recov_esp\n"
	"\tmovl 20(%esp), %eax\n"
	"\tpushl 24(%esp)\n"
	"\tmovl $1, step_active\n"
	"\tcall *%eax\n"
	"\tmovl $0, step_active\n"
	"\taddl $4, %esp\n"
	"\tmovl $-1, %eax\n"
	"step_out:\n"
	"\tpopl %edi\n\tpopl %esi\n\tpopl %ebx\n\tpopl %ebp\n"
	"\tret\n"
	/*
	 * enter_frame(frame, nwords, dsel): push FRAME (nwords words, last word
	 * first on the stack is frame[nwords-1]), load DS/ES/FS/GS with DSEL,
	 * the step's registers from r3regs, and IRET into the step.
	 */
	".globl enter_frame\n"
	"enter_frame:\n"
	"\tmovl 4(%esp), %esi\n"
	"\tmovl 8(%esp), %ecx\n"
	"\tmovl 12(%esp), %edx\n"
	"7:\tpushl -4(%esi,%ecx,4)\n"
	"\tloop 7b\n"
	"\tmovw %dx, %es\n"
	"\tmovw %dx, %fs\n"
	"\tmovw %dx, %gs\n"
	"\tmovl r3regs+4, %ecx\n"
	"\tmovl r3regs+12, %ebx\n"
	"\tmovl r3regs+20, %ebp\n"
	"\tmovl r3regs+24, %esi\n"
	"\tmovl r3regs+28, %edi\n"
	"\tmovl r3regs+0, %eax\n"
	"\tmovw %dx, %ds\n"
	"\tmovl %cs:r3regs+8, %edx\n"
	"\tiret\n"
	/* where far jumps, calls and IRETs of the desc mode land: #UD in any mode */
	".globl landing_pad\n"
	"landing_pad:\n"
	"\tud2\n"
	"\tud2\n");

void harness_fault(const uint32_t *sp) __attribute__((noreturn));

/* harness_fault - a fault outside any step: this guest's own bug; report and exit 3. */
void harness_fault(const uint32_t *sp)
{
	rt_printf("hostile: fault %u err %x at eip %x outside a step\n", sp[1], sp[2], sp[3]);
	rt_exit(3);
}

/* ---- seeded PRNG (xorshift32) ---- */

static uint32_t rng;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static uint32_t rnd_n(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static uint64_t rnd64(void)
{
	uint64_t hi = rnd();

	return hi << 32 | rnd();
}

/* rnd_bits - a random value that is more often 0, ~0, one bit or a flip of BASE. */
static uint32_t rnd_bits(uint32_t base)
{
	switch (rnd_n(6)) {
	case 0: return 0;
	case 1: return ~0u;
	case 2: return 1u << rnd_n(32);
	case 3: return base ^ (1u << rnd_n(32));
	case 4: return base ^ rnd();
	default: return rnd();
	}
}

/* ---- descriptors ---- */

static uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	return (uint64_t)(limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 |
	       (uint64_t)access << 40 | (uint64_t)((limit >> 16) & 0xf) << 48 |
	       (uint64_t)(flags & 0xf) << 52 | (uint64_t)(base >> 24) << 56;
}

static void set_gate(struct gate *g, uint32_t off, uint16_t sel, uint8_t type)
{
	g->off_lo = (uint16_t)off;
	g->off_hi = (uint16_t)(off >> 16);
	g->sel = sel;
	g->zero = 0;
	g->type = type;
}

/*
 * sane_desc - random descriptor bytes, made harmless to this guest: gates
 * and TSSs are marked not present (a call gate would jump anywhere, a task
 * switch is the task mode's), code segments get base 0 (a far jump lands
 * on landing_pad, whatever the segment's size).
 */
static uint64_t sane_desc(void)
{
	uint64_t d = rnd64();
	uint8_t access = (uint8_t)(d >> 40);

	if (!(access & 0x10)) {			/* system descriptor */
		if ((access & 0xf) != 2)	/* not an LDT: gate or TSS or reserved */
			d &= ~(1ull << 47);
	} else if (access & 0x08) {		/* code */
		d &= ~(0xffffffull << 16 | 0xffull << 56);
		d |= 0xfull << 48 | 0xffffull;	/* limit at least 1 MiB, 4 KiB pages or bytes */
	}
	return d;
}

static void load_tables(void)
{
	__asm__ volatile("lgdt %0; lidt %1" : : "m"(hgdtr), "m"(hidtr) : "memory");
}

/* reload_tr - TR := the TSS (clear the busy bit first: LTR takes an available TSS). */
static void reload_tr(void)
{
	hgdt[SEL_TSS / 8] &= ~(1ull << 41);
	__asm__ volatile("ltr %w0" : : "r"(SEL_TSS) : "memory");
}

static void setup_cpu(void)
{
	hgdt[0] = 0;
	hgdt[1] = 0x00cf9a000000ffffull;
	hgdt[2] = 0x00cf92000000ffffull;
	hgdt[SEL_R3CODE / 8] = seg_desc((uint32_t)scratch_code, PAGE - 1, 0xfa, 0x4);
	hgdt[SEL_R3DATA / 8] = seg_desc((uint32_t)scratch_data, SCRATCH_DATA - 1, 0xf2, 0x4);
	hgdt[SEL_TSS / 8] = seg_desc((uint32_t)&tss, sizeof(tss) - 1, 0x89, 0);
	hgdt[SEL_C0CODE / 8] = seg_desc((uint32_t)scratch_code, PAGE - 1, 0x9a, 0x4);
	hgdt[SEL_C0DATA / 8] = seg_desc((uint32_t)scratch_data, SCRATCH_DATA - 1, 0x92, 0x4);
	hgdt[SEL_LDT / 8] = seg_desc((uint32_t)ldt, sizeof(ldt) - 1, 0x82, 0);
	hgdt[SEL_TSS2 / 8] = 0;	/* present only in the task mode */
	hgdtr.limit = sizeof(hgdt) - 1;
	hgdtr.base = (uint32_t)hgdt;
	for (unsigned int v = 0; v < 256; v++)
		set_gate(&hidt[v], hostile_stubs[v], SEL_CODE, 0x8e);
	hidtr.limit = sizeof(hidt) - 1;
	hidtr.base = (uint32_t)hidt;
	tss.ss0 = SEL_DATA;
	tss.esp0 = (uint32_t)(exc_stack + sizeof(exc_stack));
	tss.iomap = sizeof(tss);	/* no I/O bitmap: ring 3 and V86 I/O #GP */
	load_tables();
	__asm__ volatile("ljmp $0x08, $1f; 1: mov %0, %%ds; mov %0, %%es; mov %0, %%ss;"
			 "mov %0, %%fs; mov %0, %%gs" : : "r"(SEL_DATA) : "memory");
	reload_tr();
	__asm__ volatile("lldt %w0" : : "r"(0));
	for (uint32_t i = 0; i < 1024; i++)
		pgdir[i] = (i << 22) | 0x83;	/* present, writable, 4 MiB */
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0_good));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4_good));
	cr0_good &= ~CR0_PG;
	have_efer = rt_rdmsr_probe(MSR_EFER, &efer_good) < 0;
	have_pat = rt_rdmsr_probe(MSR_PAT, &pat_good) < 0;
	intel = rt_cpu_is_intel();
}

/* ---- after every step: this guest's own state back ---- */

static bool touched_efer, touched_dr, touched_pat, touched_pic, touched_uart;

static void pic_setup(uint8_t mask)
{
	static const uint8_t seq[][2] = {
		{ 0x20, 0x11 }, { 0xa0, 0x11 }, { 0x21, RT_IRQ_BASE }, { 0xa1, RT_IRQ_BASE + 8 },
		{ 0x21, 0x04 }, { 0xa1, 0x02 }, { 0x21, 0x01 }, { 0xa1, 0x01 }, { 0xa1, 0xff },
	};

	for (unsigned int i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
		outb(seq[i][0], seq[i][1]);
	outb(0x21, mask);
}

static void restore_cpu(int vec)
{
	uint32_t cr0, cr4;
	uint16_t tr;
	uint64_t v;

	load_tables();
	__asm__ volatile("ljmp $0x08, $1f; 1: mov %0, %%ds; mov %0, %%es; mov %0, %%fs;"
			 "mov %0, %%gs" : : "r"(SEL_DATA) : "memory");
	__asm__ volatile("lldt %w0" : : "r"(0));
	__asm__ volatile("str %w0" : "=r"(tr));
	if (tr != SEL_TSS || (hgdt[SEL_TSS / 8] >> 40 & 0x9f) != 0x8b) {
		hgdt[SEL_TSS / 8] = seg_desc((uint32_t)&tss, sizeof(tss) - 1, 0x89, 0);
		reload_tr();
	}
	tss.ss0 = SEL_DATA;
	tss.esp0 = (uint32_t)(exc_stack + sizeof(exc_stack));
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	if ((cr0 & CR0_PG) && cr0 != cr0_good) {	/* off first: CR4.PAE may have changed */
		cr0 &= ~CR0_PG;
		__asm__ volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
	}
	if (cr0_good & CR0_PG)
		__asm__ volatile("mov %0, %%cr3" : : "r"(user_pd) : "memory");
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	if (cr4 != cr4_good)
		__asm__ volatile("mov %0, %%cr4" : : "r"(cr4_good) : "memory");
	if (cr0 != cr0_good)
		__asm__ volatile("mov %0, %%cr0" : : "r"(cr0_good) : "memory");
	if (touched_efer && have_efer && (rt_rdmsr_probe(MSR_EFER, &v) >= 0 || v != efer_good))
		rt_wrmsr_probe(MSR_EFER, efer_good);
	if (touched_pat && have_pat)
		rt_wrmsr_probe(MSR_PAT, pat_good);
	if (touched_dr)
		__asm__ volatile("mov %0, %%dr7; mov %1, %%dr6" : : "r"(0x400), "r"(0xffff0ff0));
	if (vec >= RT_IRQ_BASE && vec < RT_IRQ_BASE + 16) {
		if (vec >= RT_IRQ_BASE + 8)
			outb(0xa0, 0x20);
		outb(0x20, 0x20);
	}
}

/* ---- the step loop ---- */

struct mode_stats {
	uint32_t steps, faults, irqs, vec_hist[4];	/* #UD, #GP, #PF/#SS/#NP, other */
};

static struct mode_stats ms;
static bool verbose;
static uint32_t seed;

static uint32_t skip_below, skip_above = ~0u;	/* from=N, to=N: run only those steps */

static int run_step(void (*fn)(void *), void *arg)
{
	int v;

	if (ms.steps < skip_below || ms.steps > skip_above) {
		ms.steps++;
		return -1;
	}
	v = step_call(fn, arg);

	restore_cpu(v);
	ms.steps++;
	if (v >= 0) {
		if (v >= RT_IRQ_BASE && v < RT_IRQ_BASE + 16)
			ms.irqs++;
		else
			ms.faults++;
		ms.vec_hist[v == 6 ? 0 : v == 13 ? 1 : (v == 14 || v == 12 || v == 11) ? 2 : 3]++;
	}
	return v;
}

static void say(const char *what, uint32_t a, uint32_t b)
{
	if (verbose)
		rt_printf("hostile: step %u %s %x %x\n", ms.steps, what, a, b);
}

/* ---- insn: random bytes and templates in ring 3, V86 and (insn0) ring 0 ---- */

static const uint8_t prefixes[] = { 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65 };

/* A few interesting system instructions: bytes, then a random ModRM may follow. */
static const uint8_t templates[][4] = {
	{ 3, 0x0f, 0x01, 0xf9 },	/* rdtscp */
	{ 2, 0x0f, 0x33 },		/* rdpmc */
	{ 2, 0x0f, 0x34 },		/* sysenter */
	{ 2, 0x0f, 0x35 },		/* sysexit */
	{ 2, 0x0f, 0x05 },		/* syscall */
	{ 2, 0x0f, 0x07 },		/* sysret */
	{ 2, 0x0f, 0xa2 },		/* cpuid */
	{ 2, 0x0f, 0xc7 },		/* rdrand/rdseed/cmpxchg8b/vmptrld... + modrm */
	{ 2, 0x0f, 0xae },		/* xsave family, fences + modrm */
	{ 3, 0x0f, 0x01, 0xd0 },	/* xgetbv */
	{ 3, 0x0f, 0x01, 0xd1 },	/* xsetbv */
	{ 2, 0x0f, 0x21 },		/* mov from dr + modrm */
	{ 2, 0x0f, 0x23 },		/* mov to dr + modrm */
	{ 2, 0x0f, 0x20 },		/* mov from cr + modrm */
	{ 2, 0x0f, 0x22 },		/* mov to cr + modrm */
	{ 2, 0x0f, 0x00 },		/* sldt/str/lldt/ltr/verr/verw + modrm */
	{ 2, 0x0f, 0x01 },		/* sgdt/sidt/lgdt/lidt/smsw/lmsw/invlpg + modrm */
	{ 3, 0x0f, 0x01, 0xc1 },	/* vmcall */
	{ 3, 0x0f, 0x01, 0xd9 },	/* vmmcall */
	{ 3, 0x0f, 0x01, 0xd8 },	/* vmrun */
	{ 3, 0x0f, 0x01, 0xc8 },	/* monitor */
	{ 3, 0x0f, 0x01, 0xc9 },	/* mwait */
	{ 1, 0xf4 },			/* hlt */
	{ 1, 0xcf },			/* iret */
	{ 1, 0xea },			/* jmp far ptr16:32 */
	{ 1, 0x9a },			/* call far ptr16:32 */
	{ 1, 0x8e },			/* mov sreg + modrm */
	{ 1, 0xcd },			/* int n */
	{ 1, 0xe4 },			/* in al, imm8 */
	{ 1, 0x6c },			/* insb */
	{ 2, 0x0f, 0x30 },		/* wrmsr */
	{ 2, 0x0f, 0x32 },		/* rdmsr */
	{ 2, 0x0f, 0x08 },		/* invd */
	{ 2, 0x0f, 0x09 },		/* wbinvd */
	{ 2, 0x0f, 0x37 },		/* getsec */
	{ 2, 0x0f, 0x78 },		/* vmread + modrm */
};

/*
 * v86_filter - V86 code reaches linear addresses up to 0x10ffef, this
 * guest's image at 1 MiB included: no segment register loads (MOV Sreg,
 * POP Sreg, LxS) and no far transfers (JMP/CALL/RET far, FF /3 /5), so DS,
 * ES, SS and CS keep their bases below 0x18000 (approximate: bytes, not
 * decoded instructions, so some operands change too).
 */
static void v86_filter(uint8_t *code, uint32_t size)
{
	for (uint32_t i = 0; i < size; i++) {
		uint8_t b = code[i];

		if (b == 0x8e || b == 0x07 || b == 0x17 || b == 0x1f || b == 0xc4 || b == 0xc5 ||
		    b == 0xea || b == 0x9a || b == 0xca || b == 0xcb)
			code[i] = 0x90;
		else if (b == 0x0f && i + 1 < size &&
			 (code[i + 1] == 0xa1 || code[i + 1] == 0xa9 || code[i + 1] == 0xb2 ||
			  code[i + 1] == 0xb4 || code[i + 1] == 0xb5))
			code[i + 1] = 0x90;
		else if (b == 0xff && i + 1 < size &&
			 (((code[i + 1] >> 3) & 7) == 3 || ((code[i + 1] >> 3) & 7) == 5))
			code[i + 1] &= ~0x08;
	}
}

/*
 * qemu_filter - QEMU 7.2's TCG aborts (tcg.c:3243, "tcg fatal error") on a
 * LOCK-prefixed BT, BTS, BTR or BTC with a register operand that starts a
 * translation block; hardware gives #UD, and the hypervisor never sees the
 * instruction. Every such LOCK, at any offset (jumps land anywhere), becomes
 * a NOP, so a run tests the hypervisor rather than QEMU.
 */
static void qemu_filter(uint8_t *code, uint32_t size)
{
	for (uint32_t i = 0; i < size; i++) {
		uint32_t j = i;

		if (code[i] != 0xf0)
			continue;
		while (j + 1 < size && j - i < 14 &&
		       (code[j + 1] == 0xf0 || code[j + 1] == 0x66 || code[j + 1] == 0x67 ||
			code[j + 1] == 0xf2 || code[j + 1] == 0xf3 || code[j + 1] == 0x26 ||
			code[j + 1] == 0x2e || code[j + 1] == 0x36 || code[j + 1] == 0x3e ||
			code[j + 1] == 0x64 || code[j + 1] == 0x65))
			j++;
		if (j + 3 < size && code[j + 1] == 0x0f && code[j + 3] >= 0xc0 &&
		    (code[j + 2] == 0xa3 || code[j + 2] == 0xab || code[j + 2] == 0xb3 ||
		     code[j + 2] == 0xbb || code[j + 2] == 0xba))
			code[i] = 0x90;
	}
}

/* gen_code - fill the scratch code page: random bytes or a template, then UD2s. */
static void gen_code(uint8_t *code, uint32_t size, bool ring0)
{
	uint32_t n = 0, len, kind = rnd_n(8);

	for (uint32_t i = 0; i + 1 < size; i += 2)
		code[i] = 0x0f, code[i + 1] = 0x0b;
	if (kind < 3) {
		len = 4 + rnd_n(60);
		while (n < len)
			code[n++] = (uint8_t)rnd();
	} else {
		for (uint32_t p = rnd_n(4); p; p--)
			code[n++] = prefixes[rnd_n(sizeof(prefixes))];
		if (kind == 3) {		/* VEX, EVEX, XOP-looking */
			static const uint8_t esc[] = { 0xc4, 0xc5, 0x62, 0x8f };
			code[n++] = esc[rnd_n(4)];
		} else if (kind == 4) {
			code[n++] = 0x0f;
		} else {
			const uint8_t *t = templates[rnd_n(sizeof(templates) / sizeof(templates[0]))];
			for (uint32_t i = 1; i <= t[0]; i++)
				code[n++] = t[i];
		}
		for (uint32_t i = 0; i < 8; i++)
			code[n++] = (uint8_t)rnd();
	}
	if (!ring0)
		return;
	/*
	 * Ring 0 keeps IF=1 for the watchdog and its own IDT and GDT: no CLI,
	 * POPF, IRET, LGDT/LIDT (ModRM reg 2/3 after 0F 01), MOV CR0, MOV SS,
	 * POP SS (approximate: bytes, not decoded instructions).
	 */
	for (uint32_t i = 0; i < size; i++) {
		uint8_t b = code[i];

		if (b == 0xfa || b == 0x9d || b == 0xcf)
			code[i] = 0x90;
		else if (b == 0x17)
			code[i] = 0x1f;
		else if (i + 2 < size && b == 0x0f && code[i + 1] == 0x01 &&
			 ((code[i + 2] >> 3) & 7) >= 2 && ((code[i + 2] >> 3) & 7) <= 3 &&
			 code[i + 2] < 0xc0)
			code[i + 2] &= ~0x10;
		else if (i + 2 < size && b == 0x0f && code[i + 1] == 0x22 && !(code[i + 2] & 0x38))
			code[i + 2] |= 0x10;
		else if (i + 1 < size && b == 0x8e && ((code[i + 1] >> 3) & 7) == 2)
			code[i + 1] |= 0x08;
	}
}

static void rnd_regs(void)
{
	for (int i = 0; i < 8; i++)
		r3regs[i] = rnd_n(4) ? rnd() : rnd_n(0x100);
}

/* step_ring3 - IRET to CPL 3 in the confined segments at offset 0, IF=1. */
static void step_ring3(void *arg)
{
	uint32_t frame[5] = { 0, SEL_R3CODE | 3, 0x202 | (rnd_n(4) ? 0 : 0x40000 | 0x100),
			      0x8000 + rnd_n(0x7000), SEL_R3DATA | 3 };

	(void)arg;
	frame[2] &= ~0x100u;	/* TF only from the code itself */
	enter_frame(frame, 5, SEL_R3DATA | 3);
}

/* step_v86 - IRET to virtual-8086 mode at 0700:0000, IOPL 0, IF=1. */
static void step_v86(void *arg)
{
	uint32_t frame[9] = { 0, V86_CODE >> 4, 0x20202, 0xfffe, 0x0800,
			      0x0800, 0x0800, 0x0800, 0x0800 };

	(void)arg;
	enter_frame(frame, 9, SEL_DATA);
}

/* step_ring0 - IRET (same privilege) into the confined ring-0 segments, IF=1. */
static void step_ring0(void *arg)
{
	uint32_t *top = (uint32_t *)(scratch_data + 0xfff0);

	(void)arg;
	top[-3] = 0;
	top[-2] = SEL_C0CODE;
	top[-1] = 0x202;
	r3regs[5] = 0xffe4;	/* EBP = ESP: LEAVE stays inside */
	__asm__ volatile("mov %0, %%ss; mov %1, %%esp; jmp enter_frame_r0"
			 : : "r"(SEL_C0DATA), "r"(0xffe4) : "memory");
}

__asm__(".text\n"
	"enter_frame_r0:\n"
	"\tmovw $0x38, %dx\n"
	"\tmovw %dx, %es\n\tmovw %dx, %fs\n\tmovw %dx, %gs\n"
	"\tmovl %cs:r3regs+4, %ecx\n\tmovl %cs:r3regs+12, %ebx\n"
	"\tmovl %cs:r3regs+20, %ebp\n\tmovl %cs:r3regs+24, %esi\n"
	"\tmovl %cs:r3regs+28, %edi\n\tmovl %cs:r3regs+0, %eax\n"
	"\tmovw %dx, %ds\n"
	"\tmovl %cs:r3regs+8, %edx\n"
	"\tiret\n");

/*
 * Paging for the insn modes: QEMU's TCG checks neither code nor data
 * segment limits, so the confined segments alone do not keep ring-3 code
 * inside its scratch pages there. With paging on, only the scratch pages
 * (and V86's low RAM) are user pages: anything else is a #PF for ring 3.
 */
static uint32_t user_pt[1024] __attribute__((aligned(PAGE)));
static uint32_t saved_cr0, saved_cr4;

static void user_paging(bool on)
{
	if (!on) {
		cr0_good = saved_cr0;
		cr4_good = saved_cr4;
		restore_cpu(-1);
		return;
	}
	for (uint32_t i = 0; i < 1024; i++) {
		uint32_t a = i << 12;
		bool user = (a >= (uint32_t)scratch_code && a < (uint32_t)scratch_code + PAGE) ||
			    (a >= (uint32_t)scratch_data && a < (uint32_t)scratch_data + SCRATCH_DATA) ||
			    (a >= V86_CODE && a < 0x18000);

		user_pt[i] = a | 3 | (user ? 4 : 0);
		user_pd[i] = i ? (i << 22) | 0x83 : (uint32_t)user_pt | 7;
	}
	saved_cr0 = cr0_good;
	saved_cr4 = cr4_good;
	__asm__ volatile("mov %0, %%cr3" : : "r"(user_pd) : "memory");
	cr4_good |= CR4_PSE;
	cr0_good |= CR0_PG | CR0_WP;
	restore_cpu(-1);
}

static void timer_on(void)
{
	touched_pic = true;
	pic_setup(0xfe);
	outb(0x43, 0x34);
	outb(0x40, (uint8_t)(11932 & 0xff));	/* 100 Hz */
	outb(0x40, (uint8_t)(11932 >> 8));
}

static void timer_off(void)
{
	pic_setup(0xff);
}

static void mode_insn(bool ring0)
{
	user_paging(true);
	timer_on();
	for (uint32_t i = 0, n = rt_opt_u32("steps", 200); i < n; i++) {
		bool v86 = !ring0 && rnd_n(8) == 0 && rt_opt_u32("v86", 1);

		gen_code(v86 ? (uint8_t *)V86_CODE : scratch_code, v86 ? 256 : PAGE, ring0);
		if (v86)
			v86_filter((uint8_t *)V86_CODE, 256);
		qemu_filter(v86 ? (uint8_t *)V86_CODE : scratch_code, v86 ? 256 : PAGE);
		rnd_regs();
		rt_memset(scratch_data + 0x8000, 0, 0x100);
		say(v86 ? "v86" : ring0 ? "ring0" : "ring3", *(uint32_t *)(v86 ? (uint8_t *)V86_CODE : scratch_code),
		    *(uint32_t *)((v86 ? (uint8_t *)V86_CODE : scratch_code) + 4));
		run_step(ring0 ? step_ring0 : v86 ? step_v86 : step_ring3, NULL);
	}
	timer_off();
	user_paging(false);
}

/* ---- io ---- */

static const uint16_t ports[] = {
	0x20, 0x21, 0xa0, 0xa1, 0x40, 0x41, 0x42, 0x43, 0x61, 0x70, 0x71, 0x3f9, 0x3fa,
	0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff, 0xcf8, 0xcfc, 0xcfd, 0xcfe, 0x92, 0x510, 0x511,
	0x64, 0x60, 0x80, 0x402, 0x4d0, 0x4d1, 0xcf9, 0x1f0, 0x1f7, 0x3f6, 0x2f8, 0x3c0,
	0x3d4, 0x3d5, 0x0, 0xffff, 0xfffe, 0xfffc, 0xb000, 0x8000,
};

/* bad_port - the ports a step never writes: debug exit (0xf4, and words over it), Bochs's 0x8900 and 0xe9, COM1's THR. */
static bool bad_port(uint32_t p, uint32_t size)
{
	for (uint32_t i = 0; i < size; i++) {
		uint16_t q = (uint16_t)(p + i);

		if (q == SV_PORT_DEBUG_EXIT || q == 0x8900 || q == 0xe9 || q == SV_PORT_COM1)
			return true;
	}
	return false;
}

struct io_arg {
	uint16_t port;
	uint8_t size;
	bool out;
	uint32_t val;
};

static void step_io(void *arg)
{
	struct io_arg *a = arg;
	uint32_t v = a->val;

	if (a->out) {
		if (a->size == 1)
			__asm__ volatile("outb %b0, %w1" : : "a"(v), "Nd"(a->port));
		else if (a->size == 2)
			__asm__ volatile("outw %w0, %w1" : : "a"(v), "Nd"(a->port));
		else
			__asm__ volatile("outl %0, %w1" : : "a"(v), "Nd"(a->port));
	} else {
		if (a->size == 1)
			__asm__ volatile("inb %w1, %b0" : "+a"(v) : "Nd"(a->port));
		else if (a->size == 2)
			__asm__ volatile("inw %w1, %w0" : "+a"(v) : "Nd"(a->port));
		else
			__asm__ volatile("inl %w1, %0" : "=a"(v) : "Nd"(a->port));
	}
	a->val = v;
}

static void mode_io(void)
{
	struct io_arg a;
	uint32_t n = rt_opt_u32("steps", 200);

	touched_pic = touched_uart = true;
	for (uint32_t i = 0; i < n; i++) {
		a.port = rnd_n(3) ? ports[rnd_n(sizeof(ports) / sizeof(ports[0]))] : (uint16_t)rnd();
		a.port = (uint16_t)(a.port + (rnd_n(4) ? 0 : rnd_n(4)));
		a.size = (uint8_t)(1u << rnd_n(3));
		a.out = rnd_n(2);
		a.val = rnd_bits(0);
		if (a.out && bad_port(a.port, a.size))
			a.out = false;
		say(a.out ? "out" : "in", a.port, a.val);
		run_step(step_io, &a);
		/* COM1: the line control and interrupt enables back, so this console stays readable. */
		if (a.port >= 0x3f8 && a.port <= 0x3ff && a.out)
			rt_serial_init();
	}
	pic_setup(0xff);
	rt_serial_init();
}

/* ---- strio: INS/OUTS, with and without REP, in and out of RAM ---- */

struct str_arg {
	uint16_t port;
	uint8_t kind;	/* 0 insb 1 insw 2 insd 3 outsb 4 outsw 5 outsd */
	bool rep, df;
	uint32_t count, buf;
};

static void step_str(void *arg)
{
	struct str_arg *a = arg;
	uint32_t c = a->count, d = a->buf, s = a->buf;

	if (a->df)
		__asm__ volatile("std");
#define STR(insn) \
	if (a->rep) __asm__ volatile("rep " insn : "+c"(c), "+D"(d), "+S"(s) : "d"(a->port) : "memory"); \
	else __asm__ volatile(insn : "+c"(c), "+D"(d), "+S"(s) : "d"(a->port) : "memory")
	switch (a->kind) {
	case 0: STR("insb"); break;
	case 1: STR("insw"); break;
	case 2: STR("insl"); break;
	case 3: STR("outsb"); break;
	case 4: STR("outsw"); break;
	default: STR("outsl"); break;
	}
#undef STR
	__asm__ volatile("cld");
}

static void mode_strio(void)
{
	struct str_arg a;
	uint32_t n = rt_opt_u32("steps", 200);
	static const uint32_t bufs[] = { 0x2000, 0xa0000, 0xc0000000u, 0xfee00000u, 0xfffffffeu };

	for (uint32_t i = 0; i < n; i++) {
		a.port = rnd_n(2) ? ports[rnd_n(sizeof(ports) / sizeof(ports[0]))] : (uint16_t)rnd();
		a.kind = (uint8_t)rnd_n(6);
		a.rep = rnd_n(2);
		a.df = rnd_n(2);
		a.count = rnd_n(3) ? rnd_n(64) : rnd_n(4096);
		a.buf = rnd_n(3) ? (uint32_t)scratch_data + 0x8000 : bufs[rnd_n(5)];
		if (a.kind >= 3 && bad_port(a.port, 4))
			a.port = 0x80;
		rt_printf("hostile: strio %s%s port %x count %u buf %x df %u\n", a.rep ? "rep " : "",
			  (const char *[]){ "insb", "insw", "insd", "outsb", "outsw", "outsd" }[a.kind],
			  a.port, a.count, a.buf, a.df);
		run_step(step_str, &a);
	}
	rt_serial_init();
}

/* ---- msr ---- */

static const uint32_t msrs[] = {
	0x0, 0x1, 0x10, 0x17, 0x1b, 0x2a, 0x3a, 0x3b, 0x48, 0x49, 0x8b, 0x9e, 0xc1, 0xe7,
	0xe8, 0xfe, 0x10a, 0x122, 0x140, 0x174, 0x175, 0x176, 0x179, 0x17a, 0x186, 0x198,
	0x199, 0x1a0, 0x1d9, 0x1f2, 0x200, 0x201, 0x250, 0x258, 0x277, 0x2ff, 0x345, 0x38f,
	0x400, 0x401, 0x480, 0x481, 0x482, 0x485, 0x486, 0x48b, 0x48d, 0x491, 0x4d0, 0x6e0,
	0x800, 0x802, 0x80b, 0x830, 0x838, 0xd90, 0xda0, 0x1b01, 0x40000000, 0x40000001,
	0x40000020, 0x4b564d00, 0x4b564d01, 0x80000000, 0xc0000080, 0xc0000081, 0xc0000082,
	0xc0000083, 0xc0000084, 0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103, 0xc0000104,
	0xc0010000, 0xc0010004, 0xc0010010, 0xc0010015, 0xc0010058, 0xc0010114, 0xc0010115,
	0xc0010116, 0xc0010117, 0xc0010118, 0xc0010119, 0xc0010131, 0xc0011004, 0xc0011005,
	0xc0011020, 0xc001102a, 0xffffffff, 0x7fffffff,
};

struct msr_arg {
	uint32_t msr;
	bool write;
	uint64_t val;
};

static void step_msr(void *arg)
{
	struct msr_arg *a = arg;
	uint32_t lo = (uint32_t)a->val, hi = (uint32_t)(a->val >> 32);

	if (a->write)
		__asm__ volatile("wrmsr" : : "c"(a->msr), "a"(lo), "d"(hi) : "memory");
	else
		__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(a->msr));
	a->val = (uint64_t)hi << 32 | lo;
}

static void mode_msr(void)
{
	struct msr_arg a;
	uint32_t n = rt_opt_u32("steps", 200);

	touched_efer = touched_pat = true;
	for (uint32_t i = 0; i < n; i++) {
		a.msr = rnd_n(4) ? msrs[rnd_n(sizeof(msrs) / sizeof(msrs[0]))] :
			rnd_n(2) ? rnd() : (rnd() & 0xc0011fffu);
		/* Read first, then write a flip of what was read (or garbage). */
		a.write = false;
		a.val = 0;
		say("rdmsr", a.msr, 0);
		bool readable = run_step(step_msr, &a) < 0;

		if (rnd_n(3) == 0)
			continue;
		a.write = true;
		if (!readable || rnd_n(3) == 0)
			a.val = rnd_n(2) ? rnd64() : rnd_bits(0);
		else
			a.val ^= rnd_n(2) ? 1ull << rnd_n(64) : (uint64_t)rnd_bits(0);
		/* EFER.LME with paging off is harmless; SVME is refused; keep the rest random. */
		say("wrmsr", a.msr, (uint32_t)a.val);
		run_step(step_msr, &a);
	}
}

/* ---- cr and crx ---- */

struct cr_arg {
	uint32_t which, val;
	uint64_t val64;
};

static void step_cr(void *arg)
{
	struct cr_arg *a = arg;
	uint32_t v = a->val;

	switch (a->which) {
	case 0: __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); break;
	case 2: __asm__ volatile("mov %0, %%cr2" : : "r"(v) : "memory"); break;
	case 3: __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); break;
	case 4: __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); break;
	case 8:	/* AMD's CR8 in 32-bit code: LOCK MOV CR0 (#UD without AltMovCr8) */
		__asm__ volatile(".byte 0xf0, 0x0f, 0x22, 0xc0" : : "a"(v) : "memory"); break;
	case 9:
		__asm__ volatile(".byte 0xf0, 0x0f, 0x20, 0xc0" : "=a"(v)); break;
	case 10: __asm__ volatile("wrmsr" : : "c"(MSR_EFER), "a"(v), "d"((uint32_t)(a->val64 >> 32)) : "memory"); break;
	case 11: __asm__ volatile("xsetbv" : : "c"((uint32_t)a->val64 & 3), "a"(v), "d"((uint32_t)(a->val64 >> 32)) : "memory"); break;
	case 12: __asm__ volatile("mov %0, %%dr0" : : "r"(v)); break;
	case 13: __asm__ volatile("mov %0, %%dr1" : : "r"(v)); break;
	case 14: __asm__ volatile("mov %0, %%dr2" : : "r"(v)); break;
	case 15: __asm__ volatile("mov %0, %%dr3" : : "r"(v)); break;
	case 16: __asm__ volatile("mov %0, %%dr6" : : "r"(v)); break;
	case 17: __asm__ volatile("mov %0, %%dr7" : : "r"(v)); break;
	case 18: __asm__ volatile("mov %0, %%dr4" : : "r"(v)); break;
	case 19: __asm__ volatile("mov %0, %%dr5" : : "r"(v)); break;
	case 20: __asm__ volatile("mov %%dr7, %0" : "=r"(v)); break;
	default:	/* CR0.PG with a good identity map, then back */
		__asm__ volatile("mov %0, %%cr3; mov %%cr4, %%eax; or $0x10, %%eax; mov %%eax, %%cr4;"
				 "mov %%cr0, %%eax; or $0x80000000, %%eax; mov %%eax, %%cr0;"
				 "jmp 1f; 1: and $0x7fffffff, %%eax; mov %%eax, %%cr0"
				 : : "r"(pgdir) : "eax", "memory");
	}
	a->val = v;
}

/* cr0_value - a random CR0 that keeps PE set and PG clear (those two are the cr mode's). */
static uint32_t cr0_value(void)
{
	uint32_t v = rnd_n(2) ? cr0_good ^ (1u << rnd_n(31)) : rnd_bits(cr0_good);

	return (v | CR0_PE) & ~CR0_PG;
}

static void crx_steps(uint32_t n)
{
	struct cr_arg a;
	static const uint32_t kinds[] = { 0, 0, 2, 3, 4, 4, 4, 8, 9, 10, 10, 11, 12, 13,
					  14, 15, 16, 17, 17, 18, 19, 20, 21 };

	touched_efer = touched_dr = true;
	for (uint32_t i = 0; i < n; i++) {
		a.which = kinds[rnd_n(sizeof(kinds) / sizeof(kinds[0]))];
		a.val = a.which == 0 ? cr0_value() : a.which == 4 ? rnd_bits(cr4_good) : rnd_bits(0);
		/* If the LOCK prefix is ignored (CR0, not CR8), a value still harmless as CR0. */
		if (a.which == 8)
			a.val = (cr0_good & ~0xfu) | (rnd() & 0xe) | CR0_PE;
		a.val64 = rnd64();
		if (a.which == 10) {
			/* EFER: random, or a flip of the good value; with CR0.PG never set, LME stays inert. */
			a.val = rnd_n(2) ? rnd_bits(0) : (uint32_t)efer_good ^ (1u << rnd_n(16));
			a.val64 = rnd_n(4) ? 0 : rnd64();
		}
		if (a.which == 4 && (a.val & CR4_PAE) && rnd_n(2))
			a.val &= ~CR4_PAE;
		say("cr", a.which, a.val);
		run_step(step_cr, &a);
	}
}

/* known_bad - the sequence that broke the host on QEMU SVM (see the file comment). */
static void step_known_bad(void *arg)
{
	uint32_t pd = (uint32_t)pgdir;

	(void)arg;
	/* (1) CR0.PE off and on again in 32-bit code, then DR0-DR3 and DR7. */
	__asm__ volatile("mov %%cr0, %%eax; and $0xfffffffe, %%eax; mov %%eax, %%cr0;"
			 "or $1, %%eax; mov %%eax, %%cr0; ljmp $0x08, $1f; 1:"
			 "mov $0x10, %%eax; mov %%eax, %%ds; mov %%eax, %%es; mov %%eax, %%ss"
			 : : : "eax", "memory");
	__asm__ volatile("mov %0, %%dr0; mov %1, %%dr1; mov %2, %%dr2; mov %3, %%dr3"
			 : : "r"(0x100000), "r"(0x200000), "r"(0x300000), "r"(0x400000));
	__asm__ volatile("mov %0, %%dr7" : : "r"(0x00000455));	/* L0 L1 L2, exec breakpoints */
	__asm__ volatile("mov %0, %%dr7" : : "r"(0x400));
	rt_printf("hostile: cr known-bad part 1 done; EFER.LME, CR4.PAE|PSE, CR0.PG with a 32-bit PD\n");
	/* (2) EFER.LME, CR4.PAE|PSE, CR0.PG with CR3 at a 32-bit PSE page directory. */
	__asm__ volatile("wrmsr" : : "c"(MSR_EFER), "a"((uint32_t)efer_good | (uint32_t)EFER_LME),
			 "d"((uint32_t)(efer_good >> 32)) : "memory");
	__asm__ volatile("mov %0, %%cr3; mov %%cr4, %%eax; or %1, %%eax; mov %%eax, %%cr4;"
			 "mov %%cr0, %%eax; or $0x80000000, %%eax; mov %%eax, %%cr0; nop; nop"
			 : : "r"(pd), "i"(CR4_PAE | CR4_PSE) : "eax", "memory");
}

static void mode_cr(bool known_bad)
{
	uint32_t n = rt_opt_u32("steps", 200);
	int v;

	if (known_bad) {
		touched_efer = touched_dr = true;
		rt_printf("hostile: cr known-bad sequence: CR0.PE off/on, DR0-DR3, DR7\n");
		v = run_step(step_known_bad, NULL);
		rt_printf("hostile: cr known-bad sequence survived (vector %d)\n", v);
	}
	crx_steps(n);
}

/* ---- int ---- */

static void step_int(void *arg)
{
	uint32_t n = *(uint32_t *)arg;

	/* INT imm8 built in the scratch page and called: n is a run-time value. */
	scratch_code[0] = 0xcd;
	scratch_code[1] = (uint8_t)n;
	scratch_code[2] = 0xc3;
	if (n == 256)
		scratch_code[0] = 0xcc, scratch_code[1] = 0xc3;	/* int3 */
	else if (n == 257)
		scratch_code[0] = 0xce, scratch_code[1] = 0xc3;	/* into */
	else if (n == 258)
		scratch_code[0] = 0xf1, scratch_code[1] = 0xc3;	/* int1 (icebp) */
	rnd_regs();
	__asm__ volatile("pushfl; orl $0x800, (%%esp); popfl; call *%0"	/* OF for INTO */
			 : : "r"(scratch_code), "a"(r3regs[0]), "b"(r3regs[3]), "d"(r3regs[2])
			 : "ecx", "esi", "edi", "memory", "cc");
}

static void mode_int(void)
{
	uint32_t n = rt_opt_u32("steps", 200), v, bad = 0;

	for (uint32_t i = 0; i < n || i < 259; i++) {
		uint32_t want;

		v = i < 259 ? i : rnd_n(259);
		want = v == 256 ? 3 : v == 257 ? 4 : v == 258 ? 1 : v;

		say("int", v, 0);
		int got = run_step(step_int, &v);

		/* A gate for every vector: INT n must arrive at vector n (INT1 as #DB). */
		/* INT1 (F1) is #UD where the CPU model lacks it (QEMU's i386 models). */
		if (got != (int)want && !(v == 258 && got == 6) && ++bad <= 4)
			rt_printf("hostile: int %u arrived as vector %d\n", v, got);
	}
	EXPECT(bad == 0);
}

/* ---- desc ---- */

struct desc_arg {
	uint32_t kind, sel, a, b;
};

static void step_desc(void *arg)
{
	struct desc_arg *d = arg;
	uint32_t sel = d->sel, r = 0;
	struct { uint32_t off; uint16_t sel; } __attribute__((packed)) far = { (uint32_t)landing_pad, (uint16_t)sel };
	struct dtr t;

	switch (d->kind) {
	case 0: __asm__ volatile("mov %0, %%ds; mov %1, %%ds" : : "r"(sel), "r"(SEL_DATA)); break;
	case 1: __asm__ volatile("mov %0, %%es" : : "r"(sel)); break;
	case 2: __asm__ volatile("mov %0, %%fs" : : "r"(sel)); break;
	case 3: __asm__ volatile("mov %0, %%gs" : : "r"(sel)); break;
	case 4:	/* SS: back at once (interrupt shadow), nothing can fault in between */
		__asm__ volatile("mov %%ss, %%ecx; mov %0, %%ss; mov %%ecx, %%ss" : : "r"(sel) : "ecx"); break;
	case 5: __asm__ volatile("ljmp *%0" : : "m"(far)); break;
	case 6: __asm__ volatile("lcall *%0" : : "m"(far) : "memory"); break;
	case 7: __asm__ volatile("lldt %w0" : : "r"(sel)); break;
	case 8: __asm__ volatile("ltr %w0" : : "r"(sel)); break;
	case 9: __asm__ volatile("lar %1, %0" : "=r"(r) : "r"(sel)); break;
	case 10: __asm__ volatile("lsl %1, %0" : "=r"(r) : "r"(sel)); break;
	case 11: __asm__ volatile("verr %w0; verw %w0" : : "r"(sel)); break;
	case 12:	/* a garbage GDT (its code descriptor at 0x08 kept so faults deliver) */
		t.limit = (uint16_t)(0x17 + rnd_n(sizeof(junk_gdt) - 0x17));
		t.base = (uint32_t)junk_gdt;
		__asm__ volatile("lgdt %0" : : "m"(t));
		__asm__ volatile("mov %0, %%es; mov %0, %%fs" : : "r"(sel));
		break;
	case 13:	/* a garbage IDT, then INT n through it (delivery faults come as #GP/#NP) */
		t.limit = (uint16_t)(0xff + rnd_n(sizeof(junk_idt) - 0xff));
		t.base = (uint32_t)junk_idt;
		scratch_code[0] = 0xcd;
		scratch_code[1] = (uint8_t)d->a;
		scratch_code[2] = 0xc3;
		__asm__ volatile("lidt %0; call *%1" : : "m"(t), "r"(scratch_code) : "memory");
		break;
	case 14: {	/* IRET with a garbage frame; privilege changes land in ring 3 */
		uint32_t frame[5] = { (uint32_t)landing_pad, sel, (d->a & 0x3c0cd5) | 2,
				      d->b, (sel & 3) == 3 ? SEL_R3DATA | 3 : d->a >> 16 };

		if ((sel & 0xfffc) == SEL_R3CODE)
			frame[0] = rnd_n(PAGE);
		rnd_regs();
		enter_frame(frame, 5, SEL_DATA);
		break;
	}
	case 15: __asm__ volatile("lmsw %w0" : : "r"(d->a)); break;
	case 16:
		__asm__ volatile("sgdt %0; sidt %1; sldt %2; str %3; smsw %4"
				 : "=m"(t), "=m"(far), "=m"(r), "=m"(d->b), "=m"(d->a)); break;
	case 17:	/* ARPL is 16-bit only in this mode: 63 /r */
		__asm__ volatile("arpl %w1, %w0" : "+r"(r) : "r"(sel)); break;
	default:	/* far return with a garbage frame */
		__asm__ volatile("pushl %0; pushl %1; lret" : : "r"(sel), "r"(landing_pad) : "memory");
	}
	d->b = r;
}

static uint32_t rnd_sel(void)
{
	switch (rnd_n(4)) {
	case 0: return rnd() & 0xffff;
	case 1: return (rnd_n(NGDT) << 3) | rnd_n(4);			/* GDT */
	case 2: return (rnd_n(8) << 3) | 4 | rnd_n(4);			/* LDT */
	default: return ((SEL_SPARE / 8 + rnd_n(NSPARE)) << 3) | rnd_n(4);	/* garbage */
	}
}

static void mode_desc(void)
{
	uint32_t n = rt_opt_u32("steps", 200);
	struct desc_arg d;

	for (uint32_t i = 0; i < n; i++) {
		/* New garbage every few steps: GDT spares, the LDT, the junk tables. */
		if (i % 8 == 0) {
			for (unsigned int s = SEL_SPARE / 8; s < NGDT; s++)
				hgdt[s] = sane_desc();
			for (unsigned int s = 0; s < 8; s++)
				ldt[s] = sane_desc();
			for (unsigned int s = 0; s < 64; s++)
				junk_gdt[s] = sane_desc();
			junk_gdt[0] = rnd64();
			junk_gdt[1] = hgdt[1];
			junk_gdt[2] = hgdt[2];
			for (unsigned int v = 0; v < 256; v++) {
				uint64_t g = rnd64();

				rt_memset(&junk_idt[v], 0, sizeof(junk_idt[v]));
				/* Garbage gates are not present; the fault vectors keep theirs. */
				if (v == 8 || v == 10 || v == 11 || v == 12 || v == 13 || v == 14)
					junk_idt[v] = hidt[v];
				else if (rnd_n(4))
					*(uint64_t *)&junk_idt[v] = g & ~(1ull << 47);
			}
		}
		d.kind = rnd_n(19);
		d.sel = rnd_sel();
		d.a = rnd();
		d.b = rnd();
		say("desc", d.kind, d.sel);
		run_step(step_desc, &d);
	}
	for (unsigned int s = SEL_SPARE / 8; s < NGDT; s++)
		hgdt[s] = 0;
}

/* ---- virt ---- */

static uint8_t vmx_region[PAGE] __attribute__((aligned(PAGE)));

static void step_virt(void *arg)
{
	uint32_t k = *(uint32_t *)arg, a = (uint32_t)vmx_region, b = rnd(), c = rnd(), d = rnd();
	uint64_t desc[2] = { rnd64(), rnd64() };

	if (rnd_n(2))
		a = rnd_n(2) ? rnd() & 0x3ff000 : (uint32_t)vmx_region + rnd_n(PAGE);
#define V(insn, ...) __asm__ volatile(insn : : "a"(a), "b"(b), "c"(c), "d"(d), ##__VA_ARGS__ : "memory"); break
	switch (k) {
	case 0: V("vmxon (%%eax)");
	case 1: V("vmxoff");
	case 2: V("vmlaunch");
	case 3: V("vmresume");
	case 4: V("vmptrld (%%eax)");
	case 5: V("vmptrst (%%eax)");
	case 6: V("vmclear (%%eax)");
	case 7: V("vmread %%ebx, %%ecx");
	case 8: V("vmwrite %%ebx, %%ecx");
	case 9: a = (uint32_t)desc; V(".byte 0x66, 0x0f, 0x38, 0x80, 0x08");	/* invept ecx, [eax] */
	case 10: a = (uint32_t)desc; V(".byte 0x66, 0x0f, 0x38, 0x81, 0x08");	/* invvpid ecx, [eax] */
	case 11: V(".byte 0x0f, 0x01, 0xd4");	/* vmfunc */
	case 12: V("vmrun");
	case 13: V("vmload");
	case 14: V("vmsave");
	case 15: V("stgi");
	case 16: V("clgi");
	case 17: V("skinit");
	case 18: V("invlpga");
	case 19: V("getsec");
	case 20: V("monitor");
	case 21: V("mwait");
	case 22: a = rnd() | 0x100; V(".byte 0x0f, 0x01, 0xc1");	/* vmcall, never SV_HC_EXIT */
	case 23: a = rnd() | 0x100; V(".byte 0x0f, 0x01, 0xd9");	/* vmmcall */
	default: V(".byte 0x0f, 0x01, 0xdf");	/* invlpgb on new AMD, else #UD */
	}
#undef V
}

static void mode_virt(void)
{
	uint32_t n = rt_opt_u32("steps", 200), k;

	for (uint32_t i = 0; i < n; i++) {
		k = i < 25 ? i : rnd_n(25);
		say("virt", k, 0);
		run_step(step_virt, &k);
	}
}

/* ---- hcall ---- */

struct hc_arg {
	uint32_t a, b, c, d, ret;
	bool other;
};

static void step_hcall(void *arg)
{
	struct hc_arg *h = arg;
	uint32_t r = h->a;
	bool vmcall = intel != h->other;

	rnd_regs();
	if (vmcall)
		__asm__ volatile("vmcall" : "+a"(r) : "b"(h->b), "c"(h->c), "d"(h->d),
				 "S"(r3regs[6]), "D"(r3regs[7]) : "memory");
	else
		__asm__ volatile("vmmcall" : "+a"(r) : "b"(h->b), "c"(h->c), "d"(h->d),
				 "S"(r3regs[6]), "D"(r3regs[7]) : "memory");
	h->ret = r;
}

static void mode_hcall(void)
{
	uint32_t n = rt_opt_u32("steps", 200);
	struct hc_arg h;

	for (uint32_t i = 0; i < n; i++) {
		static const uint32_t nrs[] = { SV_HC_VERSION, SV_HC_YIELD, SV_HC_SCAN_NOW,
						SV_HC_PAGE_STATE, SV_HC_BARRIER, 6, 7, 0x7fffffff,
						0x80000001u, 0xffffffffu, 0x10000 };

		h.a = rnd_n(2) ? nrs[rnd_n(sizeof(nrs) / sizeof(nrs[0]))] : rnd();
		if (h.a == SV_HC_EXIT)
			h.a = SV_HC_VERSION;
		h.b = rnd_bits(0);
		h.c = rnd_n(2) ? rnd_n(4096) : rnd_bits(0);
		h.d = rnd_n(2) ? rnd_n(6) : rnd();
		/* A full scan costs the machine: only now and then. */
		if (h.a == SV_HC_SCAN_NOW && rnd_n(8))
			h.a = SV_HC_YIELD;
		/* Test barriers 0..5 are the neighbours' (share peers=N): leave them alone. */
		if (h.a == SV_HC_BARRIER && h.b < 6)
			h.b += 6;
		h.other = rnd_n(8) == 0;
		say("hcall", h.a, h.b);
		run_step(step_hcall, &h);
	}
}

/* ---- storm: write storms on freshly shared pages, checked byte by byte ---- */

#define STORM_MAX	64
static uint8_t storm_area[STORM_MAX * PAGE] __attribute__((aligned(PAGE)));
static uint8_t storm_shadow[STORM_MAX * PAGE];
static uint32_t storm_pages, storm_bad;

static uint32_t mix(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

/* storm_fill - page i: zero, one repeated 8-byte unit, equal across VMs with this seed, unique, or code. */
static void storm_fill(uint32_t i, uint32_t round)
{
	uint32_t *p = (uint32_t *)(storm_area + i * PAGE), id = cpuid(SV_CPUID_INFO, 0).ebx;
	uint32_t u0 = mix(seed + round * 77 + 1), u1 = mix(u0);

	for (uint32_t w = 0; w < PAGE / 4; w++) {
		switch ((i + round) % 5) {
		case 0: p[w] = 0; break;
		case 1: p[w] = w & 1 ? u1 : u0; break;
		case 2: p[w] = mix(seed * 0x9e3779b9u + i * 4096 + w + round); break;
		case 3: p[w] = mix(mix(id ^ seed) + i * 4096 + w + round); break;
		default: p[w] = 0xc3c3c3c3u; break;	/* RETs: a code page, called below */
		}
	}
	if ((i + round) % 5 == 4) {
		/* mov $K, %eax; ret at a few offsets, K from the seed (equal across peers) */
		for (uint32_t o = 0; o < PAGE; o += 1024) {
			uint8_t *c = (uint8_t *)p + o;
			uint32_t k = mix(seed + o + round);

			c[0] = 0xb8;
			for (int b = 0; b < 4; b++)
				c[1 + b] = (uint8_t)(k >> (8 * b));
			c[5] = 0xc3;
		}
	}
	for (uint32_t b = 0; b < PAGE; b++)
		storm_shadow[i * PAGE + b] = ((uint8_t *)p)[b];
}

/* storm_check - every byte of every page equals the shadow; counts and reports mismatches. */
static void storm_check(const char *when, uint32_t round)
{
	uint32_t bad = 0;

	for (uint32_t b = 0; b < storm_pages * PAGE; b++)
		if (storm_area[b] != storm_shadow[b] && ++bad <= 4)
			rt_printf("hostile: storm %s round %u: page %u byte %u read %x want %x\n", when,
				  round, b / PAGE, b % PAGE, storm_area[b], storm_shadow[b]);
	storm_bad += bad;
}

/* storm_code - call each code page's snippets: they must return what was last written. */
static void storm_code(uint32_t round)
{
	for (uint32_t i = 0; i < storm_pages; i++) {
		if ((i + round) % 5 != 4)
			continue;
		for (uint32_t o = 0; o < PAGE; o += 1024) {
			uint8_t *c = storm_area + i * PAGE + o;
			uint32_t want, got;

			if (c[0] != 0xb8 || c[5] != 0xc3)
				continue;
			want = c[1] | c[2] << 8 | c[3] << 16 | (uint32_t)c[4] << 24;
			__asm__ volatile("call *%1" : "=a"(got) : "r"(c) : "memory", "cc");
			if (got != want && ++storm_bad <= 8)
				rt_printf("hostile: storm code page %u+%u returned %x want %x\n", i, o, got, want);
		}
	}
}

struct storm_arg {
	uint32_t off, len, kind, val;
};

/* step_storm - one write of KIND to the area; the shadow is updated by the caller. */
static void step_storm(void *arg)
{
	struct storm_arg *s = arg;
	uint8_t *p = storm_area + s->off;
	uint32_t v = s->val, c = s->len;

	switch (s->kind) {
	case 0: *p = (uint8_t)v; break;
	case 1: *(volatile uint16_t *)p = (uint16_t)v; break;
	case 2: *(volatile uint32_t *)p = v; break;
	case 3: __asm__ volatile("lock xchgl %0, (%1)" : "+r"(v) : "r"(p) : "memory"); break;
	case 4: __asm__ volatile("rep stosb" : "+D"(p), "+c"(c) : "a"(v) : "memory"); break;
	case 5: __asm__ volatile("lock orl %1, (%0)" : : "r"(p), "r"(v) : "memory"); break;
	case 6: {	/* the stack in the area: PUSH and CALL write there */
		uint32_t sp = (uint32_t)p + 8;

		__asm__ volatile("xchg %0, %%esp; pushl %1; pushl %1; xchg %0, %%esp"
				 : "+r"(sp) : "r"(v) : "memory");
		break;
	}
	case 7: __asm__ volatile("sidt (%0)" : : "r"(p) : "memory"); break;
	default: {	/* a string copy from the scratch data into the area, backwards or forwards */
		const uint8_t *src = scratch_data;

		__asm__ volatile("rep movsb" : "+D"(p), "+S"(src), "+c"(c) : : "memory");
	}
	}
}

static void storm_apply(const struct storm_arg *s)
{
	uint8_t *sh = storm_shadow + s->off;
	uint32_t v = s->val;

	switch (s->kind) {
	case 0: sh[0] = (uint8_t)v; break;
	case 1: sh[0] = (uint8_t)v; sh[1] = (uint8_t)(v >> 8); break;
	case 2: case 3: for (int b = 0; b < 4; b++) sh[b] = (uint8_t)(v >> (8 * b)); break;
	case 4: for (uint32_t b = 0; b < s->len; b++) sh[b] = (uint8_t)v; break;
	case 5: for (int b = 0; b < 4; b++) sh[b] |= (uint8_t)(v >> (8 * b)); break;
	case 6: for (int b = 0; b < 8; b++) sh[b] = (uint8_t)(v >> (8 * (b & 3))); break;
	case 7: {
		uint8_t idtr[6];

		__asm__ volatile("sidt %0" : "=m"(idtr));
		for (int b = 0; b < 6; b++)
			sh[b] = idtr[b];
		break;
	}
	default: for (uint32_t b = 0; b < s->len; b++) sh[b] = scratch_data[b];
	}
}

/* storm_merge - ask for scans until this VM's area is on shared frames (or a bound). */
static int32_t storm_merge(void)
{
	int32_t shared = 0;

	if (!rt_hv_present())
		return -1;
	for (uint32_t n = 0; n < 20; n++) {
		int32_t pat = rt_hypercall(SV_HC_PAGE_STATE, (uint32_t)storm_area, storm_pages, SV_PS_PATTERN);
		int32_t con = rt_hypercall(SV_HC_PAGE_STATE, (uint32_t)storm_area, storm_pages, SV_PS_CONTENT);

		if (pat < 0)
			return pat;	/* not in test mode */
		shared = pat + con;
		if (shared >= (int32_t)(storm_pages * 2 / 5))
			break;
		rt_hypercall(SV_HC_SCAN_NOW, 0, 0, 0);
		rt_hypercall(SV_HC_YIELD, 0, 0, 0);
	}
	return shared;
}

static void mode_storm(void)
{
	uint32_t rounds = rt_opt_u32("rounds", 6), writes = rt_opt_u32("steps", 200);
	uint32_t shared_total = 0;
	struct storm_arg s;

	storm_pages = rt_opt_u32("pages", 16);
	if (storm_pages > STORM_MAX)
		storm_pages = STORM_MAX;
	for (uint32_t b = 0; b < SCRATCH_DATA; b++)
		scratch_data[b] = (uint8_t)mix(seed + b);
	storm_bad = 0;
	for (uint32_t r = 0; r < rounds; r++) {
		for (uint32_t i = 0; i < storm_pages; i++)
			storm_fill(i, r);
		int32_t shared = storm_merge();

		shared_total += shared > 0 ? (uint32_t)shared : 0;
		storm_check("merged", r);
		storm_code(r);
		for (uint32_t w = 0; w < writes / rounds + 1; w++) {
			s.kind = rnd_n(9);
			s.len = s.kind == 4 || s.kind == 8 ? 1 + rnd_n(rnd_n(4) ? 64 : 2 * PAGE) : 8;
			s.off = rnd_n(storm_pages * PAGE - s.len);
			s.val = rnd_n(3) ? rnd() : 0;
			run_step(step_storm, &s);
			storm_apply(&s);
			/* Now and then a scan in the middle of the storm (re-merges zeroed pages). */
			if (w % 32 == 31 && rt_hv_present())
				rt_hypercall(SV_HC_SCAN_NOW, 0, 0, 0);
		}
		storm_check("stormed", r);
	}
	rt_printf("hostile: storm pages=%u rounds=%u shared=%u bad=%u\n", storm_pages, rounds,
		  shared_total, storm_bad);
	EXPECT(storm_bad == 0);
}

/* ---- mem: outside RAM, one access per step ---- */

static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pd_low[512] __attribute__((aligned(PAGE)));
static uint64_t pd_top[512] __attribute__((aligned(PAGE)));

struct mem_arg {
	uint32_t addr;
	bool write, pae;
};

static void step_mem(void *arg)
{
	struct mem_arg *m = arg;
	volatile uint32_t *p = (volatile uint32_t *)m->addr;

	if (m->pae) {
		for (uint32_t i = 0; i < 512; i++)
			pd_low[i] = ((uint64_t)i << 21) | 0x83;
		pd_top[511] = ((1ull << 36) - (1u << 21)) | 0x83;
		pdpt[0] = (uint32_t)pd_low | 1;
		pdpt[3] = (uint32_t)pd_top | 1;
		__asm__ volatile("mov %0, %%cr3; mov %%cr4, %%eax; or $0x20, %%eax; mov %%eax, %%cr4;"
				 "mov %%cr0, %%eax; or $0x80000000, %%eax; mov %%eax, %%cr0"
				 : : "r"(pdpt) : "eax", "memory");
		p = (volatile uint32_t *)0xfffffffcu;
	}
	if (m->write)
		*p = 0x5a5a5a5a;
	else
		(void)*p;
}

static void mode_mem(void)
{
	uint32_t end = 0x100000 + rt_boot.mem_upper * 1024;
	uint32_t targets[] = { 0xc0000000u, 0xa0000, 0xb8000, 0xf0000, 0xfec00000u,
			       0xfee00000u, 0xfee00020u, end, end + 0x1000000, 0, 0xfffff000u };
	uint32_t nt = sizeof(targets) / sizeof(targets[0]);
	struct mem_arg m;

	for (uint32_t i = 0, start = rnd_n(nt); i < nt; i++) {
		uint32_t j = (start + i) % nt;

		m.addr = targets[j];
		m.pae = m.addr == 0;
		m.write = rnd_n(2);
		rt_printf("hostile: mem %s %s%x\n", m.write ? "write" : "read",
			  m.pae ? "(PAE) 64 GiB - 4, via " : "", m.pae ? 0xfffffffcu : m.addr);
		run_step(step_mem, &m);
	}
}

/* ---- terminal modes: triple, task, halt ---- */

static void step_triple(void *arg)
{
	uint32_t kind = *(uint32_t *)arg;
	struct dtr empty = { 0, 0 }, junk = { 0x7ff, (uint32_t)junk_idt };

	switch (kind) {
	case 0:	/* empty IDT, then UD2 */
		__asm__ volatile("lidt %0; ud2" : : "m"(empty) : "memory");
		break;
	case 1:	/* garbage IDT, then a WRMSR the hypervisor answers with #GP */
		for (unsigned int v = 0; v < 256; v++)
			*(uint64_t *)&junk_idt[v] = rnd64() | 1ull << 47;
		__asm__ volatile("lidt %0; wrmsr" : : "m"(junk), "c"(0x12345678u), "a"(0), "d"(0) : "memory");
		break;
	case 2:	/* paging on with garbage tables */
		for (uint32_t i = 0; i < 1024; i++)
			pgdir[i] = rnd() & ~1u;
		__asm__ volatile("lidt %1; mov %0, %%cr3; mov %%cr0, %%eax; or $0x80000000, %%eax;"
				 "mov %%eax, %%cr0; nop" : : "r"(pgdir), "m"(empty) : "eax", "memory");
		break;
	default:	/* a stack segment with limit 0: the fault cannot be pushed (#SS, #DF, shutdown) */
		hgdt[SEL_SPARE / 8] = seg_desc(0x200000, 0, 0x92, 0x4);
		__asm__ volatile("mov %0, %%ss; mov $0x100, %%esp; ud2" : : "r"(SEL_SPARE) : "memory");
	}
}

static void step_task(void *arg)
{
	(void)arg;
	__asm__ volatile("ljmp $0x48, $0" ::: "memory");
}

static void mode_terminal(const char *m)
{
	uint32_t kind = seed % 4;

	if (m[0] == 't' && m[1] == 'r') {
		rt_printf("hostile: triple fault, kind %u\n", kind);
		run_step(step_triple, &kind);
	} else if (m[0] == 't') {
		rt_printf("hostile: task switch (far jmp to a TSS)\n");
		__asm__ volatile("mov %%cr3, %0" : "=r"(tss2.cr3));
		tss2.eip = (uint32_t)landing_pad;
		tss2.cs = SEL_CODE;
		tss2.ds = tss2.es = tss2.ss = tss2.fs = tss2.gs = SEL_DATA;
		tss2.esp = (uint32_t)(exc_stack + 4096);
		tss2.eflags = 2;
		tss2.iomap = sizeof(tss2);
		hgdt[SEL_TSS2 / 8] = seg_desc((uint32_t)&tss2, sizeof(tss2) - 1, 0x89, 0);
		rt_printf("hostile: task switch returned vector %d\n", run_step(step_task, NULL));
		hgdt[SEL_TSS2 / 8] = 0;
	} else {
		rt_printf("hostile: cli; hlt\n");
		__asm__ volatile("cli; hlt" ::: "memory");
	}
	rt_printf("hostile: still running after the terminal action\n");
}

/* ---- driver ---- */

static const char *const all_modes[] = {
	"insn", "io", "msr", "crx", "int", "desc", "virt", "hcall", "storm", NULL,
};

static bool word_is(const char *w, size_t n, const char *name)
{
	return rt_strlen(name) == n && !rt_strncmp(w, name, n);
}

static bool run_mode(const char *m, size_t n)
{
	char name[16];

	if (n >= sizeof(name))
		return false;
	for (size_t i = 0; i < n; i++)
		name[i] = m[i];
	name[n] = '\0';
	rng = mix(seed * 0x9e3779b9u + 0x1234567) | 1;
	for (size_t i = 0; i < n; i++)
		rng = mix(rng ^ (uint8_t)name[i]) | 1;
	rt_memset(&ms, 0, sizeof(ms));
	if (verbose || word_is(m, n, "cr") || word_is(m, n, "mem") || word_is(m, n, "strio"))
		rt_printf("hostile: mode=%s seed=%u start\n", name, seed);
	if (word_is(m, n, "insn"))
		mode_insn(false);
	else if (word_is(m, n, "insn0"))
		mode_insn(true);
	else if (word_is(m, n, "io"))
		mode_io();
	else if (word_is(m, n, "strio"))
		mode_strio();
	else if (word_is(m, n, "msr"))
		mode_msr();
	else if (word_is(m, n, "cr"))
		mode_cr(true);
	else if (word_is(m, n, "crx"))
		mode_cr(false);
	else if (word_is(m, n, "int"))
		mode_int();
	else if (word_is(m, n, "desc"))
		mode_desc();
	else if (word_is(m, n, "virt"))
		mode_virt();
	else if (word_is(m, n, "hcall"))
		mode_hcall();
	else if (word_is(m, n, "storm"))
		mode_storm();
	else if (word_is(m, n, "mem"))
		mode_mem();
	else if (word_is(m, n, "triple") || word_is(m, n, "task") || word_is(m, n, "halt"))
		mode_terminal(name);
	else
		return false;
	rt_printf("hostile: mode=%s seed=%u steps=%u faults=%u irqs=%u ud=%u gp=%u mem=%u other=%u done\n",
		  name, seed, ms.steps, ms.faults, ms.irqs, ms.vec_hist[0], ms.vec_hist[1],
		  ms.vec_hist[2], ms.vec_hist[3]);
	return true;
}

static void hostile(void)
{
	const char *m = rt_opt("mode");

	seed = rt_opt_u32("seed", 1);
	verbose = rt_opt_is("verbose", "1");
	skip_below = rt_opt_u32("from", 0);
	skip_above = rt_opt_u32("to", ~0u);
	setup_cpu();
	if (!m || !rt_strncmp(m, "all", 3)) {
		for (int i = 0; all_modes[i]; i++)
			run_mode(all_modes[i], rt_strlen(all_modes[i]));
		if (!m || m[3] != ',')
			goto done;
		m += 4;
	}
	while (*m && *m != ' ') {
		size_t n = 0;

		while (m[n] && m[n] != ' ' && m[n] != ',')
			n++;
		if (!run_mode(m, n)) {
			rt_printf("hostile: unknown mode in '%s'\n", m);
			EXPECT(0);
			return;
		}
		m += n;
		if (*m == ',')
			m++;
	}
done:
	rt_printf("hostile: seed=%u all done\n", seed);
}

static const struct rt_test tests[] = {
	{ "hostile", hostile },
	{ NULL, NULL },
};

RT_GUEST("hostile", tests);
