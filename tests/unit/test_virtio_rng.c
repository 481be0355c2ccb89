/* Unit tests for virtio-rng (src/virtio/rng.c) with a fake clock and a
 * fake entropy source: buffers filled across descriptors, the per-request
 * cap, the token bucket (partial service, timer armed, service resumed by
 * the timer), a host pool not ready yet, a device-readable buffer
 * breaking the device, and the real getrandom(). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "fake_virtq.h"
#include "virtio/rng.h"

#define W VIRTQ_DESC_F_WRITE
#define N VIRTQ_DESC_F_NEXT

static struct fake_driver fd;
static struct virtio_dev *dev;
static uint64_t clock_ns;
static unsigned timer_arms;
static uint64_t timer_ns;
static bool not_ready;

static uint64_t fake_now(void *opaque)
{
	return clock_ns;
}

static ssize_t fake_fill(void *opaque, void *buf, size_t len)
{
	if (not_ready) {
		errno = EAGAIN;
		return -1;
	}
	memset(buf, 0xab, len);
	return (ssize_t)len;
}

static void fake_arm(void *opaque, uint64_t ns)
{
	timer_arms++;
	timer_ns = ns;
}

static int start(uint64_t rate, bool fake_source)
{
	struct virtio_rng_params p = {
		.bytes_per_sec = rate,
		.arm_timer = fake_arm,
		.now_ns = fake_now,
		.fill = fake_source ? fake_fill : NULL,
	};

	fv_init(&fd);
	clock_ns = 5000000000ull;
	timer_arms = 0;
	not_ready = false;
	if (virtio_rng_create(&fd.mem, &p, &dev))
		return -1;
	fv_start(&fd, dev, FV_CORE_FEATURES, 1, 16);
	return 0;
}

static int setup(void **state)
{
	return start(0, true);
}

static int setup_limited(void **state)
{
	return start(100, true);
}

static int teardown(void **state)
{
	fv_fini(&fd);
	return 0;
}

/* One writable buffer of len bytes at FV_BUF + 0x1000 * s. */
static void offer(unsigned s, uint32_t len)
{
	memset(fd.host + FV_BUF + 0x1000ull * s, 0, len);
	fv_desc(&fd, 0, s, FV_BUF + 0x1000ull * s, len, W, 0);
	fv_publish(&fd, 0, s);
}

static uint32_t used_len(unsigned i)
{
	uint32_t id, len;

	fv_used_elem(&fd, 0, i, &id, &len);
	return len;
}

static void test_fills_chain(void **state)
{
	fv_desc(&fd, 0, 0, FV_BUF, 16, W | N, 1);
	fv_desc(&fd, 0, 1, FV_BUF + 0x100, 32, W, 0);
	fv_publish(&fd, 0, 0);
	virtio_notify_queue(dev, 0);
	assert_int_equal(fv_used_idx(&fd, 0), 1);
	assert_int_equal(used_len(0), 48);
	assert_int_equal(fd.host[FV_BUF + 15], 0xab);
	assert_int_equal(fd.host[FV_BUF + 0x100 + 31], 0xab);
	assert_int_equal(fd.host[FV_BUF + 0x100 + 32], 0);
	assert_int_equal(fd.queue_irqs[0], 1);
	assert_int_equal(timer_arms, 0);
}

static void test_request_cap(void **state)
{
	offer(0, 8192);
	virtio_notify_queue(dev, 0);
	assert_int_equal(used_len(0), 4096);
}

static void test_readable_buffer_breaks_device(void **state)
{
	fv_desc(&fd, 0, 0, FV_BUF, 16, 0, 0);
	fv_publish(&fd, 0, 0);
	virtio_notify_queue(dev, 0);
	assert_true(fv_needs_reset(&fd));
	assert_int_equal(fv_used_idx(&fd, 0), 0);
	assert_int_equal(fd.host[FV_BUF], 0);
}

static void test_rate_limit(void **state)
{
	/* A full bucket of 100 bytes: 64, then the 36 left, then none. */
	offer(0, 64);
	offer(1, 64);
	offer(2, 64);
	virtio_notify_queue(dev, 0);
	assert_int_equal(fv_used_idx(&fd, 0), 2);
	assert_int_equal(used_len(0), 64);
	assert_int_equal(used_len(1), 36);
	assert_int_equal(timer_arms, 1);
	/* 64 bytes at 100 B/s take 0.64 s. */
	assert_in_range(timer_ns, 630000000, 650000000);
	/* A kick with nothing earned serves nothing. */
	virtio_notify_queue(dev, 0);
	assert_int_equal(fv_used_idx(&fd, 0), 2);
	/* Half a second earns 50 bytes. */
	clock_ns += 500000000;
	virtio_rng_timer(dev);
	assert_int_equal(fv_used_idx(&fd, 0), 3);
	assert_int_equal(used_len(2), 50);
	/* A long pause refills at most one second's worth. */
	offer(3, 512);
	clock_ns += 60ull * 1000000000;
	virtio_rng_timer(dev);
	assert_int_equal(used_len(3), 100);
}

static void test_pool_not_ready(void **state)
{
	not_ready = true;
	offer(0, 32);
	virtio_notify_queue(dev, 0);
	assert_int_equal(fv_used_idx(&fd, 0), 0);
	assert_int_equal(timer_arms, 1);
	not_ready = false;
	virtio_rng_timer(dev);
	assert_int_equal(fv_used_idx(&fd, 0), 1);
	assert_int_equal(used_len(0), 32);
	assert_false(fv_needs_reset(&fd));
}

static void test_timer_after_reset(void **state)
{
	offer(0, 32);
	virtio_set_status(dev, 0);
	virtio_rng_timer(dev);
	assert_int_equal(fv_used_idx(&fd, 0), 0);
	assert_int_equal(fd.host[FV_BUF], 0);
}

static void test_real_getrandom(void **state)
{
	static const uint8_t zero[64];

	teardown(state);
	assert_int_equal(start(0, false), 0);
	offer(0, 64);
	virtio_notify_queue(dev, 0);
	assert_int_equal(used_len(0), 64);
	/* All zero has probability 2^-512. */
	assert_memory_not_equal(fd.host + FV_BUF, zero, 64);
}

static void test_create_rejects_bad_rate(void **state)
{
	struct virtio_rng_params p = { .bytes_per_sec =
					       VIRTIO_RNG_MAX_RATE + 1 };
	struct virtio_dev *d;

	assert_int_equal(virtio_rng_create(&fd.mem, &p, &d), -EINVAL);
	p.bytes_per_sec = 0;
	p.queue_size = 48;
	assert_int_equal(virtio_rng_create(&fd.mem, &p, &d), -EINVAL);
	assert_int_equal(virtio_device_id(dev), VIRTIO_ID_RNG);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
#define TL(f) cmocka_unit_test_setup_teardown(f, setup_limited, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_fills_chain),
		T(test_request_cap),
		T(test_readable_buffer_breaks_device),
		TL(test_rate_limit),
		T(test_pool_not_ready),
		T(test_timer_after_reset),
		T(test_real_getrandom),
		T(test_create_rejects_bad_rate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
