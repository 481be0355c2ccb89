/* Fuzz target: virtio-balloon's PFN lists, statistics buffers and free
 * page reports over guest memory the fuzzer writes.  Input: byte 0 flags
 * (bit 0 negotiate STATS_VQ, bit 1 REPORTING, bit 2 PAGE_POISON, bit 3 a
 * non-zero poison value, bit 4 reset at the end); byte 1 the queues to
 * kick (bit q: queue q; bit 4: kick the statistics queue again after
 * asking for statistics); the rest is guest memory from 0x1000 (zeroes
 * after it), where queue q's descriptor table (16 entries) starts at
 * 0x1000 + 0x3000 q, its available ring 0x1000 and its used ring 0x2000
 * above.  Every range the device discards or populates must be whole
 * 4 KiB pages inside RAM, reports are never discarded under a non-zero
 * poison value, and the device's counters match the host's calls.
 *
 * Bit 5 of byte 0 instead sends the rest as one PFN list (le32 each) on
 * the inflate queue, or the deflate queue with bit 6, each entry mapped
 * onto low RAM, high RAM or the 16 pages past it (taken as is when bit
 * 31 is set): a list with a PFN outside RAM is refused whole; otherwise
 * the pages acted on are exactly the listed ones, each once, in one call
 * per run of adjacent listed pages. */
#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/fake_virtq.h"
#include "virtio/balloon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LIST_PAGES	(FV_HIGH / 0x1000 + 0x20)	/* list mode's PFNs */

static struct fake_driver f;
static uint64_t discarded, discards, populates;
static uint32_t acted[LIST_PAGES];	/* per page: calls that covered it */

/* Every range is whole pages in RAM; count each page it covers. */
static void check(uint64_t gpa, uint64_t len)
{
	uint64_t pfn;

	if (!len || (gpa | len) & 0xfff || !gmem_ptr(&f.mem, gpa, len))
		abort();
	for (pfn = gpa >> 12; pfn < (gpa + len) >> 12; pfn++) {
		if (pfn >= LIST_PAGES)
			abort();
		acted[pfn]++;
	}
}

static int fuzz_discard(void *opaque, uint64_t gpa, uint64_t len)
{
	check(gpa, len);
	discarded += len;
	discards++;
	return 0;
}

static void fuzz_populate(void *opaque, uint64_t gpa, uint64_t len)
{
	check(gpa, len);
	populates++;
}

static bool in_ram(uint32_t pfn)
{
	uint64_t high_end = FV_HIGH + (FV_RAM - FV_LOW);

	return pfn < FV_LOW / 0x1000 ||
	       (pfn >= FV_HIGH / 0x1000 && pfn < high_end / 0x1000);
}

/* List mode: send the list built from data, check what was acted on. */
static void one_list(unsigned q, const uint8_t *data, size_t size)
{
	static uint32_t pfn[4096];
	uint8_t listed[LIST_PAGES] = { 0 };
	unsigned i, n, runs = 0;
	bool valid = true;
	uint32_t v;

	n = size / 4 < 4096 ? size / 4 : 4096;
	if (!n)
		return;		/* the ring refuses an empty buffer */
	for (i = 0; i < n; i++) {
		memcpy(&v, data + 4 * i, 4);
		v = le32toh(v);
		if (!(v & 0x80000000u)) {	/* low RAM, high RAM, past it */
			v %= FV_LOW / 0x1000 + 0x20;
			if (v >= FV_LOW / 0x1000)
				v += (FV_HIGH - FV_LOW) / 0x1000;
		}
		pfn[i] = htole32(v);
		valid = valid && in_ram(v);
		if (in_ram(v))
			listed[v] = 1;
	}
	memcpy(f.host + FV_BUF, pfn, 4ull * n);
	fv_desc(&f, q, 0, FV_BUF, 4 * n, 0, 0);
	fv_kick(&f, q, 0);
	if (!valid) {
		if (!fv_needs_reset(&f) || discards || populates)
			abort();
		return;
	}
	for (i = 0; i < LIST_PAGES; i++) {
		if (acted[i] != listed[i])
			abort();
		runs += listed[i] && !(i && listed[i - 1]);
	}
	if (fv_needs_reset(&f) || fv_used_idx(&f, q) != 1 ||
	    (q ? populates : discards) != runs || (q ? discards : populates))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_balloon_params p = {
		.free_page_reporting = true,
		.host = { fuzz_discard, fuzz_populate, NULL },
	};
	struct virtio_balloon_stats st;
	struct virtio_balloon_counters n;
	uint64_t features = FV_CORE_FEATURES;
	uint32_t poison = 0xaaaaaaaa;
	struct virtio_dev *dev;
	unsigned q, nq = 2;
	uint8_t flags, kicks;
	bool inflated;

	if (size < 2)
		return 0;
	flags = data[0];
	kicks = data[1];
	fv_init(&f);
	discarded = discards = populates = 0;
	memset(acted, 0, sizeof(acted));
	if (virtio_balloon_create(&f.mem, &p, &dev))
		abort();
	if (flags & 1)
		features |= FV_F(VIRTIO_BALLOON_F_STATS_VQ), nq++;
	if (flags & 2)
		features |= FV_F(VIRTIO_BALLOON_F_REPORTING), nq++;
	if (flags & 4)
		features |= FV_F(VIRTIO_BALLOON_F_PAGE_POISON);
	fv_start(&f, dev, features, nq, 16);
	if (flags & 8)
		virtio_config_write(dev, 12, &poison, 4);
	size -= 2;
	if (flags & 32) {
		one_list(flags & 64 ? 1 : 0, data + 2, size);
	} else {
		if (size > FV_LOW - FV_RING(0))
			size = FV_LOW - FV_RING(0);
		memcpy(f.host + FV_RING(0), data + 2, size);
		for (q = 0; q < 4; q++)
			if (kicks & (1u << q))
				virtio_notify_queue(dev, q);
	}
	if (virtio_balloon_request_stats(dev) == 0 && kicks & 16)
		virtio_notify_queue(dev, 2);
	virtio_balloon_get_stats(dev, &st);
	if (virtio_balloon_discarded(dev) != discarded ||
	    virtio_balloon_actual(dev) > FV_RAM)
		abort();
	/* The counters agree with the host's calls; every report has a
	 * range, and none come without REPORTING. */
	virtio_balloon_get_counters(dev, &n);
	if (n.discards != discards || n.discarded != discarded ||
	    n.report_ranges < n.reports || (!(flags & 2) && n.reports))
		abort();
	/* A report under poison is never discarded: only inflates are. */
	inflated = flags & 32 ? !(flags & 64) : kicks & 1;
	if ((flags & 12) == 12 && !inflated && discarded)
		abort();
	if (flags & 16)
		virtio_set_status(dev, 0);
	fv_fini(&f);
	return 0;
}
