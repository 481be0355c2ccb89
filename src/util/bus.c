/* Address-range bus: a sorted snapshot of non-overlapping ranges, binary
 * searched on every port I/O or MMIO exit.
 *
 * Concurrency: readers (vCPU threads in bus_access) count themselves in
 * `readers` and load the current snapshot; they take no lock.  Writers
 * (under `lock`) build a new snapshot, publish it, and put the old one
 * (and any removed range) on a retired list.  Whatever is retired is
 * freed when `readers` is seen at zero afterwards: a reader that entered
 * later loads the new snapshot.  Every atomic here is sequentially
 * consistent, which that argument needs.  The check is made by writers
 * and by the last reader to leave; nobody ever waits for readers, so a
 * device handler may itself change the bus it is called from. */
#include "util/bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

struct bus_retired {
	struct bus_retired *next;
	void *ptr;
};

static struct bus_snapshot *snapshot_alloc(size_t count)
{
	struct bus_snapshot *s;

	s = malloc(sizeof(*s) + count * sizeof(s->ranges[0]));
	if (s)
		s->count = count;
	return s;
}

void bus_init(struct bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
	pthread_mutex_init(&bus->lock, NULL);
}

/* Frees everything retired if no reader is inside; under bus->lock. */
static void bus_reclaim_locked(struct bus *bus)
{
	struct bus_retired *r, *next;

	if (!bus->retired || __atomic_load_n(&bus->readers, __ATOMIC_SEQ_CST))
		return;
	for (r = bus->retired; r; r = next) {
		next = r->next;
		free(r->ptr);
		free(r);
	}
	__atomic_store_n(&bus->retired, NULL, __ATOMIC_SEQ_CST);
}

/* Queue ptr for freeing.  On allocation failure it leaks: freeing it now
 * could pull it from under a reader. */
static void bus_retire(struct bus *bus, void *ptr)
{
	struct bus_retired *r = malloc(sizeof(*r));

	if (!r) {
		log_error("%s bus: out of memory, leaking %p", bus->name, ptr);
		return;
	}
	r->ptr = ptr;
	r->next = bus->retired;
	__atomic_store_n(&bus->retired, r, __ATOMIC_SEQ_CST);
}

void bus_destroy(struct bus *bus)
{
	struct bus_snapshot *s = bus->snap;
	size_t i;

	pthread_mutex_lock(&bus->lock);
	bus_reclaim_locked(bus);
	pthread_mutex_unlock(&bus->lock);
	for (i = 0; s && i < s->count; i++)
		free(s->ranges[i]);
	free(s);
	bus->snap = NULL;
	pthread_mutex_destroy(&bus->lock);
}

