// SPDX-License-Identifier: MIT
/*
 * vmdev.c - a VM's virtual devices: wiring, port dispatch, console lines.
 *
 * Every VM has the PC's basic set: an 8259A pair (IRQ lines), an 8254
 * (IRQ0), a 16550A on COM1 (IRQ4) whose output is printed a line at a time
 * prefixed with "[name] ", and the CMOS/RTC. Port accesses go through the
 * VM's table of vio ranges; the exit policy handles ports nobody claims.
 */
#include <string.h>

#include "kernel/arch.h"
#include "kernel/console.h"
#include "kernel/firmware.h"
#include "kernel/mem.h"
#include "kernel/hvabi.h"
#include "kernel/printk.h"
#include "kernel/vmapic.h"
#include "kernel/testexit.h"
#include "kernel/vm.h"
#include "kernel/vmshare.h"
#include "mm/errno.h"

#define RTC_EPOCH_S 1798761600	/* 2027-01-01 00:00:00 UTC: guests see a fixed, reproducible date */

static uint64_t clock_ns(void *ctx)
{
	(void)ctx;
	return arch_now_ns();
}

static void pit_irq(void *ctx, int level)
{
	intc_set_line(&((struct vm *)ctx)->isa_irq, 0, level);
}

/* pit_irq_busy - IRQ0's last edge not yet taken: a new one would merge (reinject it later). */
static bool pit_irq_busy(void *ctx)
{
	return vm_isa_irq_busy(ctx, 0);
}

static void uart_irq(void *ctx, int level)
{
	intc_set_line(&((struct vm *)ctx)->isa_irq, VUART_COM1_IRQ, level);
}

/* acpi_sleep - SLP_EN in PM1_CNT: S5 (soft off) powers the VM off; other states do nothing. */
static void acpi_sleep(void *ctx, unsigned slp_typ)
{
	if (slp_typ == VACPI_SLP_S5)
		vm_stop(ctx, 0, "powered off (ACPI S5)");
}

/*
 * reset_io - the PC's reset paths: the reset control register 0xcf9 (a write
 * with bit 2, RST_CPU, set: Intel ICH datasheets) and the 8042's command
 * 0xfe (pulse the reset line) on port 0x64. No 8042 is emulated: its ports
 * read all ones, as with no controller, and other commands are dropped.
 */
static int reset_io(void *dev, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	struct vm *vm = dev;

	if (size != 1)
		return -SV_EINVAL;
	if (in) {
		*val = port == 0xcf9 ? vm->rcr : 0xff;
		return 0;
	}
	if (port == 0xcf9) {
		vm->rcr = (uint8_t)(*val & 0x0e);
		if (*val & 0x04)
			vm_reset(vm, "reset through port 0xcf9");
	} else if ((uint8_t)*val == 0xfe) {
		vm_reset(vm, "reset through the 8042 (0xfe to port 0x64)");
	}
	return 0;
}

static void uart_tx(void *ctx, uint8_t c)
{
	vm_console_putc(ctx, c);
}

static void add_range(struct vm *vm, uint16_t base, uint16_t count, vio_fn fn, void *dev)
{
	if (vm->n_io == VM_IO_MAX)
		panic("add_range: VM_IO_MAX too small");
	vm->io[vm->n_io++] = (struct vio_range){ base, count, fn, dev };
}

/*
 * bios_state - what a PC BIOS leaves programmed for the OS, as the port
 * writes a BIOS does: PIT channel 0 in mode 3 with count 65536 (18.2 Hz on
 * IRQ0), and IRQ0 and the cascade unmasked in the master 8259, whose
 * vectors are the BIOS's 0x08/0x70 (vpic_init). COM1 is at 0x3f8 on IRQ4
 * (vuart_init).
 */
static void bios_state(struct vm *vm)
{
	uint32_t v;

	v = 0x36;	/* channel 0, LSB then MSB, mode 3, binary */
	vpit_io(&vm->pit, VPIT_PORT + 3, 1, false, &v);
	v = 0;
	vpit_io(&vm->pit, VPIT_PORT, 1, false, &v);
	vpit_io(&vm->pit, VPIT_PORT, 1, false, &v);
	v = 0xff & ~(1u << 0) & ~(1u << VPIC_CASCADE_IRQ);	/* OCW1 */
	vpic_io(&vm->pic, VPIC_MASTER_PORT + 1, 1, false, &v);
}

/*
 * The option-ROM space [0xc0000, 0xe0000) holds no ROM: it reads all ones, as
 * an empty ISA bus does. Linux reads all 128 KiB of it while it boots (16,448
 * reads, each an exit and an emulated instruction while the space was a
 * hole), so every VM maps it read-only to one frame of all ones, shared by
 * all; a write still faults into the emulator, which drops it. Without the
 * frame (out of memory at the first VM) the space stays a hole: the same
 * bytes, with exits.
 */
#define ROM_SPACE_GPA	0xc0000u
static uint64_t ones_frame;

