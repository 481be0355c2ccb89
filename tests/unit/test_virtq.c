/* Unit tests for the split-virtqueue walker (src/virtio/virtq.c) against
 * fake guest memory: good chains (direct, indirect, mixed, wrapping
 * indices, buffers above the hole), used-ring pushes, interrupt
 * suppression (NO_INTERRUPT, EVENT_IDX in both directions), and the
 * malformed rings: each must end in NEEDS_RESET with a config interrupt,
 * after which the queue is no longer served. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "fake_virtq.h"

#define QSIZE	16
#define W	VIRTQ_DESC_F_WRITE
#define N	VIRTQ_DESC_F_NEXT
#define IND	VIRTQ_DESC_F_INDIRECT

static struct fake_driver fd;
static struct fv_dev *td;

static int setup_features(uint64_t features)
{
	fv_init(&fd);
	td = fv_dev_new(&fd, 2, 256, 0);
	if (!td)
		return -1;
	fv_start(&fd, &td->vdev, features, 1, QSIZE);
	return 0;
}

static int setup(void **state)
{
	return setup_features(FV_CORE_FEATURES);
}

static int teardown(void **state)
{
	fv_fini(&fd);
	return 0;
}

static struct virtq *vq0(void)
{
	return virtio_dev_queue(&td->vdev, 0);
}

static int pop(struct iovec *iov, unsigned max, struct virtq_chain *c)
{
	int r;

	virtio_dev_lock(&td->vdev);
	r = virtq_pop(vq0(), iov, max, c);
	virtio_dev_unlock(&td->vdev);
	return r;
}

/* The one ending every malformed case: an error, NEEDS_RESET, one
 * config interrupt, and nothing served afterwards. */
static void expect_error_iov(unsigned max_iov)
{
	struct iovec iov[2 * QSIZE];
	struct virtq_chain c;

	assert_int_equal(pop(iov, max_iov, &c), -EIO);
	assert_true(fv_needs_reset(&fd));
	assert_int_equal(fd.config_irqs, 1);
	assert_int_equal(pop(iov, max_iov, &c), 0);
	assert_int_equal(fv_used_idx(&fd, 0), 0);
}

/* Room for any chain the queue can hold: the walker's own checks fire. */
static void expect_device_error(void)
{
	expect_error_iov(2 * QSIZE);
}

/* ---- good paths ---- */

static void test_simple_chain(void **state)
{
	struct iovec iov[8];
	struct virtq_chain c;
	uint32_t id, len;

	memcpy(fd.host + FV_BUF, "hello", 5);
	fv_desc(&fd, 0, 3, FV_BUF, 5, N, 7);
	fv_desc(&fd, 0, 7, FV_BUF + 0x100, 64, W | N, 1);
	fv_desc(&fd, 0, 1, FV_BUF + 0x200, 1, W, 0);
	fv_publish(&fd, 0, 3);
	assert_int_equal(pop(iov, 8, &c), 1);
	assert_int_equal(c.head, 3);
	assert_int_equal(c.n_out, 1);
	assert_int_equal(c.n_in, 2);
	assert_int_equal(c.out_bytes, 5);
	assert_int_equal(c.in_bytes, 65);
	assert_ptr_equal(iov[0].iov_base, fd.host + FV_BUF);
	assert_ptr_equal(iov[2].iov_base, fd.host + FV_BUF + 0x200);
	assert_int_equal(pop(iov, 8, &c), 0);

	virtio_dev_lock(&td->vdev);
	virtq_push(vq0(), 3, 42);
	virtq_notify(vq0());
	virtio_dev_unlock(&td->vdev);
	assert_int_equal(fv_used_idx(&fd, 0), 1);
	fv_used_elem(&fd, 0, 0, &id, &len);
	assert_int_equal(id, 3);
	assert_int_equal(len, 42);
	assert_int_equal(fd.queue_irqs[0], 1);
	assert_int_equal(virtio_isr_read_clear(&td->vdev), VIRTIO_ISR_QUEUE);
	assert_int_equal(virtio_isr_read_clear(&td->vdev), 0);
	assert_false(fv_needs_reset(&fd));
}

