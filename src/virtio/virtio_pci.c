/* The virtio modern PCI transport (see virtio_pci.h): configuration
 * space capabilities, the BAR 4 register file, interrupt delivery
 * (MSI-X or INTx) and the per-queue kick eventfds.  Everything the
 * guest writes to BAR 4 or to the PCI_CFG window is untrusted: offsets,
 * sizes, selectors and vector numbers are checked before use. */
#include "virtio/virtio_pci.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util/log.h"
#include "virtio/virtq.h"

/* Common configuration registers (virtio 1.2, 4.1.4.3). */
enum {
	CC_DFSELECT = 0x00, CC_DF = 0x04, CC_GFSELECT = 0x08, CC_GF = 0x0c,
	CC_MSIX_CONFIG = 0x10, CC_NUM_QUEUES = 0x12, CC_STATUS = 0x14,
	CC_GENERATION = 0x15, CC_Q_SELECT = 0x16, CC_Q_SIZE = 0x18,
	CC_Q_MSIX = 0x1a, CC_Q_ENABLE = 0x1c, CC_Q_NOTIFY_OFF = 0x1e,
	CC_Q_DESC = 0x20, CC_Q_DRIVER = 0x28, CC_Q_DEVICE = 0x30,
};

/* struct virtio_pci_cap: vndr, next, len, cfg_type, bar, id, pad[2],
 * offset, length; the notify cap adds the multiplier, the PCI_CFG cap
 * a 4-byte data window. */
#define CAP_LEN		16
#define CAP_BAR		4
#define CAP_OFFSET	8
#define CAP_LENGTH	12
#define CAP_EXTRA	16

#define LD(p) __atomic_load_n(p, __ATOMIC_RELAXED)
#define ST(p, v) __atomic_store_n(p, v, __ATOMIC_RELAXED)

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* ---- interrupts ---- */

static void deliver(struct virtio_pci *vp, uint16_t vector)
{
	if (vector == VIRTIO_NO_VECTOR && msix_enabled(&vp->msix))
		return;
	if (vector == VIRTIO_NO_VECTOR ||
	    msix_notify(&vp->msix, vector) == -EAGAIN)
		pci_set_irq(&vp->pci, true);	/* MSI-X off: INTx */
}

/* Called by the core with the device lock held. */
static void raise_queue(void *opaque, unsigned q)
{
	struct virtio_pci *vp = opaque;
	struct virtq *vq = virtio_dev_queue(vp->vdev, q);

	if (vq)
		deliver(vp, vq->cfg.msix_vector);
}

static void raise_config(void *opaque)
{
	struct virtio_pci *vp = opaque;

	deliver(vp, LD(&vp->msix_config));
}

/* The driver read the ISR: INTx drops, under the device lock, so a
 * raise_queue on another thread comes either before the read (and is
 * read) or after (and raises the line again). */
static void isr_cleared(void *opaque)
{
	struct virtio_pci *vp = opaque;

	pci_set_irq(&vp->pci, false);
}

/* A vector number the driver wrote: NO_VECTOR unless it exists. */
static uint16_t check_vector(struct virtio_pci *vp, uint64_t v)
{
	return v < vp->msix.nvec ? (uint16_t)v : VIRTIO_NO_VECTOR;
}

/* ---- common configuration ---- */

static const enum virtio_qreg qregs[] = {
	[CC_Q_SIZE] = VIRTIO_Q_SIZE, [CC_Q_MSIX] = VIRTIO_Q_MSIX_VECTOR,
	[CC_Q_ENABLE] = VIRTIO_Q_ENABLE, [CC_Q_DESC] = VIRTIO_Q_DESC,
	[CC_Q_DRIVER] = VIRTIO_Q_DRIVER, [CC_Q_DEVICE] = VIRTIO_Q_DEVICE,
};

