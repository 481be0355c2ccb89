/* Fuzz target: every legacy device model on a port-I/O bus, driven by a
 * sequence of guest accesses (the guest is hostile).  Each 8-byte record
 * is: port (16 bits), size selector, direction, value (32 bits); a record
 * with direction 2 offers host input to the UART (and fires the RTC's
 * timer) instead, and one with
 * direction 3 is a write that KVM queued in the coalesced-I/O ring (its
 * length byte taken raw), replayed before the next read as a vCPU does. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hw/i8042.h"
#include "kvm/coalesced.h"
#include "hw/pm.h"
#include "hw/rtc.h"
#include "hw/serial.h"
#include "pci/pci.h"
#include "util/bus.h"
#include "vmm/ports.h"
#include "x86/layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fake_irq(void *opaque, unsigned gsi, bool level)
{
	(void)opaque;
	if (gsi >= X86_IOAPIC_PINS)
		abort();	/* devices must only drive real lines */
	(void)level;
	return 0;
}

static void fake_power(void *opaque, enum hw_power_event ev)
{
	(void)opaque;
	(void)ev;
}

static uint64_t fake_clock(void)
{
	static uint64_t t;

	return t += 1000;
}

static time_t fake_now(void)
{
	return 1700000000;
}

static void sink(void *opaque, const uint8_t *buf, size_t len)
{
	(void)opaque;
	(void)buf;
	(void)len;
}

/* What KVM does for a coalesced write; when the ring is full, KVM exits
 * instead, and the exit flushes the ring first. */
static void ring_push(struct coalesced *c, struct kvm_coalesced_mmio_ring *r,
		      uint16_t port, uint32_t len, uint32_t value)
{
	struct kvm_coalesced_mmio *e;

	if ((r->last + 1) % COALESCED_RING_ENTRIES == r->first)
		coalesced_flush(c);
	e = &r->coalesced_mmio[r->last];
	e->phys_addr = port;
	e->len = len;
	e->pio = 1;
	memset(e->data, 0, sizeof(e->data));
	memcpy(e->data, &value, sizeof(value));
	r->last = (r->last + 1) % COALESCED_RING_ENTRIES;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kvm_coalesced_mmio_ring *ring;
	struct coalesced coal;
	struct bus mmio;
	struct hw_host host = { fake_irq, fake_power, NULL };
	struct serial_backend be = { sink, NULL, NULL };
	struct serial *ser = NULL;
	struct rtc *rtc = NULL;
	struct i8042 *kbd = NULL;
	struct pm *pm = NULL;
	struct pci *pci = NULL;
	struct bus bus;
	size_t i;

	bus_init(&bus, "pio");
	bus_init(&mmio, "mmio");
	if (!ring && !(ring = aligned_alloc(4096, 4096)))
		abort();
	memset(ring, 0, 4096);
	coalesced_init(&coal, &bus, &mmio);
	coalesced_attach(&coal, ring);
	if (serial_create(&ser, &host, X86_IRQ_COM1, &be) ||
	    rtc_create(&rtc, &host, X86_IRQ_RTC, fake_now, 512 << 20, 0) ||
	    i8042_create(&kbd, &host) ||
	    pm_create(&pm, &host, X86_IRQ_SCI, X86_S5_SLP_TYP, fake_clock) ||
	    pci_create(&pci))
		abort();
	if (pc_map_ports(&bus, &(struct pc_ports){ .serial = ser, .rtc = rtc,
		.kbd = kbd, .pm = pm, .pci = pci }))
		abort();	/* the machine's own port map */

	for (i = 0; i + 8 <= size; i += 8) {
		uint16_t port;
		uint32_t value;
		unsigned sz = 1u << (data[i + 2] & 3);
		unsigned dir = data[i + 3] % 4;

		memcpy(&port, data + i, 2);
		memcpy(&value, data + i + 4, 4);
		if (dir == 2) {
			serial_receive(ser, data + i + 4, 4);
			rtc_timer_fired(rtc);	/* and a tick of the RTC */
			continue;
		}
		if (dir == 3) {
			ring_push(&coal, ring, port, data[i + 2], value);
			continue;
		}
		coalesced_flush(&coal);
		bus_access(&bus, port, &value, sz > 4 ? 4 : sz, dir == 1);
	}
	coalesced_flush(&coal);
	if (ring->first != ring->last)
		abort();	/* a flush must drain the ring */
	pm_press_power_button(pm);
	coalesced_destroy(&coal);
	bus_destroy(&mmio);
	bus_destroy(&bus);
	pci_destroy(pci);
	pm_destroy(pm);
	i8042_destroy(kbd);
	rtc_destroy(rtc);
	serial_destroy(ser);
	return 0;
}
