/* Unit tests for MSI-X (src/pci/msix.c) on a fake struct hw_irq: the
 * capability's fields, the table and PBA layout, enable and function
 * mask through configuration writes, per-vector masking with the pending
 * bit and its delivery on unmask, route updates, bad accesses (sizes,
 * alignment, past the table, PBA writes), notify of a bad vector, and
 * reset. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "fake_irq.h"
#include "pci/msix.h"

#define NVEC 70			/* two PBA words */
#define TABLE 0x2000
#define PBA 0x3000

static struct pci *pci;
static struct pci_device dev;
static struct msix msix;
static struct fake_irq fi;
static struct hw_irq irq;

static void dev_cfg_write(struct pci_device *d, unsigned off, unsigned size,
			  uint32_t value)
{
	(void)d;
	(void)value;
	msix_cfg_write(&msix, off, size);
}

static int setup(void **state)
{
	(void)state;
	irq = fake_irq_init(&fi);
	if (pci_create(&pci))
		return -1;
	pci_device_init(&dev, 0x1af4, 0x1041, 0x020000, 1, "msix-test");
	if (pci_device_set_bar(&dev, 1, 0x4000, PCI_BAR_MEM32))
		return -1;
	dev.cfg_write = dev_cfg_write;
	if (msix_init(&msix, &dev, &irq, NVEC, 1, TABLE, PBA))
		return -1;
	return pci_attach(pci, 3, &dev);
}

static int teardown(void **state)
{
	(void)state;
	msix_fini(&msix);
	pci_destroy(pci);
	assert_int_equal(fi.groups, 0);
	return 0;
}

static uint64_t bar_read(uint64_t off, unsigned size)
{
	uint64_t v = ~0ULL;

	assert_int_equal(msix_bar_access(&msix, off, size, &v, false), 0);
	return size == 8 ? v : v & 0xffffffffu;
}

static void bar_write(uint64_t off, unsigned size, uint64_t v)
{
	assert_int_equal(msix_bar_access(&msix, off, size, &v, true), 0);
}

static void set_ctrl(uint16_t bits)
{
	pci_cfg_write(pci, 3 << 3, msix.cap + 2, 2, bits);
}

static void program(unsigned v, uint64_t addr, uint32_t data, bool masked)
{
	bar_write(TABLE + v * 16, 8, addr);
	bar_write(TABLE + v * 16 + 8, 4, data);
	bar_write(TABLE + v * 16 + 12, 4, masked);
}

static void test_capability(void **state)
{
	unsigned c = msix.cap;

	(void)state;
	assert_int_equal(pci_cfg_read(pci, 3 << 3, c, 1), PCI_CAP_ID_MSIX);
	assert_int_equal(pci_cfg_read(pci, 3 << 3, c + 2, 2), NVEC - 1);
	assert_int_equal(pci_cfg_read(pci, 3 << 3, c + 4, 4), TABLE | 1);
	assert_int_equal(pci_cfg_read(pci, 3 << 3, c + 8, 4), PBA | 1);
	/* Table size and offsets are read-only; enable and mask are not. */
	pci_cfg_write(pci, 3 << 3, c + 2, 2, 0xffff);
	assert_int_equal(pci_cfg_read(pci, 3 << 3, c + 2, 2),
			 0xc000 | (NVEC - 1));
	assert_true(msix_enabled(&msix));
	pci_cfg_write(pci, 3 << 3, c + 4, 4, 0);
	assert_int_equal(pci_cfg_read(pci, 3 << 3, c + 4, 4), TABLE | 1);
	/* Power-on: every vector masked, nothing routed. */
	assert_int_equal(bar_read(TABLE + 12, 4), 1);
	assert_int_equal(bar_read(TABLE + (NVEC - 1) * 16 + 12, 4), 1);
	assert_int_equal(fi.n, NVEC);
	assert_int_equal(fi.routes, 0);
}

static void test_bad_init(void **state)
{
	struct pci_device d;
	struct msix m;

	(void)state;
	pci_device_init(&d, 0x1af4, 0x1041, 0x020000, 1, "bad");
	assert_int_equal(pci_device_set_bar(&d, 0, 0x1000, PCI_BAR_MEM32), 0);
	assert_int_equal(msix_init(&m, &d, &irq, 0, 0, 0, 0x800), -EINVAL);
	assert_int_equal(msix_init(&m, &d, &irq, 2049, 0, 0, 0x800), -EINVAL);
	assert_int_equal(msix_init(&m, &d, &irq, 4, 1, 0, 0x800), -EINVAL);
	assert_int_equal(msix_init(&m, &d, &irq, 4, 6, 0, 0x800), -EINVAL);
	/* Table past the BAR, PBA overlapping it, misaligned. */
	assert_int_equal(msix_init(&m, &d, &irq, 4, 0, 0xff8, 0), -EINVAL);
	assert_int_equal(msix_init(&m, &d, &irq, 4, 0, 0, 0x38), -EINVAL);
	assert_int_equal(msix_init(&m, &d, &irq, 4, 0, 4, 0x800), -EINVAL);
	fi.fail_create = -ENOSPC;
	assert_int_equal(msix_init(&m, &d, &irq, 4, 0, 0, 0x800), -ENOSPC);
	fi.fail_create = 0;
	assert_int_equal(d.cfg[PCI_CAPABILITY_LIST], 0);
}