/* Index of the first range whose base is > addr. */
static size_t upper_bound(const struct bus_snapshot *s, uint64_t addr)
{
	size_t lo = 0, hi = s ? s->count : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->ranges[mid]->base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int overlaps(const struct bus_snapshot *s, size_t pos, uint64_t base,
		    uint64_t last)
{
	/* The range before must end below base, the one after start past last. */
	if (pos > 0) {
		const struct bus_range *prev = s->ranges[pos - 1];

		if (prev->base + (prev->len - 1) >= base)
			return -EEXIST;
	}
	if (s && pos < s->count && s->ranges[pos]->base <= last)
		return -EEXIST;
	return 0;
}

/* Publish `next` in place of the current snapshot; under bus->lock. */
static void bus_publish(struct bus *bus, struct bus_snapshot *next)
{
	struct bus_snapshot *old = bus->snap;

	__atomic_store_n(&bus->snap, next, __ATOMIC_SEQ_CST);
	if (old)
		bus_retire(bus, old);
	bus_reclaim_locked(bus);
}

int bus_register(struct bus *bus, uint64_t base, uint64_t len, bus_io_fn fn,
		 void *opaque, const char *name)
{
	struct bus_snapshot *cur, *next;
	struct bus_range *r;
	uint64_t last;
	size_t pos, n;
	int ret;

	if (len == 0 || fn == NULL || __builtin_add_overflow(base, len - 1, &last))
		return -EINVAL;
	pthread_mutex_lock(&bus->lock);
	cur = bus->snap;
	n = cur ? cur->count : 0;
	pos = upper_bound(cur, base);
	ret = overlaps(cur, pos, base, last);
	if (ret)
		goto out;
	ret = -ENOMEM;
	r = malloc(sizeof(*r));
	next = snapshot_alloc(n + 1);
	if (!r || !next) {
		free(r);
		free(next);
		goto out;
	}
	*r = (struct bus_range){ base, len, fn, opaque, name, 0 };
	if (pos)
		memcpy(next->ranges, cur->ranges, pos * sizeof(r));
	next->ranges[pos] = r;
	if (n > pos)
		memcpy(next->ranges + pos + 1, cur->ranges + pos,
		       (n - pos) * sizeof(r));
	bus_publish(bus, next);
	ret = 0;
out:
	pthread_mutex_unlock(&bus->lock);
	return ret;
}

int bus_unregister(struct bus *bus, uint64_t base, void *opaque)
{
	struct bus_snapshot *cur, *next;
	struct bus_range *r;
	size_t pos;
	int ret = -ENOENT;

	pthread_mutex_lock(&bus->lock);
	cur = bus->snap;
	pos = upper_bound(cur, base);
	if (pos == 0 || cur->ranges[pos - 1]->base != base ||
	    cur->ranges[pos - 1]->opaque != opaque)
		goto out;
	pos--;
	r = cur->ranges[pos];
	ret = -ENOMEM;
	next = snapshot_alloc(cur->count - 1);
	if (!next)
		goto out;
	memcpy(next->ranges, cur->ranges, pos * sizeof(r));
	memcpy(next->ranges + pos, cur->ranges + pos + 1,
	       (cur->count - pos - 1) * sizeof(r));
	bus_retire(bus, r);
	bus_publish(bus, next);
	ret = 0;
out:
	pthread_mutex_unlock(&bus->lock);
	return ret;
}

static struct bus_range *lookup(const struct bus_snapshot *s, uint64_t addr)
{
	size_t pos = upper_bound(s, addr);
	struct bus_range *r;

	if (pos == 0)
		return NULL;
	r = s->ranges[pos - 1];
	return addr - r->base < r->len ? r : NULL;
}

static struct bus_snapshot *read_begin(struct bus *bus)
{
	__atomic_fetch_add(&bus->readers, 1, __ATOMIC_SEQ_CST);
	return __atomic_load_n(&bus->snap, __ATOMIC_SEQ_CST);
}

static void read_end(struct bus *bus)
{
	/* The last reader out frees what writers retired meanwhile. */
	if (__atomic_sub_fetch(&bus->readers, 1, __ATOMIC_SEQ_CST) == 0 &&
	    __atomic_load_n(&bus->retired, __ATOMIC_SEQ_CST) &&
	    pthread_mutex_trylock(&bus->lock) == 0) {
		bus_reclaim_locked(bus);
		pthread_mutex_unlock(&bus->lock);
	}
}

const struct bus_range *bus_find(struct bus *bus, uint64_t addr)
{
	const struct bus_range *r = lookup(read_begin(bus), addr);

	read_end(bus);
	return r;
}

void bus_for_each(struct bus *bus,
		  void (*fn)(const struct bus_range *r, void *arg), void *arg)
{
	const struct bus_snapshot *s = read_begin(bus);
	size_t i;

	for (i = 0; s && i < s->count; i++)
		fn(s->ranges[i], arg);
	read_end(bus);
}

size_t bus_count(struct bus *bus)
{
	const struct bus_snapshot *s = read_begin(bus);
	size_t n = s ? s->count : 0;

	read_end(bus);
	return n;
}

static int bus_dispatch(struct bus *bus, struct bus_range *r, uint64_t addr,
			void *data, unsigned size, bool is_write)
{
	uint64_t value = ~0ULL, off = addr - r->base;
	int ret;

	__atomic_fetch_add(&r->hits, 1, __ATOMIC_RELAXED);
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

int bus_access(struct bus *bus, uint64_t addr, void *data,
	       unsigned size, bool is_write)
{
	struct bus_range *r;
	int ret;

	if (size == 0 || size > 8 || (size & (size - 1))) {
		/* KVM splits a page-crossing MMIO access into odd pieces; no
		 * device takes them, and a read must not return stale bytes. */
		if (!is_write && size > 0 && size <= 8)
			memset(data, 0xff, size);
		return -EINVAL;
	}
	r = lookup(read_begin(bus), addr);
	if (!r) {
		__atomic_fetch_add(&bus->unclaimed, 1, __ATOMIC_RELAXED);
		if (!is_write)
			memset(data, 0xff, size);
		ret = -ENOENT;
	} else {
		ret = bus_dispatch(bus, r, addr, data, size, is_write);
	}
	read_end(bus);
	return ret;
}
