/* Unit tests for virtio-balloon (src/virtio/balloon.c) against fake guest
 * memory (low RAM, a hole, high RAM) and a fake host that records what
 * it is asked to discard or populate: inflate/deflate with runs
 * coalesced, the queue layout per negotiated features, statistics kept
 * and requested, free page reports and their counters (also with page
 * poisoning), the target/actual API, and hostile lists: PFNs past RAM
 * or in the hole, huge and odd lengths, writable lists, misaligned or
 * region-crossing reports.  A refused chain discards nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fake_virtq.h"
#include "virtio/balloon.h"

#define W VIRTQ_DESC_F_WRITE
#define N VIRTQ_DESC_F_NEXT
#define PG 0x1000ull
#define MAX_CALLS 32

struct call {
	uint64_t gpa, len;
};

static struct fake_driver fd;
static struct virtio_dev *dev;
static struct call discards[MAX_CALLS], populates[MAX_CALLS];
static unsigned n_discards, n_populates;
static int discard_ret;
/* A racing vCPU: on the first discard, store tamper_val at tamper_at. */
static uint32_t *tamper_at, tamper_val;
static unsigned outside_ram;

static int fake_discard(void *opaque, uint64_t gpa, uint64_t len)
{
	if (tamper_at) {
		*tamper_at = tamper_val;
		tamper_at = NULL;
	}
	if (!fv_ptr(&fd, gpa, len))
		outside_ram++;
	if (n_discards < MAX_CALLS)
		discards[n_discards] = (struct call){ gpa, len };
	n_discards++;
	return discard_ret;
}

static void fake_populate(void *opaque, uint64_t gpa, uint64_t len)
{
	if (n_populates < MAX_CALLS)
		populates[n_populates] = (struct call){ gpa, len };
	n_populates++;
}

#define F_STATS FV_F(VIRTIO_BALLOON_F_STATS_VQ)
#define F_REPORT FV_F(VIRTIO_BALLOON_F_REPORTING)
#define F_POISON FV_F(VIRTIO_BALLOON_F_PAGE_POISON)

static unsigned actual_calls;
static uint64_t actual_last;

static void fake_actual_changed(void *opaque, uint64_t bytes)
{
	actual_calls++;
	actual_last = bytes;
}

static int start(uint64_t features, unsigned nq)
{
	struct virtio_balloon_params p = {
		.free_page_reporting = true,
		.host = { fake_discard, fake_populate, NULL },
		.actual_changed = fake_actual_changed,
	};

	fv_init(&fd);
	n_discards = n_populates = 0;
	discard_ret = 0;
	actual_calls = 0;
	tamper_at = NULL;
	outside_ram = 0;
	if (virtio_balloon_create(&fd.mem, &p, &dev))
		return -1;
	fv_start(&fd, dev, FV_CORE_FEATURES | features, nq, 16);
	return 0;
}

static int setup(void **state)
{
	return start(F_STATS | F_REPORT, 4);
}

static int setup_no_stats(void **state)
{
	return start(F_REPORT, 3);
}

static int setup_poison(void **state)
{
	return start(F_STATS | F_REPORT | F_POISON, 4);
}

static int teardown(void **state)
{
	fv_fini(&fd);
	return 0;
}

/* Queue q: one readable descriptor holding the n PFNs, kicked. */
static void send_pfns(unsigned q, const uint32_t *pfn, unsigned n)
{
	memcpy(fd.host + FV_BUF, pfn, 4ull * n);
	fv_desc(&fd, q, 0, FV_BUF, 4 * n, 0, 0);
	fv_kick(&fd, q, 0);
}

static void assert_call(const struct call *c, uint64_t gpa, uint64_t len)
{
	assert_int_equal(c->gpa, gpa);
	assert_int_equal(c->len, len);
}