/* Width of the register at `reg`, 0 if none starts there. */
static unsigned reg_width(unsigned reg)
{
	switch (reg) {
	case CC_DFSELECT: case CC_DF: case CC_GFSELECT: case CC_GF:
		return 4;
	case CC_STATUS: case CC_GENERATION:
		return 1;
	case CC_Q_DESC: case CC_Q_DRIVER: case CC_Q_DEVICE:
		return 8;
	case CC_MSIX_CONFIG: case CC_NUM_QUEUES: case CC_Q_SELECT:
	case CC_Q_SIZE: case CC_Q_MSIX: case CC_Q_ENABLE: case CC_Q_NOTIFY_OFF:
		return 2;
	default:
		return 0;
	}
}

/* Map an access to (register, shift): exact widths, and 64-bit
 * registers also as two dwords.  False for anything else. */
static bool common_decode(unsigned off, unsigned size, unsigned *reg,
			  unsigned *shift)
{
	*shift = 0;
	*reg = off;
	if (reg_width(off) == size)
		return true;
	if (size == 4 && reg_width(off) == 8)
		return true;
	if (size == 4 && off >= 4 && reg_width(off - 4) == 8) {
		*reg = off - 4;
		*shift = 32;
		return true;
	}
	return false;
}

static uint64_t common_read(struct virtio_pci *vp, unsigned reg)
{
	struct virtio_dev *d = vp->vdev;
	unsigned q = LD(&vp->queue_select);
	uint64_t v = 0;

	switch (reg) {
	case CC_DFSELECT:
		return LD(&vp->dfselect);
	case CC_DF:
		return virtio_get_device_features(d, LD(&vp->dfselect));
	case CC_GFSELECT:
		return LD(&vp->gfselect);
	case CC_GF:
		return virtio_get_driver_features(d, LD(&vp->gfselect));
	case CC_MSIX_CONFIG:
		return LD(&vp->msix_config);
	case CC_NUM_QUEUES:
		return vp->nq;
	case CC_STATUS:
		return virtio_get_status(d);
	case CC_GENERATION:
		return virtio_config_generation(d) & 0xff;
	case CC_Q_SELECT:
		return q;
	case CC_Q_NOTIFY_OFF:
		return q < vp->nq ? q : 0;
	default:
		/* A queue register; a queue that does not exist reads 0. */
		virtio_queue_read(d, q, qregs[reg], &v);
		return v;
	}
}

static void status_write(struct virtio_pci *vp, uint8_t status)
{
	virtio_set_status(vp->vdev, status);
	if (status == 0) {
		/* Reset: the transport's registers go back too. */
		ST(&vp->dfselect, 0);
		ST(&vp->gfselect, 0);
		ST(&vp->queue_select, 0);
		ST(&vp->msix_config, VIRTIO_NO_VECTOR);
		pci_set_irq(&vp->pci, false);
	}
}

static void common_write(struct virtio_pci *vp, unsigned reg,
			 unsigned shift, unsigned size, uint64_t val)
{
	struct virtio_dev *d = vp->vdev;
	unsigned q = LD(&vp->queue_select);
	uint64_t old = 0, mask;

	switch (reg) {
	case CC_DFSELECT:
		ST(&vp->dfselect, (uint32_t)val);
		return;
	case CC_GFSELECT:
		ST(&vp->gfselect, (uint32_t)val);
		return;
	case CC_GF:
		virtio_set_driver_features(d, LD(&vp->gfselect),
					   (uint32_t)val);
		return;
	case CC_MSIX_CONFIG:
		ST(&vp->msix_config, check_vector(vp, val));
		return;
	case CC_STATUS:
		status_write(vp, (uint8_t)val);
		return;
	case CC_Q_SELECT:
		ST(&vp->queue_select, (uint16_t)val);
		return;
	case CC_Q_MSIX:
		val = check_vector(vp, val);
		break;
	case CC_Q_SIZE: case CC_Q_ENABLE:
	case CC_Q_DESC: case CC_Q_DRIVER: case CC_Q_DEVICE:
		break;
	default:
		return;		/* read-only */
	}
	if (size == 4 && reg_width(reg) == 8) {
		/* Half of a 64-bit address: merge with the other half. */
		virtio_queue_read(d, q, qregs[reg], &old);
		mask = 0xffffffffULL << shift;
		val = (old & ~mask) | ((val << shift) & mask);
	}
	/* A queue that does not exist ignores the write. */
	virtio_queue_write(d, q, qregs[reg], val);
}

