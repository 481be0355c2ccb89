/* Fuzz target: the virtio-blk request path (ring walk, header, sector and
 * length checks, discard segments, GET_ID) against guest memory the
 * fuzzer writes and a fake asynchronous disk.  Input: byte 0 flags (bit 0
 * reset before the disk completes, bit 1 read-only disk, bit 2 the disk
 * fails requests, bit 3 negotiate DISCARD and WRITE_ZEROES, bit 4 kick
 * twice, bit 5 a packed ring); the rest is guest memory from 0x1000,
 * where queue 0's descriptor table (16 entries) starts, its available
 * ring at 0x2000 and used ring at 0x3000.  After a reset no completion
 * may interrupt the guest, and the reset finishes once the disk has
 * completed everything. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/fake_virtq.h"
#include "../unit/fake_vblk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DISK (16 * 1024)

static struct fake_disk disk;

static struct virtio_dev *create(struct fake_driver *f, uint8_t flags)
{
	struct virtio_blk_params p = {
		.capacity = DISK,
		.readonly = flags & 2,
		.serial = "fuzz",
		.block_size = 512,
		.seg_max = 8,
		.size_max = 4096,
		.max_request = 8 * 4096,
		.discard = true,
		.write_zeroes = true,
		.write_zeroes_may_unmap = true,
		.max_discard_sectors = 16,
		.num_queues = 1,
		.queue_size = 16,
		.packed_ring = flags & 32,
		.backend = fake_disk_backend(&disk),
	};
	struct virtio_dev *dev;

	if (virtio_blk_create(&f->mem, &p, &dev))
		abort();
	return dev;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t features = FV_CORE_FEATURES | FV_F(VIRTIO_BLK_F_SEG_MAX) |
			    FV_F(VIRTIO_BLK_F_SIZE_MAX) |
			    FV_F(VIRTIO_BLK_F_FLUSH);
	struct fake_driver f;
	struct virtio_dev *dev;
	unsigned irqs_before;
	uint8_t flags;

	if (size < 1)
		return 0;
	flags = data[0];
	fv_init(&f);
	if (fake_disk_init(&disk, DISK))
		abort();
	disk.result = flags & 4 ? -5 : 0;
	dev = create(&f, flags);
	if (flags & 32)
		features |= FV_F(VIRTIO_F_RING_PACKED);
	if (flags & 2)
		features |= FV_F(VIRTIO_BLK_F_RO);
	else if (flags & 8)
		features |= FV_F(VIRTIO_BLK_F_DISCARD) |
			    FV_F(VIRTIO_BLK_F_WRITE_ZEROES);
	fv_start(&f, dev, features, 1, 16);
	size--;
	if (size > FV_LOW - FV_RING(0))
		size = FV_LOW - FV_RING(0);
	memcpy(f.host + FV_RING(0), data + 1, size);

	virtio_notify_queue(dev, 0);
	if (flags & 16)
		virtio_notify_queue(dev, 0);
	if (flags & 1) {
		virtio_set_status(dev, 0);
		irqs_before = f.queue_irqs[0];
		virtio_blk_poll(dev, 0);
		if (f.queue_irqs[0] != irqs_before ||
		    virtio_get_status(dev) != 0)
			abort();
	} else {
		virtio_blk_poll(dev, 0);
		virtio_blk_poll(dev, 0);
	}
	fv_fini(&f);
	free(disk.data);
	return 0;
}
