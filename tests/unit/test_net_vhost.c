/* Unit tests of vhost-net for virtio-net (src/virtio/net_vhost.c with
 * net.c) against a recording fake ioctl and a fake transport lending
 * kick and call eventfds: the ioctl sequence at DRIVER_OK (data-path
 * features only, both rings, the TAP queue as backend), the device no
 * longer serving its data queues while the control queue stays, a reset
 * stopping vhost (backend detached, bases read back, eventfds returned),
 * a driver rebind starting it again, and the fallbacks: vhost=auto keeps
 * the userspace path with one line when a start fails or /dev/vhost-net
 * does not open, vhost=on breaks the device or refuses to start. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/vhost.h>
#include <stdio.h>
#include <unistd.h>

#include "fake_vhost.h"
#include "fake_virtq.h"
#include "util/log.h"
#include "virtio/net.h"
#include "virtio/net_vhost.h"

#define TXQ 1
#define TAP_FD 55
#define F_MRG FV_F(15)
#define F_CSUM FV_F(0)
#define F_CTRL_VQ FV_F(17)

static struct {
	struct fake_vhost f;
	struct vhost_vring_file backend[4];
	unsigned nbackend;
	unsigned gets, puts;	/* transport eventfds lent and returned */
} io;

static struct {
	unsigned sends;
} be;

static struct fake_driver fd;
static struct virtio_dev *dev;
static struct vnet_vhost vv;
static struct tap tap;

static int fake_ioctl(int f, unsigned long req, void *arg)
{
	int ret = fake_vhost_common(&io.f, req, arg);

	(void)f;
	if (ret)
		return ret < 0 ? -1 : 0;
	if (req == VHOST_NET_SET_BACKEND && io.nbackend < 4)
		io.backend[io.nbackend++] = *(struct vhost_vring_file *)arg;
	else if (req == VHOST_GET_VRING_BASE)
		((struct vhost_vring_state *)arg)->num = 9;
	return 0;
}

static unsigned count(unsigned long req)
{
	unsigned i, c = 0;

	for (i = 0; i < io.f.n && i < FAKE_VHOST_REQS; i++)
		c += io.f.reqs[i] == req;
	return c;
}

static int kick_get(void *o, unsigned q)
{
	io.gets++;
	return 100 + (int)q;
}

static int call_get(void *o, unsigned q)
{
	io.gets++;
	return 200 + (int)q;
}

static void put(void *o, unsigned q)
{
	io.puts++;
}

static ssize_t fb_send(void *o, unsigned pair, const struct iovec *iov,
		       unsigned n)
{
	ssize_t len = 0;

	while (n--)
		len += (ssize_t)iov[n].iov_len;
	be.sends++;
	return len;
}

static ssize_t fb_recv(void *o, unsigned pair, void *buf, size_t len)
{
	return -EAGAIN;
}

static int fb_start(void *o, struct virtio_dev *d)
{
	return vnet_vhost_start(&vv, d, &tap);
}

static void fb_stop(void *o, struct virtio_dev *d)
{
	vnet_vhost_stop(&vv, d);
}

/* Negotiate, enable the three queues, DRIVER_OK, with our transport. */
static void bind_driver(uint64_t features)
{
	struct virtio_transport t = {
		.raise_queue = fv_raise_queue, .raise_config = fv_raise_config,
		.opaque = &fd, .kick_get = kick_get, .kick_put = put,
		.call_get = call_get, .call_put = put,
	};
	unsigned q;

	fv_negotiate(&fd, dev, features);
	virtio_set_transport(dev, &t);
	for (q = 0; q < 3; q++)
		fv_setup_queue(&fd, q, 64);
	fv_driver_ok(&fd);
}

static int start(enum net_vhost mode)
{
	struct virtio_net_params p = {
		.pairs = 1, .mac = { 0x52, 0x54, 0, 1, 2, 3 },
		.be = { .send = fb_send, .recv = fb_recv,
			.datapath_start = fb_start, .datapath_stop = fb_stop },
	};
	char err[160];

	memset(&io, 0, sizeof(io));
	io.f.offered = FV_CORE_FEATURES | F_MRG;
	memset(&be, 0, sizeof(be));
	tap = (struct tap){ .nfds = 1, .fds = { TAP_FD } };
	if (vnet_vhost_open(&vv, mode, 1, "tap0", "/dev/null", fake_ioctl,
			    err, sizeof(err)))
		return -1;
	fv_init(&fd);
	if (virtio_net_create(&fd.mem, &p, &dev))
		return -1;
	fd.dev = dev;	/* destroyed by fv_fini, also if never bound */
	return 0;
}

static int setup_auto(void **state)
{
	return start(NET_VHOST_AUTO);
}

static int setup_on(void **state)
{
	return start(NET_VHOST_ON);
}

static int teardown(void **state)
{
	fv_fini(&fd);
	vnet_vhost_close(&vv);
	return 0;
}

