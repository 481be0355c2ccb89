/* Unit tests for the virtio modern PCI transport (src/virtio/virtio_pci.c)
 * on a fake bus host, fake MSI vectors and ioeventfds, and the core's
 * test device: identity and the capability list, BAR 4 decoding with the
 * kick eventfds following it, the common configuration as a driver uses
 * it (features, status, queue setup with split 64-bit writes), bad
 * accesses, MSI-X and INTx delivery with ISR read-to-clear, notifies for
 * queues that do not exist or are not enabled, the PCI_CFG window, and
 * reset. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <unistd.h>

#include "fake_host.h"
#include "fake_irq.h"
#include "fake_pci_host.h"
#include "fake_virtq.h"
#include "virtio/virtio_pci.h"

#define SLOT 4
#define BDF (SLOT << 3)
#define BASE 0xc0000000ULL
#define NQ 2

static struct fake_driver fd;
static struct fv_dev *td;
static struct pci *pci;
static struct fake_host fh;
static struct hw_host hw;
static struct fake_pci_host fph;
static struct fake_irq fi;
static struct hw_irq irq;
static struct hw_ioevent ioev;
static struct virtio_pci *vp;

/* Which queues' kicks the event loop does not read, and which queues'
 * call eventfds it does (the machine's part). */
static uint64_t unwatched, calls_watched;

static void kick_watch(void *opaque, unsigned q, bool on)
{
	unwatched = on ? unwatched & ~(1ull << q) : unwatched | 1ull << q;
}

static void call_watch(void *opaque, unsigned q, bool on)
{
	calls_watched = on ? calls_watched | 1ull << q
			   : calls_watched & ~(1ull << q);
}

static int setup(void **state)
{
	struct pci_bus_host h;
	struct virtio_pci_host vh;

	(void)state;
	fv_init(&fd);
	td = fv_dev_new(&fd, NQ, 64, 0);
	hw = fake_host_init(&fh);
	h = fake_pci_host_init(&fph, &hw);
	irq = fake_irq_init(&fi);
	ioev = fake_ioevent_init(&fi);
	if (!td || pci_create(&pci))
		return -1;
	pci_set_host(pci, &h);
	vh = (struct virtio_pci_host){ pci, &irq, &ioev, kick_watch,
				       call_watch, &fi };
	unwatched = calls_watched = 0;
	if (virtio_pci_create(&vp, &td->vdev, &vh, SLOT))
		return -1;
	fd.dev = NULL;		/* the transport owns it now */
	return device_realize(&vp->dev);
}

static int teardown(void **state)
{
	(void)state;
	virtio_pci_destroy(vp);
	assert_int_equal(fi.nioevents, 0);	/* all removed */
	assert_int_equal(fi.groups, 0);
	pci_destroy(pci);
	fake_pci_host_destroy(&fph);
	fv_fini(&fd);
	return 0;
}

static uint64_t rd(uint64_t off, unsigned size)
{
	uint64_t v = 0;

	assert_int_equal(bus_access(&fph.mmio, BASE + off, &v, size, false), 0);
	return v;
}

static void wr(uint64_t off, unsigned size, uint64_t v)
{
	assert_int_equal(bus_access(&fph.mmio, BASE + off, &v, size, true), 0);
}

/* Offset of the first vendor capability of cfg_type `type`, 0: none. */
static unsigned find_cap(unsigned type)
{
	unsigned c = pci_cfg_read(pci, BDF, PCI_CAPABILITY_LIST, 1);

	while (c) {
		if (pci_cfg_read(pci, BDF, c, 1) == PCI_CAP_ID_VNDR &&
		    pci_cfg_read(pci, BDF, c + 3, 1) == type)
			return c;
		c = pci_cfg_read(pci, BDF, c + 1, 1);
	}
	return 0;
}