static void test_inflate_coalesces(void **state)
{
	/* Three adjacent pages, a lone one, the first page of high RAM. */
	uint32_t pfn[] = { 0x80, 0x81, 0x82, 0x90, 0x200 };

	send_pfns(0, pfn, 5);
	assert_false(fv_needs_reset(&fd));
	assert_int_equal(fv_used_idx(&fd, 0), 1);
	assert_int_equal(n_discards, 3);
	assert_call(&discards[0], 0x80000, 3 * PG);
	assert_call(&discards[1], 0x90000, PG);
	assert_call(&discards[2], 0x200000, PG);
	assert_int_equal(virtio_balloon_discarded(dev), 5 * PG);
	assert_int_equal(n_populates, 0);
}

static void test_deflate_populates(void **state)
{
	uint32_t pfn[] = { 0x20f, 0x10 };

	send_pfns(1, pfn, 2);
	assert_int_equal(fv_used_idx(&fd, 1), 1);
	assert_int_equal(n_discards, 0);
	assert_int_equal(n_populates, 2);
	assert_call(&populates[0], 0x10000, PG);
	assert_call(&populates[1], 0x20f000, PG);
}

static void test_inflate_across_descriptors(void **state)
{
	uint32_t pfn[] = { 0x40, 0x41, 0x42 };

	/* 6 bytes, then 6: PFN 0x41 straddles the two descriptors. */
	memcpy(fd.host + FV_BUF, pfn, 6);
	memcpy(fd.host + FV_BUF + 0x100, (uint8_t *)pfn + 6, 6);
	fv_desc(&fd, 0, 0, FV_BUF, 6, N, 1);
	fv_desc(&fd, 0, 1, FV_BUF + 0x100, 6, 0, 0);
	fv_kick(&fd, 0, 0);
	assert_int_equal(n_discards, 1);
	assert_call(&discards[0], 0x40000, 3 * PG);
}

/* All 256 pages of low RAM in one list, page i at (mul * i + add) % 256
 * (mul odd: each page once), inflated on queue q: one host call. */
static void one_list_of_256(unsigned q, unsigned mul, unsigned add)
{
	struct virtio_balloon_counters n;
	uint32_t pfn[256];
	unsigned i;

	for (i = 0; i < 256; i++)
		pfn[i] = (mul * i + add) % 256;
	send_pfns(q, pfn, 256);
	assert_false(fv_needs_reset(&fd));
	assert_int_equal(fv_used_idx(&fd, q), 1);
	assert_int_equal(q ? n_populates : n_discards, 1);
	assert_call(q ? &populates[0] : &discards[0], 0, 256 * PG);
	virtio_balloon_get_counters(dev, &n);
	assert_int_equal(n.discards, q ? 0 : 1);
	assert_int_equal(n.discarded, q ? 0 : 256 * PG);
}

static void test_inflate_ascending(void **state)
{
	one_list_of_256(0, 1, 0);
}

/* What Linux sends: fill_balloon() pops its pages LIFO. */
static void test_inflate_descending(void **state)
{
	one_list_of_256(0, 255, 255);
}

static void test_inflate_shuffled(void **state)
{
	one_list_of_256(0, 97, 13);
}

static void test_deflate_descending(void **state)
{
	one_list_of_256(1, 255, 255);
}

static void test_deflate_shuffled(void **state)
{
	one_list_of_256(1, 97, 13);
}

/* Duplicates and gaps, across the end of low RAM and the start of high
 * RAM (never one range: the hole lies between): each page once. */
static const uint32_t dup_gaps[] = {
	0x85, 0x201, 0x80, 0x81, 0x85, 0xff, 0x82, 0x90, 0x80, 0x8f,
	0x200, 0x84, 0xfe, 0x201,
};

static void assert_dup_gaps(const struct call *c)
{
	assert_call(&c[0], 0x80000, 3 * PG);
	assert_call(&c[1], 0x84000, 2 * PG);
	assert_call(&c[2], 0x8f000, 2 * PG);
	assert_call(&c[3], 0xfe000, 2 * PG);
	assert_call(&c[4], 0x200000, 2 * PG);
}

