/* Unit tests for the packed-virtqueue walker (src/virtio/virtq_packed.c)
 * against fake guest memory: lists, indirect tables, buffer ids, used
 * descriptors written with the device's wrap counter and skipping whole
 * lists, laps around a queue whose size is not a power of two, the
 * driver's event suppression (enable, disable, a descriptor event with
 * EVENT_IDX), and malformed rings, each ending in NEEDS_RESET. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "fake_virtq.h"

#define W	VIRTQ_DESC_F_WRITE
#define N	VIRTQ_DESC_F_NEXT
#define IND	VIRTQ_DESC_F_INDIRECT
#define AVAIL	(1u << 7)
#define USED	(1u << 15)
#define PACKED	FV_F(VIRTIO_F_RING_PACKED)

static struct fake_driver fd;
static struct fv_dev *td;
static uint16_t qsize;
/* The driver's side: next descriptor to fill, and its wrap counter. */
static uint16_t drv_pos;
static bool drv_wrap;

struct elem {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;		/* W, N, IND */
};

static int start(uint64_t features, uint16_t size)
{
	fv_init(&fd);
	td = fv_dev_new(&fd, 1, 256, PACKED);
	if (!td)
		return -1;
	qsize = size;
	drv_pos = 0;
	drv_wrap = true;
	fv_start(&fd, &td->vdev, features, 1, size);
	return fv_needs_reset(&fd) ? -1 : 0;
}

static int setup(void **state)
{
	return start(FV_CORE_FEATURES | PACKED, 8);
}

static int teardown(void **state)
{
	fv_fini(&fd);
	return 0;
}

static uint8_t *slot(uint16_t i)
{
	return fd.host + FV_RING(0) + 16ull * i;
}

/* Write descriptor i; its flags last, as a driver must. */
static void pdesc(uint16_t i, uint64_t addr, uint32_t len, uint16_t id,
		  uint16_t flags)
{
	memcpy(slot(i), &addr, 8);
	memcpy(slot(i) + 8, &len, 4);
	memcpy(slot(i) + 12, &id, 2);
	memcpy(slot(i) + 14, &flags, 2);
}

static uint16_t avail_flags(void)
{
	return drv_wrap ? AVAIL : USED;
}

/* Make a list of n elements available with buffer id `id`. */
static void offer(const struct elem *e, unsigned n, uint16_t id)
{
	uint16_t first = drv_pos, first_flags = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		uint16_t f = e[i].flags | avail_flags();

		if (i == 0)
			first_flags = f;
		else
			pdesc(drv_pos, e[i].addr, e[i].len,
			      i == n - 1 ? id : 0, f);
		if (++drv_pos == qsize) {
			drv_pos = 0;
			drv_wrap = !drv_wrap;
		}
	}
	pdesc(first, e[0].addr, e[0].len, n == 1 ? id : 0, first_flags);
}

static int pop(struct iovec *iov, unsigned max, struct virtq_chain *c)
{
	int r;

	virtio_dev_lock(&td->vdev);
	r = virtq_pop(virtio_dev_queue(&td->vdev, 0), iov, max, c);
	virtio_dev_unlock(&td->vdev);
	return r;
}

static void push(uint16_t id, uint32_t len)
{
	struct virtq *vq = virtio_dev_queue(&td->vdev, 0);

	virtio_dev_lock(&td->vdev);
	virtq_push(vq, id, len);
	virtq_notify(vq);
	virtio_dev_unlock(&td->vdev);
}

static void used_desc(uint16_t i, uint16_t *id, uint32_t *len,
		      uint16_t *flags)
{
	memcpy(len, slot(i) + 8, 4);
	memcpy(id, slot(i) + 12, 2);
	memcpy(flags, slot(i) + 14, 2);
}

static void test_list(void **state)
{
	const struct elem e[] = { { FV_BUF, 16, N }, { FV_BUF + 0x100, 64, W | N },
				  { FV_BUF + 0x200, 1, W } };
	struct iovec iov[8];
	struct virtq_chain c;
	uint16_t id, flags;
	uint32_t len;

	offer(e, 3, 5);
	assert_int_equal(pop(iov, 8, &c), 1);
	assert_int_equal(c.head, 5);
	assert_int_equal(c.n_out, 1);
	assert_int_equal(c.n_in, 2);
	assert_int_equal(c.in_bytes, 65);
	assert_ptr_equal(iov[1].iov_base, fd.host + FV_BUF + 0x100);
	assert_int_equal(pop(iov, 8, &c), 0);
	push(5, 65);
	used_desc(0, &id, &len, &flags);
	assert_int_equal(id, 5);
	assert_int_equal(len, 65);
	assert_int_equal(flags, AVAIL | USED | W);
	assert_int_equal(fd.queue_irqs[0], 1);
	/* The next used descriptor goes after the whole list. */
	offer(&e[2], 1, 2);
	assert_int_equal(pop(iov, 8, &c), 1);
	push(2, 0);
	used_desc(3, &id, &len, &flags);
	assert_int_equal(id, 2);
	assert_int_equal(flags, AVAIL | USED);
}

