/* Unit tests for virtio-blk (src/virtio/blk.c) against fake guest memory
 * and a fake asynchronous disk: config space and features, reads, writes,
 * flush, GET_ID, discard and write-zeroes, the advertised limits
 * enforced, requests outside the disk, read-only disks, backend errors,
 * multiqueue, a full queue that resumes, and reset and destroy with
 * requests in flight. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <endian.h>
#include <pthread.h>
#include <sched.h>

#include "fake_virtq.h"
#include "fake_vblk.h"

#define DISK	(64 * 1024)
#define QSIZE	16
#define R	0
#define W	VIRTQ_DESC_F_WRITE
#define N	VIRTQ_DESC_F_NEXT

#define F_BLK                                                                 \
	(FV_CORE_FEATURES | FV_F(VIRTIO_BLK_F_SEG_MAX) |                      \
	 FV_F(VIRTIO_BLK_F_SIZE_MAX) | FV_F(VIRTIO_BLK_F_BLK_SIZE) |          \
	 FV_F(VIRTIO_BLK_F_FLUSH) | FV_F(VIRTIO_BLK_F_DISCARD) |              \
	 FV_F(VIRTIO_BLK_F_WRITE_ZEROES) | FV_F(VIRTIO_BLK_F_MQ))

static struct fake_driver fd;
static struct fake_disk disk;
static struct virtio_dev *dev;

/* Per request slot s: header at HDR(s), status at STS(s), data at
 * DATA(s); descriptors 4s.. in the ring. */
#define HDR(s)	(FV_BUF + 0x100ull * (s))
#define STS(s)	(HDR(s) + 0x20)
#define DATA(s)	(FV_BUF + 0x10000ull + 0x4000ull * (s))

static struct virtio_blk_params params(void)
{
	struct virtio_blk_params p = {
		.capacity = DISK,
		.serial = "vireo-serial-0123456",
		.block_size = 512,
		.seg_max = 4,
		.size_max = 4096,
		.max_request = 16384,
		.discard = true,
		.write_zeroes = true,
		.write_zeroes_may_unmap = true,
		.max_discard_sectors = 32,
		.num_queues = 2,
		.queue_size = QSIZE,
		.backend = fake_disk_backend(&disk),
	};
	return p;
}

static int start_with(const struct virtio_blk_params *p, uint64_t features)
{
	fv_init(&fd);
	if (virtio_blk_create(&fd.mem, p, &dev))
		return -1;
	fv_start(&fd, dev, features, 2, QSIZE);
	return 0;
}

static int setup(void **state)
{
	struct virtio_blk_params p;

	if (fake_disk_init(&disk, DISK))
		return -1;
	p = params();
	return start_with(&p, F_BLK);
}

static int teardown(void **state)
{
	fv_fini(&fd);
	free(disk.data);
	return 0;
}

static void header(unsigned s, uint32_t type, uint64_t sector)
{
	uint32_t h[4] = { htole32(type), 0, htole32((uint32_t)sector),
			  htole32((uint32_t)(sector >> 32)) };

	memcpy(fd.host + HDR(s), h, sizeof(h));
	fd.host[STS(s)] = 0xee;
}

/* header, one data buffer of len bytes (skipped if 0), status; made
 * available on queue q without a kick. */
static void request(unsigned q, unsigned s, uint32_t type, uint64_t sector,
		    uint32_t len, uint16_t dflags)
{
	unsigned d = 4 * s;

	header(s, type, sector);
	fv_desc(&fd, q, d, HDR(s), 16, N, d + 1);
	if (len)
		fv_desc(&fd, q, d + 1, DATA(s), len, dflags | N, d + 2);
	fv_desc(&fd, q, len ? d + 2 : d + 1, STS(s), 1, W, 0);
	fv_publish(&fd, q, d);
}

static uint8_t status(unsigned s)
{
	return fd.host[STS(s)];
}

/* Kick queue q and let the disk complete everything. */
static void run(unsigned q)
{
	virtio_notify_queue(dev, q);
	virtio_blk_poll(dev, q);
}

