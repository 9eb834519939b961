/* SPDX-License-Identifier: MIT */
/*
 * vlapic.h - a virtual local APIC, one per vCPU: the xAPIC MMIO page, the
 * x2APIC MSRs, IA32_APIC_BASE, the timer and interrupt acceptance.
 *
 * Plain C and polled, like the 8259 and 8254 models. The VM core:
 *
 *   vlapic_init(&v->lapic, &cfg)           cfg: ID, BSP, features, clock, callbacks
 *   vlapic_virtual_wire(&v->lapic)         the BSP, for guests that boot without firmware
 *   MMIO in [base, base + 4 KiB) while vlapic_mmio_enabled() -> vlapic_mmio()
 *   RDMSR/WRMSR 0x800-0x8ff -> vlapic_msr(); 0x1b -> vlapic_base_msr();
 *   0x6e0 -> vlapic_tsc_deadline_msr(); each returns -SV_EINVAL for a #GP
 *   before each entry: vlapic_update(now); NMI: vlapic_nmi_pending/_ack;
 *   interrupts: v->intc = { &vlapic_intc_ops, &v->lapic } (pending/ack,
 *   which also pass the 8259's ExtINT through LINT0 when it is wired)
 *   a halted vCPU sleeps until vlapic_next_deadline_ns()
 *   the I/O APIC and other vCPUs' IPIs arrive through vlapic_accept()
 *
 * Timer: the APIC timer counts VLAPIC_TIMER_HZ (25 MHz, one tick per 40 ns
 * of the host clock) before the divide configuration register, like the
 * core crystal clock of Intel CPUs whose APIC timer runs on it (CPUID 0x15
 * reports it as the crystal); the current count is a function of the host
 * clock, never of how often the guest runs.
 *
 * Callbacks: eoi(ctx, vector) when the guest EOIs a level-triggered vector
 * (TMR set: the I/O APIC clears its remote IRR), ipi(ctx, ipi) for ICR
 * messages that reach other APICs or need the core (INIT, SIPI, SMI,
 * lowest priority). Both may be NULL and are called with the caller's
 * device lock held (see drivers/vio.h); they must not call back into this
 * APIC except through vlapic_accept() for a message to itself.
 *
 * Facts from the Intel SDM vol. 3A chapter 11 "Advanced Programmable
 * Interrupt Controller (APIC)"; section numbers below refer to it.
 */
#ifndef SV_DRIVERS_VLAPIC_H
#define SV_DRIVERS_VLAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/intc.h"
#include "drivers/vio.h"

#define VLAPIC_DEFAULT_BASE	0xfee00000ull
#define VLAPIC_TIMER_HZ		25000000ull	/* timer input before the divider */
#define VLAPIC_TICK_NS		(1000000000ull / VLAPIC_TIMER_HZ)	/* 40: a whole number of ns */
#define VLAPIC_NO_DEADLINE	UINT64_MAX
#define VLAPIC_VERSION		0x14		/* integrated xAPIC (Pentium 4 and later) */
#define VLAPIC_NR_LVT		6		/* timer, thermal, perf, LINT0, LINT1, error */

/* MSRs (SDM 11.4.4, 11.12.1, 11.5.4.1). */
#define VLAPIC_MSR_APIC_BASE	0x1b
#define VLAPIC_MSR_TSC_DEADLINE	0x6e0
#define VLAPIC_MSR_X2APIC_FIRST	0x800
#define VLAPIC_MSR_X2APIC_LAST	0x8ff

/* IA32_APIC_BASE bits (SDM 11.4.4, 11.12.1). */
#define VLAPIC_BASE_BSP		(1ull << 8)
#define VLAPIC_BASE_EXTD	(1ull << 10)	/* x2APIC mode */
#define VLAPIC_BASE_EN		(1ull << 11)	/* global enable */

