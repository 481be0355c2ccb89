/* vhost-net for virtio-net (see net_vhost.h): opening the devices,
 * handing the queue pairs over at DRIVER_OK with the TAP as backend, and
 * taking them back at reset or before the device goes. */
#include "virtio/net_vhost.h"

#include <errno.h>
#include <linux/vhost.h>
#include <stdio.h>
#include <string.h>

#include "util/log.h"
#include "virtio/net_int.h"

#define VHOST_NET_PATH "/dev/vhost-net"

/* Negotiated bits that shape the rings and buffers vhost handles; the
 * offloads are the TAP's business. */
#define VHOST_NET_DATA_FEATURES                                               \
	(1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_F_RING_INDIRECT_DESC |   \
	 1ull << VIRTIO_F_RING_EVENT_IDX | 1ull << NET_F_MRG_RXBUF)

int vnet_vhost_open(struct vnet_vhost *v, enum net_vhost mode,
		    unsigned pairs, const char *ifname, const char *path,
		    int (*ioctl_fn)(int, unsigned long, void *), char *err,
		    size_t errlen)
{
	unsigned k;
	int ret = 0;

	memset(v, 0, sizeof(*v));
	v->ifname = ifname;
	v->mode = mode;
	if (mode == NET_VHOST_OFF)
		return 0;
	for (k = 0; k < pairs && !ret; k++) {
		v->vh[k].ioctl_fn = ioctl_fn;
		v->vh[k].name = "vhost-net";
		ret = vhost_dev_open(&v->vh[k], path ? path : VHOST_NET_PATH,
				     -1, 2 * k, 2);
		v->pairs = k + !ret;
	}
	if (!ret) {
		v->opened = true;
		return 0;
	}
	k = v->pairs;
	snprintf(err, errlen, "vhost-net: %s: %s",
		 v->vh[k].failed && strcmp(v->vh[k].failed, "open")
			 ? v->vh[k].failed : path ? path : VHOST_NET_PATH,
		 strerror(-ret));
	vnet_vhost_close(v);
	return mode == NET_VHOST_ON ? ret : 0;
}

void vnet_vhost_close(struct vnet_vhost *v)
{
	unsigned k;

	for (k = 0; k < v->pairs; k++)
		vhost_dev_close(&v->vh[k]);
	v->pairs = 0;
	v->opened = false;
}

static int set_backend(struct vhost_dev *d, int fd)
{
	struct vhost_vring_file f = { 0, fd };
	int ret;

	ret = vhost_dev_ioctl(d, VHOST_NET_SET_BACKEND, &f,
			      "VHOST_NET_SET_BACKEND");
	f.index = 1;
	return ret ?: vhost_dev_ioctl(d, VHOST_NET_SET_BACKEND, &f,
				      "VHOST_NET_SET_BACKEND");
}

/* Pair k: rings, eventfds, then the TAP queue on both rings. */
static int start_pair(struct vnet_vhost *v, struct virtio_dev *dev,
		      const struct tap *tap, unsigned k, uint64_t features)
{
	struct vhost_dev *d = &v->vh[k];
	int ret;

	ret = vhost_dev_start(d, dev, features);
	if (ret)
		return ret;
	ret = set_backend(d, tap->fds[k]);
	if (ret) {
		const char *failed = d->failed;

		set_backend(d, -1);
		vhost_dev_stop(d, dev);
		d->failed = failed;
		return ret;
	}
	vhost_dev_kick(d);
	return 0;
}

int vnet_vhost_start(struct vnet_vhost *v, struct virtio_dev *dev,
		     const struct tap *tap)
{
	uint64_t features = dev->guest_features & VHOST_NET_DATA_FEATURES;
	unsigned k;
	int ret = 0;

	if (!v->opened)
		return 1;
	for (k = 0; k < v->pairs && k < tap->nfds && !ret; k++)
		ret = start_pair(v, dev, tap, k, features);
	if (!ret) {
		v->running = true;
		return 0;
	}
	k--;
	/* Reached from the guest's DRIVER_OK (a queue not enabled...),
	 * which it may repeat: rate-limited. */
	log_guest("--net %s: vhost-net: %s for queue pair %u: %s%s", v->ifname,
		  v->vh[k].failed ? v->vh[k].failed : "start", k,
		  strerror(-ret), v->mode == NET_VHOST_ON
					  ? "" : "; userspace data path");
	v->running = true;	/* stop what did start */
	vnet_vhost_stop(v, dev);
	return v->mode == NET_VHOST_ON ? ret : 1;
}

void vnet_vhost_stop(struct vnet_vhost *v, struct virtio_dev *dev)
{
	unsigned k;
	int ret;

	if (!v->running)
		return;
	for (k = 0; k < v->pairs; k++) {
		if (!v->vh[k].running)
			continue;
		ret = set_backend(&v->vh[k], -1);
		ret = vhost_dev_stop(&v->vh[k], dev) ?: ret;
		if (ret)
			log_warn("--net %s: vhost-net: stopping queue pair %u: "
				 "%s: %s", v->ifname, k, v->vh[k].failed,
				 strerror(-ret));
	}
	v->running = false;
}
