/* SPDX-License-Identifier: MIT */
/*
 * x86emu.h - one x86 instruction emulator: fetch, decode, execute.
 *
 * The model. x86emu_step() runs exactly one guest instruction (or a bounded
 * slice of a REP string instruction) against a copy of the guest CPU state
 * the caller passes in, reaching guest memory and ports only through the
 * caller's x86emu_ops. It fetches at CS:RIP through the guest's own page
 * tables (x86emu_linear_to_phys), decodes (x86emu_decode), applies
 * segmentation (real mode: the cached base and limit; protected and
 * compatibility mode: descriptor-cache type, limit and expand-down checks;
 * 64-bit mode: FS/GS bases and canonical checks), and executes.
 *
 * What is emulated: the instructions guests use on device memory and ports.
 *   MOV (all forms, moffs, immediates), MOVZX, MOVSX, MOVSXD, MOV r/m,Sreg,
 *   ADD OR ADC SBB AND SUB XOR CMP (all forms), TEST, XCHG, INC DEC NOT NEG,
 *   BT BTS BTR BTC, CMPXCHG, XADD, SETcc, SMSW, LMSW (the new CR0 is left in
 *   cpu->cr0 for the caller to check and apply), IN/OUT, and the string
 *   instructions MOVS CMPS STOS LODS SCAS INS OUTS with REP/REPE/REPNE and
 *   DF, in real, 16/32-bit protected, compatibility and 64-bit mode, with
 *   operand-size (66, REX.W), address-size (67) and segment overrides.
 *   LOCK is accepted on the lockable forms with a memory destination and
 *   raises #UD anywhere else.
 * What is not: everything else returns X86EMU_UNSUPPORTED with the CPU
 *   untouched (the caller decides: usually #UD or stop the VM), among them
 *   MUL/DIV, shifts, PUSH/POP, MOV to segment registers, MOVNTI and SSE
 *   moves; virtual-8086 mode; the TSS I/O permission bitmap (port I/O at
 *   CPL > IOPL in protected mode is #GP(0) outright); alignment checks
 *   (#AC); protection keys; single-step traps (RFLAGS.TF, the caller's
 *   business after X86EMU_DONE); the PDPTE cache (PAE PDPTEs are re-read
 *   from CR3 on every walk); reserved physical-address bits above
 *   MAXPHYADDR (the walk assumes 52). LOCK is honoured as "read, then
 *   write" without atomicity against other vCPUs, and A/D updates are plain
 *   byte writes: the caller must serialise the vCPUs of a VM around
 *   x86emu_step.
 *
 * REP is bounded: at most X86EMU_REP_BUDGET iterations per call. When the
 * budget runs out with work left, RCX/RSI/RDI are updated, RIP still points
 * at the instruction and the result is X86EMU_PARTIAL: call again (after
 * delivering any pending interrupt, which the architecture allows between
 * iterations).
 *
 * How faults come back: a #PF of the guest's walk, #GP/#SS of segmentation
 * or canonical checks, #UD of a bad LOCK and #GP of an instruction longer
 * than 15 bytes are returned as X86EMU_EXCEPTION with *ev filled in, for the
 * caller to inject. No guest state is modified then, except that a REP
 * instruction keeps the iterations it completed (as hardware does). Side
 * effects (callbacks) of an instruction only start once all of its
 * translations and checks passed, so a faulting instruction writes nothing.
 *
 * Memory writes, including the accessed/dirty bits the walk sets in the
 * guest's page-table entries, go through ops->write_phys: the hypervisor
 * makes that copy-on-write aware (a write to a shared frame breaks it).
 */
#ifndef SV_EMU_X86EMU_H
#define SV_EMU_X86EMU_H

#include <stdbool.h>
#include <stdint.h>

/* Iterations of a REP string instruction per x86emu_step() call. */
#define X86EMU_REP_BUDGET	256u

/*
 * One segment register with its descriptor cache. attr holds descriptor
 * bits 47:40 in bits 7:0 and bits 55:52 in bits 11:8 (the VMCB layout:
 * type[3:0], S, DPL[1:0], P, AVL, L, D/B, G); attr == 0 means unusable.
 * limit is the byte-granular limit (already scaled by G). In real mode the
 * caller passes base = sel << 4 and (normally) limit = 0xffff; attr is
 * ignored there. From a VMCS access-rights field: attr = (ar & 0xff) |
 * ((ar >> 4) & 0xf00), or 0 when its "unusable" bit 16 is set.
 */