static void common_access(struct virtio_pci *vp, unsigned off, unsigned size,
			  uint64_t *value, bool is_write)
{
	unsigned reg, shift;

	if (!common_decode(off, size, &reg, &shift)) {
		log_guest("%s: %u-byte access at common config %#x ignored",
			  vp->pci.name, size, off);
		if (!is_write)
			*value = 0;
		return;
	}
	if (is_write)
		common_write(vp, reg, shift, size, *value);
	else
		*value = common_read(vp, reg) >> shift;
}

/* ---- BAR 4 ---- */

static void notify_write(struct virtio_pci *vp, uint64_t off)
{
	unsigned q = (unsigned)(off / VIRTIO_PCI_NOTIFY_MULT);
	uint64_t one = 1;

	vp->kicks_exit++;
	if (q < vp->nq && (LD(&vp->kick_ext) & (1ULL << q))) {
		/* vhost serves q: it hears the kick through the eventfd
		 * (EAGAIN: full, kicked already). */
		if (write(vp->kick_fd[q], &one, sizeof(one)) < 0 &&
		    errno != EAGAIN)
			log_guest("%s: queue %u: passing a kick on to vhost: "
				  "%s", vp->pci.name, q, strerror(errno));
		return;
	}
	/* The queue comes from the address; the core checks it exists
	 * and is enabled (NEEDS_RESET otherwise). */
	virtio_notify_queue(vp->vdev, q);
}

/* Trust boundary: offset and size come from the guest (the bus has
 * checked the access lies inside the BAR). */
int virtio_pci_bar_io(void *opaque, uint64_t offset, unsigned size,
		      uint64_t *value, bool is_write)
{
	struct virtio_pci *vp = opaque;
	uint32_t cfg_size = virtio_config_size(vp->vdev);
	uint8_t buf[8] = { 0 };

	if (offset < VIRTIO_PCI_COMMON_LEN) {
		common_access(vp, (unsigned)offset, size, value, is_write);
	} else if (offset == VIRTIO_PCI_ISR_OFF) {
		if (!is_write)	/* also drops INTx (isr_cleared) */
			*value = virtio_isr_read_clear(vp->vdev);
	} else if (offset >= VIRTIO_PCI_DEVCFG_OFF &&
		   offset - VIRTIO_PCI_DEVCFG_OFF < cfg_size) {
		uint32_t off = (uint32_t)(offset - VIRTIO_PCI_DEVCFG_OFF);

		if (is_write) {
			memcpy(buf, value, size);
			virtio_config_write(vp->vdev, off, buf, size);
		} else {
			virtio_config_read(vp->vdev, off, buf, size);
			*value = 0;
			memcpy(value, buf, size);
		}
	} else if (offset >= VIRTIO_PCI_NOTIFY_OFF &&
		   offset - VIRTIO_PCI_NOTIFY_OFF <
			   (uint64_t)vp->nq * VIRTIO_PCI_NOTIFY_MULT) {
		if (is_write)
			notify_write(vp, offset - VIRTIO_PCI_NOTIFY_OFF);
		else
			*value = 0;
	} else if (msix_bar_access(&vp->msix, offset, size, value,
				   is_write) == -ENOENT && !is_write) {
		*value = 0;	/* nothing there */
	}
	return 0;
}

/* ---- kicks through eventfds ---- */

