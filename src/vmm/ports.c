/* The PC's port map (see ports.h). */
#include "vmm/ports.h"

#include <string.h>

#include "hw/i8042.h"
#include "hw/pm.h"
#include "hw/rtc.h"
#include "hw/serial.h"
#include "pci/pci.h"
#include "util/log.h"
#include "x86/layout.h"

int pc_map_ports(struct bus *pio, const struct pc_ports *d)
{
	const struct {
		uint64_t base, len;
		bus_io_fn fn;
		void *dev;
		const char *name;
	} map[] = {
		{ X86_PORT_I8042_DATA, 1, i8042_data_io, d->kbd, "i8042-data" },
		{ X86_PORT_I8042_CMD, 1, i8042_cmd_io, d->kbd, "i8042-cmd" },
		{ X86_PORT_RTC, 2, rtc_io, d->rtc, "rtc" },
		{ X86_PORT_COM1, 8, serial_io, d->serial, "com1" },
		{ X86_PORT_PM1_EVT, 4, pm_evt_io, d->pm, "pm1-evt" },
		{ X86_PORT_PM1_CNT, 2, pm_cnt_io, d->pm, "pm1-cnt" },
		{ X86_PORT_PM_TMR, 4, pm_tmr_io, d->pm, "pm-tmr" },
		{ X86_PORT_PCI_CONF, 8, pci_conf_io, d->pci, "pci-conf" },
	};
	size_t i;
	int ret;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		ret = bus_register(pio, map[i].base, map[i].len, map[i].fn,
				   map[i].dev, map[i].name);
		if (ret) {
			log_error("cannot map %s at port %#llx: %s", map[i].name,
				  (unsigned long long)map[i].base,
				  strerror(-ret));
			return ret;
		}
	}
	return 0;
}
