/* virtio-net device model (virtio 1.2, 5.1): config space, feature
 * negotiation, the rx/tx queue pairs and the control queue, against an
 * abstract packet backend (a TAP in the VMM, a socketpair in tests).
 * Queues: rx of pair k is 2k, tx 2k+1, the control queue 2 * pairs.
 *
 * Threads: everything runs on the main loop with the virtio_dev lock
 * held; backend ops are called with it held and must not call back. */
#ifndef VIREO_VIRTIO_NET_H
#define VIREO_VIRTIO_NET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "virtio/virtio.h"

#define VIRTIO_ID_NET		1
#define VIRTIO_NET_HDR_LEN	12	/* virtio_net_hdr_v1 (VERSION_1) */
#define VIRTIO_NET_MAX_PAIRS	16
#define VIRTIO_NET_MAX_PKT	65536	/* plus the header */

/* Offloads the backend delivers to us (same values as the kernel's
 * TUN_F_*, so a TAP backend passes them through). */
#define VNET_OFFLOAD_CSUM	0x01
#define VNET_OFFLOAD_TSO4	0x02
#define VNET_OFFLOAD_TSO6	0x04
#define VNET_OFFLOAD_ECN	0x08
#define VNET_OFFLOAD_UFO	0x10

/* The driver's receive filter (control queue: RX mode, MAC tables, MAC
 * address) as a list of destinations, unicast ones first. */
#define VNET_FILTER_MAX	(2 + 2 * 64)	/* MAC, broadcast, two tables */
struct vnet_rx_filter {
	bool all;		/* no filter: every frame passes */
	bool allmulti;		/* every multicast frame passes too */
	unsigned n;
	uint8_t mac[VNET_FILTER_MAX][6];
};

/* A packet backend: every packet carries a 12-byte virtio_net_hdr_v1. */
struct virtio_net_backend {
	/* Send one packet (header + frame) on queue pair `pair`: bytes
	 * sent, or -EAGAIN when the backend is full (the device then waits
	 * for virtio_net_tx_ready), or another -errno (packet dropped). */
	ssize_t (*send)(void *opaque, unsigned pair, const struct iovec *iov,
			unsigned n);
	/* Receive one packet into buf: its length, -EAGAIN if none. */
	ssize_t (*recv)(void *opaque, unsigned pair, void *buf, size_t len);
	/* Start (on) or stop watching pair's backend for incoming packets
	 * (rx) or for room to send (tx); the owner then calls
	 * virtio_net_rx_ready / virtio_net_tx_ready. */
	void (*watch)(void *opaque, unsigned pair, bool rx, bool on);
	/* The tx budget ran out: call virtio_net_tx_ready(pair) again soon,
	 * after the loop served other sources. */
	void (*reschedule)(void *opaque, unsigned pair);
	/* Optional: VNET_OFFLOAD_* the guest accepts now. */
	int (*set_offload)(void *opaque, unsigned flags);
	/* Optional: the number of queue pairs in use changed. */
	int (*set_pairs)(void *opaque, unsigned pairs);
	/* Optional: move the data queues out of the VMM (vhost-net) at
	 * DRIVER_OK, after the offloads are set: 0 when the backend runs
	 * them (the device then serves only the control queue and config),
	 * 1 to serve them here, -errno to fail activation (NEEDS_RESET).
	 * The backend logs why.  datapath_stop takes them back at reset. */
	int (*datapath_start)(void *opaque, struct virtio_dev *dev);
	void (*datapath_stop)(void *opaque, struct virtio_dev *dev);
	/* Optional: drop frames towards the guest that f does not pass,
	 * where they arrive (a TAP in the kernel, so also for vhost-net);
	 * it may pass more, as the spec allows.  The device does not
	 * filter itself: without this op every frame passes. */
	int (*set_rx_filter)(void *opaque, const struct vnet_rx_filter *f);
	void *opaque;
};

/* The rings' size by default.  Receive wants the room: a one-vCPU guest
 * that empties a short ring between two of our receive passes turns its
 * interrupts back on, and the interrupt after each pass then runs its
 * receive work in interrupt context, where the application that reads
 * the packets cannot preempt it (docs/benchmarks.md, "A longer receive
 * ring": with 256 entries, 8-17 interrupts per 1000 64-byte packets and
 * 4.7-5.9k packets per second read in the guest; with 1024, 0.4-0.6 and
 * 10.6-11.0k). */
#define VIRTIO_NET_QUEUE_SIZE	1024

struct virtio_net_params {
	uint8_t mac[6];		/* the caller picks a random one if needed */
	unsigned pairs;		/* 1..VIRTIO_NET_MAX_PAIRS */
	uint16_t queue_size;	/* 0: VIRTIO_NET_QUEUE_SIZE */
	unsigned tx_budget;	/* packets per kick; 0: 256 */
	struct virtio_net_backend be;
};

int virtio_net_create(const struct gmem *mem,
		      const struct virtio_net_params *p,
		      struct virtio_dev **out);

/* The backend has packets for pair (rx) or room again (tx). */
void virtio_net_rx_ready(struct virtio_dev *dev, unsigned pair);
void virtio_net_tx_ready(struct virtio_dev *dev, unsigned pair);

/* Link state (STATUS) and a gratuitous-ARP request (GUEST_ANNOUNCE). */
void virtio_net_set_link(struct virtio_dev *dev, bool up);
void virtio_net_announce(struct virtio_dev *dev);

/* Counters for tests and statistics (--stats).  rx_filtered: frames too
 * short to deliver; rx_runs: receive passes that delivered a packet;
 * rx_irqs, tx_irqs: queue interrupts raised; rx_full: passes that found
 * the receive ring out of buffers. */
struct virtio_net_stats {
	uint64_t tx_packets, tx_dropped, rx_packets, rx_dropped, rx_filtered,
	    tx_budget_hits, rx_budget_hits;
	uint64_t rx_runs, rx_full, rx_irqs, tx_irqs;
};
void virtio_net_get_stats(struct virtio_dev *dev,
			  struct virtio_net_stats *s);

#endif