/* Register offsets in the xAPIC page (SDM table 11-1); x2APIC MSR = 0x800 + (off >> 4). */
#define VLAPIC_ID		0x020
#define VLAPIC_VER		0x030
#define VLAPIC_TPR		0x080
#define VLAPIC_APR		0x090
#define VLAPIC_PPR		0x0a0
#define VLAPIC_EOI		0x0b0
#define VLAPIC_RRD		0x0c0
#define VLAPIC_LDR		0x0d0
#define VLAPIC_DFR		0x0e0
#define VLAPIC_SVR		0x0f0
#define VLAPIC_ISR		0x100	/* 8 registers, 0x100-0x170 */
#define VLAPIC_TMR		0x180
#define VLAPIC_IRR		0x200
#define VLAPIC_ESR		0x280
#define VLAPIC_ICR_LO		0x300
#define VLAPIC_ICR_HI		0x310
#define VLAPIC_LVT_TIMER	0x320
#define VLAPIC_LVT_THERMAL	0x330
#define VLAPIC_LVT_PERF		0x340
#define VLAPIC_LVT_LINT0	0x350
#define VLAPIC_LVT_LINT1	0x360
#define VLAPIC_LVT_ERROR	0x370
#define VLAPIC_TIMER_INIT	0x380
#define VLAPIC_TIMER_CUR	0x390
#define VLAPIC_TIMER_DIV	0x3e0
#define VLAPIC_SELF_IPI		0x3f0	/* x2APIC only (MSR 0x83f) */

/* SVR (SDM 11.9). */
#define VLAPIC_SVR_ENABLE	(1u << 8)
#define VLAPIC_SVR_FOCUS_OFF	(1u << 9)

/* LVT and ICR fields (SDM 11.5.1, 11.6.1). */
#define VLAPIC_LVT_MASKED	(1u << 16)
#define VLAPIC_LVT_LEVEL	(1u << 15)	/* trigger mode (LINT0/1) */
#define VLAPIC_LVT_REMOTE_IRR	(1u << 14)	/* read-only (LINT0/1) */
#define VLAPIC_LVT_ACTIVE_LOW	(1u << 13)	/* input pin polarity (LINT0/1) */
#define VLAPIC_LVT_PENDING	(1u << 12)	/* delivery status, read-only */
#define VLAPIC_TIMER_ONESHOT	(0u << 17)
#define VLAPIC_TIMER_PERIODIC	(1u << 17)
#define VLAPIC_TIMER_TSCDL	(2u << 17)
#define VLAPIC_TIMER_MODE_MASK	(3u << 17)

/* Delivery modes (LVT bits 8-10, ICR bits 8-10, I/O APIC bits 8-10). */
#define VLAPIC_DM_FIXED		0
#define VLAPIC_DM_LOWEST	1
#define VLAPIC_DM_SMI		2
#define VLAPIC_DM_NMI		4
#define VLAPIC_DM_INIT		5
#define VLAPIC_DM_STARTUP	6
#define VLAPIC_DM_EXTINT	7

/* ICR destination shorthand (bits 18-19). */
#define VLAPIC_SH_NONE		0
#define VLAPIC_SH_SELF		1
#define VLAPIC_SH_ALL		2	/* all including self */
#define VLAPIC_SH_OTHERS	3	/* all excluding self */

/* ESR bits (SDM 11.5.3). */
#define VLAPIC_ESR_SEND_ILLEGAL	(1u << 5)
#define VLAPIC_ESR_RECV_ILLEGAL	(1u << 6)
#define VLAPIC_ESR_ILLEGAL_REG	(1u << 7)	/* xAPIC only */

/* vlapic_ipi - one ICR message as the sender wrote it (vector 0..255). */
struct vlapic_ipi {
	uint32_t src_id;	/* the sender's APIC ID */
	uint32_t dest;		/* xAPIC: 8 bits; x2APIC: 32 bits (0xff.. = broadcast) */
	uint8_t vector;
	uint8_t mode;		/* VLAPIC_DM_* */
	uint8_t shorthand;	/* VLAPIC_SH_* */
	bool logical;		/* destination mode */
	bool level;		/* trigger mode level */
	bool assert;		/* level bit: 0 only in an INIT level de-assert */
	bool x2apic;		/* the sender is in x2APIC mode (32-bit dest) */
	bool to_self;		/* the sender is one of the destinations */
	bool self_done;		/* ... and has already taken its own share */
};

