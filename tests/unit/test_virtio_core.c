/* Unit tests for the virtio core (src/virtio/virtio.c): feature windows
 * and negotiation, the status state machine, config space ranges and
 * generation, queue register access, and reset, also with requests still
 * in flight (the status stays non-zero until they are back, and nothing
 * reaches the rings after the reset). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "fake_virtq.h"

static struct fake_driver fd;
static struct fv_dev *td;

#define ACK_DRV (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER)

static int setup(void **state)
{
	fv_init(&fd);
	td = fv_dev_new(&fd, 2, 64, 0);
	return td ? 0 : -1;
}

static int teardown(void **state)
{
	fv_fini(&fd);
	return 0;
}

static void test_init_rejects_bad_queues(void **state)
{
	struct virtio_dev d;

	assert_int_equal(virtio_dev_init(&d, &fv_dev_ops, &fd.mem, 0, 64, 0),
			 -EINVAL);
	assert_int_equal(virtio_dev_init(&d, &fv_dev_ops, &fd.mem, 1, 48, 0),
			 -EINVAL);
	assert_int_equal(virtio_dev_init(&d, &fv_dev_ops, &fd.mem,
					 VIRTIO_MAX_QUEUES + 1, 64, 0),
			 -EINVAL);
}

static void test_device_features(void **state)
{
	struct virtio_dev *d = &td->vdev;

	assert_int_equal(virtio_get_device_features(d, 0),
			 (1u << VIRTIO_F_RING_INDIRECT_DESC) |
				 (1u << VIRTIO_F_RING_EVENT_IDX));
	assert_int_equal(virtio_get_device_features(d, 1), 1);
	assert_int_equal(virtio_get_device_features(d, 2), 0);
	assert_int_equal(virtio_device_id(d), 0x3f);
	assert_int_equal(virtio_num_queues(d), 2);
}

static void test_negotiation_ok(void **state)
{
	uint8_t s = fv_negotiate(&fd, &td->vdev, FV_CORE_FEATURES);

	assert_int_equal(s, ACK_DRV | VIRTIO_STATUS_FEATURES_OK);
	assert_true(virtio_has_feature(&td->vdev, VIRTIO_F_RING_EVENT_IDX));
	/* Feature writes after FEATURES_OK change nothing. */
	virtio_set_driver_features(&td->vdev, 0, 0);
	assert_int_equal(virtio_get_driver_features(&td->vdev, 0),
			 (uint32_t)FV_CORE_FEATURES);
	assert_int_equal(virtio_get_driver_features(&td->vdev, 1), 1);
	assert_int_equal(virtio_get_driver_features(&td->vdev, 7), 0);
}

static void test_negotiation_unoffered_feature(void **state)
{
	uint8_t s = fv_negotiate(&fd, &td->vdev,
				 FV_CORE_FEATURES | FV_F(5));

	assert_int_equal(s, ACK_DRV);
	assert_false(fv_needs_reset(&fd));
}

