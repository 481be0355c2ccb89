/* Host block backend: a raw image file or block device opened once per
 * process (it outlives guest resets), and per-queue I/O contexts that
 * submit reads, writes, flushes, discards and write-zeroes off the vCPU
 * threads.  Knows nothing of virtio or KVM: buffers are plain iovecs.
 *
 * Engines: io_uring (one ring per queue) or, where io_uring cannot be set
 * up, a small thread pool with preadv/pwritev.  Both signal completions on
 * the queue's eventfd; the queue's owner thread then calls blk_queue_poll(),
 * which runs the completion callbacks in that thread.
 *
 * Threading contract: all calls on one struct blk_queue (submit, poll,
 * drain, destroy) must come from one thread at a time (the caller
 * serialises them, e.g. the main loop, or an I/O thread, or a per-queue
 * lock).  Different queues of one image may be used from different threads
 * concurrently.  blk_open/blk_close and blk_queue_create are not
 * thread-safe against each other. */
#ifndef VIREO_BLOCK_BLOCK_H
#define VIREO_BLOCK_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "block/opts.h"

#define BLK_SECTOR_SIZE 512u

/* What the backend accepts, for the device to advertise and enforce.
 * A request outside these limits is refused by blk_queue_submit with
 * -EINVAL (no callback). */
struct blk_limits {
	uint32_t block_size;	   /* logical block size in bytes (512, or the
				    * O_DIRECT alignment with cache=none, up to
				    * 4096): offsets and lengths of every
				    * request are multiples of it */
	uint32_t max_segments;	   /* iovecs per read/write */
	uint32_t max_segment_size; /* bytes per iovec */
	uint64_t max_request;	   /* bytes per read/write (sum of iovecs) */
	uint64_t max_discard;	   /* bytes per discard / write-zeroes */
};

#define BLK_MAX_SEGMENTS 128u
#define BLK_MAX_SEGMENT_SIZE (64u << 10)
#define BLK_MAX_REQUEST ((uint64_t)BLK_MAX_SEGMENTS * BLK_MAX_SEGMENT_SIZE)
#define BLK_MAX_DISCARD (1ull << 30)

enum blk_engine {
	BLK_ENGINE_URING,
	BLK_ENGINE_THREADS,
};

struct blk_image;
struct blk_queue;

/* Opens o->path for the whole process lifetime.
 * Checks, each failure one line in err (naming the file) and a negative
 * errno: missing file, a directory (or anything not a regular file or a
 * block device), a size that is not a multiple of 512, a file that cannot
 * be opened for writing without readonly=on, O_DIRECT refused with
 * cache=none, and an OFD lock (F_OFD_SETLK: shared for readonly, exclusive
 * otherwise) held by another process/open (-EBUSY, "is in use by another
 * process").  The engine is chosen here: io_uring unless it cannot be set
 * up or VIREO_BLOCK_ENGINE=threads is set in the environment
 * (VIREO_BLOCK_ENGINE=uring makes an io_uring failure an error).
 * The image keeps its own copy of o. */
int blk_open(const struct blk_opts *o, struct blk_image **out, char *err,
	     size_t errlen);

/* Releases the lock and closes the file.  Every queue must have been
 * destroyed first.  NULL is a no-op. */
void blk_close(struct blk_image *img);

uint64_t blk_size(const struct blk_image *img); /* bytes */
bool blk_readonly(const struct blk_image *img);
const char *blk_serial(const struct blk_image *img); /* "" if none, <= 20 */
const char *blk_path(const struct blk_image *img);
const struct blk_opts *blk_options(const struct blk_image *img);
void blk_get_limits(const struct blk_image *img, struct blk_limits *l);
/* True when discard=unmap (a discard then punches a hole); with
 * discard=ignore discards complete successfully and do nothing. */
bool blk_discard_unmaps(const struct blk_image *img);
enum blk_engine blk_engine(const struct blk_image *img);
const char *blk_engine_name(enum blk_engine e); /* "io_uring", "threads" */

enum blk_op {
	BLK_OP_READ,
	BLK_OP_WRITE,
	BLK_OP_FLUSH,
	BLK_OP_DISCARD,
	BLK_OP_WRITE_ZEROES,
};

struct blk_req;