static void test_config_and_features(void **state)
{
	uint64_t cap;
	uint32_t v32;
	uint16_t nq;
	uint32_t f0 = virtio_get_device_features(dev, 0);

	virtio_config_read(dev, VIRTIO_BLK_CFG_CAPACITY, &cap, 8);
	assert_int_equal(le64toh(cap), DISK / 512);
	virtio_config_read(dev, VIRTIO_BLK_CFG_SEG_MAX, &v32, 4);
	assert_int_equal(le32toh(v32), 4);
	virtio_config_read(dev, VIRTIO_BLK_CFG_SIZE_MAX, &v32, 4);
	assert_int_equal(le32toh(v32), 4096);
	virtio_config_read(dev, VIRTIO_BLK_CFG_BLK_SIZE, &v32, 4);
	assert_int_equal(le32toh(v32), 512);
	virtio_config_read(dev, VIRTIO_BLK_CFG_NUM_QUEUES, &nq, 2);
	assert_int_equal(le16toh(nq), 2);
	virtio_config_read(dev, VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS, &v32, 4);
	assert_int_equal(le32toh(v32), 32);
	assert_int_equal(virtio_device_id(dev), VIRTIO_ID_BLOCK);
	assert_int_equal(f0 & (uint32_t)F_BLK, (uint32_t)F_BLK);
	assert_false(f0 & (1u << VIRTIO_BLK_F_RO));
	assert_int_equal(virtio_get_status(dev) & 0xf, 0xf);
}

static void test_read(void **state)
{
	uint32_t id, len;

	memset(disk.data + 1024, 0x5a, 1024);
	request(0, 0, VIRTIO_BLK_T_IN, 2, 1024, W);
	virtio_notify_queue(dev, 0);
	/* Nothing lands before the disk completes. */
	assert_int_equal(status(0), 0xee);
	assert_int_equal(fv_used_idx(&fd, 0), 0);
	virtio_blk_poll(dev, 0);
	assert_int_equal(status(0), VIRTIO_BLK_S_OK);
	assert_int_equal(fd.host[DATA(0)], 0x5a);
	assert_int_equal(fd.host[DATA(0) + 1023], 0x5a);
	fv_used_elem(&fd, 0, 0, &id, &len);
	assert_int_equal(id, 0);
	assert_int_equal(len, 1025);
	assert_int_equal(fd.queue_irqs[0], 1);
}

static void test_write_then_read(void **state)
{
	memset(fd.host + DATA(0), 0xa5, 512);
	request(0, 0, VIRTIO_BLK_T_OUT, 127, 512, R);
	run(0);
	assert_int_equal(status(0), VIRTIO_BLK_S_OK);
	assert_int_equal(disk.data[DISK - 1], 0xa5);
	request(0, 1, VIRTIO_BLK_T_IN, 127, 512, W);
	run(0);
	assert_int_equal(status(1), VIRTIO_BLK_S_OK);
	assert_memory_equal(fd.host + DATA(1), fd.host + DATA(0), 512);
}

static void test_readonly(void **state)
{
	struct virtio_blk_params p = params();

	teardown(state);
	fake_disk_init(&disk, DISK);
	p.backend = fake_disk_backend(&disk);
	p.readonly = true;
	assert_int_equal(start_with(&p, FV_CORE_FEATURES |
						FV_F(VIRTIO_BLK_F_RO)),
			 0);
	assert_true(virtio_get_device_features(dev, 0) &
		    (1u << VIRTIO_BLK_F_RO));
	assert_false(virtio_get_device_features(dev, 0) &
		     (1u << VIRTIO_BLK_F_DISCARD));
	memset(fd.host + DATA(0), 0xa5, 512);
	request(0, 0, VIRTIO_BLK_T_OUT, 0, 512, R);
	run(0);
	assert_int_equal(status(0), VIRTIO_BLK_S_IOERR);
	assert_int_equal(disk.data[0], 0);
	assert_int_equal(disk.submits, 0);
	request(0, 1, VIRTIO_BLK_T_IN, 0, 512, W);
	run(0);
	assert_int_equal(status(1), VIRTIO_BLK_S_OK);
}

static void expect_ioerr(uint32_t type, uint64_t sector, uint32_t len,
			 uint16_t dflags)
{
	request(0, 0, type, sector, len, dflags);
	run(0);
	assert_int_equal(status(0), VIRTIO_BLK_S_IOERR);
	assert_int_equal(disk.submits, 0);
	assert_false(fv_needs_reset(&fd));
}

static void test_read_past_end(void **state)
{
	expect_ioerr(VIRTIO_BLK_T_IN, DISK / 512, 512, W);
}

static void test_read_straddles_end(void **state)
{
	expect_ioerr(VIRTIO_BLK_T_IN, DISK / 512 - 1, 1024, W);
}

