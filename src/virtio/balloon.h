/* virtio-balloon (device id 5): the host asks the guest to give back
 * memory by setting a target; the guest inflates (hands over 4 KiB page
 * frames, which the host discards so the VMM's RSS falls) or deflates
 * (takes them back; the host pre-faults them).  Also the statistics queue
 * (the guest's free/available/cache/swap/fault counters, kept current
 * for the management layer) and free page reporting (pages the guest
 * freed are discarded on the host).
 *
 * Queues are compacted as the Linux driver lays them out: 0 inflate,
 * 1 deflate, then the statistics queue if STATS_VQ was negotiated, then
 * the reporting queue if REPORTING was (FREE_PAGE_HINT is not offered).
 *
 * The discard itself goes through struct virtio_balloon_host, so the
 * device model never touches host mappings (the machine implements it
 * with gmem_discard()/gmem_populate()). */
#ifndef VIREO_VIRTIO_BALLOON_H
#define VIREO_VIRTIO_BALLOON_H

#include <stdbool.h>
#include <stdint.h>

#include "util/gmem.h"
#include "virtio/virtio.h"

#define VIRTIO_ID_BALLOON	5

/* Feature bits (virtio 1.2, 5.5.3). */
#define VIRTIO_BALLOON_F_MUST_TELL_HOST	0
#define VIRTIO_BALLOON_F_STATS_VQ	1
#define VIRTIO_BALLOON_F_DEFLATE_ON_OOM	2
#define VIRTIO_BALLOON_F_FREE_PAGE_HINT	3
#define VIRTIO_BALLOON_F_PAGE_POISON	4
#define VIRTIO_BALLOON_F_REPORTING	5

#define VIRTIO_BALLOON_PAGE		4096u	/* the PFN unit */

/* Statistics tags (virtio 1.2, 5.5.6.3). */
enum {
	VIRTIO_BALLOON_S_SWAP_IN,
	VIRTIO_BALLOON_S_SWAP_OUT,
	VIRTIO_BALLOON_S_MAJFLT,
	VIRTIO_BALLOON_S_MINFLT,
	VIRTIO_BALLOON_S_MEMFREE,
	VIRTIO_BALLOON_S_MEMTOT,
	VIRTIO_BALLOON_S_AVAIL,
	VIRTIO_BALLOON_S_CACHES,
	VIRTIO_BALLOON_S_HTLB_PGALLOC,
	VIRTIO_BALLOON_S_HTLB_PGFAIL,
	VIRTIO_BALLOON_S_NR = 16,	/* tags kept; higher ones are ignored */
};

/* The host side: give guest-physical RAM back to the host, and fault it
 * in again.  Ranges are 4 KiB aligned and inside RAM.  Called on the
 * main loop with the device lock held; must not block for long. */
struct virtio_balloon_host {
	int (*discard)(void *opaque, uint64_t gpa, uint64_t len);
	/* Optional: pre-fault a deflated range without changing its
	 * contents (the guest may already be using it). */
	void (*populate)(void *opaque, uint64_t gpa, uint64_t len);
	void *opaque;
};

/* The host side over the VMM's own mapping of RAM: gmem_discard() and
 * gmem_populate() (madvise).  m must outlive the device. */
struct virtio_balloon_host virtio_balloon_gmem_host(const struct gmem *m);

struct virtio_balloon_params {
	bool deflate_on_oom;		/* offer DEFLATE_ON_OOM */
	bool free_page_reporting;	/* offer REPORTING */
	uint64_t target;		/* guest memory; 0: all RAM */
	uint16_t queue_size;		/* a power of two; 0 means 128 */
	struct virtio_balloon_host host;
	/* Optional: the driver wrote a new `actual`; bytes is the guest's
	 * memory as virtio_balloon_actual() reports it (for QMP's
	 * BALLOON_CHANGE).  Called on a vCPU thread with the device lock
	 * held: hand it to the main loop, do not call the device. */
	void (*actual_changed)(void *opaque, uint64_t bytes);
	void *actual_opaque;
};

/* The last statistics the guest sent. */
struct virtio_balloon_stats {
	uint32_t valid;			/* bit t: stat[t] was reported */
	uint64_t stat[VIRTIO_BALLOON_S_NR];
	uint64_t updates;		/* buffers received; 0: none yet */
};

/* The device's own counters since creation (for --stats): what free page
 * reporting cost and gave back.  A refused chain counts nowhere. */
struct virtio_balloon_counters {
	uint64_t reports;		/* report chains acknowledged */
	uint64_t report_ranges;		/* free ranges in them */
	uint64_t report_bytes;		/* their total size */
	uint64_t discards;		/* host discard calls (inflate, reports) */
	uint64_t discarded;		/* bytes those calls gave back */
};

/* 0, or -EINVAL (no discard hook, bad queue size, target above RAM),
 * -ENOMEM. */
int virtio_balloon_create(const struct gmem *mem,
			  const struct virtio_balloon_params *p,
			  struct virtio_dev **out);

/* ---- management API (each takes the device lock) ---- */

/* Ask the guest to run with `bytes` of RAM (rounded down to 4 KiB,
 * clamped to RAM): sets num_pages and raises a config interrupt.
 * -EINVAL if bytes exceeds RAM. */
int virtio_balloon_set_target(struct virtio_dev *dev, uint64_t bytes);
/* The target set last, in bytes of guest memory. */
uint64_t virtio_balloon_target(struct virtio_dev *dev);
/* The guest's memory as the driver reports it: RAM minus `actual`. */
uint64_t virtio_balloon_actual(struct virtio_dev *dev);
/* Bytes the device has discarded since creation (inflate and reports). */
uint64_t virtio_balloon_discarded(struct virtio_dev *dev);

/* Copy the device's counters. */
void virtio_balloon_get_counters(struct virtio_dev *dev,
				 struct virtio_balloon_counters *out);

/* Copy the last statistics.  0, or -ENODATA before the first buffer. */
int virtio_balloon_get_stats(struct virtio_dev *dev,
			     struct virtio_balloon_stats *out);
/* Ask the guest for fresh statistics (returns the buffer it holds; the
 * guest refills and re-queues it).  0, or -EAGAIN if no buffer is held
 * (none sent yet, or a request is outstanding). */
int virtio_balloon_request_stats(struct virtio_dev *dev);

#endif