struct vlapic_config {
	uint32_t apic_id;	/* initial (x2)APIC ID */
	bool bsp;		/* IA32_APIC_BASE.BSP */
	bool x2apic;		/* EXTD may be set (advertise CPUID.1:ECX[21] then) */
	bool tsc_deadline;	/* TSC-deadline mode (CPUID.1:ECX[24]) */
	uint64_t tsc_hz;	/* guest TSC frequency, for TSC-deadline */
	vclock_fn clock;	/* host ns; used by the MMIO/MSR handlers (NULL: time 0) */
	uint64_t (*tsc)(void *ctx);	/* the guest's TSC now (NULL: none) */
	void (*eoi)(void *ctx, uint8_t vector);	/* level EOI (may be NULL) */
	void (*ipi)(void *ctx, const struct vlapic_ipi *ipi);	/* may be NULL */
	const struct intc *extint;	/* the 8259 behind LINT0 (may be NULL) */
	void *ctx;		/* passed to clock, tsc, eoi, ipi */
};

struct vlapic {
	struct vlapic_config cfg;
	uint64_t base_msr;	/* IA32_APIC_BASE */
	uint32_t xapic_id;	/* ID register bits 24-31 (xAPIC; writable) */
	uint32_t tpr, svr, ldr, dfr;
	uint32_t esr;		/* what reads of ESR return */
	uint32_t esr_pending;	/* errors since the last ESR write */
	bool esr_armed;		/* an error may raise the LVT error interrupt */
	uint32_t icr_lo, icr_hi;
	uint32_t lvt[VLAPIC_NR_LVT];	/* in register order from 0x320 */
	uint32_t irr[8], isr[8], tmr[8];
	uint32_t timer_init, timer_div;
	/* Periodic/one-shot timer: the count was @t_count at @t_base_ns. */
	bool t_running;
	uint64_t t_base_ns;
	uint32_t t_count;
	uint64_t t_fired;	/* expiries accounted since t_base_ns */
	uint64_t tsc_deadline;	/* IA32_TSC_DEADLINE (0 = disarmed) */
	uint64_t tsc_deadline_ns;	/* the host time it expires */
	uint8_t lint_pins;	/* LINT0/LINT1 input levels (bit n = pin n) */
	bool nmi_pending;
	uint64_t now_ns;	/* the last update (never goes back) */
	/* Counters. */
	uint64_t bad_accesses;	/* MMIO of a wrong size/alignment or a reserved offset */
	uint64_t coalesced;	/* edge interrupts that found their IRR bit set */
	uint64_t dropped;	/* fixed interrupts refused: APIC disabled */
	uint64_t timer_irqs;	/* timer expiries delivered */
	uint64_t timer_coalesced;	/* expiries merged into an earlier one */
	uint64_t nmis, nmi_coalesced;
	uint64_t spurious;	/* acks that found nothing (SVR vector) */
	uint64_t ipis;		/* ICR/SELF_IPI messages sent */
	uint64_t ignored;	/* LVT/ICR modes not modelled (SMI, INIT via LVT) */
};

/*
 * vlapic_init - the power-up state of SDM 11.4.7.1: IA32_APIC_BASE =
 * 0xfee00000 | EN (| BSP), xAPIC mode, ID = @cfg->apic_id, IRR/ISR/TMR,
 * TPR, LDR, ICR, ESR and the timer registers 0, DFR 0xffffffff, SVR 0xff
 * (software-disabled), every LVT masked.
 */
void vlapic_init(struct vlapic *a, const struct vlapic_config *cfg);

/*
 * vlapic_virtual_wire - what a PC BIOS leaves on the BSP (MP spec 3.6.2.2
 * virtual wire mode A): SVR enabled with spurious vector 0xff, LINT0 ExtINT
 * (the 8259's INTR), LINT1 NMI, both unmasked. For guests without firmware.
 */
void vlapic_virtual_wire(struct vlapic *a);

/*
 * vlapic_init_signal - an INIT (SDM 11.4.7.3): the power-up state except the
 * APIC ID and IA32_APIC_BASE (an x2APIC stays in x2APIC mode).
 */
void vlapic_init_signal(struct vlapic *a);

