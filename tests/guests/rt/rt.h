/* SPDX-License-Identifier: MIT */
/*
 * rt.h - the test-guest runtime: what every tiny guest kernel can use.
 *
 * A guest is a table of named test functions plus RT_GUEST(name, table).
 * The runtime boots (Multiboot v1, 32-bit protected mode, paging off; the
 * 64-bit build, entry64.S, goes on into long mode with the first 4 GiB
 * identity-mapped), sets up its own GDT and IDT, copies the Multiboot information it needs, runs
 * each test, prints "test NAME: ok|FAILED" and "guest NAME: PASS|FAIL (n
 * failures)" on COM1 and exits through port 0xf4 (0 = pass, 1 = fail).
 */
#ifndef RT_RT_H
#define RT_RT_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>

/* ---- port I/O and CPU helpers ---- */

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* RT_READ_REG - the value of control or debug register REG (a name: cr0, dr7, ...). */
#define RT_READ_REG(reg) ({							\
	unsigned long rt_v_;	/* the register's width: 32 or 64 bits */	\
	__asm__ volatile("mov %%" #reg ", %0" : "=r"(rt_v_));			\
	rt_v_;									\
})

static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
/* sti_hlt - enable interrupts and halt until one arrives (no lost wake-up). */
static inline void sti_hlt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }

/* ---- serial console and printf (COM1, polled 16550) ---- */

/* rt_serial_init - program COM1 (8N1); the loader may have left it otherwise. */
void rt_serial_init(void);
void rt_putc(char c);
void rt_puts(const char *s);
int rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int rt_vprintf(const char *fmt, va_list ap);
/* u64_divmod - *n /= d, returns the remainder (no libgcc in 32-bit builds). */
uint32_t u64_divmod(uint64_t *n, uint32_t d);

/* ---- exit ---- */

/* rt_exit - flush COM1, write CODE to port 0xf4, then halt forever. */
void rt_exit(uint8_t code) __attribute__((noreturn));

/* ---- Multiboot information (copied into the image at boot) ---- */

#define RT_MMAP_MAX	32
#define RT_MODS_MAX	16
#define RT_CMDLINE_MAX	256

struct rt_mmap_entry {
	uint64_t addr;
	uint64_t len;
	uint32_t type;		/* 1 = available RAM */
};

struct rt_module {
	uint32_t start, end;	/* [start, end): the bytes stay where the loader put them */
	char string[64];
};

struct rt_boot {
	uint32_t magic;		/* EAX at entry: 0x2BADB002 */
	uint32_t flags;		/* multiboot_info.flags */
	uint32_t mem_lower;	/* KiB below 1 MiB (flags bit 0) */
	uint32_t mem_upper;	/* KiB above 1 MiB (flags bit 0) */
	bool has_mem, has_cmdline, has_mmap;
	char cmdline[RT_CMDLINE_MAX];
	unsigned int nmmap;
	struct rt_mmap_entry mmap[RT_MMAP_MAX];
	bool has_mods;
	unsigned int nmods;	/* mods_count (those beyond RT_MODS_MAX are not kept) */
	struct rt_module mods[RT_MODS_MAX];
};

extern struct rt_boot rt_boot;

#ifdef __x86_64__
/* The per-CPU area entry64.S puts in GS_BASE (in 32-bit mode, before long mode). */
#define RT_PERCPU_WORDS	8
extern uint64_t rt_percpu[RT_PERCPU_WORDS];
#endif
extern char _image_start[], _image_end[];	/* from guest.ld */

/* rt_opt - the value of "key=value" in the command line, or NULL. */
const char *rt_opt(const char *key);
/* rt_opt_u32 - numeric option (decimal, 0x hex, K/M/G suffix) or DEF. */
uint32_t rt_opt_u32(const char *key, uint32_t def);
/* rt_opt_is - true if option KEY is present and equals VAL. */
bool rt_opt_is(const char *key, const char *val);
/* rt_parse_u64 - parse a number with an optional K/M/G suffix; returns the end. */
const char *rt_parse_u64(const char *s, uint64_t *out);
/* rt_image_end_page - the first page-aligned address above the guest image. */
uint32_t rt_image_end_page(void);

/* ---- traps: IDT, handlers, expected faults ---- */

/* A 32-bit TSS (SDM Vol. 3A, 7.2.1). */
struct tss32 {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap;
} __attribute__((packed));

