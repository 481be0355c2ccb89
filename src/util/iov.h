/* Copies between flat buffers and iovec arrays, and slices of iovec
 * arrays (src/util/iov.c). */
#ifndef VIREO_UTIL_IOV_H
#define VIREO_UTIL_IOV_H

#include <stddef.h>
#include <sys/uio.h>

/* Gather `len` bytes of iov[0, n) starting at byte `off` into buf, or
 * scatter buf into them.  Return the bytes copied (fewer if iov ends). */
size_t iov_to_buf(const struct iovec *iov, unsigned n, size_t off,
		  void *buf, size_t len);
size_t iov_from_buf(const struct iovec *iov, unsigned n, size_t off,
		    const void *buf, size_t len);

/* Describe bytes [off, off + len) of iov[0, n) as iovecs in dst.  The
 * count, or -1 if that takes more than max or iov holds fewer bytes. */
int iov_slice(const struct iovec *iov, unsigned n, size_t off, size_t len,
	      struct iovec *dst, unsigned max);

#endif
