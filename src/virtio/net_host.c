/* The TAP backend of virtio-net on an event loop (see net_host.h).
 * Every packet crosses the TAP with a 12-byte vnet header, so the
 * device's and the kernel's headers are the same bytes (no copy). */
#include "virtio/net_host.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include "net/tap.h"
#include "util/log.h"
#include "virtio/net_vhost.h"

struct vnet_host_q {
	struct vnet_host *h;
	unsigned pair;
	struct loop_source src;
	uint32_t events;
	bool dead;		/* the TAP failed: no longer polled */
};

struct vnet_host {
	struct tap tap;
	struct loop *loop;
	struct virtio_dev *dev;
	uint8_t mac[6];
	unsigned pairs;
	uint16_t queue_size;		/* ring entries */
	int kickfd;			/* reschedule eventfd */
	struct loop_source kick_src;
	uint32_t resched;		/* pairs to come back to */
	struct vnet_host_q q[TAP_MAX_QUEUES];
	struct vnet_vhost vhost;	/* the kernel's data path, if open */
};

static ssize_t host_send(void *opaque, unsigned pair, const struct iovec *iov,
			 unsigned n)
{
	struct vnet_host *h = opaque;
	ssize_t r = writev(h->tap.fds[pair], iov, (int)n);

	return r < 0 ? (errno == EWOULDBLOCK ? -EAGAIN : -errno) : r;
}

static ssize_t host_recv(void *opaque, unsigned pair, void *buf, size_t len)
{
	struct vnet_host *h = opaque;
	ssize_t r = read(h->tap.fds[pair], buf, len);

	return r < 0 ? (errno == EWOULDBLOCK ? -EAGAIN : -errno) : r;
}

static void host_watch(void *opaque, unsigned pair, bool rx, bool on)
{
	struct vnet_host *h = opaque;
	struct vnet_host_q *q = &h->q[pair];
	uint32_t bit = rx ? EPOLLIN : EPOLLOUT;
	uint32_t ev = on ? q->events | bit : q->events & ~bit;

	if (ev == q->events || !h->dev || q->dead)
		return;
	q->events = ev;
	loop_modify(h->loop, &q->src, ev);
}

