/* Unit tests for PCI configuration mechanism #1 and the config-space
 * model (src/pci/pci.c): CONFIG_ADDRESS (dword only, enable bit, the
 * reserved bits), data accesses of every width at 0xCFC-0xCFF, absent
 * functions and buses, the host bridge's identity, write masks, BAR
 * sizing, the status register (byte 6 read-only, byte 7
 * write-one-to-clear), BAR decoding switched and moved by COMMAND and
 * BAR writes (on a fake bus host), the capability list, and INTx
 * (the swizzle, shared lines, the disable bit). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "pci/pci.h"
#include "fake_host.h"
#include "fake_pci_host.h"

static struct pci *pci;
static struct fake_host hw;
static struct hw_host hw_host;
static struct fake_pci_host fph;

static int setup(void **state)
{
	struct pci_bus_host h;
	int ret;

	(void)state;
	ret = pci_create(&pci);
	hw_host = fake_host_init(&hw);
	h = fake_pci_host_init(&fph, &hw_host);
	if (!ret)
		pci_set_host(pci, &h);
	return ret;
}

static int teardown(void **state)
{
	(void)state;
	pci_destroy(pci);
	fake_pci_host_destroy(&fph);
	return 0;
}

/* Port access at 0xCF8 + off, as the bus hands it to the device. */
static uint64_t io_read(unsigned off, unsigned size)
{
	uint64_t v = ~0ULL;

	assert_int_equal(pci_conf_io(pci, off, size, &v, false), 0);
	return size == 4 ? v & 0xffffffffu : v & ((1u << (8 * size)) - 1);
}

static void io_write(unsigned off, unsigned size, uint32_t value)
{
	uint64_t v = value;

	assert_int_equal(pci_conf_io(pci, off, size, &v, true), 0);
}

static uint32_t conf1(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
	return 0x80000000u | bus << 16 | dev << 11 | fn << 8 | reg;
}

static void test_host_bridge_identity(void **state)
{
	(void)state;
	io_write(0, 4, conf1(0, 0, 0, 0));
	assert_int_equal(io_read(4, 4), 0x0d578086);
	assert_int_equal(io_read(4, 2), 0x8086);
	assert_int_equal(io_read(6, 2), 0x0d57);
	assert_int_equal(io_read(7, 1), 0x0d);
	io_write(0, 4, conf1(0, 0, 0, 8));
	assert_int_equal(io_read(4, 4) >> 8, 0x060000);	/* host bridge */
	io_write(0, 4, conf1(0, 0, 0, 0xc));
	assert_int_equal(io_read(6, 1), 0);	/* header type 0 */
}

static void test_config_address(void **state)
{
	(void)state;
	/* Read back, with the reserved bits (30:24, 1:0) cleared. */
	io_write(0, 4, 0xffffffffu);
	assert_int_equal(io_read(0, 4), 0x80fffffcu);
	/* Byte and word accesses are not CONFIG_ADDRESS (the 0xCFB probe). */
	io_write(0, 4, conf1(0, 0, 0, 0));
	io_write(3, 1, 0x01);
	io_write(0, 2, 0x1234);
	assert_int_equal(io_read(0, 4), conf1(0, 0, 0, 0));
	/* Enable bit clear: data reads all ones, writes go nowhere. */
	io_write(0, 4, conf1(0, 0, 0, 0) & ~0x80000000u);
	assert_int_equal(io_read(4, 4), 0xffffffffu);
	assert_int_equal(io_read(4, 1), 0xff);
}

static void test_absent_functions(void **state)
{
	(void)state;
	io_write(0, 4, conf1(0, 1, 0, 0));	/* empty slot */
	assert_int_equal(io_read(4, 4), 0xffffffffu);
	io_write(0, 4, conf1(1, 0, 0, 0));	/* another bus */
	assert_int_equal(io_read(4, 4), 0xffffffffu);
	io_write(0, 4, conf1(0, 0, 3, 0));	/* another function */
	assert_int_equal(io_read(4, 2), 0xffff);
	io_write(0, 4, conf1(255, 31, 7, 0xfc));
	io_write(4, 4, 0);			/* harmless */
	assert_int_equal(pci_cfg_read(pci, 0x100, 0, 4), 0xffffffffu);
}