struct x86emu_seg {
	uint16_t sel;
	uint16_t attr;
	uint32_t limit;
	uint64_t base;
};

enum { X86EMU_ES, X86EMU_CS, X86EMU_SS, X86EMU_DS, X86EMU_FS, X86EMU_GS, X86EMU_NSEG };

/* General registers in x86 encoding order. */
enum {
	X86EMU_RAX, X86EMU_RCX, X86EMU_RDX, X86EMU_RBX,
	X86EMU_RSP, X86EMU_RBP, X86EMU_RSI, X86EMU_RDI,
};

/* The guest CPU state the emulator reads and updates. */
struct x86emu_cpu {
	uint64_t gpr[16];		/* RAX RCX RDX RBX RSP RBP RSI RDI R8..R15 */
	uint64_t rip, rflags;
	uint64_t cr0, cr3, cr4, efer;	/* the guest's: mode and paging for the walk */
	struct x86emu_seg seg[X86EMU_NSEG];
	unsigned cpl;
	/* Descriptor tables and the task register: only x86emu_task_switch() uses them. */
	struct x86emu_seg ldtr, tr;
	uint64_t gdt_base;
	uint32_t gdt_limit;
};

#define X86EMU_BUS_ERROR	(-1)

/*
 * The hypervisor's side: guest-physical memory (RAM or a device) and ports.
 * Each returns 0 or X86EMU_BUS_ERROR (the emulator then returns X86EMU_BUS),
 * never a fault. Data accesses are split at page boundaries and are at most
 * 8 bytes each; instruction fetches are up to 15 bytes (one call per page
 * piece); page-table entries are read with len 4 or 8, and the walk's A/D
 * updates write one byte (the entry's low byte).
 */
struct x86emu_ops {
	int (*read_phys)(void *ctx, uint64_t gpa, void *buf, unsigned len);
	int (*write_phys)(void *ctx, uint64_t gpa, const void *buf, unsigned len);
	int (*port_in)(void *ctx, uint16_t port, unsigned size, uint32_t *val);
	int (*port_out)(void *ctx, uint16_t port, unsigned size, uint32_t val);
};

enum x86emu_status {
	X86EMU_DONE,		/* instruction completed, cpu updated (RIP advanced) */
	X86EMU_EXCEPTION,	/* inject *ev; cpu unchanged but for completed REP iterations */
	X86EMU_UNSUPPORTED,	/* not an instruction the emulator does: cpu unchanged */
	X86EMU_BUS,		/* a callback failed; cpu as for X86EMU_EXCEPTION */
	X86EMU_PARTIAL,		/* REP budget used: RCX/RSI/RDI updated, RIP not: call again */
};

/* Exception vectors the emulator raises. */
enum {
	X86EMU_DB = 1, X86EMU_UD = 6, X86EMU_DF = 8, X86EMU_TS = 10, X86EMU_NP = 11,
	X86EMU_SS_FAULT = 12, X86EMU_GP = 13, X86EMU_PF = 14,
};

/* #PF error code bits (SDM vol. 3A 4.7). */
#define X86EMU_PF_P	0x01u	/* 0: not present, 1: protection */
#define X86EMU_PF_W	0x02u	/* a write */
#define X86EMU_PF_U	0x04u	/* a user-mode access */
#define X86EMU_PF_RSVD	0x08u	/* a reserved bit was set in an entry */
#define X86EMU_PF_I	0x10u	/* an instruction fetch (with NXE and PAE, or SMEP) */

struct x86emu_event {
	uint8_t vector;
	bool has_error;
	uint32_t error;
	uint64_t cr2;		/* for #PF: the faulting linear address */
};

/* What a decoded instruction does. */
enum x86emu_kind {
	X86EMU_K_NONE,
	X86EMU_K_ADD, X86EMU_K_OR, X86EMU_K_ADC, X86EMU_K_SBB,	/* ALU: in encoding order */
	X86EMU_K_AND, X86EMU_K_SUB, X86EMU_K_XOR, X86EMU_K_CMP,
	X86EMU_K_TEST, X86EMU_K_MOV, X86EMU_K_MOVZX, X86EMU_K_MOVSX, X86EMU_K_MOVSXD,
	X86EMU_K_MOVSEG, X86EMU_K_XCHG, X86EMU_K_INC, X86EMU_K_DEC, X86EMU_K_NOT,
	X86EMU_K_NEG, X86EMU_K_BT, X86EMU_K_BTS, X86EMU_K_BTR, X86EMU_K_BTC,
	X86EMU_K_CMPXCHG, X86EMU_K_XADD, X86EMU_K_SETCC, X86EMU_K_IN, X86EMU_K_OUT,
	X86EMU_K_MOVS, X86EMU_K_CMPS, X86EMU_K_STOS, X86EMU_K_LODS, X86EMU_K_SCAS,
	X86EMU_K_INS, X86EMU_K_OUTS, X86EMU_K_SMSW, X86EMU_K_LMSW,
	X86EMU_K_COUNT
};

