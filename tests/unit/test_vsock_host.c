/* Unit tests of vhost-vsock (src/virtio/vsock_host.c) against a
 * recording fake ioctl: at open, ownership, features and the CID (as a
 * 64-bit value), the device parameters that follow (CID, the kernel's
 * features, the backend hooks), the one-line explanation of each refusal
 * (CID in use, reserved, other errors) and the real device file's
 * absence; with the device model and a fake transport lending eventfds,
 * the start at DRIVER_OK (rings and eventfds of rx and tx only, then
 * SET_RUNNING, then a kick of each), the stop at reset (SET_RUNNING 0
 * before the rings are taken back, eventfds returned) and a failed
 * SET_RUNNING undoing the start and breaking the device. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/vhost.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "fake_virtq.h"
#include "virtio/vsock_host.h"

static unsigned long reqs[32];
static unsigned nreqs;
static unsigned long fail_req;
static int fail_errno;
static uint64_t cid_seen;
static int running_seen;

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	if (nreqs < 32)
		reqs[nreqs++] = req;
	if (req == fail_req) {
		errno = fail_errno;
		return -1;
	}
	if (req == VHOST_GET_FEATURES)
		*(uint64_t *)arg = FV_CORE_FEATURES | 1ull << 1;
	else if (req == VHOST_VSOCK_SET_GUEST_CID)
		cid_seen = *(uint64_t *)arg;
	else if (req == VHOST_VSOCK_SET_RUNNING)
		running_seen = *(int *)arg;
	return 0;
}

static struct vsock_host *h;
static char err[200];

static int setup(void **state)
{
	h = NULL;
	nreqs = 0;
	fail_req = 0;
	cid_seen = 0;
	running_seen = -1;
	memset(err, 0, sizeof(err));
	return 0;
}

static int teardown(void **state)
{
	vsock_host_destroy(h);
	h = NULL;
	return 0;
}

static int open_fake(uint32_t cid)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	assert_true(fd >= 0);
	return vsock_host_open(cid, fd, fake_ioctl, &h, err, sizeof(err));
}

static void test_open_sequence(void **state)
{
	struct virtio_vsock_params p;

	assert_int_equal(open_fake(0xfffffffeu), 0);
	assert_int_equal(nreqs, 3);
	assert_true(reqs[0] == VHOST_SET_OWNER);
	assert_true(reqs[1] == VHOST_GET_FEATURES);
	assert_true(reqs[2] == VHOST_VSOCK_SET_GUEST_CID);
	assert_true(cid_seen == 0xfffffffeull);
	assert_string_equal(err, "");
	vsock_host_params(h, &p);
	assert_true(p.guest_cid == 0xfffffffeull);
	assert_true(p.features == (FV_CORE_FEATURES | 1ull << 1));
	assert_non_null(p.backend.start);
	assert_non_null(p.backend.stop);
	assert_ptr_equal(p.backend.opaque, h);
	vsock_host_destroy(NULL); /* harmless */
}

/* One line naming what to do; nothing left open. */
static void expect_refusal(unsigned long req, int e, uint32_t cid,
			   const char *want)
{
	setup(NULL);
	fail_req = req;
	fail_errno = e;
	assert_int_equal(open_fake(cid), -e);
	assert_null(h);
	if (!strstr(err, want))
		fail_msg("\"%s\" does not say \"%s\"", err, want);
	assert_null(strchr(err, '\n'));
}

static void test_refusals(void **state)
{
	expect_refusal(VHOST_VSOCK_SET_GUEST_CID, EADDRINUSE, 7,
		       "--vsock cid=7: CID 7 is already in use");
	expect_refusal(VHOST_VSOCK_SET_GUEST_CID, EINVAL, 9, "reserved");
	expect_refusal(VHOST_SET_OWNER, EBUSY, 9, "Device or resource busy");
	expect_refusal(VHOST_GET_FEATURES, EFAULT, 9, "cannot set up");
}

/* The real device file: where there is none, the explanation of ENOENT. */
static void test_real_open(void **state)
{
	int ret = vsock_host_open(4000000000u, -1, NULL, &h, err, sizeof(err));

	if (ret == -ENOENT)
		assert_non_null(strstr(err, "load the vhost_vsock module"));
	else if (ret == -EACCES)
		assert_non_null(strstr(err, "no permission"));
	else if (ret)
		assert_true(err[0]);
}

