// SPDX-License-Identifier: MIT
/*
 * main.c - the boot sequence: console, boot information, CPU, memory.
 *
 * boot.S -> kernel_main -> console -> Multiboot2 information -> CPU tables
 * and features -> frame pool -> final page tables -> heap -> (virtualization
 * and VMs come here) -> idle.
 */
#include <stdio.h>
#include <string.h>

#include "drivers/uart.h"
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/mem.h"
#include "kernel/multiboot2.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/testexit.h"
#include "kernel/virt.h"
#include "kernel/vm.h"
#include "kernel/vmshare.h"

static struct boot_info boot_info;

void kernel_main(uint32_t magic, uint32_t info_pa);

/* Every key the hypervisor's command line knows (README, "Hypervisor command line"). */
static const char *const boot_keys[] = {
	"share", "scan_rate", "patterns", "stats_every", "loglevel",
	"test_exit", "test_fault", "test_reserve", NULL
};

static void boot_options(const char *cmdline)
{
	unsigned long n;

	test_mode = cmdline_has(cmdline, "test_exit");
	if (cmdline_uint(cmdline, "loglevel", 0, 7, &n) > 0)
		console_loglevel = (int)n;
}

static void report_unknown(const char *key, void *ctx)
{
	char known[128] = "";

	(void)ctx;
	for (int i = 0; boot_keys[i]; i++)
		snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s", i ? " " : "",
			 boot_keys[i]);
	pr_warn("command line: %s: unknown key, ignored (known: %s)\n", key, known);
}

/*
 * check_options - one line for each unknown key and each bad number, like
 * the module options (the values of share= and scan_rate= are checked
 * where they are used, kernel/vmshare.c).
 */
static void check_options(const char *cmdline)
{
	char v[24];
	unsigned long n;

	cmdline_unknown(cmdline, boot_keys, report_unknown, NULL);
	if (cmdline_uint(cmdline, "loglevel", 0, 7, &n) < 0 &&
	    cmdline_get(cmdline, "loglevel", v, sizeof(v)))
		pr_warn("command line: loglevel=%s: expected 0 to 7; using %d\n", v, console_loglevel);
	if (cmdline_uint(cmdline, "stats_every", 0, 86400, &n) < 0 &&
	    cmdline_get(cmdline, "stats_every", v, sizeof(v)))
		pr_warn("command line: stats_every=%s: expected seconds from 0 to 86400; no stats lines\n",
		       v);
	if (cmdline_uint(cmdline, "test_reserve", 0, 1ul << 30, &n) < 0 &&
	    cmdline_get(cmdline, "test_reserve", v, sizeof(v)))
		pr_warn("command line: test_reserve=%s: expected MiB; nothing held back\n", v);
}

/*
 * reserve_for_test - test_reserve=MiB: keep all but that much memory from
 * the guests, so tests can run the hypervisor out of frames.
 */
static void reserve_for_test(const char *cmdline)
{
	unsigned long mib;
	uint64_t keep, held = 0;

	if (cmdline_uint(cmdline, "test_reserve", 0, 1ul << 30, &mib) <= 0)
		return;
	keep = (uint64_t)mib << (20 - PAGE_SHIFT);
	while (frame_free_count(&hv_frames) > keep && frame_alloc(&hv_frames, FRAME_HV, 0))
		held++;
	pr_info("test_reserve: %llu frames held back, %llu left for guests\n",
		(unsigned long long)held, (unsigned long long)frame_free_count(&hv_frames));
}

static void print_modules(const struct boot_info *bi)
{
	pr_info("modules: %zu\n", bi->n_mods);
	for (size_t i = 0; i < bi->n_mods; i++)
		pr_info("  module %zu: %llx-%llx (%llu KiB) '%s'\n", i,
			(unsigned long long)bi->mods[i].start,
			(unsigned long long)bi->mods[i].end,
			(unsigned long long)((bi->mods[i].end - bi->mods[i].start) >> 10),
			bi->mods[i].cmdline);
}

void kernel_main(uint32_t magic, uint32_t info_pa)
{
	char err[128], what[16];
	unsigned stats_every = 0;
	unsigned long every;
	int rc;

	uart_init();
	pr_info("\nsharevisor %s: a memory-sharing hypervisor for x86-64\n", SV_VERSION);
	if (magic != MB2_BOOTLOADER_MAGIC) {
		pr_err("not started by a Multiboot2 loader (EAX=%#x, expected %#x); halting\n",
		       magic, MB2_BOOTLOADER_MAGIC);
		arch_halt();
	}
	if (mb2_parse((const void *)(uintptr_t)info_pa, info_pa, &boot_info, err, sizeof(err))) {
		pr_err("bad Multiboot2 boot information: %s; halting\n", err);
		arch_halt();
	}
	boot_options(boot_info.cmdline);
	arch_cpu_init();
	pr_info("command line: '%s'\n", boot_info.cmdline);
	check_options(boot_info.cmdline);
	arch_cpu_report();

	pr_info("memory map: %zu entries\n", boot_info.n_mmap);
	rc = mem_init(&boot_info);
	if (rc) {
		pr_err("no usable memory for the frame allocator (error %d); halting\n", rc);
		test_exit(TEST_FAIL);
	}
	rc = arch_paging_init(&hv_frames, &boot_info);
	if (rc) {
		pr_err("cannot build page tables (error %d); halting\n", rc);
		test_exit(TEST_FAIL);
	}
	print_modules(&boot_info);
	mem_report("frames");

	if (cmdline_get(boot_info.cmdline, "test_fault", what, sizeof(what))) {
		pr_info("test_fault=%s: provoking an exception\n", what);
		if (!arch_provoke_fault(what))
			pr_err("test_fault: unknown fault '%s' (ud, de, null, wp, nx)\n", what);
		test_exit(TEST_FAIL);	/* the exception did not happen */
	}
	pr_info("boot complete\n");

	if (virt_init()) {
		pr_err("no guests can run on this machine; halting\n");
		test_exit(TEST_FAIL);
	}
	reserve_for_test(boot_info.cmdline);
	vmshare_init(boot_info.cmdline);
	if (cmdline_uint(boot_info.cmdline, "stats_every", 0, 86400, &every) > 0)
		stats_every = (unsigned)every;
	vm_create_all(boot_info.mods, boot_info.n_mods);
	arch_timer_init(SCHED_HZ);
	console_init(!test_mode, stats_every);
	sched_run();
}
