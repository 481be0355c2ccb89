/* Fuzz target: the MSI-X table and pending-bit array (src/pci/msix.c)
 * on a fake struct hw_irq.  Each 12-byte record is an operation (a BAR
 * access of any size at any offset, a Message Control write, a vector
 * notify, a reset, lending a vector's eventfd to vhost and taking it
 * back) with its operands.  Checks: no delivery while MSI-X is disabled
 * or masked, a lent eventfd gated exactly then, and no vector outside
 * the table is touched. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/fake_irq.h"
#include "pci/msix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NVEC 5

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fake_irq fi;
	struct hw_irq irq = fake_irq_init(&fi);
	struct pci_device dev;
	struct msix m;
	unsigned lent[NVEC] = { 0 };
	size_t i;
	unsigned v, before;
	bool masked;
	int ret;

	pci_device_init(&dev, 0x1af4, 0x1041, 0xff0000, 1, "fuzz");
	if (pci_device_set_bar(&dev, 0, 0x1000, PCI_BAR_MEM32) ||
	    msix_init(&m, &dev, &irq, NVEC, 0, 0x800, 0x900))
		abort();
	for (i = 0; i + 12 <= size; i += 12) {
		unsigned op = data[i] % 4, sz = 1u << (data[i + 1] & 3);
		uint64_t off = 0, value = 0;

		memcpy(&off, data + i + 2, 2);
		memcpy(&value, data + i + 4, 8);
		switch (op) {
		case 0:
			msix_bar_access(&m, off, sz, &value, data[i + 1] & 4);
			break;
		case 1:
			dev.cfg[m.cap + 3] = data[i + 4] & 0xc0;
			msix_cfg_write(&m, m.cap + 2, 2);
			break;
		case 2:
			v = data[i + 2] % (NVEC + 2);
			if (v >= NVEC) {
				if (msix_notify(&m, v) != -EINVAL)
					abort();
				break;
			}
			before = fi.fired[v];
			masked = !m.enabled || m.fmask ||
				 (m.table[v * 4 + 3] & 1);
			ret = msix_notify(&m, v);
			/* Delivered exactly when enabled and unmasked. */
			if (fi.fired[v] != before + !masked ||
			    (ret == -EAGAIN) != !m.enabled)
				abort();
			break;
		default:
			v = data[i + 2] % NVEC;
			if (data[i + 1] == 0xff) {
				msix_reset(&m);
			} else if (data[i + 1] == 0xfe && lent[v] < 3) {
				if (msix_vector_get_fd(&m, v) < 0)
					abort();
				lent[v]++;
			} else if (data[i + 1] == 0xfd && lent[v]) {
				msix_vector_put_fd(&m, v);
				lent[v]--;
			}
			break;
		}
		for (v = 0; v < NVEC; v++) {
			masked = !m.enabled || m.fmask ||
				 (m.table[v * 4 + 3] & 1);
			if (fi.gated[v] != (lent[v] && masked))
				abort();
		}
	}
	for (v = 0; v < NVEC; v++)
		while (lent[v]--)
			msix_vector_put_fd(&m, v);
	for (v = NVEC; v < FAKE_MSI_MAX; v++)
		if (fi.fired[v] || fi.valid[v])
			abort();
	msix_fini(&m);
	return 0;
}