static void ioevents_set(struct virtio_pci *vp, bool assign)
{
	unsigned q;
	int ret;

	for (q = 0; q < vp->nq; q++) {
		struct hw_ioevent_req req = {
			.fd = vp->kick_fd[q],
			.addr = vp->notify_base + VIRTIO_PCI_NOTIFY_OFF +
				q * VIRTIO_PCI_NOTIFY_MULT,
			.len = 2,	/* the driver writes the 16-bit index */
		};

		if (req.fd < 0)
			continue;
		ret = hw_ioevent_set(vp->host.ioevent, &req, assign);
		if (ret && ret != -ENOTSUP)	/* the guest moves BAR 4 */
			log_guest("%s: queue %u kick eventfd at %#llx: %s",
				 vp->pci.name, q, (unsigned long long)req.addr,
				 strerror(-ret));
	}
}

/* The guest moved or switched off BAR 4: the kicks follow. */
static void bar_moved(struct pci_device *pd, unsigned bar, bool mapped,
		      uint64_t addr)
{
	struct virtio_pci *vp = pd->opaque;

	if (bar != VIRTIO_PCI_BAR)
		return;
	if (vp->ioevents_on)
		ioevents_set(vp, false);
	vp->ioevents_on = mapped;
	vp->notify_base = addr;
	if (mapped)
		ioevents_set(vp, true);
}

int virtio_pci_kick_fd(struct virtio_pci *vp, unsigned q)
{
	return q < vp->nq ? vp->kick_fd[q] : -1;
}

void virtio_pci_kicked(struct virtio_pci *vp, unsigned q)
{
	uint64_t n;

	if (q >= vp->nq || vp->kick_fd[q] < 0 ||
	    (LD(&vp->kick_ext) & (1ULL << q)) ||
	    read(vp->kick_fd[q], &n, sizeof(n)) != sizeof(n))
		return;
	vp->kicks_fd++;
	virtio_notify_queue(vp->vdev, q);
}

/* ---- a data path outside the VMM (vhost): its eventfds ---- */

/* The core calls these with the device lock held. */
static int kick_get(void *opaque, unsigned q)
{
	struct virtio_pci *vp = opaque;

	if (q >= vp->nq || vp->kick_fd[q] < 0 || !vp->host.kick_watch)
		return -ENOTSUP;
	__atomic_or_fetch(&vp->kick_ext, 1ULL << q, __ATOMIC_RELAXED);
	vp->host.kick_watch(vp->host.kick_opaque, q, false);
	return vp->kick_fd[q];
}

static void kick_put(void *opaque, unsigned q)
{
	struct virtio_pci *vp = opaque;

	if (q >= vp->nq || !(LD(&vp->kick_ext) & (1ULL << q)))
		return;
	__atomic_and_fetch(&vp->kick_ext, ~(1ULL << q), __ATOMIC_RELAXED);
	vp->host.kick_watch(vp->host.kick_opaque, q, true);
}

/* Queue q's MSI-X vector's eventfd (its irqfd); -ENOTSUP with INTx, for
 * a queue without a vector, or when the irq layer has no eventfds. */
static int call_irqfd(struct virtio_pci *vp, unsigned q)
{
	struct virtq *vq = virtio_dev_queue(vp->vdev, q);
	uint16_t v = vq ? vq->cfg.msix_vector : VIRTIO_NO_VECTOR;
	int fd;

	if (!vq || v == VIRTIO_NO_VECTOR || v >= vp->msix.nvec ||
	    !msix_enabled(&vp->msix))
		return -ENOTSUP;
	fd = msix_vector_get_fd(&vp->msix, v);
	if (fd >= 0)
		vp->call_vec[q] = v;
	return fd;
}

/* Otherwise queue q's own call eventfd, which the event loop reads
 * (virtio_pci_called): the interrupt then goes the way raise_queue
 * sends it, INTx with the ISR bit or whatever the driver set up since. */