#define RT_NVEC		48	/* exceptions and IRQ vectors 0x20-0x2f */

#ifdef __x86_64__
/* What isr_common (entry64.S) pushes, then the CPU's 64-bit frame. */
struct rt_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};
#define RT_FRAME_IP(f)	((f)->rip)
#define RT_CODE_SEL	0x18	/* entry64.S's 64-bit code segment */
#else
struct rt_frame {
	uint32_t edi, esi, ebp, esp_dummy, ebx, edx, ecx, eax;
	uint32_t vector, error;
	uint32_t eip, cs, eflags;
};
#define RT_FRAME_IP(f)	((f)->eip)
#define RT_CODE_SEL	0x08
#endif

typedef void (*rt_handler_t)(struct rt_frame *f);

void rt_trap_init(void);
void rt_set_handler(unsigned int vector, rt_handler_t fn);

/*
 * Expected faults: rt_fault_ip names the instruction that may fault and
 * rt_fixup_ip where to resume; the trap handler records the vector in
 * rt_fault_vec (-1 = no fault) and resumes there.  Use RT_PROBE_ASM.
 */
extern volatile uint32_t rt_fault_ip, rt_fixup_ip;
extern volatile int rt_fault_vec;
extern volatile uint32_t rt_fault_err;

/*
 * RT_PROBE_ASM - wrap one instruction INSN (a string) so that a fault on it
 * is recorded and skipped; the caller resets rt_fault_vec to -1 first.
 */
#define RT_PROBE_ASM(insn)						\
	"movl $1f, rt_fault_ip\n\t"					\
	"movl $2f, rt_fixup_ip\n\t"					\
	"1: " insn "\n"							\
	"2:\n\t"

#define VEC_UD	6
#define VEC_DF	8
#define VEC_GP	13
#define VEC_PF	14

/* rt_wrmsr_probe - WRMSR; returns the exception vector it raised or -1. */
int rt_wrmsr_probe(uint32_t msr, uint64_t val);
/* rt_rdmsr_probe - RDMSR into *val; returns the exception vector or -1. */
int rt_rdmsr_probe(uint32_t msr, uint64_t *val);

/* ---- PIC and PIT timer ---- */

#define RT_IRQ_BASE	0x20	/* IRQ0-15 -> vectors 0x20-0x2f */

extern volatile uint32_t rt_ticks;

/* rt_timer_start - remap the PICs, program PIT channel 0 at HZ, unmask IRQ0. */
void rt_timer_start(uint32_t hz);
/* rt_timer_stop - mask IRQ0 again. */
void rt_timer_stop(void);
/* rt_pit_read - latch and read PIT channel 0's current count. */
uint16_t rt_pit_read(void);

/* ---- sharevisor detection, counters, hypercalls ---- */

/* rt_hv_present - true if CPUID 0x40000000 carries the sharevisor signature. */
bool rt_hv_present(void);
/* rt_hv_counter - read counter IDX into *val; false if not present/known. */
bool rt_hv_counter(unsigned int idx, uint64_t *val);
/* rt_cpu_is_intel / rt_cpu_is_amd - from the CPUID vendor string. */
bool rt_cpu_is_intel(void);
bool rt_cpu_is_amd(void);
/* rt_hypercall - VMCALL or VMMCALL by vendor; returns EAX (or -38 if it #UDs). */
int32_t rt_hypercall(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3);

/* ---- tests ---- */

struct rt_test {
	const char *name;
	void (*fn)(void);
};

struct rt_guest {
	const char *name;
	const struct rt_test *tests;	/* ends with { NULL, NULL } */
};

extern const struct rt_guest rt_guest;

#define RT_GUEST(gname, table)						\
	const struct rt_guest rt_guest = { .name = (gname), .tests = (table) }

/* rt_expect - count and report a failed condition; returns COND. */
bool rt_expect(bool cond, const char *text, const char *file, int line);

#define EXPECT(cond) rt_expect(!!(cond), #cond, __FILE__, __LINE__)

/* rt_skip - mark the running test as skipped (still "ok"), with a reason. */
void rt_skip(const char *why);

/* small string helpers (no libc) */
size_t rt_strlen(const char *s);
int rt_strncmp(const char *a, const char *b, size_t n);
void *rt_memset(void *d, int c, size_t n);

#endif
