/* Unit tests for virtio-vsock (src/virtio/vsock.c) with a fake data
 * path: the CID in config space (le64, any offset), the feature offer,
 * the backend started at DRIVER_OK with the negotiated features and
 * stopped at reset, destroy and quiesce (once), a failed start breaking
 * the device, the event queue's buffers held until a TRANSPORT_RESET (sent at
 * once, or at the next kick when no buffer is there), and hostile event buffers
 * (device-readable, too short) breaking the device and stopping the
 * data path. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "fake_virtq.h"
#include "virtio/vsock.h"

#define W VIRTQ_DESC_F_WRITE
#define EVQ VIRTIO_VSOCK_Q_EVENT

static struct fake_driver fd;
static struct virtio_dev *dev;
static unsigned starts, stops;
static uint64_t started_features;
static int start_ret;

static int fake_start(void *opaque, struct virtio_dev *d, uint64_t features)
{
	assert_ptr_equal(d, dev);
	assert_ptr_equal(opaque, &fd);
	starts++;
	started_features = features;
	return start_ret;
}

static void fake_stop(void *opaque, struct virtio_dev *d)
{
	assert_ptr_equal(d, dev);
	stops++;
}

static int create(uint64_t cid, uint64_t features)
{
	struct virtio_vsock_params p = {
	    .guest_cid = cid,
	    .features = features,
	    .backend = {fake_start, fake_stop, &fd},
	};

	int ret = virtio_vsock_create(&fd.mem, &p, &dev);

	fd.dev = ret ? NULL : dev; /* fv_fini destroys it */
	return ret;
}

static int setup(void **state)
{
	fv_init(&fd);
	starts = stops = 0;
	start_ret = 0;
	started_features = 0;
	dev = NULL;
	return create(0xfedcba98ull, 1ull << VIRTIO_VSOCK_F_SEQPACKET);
}

static int teardown(void **state)
{
	fv_fini(&fd);
	return 0;
}

static void start_driver(uint64_t features)
{
	fv_start(&fd, dev, features, VIRTIO_VSOCK_NUM_QUEUES, 16);
}

/* One writable event buffer of len bytes in slot s. */
static void offer_event(unsigned s, uint32_t len, uint16_t flags)
{
	memset(fd.host + FV_BUF + 0x100ull * s, 0xee, 8);
	fv_desc(&fd, EVQ, s, FV_BUF + 0x100ull * s, len, flags, 0);
	fv_publish(&fd, EVQ, s);
}

static void test_config_cid(void **state)
{
	uint8_t b[8];
	uint32_t w;

	assert_int_equal(virtio_device_id(dev), VIRTIO_ID_VSOCK);
	assert_int_equal(virtio_num_queues(dev), 3);
	assert_int_equal(virtio_config_size(dev), 8);
	virtio_config_read(dev, 0, b, 8);
	assert_int_equal(b[0], 0x98);
	assert_int_equal(b[1], 0xba);
	assert_int_equal(b[3], 0xfe);
	assert_int_equal(b[4], 0);
	assert_int_equal(b[7], 0);
	/* Single bytes and the high dword (zero: CIDs are 32-bit). */
	virtio_config_read(dev, 2, b, 1);
	assert_int_equal(b[0], 0xdc);
	virtio_config_read(dev, 4, &w, 4);
	assert_int_equal(w, 0);
	/* The driver cannot change it; reads past the end give 0. */
	memset(b, 0xff, 8);
	virtio_config_write(dev, 0, b, 8);
	virtio_config_read(dev, 0, &w, 4);
	assert_int_equal(w, 0xfedcba98u);
	virtio_config_read(dev, 8, &w, 4);
	assert_int_equal(w, 0);
}