static void test_delivery_and_masking(void **state)
{
	(void)state;
	program(0, 0xfee00000, 0x4041, false);
	program(65, 0xfee01000, 0x4042, true);
	/* Disabled: the device must fall back to INTx. */
	assert_int_equal(msix_notify(&msix, 0), -EAGAIN);
	assert_int_equal(fi.fired[0], 0);
	set_ctrl(0x8000);
	assert_int_equal(msix_notify(&msix, 0), 0);
	assert_int_equal(fi.fired[0], 1);
	assert_true(fi.valid[0]);
	assert_int_equal(fi.addr[0], 0xfee00000);
	assert_int_equal(fi.data[0], 0x4041);
	/* A second fire with the same message does not re-route. */
	assert_int_equal(msix_notify(&msix, 0), 0);
	assert_int_equal(fi.routes, 1);
	/* Masked vector: pending bit (word 1, bit 1), no delivery. */
	assert_int_equal(msix_notify(&msix, 65), 0);
	assert_int_equal(fi.fired[65], 0);
	assert_int_equal(bar_read(PBA + 8, 8), 2);
	assert_int_equal(bar_read(PBA + 8, 4), 2);
	assert_int_equal(bar_read(PBA + 12, 4), 0);
	assert_int_equal(bar_read(PBA, 8), 0);
	/* PBA writes are ignored. */
	bar_write(PBA + 8, 8, 0);
	assert_int_equal(bar_read(PBA + 8, 8), 2);
	/* Unmask: delivered once, pending cleared. */
	bar_write(TABLE + 65 * 16 + 12, 4, 0);
	assert_int_equal(fi.fired[65], 1);
	assert_int_equal(fi.data[65], 0x4042);
	assert_int_equal(bar_read(PBA + 8, 8), 0);
	/* Function mask: everything pends, delivered when it is cleared. */
	set_ctrl(0xc000);
	assert_int_equal(msix_notify(&msix, 0), 0);
	assert_int_equal(msix_notify(&msix, 65), 0);
	assert_int_equal(fi.fired[0], 2);
	assert_int_equal(bar_read(PBA, 8), 1);
	set_ctrl(0x8000);
	assert_int_equal(fi.fired[0], 3);
	assert_int_equal(fi.fired[65], 2);
	assert_int_equal(bar_read(PBA, 8), 0);
	/* A changed message is routed before the next delivery. */
	program(0, 0xfee02000, 0x4051, false);
	assert_int_equal(msix_notify(&msix, 0), 0);
	assert_int_equal(fi.addr[0], 0xfee02000);
	assert_int_equal(fi.data[0], 0x4051);
	/* Bad vectors. */
	assert_int_equal(msix_notify(&msix, NVEC), -EINVAL);
	assert_int_equal(msix_notify(&msix, ~0u), -EINVAL);
}

static void test_bad_accesses(void **state)
{
	uint64_t v;

	(void)state;
	/* Outside the table and PBA: the device's, not ours. */
	v = 0;
	assert_int_equal(msix_bar_access(&msix, TABLE + NVEC * 16, 4, &v,
					 true), -ENOENT);
	assert_int_equal(msix_bar_access(&msix, TABLE - 4, 4, &v, false),
			 -ENOENT);
	assert_int_equal(msix_bar_access(&msix, PBA + 16, 8, &v, false),
			 -ENOENT);
	assert_int_equal(msix_bar_access(&msix, ~0ULL - 3, 4, &v, false),
			 -ENOENT);
	/* Byte, word and misaligned accesses: all ones, writes dropped. */
	assert_int_equal(bar_read(TABLE, 2) & 0xffff, 0xffff);
	assert_int_equal(bar_read(TABLE + 4, 8), ~0ULL);
	bar_write(TABLE + 12, 1, 0);
	bar_write(TABLE + 14, 2, 0);
	bar_write(TABLE + 4, 8, 0);
	assert_int_equal(bar_read(TABLE + 12, 4), 1);
	/* The last entry's last dword is in; reserved control bits read 0. */
	bar_write(TABLE + (NVEC - 1) * 16 + 12, 4, 0xfffffffe);
	assert_int_equal(bar_read(TABLE + (NVEC - 1) * 16 + 12, 4), 0);
	bar_write(TABLE + (NVEC - 1) * 16 + 8, 8, 0x1ffffffffULL);
	assert_int_equal(bar_read(TABLE + (NVEC - 1) * 16 + 8, 4), 0xffffffff);
	assert_int_equal(bar_read(TABLE + (NVEC - 1) * 16 + 12, 4), 1);
}

static void test_reset(void **state)
{
	(void)state;
	program(3, 0xfee00000, 0x41, true);
	set_ctrl(0x8000);
	assert_int_equal(msix_notify(&msix, 3), 0);
	bar_write(TABLE + 3 * 16 + 12, 4, 0);
	assert_true(fi.valid[3]);
	assert_int_equal(msix_notify(&msix, 3), 0);	/* delivered */
	set_ctrl(0xc000);
	assert_int_equal(msix_notify(&msix, 3), 0);	/* pending */
	msix_reset(&msix);
	assert_false(msix_enabled(&msix));
	assert_false(fi.valid[3]);
	assert_int_equal(bar_read(PBA, 8), 0);
	assert_int_equal(bar_read(TABLE + 3 * 16, 8), 0);
	assert_int_equal(bar_read(TABLE + 3 * 16 + 12, 4), 1);
	assert_int_equal(pci_cfg_read(pci, 3 << 3, msix.cap + 2, 2), NVEC - 1);
	assert_int_equal(fi.fired[3], 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_capability, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delivery_and_masking, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_accesses, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
