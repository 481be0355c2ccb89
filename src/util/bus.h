/* Address-range bus: the registry that port I/O and MMIO exits are
 * dispatched through.  Each struct vm owns one bus per address space.
 * Registration rejects empty, overflowing and overlapping ranges.
 * Ranges may be added and removed while vCPUs run (the guest moves PCI
 * BARs): writers publish a new sorted snapshot, readers take no lock,
 * and an old snapshot is freed once no reader can still be using it. */
#ifndef VIREO_UTIL_BUS_H
#define VIREO_UTIL_BUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A device access.  `offset` is relative to the registered base, `size` is
 * 1, 2, 4 or 8.  For a write, *value holds the data (zero-extended); for a
 * read, the handler stores the result in *value (the bus pre-fills it with
 * all ones).  Returns 0 or a negative errno; an error is logged by the bus
 * (rate-limited) and never stops the VMM.  A handler may register and
 * unregister ranges, on any bus, its own included. */
typedef int (*bus_io_fn)(void *opaque, uint64_t offset, unsigned size,
			 uint64_t *value, bool is_write);

/* One registered range; immutable once published except `hits`. */
struct bus_range {
	uint64_t base;
	uint64_t len;
	bus_io_fn fn;
	void *opaque;
	const char *name;
	uint64_t hits;		/* accesses dispatched here (statistics) */
};

/* An immutable, sorted, non-overlapping set of ranges. */
struct bus_snapshot {
	size_t count;
	struct bus_range *ranges[];
};

struct bus_retired;

struct bus {
	const char *name;	/* "pio" or "mmio", for messages */
	struct bus_snapshot *snap;	/* current snapshot (atomic) */
	unsigned long readers;	/* accesses in flight (atomic) */
	pthread_mutex_t lock;	/* serializes writers, guards `retired` */
	struct bus_retired *retired; /* snapshots and ranges awaiting free */
	uint64_t unclaimed;	/* accesses nothing was registered for */
};

void bus_init(struct bus *bus, const char *name);
/* Only once no thread can access the bus any more. */
void bus_destroy(struct bus *bus);

/* 0, -EINVAL (len 0 or base+len overflows), -EEXIST (overlap), -ENOMEM. */
int bus_register(struct bus *bus, uint64_t base, uint64_t len, bus_io_fn fn,
		 void *opaque, const char *name);

/* Removes the range that starts at `base` and belongs to `opaque`.  An
 * access already dispatched to it may still be running when this
 * returns.  0 or -ENOENT. */
int bus_unregister(struct bus *bus, uint64_t base, void *opaque);

/* The range containing addr, or NULL.  The pointer stays valid until the
 * range is unregistered: for statistics and single-threaded callers. */
const struct bus_range *bus_find(struct bus *bus, uint64_t addr);

/* Calls fn for every range in address order (statistics). */
void bus_for_each(struct bus *bus,
		  void (*fn)(const struct bus_range *r, void *arg), void *arg);
size_t bus_count(struct bus *bus);

/* Dispatch one access of `size` bytes at `addr` (little-endian `data`).
 * Returns 0 when a device handled it, -ENOENT when nothing is mapped there
 * (reads then return all ones), or the device's negative errno.
 * An access that straddles the end of a range is rejected with -EINVAL. */
int bus_access(struct bus *bus, uint64_t addr, void *data,
	       unsigned size, bool is_write);

#endif