static void test_inflate_duplicates_gaps(void **state)
{
	struct virtio_balloon_counters n;

	send_pfns(0, dup_gaps, sizeof(dup_gaps) / 4);
	assert_int_equal(fv_used_idx(&fd, 0), 1);
	assert_int_equal(n_discards, 5);
	assert_dup_gaps(discards);
	virtio_balloon_get_counters(dev, &n);
	assert_int_equal(n.discards, 5);
	assert_int_equal(n.discarded, 11 * PG);
}

static void test_deflate_duplicates_gaps(void **state)
{
	send_pfns(1, dup_gaps, sizeof(dup_gaps) / 4);
	assert_int_equal(fv_used_idx(&fd, 1), 1);
	assert_int_equal(n_populates, 5);
	assert_dup_gaps(populates);
	assert_int_equal(n_discards, 0);
}

static void refused(unsigned q)
{
	assert_true(fv_needs_reset(&fd));
	assert_int_equal(fv_used_idx(&fd, q), 0);
	assert_int_equal(n_discards, 0);
	assert_int_equal(n_populates, 0);
}

static void test_pfn_past_ram(void **state)
{
	uint32_t pfn[] = { 0x80, 0x210 };	/* RAM ends at 0x210000 */

	send_pfns(0, pfn, 2);
	refused(0);
}

static void test_pfn_in_hole(void **state)
{
	uint32_t pfn[] = { 0x80, 0x100 };	/* the hole starts at 1 MiB */

	send_pfns(0, pfn, 2);
	refused(0);
}

static void test_pfn_huge(void **state)
{
	uint32_t pfn[] = { 0xffffffff };

	send_pfns(1, pfn, 1);
	refused(1);
}

static void test_list_too_long(void **state)
{
	/* 64 KiB + 4 of valid PFNs: more than any driver sends. */
	uint32_t *p = (uint32_t *)(fd.host + FV_BUF);
	unsigned i;

	for (i = 0; i < 0x4001; i++)
		p[i] = 0x10;
	fv_desc(&fd, 0, 0, FV_BUF, 0x10004, 0, 0);
	fv_kick(&fd, 0, 0);
	refused(0);
}

static void test_list_odd_length(void **state)
{
	uint32_t pfn[] = { 0x80, 0x81 };

	memcpy(fd.host + FV_BUF, pfn, 8);
	fv_desc(&fd, 0, 0, FV_BUF, 7, 0, 0);
	fv_kick(&fd, 0, 0);
	refused(0);
}

static void test_list_writable(void **state)
{
	uint32_t pfn[] = { 0x80 };

	memcpy(fd.host + FV_BUF, pfn, 4);
	fv_desc(&fd, 0, 0, FV_BUF, 4, W, 0);
	fv_kick(&fd, 0, 0);
	refused(0);
}

static void test_discard_failure(void **state)
{
	uint32_t pfn[] = { 0x80 };

	discard_ret = -EINVAL;
	send_pfns(0, pfn, 1);
	assert_false(fv_needs_reset(&fd));
	assert_int_equal(fv_used_idx(&fd, 0), 1);
	assert_int_equal(virtio_balloon_discarded(dev), 0);
}

/* The guest rewrites its list while the device works on it: what is
 * discarded is what was checked (the list is read from guest memory
 * once). */
static void test_list_changed_under_device(void **state)
{
	uint32_t *p = (uint32_t *)(fd.host + FV_BUF);
	unsigned i, n = 600;

	for (i = 0; i < n; i++)
		p[i] = i % 128 * 2;	/* 128 pages, no two adjacent */
	tamper_at = &p[n - 1];
	tamper_val = 0xffffffff;		/* far past RAM */
	fv_desc(&fd, 0, 0, FV_BUF, 4 * n, 0, 0);
	fv_kick(&fd, 0, 0);
	assert_false(fv_needs_reset(&fd));
	assert_int_equal(fv_used_idx(&fd, 0), 1);
	assert_int_equal(n_discards, 128);
	assert_int_equal(outside_ram, 0);
	assert_int_equal(virtio_balloon_discarded(dev), 128 * PG);
}

