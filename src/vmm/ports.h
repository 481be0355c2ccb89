/* The PC's port map: which legacy device answers at which I/O ports.
 * One table for the machine (machine.c) and for the fuzz target that
 * drives the same devices (tests/fuzz/fuzz_pio.c); it uses no KVM. */
#ifndef VIREO_VMM_PORTS_H
#define VIREO_VMM_PORTS_H

#include "util/bus.h"

struct serial;
struct rtc;
struct i8042;
struct pm;
struct pci;

struct pc_ports {
	struct serial *serial;
	struct rtc *rtc;
	struct i8042 *kbd;
	struct pm *pm;
	struct pci *pci;
};

/* Registers every device's ports on `pio`.  Logs one line and returns
 * -errno on failure. */
int pc_map_ports(struct bus *pio, const struct pc_ports *d);

#endif
