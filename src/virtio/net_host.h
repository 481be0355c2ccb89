/* virtio-net over a TAP (src/net/tap.c): opens the TAP that a --net
 * option names (or adopts the inherited fd), picks the MAC, and is the
 * struct virtio_net_backend of the device: one TAP queue per queue pair,
 * each on the loop it is given (in vireo-vmm the NIC's I/O thread's;
 * readable: rx, writable: tx, only while the device asks), and an
 * eventfd that brings a flooded tx queue back after the loop has served
 * its other sources.  With vhost=on|auto it also
 * holds the pairs' /dev/vhost-net devices (net_vhost.h), which take the
 * data queues at DRIVER_OK.  The machine creates it before the device,
 * attaches the device, and destroys it after the device. */
#ifndef VIREO_VIRTIO_NET_HOST_H
#define VIREO_VIRTIO_NET_HOST_H

#include <stdio.h>

#include "net/opts.h"
#include "util/loop.h"
#include "virtio/net.h"

struct vnet_host;

/* Open the TAP of o (a random locally administered MAC if o has none).
 * 0, or -errno with one line in err. */
int vnet_host_create(const struct net_opts *o, struct loop *loop,
		     struct vnet_host **out, char *err, size_t errlen);
/* Device parameters: MAC, pairs and the backend. */
void vnet_host_params(struct vnet_host *h, struct virtio_net_params *p);
/* Start serving dev (created from vnet_host_params).  0 or -errno. */
int vnet_host_attach(struct vnet_host *h, struct virtio_dev *dev);
/* Stop serving the device (before it is destroyed, e.g. for a VM
 * reset); the TAP and the MAC stay for the next attach. */
void vnet_host_detach(struct vnet_host *h);
/* One --stats line of the attached device's counters, for NIC `nic`. */
void vnet_host_print_stats(struct vnet_host *h, unsigned nic, FILE *out);
/* After the device is destroyed.  NULL is a no-op. */
void vnet_host_destroy(struct vnet_host *h);

#endif