static void test_read_huge_sector(void **state)
{
	/* sector * 512 would wrap to 0. */
	expect_ioerr(VIRTIO_BLK_T_IN, 1ull << 55, 512, W);
}

static void test_write_partial_sector(void **state)
{
	expect_ioerr(VIRTIO_BLK_T_OUT, 0, 100, R);
}

static void test_read_without_data(void **state)
{
	expect_ioerr(VIRTIO_BLK_T_IN, 0, 0, 0);
}

static void test_read_into_readable_buffer(void **state)
{
	/* Data the device must write, offered device-readable. */
	expect_ioerr(VIRTIO_BLK_T_IN, 0, 512, R);
}

static void test_size_max_enforced(void **state)
{
	expect_ioerr(VIRTIO_BLK_T_IN, 0, 8192, W);
}

static void test_seg_max_segments_fit(void **state)
{
	unsigned i;

	/* Four 4 KiB segments are fine; five do not fit seg_max. */
	header(0, VIRTIO_BLK_T_IN, 0);
	fv_desc(&fd, 0, 0, HDR(0), 16, N, 1);
	for (i = 1; i <= 4; i++)
		fv_desc(&fd, 0, i, DATA(0) + 4096ull * (i - 1), 4096, W | N,
			i + 1);
	fv_desc(&fd, 0, 5, STS(0), 1, W, 0);
	fv_publish(&fd, 0, 0);
	run(0);
	assert_int_equal(status(0), VIRTIO_BLK_S_OK);
	assert_int_equal(disk.last.iovcnt, 4);
}

static void test_seg_max_exceeded_breaks_ring(void **state)
{
	unsigned i;

	header(0, VIRTIO_BLK_T_IN, 0);
	fv_desc(&fd, 0, 0, HDR(0), 16, N, 1);
	for (i = 1; i <= 5; i++)
		fv_desc(&fd, 0, i, DATA(0) + 512ull * i, 512, W | N, i + 1);
	fv_desc(&fd, 0, 6, STS(0), 1, W, 0);
	fv_publish(&fd, 0, 0);
	run(0);
	assert_true(fv_needs_reset(&fd));
	assert_int_equal(disk.submits, 0);
}

static void test_no_writable_status(void **state)
{
	/* The status byte offered device-readable: nothing can report the
	 * outcome, so the device breaks. */
	header(0, VIRTIO_BLK_T_IN, 0);
	fv_desc(&fd, 0, 0, HDR(0), 16, N, 1);
	fv_desc(&fd, 0, 1, STS(0), 1, R, 0);
	fv_publish(&fd, 0, 0);
	run(0);
	assert_true(fv_needs_reset(&fd));
	assert_int_equal(fd.config_irqs, 1);
	assert_int_equal(fd.host[STS(0)], 0xee);
	assert_int_equal(fv_used_idx(&fd, 0), 0);
}

static void test_short_header(void **state)
{
	fv_desc(&fd, 0, 0, HDR(0), 8, N, 1);
	fv_desc(&fd, 0, 1, STS(0), 1, W, 0);
	fd.host[STS(0)] = 0xee;
	fv_publish(&fd, 0, 0);
	run(0);
	assert_int_equal(status(0), VIRTIO_BLK_S_IOERR);
}

static void test_flush(void **state)
{
	request(0, 0, VIRTIO_BLK_T_FLUSH, 0, 0, 0);
	run(0);
	assert_int_equal(status(0), VIRTIO_BLK_S_OK);
	assert_int_equal(disk.flushes, 1);
}

static void test_get_id(void **state)
{
	uint32_t id, len;

	request(0, 0, VIRTIO_BLK_T_GET_ID, 0, 20, W);
	virtio_notify_queue(dev, 0);	/* served at once */
	assert_int_equal(status(0), VIRTIO_BLK_S_OK);
	assert_memory_equal(fd.host + DATA(0), "vireo-serial-0123456", 20);
	fv_used_elem(&fd, 0, 0, &id, &len);
	assert_int_equal(len, 21);
}

static void test_unknown_type(void **state)
{
	request(0, 0, 99, 0, 0, 0);
	run(0);
	assert_int_equal(status(0), VIRTIO_BLK_S_UNSUPP);
	assert_false(fv_needs_reset(&fd));
}

/* A discard-style request with segment (sector, n, flags) at DATA(0). */
static void discard_req(uint32_t type, uint64_t sector, uint32_t n,
			uint32_t flags)
{
	uint32_t seg[4] = { htole32((uint32_t)sector),
			    htole32((uint32_t)(sector >> 32)), htole32(n),
			    htole32(flags) };

	memcpy(fd.host + DATA(0), seg, sizeof(seg));
	request(0, 0, type, 0, 16, R);
	run(0);
}

