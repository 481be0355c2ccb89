/* vhost-net for virtio-net over a TAP (used by net_host.c): one
 * /dev/vhost-net per queue pair (vhost queues 0 rx, 1 tx = the device's
 * queues 2k, 2k+1) on the generic vhost backend (vhost.h), each pair's
 * TAP queue fd as the backend of both rings.  The control queue, the
 * configuration (MAC, link status) and the offloads (TUNSETOFFLOAD on
 * the same TAP) stay with the device in the VMM.  The TAP's vnet header
 * is 12 bytes (virtio 1.x with or without MRG_RXBUF), so vhost passes
 * headers through untouched (no VHOST_NET_F_VIRTIO_NET_HDR).
 *
 * vhost=auto falls back to the userspace data path, with one line, when
 * /dev/vhost-net does not open or a start fails; vhost=on makes the open
 * failure fatal (one line) and a failed start breaks the device. */
#ifndef VIREO_VIRTIO_NET_VHOST_H
#define VIREO_VIRTIO_NET_VHOST_H

#include <stdbool.h>
#include <stddef.h>

#include "net/opts.h"
#include "net/tap.h"
#include "virtio/vhost.h"

struct vnet_vhost {
	const char *ifname;		/* for messages */
	enum net_vhost mode;
	unsigned pairs;
	bool opened, running;
	struct vhost_dev vh[TAP_MAX_QUEUES];
};

/* Open one vhost-net device per pair at `path` (NULL: /dev/vhost-net);
 * ioctl_fn NULL: ioctl(2).  With mode off, nothing.  0 (v->opened says
 * whether vhost runs; if not and mode is auto, err says why), or -errno
 * with the reason in err (mode on). */
int vnet_vhost_open(struct vnet_vhost *v, enum net_vhost mode,
		    unsigned pairs, const char *ifname, const char *path,
		    int (*ioctl_fn)(int, unsigned long, void *), char *err,
		    size_t errlen);
void vnet_vhost_close(struct vnet_vhost *v);

/* The virtio-net backend's datapath_start/stop (device lock held). */
int vnet_vhost_start(struct vnet_vhost *v, struct virtio_dev *dev,
		     const struct tap *tap);
void vnet_vhost_stop(struct vnet_vhost *v, struct virtio_dev *dev);

#endif
