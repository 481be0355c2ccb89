/* The part of a fake vhost ioctl every vhost test shares: records the
 * requests, fails the chosen one with EFAULT, offers `offered` features
 * and keeps what was set. */
#ifndef VIREO_TESTS_FAKE_VHOST_H
#define VIREO_TESTS_FAKE_VHOST_H

#include <errno.h>
#include <linux/vhost.h>
#include <stdint.h>

#define FAKE_VHOST_REQS 64

struct fake_vhost {
	unsigned long reqs[FAKE_VHOST_REQS];
	unsigned n;
	unsigned long fail_req;		/* this request fails (EFAULT) */
	uint64_t offered, features;
};

/* -1 (errno set) for the failing request, 1 if req was handled here,
 * 0 for the caller to handle. */
static inline int fake_vhost_common(struct fake_vhost *f, unsigned long req,
				    void *arg)
{
	if (f->n < FAKE_VHOST_REQS)
		f->reqs[f->n++] = req;
	if (req == f->fail_req) {
		errno = EFAULT;
		return -1;
	}
	if (req == VHOST_GET_FEATURES)
		*(uint64_t *)arg = f->offered;
	else if (req == VHOST_SET_FEATURES)
		f->features = *(uint64_t *)arg;
	else
		return 0;
	return 1;
}

#endif
