/* The generic vhost backend (see vhost.h): the vhost ioctls every vhost
 * device shares, the memory table from guest RAM, and the hand-over of
 * queues (ring addresses, indices, eventfds) between the VMM's virtqueue
 * walker and the kernel.  Errors are returned, not logged: the device
 * glue falls back to its own data path or explains them in one line. */
#include "virtio/vhost.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/vhost.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "virtio/virtq.h"

static int sys_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg);
}

int vhost_dev_ioctl(struct vhost_dev *d, unsigned long req, void *arg,
		    const char *what)
{
	int (*fn)(int, unsigned long, void *) =
		d->ioctl_fn ? d->ioctl_fn : sys_ioctl;

	if (fn(d->fd, req, arg) < 0) {
		d->failed = what;
		return -errno;
	}
	return 0;
}

int vhost_dev_open(struct vhost_dev *d, const char *path, int fd,
		   unsigned first, unsigned nvqs)
{
	unsigned i;
	int ret;

	d->running = false;
	d->failed = NULL;
	for (i = 0; i < VHOST_MAX_VQS; i++)
		d->kick[i] = d->call[i] = -1;
	if (!nvqs || nvqs > VHOST_MAX_VQS) {
		d->fd = -1;
		return -EINVAL;
	}
	d->first = first;
	d->nvqs = nvqs;
	d->fd = fd >= 0 ? fd : open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0) {
		d->failed = "open";
		return -errno;
	}
	ret = vhost_dev_ioctl(d, VHOST_SET_OWNER, NULL, "VHOST_SET_OWNER");
	ret = ret ?: vhost_dev_ioctl(d, VHOST_GET_FEATURES, &d->features,
				     "VHOST_GET_FEATURES");
	if (ret) {
		close(d->fd);
		d->fd = -1;
	}
	return ret;
}