static void put_stat(uint8_t *p, uint16_t tag, uint64_t val)
{
	memcpy(p, &tag, 2);
	memcpy(p + 2, &val, 8);
}

static void test_stats(void **state)
{
	struct virtio_balloon_stats st;
	uint8_t *b = fd.host + FV_BUF;

	assert_int_equal(virtio_balloon_get_stats(dev, &st), -ENODATA);
	assert_int_equal(virtio_balloon_request_stats(dev), -EAGAIN);
	put_stat(b, VIRTIO_BALLOON_S_MEMFREE, 111);
	put_stat(b + 10, VIRTIO_BALLOON_S_AVAIL, 222);
	put_stat(b + 20, 40, 333);	/* a tag from the future */
	put_stat(b + 30, VIRTIO_BALLOON_S_MAJFLT, 7);
	fv_desc(&fd, 2, 0, FV_BUF, 40, 0, 0);
	fv_kick(&fd, 2, 0);
	assert_false(fv_needs_reset(&fd));
	assert_int_equal(fv_used_idx(&fd, 2), 0);	/* held */
	assert_int_equal(virtio_balloon_get_stats(dev, &st), 0);
	assert_int_equal(st.updates, 1);
	assert_int_equal(st.stat[VIRTIO_BALLOON_S_MEMFREE], 111);
	assert_int_equal(st.stat[VIRTIO_BALLOON_S_AVAIL], 222);
	assert_int_equal(st.stat[VIRTIO_BALLOON_S_MAJFLT], 7);
	assert_int_equal(st.valid, 1u << VIRTIO_BALLOON_S_MEMFREE |
					   1u << VIRTIO_BALLOON_S_AVAIL |
					   1u << VIRTIO_BALLOON_S_MAJFLT);

	/* Asking for fresh values gives the buffer back, once. */
	assert_int_equal(virtio_balloon_request_stats(dev), 0);
	assert_int_equal(fv_used_idx(&fd, 2), 1);
	assert_int_equal(fd.queue_irqs[2], 1);
	assert_int_equal(virtio_balloon_request_stats(dev), -EAGAIN);
	put_stat(b, VIRTIO_BALLOON_S_MEMFREE, 999);
	fv_desc(&fd, 2, 0, FV_BUF, 10, 0, 0);
	fv_kick(&fd, 2, 0);
	assert_int_equal(virtio_balloon_get_stats(dev, &st), 0);
	assert_int_equal(st.updates, 2);
	assert_int_equal(st.stat[VIRTIO_BALLOON_S_MEMFREE], 999);
	assert_int_equal(st.stat[VIRTIO_BALLOON_S_AVAIL], 222);
}

static void test_stats_odd_length(void **state)
{
	struct virtio_balloon_stats st;

	fv_desc(&fd, 2, 0, FV_BUF, 15, 0, 0);
	fv_kick(&fd, 2, 0);
	assert_true(fv_needs_reset(&fd));
	assert_int_equal(virtio_balloon_get_stats(dev, &st), -ENODATA);
}

static void test_stats_huge(void **state)
{
	fv_desc(&fd, 2, 0, FV_BUF, 10 * 1000, 0, 0);
	fv_kick(&fd, 2, 0);
	assert_true(fv_needs_reset(&fd));
}

/* A report on queue q: 0x80000+8K, 0x82000+4K (adjacent), high RAM
 * 0x200000+64K, in one chain. */
static void report_three(unsigned q)
{
	fv_desc(&fd, q, 0, 0x80000, 0x2000, W | N, 1);
	fv_desc(&fd, q, 1, 0x82000, 0x1000, W | N, 2);
	fv_desc(&fd, q, 2, 0x200000, 0x10000, W, 0);
	fv_kick(&fd, q, 0);
}

