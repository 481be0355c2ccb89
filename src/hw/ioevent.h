/* Guest writes that signal an eventfd instead of stopping a vCPU: a
 * device asks "when the guest writes `len` bytes at `addr` (optionally
 * only the value `data`), signal `fd`".  The VMM implements it with
 * KVM_IOEVENTFD (src/kvm/irq.c); tests fake it.  A registration follows
 * its BAR: the device removes it and adds it again when the BAR moves.
 * No KVM header here. */
#ifndef VIREO_HW_IOEVENT_H
#define VIREO_HW_IOEVENT_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

struct hw_ioevent_req {
	int fd;			/* an eventfd the device owns */
	uint64_t addr;
	unsigned len;		/* 1, 2, 4 or 8 */
	bool io;		/* port I/O instead of MMIO */
	bool datamatch;		/* only writes of exactly `data` */
	uint64_t data;
};

struct hw_ioevent {
	/* Register (assign true) or remove a request; the same fields
	 * identify it both times.  0 or -errno (-ENOTSUP: not available,
	 * the write then exits to the device's handler as before). */
	int (*set)(void *opaque, const struct hw_ioevent_req *req,
		   bool assign);
	void *opaque;
};

static inline int hw_ioevent_set(const struct hw_ioevent *h,
				 const struct hw_ioevent_req *req, bool assign)
{
	if (!h || !h->set)
		return -ENOTSUP;
	return h->set(h->opaque, req, assign);
}

#endif