static void test_laps_odd_size(void **state)
{
	const struct elem e[] = { { FV_BUF, 8, W | N }, { FV_BUF + 8, 8, W } };
	struct iovec iov[4];
	struct virtq_chain c;
	uint16_t id, flags;
	uint32_t len;
	unsigned i;

	teardown(state);
	assert_int_equal(start(FV_CORE_FEATURES | PACKED, 5), 0);
	/* Lists of two in a ring of five: they straddle the end. */
	for (i = 0; i < 12; i++) {
		offer(e, 2, (uint16_t)(i % 5));
		assert_int_equal(pop(iov, 4, &c), 1);
		assert_int_equal(c.head, i % 5);
		assert_int_equal(c.n_in, 2);
		push(c.head, 16);
	}
	/* 24 descriptors: the last used one sits at 22 % 5 = 2 in the
	 * fifth lap, whose wrap counter is 1 again. */
	used_desc(2, &id, &len, &flags);
	assert_int_equal(id, 11 % 5);
	assert_int_equal(flags, AVAIL | USED | W);
	assert_int_equal(pop(iov, 4, &c), 0);
	assert_false(fv_needs_reset(&fd));
}

static void test_indirect(void **state)
{
	uint64_t t = FV_BUF + 0x1000;
	const struct elem e[] = { { t, 32, IND } };
	struct iovec iov[4];
	struct virtq_chain c;

	pdesc(0, 0, 0, 0, 0);
	memcpy(fd.host + t, &(uint64_t){ FV_BUF }, 8);
	memcpy(fd.host + t + 8, &(uint32_t){ 16 }, 4);
	memcpy(fd.host + t + 16, &(uint64_t){ FV_BUF + 0x40 }, 8);
	memcpy(fd.host + t + 24, &(uint32_t){ 4 }, 4);
	memcpy(fd.host + t + 30, &(uint16_t){ W }, 2);
	offer(e, 1, 7);
	assert_int_equal(pop(iov, 4, &c), 1);
	assert_int_equal(c.head, 7);
	assert_int_equal(c.n_out, 1);
	assert_int_equal(c.n_in, 1);
	assert_int_equal(c.in_bytes, 4);
}

static void test_unpop(void **state)
{
	const struct elem e[] = { { FV_BUF, 8, N }, { FV_BUF, 8, W } };
	struct iovec iov[4];
	struct virtq_chain c;

	offer(e, 2, 1);
	assert_int_equal(pop(iov, 4, &c), 1);
	virtio_dev_lock(&td->vdev);
	virtq_unpop(virtio_dev_queue(&td->vdev, 0));
	virtio_dev_unlock(&td->vdev);
	assert_int_equal(pop(iov, 4, &c), 1);
	assert_int_equal(c.head, 1);
	assert_int_equal(pop(iov, 4, &c), 0);
}

static void driver_event(uint16_t desc, uint16_t flags)
{
	uint16_t *evt = (uint16_t *)(fd.host + FV_RING(0) + 0x1000);

	evt[0] = desc;
	evt[1] = flags;
}

static void one_round(uint16_t id)
{
	const struct elem e[] = { { FV_BUF, 8, W } };
	struct iovec iov[2];
	struct virtq_chain c;

	offer(e, 1, id);
	assert_int_equal(pop(iov, 2, &c), 1);
	push(id, 8);
}

static void test_event_suppression(void **state)
{
	driver_event(0, 1);	/* DISABLE */
	one_round(0);
	assert_int_equal(fd.queue_irqs[0], 0);
	driver_event(0, 0);	/* ENABLE */
	one_round(1);
	assert_int_equal(fd.queue_irqs[0], 1);
	/* DESC: only when descriptor 4 of this lap is used. */
	driver_event(0x8000 | 4, 2);
	one_round(2);
	one_round(3);
	assert_int_equal(fd.queue_irqs[0], 1);
	one_round(4);
	assert_int_equal(fd.queue_irqs[0], 2);
	one_round(5);
	assert_int_equal(fd.queue_irqs[0], 2);
	/* The device never asks the driver to hold back kicks. */
	assert_int_equal(((uint16_t *)(fd.host + FV_RING(0) + 0x2000))[1], 0);
}

/* ---- malformed packed rings ---- */

static void expect_device_error(void)
{
	struct iovec iov[16];
	struct virtq_chain c;

	assert_int_equal(pop(iov, 16, &c), -EIO);
	assert_true(fv_needs_reset(&fd));
	assert_int_equal(fd.config_irqs, 1);
	assert_int_equal(pop(iov, 16, &c), 0);
}

