/* virtio-net device model: configuration space, features, the receive
 * and transmit paths and the device life cycle (the control queue and
 * the receive filter are in net_ctrl.c).
 *
 * Trust boundary: descriptor chains come from the guest through the
 * queue walker; the header length, the chain lengths and directions and
 * the GSO fields the guest sets are checked here before anything reaches
 * the backend.  Received packets are bounded: at most one per queue pair
 * waits in the device, and the backend is not read while it waits. */
#include "virtio/net.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "virtio/net_int.h"

#define PKT_BUF		(VIRTIO_NET_HDR_LEN + VIRTIO_NET_MAX_PKT)
#define HDR_F_NEEDS_CSUM 1
#define GSO_NONE	0
#define GSO_TCPV4	1
#define GSO_UDP		3
#define GSO_TCPV6	4
#define GSO_ECN		0x80

/* Is the data path ours to serve now? */
static bool active(struct virtio_net *n)
{
	return (n->vdev.status & VIRTIO_STATUS_DRIVER_OK) &&
	       !n->vdev.broken && !n->vdev.resetting && !n->offloaded;
}

static void watch(struct virtio_net *n, unsigned k, bool rx, bool on)
{
	bool *w = rx ? &n->pair[k].rx_watched : &n->pair[k].tx_watched;

	if (*w != on && n->p.be.watch)
		n->p.be.watch(n->p.be.opaque, k, rx, on);
	*w = on;
}

/* ---- receive ---- */

/* Take chains until `need` bytes are available (one chain without
 * MRG_RXBUF): 1 enough, 0 the ring ran dry, -1 the packet cannot fit in
 * what we may hold, or the device broke. */
static int rx_gather(struct virtio_net *n, struct net_pair *pr,
		     struct virtq *vq, uint64_t need)
{
	uint64_t have = 0;
	struct virtq_chain c;
	struct rx_chain *rc;
	unsigned i;

	if (!virtio_has_feature(&n->vdev, NET_F_MRG_RXBUF))
		need = 1;
	for (i = 0; i < pr->nch; i++)
		have += pr->ch[i].bytes;
	while (have < need) {
		if (pr->nch == RX_CHAINS || RX_IOV - pr->niov < CHAIN_IOV)
			return -1;
		if (virtq_pop(vq, pr->iov + pr->niov, CHAIN_IOV, &c) <= 0)
			return n->vdev.broken ? -1 : 0;
		if (c.n_out) {
			virtio_dev_error(&n->vdev, "rx buffer %u is "
					 "device-readable", c.head);
			return -1;
		}
		if (c.in_bytes < VIRTIO_NET_HDR_LEN) {
			virtio_dev_error(&n->vdev, "rx buffer %u holds %llu "
					 "bytes, less than the header",
					 c.head, (unsigned long long)c.in_bytes);
			return -1;
		}
		rc = &pr->ch[pr->nch++];
		rc->head = c.head;
		rc->iov = pr->niov;
		rc->n = c.n_in;
		rc->bytes = c.in_bytes;
		pr->niov += c.n_in;
		have += c.in_bytes;
	}
	return 1;
}

/* Forget the first `used` cached chains. */
static void rx_consume(struct net_pair *pr, unsigned used)
{
	unsigned i, base = used < pr->nch ? pr->ch[used].iov : pr->niov;

	memmove(pr->iov, pr->iov + base,
		(pr->niov - base) * sizeof(pr->iov[0]));
	pr->niov -= base;
	for (i = used; i < pr->nch; i++) {
		pr->ch[i - used] = pr->ch[i];
		pr->ch[i - used].iov -= base;
	}
	pr->nch -= used;
}

/* Deliver the pending packet: 1 delivered or dropped, 0 waiting for
 * buffers. */
static int rx_deliver(struct virtio_net *n, unsigned k)
{
	struct net_pair *pr = &n->pair[k];
	struct virtq *vq = virtio_dev_queue(&n->vdev, 2 * k);
	bool mrg = virtio_has_feature(&n->vdev, NET_F_MRG_RXBUF);
	size_t off = 0, chunk;
	uint16_t nbuf = 0, le;
	int ret;

	ret = rx_gather(n, pr, vq, pr->pkt_len);
	if (!ret || n->vdev.broken)
		return 0;
	if (ret < 0 || (!mrg && pr->ch[0].bytes < pr->pkt_len)) {
		/* The guest's buffers cannot hold this packet. */
		n->st.rx_dropped++;
		pr->pkt_len = 0;
		return 1;
	}
	while (off < pr->pkt_len) {
		struct rx_chain *rc = &pr->ch[nbuf];

		chunk = pr->pkt_len - off;
		if (chunk > rc->bytes)
			chunk = rc->bytes;
		iov_from_buf(pr->iov + rc->iov, rc->n, 0, pr->pkt + off,
			     chunk);
		off += chunk;
		nbuf++;
	}
	le = htole16(nbuf);
	iov_from_buf(pr->iov + pr->ch[0].iov, pr->ch[0].n, 10, &le, 2);
	off = 0;
	for (unsigned i = 0; i < nbuf; i++) {
		chunk = pr->pkt_len - off < pr->ch[i].bytes
				? pr->pkt_len - off : pr->ch[i].bytes;
		virtq_push(vq, pr->ch[i].head, (uint32_t)chunk);
		off += chunk;
	}
	rx_consume(pr, nbuf);
	pr->pkt_len = 0;
	n->st.rx_packets++;
	return 1;
}

