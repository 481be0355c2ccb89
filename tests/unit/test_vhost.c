/* Unit tests of the generic vhost backend (src/virtio/vhost.c) against a
 * recording fake ioctl and a fake transport that hands out kick and call
 * eventfds: ownership and features at open, the ioctl sequence of a
 * start (features, memory table, per queue size, base, ring addresses,
 * kick, call), a stop that saves where the kernel stopped into the
 * virtqueue and gives the eventfds back, a restart from the saved base,
 * and failures undoing everything.  A real /dev/vhost-net is used when
 * the host has one. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/vhost.h>
#include <sys/eventfd.h>
#include <string.h>
#include <unistd.h>

#include "fake_vhost.h"
#include "fake_virtq.h"
#include "virtio/vhost.h"

#define NQ 3		/* the device's queues; vhost takes 1 and 2 */

static struct {
	struct fake_vhost f;
	unsigned nregions;
	struct vhost_memory_region regions[2];
	struct vhost_vring_addr addr[2];
	struct vhost_vring_state num[2], base[2];
	struct vhost_vring_file kick[2], call[2];
	unsigned kernel_base;	/* what GET_VRING_BASE answers */
} io;

/* The fake transport's eventfds. */
static struct {
	int kick_fd[NQ], call_fd[NQ];
	int kick_gets, kick_puts, call_gets, call_puts;
	int call_ret;		/* 0: give call_fd[q] */
} tr;

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	struct vhost_vring_state *st = arg;
	struct vhost_vring_file *f = arg;

	int ret = fake_vhost_common(&io.f, req, arg);

	(void)fd;
	if (ret)
		return ret < 0 ? -1 : 0;
	if (req == VHOST_SET_MEM_TABLE) {
		io.nregions = ((struct vhost_memory *)arg)->nregions;
		memcpy(io.regions, ((struct vhost_memory *)arg)->regions,
		       io.nregions * sizeof(io.regions[0]));
	} else if (req == VHOST_SET_VRING_ADDR)
		io.addr[((struct vhost_vring_addr *)arg)->index & 1] =
			*(struct vhost_vring_addr *)arg;
	else if (req == VHOST_SET_VRING_NUM)
		io.num[st->index & 1] = *st;
	else if (req == VHOST_SET_VRING_BASE)
		io.base[st->index & 1] = *st;
	else if (req == VHOST_SET_VRING_KICK)
		io.kick[f->index & 1] = *f;
	else if (req == VHOST_SET_VRING_CALL)
		io.call[f->index & 1] = *f;
	else if (req == VHOST_GET_VRING_BASE)
		st->num = io.kernel_base + st->index;
	return 0;
}

static int kick_get(void *o, unsigned q)
{
	tr.kick_gets++;
	return tr.kick_fd[q];
}

static void kick_put(void *o, unsigned q)
{
	tr.kick_puts++;
}

static int call_get(void *o, unsigned q)
{
	if (tr.call_ret)
		return tr.call_ret;
	tr.call_gets++;
	return tr.call_fd[q];
}

static void call_put(void *o, unsigned q)
{
	tr.call_puts++;
}

static struct fake_driver fd;
static struct fv_dev *td;
static struct vhost_dev v;

static void set_transport(void)
{
	struct virtio_transport t = {
		.raise_queue = fv_raise_queue, .raise_config = fv_raise_config,
		.opaque = &fd, .kick_get = kick_get, .kick_put = kick_put,
		.call_get = call_get, .call_put = call_put,
	};

	virtio_set_transport(&td->vdev, &t);
}

static int setup(void **state)
{
	unsigned q;

	memset(&io, 0, sizeof(io));
	io.f.offered = FV_CORE_FEATURES | 1ull << 15;
	memset(&tr, 0, sizeof(tr));
	for (q = 0; q < NQ; q++) {
		tr.kick_fd[q] = 100 + q;
		tr.call_fd[q] = 200 + q;
	}
	fv_init(&fd);
	td = fv_dev_new(&fd, NQ, 64, 0);
	fv_start(&fd, &td->vdev, FV_CORE_FEATURES, NQ, 64);
	set_transport();
	memset(&v, 0, sizeof(v));
	v.ioctl_fn = fake_ioctl;
	return vhost_dev_open(&v, NULL, open("/dev/null", O_RDWR | O_CLOEXEC),
			      1, 2);
}

static int teardown(void **state)
{
	vhost_dev_close(&v);
	fv_fini(&fd);
	return 0;
}