/* A data access must stay inside the dword CONFIG_ADDRESS names. */
static void test_data_widths_and_offsets(void **state)
{
	(void)state;
	io_write(0, 4, conf1(0, 0, 0, 0));
	assert_int_equal(io_read(5, 1), 0x80);
	assert_int_equal(io_read(6, 1), 0x57);
	assert_int_equal(io_read(5, 2), 0xffff);	/* misaligned: none */
	assert_int_equal(io_read(6, 4), 0xffffffffu);	/* crosses out */
	assert_int_equal(io_read(7, 2), 0xffff);
	/* The interrupt line is writable byte by byte. */
	io_write(0, 4, conf1(0, 0, 0, 0x3c));
	io_write(4, 1, 0x0b);
	assert_int_equal(io_read(4, 1), 0x0b);
	/* The vendor id is not. */
	io_write(0, 4, conf1(0, 0, 0, 0));
	io_write(4, 4, 0);
	assert_int_equal(io_read(4, 4), 0x0d578086);
}

static void test_status_register(void **state)
{
	struct pci_device dev;

	(void)state;
	pci_device_init(&dev, 0x1af4, 0x1041, 0x020000, 1, "test");
	assert_int_equal(pci_attach(pci, 3, &dev), 0);
	dev.cfg[0x06] = 0x10;			/* capabilities list */
	dev.cfg[0x07] = 0x80 | 0x20 | 0x02;	/* parity err, 66 MHz, ... */
	/* A read-modify-write of COMMAND writes the status dword back:
	 * byte 6 must survive it (this lost the capabilities bit once). */
	pci_cfg_write(pci, 3 << 3, 4, 4, 0xffff0007);
	assert_int_equal(dev.cfg[0x06], 0x10);
	/* Byte 7: writing one clears the error bits, not the others. */
	assert_int_equal(dev.cfg[0x07], 0x02);
	assert_int_equal(pci_cfg_read(pci, 3 << 3, 4, 2), 0x0007);
	pci_cfg_write(pci, 3 << 3, 6, 2, 0x0000);
	assert_int_equal(pci_cfg_read(pci, 3 << 3, 6, 2), 0x0210);
	assert_int_equal(pci_attach(pci, 3, &dev), -EBUSY);
	assert_int_equal(pci_attach(pci, 32, &dev), -EINVAL);
}

static void test_bar_sizing(void **state)
{
	struct pci_device dev;

	(void)state;
	pci_device_init(&dev, 0x1af4, 0x1041, 0x020000, 1, "test");
	assert_int_equal(pci_device_set_bar(&dev, 0, 0x1000, PCI_BAR_MEM32), 0);
	assert_int_equal(pci_device_set_bar(&dev, 1, 0x20, PCI_BAR_IO), 0);
	assert_int_equal(pci_device_set_bar(&dev, 2, 1ULL << 33,
					    PCI_BAR_MEM64 | PCI_BAR_PREFETCH), 0);
	assert_int_equal(pci_attach(pci, 4, &dev), 0);
	pci_cfg_write(pci, 4 << 3, 0x10, 4, 0xffffffffu);
	assert_int_equal(pci_cfg_read(pci, 4 << 3, 0x10, 4), 0xfffff000u);
	pci_cfg_write(pci, 4 << 3, 0x14, 4, 0xffffffffu);
	assert_int_equal(pci_cfg_read(pci, 4 << 3, 0x14, 4), 0xffffffe1u);
	pci_cfg_write(pci, 4 << 3, 0x18, 4, 0xffffffffu);
	pci_cfg_write(pci, 4 << 3, 0x1c, 4, 0xffffffffu);
	assert_int_equal(pci_cfg_read(pci, 4 << 3, 0x18, 4), 0x0000000cu);
	assert_int_equal(pci_cfg_read(pci, 4 << 3, 0x1c, 4), 0xfffffffeu);
	/* Bad BARs. */
	assert_int_equal(pci_device_set_bar(&dev, 6, 0x1000, 0), -EINVAL);
	assert_int_equal(pci_device_set_bar(&dev, 5, 0x1000, PCI_BAR_MEM64),
			 -EINVAL);
	assert_int_equal(pci_device_set_bar(&dev, 0, 0x1800, 0), -EINVAL);
	assert_int_equal(pci_device_set_bar(&dev, 0, 8, 0), -EINVAL);
	assert_int_equal(pci_device_set_bar(&dev, 0, 2, PCI_BAR_IO), -EINVAL);
	assert_int_equal(pci_device_set_bar(&dev, 0, 1ULL << 32, 0), -EINVAL);
}