/*
 * vlapic_mmio - one guest access at @offset in the APIC page. 32-bit
 * accesses at 4-byte aligned offsets reach the register at the 16-byte
 * slot (bytes 4-15 of a slot read 0); other sizes and alignments read 0,
 * are ignored when written and counted in bad_accesses, as are reserved
 * offsets (which also set ESR "illegal register address"). Returns 0,
 * -SV_ENOENT when the xAPIC page is not decoded (globally disabled or in
 * x2APIC mode: the core treats the access as unclaimed), -SV_EINVAL for
 * @offset >= 4096.
 */
int vlapic_mmio(struct vlapic *a, uint32_t offset, unsigned size, bool write,
		uint32_t *val);

/* vlapic_mmio_enabled - true while the xAPIC page is decoded; *base (may be NULL) gets its address. */
bool vlapic_mmio_enabled(const struct vlapic *a, uint64_t *base);

/*
 * vlapic_msr - RDMSR/WRMSR of an x2APIC register, @msr in 0x800-0x8ff.
 * Returns 0, or -SV_EINVAL for a #GP: not in x2APIC mode, a reserved MSR
 * (APR, RRD, DFR, ICR high, CMCI, ...), a read of EOI or SELF_IPI, a write
 * to a read-only register, reserved bits set, a non-zero EOI or ESR write.
 */
int vlapic_msr(struct vlapic *a, uint32_t msr, bool write, uint64_t *val);

/*
 * vlapic_base_msr - RDMSR/WRMSR of IA32_APIC_BASE. @maxphyaddr bounds the
 * base. Returns 0, or -SV_EINVAL for a #GP: reserved bits (0-7, 9, EXTD
 * without x2APIC support, bits at or above MAXPHYADDR), EXTD without EN, or
 * a transition SDM 11.12.5 forbids (x2APIC -> xAPIC, disabled -> x2APIC).
 * BSP is read-only. Disabling returns the APIC to its power-up state.
 */
int vlapic_base_msr(struct vlapic *a, bool write, uint64_t *val,
		    unsigned maxphyaddr);

/*
 * vlapic_tsc_deadline_msr - IA32_TSC_DEADLINE. Returns -SV_EINVAL (#GP)
 * when TSC-deadline is not offered. Outside TSC-deadline timer mode reads
 * return 0 and writes are ignored (SDM 11.5.4.1); 0 disarms; a deadline in
 * the past fires at once; the MSR reads 0 again after it fired.
 */
int vlapic_tsc_deadline_msr(struct vlapic *a, bool write, uint64_t *val);

/*
 * vlapic_update - advance to @now_ns (earlier times count as the last one)
 * and raise the timer interrupt if it expired: one IRR bit however many
 * periods elapsed (the rest are counted in timer_coalesced). Returns the
 * number of timer interrupts raised (0 or 1).
 */
int vlapic_update(struct vlapic *a, uint64_t now_ns);

/* vlapic_next_deadline_ns - host time of the next unmasked timer expiry, or VLAPIC_NO_DEADLINE. */
uint64_t vlapic_next_deadline_ns(const struct vlapic *a);

/*
 * vlapic_accept - an interrupt message for this APIC (from the I/O APIC,
 * another APIC or the core): FIXED and LOWEST set IRR (and TMR when @level),
 * NMI sets the pending NMI. Vectors 0-15 of FIXED/LOWEST are refused with
 * ESR "receive illegal vector"; FIXED/LOWEST are refused while the APIC is
 * software- or globally disabled. Returns 0, -SV_ENOENT when refused,
 * -SV_ENOTSUP for SMI, INIT, SIPI and ExtINT (the core handles those).
 */
int vlapic_accept(struct vlapic *a, uint8_t mode, uint8_t vector, bool level);

/* vlapic_set_irq - vlapic_accept(FIXED): an I/O APIC or IPI vector. */
int vlapic_set_irq(struct vlapic *a, uint8_t vector, bool level);

/*
 * vlapic_lint - drive LINT0 (@pin 0) or LINT1 (@pin 1) to @level through its
 * LVT: FIXED edge on the asserting edge, FIXED level while asserted with
 * the LVT's remote IRR (cleared by the EOI), NMI on the asserting edge.
 * ExtINT needs no input (the 8259 is polled, see vlapic_extint_wired). With
 * the APIC globally disabled LINT1 is the CPU's NMI pin (SDM 11.4.3).
 */