static void test_open(void **state)
{
	struct vhost_dev bad = { .ioctl_fn = fake_ioctl };

	assert_int_equal(io.f.n, 2);
	assert_true(io.f.reqs[0] == VHOST_SET_OWNER);
	assert_true(io.f.reqs[1] == VHOST_GET_FEATURES);
	assert_true(v.features == (FV_CORE_FEATURES | 1ull << 15));
	assert_int_equal(vhost_dev_open(&bad, "/nonexistent/vhost", -1, 0, 2),
			 -ENOENT);
	assert_int_equal(bad.fd, -1);
	assert_int_equal(vhost_dev_open(&bad, NULL, -1, 0, VHOST_MAX_VQS + 1),
			 -EINVAL);
	io.f.fail_req = VHOST_SET_OWNER;
	assert_int_equal(vhost_dev_open(&bad, NULL,
					open("/dev/null", O_RDONLY), 0, 2),
			 -EFAULT);
	assert_int_equal(bad.fd, -1);
	assert_string_equal(bad.failed, "VHOST_SET_OWNER");
}

static void test_start_sequence(void **state)
{
	static const unsigned long per_q[] = {
		VHOST_SET_VRING_NUM, VHOST_SET_VRING_BASE, VHOST_SET_VRING_ADDR,
		VHOST_SET_VRING_KICK, VHOST_SET_VRING_CALL,
	};
	uint64_t host = (uint64_t)(uintptr_t)fd.host;
	unsigned i, q;

	io.f.n = 0;
	virtio_dev_lock(&td->vdev);
	assert_int_equal(vhost_dev_start(&v, &td->vdev, FV_CORE_FEATURES), 0);
	virtio_dev_unlock(&td->vdev);
	assert_int_equal(io.f.n, 2 + 2 * 5);
	assert_true(io.f.reqs[0] == VHOST_SET_FEATURES);
	assert_true(io.f.features == FV_CORE_FEATURES);
	assert_true(io.f.reqs[1] == VHOST_SET_MEM_TABLE);
	for (q = 0; q < 2; q++)
		for (i = 0; i < 5; i++)
			assert_true(io.f.reqs[2 + 5 * q + i] == per_q[i]);
	/* RAM as two regions around the hole. */
	assert_int_equal(io.nregions, 2);
	assert_true(io.regions[0].guest_phys_addr == 0);
	assert_true(io.regions[0].memory_size == FV_LOW);
	assert_true(io.regions[0].userspace_addr == host);
	assert_true(io.regions[1].guest_phys_addr == FV_HIGH);
	assert_true(io.regions[1].memory_size == FV_RAM - FV_LOW);
	assert_true(io.regions[1].userspace_addr == host + FV_LOW);
	/* Vhost queue 1 is the device's queue 2. */
	assert_int_equal(io.num[1].num, 64);
	assert_int_equal(io.base[1].num, 0);
	assert_true(io.addr[1].desc_user_addr == host + FV_RING(2));
	assert_true(io.addr[1].avail_user_addr == host + FV_RING(2) + 0x1000);
	assert_true(io.addr[1].used_user_addr == host + FV_RING(2) + 0x2000);
	assert_int_equal(io.kick[1].fd, 102);
	assert_int_equal(io.call[1].fd, 202);
	assert_int_equal(io.kick[0].fd, 101);
	assert_int_equal(tr.kick_gets, 2);
	assert_int_equal(tr.call_gets, 2);
	/* Twice is refused. */
	assert_int_equal(vhost_dev_start(&v, &td->vdev, FV_CORE_FEATURES),
			 -EBADF);
}