/* Out-of-range offsets and sizes through the direct interface. */
static void test_direct_bounds(void **state)
{
	(void)state;
	assert_int_equal(pci_cfg_read(pci, 0, 256, 1), 0xff);
	assert_int_equal(pci_cfg_read(pci, 0, 255, 2), 0xffff);
	assert_int_equal(pci_cfg_read(pci, 0, 0, 3), 0xffffff);
	pci_cfg_write(pci, 0, 1000, 4, 0);
	assert_int_equal(pci_cfg_read(pci, 0, 0, 4), 0x0d578086);
}

/* A BAR handler that answers with its own offset. */
static unsigned bar_calls;

static int bar_io(void *opaque, uint64_t offset, unsigned size,
		  uint64_t *value, bool is_write)
{
	(void)opaque;
	(void)size;
	bar_calls++;
	if (!is_write)
		*value = offset;
	return 0;
}

struct moved {
	unsigned calls;
	unsigned bar;
	bool mapped;
	uint64_t addr;
};

static struct moved moved;

static void on_bar_moved(struct pci_device *dev, unsigned bar, bool mapped,
			 uint64_t addr)
{
	(void)dev;
	moved = (struct moved){ moved.calls + 1, bar, mapped, addr };
}

static void make_dev(struct pci_device *dev, unsigned slot)
{
	pci_device_init(dev, 0x1af4, 0x1041, 0x020000, 1, "test");
	assert_int_equal(pci_device_set_bar(dev, 0, 0x1000, PCI_BAR_MEM32), 0);
	assert_int_equal(pci_device_set_bar(dev, 1, 0x20, PCI_BAR_IO), 0);
	assert_int_equal(pci_device_set_bar(dev, 2, 0x4000, PCI_BAR_MEM64), 0);
	pci_device_bar_handler(dev, 0, bar_io, dev);
	pci_device_bar_handler(dev, 1, bar_io, dev);
	pci_device_bar_handler(dev, 2, bar_io, dev);
	dev->bar_moved = on_bar_moved;
	assert_int_equal(pci_attach(pci, slot, dev), 0);
}

static uint64_t mmio_read(uint64_t addr)
{
	uint32_t v = 0;

	if (bus_access(&fph.mmio, addr, &v, 4, false))
		return ~0ULL;
	return v;
}

