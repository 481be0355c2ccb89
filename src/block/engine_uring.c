/* The io_uring engine: one ring per queue, its completions signalled on
 * the queue's eventfd (io_uring_register_eventfd) and reaped by the
 * queue's owner thread in blk_queue_poll().  Short reads and writes are
 * resubmitted for the remainder; requests that find the submission queue
 * full wait in a per-queue backlog.
 *
 * Flags: IORING_SETUP_CLAMP only.  Not SQPOLL (a kernel thread spinning
 * per queue on a 2-core host), not SINGLE_ISSUER (a device may submit from
 * a vCPU thread and from the main loop), not COOP/DEFER_TASKRUN (those
 * post completions only when the submitter enters the kernel, and the
 * owner waits in epoll, not in io_uring_enter). */
#include "block/block_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>

#include "util/log.h"

/* Whether an io_uring with the operations we need can be set up here. */
int blk_uring_probe(void)
{
	static const int ops[] = {IORING_OP_READV, IORING_OP_WRITEV,
				  IORING_OP_FSYNC, IORING_OP_FALLOCATE};
	struct io_uring_probe *probe;
	struct io_uring ring;
	unsigned i;
	int ret;

	ret = io_uring_queue_init(4, &ring, IORING_SETUP_CLAMP);
	if (ret)
		return ret;
	probe = io_uring_get_probe_ring(&ring);
	if (!probe) {
		ret = -ENOSYS;
		goto out;
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!io_uring_opcode_supported(probe, ops[i]))
			ret = -EOPNOTSUPP;
	io_uring_free_probe(probe);
out:
	io_uring_queue_exit(&ring);
	return ret;
}

int blk_uring_init(struct blk_queue *q)
{
	int ret;

	ret = io_uring_queue_init(q->depth, &q->ring, IORING_SETUP_CLAMP);
	if (ret)
		return ret;
	ret = io_uring_register_eventfd(&q->ring, q->efd);
	if (ret) {
		io_uring_queue_exit(&q->ring);
		return ret;
	}
	q->ring_ok = true;
	return 0;
}

void blk_uring_fini(struct blk_queue *q)
{
	io_uring_queue_exit(&q->ring);
	q->ring_ok = false;
}

/* The iovecs of a read/write: the caller's on the first submission, else
 * the remainder in an array of the request's own (the kernel reads it
 * during submission; it is freed at completion).  NULL: out of memory. */
static struct iovec *rw_iov(struct blk_req *req, unsigned *n)
{
	if (req->bounce_ || (req->flags_ & REQ_F_ZERO_WRITE)) {
		*n = blk_req_iov(req, &req->one_);
		return &req->one_;
	}
	if (req->done_bytes == 0) {
		*n = req->iovcnt;
		return (struct iovec *)req->iov;
	}
	if (!req->tmpiov_)
		req->tmpiov_ = calloc(req->iovcnt, sizeof(struct iovec));
	if (!req->tmpiov_)
		return NULL;
	*n = blk_req_iov(req, req->tmpiov_);
	return req->tmpiov_;
}

/* Prepares one SQE for req; false if the SQ is full.  (A request that
 * fails here is completed and counts as prepared.) */
static bool prep(struct blk_queue *q, struct blk_req *req)
{
	bool rw = blk_req_is_rw(req);
	struct io_uring_sqe *sqe;
	struct iovec *iov = NULL;
	int fd = q->img->fd;
	uint64_t pos = req->offset + req->done_bytes;
	unsigned n = 0;

	/* At most as many in the kernel as the SQ has entries: the CQ has
	 * twice that, so it never overflows (an overflowed CQE would not
	 * signal the eventfd). */
	if (q->in_ring >= q->ring.sq.ring_entries)
		return false;
	if (rw && !(iov = rw_iov(req, &n))) {
		blk_complete(req, -ENOMEM);
		return true;
	}
	sqe = io_uring_get_sqe(&q->ring);
	if (!sqe)
		return false;
	if (rw && req->op == BLK_OP_READ)
		io_uring_prep_readv(sqe, fd, iov, n, pos);
	else if (rw)
		io_uring_prep_writev(sqe, fd, iov, n, pos);
	else if (req->op == BLK_OP_FLUSH)
		io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
	else
		io_uring_prep_fallocate(sqe, fd, blk_req_falloc_mode(req),
					req->offset, req->len);
	io_uring_sqe_set_data(sqe, req);
	req->state_ = REQ_RUNNING;
	q->in_ring++;
	return true;
}