static void test_discard(void **state)
{
	memset(disk.data, 0xff, DISK);
	discard_req(VIRTIO_BLK_T_DISCARD, 4, 8, 0);
	assert_int_equal(status(0), VIRTIO_BLK_S_OK);
	assert_int_equal(disk.last.op, VBLK_DISCARD);
	assert_int_equal(disk.last.offset, 2048);
	assert_int_equal(disk.last.len, 4096);
	/* The unmap flag is not allowed with DISCARD. */
	discard_req(VIRTIO_BLK_T_DISCARD, 4, 8, 1);
	assert_int_equal(status(0), VIRTIO_BLK_S_UNSUPP);
	/* Over max_discard_sectors, and past the end. */
	discard_req(VIRTIO_BLK_T_DISCARD, 0, 33, 0);
	assert_int_equal(status(0), VIRTIO_BLK_S_IOERR);
	discard_req(VIRTIO_BLK_T_DISCARD, DISK / 512 - 4, 8, 0);
	assert_int_equal(status(0), VIRTIO_BLK_S_IOERR);
	discard_req(VIRTIO_BLK_T_DISCARD, 0, 0, 0);
	assert_int_equal(status(0), VIRTIO_BLK_S_IOERR);
	assert_int_equal(disk.submits, 1);
}

static void test_discard_two_segments(void **state)
{
	request(0, 0, VIRTIO_BLK_T_DISCARD, 0, 32, R);
	run(0);
	assert_int_equal(status(0), VIRTIO_BLK_S_IOERR);
}

static void test_write_zeroes(void **state)
{
	memset(disk.data, 0xff, DISK);
	discard_req(VIRTIO_BLK_T_WRITE_ZEROES, 1, 2, 1);
	assert_int_equal(status(0), VIRTIO_BLK_S_OK);
	assert_int_equal(disk.last.op, VBLK_WRITE_ZEROES);
	assert_true(disk.last.unmap);
	assert_int_equal(disk.data[511], 0xff);
	assert_int_equal(disk.data[512], 0);
	assert_int_equal(disk.data[1535], 0);
	assert_int_equal(disk.data[1536], 0xff);
	discard_req(VIRTIO_BLK_T_WRITE_ZEROES, 1, 2, 2);
	assert_int_equal(status(0), VIRTIO_BLK_S_UNSUPP);
}

static void test_discard_not_negotiated(void **state)
{
	struct virtio_blk_params p = params();

	teardown(state);
	fake_disk_init(&disk, DISK);
	p.backend = fake_disk_backend(&disk);
	assert_int_equal(start_with(&p, FV_CORE_FEATURES), 0);
	discard_req(VIRTIO_BLK_T_DISCARD, 0, 8, 0);
	assert_int_equal(status(0), VIRTIO_BLK_S_UNSUPP);
	discard_req(VIRTIO_BLK_T_WRITE_ZEROES, 0, 8, 0);
	assert_int_equal(status(0), VIRTIO_BLK_S_UNSUPP);
}

static void test_backend_error_and_refusal(void **state)
{
	disk.result = -EIO;
	request(0, 0, VIRTIO_BLK_T_IN, 0, 512, W);
	run(0);
	assert_int_equal(status(0), VIRTIO_BLK_S_IOERR);
	disk.result = 0;
	disk.refuse = -EINVAL;
	request(0, 1, VIRTIO_BLK_T_IN, 0, 512, W);
	run(0);
	assert_int_equal(status(1), VIRTIO_BLK_S_IOERR);
	assert_int_equal(fv_used_idx(&fd, 0), 2);
	assert_false(fv_needs_reset(&fd));
}

static void test_second_queue(void **state)
{
	memset(disk.data, 0x11, 512);
	request(1, 0, VIRTIO_BLK_T_IN, 0, 512, W);
	virtio_notify_queue(dev, 1);
	virtio_blk_poll(dev, 0);	/* the other queue's completions */
	assert_int_equal(status(0), 0xee);
	virtio_blk_poll(dev, 1);
	assert_int_equal(status(0), VIRTIO_BLK_S_OK);
	assert_int_equal(fd.host[DATA(0)], 0x11);
	assert_int_equal(fv_used_idx(&fd, 1), 1);
	assert_int_equal(fd.queue_irqs[1], 1);
	assert_int_equal(fv_used_idx(&fd, 0), 0);
}