static void test_indirect_chain(void **state)
{
	uint64_t table = FV_BUF + 0x1000;
	struct iovec iov[8];
	struct virtq_chain c;

	fv_desc_at(&fd, table, 0, FV_BUF, 16, N, 2);
	fv_desc_at(&fd, table, 2, FV_BUF + 0x10, 512, W | N, 1);
	fv_desc_at(&fd, table, 1, FV_BUF + 0x300, 1, W, 0);
	/* A direct buffer first, then the table. */
	fv_desc(&fd, 0, 0, FV_BUF + 0x400, 8, N, 5);
	fv_desc(&fd, 0, 5, table, 3 * 16, IND, 0);
	fv_publish(&fd, 0, 0);
	assert_int_equal(pop(iov, 8, &c), 1);
	assert_int_equal(c.n_out, 2);
	assert_int_equal(c.n_in, 2);
	assert_int_equal(c.out_bytes, 24);
	assert_int_equal(c.in_bytes, 513);
	assert_ptr_equal(iov[1].iov_base, fd.host + FV_BUF);
	assert_false(fv_needs_reset(&fd));
}

static void test_high_region_buffer(void **state)
{
	struct iovec iov[2];
	struct virtq_chain c;

	fv_desc(&fd, 0, 0, FV_HIGH + 0x100, 0x1000, W, 0);
	fv_publish(&fd, 0, 0);
	assert_int_equal(pop(iov, 2, &c), 1);
	assert_ptr_equal(iov[0].iov_base, fd.host + FV_LOW + 0x100);
}

static void test_index_wraparound(void **state)
{
	struct iovec iov[2];
	struct virtq_chain c;
	unsigned i;

	/* Start both sides just below 65536 and run across it. */
	vq0()->last_avail = 65530;
	vq0()->used_idx = 65530;
	fd.avail_idx[0] = 65530;
	fv_desc(&fd, 0, 0, FV_BUF, 4, 0, 0);
	for (i = 0; i < 12; i++) {
		fv_publish(&fd, 0, 0);
		assert_int_equal(pop(iov, 2, &c), 1);
		virtio_dev_lock(&td->vdev);
		virtq_push(vq0(), 0, 0);
		virtio_dev_unlock(&td->vdev);
	}
	assert_int_equal(fv_used_idx(&fd, 0), (uint16_t)(65530 + 12));
	assert_int_equal(pop(iov, 2, &c), 0);
	assert_false(fv_needs_reset(&fd));
}

static void push_notify(uint16_t head)
{
	virtio_dev_lock(&td->vdev);
	virtq_push(vq0(), head, 0);
	virtq_notify(vq0());
	virtio_dev_unlock(&td->vdev);
}

static void test_event_idx_used_event(void **state)
{
	struct iovec iov[2];
	struct virtq_chain c;
	unsigned i;

	fv_desc(&fd, 0, 0, FV_BUF, 4, 0, 0);
	/* The driver wants an interrupt once used idx passes 2. */
	fv_set_used_event(&fd, 0, 2);
	for (i = 0; i < 5; i++) {
		fv_publish(&fd, 0, 0);
		assert_int_equal(pop(iov, 2, &c), 1);
		push_notify(0);
	}
	/* The first check always signals; then only the crossing of 2. */
	assert_int_equal(fd.queue_irqs[0], 2);
	/* The device asked for a kick at the next buffer. */
	assert_int_equal(pop(iov, 2, &c), 0);
	assert_int_equal(fv_avail_event(&fd, 0), 5);
}

static void test_no_interrupt_flag(void **state)
{
	struct iovec iov[2];
	struct virtq_chain c;

	teardown(state);
	assert_int_equal(setup_features(FV_F(VIRTIO_F_VERSION_1)), 0);
	fv_desc(&fd, 0, 0, FV_BUF, 4, 0, 0);
	fv_avail(&fd, 0)[0] = VIRTQ_AVAIL_F_NO_INTERRUPT;
	fv_publish(&fd, 0, 0);
	assert_int_equal(pop(iov, 2, &c), 1);
	push_notify(0);
	assert_int_equal(fd.queue_irqs[0], 0);
	fv_avail(&fd, 0)[0] = 0;
	fv_publish(&fd, 0, 0);
	assert_int_equal(pop(iov, 2, &c), 1);
	push_notify(0);
	assert_int_equal(fd.queue_irqs[0], 1);
	/* Without EVENT_IDX the device writes no avail_event. */
	assert_int_equal(fv_avail_event(&fd, 0), 0);
}

static void test_iov_copy(void **state)
{
	uint8_t a[3] = { 1, 2, 3 }, b[5] = { 4, 5, 6, 7, 8 }, out[8];
	struct iovec iov[2] = { { a, 3 }, { b, 5 } };

	assert_int_equal(iov_to_buf(iov, 2, 2, out, 8), 6);
	assert_memory_equal(out, "\x03\x04\x05\x06\x07\x08", 6);
	assert_int_equal(iov_from_buf(iov, 2, 4, "xy", 2), 2);
	assert_memory_equal(b, "\x04xy\x07\x08", 5);
	assert_int_equal(iov_to_buf(iov, 2, 9, out, 1), 0);
}

