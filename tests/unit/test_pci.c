/* Unit tests for PCI configuration mechanism #1 and the config-space
 * model (src/pci/pci.c): CONFIG_ADDRESS (dword only, enable bit, the
 * reserved bits), data accesses of every width at 0xCFC-0xCFF, absent
 * functions and buses, the host bridge's identity, write masks, BAR
 * sizing, and the status register (byte 6 read-only, byte 7
 * write-one-to-clear). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "pci/pci.h"

static struct pci *pci;

static int setup(void **state)
{
	(void)state;
	return pci_create(&pci);
}

static int teardown(void **state)
{
	(void)state;
	pci_destroy(pci);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