static void test_stop_saves_and_restart(void **state)
{
	struct virtq *vq;

	virtio_dev_lock(&td->vdev);
	assert_int_equal(vhost_dev_start(&v, &td->vdev, FV_CORE_FEATURES), 0);
	/* The kernel served 40 buffers on vhost queue 0, 41 on queue 1. */
	io.kernel_base = 40;
	fv_used(&fd, 2)[1] = 41;
	io.f.n = 0;
	assert_int_equal(vhost_dev_stop(&v, &td->vdev), 0);
	assert_false(v.running);
	assert_int_equal(tr.kick_puts, 2);
	assert_int_equal(tr.call_puts, 2);
	assert_true(io.f.reqs[0] == VHOST_GET_VRING_BASE);
	assert_true(io.f.reqs[1] == VHOST_SET_VRING_KICK);
	assert_true(io.f.reqs[2] == VHOST_SET_VRING_CALL);
	assert_int_equal(io.kick[0].fd, -1);
	assert_int_equal(io.call[1].fd, -1);
	vq = virtio_dev_queue(&td->vdev, 2);
	assert_int_equal(vq->last_avail, 41);
	assert_int_equal(vq->used_idx, 41);
	assert_int_equal(virtio_dev_queue(&td->vdev, 1)->last_avail, 40);
	/* Stopping again does nothing. */
	io.f.n = 0;
	assert_int_equal(vhost_dev_stop(&v, &td->vdev), 0);
	assert_int_equal(io.f.n, 0);
	/* A restart (a driver rebind without a reset) goes on from there. */
	assert_int_equal(vhost_dev_start(&v, &td->vdev, FV_CORE_FEATURES), 0);
	assert_int_equal(io.base[0].num, 40);
	assert_int_equal(io.base[1].num, 41);
	assert_int_equal(vhost_dev_stop(&v, &td->vdev), 0);
	virtio_dev_unlock(&td->vdev);
	/* A device reset zeroes what was saved; the next start is at 0. */
	virtio_set_status(&td->vdev, 0);
	fv_start(&fd, &td->vdev, FV_CORE_FEATURES, NQ, 64);
	set_transport();
	virtio_dev_lock(&td->vdev);
	assert_int_equal(vhost_dev_start(&v, &td->vdev, FV_CORE_FEATURES), 0);
	virtio_dev_unlock(&td->vdev);
	assert_int_equal(io.base[0].num, 0);
	assert_int_equal(io.base[1].num, 0);
}

static void test_failures_undo(void **state)
{
	virtio_dev_lock(&td->vdev);
	/* A feature the kernel lacks: nothing sent. */
	io.f.n = 0;
	assert_int_equal(vhost_dev_start(&v, &td->vdev, 1ull << 7),
			 -EOPNOTSUPP);
	assert_int_equal(io.f.n, 0);
	/* The second queue's ADDR fails: the first queue is given back. */
	io.f.fail_req = VHOST_SET_VRING_ADDR;
	io.f.n = 0;
	assert_int_equal(vhost_dev_start(&v, &td->vdev, FV_CORE_FEATURES),
			 -EFAULT);
	assert_string_equal(v.failed, "VHOST_SET_VRING_ADDR");
	assert_false(v.running);
	assert_int_equal(tr.kick_gets, tr.kick_puts);
	/* No call eventfd (a transport without one): refused, the kicks
	 * given back. */
	io.f.fail_req = 0;
	tr.call_ret = -ENOTSUP;
	assert_int_equal(vhost_dev_start(&v, &td->vdev, FV_CORE_FEATURES),
			 -ENOTSUP);
	assert_string_equal(v.failed, "the queue's call eventfd");
	assert_int_equal(tr.kick_gets, 1);
	assert_int_equal(tr.kick_puts, 1);
	assert_int_equal(tr.call_puts, 0);
	assert_false(v.running);
	/* A queue the driver did not enable cannot be handed over. */
	tr.call_ret = 0;
	td->vdev.vq[2].cfg.enabled = false;
	assert_int_equal(vhost_dev_start(&v, &td->vdev, FV_CORE_FEATURES),
			 -EINVAL);
	td->vdev.vq[2].cfg.enabled = true;
	assert_int_equal(tr.kick_gets, tr.kick_puts);
	assert_int_equal(tr.call_gets, tr.call_puts);
	virtio_dev_unlock(&td->vdev);
}

static void test_kick(void **state)
{
	int efd[2] = { eventfd(0, EFD_NONBLOCK), eventfd(0, EFD_NONBLOCK) };
	uint64_t n = 0;

	tr.kick_fd[1] = efd[0];
	tr.kick_fd[2] = efd[1];
	virtio_dev_lock(&td->vdev);
	assert_int_equal(vhost_dev_start(&v, &td->vdev, FV_CORE_FEATURES), 0);
	vhost_dev_kick(&v);
	assert_int_equal(read(efd[1], &n, sizeof(n)), sizeof(n));
	assert_true(n == 1);
	vhost_dev_stop(&v, &td->vdev);
	virtio_dev_unlock(&td->vdev);
	close(efd[0]);
	close(efd[1]);
}

static void test_real_device(void **state)
{
	struct vhost_dev real = { 0 };
	int ret = vhost_dev_open(&real, "/dev/vhost-net", -1, 0, 2);

	if (ret == -ENOENT || ret == -EACCES)
		skip();	/* no vhost-net on this host */
	assert_int_equal(ret, 0);
	/* VERSION_1 is what every vhost-net kernel offers. */
	assert_true(real.features & (1ull << VIRTIO_F_VERSION_1));
	vhost_dev_close(&real);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_open), T(test_start_sequence),
		T(test_stop_saves_and_restart), T(test_failures_undo),
		T(test_kick), cmocka_unit_test(test_real_device),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
