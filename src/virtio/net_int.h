/* Internals of virtio-net shared by net.c (queues) and net_ctrl.c (the
 * control queue and the receive filter). */
#ifndef VIREO_VIRTIO_NET_INT_H
#define VIREO_VIRTIO_NET_INT_H

#include "virtio/net.h"
#include "virtio/virtq.h"

/* Feature bits (virtio 1.2, 5.1.3). */
#define NET_F_CSUM		0
#define NET_F_GUEST_CSUM	1
#define NET_F_CTRL_GUEST_OFFLOADS 2
#define NET_F_MAC		5
#define NET_F_GUEST_TSO4	7
#define NET_F_GUEST_TSO6	8
#define NET_F_GUEST_ECN		9
#define NET_F_GUEST_UFO		10
#define NET_F_HOST_TSO4		11
#define NET_F_HOST_TSO6		12
#define NET_F_HOST_ECN		13
#define NET_F_HOST_UFO		14
#define NET_F_MRG_RXBUF		15
#define NET_F_STATUS		16
#define NET_F_CTRL_VQ		17
#define NET_F_CTRL_RX		18
#define NET_F_CTRL_RX_EXTRA	20
#define NET_F_GUEST_ANNOUNCE	21
#define NET_F_MQ		22
#define NET_F_CTRL_MAC_ADDR	23

#define NET_S_LINK_UP		1
#define NET_S_ANNOUNCE		2

#define NET_MAC_TABLE		64	/* entries per table */
#define RX_IOV			1024
#define RX_CHAINS		256
#define CHAIN_IOV		64

struct rx_chain {
	uint16_t head;
	unsigned iov, n;	/* slice of pair.iov */
	uint64_t bytes;
};

struct net_pair {
	uint8_t *pkt;		/* one pending received packet (bounded) */
	size_t pkt_len;		/* 0: none */
	bool rx_watched, tx_watched;
	unsigned nch, niov;	/* rx chains taken and not yet used */
	struct rx_chain ch[RX_CHAINS];
	struct iovec iov[RX_IOV];
};

struct net_filter {
	bool promisc, allmulti, alluni, nomulti, nouni, nobcast;
	bool uni_overflow, multi_overflow;
	unsigned nuni, nmulti;
	uint8_t uni[NET_MAC_TABLE][6], multi[NET_MAC_TABLE][6];
};

struct virtio_net {
	struct virtio_dev vdev;
	struct virtio_net_params p;	/* p.mac: the configured MAC */
	uint8_t mac[6];			/* the current one (CTRL_MAC_ADDR) */
	uint16_t status;
	unsigned active_pairs;
	bool offloaded;			/* data queues run in the backend */
	uint64_t guest_offloads;	/* GUEST_* feature bits in force */
	struct net_filter f;
	struct virtio_net_stats st;
	struct iovec *txiov;		/* RX_IOV entries: the chain */
	struct iovec *txsend;		/* RX_IOV + 1, inside txiov's block:
					 * the checked header, then the rest */
	struct net_pair pair[VIRTIO_NET_MAX_PAIRS];
};

static inline struct virtio_net *to_net(struct virtio_dev *dev)
{
	return (struct virtio_net *)dev;
}

/* net_ctrl.c */
void net_ctrl_serve(struct virtio_net *n);
void net_filter_reset(struct net_filter *f);
void net_filter_apply(struct virtio_net *n);
int net_apply_offloads(struct virtio_net *n, uint64_t offloads);
void net_set_pairs(struct virtio_net *n, unsigned pairs);

#endif