static void test_report(void **state)
{
	report_three(3);
	assert_false(fv_needs_reset(&fd));
	assert_int_equal(fv_used_idx(&fd, 3), 1);
	assert_int_equal(n_discards, 2);
	assert_call(&discards[0], 0x80000, 0x3000);
	assert_call(&discards[1], 0x200000, 0x10000);
	assert_int_equal(virtio_balloon_discarded(dev), 0x13000);
}

static void assert_counters(uint64_t reports, uint64_t ranges,
			    uint64_t bytes, uint64_t calls, uint64_t discarded)
{
	struct virtio_balloon_counters n;

	virtio_balloon_get_counters(dev, &n);
	assert_int_equal(n.reports, reports);
	assert_int_equal(n.report_ranges, ranges);
	assert_int_equal(n.report_bytes, bytes);
	assert_int_equal(n.discards, calls);
	assert_int_equal(n.discarded, discarded);
}

/* Reports, their ranges and bytes, and the discard calls they cost, are
 * counted; an inflate counts only as discards; a refused chain nowhere. */
static void test_report_counters(void **state)
{
	uint32_t pfn[] = { 0x90, 0x91, 0x93 };

	assert_counters(0, 0, 0, 0, 0);
	report_three(3);
	assert_counters(1, 3, 0x13000, 2, 0x13000);
	fv_desc(&fd, 3, 0, 0xc0000, 0x20000, W, 0);
	fv_kick(&fd, 3, 0);
	assert_counters(2, 4, 0x33000, 3, 0x33000);
	send_pfns(0, pfn, 3);
	assert_counters(2, 4, 0x33000, 5, 0x36000);
	fv_desc(&fd, 3, 0, 0x80000, 0x1000, W | N, 1);
	fv_desc(&fd, 3, 1, 0x90800, 0x1000, W, 0);
	fv_kick(&fd, 3, 0);
	assert_true(fv_needs_reset(&fd));
	assert_counters(2, 4, 0x33000, 5, 0x36000);
}

/* Without STATS_VQ the reporting queue moves up to index 2. */
static void test_report_no_stats(void **state)
{
	report_three(2);
	assert_false(fv_needs_reset(&fd));
	assert_int_equal(n_discards, 2);
}

static void test_report_crosses_hole(void **state)
{
	/* The last low page and one past it, in the hole. */
	fv_desc(&fd, 3, 0, 0xff000, 0x2000, W, 0);
	fv_kick(&fd, 3, 0);
	refused(3);
}

static void test_report_misaligned(void **state)
{
	fv_desc(&fd, 3, 0, 0x80000, 0x1000, W | N, 1);
	fv_desc(&fd, 3, 1, 0x90800, 0x1000, W, 0);
	fv_kick(&fd, 3, 0);
	refused(3);
}

static void test_report_readable(void **state)
{
	fv_desc(&fd, 3, 0, 0x80000, 0x1000, 0, 0);
	fv_kick(&fd, 3, 0);
	refused(3);
}

static void set_poison(uint32_t v)
{
	virtio_config_write(dev, 12, &v, 4);
}

static void test_poisoned_reports_kept(void **state)
{
	uint32_t pfn[] = { 0x80 };

	set_poison(0xaaaaaaaa);
	report_three(3);
	assert_false(fv_needs_reset(&fd));
	assert_int_equal(fv_used_idx(&fd, 3), 1);	/* returned */
	assert_int_equal(n_discards, 0);		/* but kept */
	assert_counters(1, 3, 0x13000, 0, 0);
	/* Inflated pages are the host's: they are discarded still. */
	send_pfns(0, pfn, 1);
	assert_int_equal(n_discards, 1);
	/* Poisoning with zeroes: a discarded page reads as poisoned. */
	set_poison(0);
	report_three(3);
	assert_int_equal(n_discards, 3);
}

static uint32_t cfg32(uint32_t off)
{
	uint32_t v;

	virtio_config_read(dev, off, &v, 4);
	return v;
}