static void test_reset_clears_error(void **state)
{
	struct iovec iov[2];
	struct virtq_chain c;

	fv_desc(&fd, 0, 0, FV_BUF, 0, 0, 0);
	fv_publish(&fd, 0, 0);
	expect_device_error();
	virtio_set_status(&td->vdev, 0);
	assert_int_equal(virtio_get_status(&td->vdev), 0);
	fv_start(&fd, &td->vdev, FV_CORE_FEATURES, 1, QSIZE);
	assert_false(fv_needs_reset(&fd));
	fv_desc(&fd, 0, 0, FV_BUF, 4, 0, 0);
	fv_publish(&fd, 0, 0);
	assert_int_equal(pop(iov, 2, &c), 1);
}

/* ---- malformed rings: each ends in expect_device_error() ---- */

static void test_bad_loop(void **state)
{
	fv_desc(&fd, 0, 0, FV_BUF, 4, N, 1);
	fv_desc(&fd, 0, 1, FV_BUF, 4, N, 0);
	fv_publish(&fd, 0, 0);
	expect_device_error();
}

static void test_bad_self_loop(void **state)
{
	fv_desc(&fd, 0, 4, FV_BUF, 4, W | N, 4);
	fv_publish(&fd, 0, 4);
	expect_device_error();
}

static void test_bad_next_out_of_range(void **state)
{
	fv_desc(&fd, 0, 0, FV_BUF, 4, N, QSIZE);
	fv_publish(&fd, 0, 0);
	expect_device_error();
}

static void test_bad_head_out_of_range(void **state)
{
	fv_publish(&fd, 0, 0xffff);
	expect_device_error();
}

static void test_bad_nested_indirect(void **state)
{
	uint64_t t1 = FV_BUF + 0x1000, t2 = FV_BUF + 0x2000;

	fv_desc_at(&fd, t2, 0, FV_BUF, 4, 0, 0);
	fv_desc_at(&fd, t1, 0, t2, 16, IND, 0);
	fv_desc(&fd, 0, 0, t1, 16, IND, 0);
	fv_publish(&fd, 0, 0);
	expect_device_error();
}

static void test_bad_indirect_without_feature(void **state)
{
	uint64_t t = FV_BUF + 0x1000;

	teardown(state);
	assert_int_equal(setup_features(FV_F(VIRTIO_F_VERSION_1)), 0);
	fv_desc_at(&fd, t, 0, FV_BUF, 4, 0, 0);
	fv_desc(&fd, 0, 0, t, 16, IND, 0);
	fv_publish(&fd, 0, 0);
	expect_device_error();
}

static void test_bad_indirect_with_next(void **state)
{
	uint64_t t = FV_BUF + 0x1000;

	fv_desc_at(&fd, t, 0, FV_BUF, 4, 0, 0);
	fv_desc(&fd, 0, 0, t, 16, IND | N, 1);
	fv_desc(&fd, 0, 1, FV_BUF, 4, 0, 0);
	fv_publish(&fd, 0, 0);
	expect_device_error();
}

static void test_bad_indirect_len_zero(void **state)
{
	fv_desc(&fd, 0, 0, FV_BUF + 0x1000, 0, IND, 0);
	fv_publish(&fd, 0, 0);
	expect_device_error();
}

static void test_bad_indirect_len_not_multiple(void **state)
{
	fv_desc(&fd, 0, 0, FV_BUF + 0x1000, 24, IND, 0);
	fv_publish(&fd, 0, 0);
	expect_device_error();
}

static void test_bad_indirect_too_large(void **state)
{
	/* More entries than the queue has. */
	fv_desc(&fd, 0, 0, FV_BUF + 0x1000, 16 * (QSIZE + 1), IND, 0);
	fv_publish(&fd, 0, 0);
	expect_device_error();
}

static void test_bad_indirect_outside_ram(void **state)
{
	fv_desc(&fd, 0, 0, FV_RAM + FV_HIGH, 16, IND, 0);
	fv_publish(&fd, 0, 0);
	expect_device_error();
}

static void test_bad_indirect_in_hole(void **state)
{
	/* Straddles the end of low RAM into the hole. */
	fv_desc(&fd, 0, 0, FV_LOW - 16, 32, IND, 0);
	fv_publish(&fd, 0, 0);
	expect_device_error();
}

