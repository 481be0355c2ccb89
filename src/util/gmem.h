/* Guest physical memory as the VMM sees it: one host mapping split into a
 * low region [0, low_size) and, when RAM exceeds the 32-bit hole, a high
 * region [4 GiB, 4 GiB + high_size).  Every guest-physical address is
 * translated through gmem_ptr(), which checks bounds: addresses a guest
 * hands us are never dereferenced unchecked. */
#ifndef VIREO_UTIL_GMEM_H
#define VIREO_UTIL_GMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gmem {
	uint8_t *host;		/* low region, followed by the high region */
	uint64_t size;		/* total bytes of RAM */
	uint64_t low_size;	/* RAM below the hole */
	uint64_t high_base;	/* guest-physical start of the high region */
	bool shared;		/* MAP_SHARED: discard with MADV_REMOVE */
};

/* Split `size` bytes of RAM around a hole at [hole_start, high_base). */
void gmem_layout(struct gmem *m, uint8_t *host, uint64_t size,
		 uint64_t hole_start, uint64_t high_base);

/* Host pointer for [gpa, gpa+len) if it lies wholly inside one RAM
 * region, else NULL. */
void *gmem_ptr(const struct gmem *m, uint64_t gpa, uint64_t len);

/* Checked copies; 0 or -EFAULT. */
int gmem_write(const struct gmem *m, uint64_t gpa, const void *src,
	       uint64_t len);
int gmem_read(const struct gmem *m, uint64_t gpa, void *dst, uint64_t len);

/* Give [gpa, gpa+len) back to the host (zero-filled on next touch):
 * MADV_DONTNEED, or MADV_REMOVE for shared RAM.  The range must be 4 KiB
 * aligned and lie inside one RAM region.  0 or -errno. */
int gmem_discard(const struct gmem *m, uint64_t gpa, uint64_t len);
/* Fault [gpa, gpa+len) in again without changing its contents
 * (MADV_POPULATE_WRITE; a no-op on kernels without it). */
void gmem_populate(const struct gmem *m, uint64_t gpa, uint64_t len);

/* Guest-physical end of RAM (exclusive). */
uint64_t gmem_top(const struct gmem *m);

/* The RAM regions as (guest-physical start, length, host address): the
 * low one, then the high one when RAM exceeds the hole.  Fills r and
 * returns how many (1 or 2).  For KVM's memory slots and vhost's table. */
struct gmem_region {
	uint64_t gpa, size;
	uint8_t *host;
};
unsigned gmem_regions(const struct gmem *m, struct gmem_region r[2]);

#endif
