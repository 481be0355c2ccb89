/* virtio-net control queue (virtio 1.2, 5.1.6.5): receive modes, MAC
 * tables and address, announce acknowledgement, queue pairs, guest
 * offloads; and the receive filter those commands program, which the
 * backend applies (net.h, set_rx_filter: a TAP's TUNSETTXFILTER).
 *
 * Trust boundary: a command is read from the guest's chain piece by
 * piece with bounds checks (no copy larger than the fixed tables); a
 * malformed or unknown command is answered VIRTIO_NET_ERR, a chain with
 * no room for the ack byte breaks the device. */
#include <endian.h>
#include <string.h>

#include "util/log.h"
#include "virtio/net_int.h"

#define OK	0
#define ERR	1

enum { CLASS_RX, CLASS_MAC, CLASS_VLAN, CLASS_ANNOUNCE, CLASS_MQ,
       CLASS_GUEST_OFFLOADS };

#define CTRL_IOV 64

struct cmd {
	const struct iovec *iov;
	unsigned n;
	uint64_t len;	/* bytes after class and command */
};

static bool cmd_read(const struct cmd *c, uint64_t off, void *buf,
		     size_t len)
{
	if (off > c->len || len > c->len - off)
		return false;
	return iov_to_buf(c->iov, c->n, 2 + off, buf, len) == len;
}

void net_filter_reset(struct net_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->promisc = true;	/* a TAP port sees the bridge's traffic */
}

/* The list holds the MAC, broadcast and both tables in full. */
_Static_assert(VNET_FILTER_MAX >= 2 + 2 * NET_MAC_TABLE,
	       "VNET_FILTER_MAX below what filter_build may add");

static void filter_add(struct vnet_rx_filter *r, const uint8_t *mac)
{
	memcpy(r->mac[r->n++], mac, 6);
}

/* n->f as the backend applies it: unicast destinations first (the
 * current MAC, the unicast table), then broadcast and the multicast
 * table.  A mode it cannot express as a list passes everything. */
static void filter_build(const struct virtio_net *n, struct vnet_rx_filter *r)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const struct net_filter *f = &n->f;
	unsigned i;

	r->n = 0;
	r->allmulti = !f->nomulti && (f->allmulti || f->multi_overflow);
	r->all = f->promisc || (!f->nouni && (f->alluni || f->uni_overflow));
	if (r->all)
		return;
	if (!f->nouni) {
		filter_add(r, n->mac);
		for (i = 0; i < f->nuni; i++)
			filter_add(r, f->uni[i]);
	}
	if (!f->nobcast)
		filter_add(r, bcast);
	for (i = 0; i < f->nmulti && !f->nomulti; i++)
		filter_add(r, f->multi[i]);
	/* An empty list is no filter for a TAP: nothing is the one set
	 * of frames it cannot keep out. */
	r->all = !r->n;
}

void net_filter_apply(struct virtio_net *n)
{
	struct vnet_rx_filter r;
	int ret;

	if (!n->p.be.set_rx_filter)
		return;
	filter_build(n, &r);
	ret = n->p.be.set_rx_filter(n->p.be.opaque, &r);
	if (!ret || r.all)
		return;
	/* Reached from the guest's commands: rate-limited.  Better every
	 * frame than an old, narrower filter. */
	log_guest("%s: receive filter: %s; none instead", n->vdev.ops->name,
		  strerror(-ret));
	r.all = true;
	n->p.be.set_rx_filter(n->p.be.opaque, &r);
}

int net_apply_offloads(struct virtio_net *n, uint64_t g)
{
	unsigned fl = 0;

	if (g & 1ull << NET_F_GUEST_CSUM)
		fl |= VNET_OFFLOAD_CSUM;
	if (g & 1ull << NET_F_GUEST_TSO4)
		fl |= VNET_OFFLOAD_TSO4;
	if (g & 1ull << NET_F_GUEST_TSO6)
		fl |= VNET_OFFLOAD_TSO6;
	if (g & 1ull << NET_F_GUEST_ECN)
		fl |= VNET_OFFLOAD_ECN;
	if (g & 1ull << NET_F_GUEST_UFO)
		fl |= VNET_OFFLOAD_UFO;
	n->guest_offloads = g;
	if (!n->p.be.set_offload)
		return 0;
	return n->p.be.set_offload(n->p.be.opaque, fl);
}

void net_set_pairs(struct virtio_net *n, unsigned pairs)
{
	n->active_pairs = pairs;
	if (n->p.be.set_pairs)
		n->p.be.set_pairs(n->p.be.opaque, pairs);
}

static int ctrl_rx(struct virtio_net *n, uint8_t cmd, const struct cmd *c)
{
	bool *mode[] = { &n->f.promisc, &n->f.allmulti, &n->f.alluni,
			 &n->f.nomulti, &n->f.nouni, &n->f.nobcast };
	uint8_t on;

	if (!virtio_has_feature(&n->vdev, NET_F_CTRL_RX) || cmd >= 6 ||
	    (cmd >= 2 && !virtio_has_feature(&n->vdev, NET_F_CTRL_RX_EXTRA)) ||
	    c->len != 1 || !cmd_read(c, 0, &on, 1))
		return ERR;
	*mode[cmd] = on != 0;
	net_filter_apply(n);
	return OK;
}

