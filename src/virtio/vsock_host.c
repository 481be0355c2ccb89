/* vhost-vsock as virtio-vsock's data path (see vsock_host.h): owns the
 * /dev/vhost-vsock file for the process's lifetime and the device's
 * start and stop sequence.  Errors at open are explained in one line
 * (the user can act on them); errors at start come from a guest's
 * driver activation and are logged rate-limited. */
#include "virtio/vsock_host.h"

#include <errno.h>
#include <linux/vhost.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "virtio/vhost.h"

#define DEV_PATH "/dev/vhost-vsock"

struct vsock_host {
	struct vhost_dev vd; /* queues rx and tx: vhost's 0 and 1 */
	uint32_t cid;
};

static void explain(int ret, uint32_t cid, char *err, size_t errlen)
{
	switch (ret) {
	case -ENOENT:
	case -ENODEV:
	case -ENXIO:
		snprintf(err, errlen,
			 "--vsock: no %s on this host (load the "
			 "vhost_vsock module)",
			 DEV_PATH);
		break;
	case -EACCES:
	case -EPERM:
		snprintf(err, errlen, "--vsock: no permission to open %s",
			 DEV_PATH);
		break;
	case -EADDRINUSE:
		snprintf(err, errlen,
			 "--vsock cid=%u: CID %u is already in "
			 "use by another guest on this host",
			 cid, cid);
		break;
	case -EINVAL:
		snprintf(err, errlen,
			 "--vsock cid=%u: the kernel refuses this "
			 "CID (reserved)",
			 cid);
		break;
	default:
		snprintf(err, errlen, "--vsock cid=%u: cannot set up %s: %s",
			 cid, DEV_PATH, strerror(-ret));
	}
}

int vsock_host_open(uint32_t cid, int fd,
		    int (*ioctl_fn)(int fd, unsigned long req, void *arg),
		    struct vsock_host **out, char *err, size_t errlen)
{
	struct vsock_host *h = calloc(1, sizeof(*h));
	uint64_t cid64 = cid;
	int ret;

	if (!h) {
		explain(-ENOMEM, cid, err, errlen);
		return -ENOMEM;
	}
	h->cid = cid;
	h->vd.name = "vhost-vsock";
	h->vd.ioctl_fn = ioctl_fn;
	ret = vhost_dev_open(&h->vd, DEV_PATH, fd, VIRTIO_VSOCK_Q_RX, 2);
	ret = ret
		  ?: vhost_dev_ioctl(&h->vd, VHOST_VSOCK_SET_GUEST_CID, &cid64,
				     "VHOST_VSOCK_SET_GUEST_CID");
	if (ret) {
		explain(ret, cid, err, errlen);
		vsock_host_destroy(h);
		return ret;
	}
	*out = h;
	return 0;
}

void vsock_host_destroy(struct vsock_host *h)
{
	if (!h)
		return;
	vhost_dev_close(&h->vd);
	free(h);
}

static int set_running(struct vsock_host *h, int on)
{
	return vhost_dev_ioctl(&h->vd, VHOST_VSOCK_SET_RUNNING, &on,
			       "VHOST_VSOCK_SET_RUNNING");
}

/* DRIVER_OK, device lock held: the rings to the kernel, then run. */
static int start(void *opaque, struct virtio_dev *vdev, uint64_t features)
{
	struct vsock_host *h = opaque;
	int ret;

	ret = vhost_dev_start(&h->vd, vdev, features);
	if (!ret) {
		ret = set_running(h, 1);
		if (ret)
			vhost_dev_stop(&h->vd, vdev);
	}
	if (ret) {
		log_guest("virtio-vsock: cannot start vhost-vsock: %s: %s",
			  h->vd.failed ? h->vd.failed : "?", strerror(-ret));
		return ret;
	}
	vhost_dev_kick(&h->vd);
	return 0;
}

/* Reset or destroy, device lock held. */
static void stop(void *opaque, struct virtio_dev *vdev)
{
	struct vsock_host *h = opaque;
	int ret = set_running(h, 0);

	/* Take the queues back even if the kernel would not stop.  Every
	 * guest reset comes here: rate-limited. */
	ret = vhost_dev_stop(&h->vd, vdev) ?: ret;
	if (ret)
		log_guest("virtio-vsock: stopping vhost-vsock: %s failed",
			  h->vd.failed ? h->vd.failed : "?");
}

void vsock_host_params(struct vsock_host *h, struct virtio_vsock_params *p)
{
	memset(p, 0, sizeof(*p));
	p->guest_cid = h->cid;
	p->features = h->vd.features;
	p->backend.start = start;
	p->backend.stop = stop;
	p->backend.opaque = h;
}
