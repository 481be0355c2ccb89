/* virtio-balloon device model: owns the configuration space (num_pages,
 * actual, poison_val), the inflate/deflate PFN lists, the statistics
 * buffer the guest lends us, and free page reports.
 *
 * Trust boundary: every PFN list, statistics buffer and reported range
 * comes from the guest.  A chain is checked whole before anything is
 * done with it: each PFN must name a 4 KiB page inside RAM (not past
 * its end, not in the MMIO hole), a list must be whole 32-bit entries
 * and at most PFN_BYTES_MAX long, a reported range must be 4 KiB
 * aligned.  Any violation breaks the device (NEEDS_RESET) and nothing of
 * that chain is discarded.
 *
 * A checked list is sorted (it is our copy) and each run of adjacent
 * pages becomes one host call, whatever order the guest listed them in:
 * Linux 6.1 lists an inflate mostly in descending order (fill_balloon()
 * pops its pages LIFO), so merging only ascending neighbours cost one
 * madvise per page. */
#include "virtio/balloon.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "virtio/virtq.h"

#define PAGE		((uint64_t)VIRTIO_BALLOON_PAGE)
#define PAGE_SHIFT	12
#define PFN_BYTES_MAX	65536u	/* per chain; Linux sends 1 KiB */
#define STAT_BYTES	10u	/* le16 tag, le64 value, packed */
#define STATS_BYTES_MAX	1024u
#define MAX_IOV		64	/* Linux reports at most 32 ranges */
#define CFG_SIZE	16u
/* Config offsets (le32 each). */
#define CFG_NUM_PAGES	0
#define CFG_ACTUAL	4
#define CFG_POISON	12

enum role { ROLE_NONE, ROLE_INFLATE, ROLE_DEFLATE, ROLE_STATS, ROLE_REPORT };

struct virtio_balloon {
	struct virtio_dev vdev;
	struct virtio_balloon_params p;
	uint8_t cfg[CFG_SIZE];		/* as the driver sees it (LE) */
	struct virtio_balloon_counters n;
	struct virtio_balloon_stats stats;
	bool stats_held;		/* the guest's buffer is ours */
	uint16_t stats_head;
	uint32_t pfns[PFN_BYTES_MAX / 4];	/* one list, copied out */
};

/* A run of contiguous guest-physical bytes being collected. */
struct run {
	uint64_t gpa, len;
};

static struct virtio_balloon *to_b(struct virtio_dev *dev)
{
	return (struct virtio_balloon *)dev;
}

static uint32_t cfg_get(const struct virtio_balloon *b, unsigned off)
{
	uint32_t v;

	memcpy(&v, b->cfg + off, 4);
	return le32toh(v);
}

static void cfg_set(struct virtio_balloon *b, unsigned off, uint32_t val)
{
	uint32_t v = htole32(val);

	memcpy(b->cfg + off, &v, 4);
}

static enum role role_of(const struct virtio_balloon *b, unsigned q)
{
	bool stats = virtio_has_feature(&b->vdev, VIRTIO_BALLOON_F_STATS_VQ);
	bool report = virtio_has_feature(&b->vdev, VIRTIO_BALLOON_F_REPORTING);

	if (q < 2)
		return q ? ROLE_DEFLATE : ROLE_INFLATE;
	if (q == 2 && stats)
		return ROLE_STATS;
	if (q == 2u + stats && report)
		return ROLE_REPORT;
	return ROLE_NONE;
}

static void do_range(struct virtio_balloon *b, bool discard, uint64_t gpa,
		     uint64_t len)
{
	const struct virtio_balloon_host *h = &b->p.host;
	int ret;

	if (!len)
		return;
	if (!discard) {
		if (h->populate)
			h->populate(h->opaque, gpa, len);
		return;
	}
	ret = h->discard(h->opaque, gpa, len);
	b->n.discards++;
	if (ret)
		log_guest("virtio-balloon: discarding %#llx+%#llx failed: %d",
			 (unsigned long long)gpa, (unsigned long long)len, ret);
	else
		b->n.discarded += len;
}

/* Add [gpa, gpa+len) to the run, flushing it first if not adjacent or
 * if the grown run would leave one RAM region (gmem_ptr() and the host
 * take ranges inside one region). */
static void run_add(struct virtio_balloon *b, bool discard, struct run *r,
		    uint64_t gpa, uint64_t len)
{
	if (r->len && r->gpa + r->len == gpa &&
	    gmem_ptr(b->vdev.mem, r->gpa, r->len + len)) {
		r->len += len;
		return;
	}
	do_range(b, discard, r->gpa, r->len);
	r->gpa = gpa;
	r->len = len;
}

