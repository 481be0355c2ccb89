/* The machine's virtio devices from the command line: one virtio-blk per
 * --disk (in command-line order, so in PCI slot order) over its
 * process-lifetime image, virtio-rng (--rng), virtio-balloon (--balloon)
 * and virtio-vsock (--vsock, on the process-lifetime vhost-vsock).  Owns what each needs on the main loop besides its kicks:
 * the block queues' completion eventfds, the rng's rate timer and the
 * balloon's statistics timer.  Rebuilt with the machine on every reset;
 * the images stay open (struct vmm holds them). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "block/block.h"
#include "util/log.h"
#include "virtio/balloon.h"
#include "virtio/blk_host.h"
#include "virtio/rng.h"
#include "virtio/vsock_host.h"
#include "vmm/machine.h"

#define DISK_QUEUE_SIZE		256
#define BALLOON_STATS_SEC	5

struct disk_queue {
	struct loop_source src;
	struct virtio_dev *dev;
	unsigned q;
	bool added;
};

struct machine_disk {
	struct vblk_host *host;
	struct virtio_dev *dev;		/* owned by the PCI function */
	struct disk_queue *qs;
	unsigned nq;
};

struct machine_devs {
	struct loop *loop;
	struct machine_disk *disks;
	unsigned ndisks;
	struct virtio_dev *rng;
	int rng_tfd;
	struct loop_source rng_src;
	struct virtio_dev *balloon;
	struct virtio_dev *vsock;	/* owned by the PCI function */
	int balloon_tfd;
	struct loop_source balloon_src;
	uint64_t balloon_actual;	/* last logged */
};

/* machine_add_virtio, destroying dev if that fails. */
static int attach(struct machine *m, struct virtio_dev *dev)
{
	int ret = machine_add_virtio(m, dev, NULL);

	if (ret)
		virtio_dev_destroy(dev);
	return ret;
}

static int timer_new(int *fd)
{
	*fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	return *fd < 0 ? -errno : 0;
}

static void on_disk_done(struct loop_source *src, uint32_t events)
{
	struct disk_queue *dq = (struct disk_queue *)src;

	(void)events;
	virtio_blk_poll(dq->dev, dq->q);
}

static int disk_queues(const struct machine_config *cfg,
		       const struct blk_image *img)
{
	unsigned n = blk_options(img)->queues;

	if (!n)
		n = cfg->cpus;
	if (n > VIRTIO_MAX_QUEUES)
		n = VIRTIO_MAX_QUEUES;
	return (int)n;
}

static int disk_create(struct machine *m, struct machine_disk *d,
		       struct blk_image *img, unsigned nq)
{
	struct virtio_blk_params p;
	struct virtio_dev *dev;
	unsigned q;
	int ret;

	ret = vblk_host_create(img, nq, DISK_QUEUE_SIZE, &d->host);
	if (ret)
		return ret;
	vblk_host_params(img, d->host, &p);
	p.num_queues = nq;
	p.queue_size = DISK_QUEUE_SIZE;
	ret = virtio_blk_create(vm_mem(m->vm), &p, &dev);
	ret = ret ?: attach(m, dev);
	if (ret)
		return ret;
	d->dev = dev;
	d->qs = calloc(nq, sizeof(*d->qs));
	if (!d->qs)
		return -ENOMEM;
	d->nq = nq;
	for (q = 0; q < nq; q++) {
		d->qs[q].dev = dev;
		d->qs[q].q = q;
		ret = loop_add(m->loop, &d->qs[q].src,
			       vblk_host_eventfd(d->host, q), EPOLLIN,
			       on_disk_done, &d->qs[q]);
		if (ret)
			return ret;
		d->qs[q].added = true;
	}
	return 0;
}

static int add_disks(struct machine *m, const struct machine_config *cfg)
{
	struct machine_devs *md = m->devs;
	unsigned i;
	int ret;

	md->disks = calloc(cfg->ndisks ? cfg->ndisks : 1, sizeof(*md->disks));
	if (!md->disks)
		return -ENOMEM;
	for (i = 0; i < cfg->ndisks; i++) {
		struct blk_image *img = cfg->disks[i];
		int nq = disk_queues(cfg, img);

		md->ndisks = i + 1;
		ret = disk_create(m, &md->disks[i], img, (unsigned)nq);
		if (ret) {
			log_error("--disk %s: cannot attach it: %s",
				  blk_path(img), strerror(-ret));
			return ret;
		}
		log_info("disk %s: virtio-blk, %d queue%s of %u, engine %s",
			 blk_path(img), nq, nq > 1 ? "s" : "", DISK_QUEUE_SIZE,
			 blk_engine_name(blk_engine(img)));
	}
	return 0;
}