static void test_bad_indirect_loop(void **state)
{
	uint64_t t = FV_BUF + 0x1000;

	fv_desc_at(&fd, t, 0, FV_BUF, 4, N, 1);
	fv_desc_at(&fd, t, 1, FV_BUF, 4, N, 0);
	fv_desc(&fd, 0, 0, t, 32, IND, 0);
	fv_publish(&fd, 0, 0);
	expect_device_error();
}

static void test_bad_indirect_next_out_of_table(void **state)
{
	uint64_t t = FV_BUF + 0x1000;

	/* next is inside the queue but outside the 2-entry table. */
	fv_desc_at(&fd, t, 0, FV_BUF, 4, N, 2);
	fv_desc(&fd, 0, 0, t, 32, IND, 0);
	fv_publish(&fd, 0, 0);
	expect_device_error();
}

static void test_bad_zero_length(void **state)
{
	fv_desc(&fd, 0, 0, FV_BUF, 0, W, 0);
	fv_publish(&fd, 0, 0);
	expect_device_error();
}

static void test_bad_max_length(void **state)
{
	fv_desc(&fd, 0, 0, FV_BUF, 0xffffffff, W, 0);
	fv_publish(&fd, 0, 0);
	expect_device_error();
}

static void test_bad_address_wrap(void **state)
{
	fv_desc(&fd, 0, 0, 0xfffffffffffff000ull, 0x2000, 0, 0);
	fv_publish(&fd, 0, 0);
	expect_device_error();
}

static void test_bad_address_above_ram(void **state)
{
	fv_desc(&fd, 0, 0, gmem_top(&fd.mem), 1, W, 0);
	fv_publish(&fd, 0, 0);
	expect_device_error();
}

static void test_bad_address_in_hole(void **state)
{
	fv_desc(&fd, 0, 0, FV_LOW + 0x800, 16, W, 0);
	fv_publish(&fd, 0, 0);
	expect_device_error();
}

static void test_bad_buffer_crosses_hole(void **state)
{
	fv_desc(&fd, 0, 0, FV_LOW - 8, 16, 0, 0);
	fv_publish(&fd, 0, 0);
	expect_device_error();
}

static void test_bad_high_buffer_past_top(void **state)
{
	fv_desc(&fd, 0, 0, gmem_top(&fd.mem) - 8, 16, W, 0);
	fv_publish(&fd, 0, 0);
	expect_device_error();
}

static void test_bad_readable_after_writable(void **state)
{
	fv_desc(&fd, 0, 0, FV_BUF, 4, W | N, 1);
	fv_desc(&fd, 0, 1, FV_BUF + 16, 4, 0, 0);
	fv_publish(&fd, 0, 0);
	expect_device_error();
}

static void test_bad_readable_after_writable_indirect(void **state)
{
	uint64_t t = FV_BUF + 0x1000;

	fv_desc_at(&fd, t, 0, FV_BUF, 4, 0, 0);
	fv_desc(&fd, 0, 0, FV_BUF + 0x100, 4, W | N, 1);
	fv_desc(&fd, 0, 1, t, 16, IND, 0);
	fv_publish(&fd, 0, 0);
	expect_device_error();
}

static void test_bad_avail_jump(void **state)
{
	fv_desc(&fd, 0, 0, FV_BUF, 4, 0, 0);
	fv_avail(&fd, 0)[1] = QSIZE + 1;
	expect_device_error();
}

static void test_bad_avail_backwards(void **state)
{
	struct iovec iov[2];
	struct virtq_chain c;

	fv_desc(&fd, 0, 0, FV_BUF, 4, 0, 0);
	fv_publish(&fd, 0, 0);
	fv_publish(&fd, 0, 0);
	assert_int_equal(pop(iov, 2, &c), 1);
	assert_int_equal(pop(iov, 2, &c), 1);
	fv_avail(&fd, 0)[1] = 1;	/* 65535 ahead */
	expect_device_error();
}

static void test_bad_iov_capacity(void **state)
{
	unsigned i;

	for (i = 0; i < 9; i++)
		fv_desc(&fd, 0, i, FV_BUF + 16 * i, 4, i < 8 ? N : 0, i + 1);
	fv_publish(&fd, 0, 0);
	expect_error_iov(8);
}

/* Queue-level errors from the core, ending the same way. */
static void expect_core_error(void)
{
	assert_true(fv_needs_reset(&fd));
	assert_int_equal(fd.config_irqs, 1);
	assert_int_equal(td->notifies, 0);
}

static void test_bad_notify_missing_queue(void **state)
{
	virtio_notify_queue(&td->vdev, 2);
	expect_core_error();
	virtio_notify_queue(&td->vdev, 0xffffffff);
	assert_int_equal(fd.config_irqs, 1);
}

