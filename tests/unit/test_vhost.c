/* Unit tests of the vhost-net ioctl sequence (src/net/vhost.c) against a
 * recording fake ioctl: ownership and features at open, the memory
 * table, a queue's start (size, base, ring addresses, kick, call,
 * backend) and stop (backend detached, base read back), and errors.  A
 * real /dev/vhost-net is used when the host has one. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/vhost.h>
#include <string.h>
#include <unistd.h>

#include "net/vhost.h"

static unsigned long reqs[16];
static unsigned nreqs;
static unsigned long fail_req;
static struct vhost_memory mem_seen;
static struct vhost_memory_region region_seen[2];
static struct vhost_vring_addr addr_seen;
static struct vhost_vring_file files_seen[3];
static unsigned nfiles;
static uint64_t features_set;

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	if (nreqs < 16)
		reqs[nreqs++] = req;
	if (req == fail_req) {
		errno = EFAULT;
		return -1;
	}
	if (req == VHOST_GET_FEATURES)
		*(uint64_t *)arg = 0x1ull << 32 | 1ull << 15 | 1ull << 28;
	else if (req == VHOST_SET_FEATURES)
		features_set = *(uint64_t *)arg;
	else if (req == VHOST_SET_MEM_TABLE) {
		mem_seen = *(struct vhost_memory *)arg;
		memcpy(region_seen, ((struct vhost_memory *)arg)->regions,
		       sizeof(region_seen));
	} else if (req == VHOST_SET_VRING_ADDR)
		addr_seen = *(struct vhost_vring_addr *)arg;
	else if (req == VHOST_SET_VRING_KICK || req == VHOST_SET_VRING_CALL ||
		 req == VHOST_NET_SET_BACKEND) {
		if (nfiles < 3)
			files_seen[nfiles++] = *(struct vhost_vring_file *)arg;
	} else if (req == VHOST_GET_VRING_BASE)
		((struct vhost_vring_state *)arg)->num = 77;
	return 0;
}

static struct vhost_net v;

static int setup(void **state)
{
	nreqs = nfiles = 0;
	fail_req = 0;
	memset(&v, 0, sizeof(v));
	v.ioctl_fn = fake_ioctl;
	return vhost_net_open(&v, open("/dev/null", O_RDWR | O_CLOEXEC));
}

static int teardown(void **state)
{
	vhost_net_close(&v);
	return 0;
}

static void test_open_and_features(void **state)
{
	assert_int_equal(nreqs, 2);
	assert_true(reqs[0] == VHOST_SET_OWNER);
	assert_true(reqs[1] == VHOST_GET_FEATURES);
	assert_int_equal(vhost_net_set_features(&v, 1ull << 32 | 1ull << 15),
			 0);
	assert_true(features_set == (1ull << 32 | 1ull << 15));
	/* A feature the kernel lacks (GUEST_TSO4) is refused, not sent. */
	assert_int_equal(vhost_net_set_features(&v, 1ull << 7),
			 -EOPNOTSUPP);
	assert_int_equal(nreqs, 3);
}

static void test_mem_table(void **state)
{
	struct vhost_region r[2] = {
		{ 0, 0xc0000000, 0x7f0000000000 },
		{ 0x100000000, 0x40000000, 0x7f00c0000000 },
	};

	assert_int_equal(vhost_net_set_mem(&v, r, 2), 0);
	assert_int_equal(mem_seen.nregions, 2);
	assert_true(region_seen[1].guest_phys_addr == 0x100000000);
	assert_true(region_seen[1].memory_size == 0x40000000);
	assert_true(region_seen[1].userspace_addr == 0x7f00c0000000);
	assert_int_equal(vhost_net_set_mem(&v, r, 0), -EINVAL);
	assert_int_equal(vhost_net_set_mem(&v, r, VHOST_NET_MAX_REGIONS + 1),
			 -EINVAL);
}

static void test_queue_start_stop(void **state)
{
	struct vhost_ring r = {
		.index = 1, .num = 256, .base = 5,
		.desc = 0x1000, .avail = 0x2000, .used = 0x3000,
		.kick_fd = 10, .call_fd = 11, .backend_fd = 12,
	};
	uint16_t base = 0;

	nreqs = 0;
	assert_int_equal(vhost_net_start_queue(&v, &r), 0);
	assert_int_equal(nreqs, 6);
	assert_true(reqs[0] == VHOST_SET_VRING_NUM);
	assert_true(reqs[5] == VHOST_NET_SET_BACKEND);
	assert_int_equal(addr_seen.index, 1);
	assert_true(addr_seen.avail_user_addr == 0x2000);
	assert_true(addr_seen.used_user_addr == 0x3000);
	assert_int_equal(files_seen[0].fd, 10);
	assert_int_equal(files_seen[1].fd, 11);
	assert_int_equal(files_seen[2].fd, 12);
	nfiles = 0;
	assert_int_equal(vhost_net_stop_queue(&v, 1, &base), 0);
	assert_int_equal(files_seen[0].fd, -1);
	assert_int_equal(base, 77);
	/* The first failing ioctl stops the sequence. */
	nreqs = 0;
	fail_req = VHOST_SET_VRING_ADDR;
	assert_int_equal(vhost_net_start_queue(&v, &r), -EFAULT);
	assert_int_equal(nreqs, 3);
}

static void test_real_device(void **state)
{
	struct vhost_net real = { 0 };
	int ret = vhost_net_open(&real, -1);

	if (ret == -ENOENT)
		skip();	/* no vhost-net on this host */
	assert_int_equal(ret, 0);
	/* VERSION_1 is what every vhost-net kernel offers. */
	assert_true(real.features & (1ull << 32));
	vhost_net_close(&real);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_and_features, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mem_table, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_queue_start_stop, setup,
						teardown),
		cmocka_unit_test(test_real_device),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