static void rx_serve(struct virtio_net *n, unsigned k)
{
	struct net_pair *pr = &n->pair[k];
	struct virtq *vq = virtio_dev_queue(&n->vdev, 2 * k);
	unsigned budget = n->p.tx_budget;
	uint64_t before = n->st.rx_packets;
	bool full = false;
	ssize_t got;

	while (active(n) && k < n->active_pairs && budget) {
		budget--;
		if (!pr->pkt_len) {
			got = n->p.be.recv(n->p.be.opaque, k, pr->pkt,
					   PKT_BUF);
			if (got < 0) {
				/* A broken backend: wait for a kick rather
				 * than spin on its error. */
				full = got != -EAGAIN;
				break;
			}
			if ((size_t)got <= VIRTIO_NET_HDR_LEN) {
				n->st.rx_filtered++;
				continue;
			}
			pr->pkt_len = (size_t)got;
		}
		if (!rx_deliver(n, k)) {
			full = true;
			break;
		}
	}
	/* Ring full: stop reading the backend until the guest kicks.  A
	 * spent budget leaves it watched: the loop comes back. */
	watch(n, k, true, active(n) && k < n->active_pairs && !full);
	n->st.rx_runs += n->st.rx_packets != before;
	n->st.rx_full += full;
	n->st.rx_budget_hits += !budget;
	n->st.rx_irqs += virtq_notify(vq);
}

/* ---- transmit ---- */

/* Is the guest's header one we negotiated?  (The backend sees it.) */
static bool tx_hdr_ok(struct virtio_net *n, const uint8_t *h)
{
	struct virtio_dev *d = &n->vdev;
	uint8_t gso = h[1] & ~GSO_ECN;

	if ((h[0] & HDR_F_NEEDS_CSUM) && !virtio_has_feature(d, NET_F_CSUM))
		return false;
	if ((h[1] & GSO_ECN) && !virtio_has_feature(d, NET_F_HOST_ECN))
		return false;
	switch (gso) {
	case GSO_NONE:
		return true;
	case GSO_TCPV4:
		return virtio_has_feature(d, NET_F_HOST_TSO4);
	case GSO_TCPV6:
		return virtio_has_feature(d, NET_F_HOST_TSO6);
	case GSO_UDP:
		return virtio_has_feature(d, NET_F_HOST_UFO);
	}
	return false;
}

/* One chain: 1 done, 0 backend full (chain given back), -1 broken. */
static int tx_one(struct virtio_net *n, unsigned k, struct virtq *vq)
{
	struct virtq_chain c;
	uint8_t hdr[VIRTIO_NET_HDR_LEN];
	ssize_t ret;
	int nsend;

	if (virtq_pop(vq, n->txiov, RX_IOV, &c) <= 0)
		return -1;
	if (c.n_in) {
		virtio_dev_error(&n->vdev, "tx chain %u has a device-writable "
				 "buffer", c.head);
		return -1;
	}
	if (c.out_bytes < VIRTIO_NET_HDR_LEN ||
	    c.out_bytes > VIRTIO_NET_HDR_LEN + VIRTIO_NET_MAX_PKT) {
		virtio_dev_error(&n->vdev, "tx chain %u is %llu bytes", c.head,
				 (unsigned long long)c.out_bytes);
		return -1;
	}
	/* Trust boundary: the header is copied once, checked, and the copy
	 * is what the backend sends; the guest may rewrite its own. */
	iov_to_buf(n->txiov, c.n_out, 0, hdr, sizeof(hdr));
	nsend = iov_slice(n->txiov, c.n_out, sizeof(hdr),
			  c.out_bytes - sizeof(hdr), n->txsend + 1, RX_IOV);
	if (!tx_hdr_ok(n, hdr)) {
		log_guest("%s: tx header asks for an offload not negotiated",
			  n->vdev.ops->name);
		ret = -EINVAL;
	} else if (nsend < 0) {	/* cannot be: the rest has fewer parts */
		ret = -EINVAL;
	} else {
		n->txsend[0].iov_base = hdr;
		n->txsend[0].iov_len = sizeof(hdr);
		ret = n->p.be.send(n->p.be.opaque, k, n->txsend, nsend + 1);
	}
	if (ret == -EAGAIN) {
		virtq_unpop(vq);
		return 0;
	}
	if (ret < 0)
		n->st.tx_dropped++;
	else
		n->st.tx_packets++;
	virtq_push(vq, c.head, 0);
	return 1;
}