/* The fake transport: eventfds for every queue, counting loans. */
static int kick_fd[3], call_fd[3];
static unsigned kick_gets[3], kick_puts, call_gets, call_puts;

static int kick_get(void *o, unsigned q)
{
	kick_gets[q]++;
	return kick_fd[q];
}

static void kick_put(void *o, unsigned q)
{
	kick_puts++;
}

static int call_get(void *o, unsigned q)
{
	call_gets++;
	return call_fd[q];
}

static void call_put(void *o, unsigned q)
{
	call_puts++;
}

static struct fake_driver drv;
static struct virtio_dev *dev;

/* Index of the first request req at or after `from`, or -1. */
static int find_req(unsigned long req, unsigned from)
{
	unsigned i;

	for (i = from; i < nreqs; i++)
		if (reqs[i] == req)
			return (int)i;
	return -1;
}

static uint64_t kicks_pending(unsigned q)
{
	uint64_t n = 0;

	if (read(kick_fd[q], &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

static void start_device(void)
{
	struct virtio_transport t = {
	    .raise_queue = fv_raise_queue,
	    .raise_config = fv_raise_config,
	    .opaque = &drv,
	    .kick_get = kick_get,
	    .kick_put = kick_put,
	    .call_get = call_get,
	    .call_put = call_put,
	};
	struct virtio_vsock_params p;
	unsigned q;

	assert_int_equal(open_fake(5), 0);
	vsock_host_params(h, &p);
	fv_init(&drv);
	assert_int_equal(virtio_vsock_create(&drv.mem, &p, &dev), 0);
	fv_negotiate(&drv, dev, FV_CORE_FEATURES | 1ull << 1);
	virtio_set_transport(dev, &t);
	for (q = 0; q < 3; q++) {
		kick_fd[q] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		call_fd[q] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		kick_gets[q] = 0;
		fv_setup_queue(&drv, q, 16);
	}
	kick_puts = call_gets = call_puts = 0;
	nreqs = 0;
	fv_driver_ok(&drv);
}

static void stop_device(void)
{
	unsigned q;

	fv_fini(&drv); /* destroys dev */
	for (q = 0; q < 3; q++) {
		close(kick_fd[q]);
		close(call_fd[q]);
	}
}

static void test_start_stop(void **state)
{
	int run, last_call;

	start_device();
	assert_false(fv_needs_reset(&drv));
	/* rx and tx go to the kernel; the event queue stays here. */
	assert_int_equal(kick_gets[0], 1);
	assert_int_equal(kick_gets[1], 1);
	assert_int_equal(kick_gets[2], 0);
	assert_int_equal(call_gets, 2);
	assert_true(find_req(VHOST_SET_FEATURES, 0) >= 0);
	assert_true(find_req(VHOST_SET_MEM_TABLE, 0) >= 0);
	run = find_req(VHOST_VSOCK_SET_RUNNING, 0);
	last_call = find_req(VHOST_SET_VRING_CALL, 0);
	last_call = find_req(VHOST_SET_VRING_CALL, (unsigned)last_call + 1);
	assert_true(last_call >= 0 && run > last_call);
	assert_int_equal(running_seen, 1);
	/* Buffers made available before the start get looked at. */
	assert_true(kicks_pending(0) == 1);
	assert_true(kicks_pending(1) == 1);
	/* Reset: stop running first, then take the rings back. */
	nreqs = 0;
	virtio_set_status(dev, 0);
	assert_int_equal(find_req(VHOST_VSOCK_SET_RUNNING, 0), 0);
	assert_int_equal(running_seen, 0);
	assert_true(find_req(VHOST_GET_VRING_BASE, 0) > 0);
	assert_int_equal(kick_puts, 2);
	assert_int_equal(call_puts, 2);
	assert_int_equal(virtio_get_status(dev), 0);
	stop_device();
}

static void test_running_fails(void **state)
{
	fail_req = VHOST_VSOCK_SET_RUNNING;
	fail_errno = EFAULT;
	start_device();
	assert_true(fv_needs_reset(&drv));
	/* The start is undone: the eventfds are back with the transport. */
	assert_int_equal(kick_puts, 2);
	assert_int_equal(call_puts, 2);
	fail_req = 0;
	nreqs = 0;
	virtio_set_status(dev, 0); /* never started: nothing to stop */
	assert_int_equal(find_req(VHOST_VSOCK_SET_RUNNING, 0), -1);
	stop_device();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_open_sequence, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_real_open, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_start_stop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_running_fails, setup,
					    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
