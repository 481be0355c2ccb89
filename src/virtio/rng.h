/* virtio-rng (device id 4): entropy from the host's getrandom(), served
 * on the main loop when the driver kicks, optionally limited to a rate in
 * bytes per second (a token bucket holding one second's worth).  When
 * the bucket runs dry the device asks the machine for a one-shot timer
 * and serves the rest when virtio_rng_timer() is called; without a timer
 * it serves them at the next kick. */
#ifndef VIREO_VIRTIO_RNG_H
#define VIREO_VIRTIO_RNG_H

#include <stdint.h>
#include <sys/types.h>

#include "util/gmem.h"
#include "virtio/virtio.h"

#define VIRTIO_ID_RNG		4
#define VIRTIO_RNG_MAX_RATE	1000000000ull	/* bytes per second */

struct virtio_rng_params {
	uint64_t bytes_per_sec;		/* 0: unlimited */
	uint16_t queue_size;		/* a power of two; 0 means 64 */
	bool packed_ring;		/* offer VIRTIO_F_RING_PACKED */
	/* Optional: call virtio_rng_timer() once, `ns` from now (replacing
	 * a timer armed before).  Called with the device lock held. */
	void (*arm_timer)(void *opaque, uint64_t ns);
	void *timer_opaque;
	/* For tests; NULL means CLOCK_MONOTONIC and getrandom(). */
	uint64_t (*now_ns)(void *opaque);
	ssize_t (*fill)(void *opaque, void *buf, size_t len);
	void *test_opaque;
};

/* 0, or -EINVAL for a rate above VIRTIO_RNG_MAX_RATE or a bad queue
 * size, -ENOMEM. */
int virtio_rng_create(const struct gmem *mem,
		      const struct virtio_rng_params *p,
		      struct virtio_dev **out);

/* The timer armed through arm_timer fired (main loop).  The machine
 * cancels its timer before it destroys the device. */
void virtio_rng_timer(struct virtio_dev *dev);

#endif