static int timer_arm(int fd, uint64_t ns, uint64_t interval_ns)
{
	struct itimerspec its = {
		.it_value = { (time_t)(ns / 1000000000u),
			      (long)(ns % 1000000000u) },
		.it_interval = { (time_t)(interval_ns / 1000000000u),
				 (long)(interval_ns % 1000000000u) },
	};

	if (!ns && !interval_ns)
		its.it_value.tv_nsec = 1;	/* 0 would disarm */
	return timerfd_settime(fd, 0, &its, NULL) ? -errno : 0;
}

static void timer_ack(int fd)
{
	uint64_t n;

	if (read(fd, &n, sizeof(n)) < 0)
		return;	/* spurious: nothing to do */
}

/* Called with the rng's lock held, on the main loop or a vCPU. */
static void rng_arm(void *opaque, uint64_t ns)
{
	struct machine_devs *md = opaque;
	int ret = timer_arm(md->rng_tfd, ns, 0);

	if (ret)
		log_error("virtio-rng: cannot arm its timer: %s",
			  strerror(-ret));
}

static void on_rng_timer(struct loop_source *src, uint32_t events)
{
	struct machine_devs *md = src->opaque;

	(void)events;
	timer_ack(md->rng_tfd);
	virtio_rng_timer(md->rng);
}

static int add_rng(struct machine *m, const struct machine_config *cfg)
{
	struct machine_devs *md = m->devs;
	struct virtio_rng_params p = {
		.bytes_per_sec = cfg->rng_rate, .arm_timer = rng_arm,
		.timer_opaque = md,
	};
	struct virtio_dev *dev;
	int ret;

	ret = timer_new(&md->rng_tfd);
	ret = ret ?: virtio_rng_create(vm_mem(m->vm), &p, &dev);
	ret = ret ?: attach(m, dev);
	if (ret)
		return ret;
	md->rng = dev;
	return loop_add(m->loop, &md->rng_src, md->rng_tfd, EPOLLIN,
			on_rng_timer, md);
}

static void on_balloon_timer(struct loop_source *src, uint32_t events)
{
	struct machine_devs *md = src->opaque;
	uint64_t actual;

	(void)events;
	timer_ack(md->balloon_tfd);
	/* -EAGAIN: no buffer yet, or the last request is unanswered. */
	virtio_balloon_request_stats(md->balloon);
	actual = virtio_balloon_actual(md->balloon);
	if (actual != md->balloon_actual) {
		md->balloon_actual = actual;
		log_info("balloon: guest memory %llu MiB (target %llu MiB, "
			 "%llu MiB discarded)",
			 (unsigned long long)(actual >> 20),
			 (unsigned long long)(virtio_balloon_target(md->balloon)
					      >> 20),
			 (unsigned long long)(virtio_balloon_discarded(
						     md->balloon) >> 20));
	}
}

static int add_balloon(struct machine *m, const struct machine_config *cfg)
{
	struct machine_devs *md = m->devs;
	struct virtio_balloon_params p = {
		.deflate_on_oom = cfg->balloon_deflate_on_oom,
		.free_page_reporting = cfg->balloon_reporting,
		.target = cfg->balloon_target,
		.host = virtio_balloon_gmem_host(vm_mem(m->vm)),
	};
	struct virtio_dev *dev;
	int ret;

	ret = timer_new(&md->balloon_tfd);
	ret = ret ?: virtio_balloon_create(vm_mem(m->vm), &p, &dev);
	ret = ret ?: attach(m, dev);
	if (ret)
		return ret;
	md->balloon = dev;
	md->balloon_actual = virtio_balloon_actual(dev);
	ret = loop_add(m->loop, &md->balloon_src, md->balloon_tfd, EPOLLIN,
		       on_balloon_timer, md);
	return ret ?: timer_arm(md->balloon_tfd, BALLOON_STATS_SEC * 1000000000ull,
				BALLOON_STATS_SEC * 1000000000ull);
}

static int add_vsock(struct machine *m, const struct machine_config *cfg)
{
	struct virtio_vsock_params p;
	struct virtio_dev *dev;
	int ret;

	vsock_host_params(cfg->vsock, &p);
	ret = virtio_vsock_create(vm_mem(m->vm), &p, &dev);
	ret = ret ?: attach(m, dev);
	if (!ret)
		m->devs->vsock = dev;
	if (!ret)
		log_info("vsock: guest CID %llu, data path vhost-vsock",
			 (unsigned long long)p.guest_cid);
	return ret;
}

