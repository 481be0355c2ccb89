/* Address-range bus: the registry that port I/O and MMIO exits are
 * dispatched through.  Each struct vm owns one bus per address space.
 * Registration rejects empty, overflowing and overlapping ranges;
 * lookups are lock-free because ranges are only added before vCPUs run. */
#ifndef VIREO_UTIL_BUS_H
#define VIREO_UTIL_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A device access.  `offset` is relative to the registered base, `size` is
 * 1, 2, 4 or 8.  For a write, *value holds the data (zero-extended); for a
 * read, the handler stores the result in *value (the bus pre-fills it with
 * all ones).  Returns 0 or a negative errno; an error is logged by the bus
 * (rate-limited) and never stops the VMM. */
typedef int (*bus_io_fn)(void *opaque, uint64_t offset, unsigned size,
			 uint64_t *value, bool is_write);

struct bus_range {
	uint64_t base;
	uint64_t len;
	bus_io_fn fn;
	void *opaque;
	const char *name;
	uint64_t hits;		/* accesses dispatched here (statistics) */
};

struct bus {
	const char *name;	/* "pio" or "mmio", for messages */
	struct bus_range *ranges; /* sorted by base, non-overlapping */
	size_t count;
	size_t capacity;
	uint64_t unclaimed;	/* accesses nothing was registered for */
};

void bus_init(struct bus *bus, const char *name);
void bus_destroy(struct bus *bus);

/* 0, -EINVAL (len 0 or base+len overflows), -EEXIST (overlap), -ENOMEM. */
int bus_register(struct bus *bus, uint64_t base, uint64_t len, bus_io_fn fn,
		 void *opaque, const char *name);

const struct bus_range *bus_find(const struct bus *bus, uint64_t addr);

/* Dispatch one access of `size` bytes at `addr` (little-endian `data`).
 * Returns 0 when a device handled it, -ENOENT when nothing is mapped there
 * (reads then return all ones), or the device's negative errno.
 * An access that straddles the end of a range is rejected with -EINVAL. */
int bus_access(struct bus *bus, uint64_t addr, void *data,
	       unsigned size, bool is_write);

#endif