void vlapic_lint(struct vlapic *a, int pin, int level);

/*
 * vlapic_extint_wired - true when the 8259's INTR reaches this CPU: the APIC
 * is globally disabled (LINT0 is then the INTR pin) or LVT LINT0 is ExtINT
 * and unmasked.
 */
bool vlapic_extint_wired(const struct vlapic *a);

/* vlapic_nmi_pending - an NMI waits for injection (LVT, ICR or accepted). */
bool vlapic_nmi_pending(const struct vlapic *a);

/* vlapic_nmi_ack - the core injected the pending NMI. */
void vlapic_nmi_ack(struct vlapic *a);

/*
 * vlapic_pending - the APIC's own interrupt for the CPU: the highest IRR
 * vector whose priority class exceeds the PPR's (SDM 11.8.3.1). False
 * while globally disabled. *vector (may be NULL) gets it.
 */
bool vlapic_pending(const struct vlapic *a, uint8_t *vector);

/*
 * vlapic_ack - the CPU takes the interrupt vlapic_pending reported: IRR ->
 * ISR, PPR rises. With nothing pending it returns the spurious vector
 * (SVR bits 0-7, SDM 11.9) and sets no ISR bit.
 */
uint8_t vlapic_ack(struct vlapic *a);

/* vlapic_eoi - the guest's EOI: clears the highest ISR bit (calls cfg.eoi for a TMR vector). */
void vlapic_eoi(struct vlapic *a);

/* vlapic_irr_has - @vector is requested (in IRR), not yet taken. */
bool vlapic_irr_has(const struct vlapic *a, uint8_t vector);

/* vlapic_get_tpr / vlapic_set_tpr - the TPR, for CR8 (CR8 = TPR >> 4) and TPR shadows. */
uint8_t vlapic_get_tpr(const struct vlapic *a);
void vlapic_set_tpr(struct vlapic *a, uint8_t tpr);

/*
 * vlapic_tpr_threshold - for a TPR the guest moves without an exit (CR8
 * with VMX's TPR shadow): the priority class of the highest requested
 * vector when only the TPR holds it back (above the class in service, not
 * above TPR[7:4]), else 0. A guest TPR below it must exit so the vector
 * is delivered (SDM vol. 3C 30.1.2); the result never exceeds TPR[7:4],
 * as VM entry requires (27.2.1.1).
 */
uint8_t vlapic_tpr_threshold(const struct vlapic *a);

/* vlapic_ppr - the processor priority (SDM 11.8.3.1). */
uint8_t vlapic_ppr(const struct vlapic *a);

/* vlapic_id - the APIC ID as destinations compare it (xAPIC 8 bits, x2APIC 32). */
uint32_t vlapic_id(const struct vlapic *a);

/* vlapic_hw_enabled - IA32_APIC_BASE has EN (CPUID.1:EDX.APIC follows it, SDM vol. 3A 10.4.3). */
bool vlapic_hw_enabled(const struct vlapic *a);

/* vlapic_x2apic_mode - IA32_APIC_BASE has EN and EXTD. */
bool vlapic_x2apic_mode(const struct vlapic *a);

/*
 * vlapic_match_dest - this APIC is addressed by destination @dest in
 * physical or @logical mode (SDM 11.6.2): physical ID or broadcast (0xff,
 * x2APIC 0xffffffff), logical flat/cluster through LDR and DFR, x2APIC
 * cluster. @x2 says whether @dest is a 32-bit x2APIC destination; an
 * 8-bit one (the I/O APIC's) reaching an x2APIC compares its ID as is.
 */
bool vlapic_match_dest(const struct vlapic *a, uint32_t dest, bool logical, bool x2);

/*
 * vlapic_intc_ops - this APIC as the vCPU's struct intc (chip: a struct
 * vlapic): pending/ack prefer the 8259 (cfg.extint) while it is wired
 * through LINT0, then vlapic_pending/vlapic_ack; eoi is NULL (the guest's
 * EOI register); set_line drives LINT0/LINT1.
 */
extern const struct intc_ops vlapic_intc_ops;

#endif