/* Called exactly once per accepted request, from inside blk_queue_poll()
 * or blk_queue_drain() in the caller's thread, never from inside
 * blk_queue_submit().  result: 0, or a negative errno (-EIO, -ENOSPC, ...,
 * -ECANCELED for a request drained before it started).  On success of a
 * read or write, req->done_bytes equals the request's length.  The
 * callback may submit new requests on the same queue and may free or reuse
 * req. */
typedef void (*blk_done_fn)(struct blk_req *req, int result);

/* A request, embedded in the caller's own per-request state.  The caller
 * fills the public fields and keeps req, and the iovec array and the
 * buffers it points to, valid and untouched until the callback runs. */
struct blk_req {
	enum blk_op op;
	uint64_t offset;	 /* bytes; read/write/discard/write-zeroes */
	const struct iovec *iov; /* read/write: the buffers (guest memory) */
	unsigned iovcnt;
	uint64_t len; /* discard/write-zeroes: bytes */
	bool unmap;   /* write-zeroes: may deallocate (punch a
		       * hole) if discard=unmap */
	blk_done_fn done;
	void *opaque; /* for the caller */

	/* Set by the backend before the callback. */
	uint64_t done_bytes;

	/* Private to the backend. */
	struct blk_queue *q_;
	struct blk_req *next_;
	uint64_t total_;       /* read/write length */
	void *bounce_;	       /* aligned copy for O_DIRECT, or NULL */
	struct iovec *tmpiov_; /* remainder after a short transfer */
	struct iovec one_;
	int result_;
	unsigned state_;
	unsigned flags_;
};

/* A queue: its own eventfd and (io_uring) its own ring of `depth` entries
 * (at most 4096; 0 means 128).  Requests beyond the ring's room wait in a
 * backlog and are submitted as completions free room. */
int blk_queue_create(struct blk_image *img, unsigned depth,
		     struct blk_queue **out);

/* Drains (see blk_queue_drain) and frees the queue.  NULL is a no-op. */
void blk_queue_destroy(struct blk_queue *q);

/* The eventfd (EFD_NONBLOCK) that becomes readable when completions are
 * ready: add it to the owner thread's event loop and call
 * blk_queue_poll() when it fires. */
int blk_queue_eventfd(const struct blk_queue *q);

/* Submits req.  0: accepted, req->done will be called exactly once later.
 * A negative errno: refused (done is NOT called): -EINVAL for an offset or
 * length not a multiple of the block size, beyond the end of the image, an
 * unknown op or a request beyond the limits; -EROFS for a write, discard or
 * write-zeroes on a readonly image; -ENOMEM if a bounce buffer cannot be
 * allocated; -EAGAIN if the queue's backlog is full (more than four times
 * its depth waiting: give the queue a depth of at least the number of
 * requests the device can have in flight, and this never happens).  This is the
 * trust boundary for the values in req, which come from the guest: they are all
 * checked here. */
int blk_queue_submit(struct blk_queue *q, struct blk_req *req);

/* Batching: between blk_queue_plug() and blk_queue_unplug(), io_uring
 * submissions are prepared but not handed to the kernel, so that one
 * system call submits a whole batch (e.g. every request one virtqueue
 * notification brought); unplug submits them.  The thread-pool engine
 * starts work at once either way. */
void blk_queue_plug(struct blk_queue *q);
void blk_queue_unplug(struct blk_queue *q);

/* Reaps completions (clearing the eventfd) and runs their callbacks in the
 * caller's thread.  Returns the number of callbacks run. */
int blk_queue_poll(struct blk_queue *q);

/* For a device reset (and queue teardown).  Requests the backend has not
 * handed to the kernel or a worker yet (the backlog) are completed with
 * -ECANCELED without any I/O; then blk_queue_drain blocks until every
 * request already in flight has finished, and runs all their callbacks in
 * the caller's thread before it returns.  Contract: when blk_queue_drain
 * returns, no request of q is in flight and neither the kernel nor any
 * backend thread will read or write any buffer of any request submitted
 * before the call, nor call any callback for it: the caller may then unmap
 * guest memory.  The callbacks see the real result; a device that must not
 * touch guest memory during its reset marks itself as resetting before
 * calling drain and has its callback only release its own state. */
void blk_queue_drain(struct blk_queue *q);

/* Requests accepted and not yet completed through a callback. */
unsigned blk_queue_inflight(const struct blk_queue *q);

#endif