static int call_get(void *opaque, unsigned q)
{
	struct virtio_pci *vp = opaque;
	int fd;

	if (q >= vp->nq)
		return -ENOTSUP;
	if (vp->call_vec[q] != VIRTIO_NO_VECTOR ||
	    (LD(&vp->call_loop) & (1ULL << q)))
		return -EBUSY;
	fd = call_irqfd(vp, q);
	if (fd != -ENOTSUP)
		return fd;
	if (vp->call_fd[q] < 0 || !vp->host.call_watch)
		return -ENOTSUP;
	__atomic_or_fetch(&vp->call_loop, 1ULL << q, __ATOMIC_RELAXED);
	vp->host.call_watch(vp->host.kick_opaque, q, true);
	return vp->call_fd[q];
}

static void call_put(void *opaque, unsigned q)
{
	struct virtio_pci *vp = opaque;
	uint64_t n;

	if (q >= vp->nq)
		return;
	if (LD(&vp->call_loop) & (1ULL << q)) {
		__atomic_and_fetch(&vp->call_loop, ~(1ULL << q),
				   __ATOMIC_RELAXED);
		vp->host.call_watch(vp->host.kick_opaque, q, false);
		/* A signal not read yet belongs to the queue given back. */
		if (read(vp->call_fd[q], &n, sizeof(n)) < 0)
			n = 0;
	}
	if (vp->call_vec[q] == VIRTIO_NO_VECTOR)
		return;
	msix_vector_put_fd(&vp->msix, vp->call_vec[q]);
	vp->call_vec[q] = VIRTIO_NO_VECTOR;
}

int virtio_pci_call_fd(struct virtio_pci *vp, unsigned q)
{
	return q < vp->nq ? vp->call_fd[q] : -1;
}

void virtio_pci_called(struct virtio_pci *vp, unsigned q)
{
	uint64_t n;

	if (q >= vp->nq || vp->call_fd[q] < 0 ||
	    !(LD(&vp->call_loop) & (1ULL << q)) ||
	    read(vp->call_fd[q], &n, sizeof(n)) != sizeof(n))
		return;
	vp->calls_loop++;
	virtio_queue_called(vp->vdev, q);
}

/* ---- configuration space ---- */

/* The PCI_CFG capability's window: an access to BAR `bar` at `offset`
 * of `length` bytes, as the driver set them in the capability. */
static bool window(struct virtio_pci *vp, uint64_t *off, unsigned *len)
{
	const uint8_t *c = vp->pci.cfg + vp->pci_cfg_cap;

	*off = get32(c + CAP_OFFSET);
	*len = get32(c + CAP_LENGTH);
	return c[CAP_BAR] == VIRTIO_PCI_BAR &&
	       (*len == 1 || *len == 2 || *len == 4) &&
	       !(*off & (*len - 1)) && *off < VIRTIO_PCI_BAR_SIZE;
}

static bool in_window(struct virtio_pci *vp, unsigned off, unsigned size)
{
	unsigned d = vp->pci_cfg_cap + CAP_EXTRA;

	return vp->pci_cfg_cap && off < d + 4 && off + size > d;
}

static void cfg_write(struct pci_device *pd, unsigned off, unsigned size,
		      uint32_t value)
{
	struct virtio_pci *vp = pd->opaque;
	uint64_t boff, v;
	unsigned len;

	(void)value;
	msix_cfg_write(&vp->msix, off, size);
	if (!in_window(vp, off, size) || !window(vp, &boff, &len))
		return;
	v = get32(pd->cfg + vp->pci_cfg_cap + CAP_EXTRA);
	virtio_pci_bar_io(vp, boff, len, &v, true);
}

static void cfg_read(struct pci_device *pd, unsigned off, unsigned size,
		     uint32_t *value)
{
	struct virtio_pci *vp = pd->opaque;
	uint8_t *data = pd->cfg + vp->pci_cfg_cap + CAP_EXTRA;
	uint64_t boff, v = 0;
	unsigned len, i;

	if (!in_window(vp, off, size) || !window(vp, &boff, &len))
		return;
	virtio_pci_bar_io(vp, boff, len, &v, false);
	put32(data, (uint32_t)v);
	*value = 0;
	for (i = 0; i < size; i++)
		*value |= (uint32_t)pd->cfg[off + i] << (8 * i);
}