/* Four requests made available at once, one kick: the backend gets
 * them all inside one plug (one io_uring_enter for the batch), and their
 * completions in one poll raise one interrupt, not four (here without
 * EVENT_IDX, so nothing on the driver's side suppresses them). */
static void test_batch_one_submit_one_interrupt(void **state)
{
	struct virtio_blk_params p = params();
	struct virtio_blk_stats st;
	unsigned s;

	teardown(state);
	fake_disk_init(&disk, DISK);
	p.backend = fake_disk_backend(&disk);
	assert_int_equal(start_with(&p, F_BLK & ~FV_F(VIRTIO_F_RING_EVENT_IDX)),
			 0);
	for (s = 0; s < 4; s++)
		request(0, s, VIRTIO_BLK_T_IN, s, 512, W);
	virtio_notify_queue(dev, 0);
	assert_int_equal(disk.submits, 4);
	assert_int_equal(disk.submits_plugged, 4);
	assert_int_equal(disk.plugs, 1);
	assert_int_equal(disk.unplugs, 1);
	assert_false(disk.plugged);
	assert_int_equal(fd.queue_irqs[0], 0);
	virtio_blk_poll(dev, 0);
	assert_int_equal(fv_used_idx(&fd, 0), 4);
	for (s = 0; s < 4; s++)
		assert_int_equal(status(s), VIRTIO_BLK_S_OK);
	assert_int_equal(fd.queue_irqs[0], 1);
	virtio_blk_get_stats(dev, &st);
	assert_int_equal(st.requests, 4);
	assert_int_equal(st.runs, 1);
	assert_int_equal(st.max_run, 4);
	assert_int_equal(st.polls, 1);
	assert_int_equal(st.completions, 4);
	/* A poll with nothing done raises nothing. */
	virtio_blk_poll(dev, 0);
	assert_int_equal(fd.queue_irqs[0], 1);
}

static void test_full_queue_resumes(void **state)
{
	unsigned i;

	/* QSIZE requests in flight, then the driver offers chain 0 again
	 * (a hostile driver may): it waits for a free slot. */
	for (i = 0; i < QSIZE; i++) {
		header(0, VIRTIO_BLK_T_FLUSH, 0);
		fv_publish(&fd, 0, 0);
	}
	fv_desc(&fd, 0, 0, HDR(0), 16, N, 1);
	fv_desc(&fd, 0, 1, STS(0), 1, W, 0);
	virtio_notify_queue(dev, 0);
	assert_int_equal(disk.submits, QSIZE);
	fv_publish(&fd, 0, 0);
	virtio_notify_queue(dev, 0);
	assert_int_equal(disk.submits, QSIZE);
	virtio_blk_poll(dev, 0);
	assert_int_equal(disk.submits, QSIZE + 1);
	assert_int_equal(fv_used_idx(&fd, 0), QSIZE);
	virtio_blk_poll(dev, 0);
	assert_int_equal(fv_used_idx(&fd, 0), QSIZE + 1);
	assert_false(fv_needs_reset(&fd));
}

static void test_reset_with_requests_in_flight(void **state)
{
	memset(disk.data, 0x77, 1024);
	request(0, 0, VIRTIO_BLK_T_IN, 0, 512, W);
	request(1, 1, VIRTIO_BLK_T_IN, 1, 512, W);
	virtio_notify_queue(dev, 0);
	virtio_notify_queue(dev, 1);
	virtio_set_status(dev, 0);
	assert_int_not_equal(virtio_get_status(dev), 0);
	virtio_blk_poll(dev, 0);
	assert_int_not_equal(virtio_get_status(dev), 0);
	virtio_blk_poll(dev, 1);
	assert_int_equal(virtio_get_status(dev), 0);
	/* Completed, but no status byte, used entry or interrupt. */
	assert_int_equal(status(0), 0xee);
	assert_int_equal(status(1), 0xee);
	assert_int_equal(fv_used_idx(&fd, 0), 0);
	assert_int_equal(fv_used_idx(&fd, 1), 0);
	assert_int_equal(fd.queue_irqs[0] + fd.queue_irqs[1], 0);
	/* The device works again after the reset. */
	fv_start(&fd, dev, F_BLK, 1, QSIZE);
	request(0, 2, VIRTIO_BLK_T_IN, 0, 512, W);
	run(0);
	assert_int_equal(status(2), VIRTIO_BLK_S_OK);
	assert_int_equal(fv_used_idx(&fd, 0), 1);
}

