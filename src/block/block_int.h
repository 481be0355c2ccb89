/* Internals shared by the block backend's core (block.c) and its two
 * engines (engine_uring.c, engine_threads.c).  Not for device models. */
#ifndef VIREO_BLOCK_BLOCK_INT_H
#define VIREO_BLOCK_BLOCK_INT_H

#include <liburing.h>
#include <pthread.h>

#include "block/block.h"

struct blk_pool;

struct blk_image {
	struct blk_opts o;
	int fd;
	uint64_t size;
	enum blk_engine engine;
	struct blk_limits lim;
	bool direct;	       /* opened with O_DIRECT */
	uint32_t mem_align;    /* O_DIRECT buffer alignment */
	struct blk_pool *pool; /* threads engine */
	unsigned queues;       /* live queues */
};

struct blk_queue {
	struct blk_image *img;
	int efd;
	unsigned inflight; /* accepted, callback not yet run */

	/* Completed requests whose callbacks have not run yet; workers add
	 * to it, so under lock. */
	pthread_mutex_t lock;
	struct blk_req *done_head, *done_tail;

	/* io_uring engine (owner thread only). */
	struct io_uring ring;
	bool ring_ok;
	bool plugged;
	unsigned depth;
	unsigned in_ring; /* SQEs handed to the ring, CQE not reaped */
	struct blk_req *backlog_head, *backlog_tail;
	unsigned backlog;

	/* threads engine: requests queued in or running in the pool,
	 * under the pool's lock. */
	unsigned in_pool;
	pthread_cond_t idle;
};

/* Request states (req->state_). */
enum { REQ_QUEUED = 1, REQ_RUNNING, REQ_DONE };

/* Write-zeroes fallbacks (req->flags_): a refused hole punch becomes a
 * zero range, a refused zero range (tmpfs, NFS) plain writes of zeroes. */
enum { REQ_F_ZERO_RANGE = 1, REQ_F_ZERO_WRITE = 2 };

/* Whether req transfers data through iovecs (a read, a write, or a
 * write-zeroes that writes zeroes). */
static inline bool blk_req_is_rw(const struct blk_req *req)
{
	return req->op == BLK_OP_READ || req->op == BLK_OP_WRITE ||
	       (req->flags_ & REQ_F_ZERO_WRITE);
}

/* Puts req on q's done list with result and signals the eventfd
 * (any thread). */
void blk_complete(struct blk_req *req, int result);
/* The same without the eventfd: for the owner thread while it reaps, when
 * it runs the done list next. */
void blk_complete_quiet(struct blk_req *req, int result);

/* The buffers of a read/write: the bounce buffer, or the guest's iovecs
 * advanced past req->done_bytes into tmp (at most BLK_MAX_SEGMENTS). */
unsigned blk_req_iov(struct blk_req *req, struct iovec *tmp);

/* The fallocate mode of a discard / write-zeroes request. */
int blk_req_falloc_mode(const struct blk_req *req);

/* A write-zeroes whose hole punch was refused retries as a zero range,
 * one whose zero range was refused as writes of zeroes: true if req
 * should be resubmitted. */
bool blk_req_retry(struct blk_req *req, int result);
/* The final result of a request whose operation returned result. */
int blk_req_result(const struct blk_req *req, int result);

/* Engines. */
int blk_uring_probe(void);
int blk_uring_init(struct blk_queue *q);
void blk_uring_fini(struct blk_queue *q);
void blk_uring_submit(struct blk_queue *q, struct blk_req *req);
void blk_uring_kick(struct blk_queue *q);
void blk_uring_reap(struct blk_queue *q, bool wait);
void blk_uring_cancel_backlog(struct blk_queue *q);

int blk_pool_create(struct blk_image *img, struct blk_pool **out);
void blk_pool_destroy(struct blk_pool *p);
void blk_pool_submit(struct blk_pool *p, struct blk_req *req);
/* Completes q's queued requests with -ECANCELED and waits until none of
 * q's requests runs in a worker. */
void blk_pool_drain(struct blk_pool *p, struct blk_queue *q);

#endif