static void test_target_and_actual(void **state)
{
	uint32_t v = 16, junk = 0x12345678;
	unsigned irqs = fd.config_irqs;

	assert_int_equal(cfg32(0), 0);
	assert_int_equal(virtio_balloon_target(dev), FV_RAM);
	assert_int_equal(virtio_balloon_set_target(dev, FV_RAM - 0x10800), 0);
	assert_int_equal(cfg32(0), 17);		/* rounded to whole pages */
	assert_int_equal(virtio_balloon_target(dev), FV_RAM - 0x11000);
	assert_int_equal(fd.config_irqs, irqs + 1);
	assert_int_equal(virtio_balloon_set_target(dev, FV_RAM + 1), -EINVAL);

	assert_int_equal(virtio_balloon_actual(dev), FV_RAM);
	virtio_config_write(dev, 4, &v, 4);
	assert_int_equal(virtio_balloon_actual(dev), FV_RAM - 16 * PG);
	assert_int_equal(actual_calls, 1);
	assert_int_equal(actual_last, FV_RAM - 16 * PG);
	virtio_config_write(dev, 4, &v, 4);	/* unchanged: no call */
	assert_int_equal(actual_calls, 1);
	/* num_pages is the device's: driver writes are ignored. */
	virtio_config_write(dev, 0, &junk, 4);
	assert_int_equal(cfg32(0), 17);
	/* A driver claiming more than RAM is not believed. */
	v = 0xffffffff;
	virtio_config_write(dev, 4, &v, 4);
	assert_int_equal(virtio_balloon_actual(dev), 0);
	/* Reset: the pages are the guest's again; the target stays. */
	virtio_set_status(dev, 0);
	assert_int_equal(virtio_balloon_actual(dev), FV_RAM);
	assert_int_equal(cfg32(0), 17);
	assert_int_equal(actual_calls, 3);
	assert_int_equal(actual_last, FV_RAM);
}

/* Pages of [gpa, gpa+len) resident in the host mapping. */
static unsigned resident(uint64_t gpa, uint64_t len)
{
	unsigned char vec[256];
	unsigned i, n = 0;

	assert_true(len / PG <= sizeof(vec));
	assert_int_equal(mincore(fd.host + gpa, len, vec), 0);
	for (i = 0; i < len / PG; i++)
		n += vec[i] & 1;
	return n;
}

/* The real host side: inflated pages leave the VMM's memory and read
 * back as zeroes; deflated ones are faulted in again. */