static void map_rom_space(struct vm *vm)
{
	if (!ones_frame)
		ones_frame = frame_alloc_filled(&hv_frames, 1, FRAME_HV, 0, 0xff);
	if (!ones_frame)
		return;
	for (uint64_t gpa = ROM_SPACE_GPA; gpa < FW_AREA_GPA; gpa += PAGE_SIZE) {
		frame_get(&hv_frames, ones_frame);
		if (p2m_map(&vm->p2m, gpa, ones_frame, P2M_SIZE_4K, P2M_RX, P2M_MT_WB)) {
			frame_put(&hv_frames, ones_frame);
			return;
		}
	}
}

int vm_firmware_map(struct vm *vm)
{
	const struct fw_config cfg = {
		.ncpus = (unsigned)vm->nr_vcpus, .lapic_addr = VLAPIC_DEFAULT_BASE,
		.ioapic_addr = VIOAPIC_DEFAULT_BASE, .ioapic_id = (uint8_t)vm->nr_vcpus,
		.sci_irq = 9, .pm_base = FW_PM_BASE, .reset_port = FW_RESET_PORT,
	};
	uint64_t n = FW_AREA_SIZE / PAGE_SIZE;
	uint64_t hpa = frame_alloc_filled(&hv_frames, n, FRAME_GUEST, (uint16_t)vm->id, 0);
	struct fw_layout l;
	int rc;

	if (!hpa)
		return -SV_ENOMEM;
	rc = fw_build(&cfg, frame_va(&hv_frames, hpa), FW_AREA_GPA, FW_AREA_SIZE, &l);
	vm->rsdp_gpa = rc ? 0 : l.rsdp;
	for (uint64_t i = 0; i < n; i++) {
		/* Read-only: a write faults into the emulator, which drops it (ROM). */
		if (!rc)
			rc = p2m_map(&vm->p2m, FW_AREA_GPA + i * PAGE_SIZE, hpa + i * PAGE_SIZE,
				     P2M_SIZE_4K, P2M_RX, P2M_MT_WB);
		if (rc)
			frame_put(&hv_frames, hpa + i * PAGE_SIZE);	/* the unmapped rest */
	}
	if (!rc)
		map_rom_space(vm);
	return rc;
}

void vm_devices_init(struct vm *vm)
{
	uint64_t now = arch_now_ns();

	vpic_init(&vm->pic);
	vm_apic_init(vm);
	vpit_init(&vm->pit, pit_irq, clock_ns, vm, now);
	vm->pit.irq_busy = pit_irq_busy;	/* lost ticks are reinjected, as KVM's PIT does */
	vuart_init(&vm->uart, VUART_COM1_PORT, uart_tx, uart_irq, vm);
	vrtc_init(&vm->rtc, vm->ram_bytes, RTC_EPOCH_S, now, clock_ns, NULL);
	add_range(vm, VPIC_MASTER_PORT, 2, vpic_io, &vm->pic);
	add_range(vm, VPIC_SLAVE_PORT, 2, vpic_io, &vm->pic);
	add_range(vm, VPIC_ELCR_PORT, 2, vpic_io, &vm->pic);
	add_range(vm, VPIT_PORT, 4, vpit_io, &vm->pit);
	add_range(vm, VPIT_PORT_SYSCTL, 1, vpit_io, &vm->pit);
	add_range(vm, VUART_COM1_PORT, VUART_NPORTS, vuart_io, &vm->uart);
	add_range(vm, VRTC_PORT, 2, vrtc_io, &vm->rtc);
	vacpi_init(&vm->acpi, FW_PM_BASE, clock_ns, vm, now, acpi_sleep);
	add_range(vm, FW_PM_BASE, VACPI_NPORTS, vacpi_io, &vm->acpi);
	vpci_init(&vm->pci);
	add_range(vm, VPCI_ADDR_PORT, 1, vpci_io, &vm->pci);
	add_range(vm, VPCI_ADDR_PORT + 2, 2, vpci_io, &vm->pci);	/* 0xcf9 is the reset register */
	add_range(vm, VPCI_DATA_PORT, 4, vpci_io, &vm->pci);
	add_range(vm, 0xcf9, 1, reset_io, vm);
	add_range(vm, 0x64, 1, reset_io, vm);
	bios_state(vm);
}

void vm_devices_update(struct vm *vm, uint64_t now_ns)
{
	vpit_update(&vm->pit, now_ns);
	vm_apic_update(vm, now_ns);
}

const struct vmmio_range *vm_mmio_find(const struct vm *vm, uint64_t gpa, uint64_t n)
{
	for (int i = 0; i < vm->n_mmio; i++)
		if (gpa >= vm->mmio[i].base && n <= vm->mmio[i].size &&
		    gpa - vm->mmio[i].base <= vm->mmio[i].size - n)
			return &vm->mmio[i];
	return NULL;
}