void vhost_dev_close(struct vhost_dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

/* Guest RAM as the kernel's memory table: the low and high regions. */
static int set_mem(struct vhost_dev *d, const struct gmem *mem)
{
	struct gmem_region r[2];
	struct vhost_memory *m;
	unsigned i;
	int ret;

	m = calloc(1, sizeof(*m) + 2 * sizeof(m->regions[0]));
	if (!m)
		return -ENOMEM;
	m->nregions = gmem_regions(mem, r);
	for (i = 0; i < m->nregions; i++)
		m->regions[i] = (struct vhost_memory_region){
			.guest_phys_addr = r[i].gpa,
			.memory_size = r[i].size,
			.userspace_addr = (uint64_t)(uintptr_t)r[i].host,
		};
	ret = vhost_dev_ioctl(d, VHOST_SET_MEM_TABLE, m,
			      "VHOST_SET_MEM_TABLE");
	free(m);
	return ret;
}

/* Host address of a ring the core checked to lie in RAM. */
static uint64_t hva(const struct gmem *mem, uint64_t gpa, uint64_t len)
{
	return (uint64_t)(uintptr_t)gmem_ptr(mem, gpa, len);
}

/* Vhost queue i = virtio queue first + i: sizes, indices, rings. */
static int start_ring(struct vhost_dev *d, struct virtio_dev *vdev,
		      unsigned i)
{
	struct virtq *vq = virtio_dev_queue(vdev, d->first + i);
	const struct virtio_queue_cfg *c;
	struct vhost_vring_state num = { i, 0 }, base = { i, 0 };
	struct vhost_vring_addr addr = { .index = i };

	if (!vq || !vq->cfg.enabled || vq->packed || !vq->desc)
		return -EINVAL;
	c = &vq->cfg;
	num.num = c->size;
	base.num = vq->last_avail;
	addr.desc_user_addr = hva(vdev->mem, c->desc, VIRTQ_DESC_BYTES(c->size));
	addr.avail_user_addr = hva(vdev->mem, c->driver,
				   VIRTQ_AVAIL_BYTES(c->size));
	addr.used_user_addr = hva(vdev->mem, c->device,
				  VIRTQ_USED_BYTES(c->size));
	return vhost_dev_ioctl(d, VHOST_SET_VRING_NUM, &num,
			       "VHOST_SET_VRING_NUM") ?:
	       vhost_dev_ioctl(d, VHOST_SET_VRING_BASE, &base,
			       "VHOST_SET_VRING_BASE") ?:
	       vhost_dev_ioctl(d, VHOST_SET_VRING_ADDR, &addr,
			       "VHOST_SET_VRING_ADDR");
}

/* The eventfds of vhost queue i, taken from the transport. */
static int start_fds(struct vhost_dev *d, struct virtio_dev *vdev,
		     unsigned i)
{
	struct vhost_vring_file kick = { i, -1 }, call = { i, -1 };
	int fd;

	fd = virtio_transport_kick_get(vdev, d->first + i);
	if (fd < 0) {
		d->failed = "the queue's kick eventfd";
		return fd;
	}
	d->kick[i] = kick.fd = fd;
	fd = virtio_transport_call_get(vdev, d->first + i);
	if (fd < 0) {
		d->failed = "the queue's call eventfd";
		return fd;
	}
	d->call[i] = call.fd = fd;
	return vhost_dev_ioctl(d, VHOST_SET_VRING_KICK, &kick,
			       "VHOST_SET_VRING_KICK") ?:
	       vhost_dev_ioctl(d, VHOST_SET_VRING_CALL, &call,
			       "VHOST_SET_VRING_CALL");
}

int vhost_dev_start(struct vhost_dev *d, struct virtio_dev *vdev,
		    uint64_t features)
{
	unsigned i;
	int ret;

	if (d->fd < 0 || d->running)
		return -EBADF;
	if ((features & d->features) != features) {
		d->failed = "VHOST_GET_FEATURES (a negotiated feature)";
		return -EOPNOTSUPP;
	}
	d->running = true;	/* so a failure below is undone by stop */
	ret = vhost_dev_ioctl(d, VHOST_SET_FEATURES, &features,
			      "VHOST_SET_FEATURES");
	ret = ret ?: set_mem(d, vdev->mem);
	for (i = 0; !ret && i < d->nvqs; i++)
		ret = start_ring(d, vdev, i) ?: start_fds(d, vdev, i);
	if (ret) {
		const char *failed = d->failed;

		vhost_dev_stop(d, vdev);
		d->failed = failed;
	}
	return ret;
}

void vhost_dev_kick(struct vhost_dev *d)
{
	uint64_t one = 1;
	unsigned i;

	for (i = 0; i < d->nvqs; i++)
		if (d->kick[i] >= 0 &&
		    write(d->kick[i], &one, sizeof(one)) != sizeof(one))
			continue;	/* counter full: already kicked */
}

/* Vhost queue i back to the VMM: where the kernel stopped, and its
 * eventfds back to the transport. */
static int stop_ring(struct vhost_dev *d, struct virtio_dev *vdev,
		     unsigned i)
{
	struct virtq *vq = virtio_dev_queue(vdev, d->first + i);
	struct vhost_vring_state st = { i, 0 };
	struct vhost_vring_file f = { i, -1 };
	int ret = 0;

	if (d->kick[i] >= 0) {
		ret = vhost_dev_ioctl(d, VHOST_GET_VRING_BASE, &st,
				      "VHOST_GET_VRING_BASE");
		if (!ret && vq) {
			vq->last_avail = (uint16_t)st.num;
			if (vq->used)
				vq->used_idx = le16toh(
					__atomic_load_n(&vq->used[1],
							__ATOMIC_ACQUIRE));
			vq->signalled_valid = false;
		}
		ret = vhost_dev_ioctl(d, VHOST_SET_VRING_KICK, &f,
				      "VHOST_SET_VRING_KICK") ?: ret;
		virtio_transport_kick_put(vdev, d->first + i);
		d->kick[i] = -1;
	}
	if (d->call[i] >= 0) {
		ret = vhost_dev_ioctl(d, VHOST_SET_VRING_CALL, &f,
				      "VHOST_SET_VRING_CALL") ?: ret;
		virtio_transport_call_put(vdev, d->first + i);
		d->call[i] = -1;
	}
	return ret;
}

int vhost_dev_stop(struct vhost_dev *d, struct virtio_dev *vdev)
{
	unsigned i;
	int ret = 0, r;

	if (!d->running)
		return 0;
	for (i = 0; i < d->nvqs; i++) {
		r = stop_ring(d, vdev, i);
		ret = ret ?: r;
	}
	d->running = false;
	return ret;
}