static void test_features(void **state)
{
	uint64_t f = (uint64_t)virtio_get_device_features(dev, 1) << 32 |
		     virtio_get_device_features(dev, 0);

	assert_true(f & (1ull << VIRTIO_VSOCK_F_SEQPACKET));
	assert_true(f & (1ull << VIRTIO_F_VERSION_1));
	/* Bits the model does not know are not passed on. */
	teardown(state);
	fv_init(&fd);
	assert_int_equal(create(3, (1ull << 2) | (1ull << 7)), 0);
	f = virtio_get_device_features(dev, 0);
	assert_false(f & (1ull << 2));
	assert_false(f & (1ull << 7));
	assert_false(f & (1ull << VIRTIO_VSOCK_F_SEQPACKET));
}

static void test_start_stop(void **state)
{
	uint64_t want = FV_CORE_FEATURES | (1ull << VIRTIO_VSOCK_F_SEQPACKET);

	fv_negotiate(&fd, dev, want);
	assert_int_equal(starts, 0);
	fv_setup_queue(&fd, 0, 16);
	fv_setup_queue(&fd, 1, 16);
	fv_setup_queue(&fd, 2, 16);
	fv_driver_ok(&fd);
	assert_int_equal(starts, 1);
	assert_true(started_features == want);
	assert_false(fv_needs_reset(&fd));
	/* rx/tx kicks that reach userspace change nothing. */
	virtio_notify_queue(dev, 0);
	virtio_notify_queue(dev, 1);
	assert_false(fv_needs_reset(&fd));
	/* Reset stops the data path once; a second reset does nothing. */
	virtio_set_status(dev, 0);
	assert_int_equal(stops, 1);
	assert_int_equal(virtio_get_status(dev), 0);
	virtio_set_status(dev, 0);
	assert_int_equal(stops, 1);
	/* Rebind: started again. */
	start_driver(FV_CORE_FEATURES);
	assert_int_equal(starts, 2);
	assert_true(started_features == FV_CORE_FEATURES);
	/* Destroy stops it. */
	virtio_dev_destroy(dev);
	fd.dev = NULL;
	assert_int_equal(stops, 2);
}

/* Before the machine's teardown: stopped once, not again at destroy. */
static void test_quiesce(void **state)
{
	start_driver(FV_CORE_FEATURES);
	virtio_vsock_quiesce(dev);
	assert_int_equal(stops, 1);
	virtio_vsock_quiesce(dev);
	virtio_dev_destroy(dev);
	fd.dev = NULL;
	assert_int_equal(stops, 1);
}

static void test_failed_start(void **state)
{
	start_ret = -ENODEV;
	start_driver(FV_CORE_FEATURES);
	assert_int_equal(starts, 1);
	assert_true(fv_needs_reset(&fd));
	/* Never started, so never stopped. */
	virtio_set_status(dev, 0);
	assert_int_equal(stops, 0);
}

static void test_event_buffers_held(void **state)
{
	start_driver(FV_CORE_FEATURES);
	offer_event(0, 4, W);
	offer_event(1, 4, W);
	virtio_notify_queue(dev, EVQ);
	assert_int_equal(fv_used_idx(&fd, EVQ), 0);
	assert_int_equal(fd.queue_irqs[EVQ], 0);
	assert_int_equal(virtio_vsock_events_sent(dev), 0);
	/* A transport reset takes one buffer: le32 0, 4 bytes. */
	virtio_vsock_transport_reset(dev);
	assert_int_equal(fv_used_idx(&fd, EVQ), 1);
	{
		uint32_t id, len;

		fv_used_elem(&fd, EVQ, 0, &id, &len);
		assert_int_equal(id, 0);
		assert_int_equal(len, 4);
	}
	assert_int_equal(fd.host[FV_BUF], 0);
	assert_int_equal(fd.host[FV_BUF + 3], 0);
	assert_int_equal(fd.host[FV_BUF + 4], 0xee);
	assert_int_equal(fd.queue_irqs[EVQ], 1);
	assert_int_equal(virtio_vsock_events_sent(dev), 1);
	/* The other buffer stays held. */
	virtio_notify_queue(dev, EVQ);
	assert_int_equal(fv_used_idx(&fd, EVQ), 1);
	assert_false(fv_needs_reset(&fd));
}