static void test_activate_sequence(void **state)
{
	io.f.n = 0;
	bind_driver(FV_CORE_FEATURES | F_MRG | F_CSUM | F_CTRL_VQ);
	assert_true(vv.running);
	assert_false(fv_needs_reset(&fd));
	/* Only the ring-shaping bits reach vhost; CSUM is the TAP's. */
	assert_true(io.f.features == (FV_CORE_FEATURES | F_MRG));
	assert_true(io.f.reqs[0] == VHOST_SET_FEATURES);
	assert_true(io.f.reqs[1] == VHOST_SET_MEM_TABLE);
	assert_int_equal(count(VHOST_SET_VRING_ADDR), 2);
	assert_int_equal(count(VHOST_SET_VRING_CALL), 2);
	/* The TAP on rx (0) and tx (1), last. */
	assert_int_equal(io.nbackend, 2);
	assert_int_equal(io.backend[0].index, 0);
	assert_int_equal(io.backend[1].index, 1);
	assert_int_equal(io.backend[1].fd, TAP_FD);
	assert_true(io.f.reqs[io.f.n - 1] == VHOST_NET_SET_BACKEND);
	assert_int_equal(io.gets, 4);	/* kick and call of rx and tx */
	/* A tx kick is vhost's now: the device does not send. */
	fv_desc(&fd, TXQ, 0, FV_BUF, 80, 0, 0);
	fv_kick(&fd, TXQ, 0);
	assert_int_equal(be.sends, 0);
	assert_int_equal(fv_used_idx(&fd, TXQ), 0);
}

static void test_reset_stops_and_rebind_restarts(void **state)
{
	bind_driver(FV_CORE_FEATURES | F_MRG);
	io.f.n = io.nbackend = 0;
	virtio_set_status(dev, 0);
	assert_false(vv.running);
	/* Backend detached from both rings, then the bases read back. */
	assert_int_equal(io.nbackend, 2);
	assert_int_equal(io.backend[0].fd, -1);
	assert_int_equal(io.backend[1].fd, -1);
	assert_int_equal(count(VHOST_GET_VRING_BASE), 2);
	assert_int_equal(io.gets, io.puts);
	/* The driver binds again: vhost starts again. */
	io.f.n = io.nbackend = 0;
	bind_driver(FV_CORE_FEATURES);
	assert_true(vv.running);
	assert_true(io.f.features == FV_CORE_FEATURES);
	assert_int_equal(io.nbackend, 2);
	assert_int_equal(io.backend[0].fd, TAP_FD);
	virtio_set_status(dev, 0);
	assert_int_equal(io.gets, io.puts);
}

/* Runs fn with stderr in a file; returns the lines logged. */
static unsigned stderr_lines(void (*fn)(void), char *buf, size_t len)
{
	FILE *f = tmpfile();
	int saved = dup(2);
	unsigned lines = 0;
	size_t n, i;

	assert_non_null(f);
	dup2(fileno(f), 2);
	fn();
	log_flush(1000);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	for (i = 0; i < n; i++)
		lines += buf[i] == '\n';
	fclose(f);
	return lines;
}

static void bind_failing(void)
{
	io.f.fail_req = VHOST_SET_VRING_ADDR;
	bind_driver(FV_CORE_FEATURES);
}

static void test_auto_falls_back(void **state)
{
	char out[512];

	assert_int_equal(stderr_lines(bind_failing, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "VHOST_SET_VRING_ADDR"));
	assert_non_null(strstr(out, "userspace data path"));
	assert_false(vv.running);
	assert_false(fv_needs_reset(&fd));
	assert_int_equal(io.gets, io.puts);
	/* The device serves tx itself. */
	fv_desc(&fd, TXQ, 0, FV_BUF, 80, 0, 0);
	fv_kick(&fd, TXQ, 0);
	assert_int_equal(be.sends, 1);
}

static void test_on_fails(void **state)
{
	char out[512];

	/* Ours, then the core's "device needs reset". */
	assert_int_equal(stderr_lines(bind_failing, out, sizeof(out)), 2);
	assert_non_null(strstr(out, "--net tap0: vhost-net: "));
	assert_non_null(strstr(out, "VHOST_SET_VRING_ADDR"));
	assert_true(fv_needs_reset(&fd));
	assert_false(vv.running);
	assert_int_equal(io.gets, io.puts);
}

static void bind_failing_often(void)
{
	unsigned i;

	for (i = 0; i < 20; i++) {
		bind_failing();
		virtio_set_status(dev, 0);
	}
}

/* A guest that fails the start over and over (e.g. with a queue left
 * without a vector) cannot flood the log. */
static void test_failed_starts_rate_limited(void **state)
{
	char out[4096];

	assert_true(stderr_lines(bind_failing_often, out, sizeof(out)) < 10);
	assert_false(vv.running);
	assert_int_equal(io.gets, io.puts);
}

static void test_open_fallback(void **state)
{
	struct vnet_vhost v;
	char err[160] = "";

	/* auto: no device, no error, the reason kept for the log line. */
	assert_int_equal(vnet_vhost_open(&v, NET_VHOST_AUTO, 2, "tap0",
					 "/nonexistent", NULL, err,
					 sizeof(err)), 0);
	assert_false(v.opened);
	assert_non_null(strstr(err, "/nonexistent"));
	assert_int_equal(vnet_vhost_start(&v, dev, &tap), 1);
	/* on: an error. */
	assert_int_equal(vnet_vhost_open(&v, NET_VHOST_ON, 2, "tap0",
					 "/nonexistent", NULL, err,
					 sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "No such file"));
	/* off: nothing opened. */
	assert_int_equal(vnet_vhost_open(&v, NET_VHOST_OFF, 2, "tap0",
					 "/nonexistent", NULL, err,
					 sizeof(err)), 0);
	assert_false(v.opened);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_activate_sequence,
						setup_auto, teardown),
		cmocka_unit_test_setup_teardown(
			test_reset_stops_and_rebind_restarts, setup_auto,
			teardown),
		cmocka_unit_test_setup_teardown(test_auto_falls_back,
						setup_auto, teardown),
		cmocka_unit_test_setup_teardown(test_on_fails, setup_on,
						teardown),
		cmocka_unit_test_setup_teardown(test_open_fallback, setup_auto,
						teardown),
		cmocka_unit_test_setup_teardown(test_failed_starts_rate_limited,
						setup_auto, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