static void test_destroy_drains(void **state)
{
	request(0, 0, VIRTIO_BLK_T_IN, 0, 512, W);
	virtio_notify_queue(dev, 0);
	virtio_dev_destroy(dev);
	fd.dev = NULL;
	assert_int_equal(disk.drains, 2);
	assert_int_equal(disk.npending, 0);
	assert_int_equal(status(0), 0xee);
}

static volatile bool poller_stop;

/* The main loop's side: take completions until told to stop. */
static void *poller(void *arg)
{
	while (!poller_stop) {
		virtio_blk_poll(dev, 0);
		sched_yield();
	}
	return NULL;
}

/* The driver on one thread (kicks, and resets now and then while
 * requests are in flight), completions on another: the device lock keeps
 * them apart, every reset finishes, and the device keeps working. */
static void test_reset_races_completions(void **state)
{
	pthread_t t;
	unsigned i, resets = 0;

	poller_stop = false;
	assert_int_equal(pthread_create(&t, NULL, poller, NULL), 0);
	for (i = 0; i < 3000; i++) {
		while ((uint16_t)(fd.avail_idx[0] -
				  __atomic_load_n(&fv_used(&fd, 0)[1],
						  __ATOMIC_ACQUIRE)) >= 8)
			sched_yield();
		request(0, i % 4, VIRTIO_BLK_T_IN, i % 4, 512, W);
		virtio_notify_queue(dev, 0);
		if (i % 97 == 96) {
			virtio_set_status(dev, 0);
			while (virtio_get_status(dev) != 0)
				sched_yield();
			fv_start(&fd, dev, F_BLK, 2, QSIZE);
			resets++;
		}
	}
	poller_stop = true;
	pthread_join(t, NULL);
	assert_int_equal(resets, 30);
	assert_false(fv_needs_reset(&fd));
	virtio_blk_poll(dev, 0);
	assert_int_equal(fv_used_idx(&fd, 0), fd.avail_idx[0]);
}

static void test_seg_max_fits_queue(void **state)
{
	struct virtio_blk_params p = params();
	struct virtio_dev *d;
	uint32_t v;

	p.seg_max = 128;
	assert_int_equal(virtio_blk_create(&fd.mem, &p, &d), 0);
	virtio_config_read(d, VIRTIO_BLK_CFG_SEG_MAX, &v, 4);
	assert_int_equal(le32toh(v), QSIZE - 2);
	virtio_dev_destroy(d);
}

static void test_create_rejects_bad_params(void **state)
{
	struct virtio_blk_params p = params();
	struct virtio_dev *d;

	p.capacity = 1000;
	assert_int_equal(virtio_blk_create(&fd.mem, &p, &d), -EINVAL);
	p = params();
	p.block_size = 768;
	assert_int_equal(virtio_blk_create(&fd.mem, &p, &d), -EINVAL);
	p = params();
	p.queue_size = 24;
	assert_int_equal(virtio_blk_create(&fd.mem, &p, &d), -EINVAL);
	p = params();
	p.num_queues = 0;
	assert_int_equal(virtio_blk_create(&fd.mem, &p, &d), -EINVAL);
	p = params();
	p.backend.submit = NULL;
	assert_int_equal(virtio_blk_create(&fd.mem, &p, &d), -EINVAL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_config_and_features),
		T(test_read),
		T(test_write_then_read),
		T(test_readonly),
		T(test_read_past_end),
		T(test_read_straddles_end),
		T(test_read_huge_sector),
		T(test_write_partial_sector),
		T(test_read_without_data),
		T(test_read_into_readable_buffer),
		T(test_size_max_enforced),
		T(test_seg_max_segments_fit),
		T(test_seg_max_exceeded_breaks_ring),
		T(test_no_writable_status),
		T(test_short_header),
		T(test_flush),
		T(test_get_id),
		T(test_unknown_type),
		T(test_discard),
		T(test_discard_two_segments),
		T(test_write_zeroes),
		T(test_discard_not_negotiated),
		T(test_backend_error_and_refusal),
		T(test_second_queue),
		T(test_batch_one_submit_one_interrupt),
		T(test_full_queue_resumes),
		T(test_reset_with_requests_in_flight),
		T(test_destroy_drains),
		T(test_reset_races_completions),
		T(test_seg_max_fits_queue),
		T(test_create_rejects_bad_params),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
