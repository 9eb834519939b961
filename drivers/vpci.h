/* SPDX-License-Identifier: MIT */
/*
 * vpci.h - PCI configuration mechanism 1 (ports 0xcf8 and 0xcfc-0xcff, PCI
 * Local Bus Specification 3.0, 3.2.2.3.2) with one device on it: a host
 * bridge at bus 0, device 0, function 0, so that an OS probing PCI finds a
 * working configuration mechanism and no devices.
 *
 * CONFIG_ADDRESS is a 32-bit register at 0xcf8: only a doubleword access
 * there reaches it (byte and word accesses to 0xcf8-0xcfb are ordinary I/O,
 * 0xcf9 being the reset control register); bit 31 enables, bits 23:16 bus,
 * 15:11 device, 10:8 function, 7:2 register. CONFIG_DATA at 0xcfc-0xcff
 * reads the addressed doubleword's bytes (any size, at offset port & 3)
 * when enabled; an absent function reads all ones (its vendor ID 0xffff).
 * The host bridge identifies as Intel's 440FX (8086:1237, class 0x060000,
 * single-function type 0 header, no BARs), the host bridge of the PC
 * QEMU and Bochs emulate, which every PC OS knows; its registers are read-only
 * (writes are dropped: no command-register bits or BARs to program).
 */
#ifndef SV_DRIVERS_VPCI_H
#define SV_DRIVERS_VPCI_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/vio.h"

#define VPCI_ADDR_PORT	0xcf8
#define VPCI_DATA_PORT	0xcfc
#define VPCI_ENABLE	(1u << 31)

struct vpci {
	uint32_t addr;		/* CONFIG_ADDRESS as written (bits 30:24 and 1:0 read 0) */
};

/* vpci_init - CONFIG_ADDRESS 0. */
void vpci_init(struct vpci *p);

/*
 * vpci_io - the vio_fn for 0xcf8 (doubleword accesses: CONFIG_ADDRESS;
 * others read all ones and are dropped) and 0xcfc-0xcff (CONFIG_DATA).
 */
int vpci_io(void *dev, uint16_t port, unsigned size, bool in, uint32_t *val);

/* vpci_config_read - the doubleword at @reg (aligned) of bus/dev/fn, all ones if absent. */
uint32_t vpci_config_read(unsigned bus, unsigned dev, unsigned fn, unsigned reg);

#endif