static void tx_serve(struct virtio_net *n, unsigned k)
{
	struct virtq *vq = virtio_dev_queue(&n->vdev, 2 * k + 1);
	unsigned budget = n->p.tx_budget;
	int ret = -1;

	while (active(n) && k < n->active_pairs && budget) {
		ret = tx_one(n, k, vq);
		if (ret <= 0)
			break;
		budget--;
	}
	watch(n, k, false, ret == 0);
	if (!budget) {
		/* A flooding guest: let the loop serve others first. */
		n->st.tx_budget_hits++;
		if (n->p.be.reschedule)
			n->p.be.reschedule(n->p.be.opaque, k);
	}
	n->st.tx_irqs += virtq_notify(vq);
}

/* ---- entry points ---- */

void virtio_net_rx_ready(struct virtio_dev *dev, unsigned pair)
{
	struct virtio_net *n = to_net(dev);

	virtio_dev_lock(dev);
	if (pair < n->p.pairs)
		rx_serve(n, pair);
	virtio_dev_unlock(dev);
}

void virtio_net_tx_ready(struct virtio_dev *dev, unsigned pair)
{
	struct virtio_net *n = to_net(dev);

	virtio_dev_lock(dev);
	if (pair < n->p.pairs)
		tx_serve(n, pair);
	virtio_dev_unlock(dev);
}

static void net_notify(struct virtio_dev *dev, unsigned q)
{
	struct virtio_net *n = to_net(dev);

	if (q == 2 * n->p.pairs)
		net_ctrl_serve(n);
	else if (q & 1)
		tx_serve(n, q / 2);
	else
		rx_serve(n, q / 2);
}

static void net_config_read(struct virtio_dev *dev, uint32_t off, void *buf,
			    uint32_t len)
{
	struct virtio_net *n = to_net(dev);
	uint8_t cfg[10];

	memcpy(cfg, n->mac, 6);
	cfg[6] = (uint8_t)n->status;
	cfg[7] = (uint8_t)(n->status >> 8);
	cfg[8] = (uint8_t)n->p.pairs;
	cfg[9] = (uint8_t)(n->p.pairs >> 8);
	memcpy(buf, cfg + off, len);
}

static int net_validate(struct virtio_dev *dev, uint64_t f)
{
	/* Dependencies of 5.1.3.1: a driver must not accept these alone. */
	if ((f & (1ull << NET_F_GUEST_TSO4 | 1ull << NET_F_GUEST_TSO6 |
		  1ull << NET_F_GUEST_UFO)) && !(f & 1ull << NET_F_GUEST_CSUM))
		return -EINVAL;
	if ((f & (1ull << NET_F_HOST_TSO4 | 1ull << NET_F_HOST_TSO6 |
		  1ull << NET_F_HOST_UFO)) && !(f & 1ull << NET_F_CSUM))
		return -EINVAL;
	if ((f & (1ull << NET_F_CTRL_RX | 1ull << NET_F_MQ |
		  1ull << NET_F_GUEST_ANNOUNCE | 1ull << NET_F_CTRL_MAC_ADDR |
		  1ull << NET_F_CTRL_GUEST_OFFLOADS)) &&
	    !(f & 1ull << NET_F_CTRL_VQ))
		return -EINVAL;
	return 0;
}

static int net_activate(struct virtio_dev *dev)
{
	struct virtio_net *n = to_net(dev);
	uint64_t g = 1ull << NET_F_GUEST_CSUM | 1ull << NET_F_GUEST_TSO4 |
		     1ull << NET_F_GUEST_TSO6 | 1ull << NET_F_GUEST_ECN |
		     1ull << NET_F_GUEST_UFO;
	unsigned k;
	int ret;

	net_apply_offloads(n, dev->guest_features & g);
	net_set_pairs(n, 1);
	if (n->p.be.datapath_start) {
		ret = n->p.be.datapath_start(n->p.be.opaque, dev);
		if (ret < 0)
			return ret;
		n->offloaded = ret == 0;
	}
	for (k = 0; k < n->active_pairs && !n->offloaded; k++)
		watch(n, k, true, true);
	return 0;
}