/* One virtio vendor capability; returns its offset or -errno. */
static int add_cap(struct pci_device *pd, uint8_t type, uint32_t off,
		   uint32_t len, unsigned extra)
{
	int c = pci_add_capability(pd, PCI_CAP_ID_VNDR, CAP_LEN + extra);

	if (c < 0)
		return c;
	pd->cfg[c + 2] = (uint8_t)(CAP_LEN + extra);
	pd->cfg[c + 3] = type;
	pd->cfg[c + CAP_BAR] = VIRTIO_PCI_BAR;
	put32(pd->cfg + c + CAP_OFFSET, off);
	put32(pd->cfg + c + CAP_LENGTH, len);
	return c;
}

static int add_caps(struct virtio_pci *vp)
{
	struct pci_device *pd = &vp->pci;
	uint32_t cfg_size = virtio_config_size(vp->vdev);
	int c, ret;

	ret = add_cap(pd, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON_OFF,
		      VIRTIO_PCI_COMMON_LEN, 0);
	if (ret >= 0)
		ret = add_cap(pd, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR_OFF,
			      1, 0);
	if (ret >= 0 && cfg_size)
		ret = add_cap(pd, VIRTIO_PCI_CAP_DEVICE_CFG,
			      VIRTIO_PCI_DEVCFG_OFF, cfg_size, 0);
	c = ret < 0 ? ret : add_cap(pd, VIRTIO_PCI_CAP_NOTIFY_CFG,
				    VIRTIO_PCI_NOTIFY_OFF,
				    vp->nq * VIRTIO_PCI_NOTIFY_MULT, 4);
	if (c >= 0)
		put32(pd->cfg + c + CAP_LEN, VIRTIO_PCI_NOTIFY_MULT);
	c = c < 0 ? c : add_cap(pd, VIRTIO_PCI_CAP_PCI_CFG, 0, 0, 4);
	if (c < 0)
		return c;
	/* The window's bar, offset, length and data are the driver's. */
	vp->pci_cfg_cap = (unsigned)c;
	pd->wmask[c + CAP_BAR] = 0xff;
	memset(pd->wmask + c + CAP_OFFSET, 0xff, 12);
	return 0;
}

/* PCI class by virtio device ID: net, block, else "other". */
static uint32_t class_of(uint16_t id)
{
	return id == 1 ? 0x020000 : id == 2 ? 0x010000 : 0xff0000;
}

/* ---- life cycle ---- */

static int vp_realize(struct device *d)
{
	struct virtio_pci *vp = (struct virtio_pci *)d;

	return pci_attach(vp->host.bus, vp->slot, &vp->pci);
}

static void vp_reset(struct device *d)
{
	struct virtio_pci *vp = (struct virtio_pci *)d;

	status_write(vp, 0);
	msix_reset(&vp->msix);
}

static void vp_unrealize(struct device *d)
{
	struct virtio_pci *vp = (struct virtio_pci *)d;

	pci_detach(vp->host.bus, &vp->pci);
}

static const struct device_ops virtio_pci_ops = {
	.type = "virtio-pci",
	.realize = vp_realize,
	.reset = vp_reset,
	.unrealize = vp_unrealize,
};

/* An eventfd per queue for kicks (with ioeventfds) and one for vhost's
 * interrupts when they cannot go through an irqfd (with call_watch). */
