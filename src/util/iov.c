/* Copies between flat buffers and iovec arrays, and slices of iovec
 * arrays: shared by the virtio device models (guest buffers taken from a
 * virtqueue) and the block layer (bounce buffers, short transfers). */
#include "util/iov.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Copy between buf and bytes [off, off + len) of an iovec array. */
static size_t iov_copy(const struct iovec *iov, unsigned n, size_t off,
		       uint8_t *buf, size_t len, bool to_iov)
{
	size_t done = 0, chunk;
	uint8_t *p;
	unsigned i;

	for (i = 0; i < n && done < len; i++) {
		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		chunk = iov[i].iov_len - off;
		if (chunk > len - done)
			chunk = len - done;
		p = (uint8_t *)iov[i].iov_base + off;
		if (to_iov)
			memcpy(p, buf + done, chunk);
		else
			memcpy(buf + done, p, chunk);
		done += chunk;
		off = 0;
	}
	return done;
}

size_t iov_to_buf(const struct iovec *iov, unsigned n, size_t off,
		  void *buf, size_t len)
{
	return iov_copy(iov, n, off, buf, len, false);
}

size_t iov_from_buf(const struct iovec *iov, unsigned n, size_t off,
		    const void *buf, size_t len)
{
	return iov_copy(iov, n, off, (uint8_t *)buf, len, true);
}

int iov_slice(const struct iovec *iov, unsigned n, size_t off, size_t len,
	      struct iovec *dst, unsigned max)
{
	unsigned i, k = 0;
	size_t chunk;

	for (i = 0; i < n && len; i++) {
		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		if (k == max)
			return -1;
		chunk = iov[i].iov_len - off;
		if (chunk > len)
			chunk = len;
		dst[k].iov_base = (uint8_t *)iov[i].iov_base + off;
		dst[k].iov_len = chunk;
		k++;
		len -= chunk;
		off = 0;
	}
	return len ? -1 : (int)k;
}