static void backlog_push(struct blk_queue *q, struct blk_req *req)
{
	req->next_ = NULL;
	if (q->backlog_tail)
		q->backlog_tail->next_ = req;
	else
		q->backlog_head = req;
	q->backlog_tail = req;
	q->backlog++;
}

/* Moves backlog into the SQ while there is room, then submits. */
void blk_uring_kick(struct blk_queue *q)
{
	struct blk_req *req;
	int ret;

	while ((req = q->backlog_head) && prep(q, req)) {
		q->backlog_head = req->next_;
		if (!q->backlog_head)
			q->backlog_tail = NULL;
		q->backlog--;
	}
	ret = io_uring_submit(&q->ring);
	if (ret < 0 && ret != -EAGAIN && ret != -EBUSY && ret != -EINTR)
		log_error("block: io_uring_submit: %s", strerror(-ret));
	/* On -EAGAIN/-EBUSY the SQEs stay queued; the next completion (or,
	 * with none in flight, this wake-up) retries. */
	if (ret < 0 && q->in_ring && io_uring_sq_ready(&q->ring))
		(void)eventfd_write(q->efd, 1);
}

void blk_uring_submit(struct blk_queue *q, struct blk_req *req)
{
	if (q->backlog || !prep(q, req))
		backlog_push(q, req);
	if (!q->plugged)
		blk_uring_kick(q);
}

/* One CQE for req: finished, or resubmitted for what is left. */
static void handle_cqe(struct blk_queue *q, struct blk_req *req, int res)
{
	bool rw = blk_req_is_rw(req);

	q->in_ring--;
	if (rw && res > 0) {
		req->done_bytes += (uint64_t)res;
		if (req->done_bytes < req->total_) {
			backlog_push(q, req); /* short: the rest */
			return;
		}
		res = 0;
	} else if (rw && res == 0) {
		res = -EIO; /* end of file inside the image: it shrank */
	} else if (res == -EAGAIN || res == -EINTR) {
		backlog_push(q, req);
		return;
	} else if (blk_req_retry(req, res)) {
		backlog_push(q, req);
		return;
	}
	/* The owner thread reaps: run_done follows, no eventfd needed. */
	blk_complete_quiet(req, blk_req_result(req, res < 0 ? res : 0));
}

void blk_uring_reap(struct blk_queue *q, bool wait)
{
	struct io_uring_cqe *cqe;
	unsigned head, n;
	int ret;

	if (wait && q->in_ring && !io_uring_cq_ready(&q->ring)) {
		/* Submits what a plug held back, then waits. */
		ret = io_uring_submit_and_wait(&q->ring, 1);
		if (ret < 0 && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY)
			log_error("block: io_uring_submit_and_wait: %s",
				  strerror(-ret));
	}
	do {
		n = 0;
		io_uring_for_each_cqe(&q->ring, head, cqe)
		{
			handle_cqe(q, io_uring_cqe_get_data(cqe), cqe->res);
			n++;
		}
		io_uring_cq_advance(&q->ring, n);
	} while (n);
	if (q->backlog || io_uring_sq_ready(&q->ring))
		blk_uring_kick(q);
}

void blk_uring_cancel_backlog(struct blk_queue *q)
{
	struct blk_req *req, *next;

	for (req = q->backlog_head; req; req = next) {
		next = req->next_;
		/* A short transfer's remainder is an error, not a no-op:
		 * part of it happened. */
		blk_complete(req, req->done_bytes ? -EIO : -ECANCELED);
	}
	q->backlog_head = q->backlog_tail = NULL;
	q->backlog = 0;
}