static void test_gmem_host(void **state)
{
	struct virtio_balloon_params p = { 0 };
	uint32_t pfn[64];
	unsigned i;

	virtio_dev_destroy(dev);
	free(fd.host);
	fd.host = mmap(NULL, FV_RAM, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(fd.host != MAP_FAILED);
	madvise(fd.host, FV_RAM, MADV_NOHUGEPAGE);
	gmem_layout(&fd.mem, fd.host, FV_RAM, FV_LOW, FV_HIGH);
	p.host = virtio_balloon_gmem_host(&fd.mem);
	assert_int_equal(virtio_balloon_create(&fd.mem, &p, &dev), 0);
	fv_start(&fd, dev, FV_CORE_FEATURES, 2, 16);
	memset(fd.host + 0x80000, 0x5a, 64 * PG);
	assert_int_equal(resident(0x80000, 64 * PG), 64);

	for (i = 0; i < 64; i++)
		pfn[i] = 0x80 + i;
	send_pfns(0, pfn, 32);		/* the first half */
	assert_false(fv_needs_reset(&fd));
	assert_int_equal(resident(0x80000, 64 * PG), 32);
	assert_int_equal(resident(0xa0000, 32 * PG), 32);
	assert_int_equal(fd.host[0x80000], 0);
	assert_int_equal(fd.host[0xa0000], 0x5a);
	assert_int_equal(virtio_balloon_discarded(dev), 32 * PG);

	fv_desc(&fd, 1, 0, FV_BUF, 4 * 32, 0, 0);
	fv_kick(&fd, 1, 0);		/* same list back */
	/* MADV_POPULATE_WRITE is Linux 5.14; older kernels fault later. */
	if (resident(0x80000, 32 * PG) != 32)
		print_message("deflate did not pre-fault (kernel < 5.14?)\n");
	assert_int_equal(fd.host[0x80000], 0);

	virtio_dev_destroy(dev);
	dev = fd.dev = NULL;
	munmap(fd.host, FV_RAM);
	fd.host = NULL;
}

static void test_features_offered(void **state)
{
	uint32_t f = virtio_get_device_features(dev, 0);

	assert_true(f & 1u << VIRTIO_BALLOON_F_STATS_VQ);
	assert_true(f & 1u << VIRTIO_BALLOON_F_REPORTING);
	assert_true(f & 1u << VIRTIO_BALLOON_F_PAGE_POISON);
	assert_false(f & 1u << VIRTIO_BALLOON_F_FREE_PAGE_HINT);
	assert_false(f & 1u << VIRTIO_BALLOON_F_DEFLATE_ON_OOM);
}

static void test_unused_queue_kick(void **state)
{
	/* Without STATS_VQ and REPORTING queue 2 has no use. */
	struct virtio_balloon_params p = {
		.host = { fake_discard, NULL, NULL },
	};

	fv_fini(&fd);
	fv_init(&fd);
	assert_int_equal(virtio_balloon_create(&fd.mem, &p, &dev), 0);
	fv_start(&fd, dev, FV_CORE_FEATURES, 3, 16);
	fv_desc(&fd, 2, 0, FV_BUF, 4, 0, 0);
	fv_kick(&fd, 2, 0);
	assert_true(fv_needs_reset(&fd));
}

static void test_create_errors(void **state)
{
	struct virtio_balloon_params p = { .target = FV_RAM + PG };
	struct virtio_dev *d;

	assert_int_equal(virtio_balloon_create(&fd.mem, &p, &d), -EINVAL);
	p.host.discard = fake_discard;
	assert_int_equal(virtio_balloon_create(&fd.mem, &p, &d), -EINVAL);
	p.target = FV_RAM - 0x100000;
	p.deflate_on_oom = true;
	assert_int_equal(virtio_balloon_create(&fd.mem, &p, &d), 0);
	assert_true(virtio_get_device_features(d, 0) &
		    1u << VIRTIO_BALLOON_F_DEFLATE_ON_OOM);
	assert_int_equal(virtio_balloon_target(d), FV_RAM - 0x100000);
	virtio_dev_destroy(d);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_inflate_coalesces),
		T(test_deflate_populates),
		T(test_inflate_across_descriptors),
		T(test_inflate_ascending),
		T(test_inflate_descending),
		T(test_inflate_shuffled),
		T(test_deflate_descending),
		T(test_deflate_shuffled),
		T(test_inflate_duplicates_gaps),
		T(test_deflate_duplicates_gaps),
		T(test_pfn_past_ram),
		T(test_pfn_in_hole),
		T(test_pfn_huge),
		T(test_list_too_long),
		T(test_list_odd_length),
		T(test_list_writable),
		T(test_discard_failure),
		T(test_list_changed_under_device),
		T(test_stats),
		T(test_stats_odd_length),
		T(test_stats_huge),
		T(test_report),
		T(test_report_counters),
		cmocka_unit_test_setup_teardown(test_report_no_stats,
						setup_no_stats, teardown),
		T(test_report_crosses_hole),
		T(test_report_misaligned),
		T(test_report_readable),
		cmocka_unit_test_setup_teardown(test_poisoned_reports_kept,
						setup_poison, teardown),
		T(test_target_and_actual),
		T(test_features_offered),
		T(test_gmem_host),
		T(test_unused_queue_kick),
		T(test_create_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