static void test_identity_and_caps(void **state)
{
	static const struct {
		unsigned type, off, len;
	} caps[] = {
		{ VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON_OFF, 0x38 },
		{ VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR_OFF, 1 },
		{ VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_DEVCFG_OFF, 8 },
		{ VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY_OFF, NQ * 4 },
	};
	unsigned i, c;

	(void)state;
	assert_int_equal(pci_cfg_read(pci, BDF, 0, 4), 0x107f1af4);
	assert_int_equal(pci_cfg_read(pci, BDF, 8, 1), 1);	/* revision */
	assert_int_equal(pci_cfg_read(pci, BDF, PCI_SUBSYSTEM_VENDOR_ID, 2),
			 0x1af4);
	assert_true(pci_cfg_read(pci, BDF, PCI_SUBSYSTEM_ID, 2) >= 0x40);
	assert_int_equal(pci_cfg_read(pci, BDF, PCI_INTERRUPT_PIN, 1), 1);
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		c = find_cap(caps[i].type);
		assert_true(c >= 0x40);
		assert_int_equal(pci_cfg_read(pci, BDF, c + 4, 1), 4);
		assert_int_equal(pci_cfg_read(pci, BDF, c + 8, 4), caps[i].off);
		assert_int_equal(pci_cfg_read(pci, BDF, c + 12, 4), caps[i].len);
	}
	c = find_cap(VIRTIO_PCI_CAP_NOTIFY_CFG);
	assert_int_equal(pci_cfg_read(pci, BDF, c + 2, 1), 20);
	assert_int_equal(pci_cfg_read(pci, BDF, c + 16, 4), 4);
	assert_true(find_cap(VIRTIO_PCI_CAP_PCI_CFG) > 0);
	/* BAR 4 is 64-bit memory of 32 KiB. */
	pci_cfg_write(pci, BDF, 0x20, 4, 0xffffffff);
	assert_int_equal(pci_cfg_read(pci, BDF, 0x20, 4), 0xffff8004);
}

