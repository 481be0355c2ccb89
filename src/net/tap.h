/* TAP backend: opens a TAP interface by name (IFF_TAP | IFF_NO_PI |
 * IFF_VNET_HDR, plus IFF_MULTI_QUEUE for several queues) or adopts an
 * inherited TAP file descriptor, sets the vnet header size, mirrors
 * offloads with TUNSETOFFLOAD and the guest's receive filter with
 * TUNSETTXFILTER.  No virtio knowledge: the offload flags are the
 * kernel's TUN_F_* bits. */
#ifndef VIREO_NET_TAP_H
#define VIREO_NET_TAP_H

#include <stdbool.h>
#include <stdint.h>

#define TAP_MAX_QUEUES 16
#define TAP_FILTER_EXACT 8	/* addresses the kernel matches exactly */

struct tap {
	char ifname[16];
	unsigned nfds;
	int fds[TAP_MAX_QUEUES];	/* non-blocking */
	bool owned;			/* opened by us (close on destroy) */
};

/* Open `queues` queues of interface ifname (created if missing, which
 * needs CAP_NET_ADMIN; a name with "%d", such as "vnet%d", makes the
 * kernel pick the first free one, read back into t->ifname).  0 or
 * -errno. */
int tap_open(struct tap *t, const char *ifname, unsigned queues);

/* Adopt inherited TAP fds, one per queue, of one interface (the caller
 * keeps ownership).  Checks each is a TAP with a vnet header and no
 * packet information.  0 or -errno. */
int tap_adopt(struct tap *t, const int *fds, unsigned n);

/* Set the vnet header length (10 or 12) on every queue. */
int tap_set_vnet_hdr_len(struct tap *t, int len);

/* TUNSETOFFLOAD with TUN_F_* flags on every queue. */
int tap_set_offload(struct tap *t, unsigned flags);

/* Frames towards the guest (sent on the interface, read from the TAP)
 * pass only if their destination is one of macs[0..n), or multicast
 * with allmulti; the kernel drops the others before they are queued
 * (TUNSETTXFILTER, one filter for every queue).  n == 0: no filter.
 * It matches the first TAP_FILTER_EXACT addresses exactly and hashes
 * the multicast ones after them (a few more may pass); it cannot hold
 * a unicast one after them, so the filter is then off: all pass.  List
 * unicast addresses first.  0 or -errno. */
int tap_set_filter(struct tap *t, bool allmulti, const uint8_t (*macs)[6],
		   unsigned n);

/* Attach or detach queue i (IFF_ATTACH_QUEUE / IFF_DETACH_QUEUE). */
int tap_enable_queue(struct tap *t, unsigned i, bool on);

void tap_close(struct tap *t);

#endif