static int open_fds(struct virtio_pci *vp)
{
	unsigned q;

	vp->kick_fd = malloc(vp->nq * sizeof(*vp->kick_fd));
	vp->call_fd = malloc(vp->nq * sizeof(*vp->call_fd));
	vp->call_vec = malloc(vp->nq * sizeof(*vp->call_vec));
	if (!vp->kick_fd || !vp->call_fd || !vp->call_vec)
		return -ENOMEM;
	for (q = 0; q < vp->nq; q++) {
		vp->kick_fd[q] = vp->call_fd[q] = -1;
		vp->call_vec[q] = VIRTIO_NO_VECTOR;
	}
	for (q = 0; q < vp->nq; q++) {
		if (vp->host.ioevent)
			vp->kick_fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (vp->host.call_watch)
			vp->call_fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if ((vp->host.ioevent && vp->kick_fd[q] < 0) ||
		    (vp->host.call_watch && vp->call_fd[q] < 0))
			return -errno;
	}
	return 0;
}

int virtio_pci_create(struct virtio_pci **out, struct virtio_dev *vdev,
		      const struct virtio_pci_host *host, unsigned slot)
{
	struct virtio_pci *vp = calloc(1, sizeof(*vp));
	uint16_t id = virtio_device_id(vdev);
	struct pci_device *pd;
	int ret;

	if (!vp)
		return -ENOMEM;
	vp->vdev = vdev;
	vp->host = *host;
	vp->slot = slot;
	vp->nq = virtio_num_queues(vdev);
	vp->msix_config = VIRTIO_NO_VECTOR;
	pd = &vp->pci;
	pci_device_init(pd, VIRTIO_PCI_VENDOR, VIRTIO_PCI_DEVICE_BASE + id,
			class_of(id), 1, vdev->ops->name);
	pd->cfg[PCI_SUBSYSTEM_VENDOR_ID] = (uint8_t)VIRTIO_PCI_VENDOR;
	pd->cfg[PCI_SUBSYSTEM_VENDOR_ID + 1] = VIRTIO_PCI_VENDOR >> 8;
	pd->cfg[PCI_SUBSYSTEM_ID] = 0x40;	/* >= 0x40: modern only */
	pd->opaque = vp;
	pd->cfg_write = cfg_write;
	pd->cfg_read = cfg_read;
	pd->bar_moved = bar_moved;
	pci_device_set_intx_pin(pd, 0);
	ret = pci_device_set_bar(pd, VIRTIO_PCI_BAR, VIRTIO_PCI_BAR_SIZE,
				 PCI_BAR_MEM64);
	pci_device_bar_handler(pd, VIRTIO_PCI_BAR, virtio_pci_bar_io, vp);
	ret = ret ?: open_fds(vp);
	ret = ret ?: msix_init(&vp->msix, pd, host->irq, vp->nq + 1,
			       VIRTIO_PCI_BAR, VIRTIO_PCI_MSIX_TABLE,
			       VIRTIO_PCI_MSIX_PBA);
	ret = ret ?: add_caps(vp);
	if (ret) {
		vp->vdev = NULL;	/* still the caller's */
		virtio_pci_destroy(vp);
		return ret;
	}
	device_init(&vp->dev, &virtio_pci_ops, vdev->ops->name);
	virtio_set_transport(vdev, &(struct virtio_transport){
				     .raise_queue = raise_queue,
				     .raise_config = raise_config,
				     .isr_cleared = isr_cleared, .opaque = vp,
				     .kick_get = kick_get, .kick_put = kick_put,
				     .call_get = call_get,
				     .call_put = call_put });
	*out = vp;
	return 0;
}

void virtio_pci_destroy(struct virtio_pci *vp)
{
	unsigned q;

	if (!vp)
		return;
	if (vp->dev.ops)
		device_unrealize(&vp->dev);
	virtio_dev_destroy(vp->vdev);
	msix_fini(&vp->msix);
	for (q = 0; vp->kick_fd && q < vp->nq; q++)
		if (vp->kick_fd[q] >= 0)
			close(vp->kick_fd[q]);
	for (q = 0; vp->call_fd && q < vp->nq; q++)
		if (vp->call_fd[q] >= 0)
			close(vp->call_fd[q]);
	free(vp->kick_fd);
	free(vp->call_fd);
	free(vp->call_vec);
	free(vp);
}
