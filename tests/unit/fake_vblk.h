/* A fake block backend for virtio-blk tests and the fuzz target: a disk
 * in memory whose requests wait until fake_disk_poll() (the event loop's
 * turn, in the real thing) and only then move data, as asynchronous I/O
 * would. */
#ifndef VIREO_TESTS_FAKE_VBLK_H
#define VIREO_TESTS_FAKE_VBLK_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/blk.h"
#include "virtio/virtq.h"

#define FAKE_DISK_MAX_PENDING 1024

struct fake_pending {
	void *tag;
	unsigned q;
	struct vblk_io io;
};

struct fake_disk {
	uint8_t *data;
	uint64_t size;
	struct fake_pending pending[FAKE_DISK_MAX_PENDING];
	unsigned npending;
	int result;		/* result of the next completions */
	int refuse;		/* submit returns this when non-zero */
	unsigned submits, flushes, drains;
	unsigned plugs, unplugs;
	unsigned submits_plugged;	/* submits between plug and unplug */
	bool plugged;
	struct vblk_io last;
};

static inline int fake_disk_submit(void *opaque, unsigned q,
				   const struct vblk_io *io, void *tag)
{
	struct fake_disk *d = opaque;

	if (d->refuse)
		return d->refuse;
	if (d->npending == FAKE_DISK_MAX_PENDING)
		return -EAGAIN;
	d->pending[d->npending++] = (struct fake_pending){ tag, q, *io };
	d->submits++;
	d->submits_plugged += d->plugged;
	d->last = *io;
	return 0;
}

/* Do the I/O the way a disk would; the device checked the range. */
static inline int fake_disk_io(struct fake_disk *d, const struct vblk_io *io)
{
	uint64_t off = io->offset;
	unsigned i;

	if (io->op == VBLK_FLUSH) {
		d->flushes++;
		return 0;
	}
	if (io->op == VBLK_DISCARD || io->op == VBLK_WRITE_ZEROES) {
		if (off > d->size || io->len > d->size - off)
			return -EINVAL;
		memset(d->data + off, 0, io->len);
		return 0;
	}
	for (i = 0; i < io->iovcnt; i++) {
		if (off > d->size || io->iov[i].iov_len > d->size - off)
			return -EINVAL;
		if (io->op == VBLK_READ)
			memcpy(io->iov[i].iov_base, d->data + off,
			       io->iov[i].iov_len);
		else
			memcpy(d->data + off, io->iov[i].iov_base,
			       io->iov[i].iov_len);
		off += io->iov[i].iov_len;
	}
	return 0;
}

/* Complete what queue q has pending (not what completions submit). */
static inline void fake_disk_poll(void *opaque, unsigned q)
{
	struct fake_disk *d = opaque;
	struct fake_pending done[FAKE_DISK_MAX_PENDING];
	unsigned i, n = 0, keep = 0;
	int r;

	for (i = 0; i < d->npending; i++) {
		if (d->pending[i].q == q)
			done[n++] = d->pending[i];
		else
			d->pending[keep++] = d->pending[i];
	}
	d->npending = keep;
	for (i = 0; i < n; i++) {
		r = fake_disk_io(d, &done[i].io);
		virtio_blk_complete(done[i].tag, r ? r : d->result);
	}
}

static inline void fake_disk_drain(void *opaque, unsigned q)
{
	struct fake_disk *d = opaque;

	d->drains++;
	fake_disk_poll(opaque, q);
}

static inline void fake_disk_plug(void *opaque, unsigned q)
{
	struct fake_disk *d = opaque;

	d->plugs++;
	d->plugged = true;
}

static inline void fake_disk_unplug(void *opaque, unsigned q)
{
	struct fake_disk *d = opaque;

	d->unplugs++;
	d->plugged = false;
}

static inline int fake_disk_init(struct fake_disk *d, uint64_t size)
{
	memset(d, 0, sizeof(*d));
	d->data = calloc(1, size);
	d->size = size;
	return d->data ? 0 : -ENOMEM;
}

static inline struct virtio_blk_backend fake_disk_backend(struct fake_disk *d)
{
	return (struct virtio_blk_backend){
		.submit = fake_disk_submit,
		.poll = fake_disk_poll,
		.drain = fake_disk_drain,
		.opaque = d,
		.plug = fake_disk_plug,
		.unplug = fake_disk_unplug,
	};
}

#endif