void vm_port_access(struct vm *vm, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	if (!in && port == SV_PORT_DEBUG_EXIT) {
		vm_stop(vm, (int)(*val & 0xff), "debug-exit port");
		return;
	}
	if (vm_port_io(vm, port, size, in, val)) {
		/* No device answered: reads float high, writes vanish, as on a PC bus. */
		*val = 0xffffffffu;
		vm->unhandled_ports++;
	}
}

int vm_port_io(struct vm *vm, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	for (int i = 0; i < vm->n_io; i++)
		if (vio_range_has(&vm->io[i], port))
			return vm->io[i].fn(vm->io[i].dev, port, size, in, val);
	return -SV_ENOENT;
}

static void log_append(struct vm *vm, const char *s)
{
	for (; *s; s++)
		vm->log[vm->log_bytes++ % VM_LOG_SIZE] = *s;
}

void vm_log_print(struct vm *vm)
{
	uint64_t start = vm->log_bytes > VM_LOG_SIZE ? vm->log_bytes - VM_LOG_SIZE : 0;
	char chunk[129];
	unsigned n = 0;

	/* When the ring has wrapped, start after the first line end: a whole line. */
	if (start) {
		while (start < vm->log_bytes && vm->log[start % VM_LOG_SIZE] != '\n')
			start++;
		start++;
	}
	printk(LOG_ALWAYS, "--- log of '%s' (%llu bytes written) ---\n", vm->name,
	       (unsigned long long)vm->log_bytes);
	for (uint64_t i = start; i < vm->log_bytes; i++) {
		chunk[n++] = vm->log[i % VM_LOG_SIZE];
		if (n == sizeof(chunk) - 1 || i + 1 == vm->log_bytes) {
			chunk[n] = '\0';
			printk(LOG_ALWAYS, "%s", chunk);
			n = 0;
		}
	}
}

/*
 * Linux's panic() without panic=N (the default: Debian's PANIC_TIMEOUT is 0)
 * prints this line last and then spins with interrupts on, for ever: the VM
 * is stopped there, its console's last lines kept for `log NAME`. With
 * panic=N Linux resets the machine instead (on_reboot says what happens).
 */
#define LINUX_PANIC_TRAILER	"---[ end Kernel panic - not syncing: "

void vm_console_flush(struct vm *vm)
{
	static const size_t tlen = sizeof(LINUX_PANIC_TRAILER) - 1;
	const char *p;

	vm->line[vm->line_len] = '\0';
	log_append(vm, vm->line);
	log_append(vm, "\n");
	console_guest_line(vm, vm->line);
	vm->line_len = 0;
	/* After the timestamp "[    1.234567] ", if printk has one. */
	p = vm->line[0] == '[' && strchr(vm->line, ']') ? strchr(vm->line, ']') + 1 : vm->line;
	while (*p == ' ')
		p++;
	if (vm->linux_guest && vm->state != VM_STOPPED && !strncmp(p, LINUX_PANIC_TRAILER, tlen)) {
		size_t n = strlen(p + tlen);

		if (n >= 5 && !strcmp(p + tlen + n - 5, " ]---"))
			n -= 5;
		vm_stop(vm, -1, "Linux panicked: %.*s", (int)n, p + tlen);
	}
}

void vm_console_putc(struct vm *vm, uint8_t c)
{
	if (c == '\n') {
		vm_console_flush(vm);
		return;
	}
	if (c == '\r')
		return;
	/* Control characters and 8-bit bytes are shown, never sent raw to the operator's terminal. */
	vm->line[vm->line_len++] = (c >= 0x20 && c < 0x7f) || c == '\t' ? (char)c : '?';
	if (vm->line_len == VM_LINE_MAX - 1)
		vm_console_flush(vm);
}

bool vm_counter(const struct vm *vm, uint32_t idx, uint64_t *val)
{
	struct share_stats st;
	struct share_vm_stats vs;

	if (idx == SV_CNT_EXITS) {
		struct exit_counts c;

		vm_exit_counts(vm, &c);
		*val = c.total;
		return true;
	}
	if (!hv_share || !vm->share)
		return false;
	share_get_stats(hv_share, &st);
	share_vm_get_stats(vm->share, &vs);
	/* Machine-wide counters say something about other VMs: tests only. */
	if (!test_mode && (idx == SV_CNT_FULL_SCANS || idx == SV_CNT_PAGES_SHARED ||
			   idx == SV_CNT_PAGES_SHARING))
		return false;
	switch (idx) {
	case SV_CNT_FULL_SCANS: *val = st.full_scans; return true;
	case SV_CNT_PAGES_SHARED: *val = st.pages_shared; return true;
	case SV_CNT_PAGES_SHARING: *val = st.pages_sharing; return true;
	case SV_CNT_PATTERN_PAGES: *val = vs.pattern_pages; return true;
	case SV_CNT_PATTERN_FRAMES: *val = vs.pattern_frames; return true;
	case SV_CNT_COW_BREAKS: *val = vs.cow_pattern + vs.cow_content; return true;
	default: return false;
	}
}
