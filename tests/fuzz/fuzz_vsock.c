/* Fuzz target: virtio-vsock's event queue and its data path's start and
 * stop over guest memory the fuzzer writes.  Input: byte 0 flags (bit 0
 * negotiate SEQPACKET, bit 1 a transport reset before the kicks, bit 2
 * one after them, bit 3 a device reset at the end, bit 4 activate again
 * after it, bit 5 the backend's start fails); byte 1 the number of
 * event-queue kicks (low 3 bits); the rest is guest memory from 0x1000
 * (zeroes after it), where queue q's descriptor table (16 entries)
 * starts at 0x1000 + 0x3000 q, its available ring 0x1000 and its used
 * ring 0x2000 above.  The data path is stopped exactly as often as it
 * was started, at most two events are ever delivered (one per
 * transport reset), and every write lands in RAM (ASan). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/fake_virtq.h"
#include "virtio/vsock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fake_driver f;
static unsigned starts, stops;
static int start_ret;

static int fuzz_start(void *opaque, struct virtio_dev *d, uint64_t features)
{
	if (starts != stops)
		abort(); /* started twice without a stop */
	if (start_ret)
		return start_ret;
	starts++;
	return 0;
}

static void fuzz_stop(void *opaque, struct virtio_dev *d)
{
	stops++;
	if (stops > starts)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_vsock_params p = {
	    .guest_cid = 3,
	    .features = 1ull << VIRTIO_VSOCK_F_SEQPACKET,
	    .backend = {fuzz_start, fuzz_stop, NULL},
	};
	uint64_t features = FV_CORE_FEATURES;
	struct virtio_dev *dev;
	uint8_t flags;
	unsigned i;

	if (size < 2)
		return 0;
	flags = data[0];
	fv_init(&f);
	starts = stops = 0;
	start_ret = flags & 32 ? -5 : 0;
	if (virtio_vsock_create(&f.mem, &p, &dev))
		abort();
	if (flags & 1)
		features |= FV_F(VIRTIO_VSOCK_F_SEQPACKET);
	fv_start(&f, dev, features, VIRTIO_VSOCK_NUM_QUEUES, 16);
	size -= 2;
	if (size > FV_LOW - FV_RING(0))
		size = FV_LOW - FV_RING(0);
	memcpy(f.host + FV_RING(0), data + 2, size);

	if (flags & 2)
		virtio_vsock_transport_reset(dev);
	for (i = 0; i < (data[1] & 7u); i++)
		virtio_notify_queue(dev, i % 3);
	if (flags & 4)
		virtio_vsock_transport_reset(dev);
	if (virtio_vsock_events_sent(dev) > 2)
		abort();
	if (flags & 8) {
		virtio_set_status(dev, 0);
		if (starts != stops)
			abort();
		if (flags & 16)
			fv_start(&f, dev, features, VIRTIO_VSOCK_NUM_QUEUES,
				 16);
	}
	fv_fini(&f);
	if (starts != stops)
		abort();
	return 0;
}