static void test_bar_decoding(void **state)
{
	struct pci_device dev;
	unsigned bdf = 5 << 3;

	(void)state;
	moved = (struct moved){ 0 };
	make_dev(&dev, 5);
	/* Addresses alone map nothing: decoding is off. */
	pci_cfg_write(pci, bdf, 0x10, 4, 0xc0001000);
	pci_cfg_write(pci, bdf, 0x14, 4, 0x2000);
	pci_cfg_write(pci, bdf, 0x18, 4, 0x00004000);
	pci_cfg_write(pci, bdf, 0x1c, 4, 0x1);		/* 4 GiB + 16 KiB */
	assert_int_equal(fph.maps, 0);
	assert_int_equal(mmio_read(0xc0001004), ~0ULL);
	/* Memory enable maps both memory BARs, not the I/O one. */
	pci_cfg_write(pci, bdf, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(fph.maps, 2);
	assert_int_equal(mmio_read(0xc0001004), 4);
	assert_int_equal(mmio_read(0x100004ffcULL), 0xffc);
	assert_int_equal(bus_count(&fph.pio), 0);
	assert_true(dev.bars[2].mapped);
	assert_int_equal(dev.bars[2].addr, 0x100004000ULL);
	assert_int_equal(moved.calls, 2);
	assert_true(moved.mapped);
	/* I/O enable adds the port range. */
	pci_cfg_write(pci, bdf, PCI_COMMAND, 2,
		      PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	assert_int_equal(fph.maps, 3);
	assert_non_null(bus_find(&fph.pio, 0x201f));
	/* Moving BAR0 while decoding unmaps the old range first. */
	pci_cfg_write(pci, bdf, 0x10, 4, 0xc0008000);
	assert_int_equal(mmio_read(0xc0001004), ~0ULL);
	assert_int_equal(mmio_read(0xc0008008), 8);
	assert_int_equal(moved.bar, 0);
	assert_int_equal(moved.addr, 0xc0008000);
	assert_int_equal(fph.unmaps, 1);
	/* Rewriting the same value changes nothing. */
	pci_cfg_write(pci, bdf, 0x10, 4, 0xc0008000);
	pci_cfg_write(pci, bdf, PCI_COMMAND, 2,
		      PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	assert_int_equal(fph.unmaps, 1);
	/* Sizing while decoding: the all-ones pattern is not mapped. */
	pci_cfg_write(pci, bdf, 0x10, 4, 0xffffffff);
	assert_false(dev.bars[0].mapped);
	assert_int_equal(mmio_read(0xfffff000), ~0ULL);
	pci_cfg_write(pci, bdf, 0x10, 4, 0xc0001000);
	assert_true(dev.bars[0].mapped);
	/* Address 0 is "unassigned". */
	pci_cfg_write(pci, bdf, 0x14, 4, 0);
	assert_null(bus_find(&fph.pio, 0));
	assert_false(dev.bars[1].mapped);
	/* Memory decoding off unmaps everything memory. */
	pci_cfg_write(pci, bdf, PCI_COMMAND, 2, 0);
	assert_int_equal(bus_count(&fph.mmio), 0);
	assert_int_equal(bus_count(&fph.pio), 0);
	assert_false(moved.mapped);
	assert_int_equal(fph.maps, fph.unmaps);
}

static void test_bar_overlap_refused(void **state)
{
	struct pci_device a, b;

	(void)state;
	make_dev(&a, 6);
	make_dev(&b, 7);
	pci_device_program_bar(&a, 0, 0xc0000000);
	assert_true(a.bars[0].mapped);
	/* b's BAR0 over a's: refused, b's stays off, a's still works. */
	pci_device_program_bar(&b, 0, 0xc0000000);
	assert_false(b.bars[0].mapped);
	assert_int_equal(fph.map_failures, 1);
	assert_int_equal(mmio_read(0xc0000010), 0x10);
	/* Moved somewhere free, it maps. */
	pci_cfg_write(pci, 7 << 3, 0x10, 4, 0xc0010000);
	assert_true(b.bars[0].mapped);
	/* A 32-bit BAR cannot reach the top of the 4 GiB space, nor an I/O
	 * BAR the top of the port space. */
	pci_cfg_write(pci, 7 << 3, 0x10, 4, 0xfffff000);
	assert_false(b.bars[0].mapped);
	pci_device_program_bar(&b, 1, 0xffe0);
	assert_false(b.bars[1].mapped);
	pci_device_program_bar(&b, 1, 0xffc0);
	assert_true(b.bars[1].mapped);
	/* The platform's own ports are as taken as any device's. */
	assert_int_equal(bus_register(&fph.pio, 0xcf8, 8, bar_io, NULL,
				      "pci-conf"), 0);
	pci_cfg_write(pci, 7 << 3, 0x14, 4, 0xce0);
	assert_false(b.bars[1].mapped);
	assert_int_equal(bus_access(&fph.pio, 0xcfc, &(uint32_t){ 0 }, 4,
				    false), 0);
}

static void test_capability_list(void **state)
{
	struct pci_device dev;
	int c1, c2;

	(void)state;
	pci_device_init(&dev, 0x1af4, 0x1041, 0x020000, 1, "test");
	assert_int_equal(pci_attach(pci, 8, &dev), 0);
	assert_int_equal(pci_cfg_read(pci, 8 << 3, PCI_STATUS, 2) & 0x10, 0);
	c1 = pci_add_capability(&dev, PCI_CAP_ID_MSIX, 12);
	c2 = pci_add_capability(&dev, PCI_CAP_ID_VNDR, 7);
	assert_int_equal(c1, 0x40);
	assert_int_equal(c2, 0x4c);
	assert_int_equal(pci_cfg_read(pci, 8 << 3, PCI_STATUS, 2) & 0x10, 0x10);
	assert_int_equal(pci_cfg_read(pci, 8 << 3, PCI_CAPABILITY_LIST, 1), c1);
	assert_int_equal(pci_cfg_read(pci, 8 << 3, c1, 1), PCI_CAP_ID_MSIX);
	assert_int_equal(pci_cfg_read(pci, 8 << 3, c1 + 1, 1), c2);
	assert_int_equal(pci_cfg_read(pci, 8 << 3, c2, 1), PCI_CAP_ID_VNDR);
	assert_int_equal(pci_cfg_read(pci, 8 << 3, c2 + 1, 1), 0);
	/* The list pointers are read-only to the guest. */
	pci_cfg_write(pci, 8 << 3, c1, 4, 0xffffffff);
	pci_cfg_write(pci, 8 << 3, PCI_CAPABILITY_LIST, 1, 0x80);
	assert_int_equal(pci_cfg_read(pci, 8 << 3, c1 + 1, 1), c2);
	assert_int_equal(pci_cfg_read(pci, 8 << 3, PCI_CAPABILITY_LIST, 1), c1);
	/* Full. */
	assert_int_equal(pci_add_capability(&dev, 9, 200), -ENOSPC);
	assert_int_equal(pci_add_capability(&dev, 9, 1), -ENOSPC);
	assert_true(pci_add_capability(&dev, 9, 256 - 0x54) == 0x54);
	assert_int_equal(pci_add_capability(&dev, 9, 2), -ENOSPC);
}

static void test_intx(void **state)
{
	struct pci_device a, b;
	unsigned gsi;

	(void)state;
	/* The swizzle, and its range. */
	assert_int_equal(pci_intx_gsi(1, 0), 17);
	assert_int_equal(pci_intx_gsi(7, 1), 16);
	assert_int_equal(pci_intx_gsi(31, 3), 18);
	pci_device_init(&a, 0x1af4, 0x1041, 0x020000, 1, "a");
	pci_device_init(&b, 0x1af4, 0x1041, 0x020000, 1, "b");
	pci_device_set_intx_pin(&a, 0);
	pci_device_set_intx_pin(&b, 0);
	assert_int_equal(pci_attach(pci, 2, &a), 0);
	assert_int_equal(pci_attach(pci, 10, &b), 0);	/* same line */
	gsi = pci_intx_gsi(2, 0);
	assert_int_equal(gsi, pci_intx_gsi(10, 0));
	assert_int_equal(pci_cfg_read(pci, 2 << 3, PCI_INTERRUPT_PIN, 1), 1);
	pci_set_irq(&a, true);
	assert_true(hw.level[gsi]);
	assert_int_equal(pci_cfg_read(pci, 2 << 3, PCI_STATUS, 1) & 8, 8);
	pci_set_irq(&b, true);
	pci_set_irq(&a, false);
	assert_true(hw.level[gsi]);	/* b still asserts */
	assert_int_equal(pci_cfg_read(pci, 2 << 3, PCI_STATUS, 1) & 8, 0);
	pci_set_irq(&b, false);
	assert_false(hw.level[gsi]);
	assert_int_equal(hw.irq_calls, 2);
	/* INTx disable masks the line but not the status bit. */
	pci_set_irq(&a, true);
	pci_cfg_write(pci, 2 << 3, PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
	assert_false(hw.level[gsi]);
	assert_int_equal(pci_cfg_read(pci, 2 << 3, PCI_STATUS, 1) & 8, 8);
	pci_cfg_write(pci, 2 << 3, PCI_COMMAND, 2, 0);
	assert_true(hw.level[gsi]);
	/* A device without a pin never touches a line. */
	pci_device_set_intx_pin(&b, 0);
	b.cfg[PCI_INTERRUPT_PIN] = 0;
	pci_set_irq(&b, true);
	assert_int_equal(hw.irq_calls, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_host_bridge_identity, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_config_address, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_absent_functions, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_data_widths_and_offsets,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_register, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bar_sizing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_direct_bounds, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bar_decoding, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bar_overlap_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_capability_list, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_intx, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