/* One table {le32 entries; mac[entries]} at *off; advances *off. */
static int mac_table(const struct cmd *c, uint64_t *off, uint8_t (*t)[6],
		     unsigned *nt, bool *overflow)
{
	uint32_t entries;
	unsigned i;

	if (!cmd_read(c, *off, &entries, 4))
		return ERR;
	entries = le32toh(entries);
	if (entries > (c->len - *off - 4) / 6)
		return ERR;
	*overflow = entries > NET_MAC_TABLE;
	*nt = *overflow ? 0 : entries;
	for (i = 0; i < *nt; i++)
		cmd_read(c, *off + 4 + 6ull * i, t[i], 6);
	*off += 4 + 6ull * entries;
	return OK;
}

static int ctrl_mac(struct virtio_net *n, uint8_t cmd, const struct cmd *c)
{
	struct net_filter f = n->f;
	uint64_t off = 0;
	uint8_t mac[6];

	if (cmd == 1) {	/* ADDR_SET */
		if (!virtio_has_feature(&n->vdev, NET_F_CTRL_MAC_ADDR) ||
		    c->len != 6 || !cmd_read(c, 0, mac, 6))
			return ERR;
		memcpy(n->mac, mac, 6);
		net_filter_apply(n);
		return OK;
	}
	if (cmd != 0 || !virtio_has_feature(&n->vdev, NET_F_CTRL_RX))
		return ERR;
	if (mac_table(c, &off, f.uni, &f.nuni, &f.uni_overflow) ||
	    mac_table(c, &off, f.multi, &f.nmulti, &f.multi_overflow) ||
	    off != c->len)
		return ERR;
	n->f = f;
	net_filter_apply(n);
	return OK;
}

static int ctrl_mq(struct virtio_net *n, uint8_t cmd, const struct cmd *c)
{
	uint16_t pairs;

	if (!virtio_has_feature(&n->vdev, NET_F_MQ) || cmd != 0 ||
	    c->len != 2 || !cmd_read(c, 0, &pairs, 2))
		return ERR;
	pairs = le16toh(pairs);
	if (!pairs || pairs > n->p.pairs)
		return ERR;
	net_set_pairs(n, pairs);
	return OK;
}

static int ctrl_offloads(struct virtio_net *n, uint8_t cmd,
			 const struct cmd *c)
{
	uint64_t g = 1ull << NET_F_GUEST_CSUM | 1ull << NET_F_GUEST_TSO4 |
		     1ull << NET_F_GUEST_TSO6 | 1ull << NET_F_GUEST_ECN |
		     1ull << NET_F_GUEST_UFO;
	uint64_t want;

	if (!virtio_has_feature(&n->vdev, NET_F_CTRL_GUEST_OFFLOADS) ||
	    cmd != 0 || c->len != 8 || !cmd_read(c, 0, &want, 8))
		return ERR;
	want = le64toh(want);
	/* Only offloads negotiated, and only GUEST_* ones. */
	if (want & ~(n->vdev.guest_features & g))
		return ERR;
	return net_apply_offloads(n, want) ? ERR : OK;
}

static int ctrl_dispatch(struct virtio_net *n, uint8_t cls, uint8_t cmd,
			 const struct cmd *c)
{
	switch (cls) {
	case CLASS_RX:
		return ctrl_rx(n, cmd, c);
	case CLASS_MAC:
		return ctrl_mac(n, cmd, c);
	case CLASS_ANNOUNCE:
		if (cmd != 0 || c->len ||
		    !virtio_has_feature(&n->vdev, NET_F_GUEST_ANNOUNCE))
			return ERR;
		n->status &= ~NET_S_ANNOUNCE;
		return OK;
	case CLASS_MQ:
		return ctrl_mq(n, cmd, c);
	case CLASS_GUEST_OFFLOADS:
		return ctrl_offloads(n, cmd, c);
	}
	log_guest("%s: unknown control class %u", n->vdev.ops->name, cls);
	return ERR;
}

static void rx_kick_all(struct virtio_net *n)
{
	unsigned k;

	/* Pairs switched on by MQ start reading their backend. */
	for (k = 0; k < n->p.pairs; k++)
		if (n->p.be.watch && k < n->active_pairs &&
		    !n->pair[k].rx_watched && !n->pair[k].pkt_len) {
			n->pair[k].rx_watched = true;
			n->p.be.watch(n->p.be.opaque, k, true, true);
		}
}

void net_ctrl_serve(struct virtio_net *n)
{
	struct virtq *vq = virtio_dev_queue(&n->vdev, 2 * n->p.pairs);
	struct iovec iov[CTRL_IOV];
	struct virtq_chain ch;
	uint8_t hd[2], ack;
	struct cmd c;

	while (virtq_pop(vq, iov, CTRL_IOV, &ch) > 0) {
		if (!ch.in_bytes) {
			virtio_dev_error(&n->vdev, "control command %u has "
					 "no room for the ack", ch.head);
			break;
		}
		c = (struct cmd){ iov, ch.n_out, 0 };
		if (ch.out_bytes < 2) {
			log_guest("%s: control command of %llu bytes",
				  n->vdev.ops->name,
				  (unsigned long long)ch.out_bytes);
			ack = ERR;
		} else {
			c.len = ch.out_bytes - 2;
			iov_to_buf(iov, ch.n_out, 0, hd, 2);
			ack = (uint8_t)ctrl_dispatch(n, hd[0], hd[1], &c);
		}
		iov_from_buf(iov + ch.n_out, ch.n_in, ch.in_bytes - 1, &ack, 1);
		virtq_push(vq, ch.head, 1);
	}
	rx_kick_all(n);
	virtq_notify(vq);
}