/* Operand kinds of a decoded instruction (dst = op[0], src = op[1]). */
enum x86emu_opk {
	X86EMU_O_NONE,
	X86EMU_O_E,	/* ModRM r/m: a register (mod == 3) or memory */
	X86EMU_O_G,	/* ModRM reg: a general register */
	X86EMU_O_S,	/* ModRM reg: a segment register */
	X86EMU_O_Z,	/* the register in the opcode's low 3 bits (+ REX.B) */
	X86EMU_O_A,	/* the accumulator */
	X86EMU_O_I,	/* the immediate */
	X86EMU_O_O,	/* moffs: memory at a plain offset */
	X86EMU_O_DX,	/* the port in DX */
};

#define X86EMU_NOREG	0xff
#define X86EMU_RIPREL	0x10	/* ea_base: RIP-relative */

/* The decoded form of one instruction. */
struct x86emu_insn {
	uint8_t len;		/* bytes, prefixes included (<= 15) */
	uint8_t mode;		/* 16, 32 or 64: the code size it was decoded for */
	uint8_t kind;		/* enum x86emu_kind */
	uint8_t map;		/* 1: one-byte map, 2: 0F map */
	uint8_t opcode;		/* the opcode byte in that map */
	uint8_t op[2];		/* enum x86emu_opk: destination, source */
	uint8_t opsize;		/* operand size in bytes: 1, 2, 4, 8 */
	uint8_t srcsize;	/* source size for MOVZX/MOVSX/MOVSXD and Sreg, else opsize */
	uint8_t addrsize;	/* address size in bytes: 2, 4, 8 */
	uint8_t seg;		/* segment of the memory operand (override or default) */
	uint8_t seg_override;	/* the override prefix's segment, or X86EMU_NOREG */
	uint8_t rep;		/* 0, 0xf3 (REP/REPE) or 0xf2 (REPNE): the last one given */
	bool lock;		/* a LOCK prefix */
	bool lock_ok;		/* LOCK is legal here (lockable form, memory destination) */
	bool opsize_prefix;	/* 0x66 */
	bool addrsize_prefix;	/* 0x67 */
	uint8_t rex;		/* the REX byte in effect (0x40-0x4f), or 0 */
	bool has_modrm;
	uint8_t modrm, mod, reg, rm;	/* reg and rm include REX.R and REX.B */
	bool has_sib;
	uint8_t sib;
	bool has_mem;		/* a memory operand (ModRM memory or moffs) */
	uint8_t ea_base;	/* base register, X86EMU_RIPREL, or X86EMU_NOREG */
	uint8_t ea_index;	/* index register or X86EMU_NOREG */
	uint8_t ea_scale;	/* 1, 2, 4, 8 */
	uint8_t disp_size;	/* 0, 1, 2, 4 or 8 (moffs) bytes */
	uint8_t imm_size;	/* 0, 1, 2, 4 or 8 bytes */
	uint8_t cond;		/* SETcc: the condition (opcode & 15) */
	int64_t disp;		/* sign-extended (moffs: zero-extended) */
	uint64_t imm;		/* sign-extended to 64 bits where the form says so */
};

/* x86emu_decode() results. */
#define X86EMU_DEC_OK		0
#define X86EMU_DEC_UNSUPPORTED	(-1)	/* undecodable or not emulated */
#define X86EMU_DEC_TOOLONG	(-2)	/* longer than 15 bytes: #GP(0) */
#define X86EMU_DEC_SHORT	(-3)	/* needs more than avail bytes (avail < 15) */

/*
 * x86emu_decode - decode one instruction from bytes[0..avail) for a code
 * size of mode (16, 32, 64). Returns X86EMU_DEC_OK with *out filled in, or
 * one of the negative X86EMU_DEC_* codes above.
 */
int x86emu_decode(const uint8_t *bytes, unsigned avail, int mode, struct x86emu_insn *out);

