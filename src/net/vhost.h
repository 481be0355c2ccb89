/* vhost-net: the kernel's virtio-net data path (/dev/vhost-net).  This
 * module speaks its ioctls; it knows guest memory only as regions
 * (guest-physical address, size, host address) and rings only as host
 * addresses, so it needs neither KVM nor the virtio device model.  The
 * caller (the device glue) supplies, per queue, the kick eventfd the
 * guest's notifications signal (the transport's ioeventfd) and the call
 * eventfd that raises the queue's interrupt (an irqfd), and the TAP fd as
 * each queue's backend.
 *
 * Sequence: vhost_net_open (SET_OWNER, GET_FEATURES), then per start:
 * set_features, set_mem, per queue start_queue (NUM, BASE, ADDR, KICK,
 * CALL, backend); per stop: stop_queue (backend -1, GET_VRING_BASE). */
#ifndef VIREO_NET_VHOST_H
#define VIREO_NET_VHOST_H

#include <stdint.h>

#define VHOST_NET_MAX_REGIONS 8

struct vhost_region {
	uint64_t gpa, size;
	uint64_t hva;		/* host address of gpa */
};

struct vhost_ring {
	unsigned index;		/* 0: rx, 1: tx of one vhost device */
	unsigned num;		/* queue size */
	uint16_t base;		/* next avail index to take */
	uint64_t desc, avail, used;	/* host addresses */
	int kick_fd, call_fd, backend_fd;
};

struct vhost_net {
	int fd;
	uint64_t features;	/* what the kernel offers */
	/* The ioctl to use (tests record the calls); ioctl(2) by default. */
	int (*ioctl_fn)(int fd, unsigned long req, void *arg);
};

/* Open /dev/vhost-net (or adopt fd >= 0) and take ownership.  0 or
 * -errno (-ENOENT: no vhost-net on this host). */
int vhost_net_open(struct vhost_net *v, int fd);
void vhost_net_close(struct vhost_net *v);

/* The negotiated virtio features the kernel also supports. */
int vhost_net_set_features(struct vhost_net *v, uint64_t features);
int vhost_net_set_mem(struct vhost_net *v, const struct vhost_region *r,
		      unsigned n);
int vhost_net_start_queue(struct vhost_net *v, const struct vhost_ring *r);
/* Detach the backend and return where the kernel stopped in *base. */
int vhost_net_stop_queue(struct vhost_net *v, unsigned index,
			 uint16_t *base);

#endif