static void test_negotiation_without_version_1(void **state)
{
	uint8_t s = fv_negotiate(&fd, &td->vdev,
				 FV_F(VIRTIO_F_RING_EVENT_IDX));

	assert_int_equal(s, ACK_DRV);
	/* The driver may try again with other features. */
	virtio_set_driver_features(&td->vdev, 1, 1);
	virtio_set_status(&td->vdev, ACK_DRV | VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(virtio_get_status(&td->vdev),
			 ACK_DRV | VIRTIO_STATUS_FEATURES_OK);
}

static void test_driver_ok_without_features_ok(void **state)
{
	struct virtio_transport t = { .raise_queue = fv_raise_queue,
				       .raise_config = fv_raise_config,
				       .opaque = &fd };

	virtio_set_transport(&td->vdev, &t);
	virtio_set_status(&td->vdev, ACK_DRV | VIRTIO_STATUS_DRIVER_OK);
	assert_true(fv_needs_reset(&fd));
	assert_int_equal(td->activates, 0);
}

static void test_activate_failure(void **state)
{
	td->activate_ret = -EIO;
	fv_start(&fd, &td->vdev, FV_CORE_FEATURES, 1, 64);
	assert_int_equal(td->activates, 1);
	assert_true(fv_needs_reset(&fd));
	assert_int_equal(fd.config_irqs, 1);
}

static void test_status_bits_only_added(void **state)
{
	fv_start(&fd, &td->vdev, FV_CORE_FEATURES, 1, 64);
	/* Clearing DRIVER_OK or setting NEEDS_RESET from the driver side
	 * does nothing; FAILED may be added. */
	virtio_set_status(&td->vdev, VIRTIO_STATUS_ACKNOWLEDGE |
					     VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(virtio_get_status(&td->vdev),
			 ACK_DRV | VIRTIO_STATUS_FEATURES_OK |
				 VIRTIO_STATUS_DRIVER_OK);
	virtio_set_status(&td->vdev, VIRTIO_STATUS_FAILED);
	assert_true(virtio_get_status(&td->vdev) & VIRTIO_STATUS_FAILED);
	assert_int_equal(td->activates, 1);
}

static void test_queue_writes_before_features_ok(void **state)
{
	uint64_t v;

	virtio_set_status(&td->vdev, ACK_DRV);
	virtio_queue_write(&td->vdev, 0, VIRTIO_Q_SIZE, 8);
	virtio_queue_write(&td->vdev, 0, VIRTIO_Q_ENABLE, 1);
	virtio_queue_read(&td->vdev, 0, VIRTIO_Q_SIZE, &v);
	assert_int_equal(v, 64);
	virtio_queue_read(&td->vdev, 0, VIRTIO_Q_ENABLE, &v);
	assert_int_equal(v, 0);
	/* The MSI-X vector is the transport's and always writable. */
	virtio_queue_read(&td->vdev, 1, VIRTIO_Q_MSIX_VECTOR, &v);
	assert_int_equal(v, VIRTIO_NO_VECTOR);
	virtio_queue_write(&td->vdev, 1, VIRTIO_Q_MSIX_VECTOR, 3);
	virtio_queue_read(&td->vdev, 1, VIRTIO_Q_MSIX_VECTOR, &v);
	assert_int_equal(v, 3);
	assert_int_equal(virtio_queue_write(&td->vdev, 2, VIRTIO_Q_SIZE, 8),
			 -EINVAL);
}

static void test_notify_before_driver_ok(void **state)
{
	fv_negotiate(&fd, &td->vdev, FV_CORE_FEATURES);
	fv_setup_queue(&fd, 0, 64);
	virtio_notify_queue(&td->vdev, 0);	/* stale kick: ignored */
	assert_int_equal(td->notifies, 0);
	assert_false(fv_needs_reset(&fd));
	fv_driver_ok(&fd);
	virtio_notify_queue(&td->vdev, 0);
	assert_int_equal(td->notifies, 1);
}

static void test_config_space(void **state)
{
	uint8_t buf[8];

	memcpy(td->config, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	assert_int_equal(virtio_config_size(&td->vdev), 8);
	virtio_config_read(&td->vdev, 6, buf, 2);
	assert_memory_equal(buf, "\x07\x08", 2);
	/* Past the end, and an offset + length that wraps: zeros. */
	memset(buf, 0xaa, sizeof(buf));
	virtio_config_read(&td->vdev, 7, buf, 2);
	assert_memory_equal(buf, "\0\0", 2);
	virtio_config_read(&td->vdev, 0xffffffff, buf, 2);
	assert_memory_equal(buf, "\0\0", 2);
	virtio_config_write(&td->vdev, 0xfffffffe, "zz", 4);
	virtio_config_write(&td->vdev, 2, "zz", 2);
	assert_memory_equal(td->config, "\x01\x02zz\x05\x06\x07\x08", 8);
}

static void test_config_generation(void **state)
{
	uint32_t g = virtio_config_generation(&td->vdev);

	virtio_dev_lock(&td->vdev);
	virtio_config_changed(&td->vdev);
	virtio_dev_unlock(&td->vdev);
	assert_int_equal(virtio_config_generation(&td->vdev), g + 1);
	assert_int_equal(fd.config_irqs, 0);	/* driver not up yet */
	fv_start(&fd, &td->vdev, FV_CORE_FEATURES, 1, 64);
	virtio_dev_lock(&td->vdev);
	virtio_config_changed(&td->vdev);
	virtio_dev_unlock(&td->vdev);
	assert_int_equal(fd.config_irqs, 1);
	assert_int_equal(virtio_isr_read_clear(&td->vdev), VIRTIO_ISR_CONFIG);
}

static void test_reset_idle(void **state)
{
	uint64_t v;

	fv_start(&fd, &td->vdev, FV_CORE_FEATURES, 2, 32);
	virtio_set_status(&td->vdev, 0);
	assert_int_equal(virtio_get_status(&td->vdev), 0);
	assert_int_equal(td->resets, 1);
	assert_int_equal(virtio_get_driver_features(&td->vdev, 1), 0);
	virtio_queue_read(&td->vdev, 1, VIRTIO_Q_ENABLE, &v);
	assert_int_equal(v, 0);
	virtio_queue_read(&td->vdev, 1, VIRTIO_Q_SIZE, &v);
	assert_int_equal(v, 64);
	virtio_queue_read(&td->vdev, 1, VIRTIO_Q_DESC, &v);
	assert_int_equal(v, 0);
	/* And the device comes up again. */
	fv_start(&fd, &td->vdev, FV_CORE_FEATURES, 2, 32);
	assert_int_equal(td->activates, 2);
	assert_false(fv_needs_reset(&fd));
}

static void test_reset_with_requests_in_flight(void **state)
{
	struct virtq *vq;
	struct iovec iov[2];
	struct virtq_chain c;

	fv_start(&fd, &td->vdev, FV_CORE_FEATURES, 1, 32);
	fv_desc(&fd, 0, 0, FV_BUF, 4, VIRTQ_DESC_F_WRITE, 0);
	fv_publish(&fd, 0, 0);
	vq = virtio_dev_queue(&td->vdev, 0);
	assert_int_equal(virtq_pop(vq, iov, 2, &c), 1);

	td->in_flight = 1;
	virtio_set_status(&td->vdev, 0);
	/* Not done yet: the driver keeps reading a non-zero status, and
	 * what it writes meanwhile is ignored. */
	assert_int_not_equal(virtio_get_status(&td->vdev), 0);
	virtio_set_status(&td->vdev, VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_set_driver_features(&td->vdev, 0, 1);
	virtio_notify_queue(&td->vdev, 0);
	assert_int_equal(td->notifies, 0);
	assert_int_equal(td->resets, 1);

	/* The request completes late: the rings are out of reach. */
	virtio_dev_lock(&td->vdev);
	virtq_push(vq, c.head, 4);
	virtq_notify(vq);
	virtio_reset_done(&td->vdev);
	virtio_dev_unlock(&td->vdev);
	assert_int_equal(fv_used_idx(&fd, 0), 0);
	assert_int_equal(fd.queue_irqs[0], 0);
	assert_int_equal(virtio_get_status(&td->vdev), 0);
	assert_int_equal(virtio_get_driver_features(&td->vdev, 0), 0);
}

static void test_destroy_null(void **state)
{
	virtio_dev_destroy(NULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_init_rejects_bad_queues),
		T(test_device_features),
		T(test_negotiation_ok),
		T(test_negotiation_unoffered_feature),
		T(test_negotiation_without_version_1),
		T(test_driver_ok_without_features_ok),
		T(test_activate_failure),
		T(test_status_bits_only_added),
		T(test_queue_writes_before_features_ok),
		T(test_notify_before_driver_ok),
		T(test_config_space),
		T(test_config_generation),
		T(test_reset_idle),
		T(test_reset_with_requests_in_flight),
		T(test_destroy_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