static int net_reset(struct virtio_dev *dev)
{
	struct virtio_net *n = to_net(dev);
	unsigned k;

	if (n->offloaded)
		n->p.be.datapath_stop(n->p.be.opaque, dev);
	n->offloaded = false;
	for (k = 0; k < n->p.pairs; k++) {
		watch(n, k, true, false);
		watch(n, k, false, false);
		n->pair[k].pkt_len = 0;
		n->pair[k].nch = n->pair[k].niov = 0;
	}
	memcpy(n->mac, n->p.mac, 6);
	n->status &= ~NET_S_ANNOUNCE;
	net_filter_reset(&n->f);
	net_filter_apply(n);
	net_apply_offloads(n, 0);
	return 0;	/* sends are synchronous: nothing in flight */
}

static void net_destroy(struct virtio_dev *dev)
{
	struct virtio_net *n = to_net(dev);
	unsigned k;

	for (k = 0; k < n->p.pairs; k++)
		free(n->pair[k].pkt);
	free(n->txiov);
	virtio_dev_fini(dev);
	free(n);
}

static const struct virtio_device_ops net_ops = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.config_size = 10,
	.config_read = net_config_read,
	.validate_features = net_validate,
	.activate = net_activate,
	.notify = net_notify,
	.reset = net_reset,
	.destroy = net_destroy,
};

#define F(b) (1ull << (b))
static const uint64_t net_features =
	F(NET_F_CSUM) | F(NET_F_GUEST_CSUM) | F(NET_F_CTRL_GUEST_OFFLOADS) |
	F(NET_F_MAC) | F(NET_F_GUEST_TSO4) | F(NET_F_GUEST_TSO6) |
	F(NET_F_GUEST_ECN) | F(NET_F_GUEST_UFO) | F(NET_F_HOST_TSO4) |
	F(NET_F_HOST_TSO6) | F(NET_F_HOST_ECN) | F(NET_F_HOST_UFO) |
	F(NET_F_MRG_RXBUF) | F(NET_F_STATUS) | F(NET_F_CTRL_VQ) |
	F(NET_F_CTRL_RX) | F(NET_F_CTRL_RX_EXTRA) | F(NET_F_GUEST_ANNOUNCE) |
	F(NET_F_CTRL_MAC_ADDR);

int virtio_net_create(const struct gmem *mem,
		      const struct virtio_net_params *p,
		      struct virtio_dev **out)
{
	uint64_t features = net_features;
	struct virtio_net *n;
	unsigned k;
	int ret = -ENOMEM;

	if (!p->pairs || p->pairs > VIRTIO_NET_MAX_PAIRS || !p->be.send ||
	    !p->be.recv || (p->mac[0] & 1) ||
	    !p->be.datapath_start != !p->be.datapath_stop)
		return -EINVAL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->p = *p;
	if (!n->p.tx_budget)
		n->p.tx_budget = 256;
	n->txiov = calloc(2 * RX_IOV + 1, sizeof(*n->txiov));
	if (!n->txiov)
		goto fail;
	n->txsend = n->txiov + RX_IOV;
	for (k = 0; k < p->pairs; k++)
		if (!(n->pair[k].pkt = malloc(PKT_BUF)))
			goto fail;
	if (p->pairs > 1)
		features |= F(NET_F_MQ);
	ret = virtio_dev_init(&n->vdev, &net_ops, mem, 2 * p->pairs + 1,
			      p->queue_size ? p->queue_size
					    : VIRTIO_NET_QUEUE_SIZE,
			      features);
	if (ret)
		goto fail;
	memcpy(n->mac, p->mac, 6);
	n->status = NET_S_LINK_UP;
	n->active_pairs = 1;
	net_filter_reset(&n->f);
	*out = &n->vdev;
	return 0;
fail:
	for (k = 0; k < p->pairs; k++)
		free(n->pair[k].pkt);
	free(n->txiov);
	free(n);
	return ret;
}

void virtio_net_set_link(struct virtio_dev *dev, bool up)
{
	struct virtio_net *n = to_net(dev);

	virtio_dev_lock(dev);
	n->status = up ? n->status | NET_S_LINK_UP
		       : n->status & ~NET_S_LINK_UP;
	virtio_config_changed(dev);
	virtio_dev_unlock(dev);
}

void virtio_net_announce(struct virtio_dev *dev)
{
	struct virtio_net *n = to_net(dev);

	virtio_dev_lock(dev);
	if (virtio_has_feature(dev, NET_F_GUEST_ANNOUNCE)) {
		n->status |= NET_S_ANNOUNCE;
		virtio_config_changed(dev);
	}
	virtio_dev_unlock(dev);
}

void virtio_net_get_stats(struct virtio_dev *dev, struct virtio_net_stats *s)
{
	virtio_dev_lock(dev);
	*s = to_net(dev)->st;
	virtio_dev_unlock(dev);
}
