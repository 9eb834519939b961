// SPDX-License-Identifier: MIT
/* vpci.c - PCI configuration mechanism 1 with a host bridge (see vpci.h). */
#include <string.h>

#include "drivers/vpci.h"
#include "mm/errno.h"

/* The host bridge's configuration header (PCI 3.0, 6.1), doublewords 0-15. */
static const uint32_t host_bridge[16] = {
	[0] = 0x12378086,	/* device 1237 (82441FX), vendor 8086 */
	[1] = 0x00000000,	/* status, command */
	[2] = 0x06000002,	/* class 06 (bridge), subclass 00 (host), prog-if 00; revision 02 */
	[3] = 0x00000000,	/* BIST, header type 0 (single function), latency, cache line */
};

void vpci_init(struct vpci *p)
{
	memset(p, 0, sizeof(*p));
}

uint32_t vpci_config_read(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
	if (bus || dev || fn)
		return 0xffffffffu;
	return reg < sizeof(host_bridge) ? host_bridge[reg / 4] : 0;
}

int vpci_io(void *dev, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	struct vpci *p = dev;
	uint32_t a = p->addr, d;
	unsigned off = port & 3;

	if (size != 1 && size != 2 && size != 4)
		return -SV_EINVAL;
	if (port >= VPCI_ADDR_PORT && port < VPCI_DATA_PORT) {
		if (port != VPCI_ADDR_PORT || size != 4) {
			if (in)
				*val = 0xffffffffu;	/* ordinary I/O: nothing there */
			return 0;
		}
		if (in)
			*val = a;
		else
			p->addr = *val & 0x80fffffcu;
		return 0;
	}
	if (port < VPCI_DATA_PORT || port > VPCI_DATA_PORT + 3 || off + size > 4)
		return -SV_EINVAL;
	if (!in)
		return 0;		/* nothing writable */
	if (!(a & VPCI_ENABLE)) {
		*val = 0xffffffffu;
		return 0;
	}
	d = vpci_config_read((a >> 16) & 0xff, (a >> 11) & 0x1f, (a >> 8) & 7, a & 0xfc);
	d >>= 8 * off;
	*val = size == 4 ? d : d & ((1u << (8 * size)) - 1);
	return 0;
}
