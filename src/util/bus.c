/* Address-range bus: a sorted array of non-overlapping ranges, binary
 * searched on every port I/O or MMIO exit. */
#include "util/bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

void bus_init(struct bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
}

void bus_destroy(struct bus *bus)
{
	free(bus->ranges);
	bus->ranges = NULL;
	bus->count = bus->capacity = 0;
}

/* Index of the first range whose base is > addr. */
static size_t bus_upper_bound(const struct bus *bus, uint64_t addr)
{
	size_t lo = 0, hi = bus->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (bus->ranges[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int bus_register(struct bus *bus, uint64_t base, uint64_t len, bus_io_fn fn,
		 void *opaque, const char *name)
{
	uint64_t last;
	size_t pos;

	if (len == 0 || fn == NULL || __builtin_add_overflow(base, len - 1, &last))
		return -EINVAL;
	pos = bus_upper_bound(bus, base);
	/* The range before must end below base, the one after start past last. */
	if (pos > 0) {
		const struct bus_range *prev = &bus->ranges[pos - 1];

		if (prev->base + (prev->len - 1) >= base)
			return -EEXIST;
	}
	if (pos < bus->count && bus->ranges[pos].base <= last)
		return -EEXIST;

	if (bus->count == bus->capacity) {
		size_t cap = bus->capacity ? bus->capacity * 2 : 16;
		struct bus_range *r = realloc(bus->ranges, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		bus->ranges = r;
		bus->capacity = cap;
	}
	memmove(&bus->ranges[pos + 1], &bus->ranges[pos],
		(bus->count - pos) * sizeof(*bus->ranges));
	bus->ranges[pos] = (struct bus_range){ base, len, fn, opaque, name, 0 };
	bus->count++;
	return 0;
}

const struct bus_range *bus_find(const struct bus *bus, uint64_t addr)
{
	size_t pos = bus_upper_bound(bus, addr);
	const struct bus_range *r;

	if (pos == 0)
		return NULL;
	r = &bus->ranges[pos - 1];
	return addr - r->base < r->len ? r : NULL;
}

int bus_access(struct bus *bus, uint64_t addr, void *data,
	       unsigned size, bool is_write)
{
	struct bus_range *r;
	uint64_t value = ~0ULL, off;
	int ret;

	if (size == 0 || size > 8 || (size & (size - 1))) {
		/* KVM splits a page-crossing MMIO access into odd pieces; no
		 * device takes them, and a read must not return stale bytes. */
		if (!is_write && size > 0 && size <= 8)
			memset(data, 0xff, size);
		return -EINVAL;
	}
	r = (struct bus_range *)bus_find(bus, addr);
	if (!r) {
		__atomic_fetch_add(&bus->unclaimed, 1, __ATOMIC_RELAXED);
		if (!is_write)
			memset(data, 0xff, size);
		return -ENOENT;
	}
	__atomic_fetch_add(&r->hits, 1, __ATOMIC_RELAXED);
	off = addr - r->base;
	/* Trust boundary: addr and size come from the guest. */
	if (r->len - off < size) {
		log_guest("%s: %u-byte access at %#llx straddles the end of %s",
			  bus->name, size, (unsigned long long)addr, r->name);
		if (!is_write)
			memset(data, 0xff, size);
		return -EINVAL;
	}
	if (is_write) {
		value = 0;
		memcpy(&value, data, size);	/* x86 hosts are little-endian */
	}
	ret = r->fn(r->opaque, off, size, &value, is_write);
	if (!is_write)
		memcpy(data, &value, size);
	if (ret < 0)
		log_guest("%s: %s %u bytes at %#llx in %s failed: %s", bus->name,
			  is_write ? "write" : "read", size,
			  (unsigned long long)addr, r->name, strerror(-ret));
	return ret;
}