static void test_event_waits_for_buffer(void **state)
{
	start_driver(FV_CORE_FEATURES);
	virtio_vsock_transport_reset(dev);
	assert_int_equal(virtio_vsock_events_sent(dev), 0);
	offer_event(0, 8, W);
	virtio_notify_queue(dev, EVQ);
	assert_int_equal(fv_used_idx(&fd, EVQ), 1);
	assert_int_equal(virtio_vsock_events_sent(dev), 1);
	/* Only one was pending. */
	offer_event(1, 8, W);
	virtio_notify_queue(dev, EVQ);
	assert_int_equal(fv_used_idx(&fd, EVQ), 1);
}

static void test_event_dropped_when_not_running(void **state)
{
	/* Before DRIVER_OK, and after a reset: nothing to tell. */
	virtio_vsock_transport_reset(dev);
	start_driver(FV_CORE_FEATURES);
	offer_event(0, 4, W);
	virtio_notify_queue(dev, EVQ);
	assert_int_equal(fv_used_idx(&fd, EVQ), 0);
	virtio_set_status(dev, 0);
	virtio_vsock_transport_reset(dev);
	assert_int_equal(virtio_vsock_events_sent(dev), 0);
}

static void test_short_event_buffer_breaks(void **state)
{
	start_driver(FV_CORE_FEATURES);
	offer_event(0, 3, W);
	virtio_vsock_transport_reset(dev);
	assert_true(fv_needs_reset(&fd));
	assert_int_equal(fv_used_idx(&fd, EVQ), 0);
	assert_int_equal(fd.host[FV_BUF], 0xee);
	assert_int_equal(stops, 1); /* the data path stops with it */
	/* Reset after the break does not stop it twice. */
	virtio_set_status(dev, 0);
	assert_int_equal(stops, 1);
}

static void test_readable_event_buffer_breaks(void **state)
{
	start_driver(FV_CORE_FEATURES);
	virtio_vsock_transport_reset(dev);
	offer_event(0, 4, 0);
	virtio_notify_queue(dev, EVQ);
	assert_true(fv_needs_reset(&fd));
	assert_int_equal(fd.host[FV_BUF], 0xee);
	assert_int_equal(stops, 1);
}

static void test_event_descriptor_outside_ram(void **state)
{
	start_driver(FV_CORE_FEATURES);
	fv_desc(&fd, EVQ, 0, FV_LOW + 0x10, 4, W, 0); /* in the hole */
	fv_publish(&fd, EVQ, 0);
	virtio_vsock_transport_reset(dev);
	assert_true(fv_needs_reset(&fd));
	assert_int_equal(fv_used_idx(&fd, EVQ), 0);
}

static void test_create_rejects(void **state)
{
	struct virtio_vsock_params p = {
	    .guest_cid = 3,
	    .backend = {fake_start, fake_stop, NULL},
	};
	struct virtio_dev *d = NULL;

	p.guest_cid = 2;
	assert_int_equal(virtio_vsock_create(&fd.mem, &p, &d), -EINVAL);
	p.guest_cid = 0xffffffffull;
	assert_int_equal(virtio_vsock_create(&fd.mem, &p, &d), -EINVAL);
	p.guest_cid = 3;
	p.queue_size = 100;
	assert_int_equal(virtio_vsock_create(&fd.mem, &p, &d), -EINVAL);
	p.queue_size = 0;
	p.backend.stop = NULL;
	assert_int_equal(virtio_vsock_create(&fd.mem, &p, &d), -EINVAL);
	assert_null(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	    T(test_config_cid),
	    T(test_features),
	    T(test_start_stop),
	    T(test_quiesce),
	    T(test_failed_start),
	    T(test_event_buffers_held),
	    T(test_event_waits_for_buffer),
	    T(test_event_dropped_when_not_running),
	    T(test_short_event_buffer_breaks),
	    T(test_readable_event_buffer_breaks),
	    T(test_event_descriptor_outside_ram),
	    T(test_create_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