/* Check every PFN of the list (copied out of the guest once and turned
 * to host order, so what is acted on is what was checked); 0, or
 * -EINVAL at the first bad one. */
static int check_pfns(struct virtio_balloon *b, uint32_t *pfn, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		pfn[i] = le32toh(pfn[i]);
		if (!gmem_ptr(b->vdev.mem, (uint64_t)pfn[i] << PAGE_SHIFT,
			      PAGE)) {
			virtio_dev_error(&b->vdev, "PFN %#x is not in RAM",
					 pfn[i]);
			return -EINVAL;
		}
	}
	return 0;
}

static int cmp_pfn(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Discard (inflate) or populate (deflate) the checked PFNs: sorted, so
 * each run of adjacent pages is one host call; a page listed twice is
 * acted on (and counted) once. */
static void act_pfns(struct virtio_balloon *b, uint32_t *pfn, unsigned n,
		     bool inflate)
{
	struct run r = { 0, 0 };
	uint64_t gpa;
	unsigned i;

	qsort(pfn, n, sizeof(*pfn), cmp_pfn);
	for (i = 0; i < n; i++) {
		gpa = (uint64_t)pfn[i] << PAGE_SHIFT;
		if (r.len && gpa < r.gpa + r.len)
			continue;	/* a duplicate */
		run_add(b, inflate, &r, gpa, PAGE);
	}
	do_range(b, inflate, r.gpa, r.len);
}

/* Inflate or deflate queue: chains of device-readable le32 PFNs. */
static void serve_pfns(struct virtio_balloon *b, struct virtq *vq,
		       bool inflate)
{
	struct iovec iov[MAX_IOV];
	struct virtq_chain c;
	unsigned n;

	while (virtq_pop(vq, iov, MAX_IOV, &c) > 0) {
		/* Trust boundary: the list's shape and every PFN. */
		if (c.n_in || c.out_bytes % 4 || c.out_bytes > PFN_BYTES_MAX) {
			virtio_dev_error(&b->vdev, "%s list %u: %llu bytes, "
					 "%u writable buffers", inflate ?
					 "inflate" : "deflate", c.head,
					 (unsigned long long)c.out_bytes,
					 c.n_in);
			return;
		}
		n = (unsigned)(iov_to_buf(iov, c.n_out, 0, b->pfns,
					  c.out_bytes) / 4);
		if (check_pfns(b, b->pfns, n))
			return;
		act_pfns(b, b->pfns, n, inflate);
		virtq_push(vq, c.head, 0);
	}
	virtq_notify(vq);
}

static void parse_stats(struct virtio_balloon *b, const struct iovec *iov,
			unsigned n, uint64_t bytes)
{
	uint8_t buf[STATS_BYTES_MAX];
	uint16_t tag;
	uint64_t val;
	size_t got, i;

	got = iov_to_buf(iov, n, 0, buf, bytes);
	for (i = 0; i + STAT_BYTES <= got; i += STAT_BYTES) {
		memcpy(&tag, buf + i, 2);
		memcpy(&val, buf + i + 2, 8);
		tag = le16toh(tag);
		if (tag >= VIRTIO_BALLOON_S_NR)
			continue;	/* newer than we know */
		b->stats.stat[tag] = le64toh(val);
		b->stats.valid |= 1u << tag;
	}
	b->stats.updates++;
}

/* Statistics queue: the guest lends one buffer of (tag, value) entries;
 * we keep it until virtio_balloon_request_stats() returns it. */
static void serve_stats(struct virtio_balloon *b, struct virtq *vq)
{
	struct iovec iov[MAX_IOV];
	struct virtq_chain c;

	while (virtq_pop(vq, iov, MAX_IOV, &c) > 0) {
		/* Trust boundary: whole entries, bounded, read-only. */
		if (c.n_in || c.out_bytes % STAT_BYTES ||
		    c.out_bytes > STATS_BYTES_MAX) {
			virtio_dev_error(&b->vdev, "statistics buffer %u: "
					 "%llu bytes, %u writable buffers",
					 c.head,
					 (unsigned long long)c.out_bytes,
					 c.n_in);
			return;
		}
		parse_stats(b, iov, c.n_out, c.out_bytes);
		/* A second buffer: give the older one back. */
		if (b->stats_held)
			virtq_push(vq, b->stats_head, 0);
		b->stats_held = true;
		b->stats_head = c.head;
	}
	virtq_notify(vq);
}

/* Guest-physical address of a host pointer inside one RAM region (the
 * walker translated it through gmem_ptr). */
static uint64_t gpa_of(const struct gmem *m, const void *p)
{
	uint64_t off = (uint64_t)((const uint8_t *)p - m->host);

	return off < m->low_size ? off : m->high_base + (off - m->low_size);
}

/* Pages the guest poisons must keep poison_val; a discarded page reads
 * back as zeroes, so discard only when that is what they hold. */
static bool may_discard_reported(const struct virtio_balloon *b)
{
	return !virtio_has_feature(&b->vdev, VIRTIO_BALLOON_F_PAGE_POISON) ||
	       cfg_get(b, CFG_POISON) == 0;
}

/* Reporting queue: each device-writable buffer is a free range. */
static void serve_reports(struct virtio_balloon *b, struct virtq *vq)
{
	struct iovec iov[MAX_IOV];
	struct virtq_chain c;
	struct run r;
	unsigned i;
	uint64_t gpa;

	while (virtq_pop(vq, iov, MAX_IOV, &c) > 0) {
		/* Trust boundary: the walker checked each range lies in one
		 * RAM region; here, that they are writable whole pages. */
		if (c.n_out) {
			virtio_dev_error(&b->vdev, "report %u has readable "
					 "buffers", c.head);
			return;
		}
		for (i = 0; i < c.n_in; i++) {
			gpa = gpa_of(b->vdev.mem, iov[i].iov_base);
			if ((gpa | iov[i].iov_len) % PAGE) {
				virtio_dev_error(&b->vdev, "report %u: range "
						 "%#llx+%#zx", c.head,
						 (unsigned long long)gpa,
						 iov[i].iov_len);
				return;
			}
		}
		b->n.reports++;
		b->n.report_ranges += c.n_in;
		b->n.report_bytes += c.in_bytes;
		r.gpa = r.len = 0;
		for (i = 0; may_discard_reported(b) && i < c.n_in; i++)
			run_add(b, true, &r,
				gpa_of(b->vdev.mem, iov[i].iov_base),
				iov[i].iov_len);
		do_range(b, true, r.gpa, r.len);
		virtq_push(vq, c.head, 0);
	}
	virtq_notify(vq);
}

static int gmem_host_discard(void *opaque, uint64_t gpa, uint64_t len)
{
	return gmem_discard(opaque, gpa, len);
}

static void gmem_host_populate(void *opaque, uint64_t gpa, uint64_t len)
{
	gmem_populate(opaque, gpa, len);
}

struct virtio_balloon_host virtio_balloon_gmem_host(const struct gmem *m)
{
	struct virtio_balloon_host h = {
		gmem_host_discard, gmem_host_populate, (void *)m,
	};

	return h;
}

static void balloon_notify(struct virtio_dev *dev, unsigned q)
{
	struct virtio_balloon *b = to_b(dev);
	struct virtq *vq = virtio_dev_queue(dev, q);

	switch (role_of(b, q)) {
	case ROLE_INFLATE:
		serve_pfns(b, vq, true);
		break;
	case ROLE_DEFLATE:
		serve_pfns(b, vq, false);
		break;
	case ROLE_STATS:
		serve_stats(b, vq);
		break;
	case ROLE_REPORT:
		serve_reports(b, vq);
		break;
	default:
		virtio_dev_error(dev, "kick on queue %u, which has no use "
				 "with the negotiated features", q);
	}
}

static void balloon_config_read(struct virtio_dev *dev, uint32_t off,
				void *buf, uint32_t len)
{
	memcpy(buf, to_b(dev)->cfg + off, len);
}

/* RAM minus the balloon the driver reports (lock held).  The driver
 * writes actual: do not trust it to fit. */
static uint64_t actual_bytes(struct virtio_balloon *b)
{
	uint64_t bytes = (uint64_t)cfg_get(b, CFG_ACTUAL) * PAGE;
	uint64_t ram = b->vdev.mem->size;

	return bytes < ram ? ram - bytes : 0;
}

/* The driver may write actual and poison_val; other bytes are ours. */
static void balloon_config_write(struct virtio_dev *dev, uint32_t off,
				 const void *buf, uint32_t len)
{
	struct virtio_balloon *b = to_b(dev);
	uint32_t old = cfg_get(b, CFG_ACTUAL);
	const uint8_t *src = buf;
	uint32_t i, at;

	for (i = 0; i < len; i++) {
		at = off + i;
		if ((at >= CFG_ACTUAL && at < CFG_ACTUAL + 4) ||
		    (at >= CFG_POISON && at < CFG_POISON + 4))
			b->cfg[at] = src[i];
	}
	if (cfg_get(b, CFG_ACTUAL) != old && b->p.actual_changed)
		b->p.actual_changed(b->p.actual_opaque, actual_bytes(b));
}

static int balloon_activate(struct virtio_dev *dev)
{
	return 0;
}

/* The driver is gone: every page is the guest's again. */
static int balloon_reset(struct virtio_dev *dev)
{
	struct virtio_balloon *b = to_b(dev);

	bool changed = cfg_get(b, CFG_ACTUAL) != 0;

	cfg_set(b, CFG_ACTUAL, 0);
	cfg_set(b, CFG_POISON, 0);
	if (changed && b->p.actual_changed)
		b->p.actual_changed(b->p.actual_opaque, actual_bytes(b));
	b->stats_held = false;
	return 0;
}

static void balloon_destroy(struct virtio_dev *dev)
{
	virtio_dev_fini(dev);
	free(dev);
}

static const struct virtio_device_ops balloon_ops = {
	.name = "virtio-balloon",
	.device_id = VIRTIO_ID_BALLOON,
	.config_size = CFG_SIZE,
	.config_read = balloon_config_read,
	.config_write = balloon_config_write,
	.activate = balloon_activate,
	.notify = balloon_notify,
	.reset = balloon_reset,
	.destroy = balloon_destroy,
};

/* num_pages for a guest of `bytes` rounded down to whole pages (lock
 * held or not yet shared). */
static void set_target(struct virtio_balloon *b, uint64_t bytes)
{
	uint64_t pages = (b->vdev.mem->size - (bytes & ~(PAGE - 1))) / PAGE;

	cfg_set(b, CFG_NUM_PAGES, pages > UINT32_MAX ? UINT32_MAX
						     : (uint32_t)pages);
}

int virtio_balloon_create(const struct gmem *mem,
			  const struct virtio_balloon_params *p,
			  struct virtio_dev **out)
{
	uint16_t qsize = p->queue_size ? p->queue_size : 128;
	uint64_t features = 1ull << VIRTIO_BALLOON_F_STATS_VQ |
			    1ull << VIRTIO_BALLOON_F_PAGE_POISON;
	struct virtio_balloon *b;
	int ret;

	if (!p->host.discard || p->target > mem->size)
		return -EINVAL;
	if (p->deflate_on_oom)
		features |= 1ull << VIRTIO_BALLOON_F_DEFLATE_ON_OOM;
	if (p->free_page_reporting)
		features |= 1ull << VIRTIO_BALLOON_F_REPORTING;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->p = *p;
	ret = virtio_dev_init(&b->vdev, &balloon_ops, mem, 4, qsize, features);
	if (ret) {
		free(b);
		return ret;
	}
	set_target(b, p->target ? p->target : mem->size);
	*out = &b->vdev;
	return 0;
}

int virtio_balloon_set_target(struct virtio_dev *dev, uint64_t bytes)
{
	if (bytes > dev->mem->size)
		return -EINVAL;
	virtio_dev_lock(dev);
	set_target(to_b(dev), bytes);
	virtio_config_changed(dev);
	virtio_dev_unlock(dev);
	return 0;
}

uint64_t virtio_balloon_target(struct virtio_dev *dev)
{
	uint64_t pages;

	virtio_dev_lock(dev);
	pages = cfg_get(to_b(dev), CFG_NUM_PAGES);
	virtio_dev_unlock(dev);
	return dev->mem->size - pages * PAGE;
}

uint64_t virtio_balloon_actual(struct virtio_dev *dev)
{
	uint64_t bytes;

	virtio_dev_lock(dev);
	bytes = actual_bytes(to_b(dev));
	virtio_dev_unlock(dev);
	return bytes;
}

uint64_t virtio_balloon_discarded(struct virtio_dev *dev)
{
	uint64_t d;

	virtio_dev_lock(dev);
	d = to_b(dev)->n.discarded;
	virtio_dev_unlock(dev);
	return d;
}

void virtio_balloon_get_counters(struct virtio_dev *dev,
				 struct virtio_balloon_counters *out)
{
	virtio_dev_lock(dev);
	*out = to_b(dev)->n;
	virtio_dev_unlock(dev);
}

int virtio_balloon_get_stats(struct virtio_dev *dev,
			     struct virtio_balloon_stats *out)
{
	int ret = -ENODATA;

	virtio_dev_lock(dev);
	if (to_b(dev)->stats.updates) {
		*out = to_b(dev)->stats;
		ret = 0;
	}
	virtio_dev_unlock(dev);
	return ret;
}

int virtio_balloon_request_stats(struct virtio_dev *dev)
{
	struct virtio_balloon *b = to_b(dev);
	struct virtq *vq;
	int ret = -EAGAIN;

	virtio_dev_lock(dev);
	vq = virtio_dev_queue(dev, 2);
	if (b->stats_held && vq && !dev->broken &&
	    (dev->status & VIRTIO_STATUS_DRIVER_OK)) {
		b->stats_held = false;
		virtq_push(vq, b->stats_head, 0);
		virtq_notify(vq);
		ret = 0;
	}
	virtio_dev_unlock(dev);
	return ret;
}
