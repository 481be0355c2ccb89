/* The host side of virtio-vsock: the kernel's vhost-vsock
 * (/dev/vhost-vsock) as the device's rx/tx data path, on the generic
 * vhost layer (vhost.h).  Opened once per process, at start-up: it takes
 * ownership and claims the guest's CID (VHOST_VSOCK_SET_GUEST_CID; the
 * kernel refuses a CID another guest on this host holds, with
 * EADDRINUSE), so a duplicate is found before the guest boots, and the
 * CID stays claimed across guest resets.  The device model
 * (vsock.h) starts it at DRIVER_OK (rings, eventfds, then
 * VHOST_VSOCK_SET_RUNNING) and stops it at reset. */
#ifndef VIREO_VIRTIO_VSOCK_HOST_H
#define VIREO_VIRTIO_VSOCK_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "virtio/vsock.h"

struct vsock_host;

/* Open /dev/vhost-vsock (or adopt fd >= 0) and claim `cid`.  ioctl_fn:
 * NULL for ioctl(2) (tests record the calls).  0, or -errno with one
 * line for the user in err: -ENOENT (no vhost-vsock on this host),
 * -EACCES, -EADDRINUSE (the CID is taken), -EINVAL (reserved). */
int vsock_host_open(uint32_t cid, int fd,
		    int (*ioctl_fn)(int fd, unsigned long req, void *arg),
		    struct vsock_host **out, char *err, size_t errlen);
void vsock_host_destroy(struct vsock_host *h);

/* The device's parameters: the CID, the features the kernel offers, and
 * the backend hooks (start/stop), for virtio_vsock_create(). */
void vsock_host_params(struct vsock_host *h, struct virtio_vsock_params *p);

#endif