/*
 * x86emu_mode - the code size (16, 32, 64) the guest executes in now, from
 * CR0.PE, EFER.LMA, CS.L and CS.D.
 */
int x86emu_mode(const struct x86emu_cpu *cpu);

/*
 * x86emu_linear_to_phys - the guest page walk for one access at linear
 * address la (SDM vol. 3A ch. 4): paging off; 32-bit paging (4 MiB pages
 * with CR4.PSE); PAE (the PDPTE read from CR3); 4-level paging with 2 MiB
 * and 1 GiB pages. Checks presence, reserved bits, W (with CR0.WP for
 * supervisor writes), U/S, NX (EFER.NXE), SMEP and SMAP, and on success sets
 * the accessed bits of the entries used and the dirty bit of the leaf for a
 * write (through write_phys). Returns 0 with *gpa set; 1 with *ev set to
 * the #PF to inject; X86EMU_BUS_ERROR when a callback failed.
 */
int x86emu_linear_to_phys(const struct x86emu_cpu *cpu, const struct x86emu_ops *ops,
			  void *ctx, uint64_t la, bool write, bool user, bool fetch,
			  uint64_t *gpa, struct x86emu_event *ev);

/*
 * x86emu_step - emulate the instruction at CS:RIP. Returns the status; see
 * the header comment for what each leaves in *cpu and *ev.
 */
enum x86emu_status x86emu_step(struct x86emu_cpu *cpu, const struct x86emu_ops *ops,
			       void *ctx, struct x86emu_event *ev);

/*
 * A hardware task switch (SDM vol. 3A 7.3, "Task Switching"), for a CPU
 * that exits instead of switching (VMX; SVM switches tasks itself).
 *
 * The caller has the CPU's checks behind it (the gate's DPL, the TSS
 * descriptor's type, P and limit: SDM vol. 3C 26.4.2); they are made
 * again on the descriptor as read now. cpu->rip is the EIP to save: past
 * the instruction for CALL, JMP, IRET and INT n, the interrupted
 * instruction for other events.
 *
 * Up to the commit point (the old task's state saved, the busy bits and
 * the back link written) a fault leaves *cpu and guest memory as they
 * were: every access is translated before the first write. After it the
 * new task's registers, EFLAGS, EIP, TR and CR0.TS are in *cpu, and a
 * fault of the new task's loads (CR3's PAE PDPTEs, the LDT, CS, SS, data
 * segments, the error code's push, EIP outside CS) is returned with
 * t->committed set: segments loaded before it hold the new descriptors,
 * the data segments from the failing one on are unusable, and CS and SS
 * change only together (keeping the pair a CPU can run with). Accessed
 * bits are set in the descriptors loaded. 16-bit TSSes are handled as
 * the 386 does (upper register halves all ones, FS and GS null);
 * virtual-8086 tasks get real-mode style segments.
 */
enum x86emu_task_reason {
	X86EMU_TASK_CALL,	/* CALL to a TSS or task gate */
	X86EMU_TASK_IRET,	/* IRET with NT = 1 */
	X86EMU_TASK_JMP,	/* JMP to a TSS or task gate */
	X86EMU_TASK_GATE,	/* an interrupt or exception through a task gate in the IDT */
};

struct x86emu_task {
	uint16_t sel;		/* the new TSS's selector (a GDT entry) */
	uint8_t reason;		/* enum x86emu_task_reason */
	bool has_error;		/* GATE: an error code to push on the new task's stack */
	uint32_t error;
	/* results */
	bool committed;		/* *cpu holds the new task (also when a fault is returned) */
	bool trap;		/* the new TSS's T flag: #DB (DR6.BT) before its first instruction */
};

/*
 * x86emu_task_switch - switch tasks. Returns X86EMU_DONE, X86EMU_EXCEPTION
 * (*ev; see t->committed for the context it belongs to), X86EMU_BUS, or
 * X86EMU_UNSUPPORTED (long mode or real mode, where no task switch exists).
 */
enum x86emu_status x86emu_task_switch(struct x86emu_cpu *cpu, const struct x86emu_ops *ops,
				      void *ctx, struct x86emu_task *t, struct x86emu_event *ev);

/*
 * x86emu_exception_merge - what a CPU delivers when exception @second
 * arises while it delivers exception @first (SDM vol. 3A 6.15, table 6-5):
 * @second itself, X86EMU_DF for a double fault, or -1 for a shutdown (a
 * fault while delivering #DF).
 */
int x86emu_exception_merge(unsigned first, unsigned second);

#endif