static void host_reschedule(void *opaque, unsigned pair)
{
	struct vnet_host *h = opaque;
	uint64_t one = 1;

	__atomic_or_fetch(&h->resched, 1u << pair, __ATOMIC_RELAXED);
	if (write(h->kickfd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("%s: reschedule: %s", h->tap.ifname, strerror(errno));
}

static int host_offload(void *opaque, unsigned flags)
{
	struct vnet_host *h = opaque;
	int ret = tap_set_offload(&h->tap, flags);

	/* Kernels without UFO on TAPs: keep the rest. */
	if (ret && (flags & VNET_OFFLOAD_UFO))
		ret = tap_set_offload(&h->tap, flags & ~VNET_OFFLOAD_UFO);
	return ret;
}

static int host_pairs(void *opaque, unsigned pairs)
{
	struct vnet_host *h = opaque;
	unsigned k;
	int ret = 0;

	for (k = 0; k < h->pairs; k++)
		ret = tap_enable_queue(&h->tap, k, k < pairs) ?: ret;
	return ret;
}

/* The kernel drops what the guest's filter does not pass, for both data
 * paths, before the frame is queued (cheaper than reading it here). */
static int host_rx_filter(void *opaque, const struct vnet_rx_filter *f)
{
	struct vnet_host *h = opaque;

	return tap_set_filter(&h->tap, f->allmulti, f->mac, f->all ? 0 : f->n);
}

/* Called by the device with its lock held. */
static int host_datapath_start(void *opaque, struct virtio_dev *dev)
{
	struct vnet_host *h = opaque;

	return vnet_vhost_start(&h->vhost, dev, &h->tap);
}

static void host_datapath_stop(void *opaque, struct virtio_dev *dev)
{
	struct vnet_host *h = opaque;

	vnet_vhost_stop(&h->vhost, dev);
}

static void on_queue(struct loop_source *src, uint32_t events)
{
	struct vnet_host_q *q = src->opaque;
	struct vnet_host *h = q->h;

	if (events & (EPOLLERR | EPOLLHUP)) {
		/* The interface is gone (epoll reports that whatever we
		 * ask for): stop polling; the guest's packets are dropped. */
		log_warn("--net %s: TAP queue %u failed, no more traffic on it",
			 h->tap.ifname, q->pair);
		/* Under the lock host_watch() runs with (a vCPU's reset). */
		virtio_dev_lock(h->dev);
		loop_remove(h->loop, &q->src);
		q->dead = true;
		virtio_dev_unlock(h->dev);
		return;
	}
	if (events & EPOLLOUT)
		virtio_net_tx_ready(h->dev, q->pair);
	if (events & EPOLLIN)
		virtio_net_rx_ready(h->dev, q->pair);
}

static void on_kick(struct loop_source *src, uint32_t events)
{
	struct vnet_host *h = src->opaque;
	uint32_t pairs;
	uint64_t v;
	unsigned k;

	if (read(h->kickfd, &v, sizeof(v)) < 0)
		return;
	pairs = __atomic_exchange_n(&h->resched, 0, __ATOMIC_RELAXED);
	for (k = 0; k < h->pairs; k++)
		if (pairs & (1u << k))
			virtio_net_tx_ready(h->dev, k);
}

static int open_tap(struct vnet_host *h, const struct net_opts *o,
		    char *err, size_t errlen)
{
	int ret;

	if (o->nfds) {
		ret = tap_adopt(&h->tap, o->fds, o->nfds);
		if (ret)
			snprintf(err, errlen, "--net fd=%d...: %s", o->fd,
				 ret == -ENOTTY ? "not a TAP file descriptor"
				 : ret == -EPROTONOSUPPORT
				 ? "not a TAP with IFF_VNET_HDR and IFF_NO_PI"
				 : ret == -EXDEV ? "fds of different interfaces"
				 : strerror(-ret));
		return ret;
	}
	ret = tap_open(&h->tap, o->ifname, o->queues);
	if (ret)
		snprintf(err, errlen, "--net tap=%s: %s", o->ifname,
			 strerror(-ret));
	return ret;
}

int vnet_host_create(const struct net_opts *o, struct loop *loop,
		     struct vnet_host **out, char *err, size_t errlen)
{
	struct vnet_host *h = calloc(1, sizeof(*h));
	char why[160] = "vhost=off";
	int ret;

	if (!h)
		return -ENOMEM;
	h->loop = loop;
	h->kick_src.fd = -1;
	for (unsigned k = 0; k < TAP_MAX_QUEUES; k++)
		h->q[k] = (struct vnet_host_q){ h, k, { .fd = -1 }, 0, false };
	h->kickfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (h->kickfd < 0) {
		ret = -errno;
		snprintf(err, errlen, "--net: eventfd: %s", strerror(-ret));
		goto fail_free;
	}
	ret = open_tap(h, o, err, errlen);
	if (ret)
		goto fail_close;
	ret = tap_set_vnet_hdr_len(&h->tap, VIRTIO_NET_HDR_LEN) ?:
	      tap_set_offload(&h->tap, 0);
	if (ret) {
		snprintf(err, errlen, "--net %s: vnet header: %s",
			 h->tap.ifname, strerror(-ret));
		goto fail_tap;
	}
	/* An inherited TAP may keep its last user's filter. */
	ret = tap_set_filter(&h->tap, false, NULL, 0);
	if (ret) {
		snprintf(err, errlen, "--net %s: TUNSETTXFILTER: %s",
			 h->tap.ifname, strerror(-ret));
		goto fail_tap;
	}
	h->pairs = h->tap.nfds;
	ret = vnet_vhost_open(&h->vhost, o->vhost, h->pairs, h->tap.ifname,
			      NULL, NULL, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "--net %s: vhost=on: %s", h->tap.ifname,
			 why);
		goto fail_tap;
	}
	if (o->has_mac)
		memcpy(h->mac, o->mac, 6);
	else
		net_random_mac(h->mac);
	h->queue_size = o->queue_size ? (uint16_t)o->queue_size
				      : VIRTIO_NET_QUEUE_SIZE;
	if (h->vhost.opened)
		log_info("--net %s: %u queue pair(s), vhost-net data path, "
			 "%u-entry rings", h->tap.ifname, h->pairs,
			 h->queue_size);
	else
		log_info("--net %s: %u queue pair(s), userspace data path (%s), "
			 "%u-entry rings", h->tap.ifname, h->pairs, why,
			 h->queue_size);
	*out = h;
	return 0;
fail_tap:
	tap_close(&h->tap);
fail_close:
	close(h->kickfd);
fail_free:
	free(h);
	return ret;
}

void vnet_host_params(struct vnet_host *h, struct virtio_net_params *p)
{
	memcpy(p->mac, h->mac, 6);
	p->pairs = h->pairs;
	p->queue_size = h->queue_size;
	p->be = (struct virtio_net_backend){
		.send = host_send, .recv = host_recv, .watch = host_watch,
		.reschedule = host_reschedule, .set_offload = host_offload,
		.set_pairs = host_pairs, .datapath_start = host_datapath_start,
		.datapath_stop = host_datapath_stop,
		.set_rx_filter = host_rx_filter, .opaque = h,
	};
}

int vnet_host_attach(struct vnet_host *h, struct virtio_dev *dev)
{
	unsigned k;
	int ret;

	h->dev = dev;
	ret = loop_add(h->loop, &h->kick_src, h->kickfd, EPOLLIN, on_kick, h);
	for (k = 0; !ret && k < h->pairs; k++) {
		ret = loop_add(h->loop, &h->q[k].src, h->tap.fds[k], 0,
			       on_queue, &h->q[k]);
	}
	return ret;
}

void vnet_host_detach(struct vnet_host *h)
{
	unsigned k;

	if (h->dev && h->vhost.running) {
		/* Before the machine's RAM and eventfds go. */
		virtio_dev_lock(h->dev);
		vnet_vhost_stop(&h->vhost, h->dev);
		virtio_dev_unlock(h->dev);
	}
	loop_remove(h->loop, &h->kick_src);
	for (k = 0; k < h->pairs; k++) {
		loop_remove(h->loop, &h->q[k].src);
		h->q[k].events = 0;
	}
	h->resched = 0;
	h->dev = NULL;
}

void vnet_host_print_stats(struct vnet_host *h, unsigned nic, FILE *out)
{
	struct virtio_net_stats st;

	if (!h->dev)
		return;
	virtio_net_get_stats(h->dev, &st);
	fprintf(out,
		"vireo-vmm: stats: nic%u rx-packets=%llu rx-runs=%llu "
		"rx-irqs=%llu rx-full=%llu rx-budget-hits=%llu rx-dropped=%llu "
		"tx-packets=%llu tx-irqs=%llu tx-budget-hits=%llu\n",
		nic, (unsigned long long)st.rx_packets,
		(unsigned long long)st.rx_runs, (unsigned long long)st.rx_irqs,
		(unsigned long long)st.rx_full,
		(unsigned long long)st.rx_budget_hits,
		(unsigned long long)st.rx_dropped,
		(unsigned long long)st.tx_packets,
		(unsigned long long)st.tx_irqs,
		(unsigned long long)st.tx_budget_hits);
}

void vnet_host_destroy(struct vnet_host *h)
{
	if (!h)
		return;
	vnet_host_detach(h);
	vnet_vhost_close(&h->vhost);
	tap_close(&h->tap);
	close(h->kickfd);
	free(h);
}
