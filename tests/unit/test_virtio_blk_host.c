/* Unit tests for virtio-blk over a real src/block image (src/virtio/
 * blk_host.c): the device's parameters come from the image, a write and a
 * read go through the backend's queue and come back when its eventfd
 * fires, and a reset with a request in flight finishes only once the
 * backend has returned it, without the status byte being written. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <unistd.h>

#include "fake_virtq.h"
#include "virtio/blk_host.h"

#define DISK	(256 * 1024)
#define R	0
#define W	VIRTQ_DESC_F_WRITE
#define N	VIRTQ_DESC_F_NEXT
#define HDR	FV_BUF
#define STS	(FV_BUF + 0x20)
#define DATA	(FV_BUF + 0x1000)

static struct fake_driver fd;
static struct blk_image *img;
static struct vblk_host *host;
static struct virtio_dev *dev;
static char path[64];

static int setup(void **state)
{
	struct virtio_blk_params p;
	struct blk_opts o;
	char err[256];
	int tfd;

	strcpy(path, "/tmp/vireo-vblk-XXXXXX");
	tfd = mkstemp(path);

	if (tfd < 0 || ftruncate(tfd, DISK) || pwrite(tfd, "disk", 4, 512) != 4)
		return -1;
	close(tfd);
	snprintf(err, sizeof(err), "path=%s,serial=vblk-host", path);
	if (blk_opts_parse(err, &o, err, sizeof(err)) ||
	    blk_open(&o, &img, err, sizeof(err)) ||
	    vblk_host_create(img, 1, 16, &host))
		return -1;
	vblk_host_params(img, host, &p);
	p.num_queues = 1;
	p.queue_size = 16;
	fv_init(&fd);
	if (virtio_blk_create(&fd.mem, &p, &dev))
		return -1;
	fv_start(&fd, dev, FV_CORE_FEATURES, 1, 16);
	return 0;
}

static int teardown(void **state)
{
	fv_fini(&fd);
	vblk_host_destroy(host);
	blk_close(img);
	unlink(path);
	return 0;
}

static void request(uint32_t type, uint64_t sector, uint16_t dflags)
{
	uint32_t h[4] = { type, 0, (uint32_t)sector, 0 };

	memcpy(fd.host + HDR, h, sizeof(h));
	fd.host[STS] = 0xee;
	fv_desc(&fd, 0, 0, HDR, 16, N, 1);
	fv_desc(&fd, 0, 1, DATA, 512, dflags | N, 2);
	fv_desc(&fd, 0, 2, STS, 1, W, 0);
	fv_kick(&fd, 0, 0);
}

/* Wait for the backend's eventfd and let the device take completions
 * until `used` chains are back. */
static void wait_used(uint16_t used)
{
	struct pollfd p = { vblk_host_eventfd(host, 0), POLLIN, 0 };
	int rounds = 0;

	while (fv_used_idx(&fd, 0) != used) {
		assert_true(++rounds < 100);
		poll(&p, 1, 100);
		virtio_blk_poll(dev, 0);
	}
}

static void test_params_from_image(void **state)
{
	uint64_t cap;
	uint8_t id[20] = { 0 };

	virtio_config_read(dev, VIRTIO_BLK_CFG_CAPACITY, &cap, 8);
	assert_int_equal(cap, DISK / 512);
	memset(fd.host + DATA, 0xff, 20);
	request(VIRTIO_BLK_T_GET_ID, 0, W);
	assert_int_equal(fd.host[STS], VIRTIO_BLK_S_OK);
	memcpy(id, "vblk-host", 9);
	assert_memory_equal(fd.host + DATA, id, 20);
}

static void test_read_write(void **state)
{
	request(VIRTIO_BLK_T_IN, 1, W);
	wait_used(1);
	assert_int_equal(fd.host[STS], VIRTIO_BLK_S_OK);
	assert_memory_equal(fd.host + DATA, "disk", 4);
	memcpy(fd.host + DATA, "vireo", 5);
	request(VIRTIO_BLK_T_OUT, 7, R);
	wait_used(2);
	assert_int_equal(fd.host[STS], VIRTIO_BLK_S_OK);
	memset(fd.host + DATA, 0, 512);
	request(VIRTIO_BLK_T_IN, 7, W);
	wait_used(3);
	assert_memory_equal(fd.host + DATA, "vireo", 5);
}

static void test_reset_in_flight(void **state)
{
	struct pollfd p = { vblk_host_eventfd(host, 0), POLLIN, 0 };

	request(VIRTIO_BLK_T_IN, 1, W);
	virtio_set_status(dev, 0);
	assert_int_not_equal(virtio_get_status(dev), 0);
	poll(&p, 1, 5000);
	virtio_blk_poll(dev, 0);
	assert_int_equal(virtio_get_status(dev), 0);
	assert_int_equal(fd.host[STS], 0xee);
	assert_int_equal(fv_used_idx(&fd, 0), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_params_from_image),
		T(test_read_write),
		T(test_reset_in_flight),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