static void test_bad_notify_disabled_queue(void **state)
{
	virtio_notify_queue(&td->vdev, 1);	/* exists, never enabled */
	expect_core_error();
}

/* Set up queue 1 with `size` and rings at the given addresses after
 * DRIVER_OK, as a driver may. */
static void enable_q1(uint16_t size, uint64_t desc, uint64_t avail,
		      uint64_t used)
{
	virtio_queue_write(&td->vdev, 1, VIRTIO_Q_SIZE, size);
	virtio_queue_write(&td->vdev, 1, VIRTIO_Q_DESC, desc);
	virtio_queue_write(&td->vdev, 1, VIRTIO_Q_DRIVER, avail);
	virtio_queue_write(&td->vdev, 1, VIRTIO_Q_DEVICE, used);
	virtio_queue_write(&td->vdev, 1, VIRTIO_Q_ENABLE, 1);
}

static void test_bad_queue_size_not_pow2(void **state)
{
	enable_q1(12, FV_RING(1), FV_RING(1) + 0x1000, FV_RING(1) + 0x2000);
	expect_core_error();
}

static void test_bad_queue_size_zero(void **state)
{
	enable_q1(0, FV_RING(1), FV_RING(1) + 0x1000, FV_RING(1) + 0x2000);
	expect_core_error();
}

static void test_bad_queue_size_above_max(void **state)
{
	enable_q1(512, FV_RING(1), FV_RING(1) + 0x1000, FV_RING(1) + 0x2000);
	expect_core_error();
}

static void test_bad_ring_misaligned(void **state)
{
	enable_q1(16, FV_RING(1) + 8, FV_RING(1) + 0x1000,
		  FV_RING(1) + 0x2000);
	expect_core_error();
}

static void test_bad_ring_in_hole(void **state)
{
	enable_q1(16, FV_RING(1), FV_RING(1) + 0x1000, FV_LOW + 0x1000);
	expect_core_error();
}

static void test_good_queue_enable_reads_back(void **state)
{
	uint64_t v;

	enable_q1(64, FV_RING(1), FV_RING(1) + 0x1000, FV_RING(1) + 0x2000);
	assert_false(fv_needs_reset(&fd));
	assert_int_equal(virtio_queue_read(&td->vdev, 1, VIRTIO_Q_ENABLE, &v),
			 0);
	assert_int_equal(v, 1);
	/* Enabled queues ignore reconfiguration. */
	virtio_queue_write(&td->vdev, 1, VIRTIO_Q_SIZE, 8);
	virtio_queue_read(&td->vdev, 1, VIRTIO_Q_SIZE, &v);
	assert_int_equal(v, 64);
	assert_int_equal(virtio_queue_read(&td->vdev, 2, VIRTIO_Q_SIZE, &v),
			 -EINVAL);
	virtio_notify_queue(&td->vdev, 1);
	assert_int_equal(td->notifies, 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_simple_chain),
		T(test_indirect_chain),
		T(test_high_region_buffer),
		T(test_index_wraparound),
		T(test_event_idx_used_event),
		T(test_no_interrupt_flag),
		T(test_iov_copy),
		T(test_reset_clears_error),
		T(test_good_queue_enable_reads_back),
		T(test_bad_loop),
		T(test_bad_self_loop),
		T(test_bad_next_out_of_range),
		T(test_bad_head_out_of_range),
		T(test_bad_nested_indirect),
		T(test_bad_indirect_without_feature),
		T(test_bad_indirect_with_next),
		T(test_bad_indirect_len_zero),
		T(test_bad_indirect_len_not_multiple),
		T(test_bad_indirect_too_large),
		T(test_bad_indirect_outside_ram),
		T(test_bad_indirect_in_hole),
		T(test_bad_indirect_loop),
		T(test_bad_indirect_next_out_of_table),
		T(test_bad_zero_length),
		T(test_bad_max_length),
		T(test_bad_address_wrap),
		T(test_bad_address_above_ram),
		T(test_bad_address_in_hole),
		T(test_bad_buffer_crosses_hole),
		T(test_bad_high_buffer_past_top),
		T(test_bad_readable_after_writable),
		T(test_bad_readable_after_writable_indirect),
		T(test_bad_avail_jump),
		T(test_bad_avail_backwards),
		T(test_bad_iov_capacity),
		T(test_bad_notify_missing_queue),
		T(test_bad_notify_disabled_queue),
		T(test_bad_queue_size_not_pow2),
		T(test_bad_queue_size_zero),
		T(test_bad_queue_size_above_max),
		T(test_bad_ring_misaligned),
		T(test_bad_ring_in_hole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