static void map_bar(uint64_t base)
{
	pci_cfg_write(pci, BDF, 0x20, 4, (uint32_t)base);
	pci_cfg_write(pci, BDF, 0x24, 4, (uint32_t)(base >> 32));
	pci_cfg_write(pci, BDF, PCI_COMMAND, 2,
		      PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

static bool has_ioevent(uint64_t addr, int efd)
{
	unsigned i;

	for (i = 0; i < fi.nioevents; i++)
		if (fi.ioevents[i].addr == addr && fi.ioevents[i].fd == efd &&
		    fi.ioevents[i].len == 2 && !fi.ioevents[i].io)
			return true;
	return false;
}

static void test_bar_and_kick_fds(void **state)
{
	(void)state;
	assert_int_equal(fi.nioevents, 0);
	map_bar(BASE);
	assert_int_equal(fi.nioevents, NQ);
	assert_true(has_ioevent(BASE + 0x3000, virtio_pci_kick_fd(vp, 0)));
	assert_true(has_ioevent(BASE + 0x3004, virtio_pci_kick_fd(vp, 1)));
	assert_int_equal(virtio_pci_kick_fd(vp, NQ), -1);
	/* The guest moves the BAR: the kicks move with it. */
	map_bar(BASE + 0x100000);
	assert_int_equal(fi.nioevents, NQ);
	assert_true(has_ioevent(BASE + 0x103000, virtio_pci_kick_fd(vp, 0)));
	assert_false(has_ioevent(BASE + 0x3000, virtio_pci_kick_fd(vp, 0)));
	pci_cfg_write(pci, BDF, PCI_COMMAND, 2, 0);
	assert_int_equal(fi.nioevents, 0);
	map_bar(BASE);
	assert_int_equal(rd(VIRTIO_PCI_COMMON_OFF + 0x12, 2), NQ);
}

/* The Linux driver's sequence, through the BAR. */
static void driver_init(void)
{
	uint64_t rings = FV_RING(0);
	unsigned activates = td->activates;

	map_bar(BASE);
	wr(0x14, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(0x00, 4, 1);
	assert_int_equal(rd(0x04, 4), 1);		/* VERSION_1 */
	wr(0x08, 4, 0);
	wr(0x0c, 4, 0);
	wr(0x08, 4, 1);
	wr(0x0c, 4, 1);
	wr(0x14, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		    VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(rd(0x14, 1) & VIRTIO_STATUS_FEATURES_OK,
			 VIRTIO_STATUS_FEATURES_OK);
	wr(0x16, 2, 0);
	assert_int_equal(rd(0x18, 2), 64);
	assert_int_equal(rd(0x1e, 2), 0);
	wr(0x18, 2, 16);
	/* 64-bit addresses as two dwords, as Linux writes them. */
	wr(0x20, 4, (uint32_t)rings);
	wr(0x24, 4, rings >> 32);
	wr(0x28, 4, (uint32_t)(rings + 0x1000));
	wr(0x2c, 4, 0);
	wr(0x30, 8, rings + 0x2000);
	wr(0x1c, 2, 1);
	assert_int_equal(rd(0x1c, 2), 1);
	assert_int_equal(rd(0x20, 8), rings);
	assert_int_equal(rd(0x2c, 4), 0);
	assert_int_equal(rd(0x30, 4), rings + 0x2000);
	wr(0x14, 1, rd(0x14, 1) | VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(td->activates, activates + 1);
}

static void test_common_config(void **state)
{
	(void)state;
	driver_init();
	/* Queue 1 is there; a queue past the end reads size 0. */
	wr(0x16, 2, 1);
	assert_int_equal(rd(0x18, 2), 64);
	assert_int_equal(rd(0x1e, 2), 1);
	wr(0x16, 2, 7);
	assert_int_equal(rd(0x18, 2), 0);
	assert_int_equal(rd(0x1c, 2), 0);
	wr(0x18, 2, 8);			/* ignored */
	wr(0x1c, 2, 1);			/* ignored */
	assert_int_equal(rd(0x16, 2), 7);
	/* Wrong widths and registers that do not exist: nothing happens. */
	assert_int_equal(rd(0x14, 2), 0);
	assert_int_equal(rd(0x16, 1), 0);
	assert_int_equal(rd(0x22, 2), 0);
	wr(0x14, 4, 0);
	assert_true(rd(0x14, 1) & VIRTIO_STATUS_DRIVER_OK);
	wr(0x12, 2, 9);			/* num_queues is read-only */
	assert_int_equal(rd(0x12, 2), NQ);
	/* Device config; out of range reads 0; reserved BAR space too. */
	td->config[2] = 0x5a;
	assert_int_equal(rd(0x2002, 1), 0x5a);
	wr(0x2004, 4, 0x11223344);
	assert_int_equal(td->config[4], 0x44);
	assert_int_equal(rd(0x2008, 4), 0);
	assert_int_equal(rd(0x7ff8, 8), 0);
	assert_false((rd(0x14, 1) & VIRTIO_STATUS_NEEDS_RESET));
}

static void test_notify(void **state)
{
	uint64_t one = 1;

	(void)state;
	driver_init();
	wr(0x3000, 2, 0);
	assert_int_equal(td->notifies, 1);
	/* Through the eventfd, as the main loop sees it. */
	assert_int_equal(write(virtio_pci_kick_fd(vp, 0), &one, 8), 8);
	virtio_pci_kicked(vp, 0);
	assert_int_equal(td->notifies, 2);
	virtio_pci_kicked(vp, 0);	/* nothing pending: no notify */
	virtio_pci_kicked(vp, 99);
	assert_int_equal(td->notifies, 2);
	/* Queue 1 exists but is not enabled: the device needs a reset,
	 * the VMM goes on. */
	wr(0x3004, 2, 1);
	assert_int_equal(td->notifies, 2);
	assert_true((rd(0x14, 1) & VIRTIO_STATUS_NEEDS_RESET));
	/* Past the notify area: nothing. */
	wr(0x3008, 2, 2);
	assert_int_equal(td->notifies, 2);
}

/* What a queue's completion does, from another thread. */
static void raise_queue0(struct virtio_dev *d)
{
	virtio_dev_lock(d);
	virtio_raise_queue_irq(d, 0);
	virtio_dev_unlock(d);
}

static void test_msix_and_intx(void **state)
{
	struct virtio_dev *d = &td->vdev;
	unsigned c;

	(void)state;
	driver_init();
	c = vp->msix.cap;
	/* INTx first: MSI-X is off. */
	raise_queue0(d);
	assert_true(fh.level[pci_intx_gsi(SLOT, 0)]);
	assert_int_equal(rd(0x1000, 1), VIRTIO_ISR_QUEUE);
	assert_false(fh.level[pci_intx_gsi(SLOT, 0)]);
	assert_int_equal(rd(0x1000, 1), 0);	/* read cleared it */
	/* MSI-X: vectors for config and queue 0; vector 9 does not exist. */
	pci_cfg_write(pci, BDF, c + 2, 2, 0x8000);
	wr(0x10, 2, 0);
	assert_int_equal(rd(0x10, 2), 0);
	wr(0x10, 2, 9);
	assert_int_equal(rd(0x10, 2), VIRTIO_NO_VECTOR);
	wr(0x10, 2, 0);
	wr(0x16, 2, 0);
	wr(0x1a, 2, 1);
	assert_int_equal(rd(0x1a, 2), 1);
	wr(VIRTIO_PCI_MSIX_TABLE + 16, 8, 0xfee00000);
	wr(VIRTIO_PCI_MSIX_TABLE + 24, 4, 0x4031);
	wr(VIRTIO_PCI_MSIX_TABLE + 28, 4, 0);
	raise_queue0(d);
	assert_int_equal(fi.fired[1], 1);
	assert_int_equal(fi.data[1], 0x4031);
	/* Config vector 0 is still masked: pending. */
	virtio_dev_lock(d);
	virtio_config_changed(d);
	virtio_dev_unlock(d);
	assert_int_equal(fi.fired[0], 0);
	assert_int_equal(rd(VIRTIO_PCI_MSIX_PBA, 8), 1);
	assert_false(fh.level[pci_intx_gsi(SLOT, 0)]);
	/* Queue vector NO_VECTOR: no interrupt at all. */
	wr(0x1a, 2, VIRTIO_NO_VECTOR);
	raise_queue0(d);
	assert_int_equal(fi.fired[1], 1);
	assert_false(fh.level[pci_intx_gsi(SLOT, 0)]);
}

/* What vhost takes from the transport: queue 0's kick eventfd (the loop
 * stops reading it) and its vector's eventfd, which is gated while the
 * vector is masked, its signals then showing as the pending bit. */
static void test_vhost_eventfds(void **state)
{
	struct virtio_dev *d = &td->vdev;
	uint64_t one = 1, n;
	int kfd, cfd;

	(void)state;
	driver_init();
	pci_cfg_write(pci, BDF, vp->msix.cap + 2, 2, 0x8000);
	wr(0x16, 2, 0);
	wr(0x1a, 2, 1);
	wr(VIRTIO_PCI_MSIX_TABLE + 16, 8, 0xfee00000);
	wr(VIRTIO_PCI_MSIX_TABLE + 24, 4, 0x4031);
	virtio_dev_lock(d);
	kfd = virtio_transport_kick_get(d, 0);
	cfd = virtio_transport_call_get(d, 0);
	assert_int_equal(kfd, virtio_pci_kick_fd(vp, 0));
	assert_true(unwatched == 1);
	assert_int_equal(cfd, fi.efd[1]);
	assert_true(calls_watched == 0);
	/* Twice for one queue is refused; queue 1 has no vector: the
	 * event loop's eventfd. */
	assert_int_equal(virtio_transport_call_get(d, 0), -EBUSY);
	assert_int_equal(virtio_transport_call_get(d, 1),
			 virtio_pci_call_fd(vp, 1));
	assert_true(calls_watched == 2);
	virtio_transport_call_put(d, 1);
	assert_true(calls_watched == 0);
	virtio_dev_unlock(d);
	/* A kick now is vhost's: the transport does not read it. */
	assert_int_equal(write(kfd, &one, 8), 8);
	virtio_pci_kicked(vp, 0);
	assert_int_equal(read(kfd, &n, 8), 8);
	/* Vector 1 is masked: gated, and routed only once unmasked. */
	assert_true(fi.gated[1]);
	assert_false(fi.valid[1]);
	wr(VIRTIO_PCI_MSIX_TABLE + 28, 4, 0);
	assert_false(fi.gated[1]);
	assert_true(fi.valid[1] && fi.data[1] == 0x4031);
	/* Masked again; vhost signals: pending, not delivered. */
	wr(VIRTIO_PCI_MSIX_TABLE + 28, 4, 1);
	assert_true(fi.gated[1]);
	assert_int_equal(write(cfd, &one, 8), 8);
	assert_int_equal(rd(VIRTIO_PCI_MSIX_PBA, 8), 2);
	assert_int_equal(fi.fired[1], 0);
	/* Unmasked: delivered from the pending bit, the gate open. */
	wr(VIRTIO_PCI_MSIX_TABLE + 28, 4, 0);
	assert_int_equal(fi.fired[1], 1);
	assert_int_equal(rd(VIRTIO_PCI_MSIX_PBA, 8), 0);
	assert_false(fi.gated[1]);
	/* The function mask and MSI-X off gate it too. */
	pci_cfg_write(pci, BDF, vp->msix.cap + 2, 2, 0xc000);
	assert_true(fi.gated[1]);
	pci_cfg_write(pci, BDF, vp->msix.cap + 2, 2, 0x8000);
	assert_false(fi.gated[1]);
	/* Given back: the loop reads the kicks, the vector is ours. */
	wr(VIRTIO_PCI_MSIX_TABLE + 28, 4, 1);
	virtio_dev_lock(d);
	virtio_transport_kick_put(d, 0);
	virtio_transport_call_put(d, 0);
	virtio_dev_unlock(d);
	assert_true(unwatched == 0);
	assert_false(fi.gated[1]);
}

static int call_get0(void)
{
	int cfd;

	virtio_dev_lock(&td->vdev);
	cfd = virtio_transport_call_get(&td->vdev, 0);
	virtio_dev_unlock(&td->vdev);
	return cfd;
}

static void call_put0(void)
{
	virtio_dev_lock(&td->vdev);
	virtio_transport_call_put(&td->vdev, 0);
	virtio_dev_unlock(&td->vdev);
}

/* vhost's interrupts with INTx (MSI-X off, e.g. Linux with pci=nomsi):
 * an eventfd the event loop reads, each signal the ISR bit and the INTx
 * line like the device's own interrupts; nothing once given back (a
 * signal left unread included).  After a reset the driver comes back
 * with MSI-X: the vector's irqfd; and again without it: the eventfd. */
static void test_vhost_call_intx(void **state)
{
	unsigned gsi = pci_intx_gsi(SLOT, 0);
	uint64_t one = 1;
	int cfd;

	(void)state;
	driver_init();
	cfd = call_get0();
	assert_true(cfd >= 0);
	assert_int_equal(cfd, virtio_pci_call_fd(vp, 0));
	assert_true(calls_watched == 1);
	assert_int_equal(write(cfd, &one, 8), 8);
	virtio_pci_called(vp, 0);
	assert_true(fh.level[gsi]);
	assert_int_equal(rd(0x1000, 1), VIRTIO_ISR_QUEUE);
	assert_false(fh.level[gsi]);
	virtio_pci_called(vp, 0);	/* nothing more was signalled */
	assert_false(fh.level[gsi]);
	assert_int_equal(vp->calls_loop, 1);
	/* Given back with a signal unread: dropped, not delivered later. */
	assert_int_equal(write(cfd, &one, 8), 8);
	call_put0();
	assert_true(calls_watched == 0);
	virtio_pci_called(vp, 0);
	assert_false(fh.level[gsi]);
	assert_int_equal(rd(0x1000, 1), 0);
	/* A reset; the driver binds again with MSI-X. */
	wr(0x14, 1, 0);
	driver_init();
	pci_cfg_write(pci, BDF, vp->msix.cap + 2, 2, 0x8000);
	wr(0x16, 2, 0);
	wr(0x1a, 2, 1);
	cfd = call_get0();
	assert_int_equal(cfd, fi.efd[1]);
	assert_true(calls_watched == 0);
	assert_int_equal(vp->msix.routed[1].ext, 1);
	call_put0();
	assert_int_equal(vp->msix.routed[1].ext, 0);
	/* And once more without MSI-X (vector left as it was). */
	wr(0x14, 1, 0);
	pci_cfg_write(pci, BDF, vp->msix.cap + 2, 2, 0);
	driver_init();
	assert_int_equal(call_get0(), virtio_pci_call_fd(vp, 0));
	assert_true(calls_watched == 1);
	assert_int_equal(vp->msix.routed[1].ext, 0);
	call_put0();
}

/* A kick that exits (a write other than the ioeventfd's 2 bytes, or
 * through the PCI_CFG window) of a queue vhost serves reaches vhost
 * through the kick eventfd, not the device the queue was taken from. */
static void test_vhost_kick_by_exit(void **state)
{
	struct virtio_dev *d = &td->vdev;
	uint64_t n = 0;
	int kfd;

	(void)state;
	driver_init();
	virtio_dev_lock(d);
	kfd = virtio_transport_kick_get(d, 0);
	virtio_dev_unlock(d);
	assert_true(kfd >= 0);
	wr(0x3000, 2, 0);
	assert_int_equal(td->notifies, 0);
	assert_int_equal(read(kfd, &n, 8), 8);
	assert_true(n == 1);
	virtio_dev_lock(d);
	virtio_transport_kick_put(d, 0);
	virtio_dev_unlock(d);
	wr(0x3000, 2, 0);
	assert_int_equal(td->notifies, 1);
}

/* A driver moving a queue to another vector while vhost signals the
 * old one's eventfd: refused (reading back shows the vector in force),
 * and the vector given back is the one taken, not the one last written;
 * once given back, the queue's vector is the driver's again. */
static void test_vhost_vector_change_refused(void **state)
{
	struct virtio_dev *d = &td->vdev;
	int cfd;

	(void)state;
	driver_init();
	pci_cfg_write(pci, BDF, vp->msix.cap + 2, 2, 0x8000);
	wr(0x16, 2, 0);
	wr(0x1a, 2, 1);
	virtio_dev_lock(d);
	cfd = virtio_transport_call_get(d, 0);
	virtio_dev_unlock(d);
	assert_int_equal(cfd, fi.efd[1]);
	assert_int_equal(vp->msix.routed[1].ext, 1);
	wr(0x1a, 2, 0);
	assert_int_equal(rd(0x1a, 2), 1);
	wr(0x1a, 2, VIRTIO_NO_VECTOR);
	assert_int_equal(rd(0x1a, 2), 1);
	virtio_dev_lock(d);
	virtio_transport_call_put(d, 0);
	virtio_dev_unlock(d);
	assert_int_equal(vp->msix.routed[1].ext, 0);
	assert_int_equal(vp->msix.routed[0].ext, 0);
	wr(0x1a, 2, 0);
	assert_int_equal(rd(0x1a, 2), 0);
}

/* INTx lowered by an ISR read without the device lock held: a queue
 * interrupt raised (under that lock) between the clear and the lowering
 * would leave its ISR bit set with the line low, and be lost. */
static unsigned lowered_unlocked;

static int irq_set_check_lock(void *opaque, unsigned gsi, bool level)
{
	if (!level && pthread_mutex_trylock(&td->vdev.lock) == 0) {
		pthread_mutex_unlock(&td->vdev.lock);
		lowered_unlocked++;
	}
	return fake_irq_set(opaque, gsi, level);
}

static void test_isr_read_lowers_intx_under_lock(void **state)
{
	struct virtio_dev *d = &td->vdev;

	(void)state;
	driver_init();
	hw.irq_set = irq_set_check_lock;
	lowered_unlocked = 0;
	raise_queue0(d);
	assert_true(fh.level[pci_intx_gsi(SLOT, 0)]);
	assert_int_equal(rd(0x1000, 1), VIRTIO_ISR_QUEUE);
	assert_false(fh.level[pci_intx_gsi(SLOT, 0)]);
	assert_int_equal(lowered_unlocked, 0);
	hw.irq_set = fake_irq_set;
}

static void test_pci_cfg_window(void **state)
{
	unsigned c;

	(void)state;
	map_bar(BASE);
	c = find_cap(VIRTIO_PCI_CAP_PCI_CFG);
	pci_cfg_write(pci, BDF, c + 4, 1, 4);
	pci_cfg_write(pci, BDF, c + 8, 4, 0x12);
	pci_cfg_write(pci, BDF, c + 12, 4, 2);
	assert_int_equal(pci_cfg_read(pci, BDF, c + 16, 2), NQ);
	/* A write through the window: queue_select. */
	pci_cfg_write(pci, BDF, c + 8, 4, 0x16);
	pci_cfg_write(pci, BDF, c + 16, 2, 1);
	assert_int_equal(rd(0x16, 2), 1);
	/* Bad window settings do nothing. */
	pci_cfg_write(pci, BDF, c + 12, 4, 3);
	pci_cfg_write(pci, BDF, c + 16, 4, 0);
	pci_cfg_write(pci, BDF, c + 12, 4, 4);
	pci_cfg_write(pci, BDF, c + 8, 4, 0xfffffffc);
	pci_cfg_write(pci, BDF, c + 16, 4, 0);
	pci_cfg_write(pci, BDF, c + 4, 1, 0);
	pci_cfg_write(pci, BDF, c + 8, 4, 0x16);
	pci_cfg_write(pci, BDF, c + 16, 4, 0);
	assert_int_equal(rd(0x16, 2), 1);
}

static void test_reset(void **state)
{
	(void)state;
	driver_init();
	wr(0x10, 2, 1);
	wr(0x16, 2, 1);
	wr(0x14, 1, 0);
	assert_int_equal(rd(0x14, 1), 0);
	assert_int_equal(td->resets, 1);
	assert_int_equal(rd(0x10, 2), VIRTIO_NO_VECTOR);
	assert_int_equal(rd(0x16, 2), 0);
	assert_int_equal(rd(0x1c, 2), 0);
	/* The device interface's reset too. */
	driver_init();
	device_reset(&vp->dev);
	assert_int_equal(rd(0x14, 1), 0);
	assert_false(msix_enabled(&vp->msix));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identity_and_caps, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bar_and_kick_fds, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_common_config, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_notify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msix_and_intx, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vhost_eventfds, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vhost_call_intx, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vhost_vector_change_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_vhost_kick_by_exit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_isr_read_lowers_intx_under_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pci_cfg_window, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