static void test_bad_list_into_unavailable(void **state)
{
	/* NEXT on a descriptor whose successor was never made available. */
	pdesc(0, FV_BUF, 8, 0, N | avail_flags());
	expect_device_error();
}

static void test_bad_list_longer_than_queue(void **state)
{
	struct elem e[9];
	unsigned i;

	for (i = 0; i < 9; i++)
		e[i] = (struct elem){ FV_BUF, 8, N };
	/* Eight descriptors, all with NEXT: the list never ends. */
	offer(e, 8, 0);
	expect_device_error();
}

static void test_bad_buffer_id(void **state)
{
	const struct elem e[] = { { FV_BUF, 8, W } };

	offer(e, 1, 8);
	expect_device_error();
}

static void test_bad_indirect_without_feature(void **state)
{
	const struct elem e[] = { { FV_BUF + 0x1000, 16, IND } };

	teardown(state);
	assert_int_equal(start(FV_F(VIRTIO_F_VERSION_1) | PACKED, 8), 0);
	offer(e, 1, 0);
	expect_device_error();
}

static void test_bad_indirect_in_list(void **state)
{
	const struct elem e[] = { { FV_BUF, 8, N }, { FV_BUF + 0x1000, 16, IND } };

	offer(e, 2, 0);
	expect_device_error();
}

static void test_bad_nested_indirect(void **state)
{
	uint64_t t = FV_BUF + 0x1000;
	const struct elem e[] = { { t, 16, IND } };

	memcpy(fd.host + t, &(uint64_t){ t }, 8);
	memcpy(fd.host + t + 8, &(uint32_t){ 16 }, 4);
	memcpy(fd.host + t + 14, &(uint16_t){ IND }, 2);
	offer(e, 1, 0);
	expect_device_error();
}

static void test_bad_indirect_length(void **state)
{
	const struct elem e[] = { { FV_BUF + 0x1000, 20, IND } };

	offer(e, 1, 0);
	expect_device_error();
}

static void test_bad_buffer_in_hole(void **state)
{
	const struct elem e[] = { { FV_LOW + 0x100, 8, W } };

	offer(e, 1, 0);
	expect_device_error();
}

static void test_bad_readable_after_writable(void **state)
{
	const struct elem e[] = { { FV_BUF, 8, W | N }, { FV_BUF, 8, 0 } };

	offer(e, 2, 0);
	expect_device_error();
}

static void test_bad_zero_length(void **state)
{
	const struct elem e[] = { { FV_BUF, 0, W } };

	offer(e, 1, 0);
	expect_device_error();
}

static void enable_with(uint16_t size, uint64_t desc, uint64_t driver)
{
	teardown(NULL);
	fv_init(&fd);
	td = fv_dev_new(&fd, 1, 256, PACKED);
	fv_negotiate(&fd, &td->vdev, FV_CORE_FEATURES | PACKED);
	virtio_queue_write(&td->vdev, 0, VIRTIO_Q_SIZE, size);
	virtio_queue_write(&td->vdev, 0, VIRTIO_Q_DESC, desc);
	virtio_queue_write(&td->vdev, 0, VIRTIO_Q_DRIVER, driver);
	virtio_queue_write(&td->vdev, 0, VIRTIO_Q_DEVICE, FV_RING(0) + 0x2000);
	virtio_queue_write(&td->vdev, 0, VIRTIO_Q_ENABLE, 1);
}

static void test_bad_size_above_max(void **state)
{
	enable_with(300, FV_RING(0), FV_RING(0) + 0x1000);
	assert_true(fv_needs_reset(&fd));
}

static void test_bad_event_area_misaligned(void **state)
{
	enable_with(8, FV_RING(0), FV_RING(0) + 0x1002);
	assert_true(fv_needs_reset(&fd));
}

static void test_good_odd_size_enables(void **state)
{
	enable_with(300 - 45, FV_RING(0), FV_RING(0) + 0x1000);
	assert_false(fv_needs_reset(&fd));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_list),
		T(test_laps_odd_size),
		T(test_indirect),
		T(test_unpop),
		T(test_event_suppression),
		T(test_good_odd_size_enables),
		T(test_bad_list_into_unavailable),
		T(test_bad_list_longer_than_queue),
		T(test_bad_buffer_id),
		T(test_bad_indirect_without_feature),
		T(test_bad_indirect_in_list),
		T(test_bad_nested_indirect),
		T(test_bad_indirect_length),
		T(test_bad_buffer_in_hole),
		T(test_bad_readable_after_writable),
		T(test_bad_zero_length),
		T(test_bad_size_above_max),
		T(test_bad_event_area_misaligned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