int machine_virtio_create(struct machine *m, const struct machine_config *cfg)
{
	struct machine_devs *md = calloc(1, sizeof(*md));
	int ret;

	if (!md)
		return -ENOMEM;
	md->loop = m->loop;
	md->rng_tfd = md->balloon_tfd = -1;
	md->rng_src.fd = md->balloon_src.fd = -1;
	m->devs = md;
	ret = add_disks(m, cfg);
	if (!ret && cfg->rng) {
		ret = add_rng(m, cfg);
		if (ret)
			log_error("--rng: cannot create the device: %s",
				  strerror(-ret));
	}
	if (!ret && cfg->balloon) {
		ret = add_balloon(m, cfg);
		if (ret)
			log_error("--balloon: cannot create the device: %s",
				  strerror(-ret));
	}
	if (!ret && cfg->vsock) {
		ret = add_vsock(m, cfg);
		if (ret)
			log_error("--vsock: cannot create the device: %s",
				  strerror(-ret));
	}
	return ret;
}

struct virtio_dev *machine_balloon(struct machine *m)
{
	return m->devs ? m->devs->balloon : NULL;
}

/* Before the PCI functions (and so the devices) are destroyed. */
void machine_virtio_stop(struct machine *m)
{
	struct machine_devs *md = m->devs;
	unsigned i, q;

	if (!md)
		return;
	for (i = 0; i < md->ndisks; i++)
		for (q = 0; q < md->disks[i].nq; q++)
			if (md->disks[i].qs[q].added)
				loop_remove(md->loop, &md->disks[i].qs[q].src);
	if (md->rng_src.fd >= 0)
		loop_remove(md->loop, &md->rng_src);
	if (md->balloon_src.fd >= 0)
		loop_remove(md->loop, &md->balloon_src);
	md->rng_src.fd = md->balloon_src.fd = -1;
	/* vhost-vsock hands the queues' eventfds back to the transport:
	 * while that is whole. */
	if (md->vsock)
		virtio_vsock_quiesce(md->vsock);
	/* Disarm: the rng may still call rng_arm while it is torn down. */
	if (md->rng_tfd >= 0)
		timerfd_settime(md->rng_tfd, 0, &(struct itimerspec){ 0 },
				NULL);
}

static void print_balloon_stats(struct virtio_dev *dev, FILE *out)
{
	struct virtio_balloon_counters n;

	virtio_balloon_get_counters(dev, &n);
	fprintf(out, "vireo-vmm: stats: balloon reports=%llu report-ranges=%llu "
		"reported-kib=%llu discards=%llu discarded-kib=%llu\n",
		(unsigned long long)n.reports,
		(unsigned long long)n.report_ranges,
		(unsigned long long)(n.report_bytes >> 10),
		(unsigned long long)n.discards,
		(unsigned long long)(n.discarded >> 10));
}

void machine_virtio_print_stats(struct machine *m, FILE *out)
{
	struct virtio_blk_stats st;
	unsigned i;

	if (m->devs && m->devs->balloon)
		print_balloon_stats(m->devs->balloon, out);

	for (i = 0; m->devs && i < m->devs->ndisks; i++) {
		if (!m->devs->disks[i].dev)
			continue;
		virtio_blk_get_stats(m->devs->disks[i].dev, &st);
		fprintf(out, "vireo-vmm: stats: disk%u requests=%llu runs=%llu "
			"max-run=%llu completions=%llu polls=%llu\n", i,
			(unsigned long long)st.requests,
			(unsigned long long)st.runs,
			(unsigned long long)st.max_run,
			(unsigned long long)st.completions,
			(unsigned long long)st.polls);
	}
}

/* After the devices: their backends and timers. */
void machine_virtio_free(struct machine *m)
{
	struct machine_devs *md = m->devs;
	unsigned i;

	if (!md)
		return;
	for (i = 0; i < md->ndisks; i++) {
		vblk_host_destroy(md->disks[i].host);
		free(md->disks[i].qs);
	}
	free(md->disks);
	if (md->rng_tfd >= 0)
		close(md->rng_tfd);
	if (md->balloon_tfd >= 0)
		close(md->balloon_tfd);
	free(md);
	m->devs = NULL;
}
