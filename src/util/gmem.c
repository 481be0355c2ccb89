/* Guest physical memory translation with bounds checks. */
#include "util/gmem.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23	/* Linux 5.14 */
#endif

void gmem_layout(struct gmem *m, uint8_t *host, uint64_t size,
		 uint64_t hole_start, uint64_t high_base)
{
	m->host = host;
	m->size = size;
	m->low_size = size < hole_start ? size : hole_start;
	m->high_base = high_base;
	m->shared = false;
}

static bool range_in(uint64_t gpa, uint64_t len, uint64_t base, uint64_t size)
{
	return gpa >= base && gpa - base <= size && len <= size - (gpa - base);
}

void *gmem_ptr(const struct gmem *m, uint64_t gpa, uint64_t len)
{
	uint64_t high_size = m->size - m->low_size;

	if (range_in(gpa, len, 0, m->low_size))
		return m->host + gpa;
	if (high_size && range_in(gpa, len, m->high_base, high_size))
		return m->host + m->low_size + (gpa - m->high_base);
	return NULL;
}

int gmem_write(const struct gmem *m, uint64_t gpa, const void *src,
	       uint64_t len)
{
	void *p = gmem_ptr(m, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(p, src, len);
	return 0;
}

int gmem_read(const struct gmem *m, uint64_t gpa, void *dst, uint64_t len)
{
	const void *p = gmem_ptr(m, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(dst, p, len);
	return 0;
}

uint64_t gmem_top(const struct gmem *m)
{
	if (m->size > m->low_size)
		return m->high_base + (m->size - m->low_size);
	return m->low_size;
}

int gmem_discard(const struct gmem *m, uint64_t gpa, uint64_t len)
{
	void *p = gmem_ptr(m, gpa, len);

	if (!p || !len || (gpa | len) & 0xfff)
		return -EINVAL;
	if (madvise(p, len, m->shared ? MADV_REMOVE : MADV_DONTNEED))
		return -errno;
	return 0;
}

void gmem_populate(const struct gmem *m, uint64_t gpa, uint64_t len)
{
	void *p = gmem_ptr(m, gpa, len);

	/* Best effort: without it the pages fault in when the guest
	 * touches them. */
	if (p && len && !((gpa | len) & 0xfff))
		madvise(p, len, MADV_POPULATE_WRITE);
}

unsigned gmem_regions(const struct gmem *m, struct gmem_region r[2])
{
	r[0] = (struct gmem_region){0, m->low_size, m->host};
	if (m->size == m->low_size)
		return 1;
	r[1] = (struct gmem_region){m->high_base, m->size - m->low_size,
				    m->host + m->low_size};
	return 2;
}
