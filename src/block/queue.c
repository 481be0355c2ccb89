/* The life of a block request on a queue: the checks at submission (the
 * trust boundary for guest-supplied offsets, lengths and buffers), bounce
 * buffers for O_DIRECT, the completion list and eventfd, and drain. */
#include "block/block_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util/iov.h"
#include "util/log.h"

#define DEFAULT_DEPTH 128
#define MAX_DEPTH 4096

#define ZERO_CHUNK (64u << 10)

/* The source of write-zeroes where the filesystem cannot zero a range;
 * aligned for O_DIRECT. */
static char zeroes[ZERO_CHUNK] __attribute__((aligned(4096)));

int blk_queue_create(struct blk_image *img, unsigned depth,
		     struct blk_queue **out)
{
	struct blk_queue *q;
	int ret;

	if (depth > MAX_DEPTH)
		return -EINVAL;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->img = img;
	q->depth = depth ? depth : DEFAULT_DEPTH;
	q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->efd < 0) {
		ret = -errno;
		goto err_free;
	}
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->idle, NULL);
	if (img->engine == BLK_ENGINE_URING) {
		ret = blk_uring_init(q);
		if (ret)
			goto err_close;
	}
	img->queues++;
	*out = q;
	return 0;

err_close:
	pthread_cond_destroy(&q->idle);
	pthread_mutex_destroy(&q->lock);
	close(q->efd);
err_free:
	free(q);
	return ret;
}

void blk_queue_destroy(struct blk_queue *q)
{
	if (!q)
		return;
	blk_queue_drain(q);
	if (q->ring_ok)
		blk_uring_fini(q);
	q->img->queues--;
	pthread_cond_destroy(&q->idle);
	pthread_mutex_destroy(&q->lock);
	close(q->efd);
	free(q);
}

int blk_queue_eventfd(const struct blk_queue *q)
{
	return q->efd;
}

unsigned blk_queue_inflight(const struct blk_queue *q)
{
	return q->inflight;
}

static bool range_ok(const struct blk_image *img, uint64_t off, uint64_t len)
{
	uint64_t bs = img->lim.block_size;

	return off % bs == 0 && len % bs == 0 && off <= img->size &&
	       len <= img->size - off;
}

/* Checks a read/write's iovecs; sets req->total_.  Returns 1 if the
 * buffers need a bounce buffer for O_DIRECT, 0 if not, or -EINVAL. */
static int check_iov(const struct blk_image *img, struct blk_req *req)
{
	uint64_t total = 0;
	int bounce = 0;
	unsigned i;

	if (!req->iov || req->iovcnt == 0 ||
	    req->iovcnt > img->lim.max_segments)
		return -EINVAL;
	for (i = 0; i < req->iovcnt; i++) {
		const struct iovec *v = &req->iov[i];

		if (v->iov_len > img->lim.max_segment_size ||
		    (!v->iov_base && v->iov_len))
			return -EINVAL;
		total += v->iov_len;
		if (img->direct && (((uintptr_t)v->iov_base % img->mem_align) ||
				    v->iov_len % img->lim.block_size))
			bounce = 1;
	}
	if (total == 0 || total > img->lim.max_request)
		return -EINVAL;
	req->total_ = total;
	return bounce;
}

static int setup_bounce(struct blk_queue *q, struct blk_req *req)
{
	size_t align = q->img->lim.block_size > q->img->mem_align
			   ? q->img->lim.block_size
			   : q->img->mem_align;

	if (posix_memalign(&req->bounce_, align, req->total_))
		return -ENOMEM;
	/* The guest's data is read once, here. */
	if (req->op == BLK_OP_WRITE)
		iov_to_buf(req->iov, req->iovcnt, 0, req->bounce_, req->total_);
	return 0;
}

/* The trust boundary: every field of req comes from the guest. */
static int check_req(struct blk_queue *q, struct blk_req *req)
{
	const struct blk_image *img = q->img;
	int ret;

	switch (req->op) {
	case BLK_OP_READ:
	case BLK_OP_WRITE:
		if (req->op == BLK_OP_WRITE && img->o.readonly)
			return -EROFS;
		ret = check_iov(img, req);
		if (ret < 0)
			return ret;
		if (!range_ok(img, req->offset, req->total_))
			return -EINVAL;
		return ret;
	case BLK_OP_FLUSH:
		return 0;
	case BLK_OP_DISCARD:
	case BLK_OP_WRITE_ZEROES:
		if (img->o.readonly)
			return -EROFS;
		if (req->len == 0 || req->len > img->lim.max_discard ||
		    !range_ok(img, req->offset, req->len))
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

/* Requests that need no I/O at all. */
static bool is_noop(const struct blk_queue *q, const struct blk_req *req)
{
	if (req->op == BLK_OP_FLUSH)
		return q->img->o.cache == BLK_CACHE_UNSAFE ||
		       q->img->o.readonly;
	return req->op == BLK_OP_DISCARD &&
	       q->img->o.discard == BLK_DISCARD_IGNORE;
}

int blk_queue_submit(struct blk_queue *q, struct blk_req *req)
{
	int ret;

	req->q_ = q;
	req->next_ = NULL;
	req->bounce_ = NULL;
	req->tmpiov_ = NULL;
	req->done_bytes = 0;
	req->total_ = 0;
	req->result_ = 0;
	req->flags_ = 0;
	ret = check_req(q, req);
	if (ret < 0)
		return ret;
	if (q->img->engine == BLK_ENGINE_URING && q->backlog >= 4 * q->depth)
		return -EAGAIN;
	if (ret == 1) {
		ret = setup_bounce(q, req);
		if (ret)
			return ret;
	}
	q->inflight++;
	req->state_ = REQ_QUEUED;
	if (is_noop(q, req))
		blk_complete(req, 0);
	else if (q->img->engine == BLK_ENGINE_URING)
		blk_uring_submit(q, req);
	else
		blk_pool_submit(q->img->pool, req);
	return 0;
}

void blk_complete(struct blk_req *req, int result)
{
	blk_complete_quiet(req, result);
	if (eventfd_write(req->q_->efd, 1))
		log_error("block: eventfd write failed");
}

void blk_complete_quiet(struct blk_req *req, int result)
{
	struct blk_queue *q = req->q_;

	req->result_ = result;
	req->state_ = REQ_DONE;
	req->next_ = NULL;
	pthread_mutex_lock(&q->lock);
	if (q->done_tail)
		q->done_tail->next_ = req;
	else
		q->done_head = req;
	q->done_tail = req;
	pthread_mutex_unlock(&q->lock);
}

/* Runs the callbacks of everything on the done list. */
static int run_done(struct blk_queue *q)
{
	struct blk_req *req, *next;
	int n = 0;

	pthread_mutex_lock(&q->lock);
	req = q->done_head;
	q->done_head = q->done_tail = NULL;
	pthread_mutex_unlock(&q->lock);
	for (; req; req = next) {
		next = req->next_;
		if (req->bounce_) {
			if (req->op == BLK_OP_READ && req->result_ == 0)
				iov_from_buf(req->iov, req->iovcnt, 0,
					     req->bounce_, req->total_);
			free(req->bounce_);
			req->bounce_ = NULL;
		}
		free(req->tmpiov_);
		req->tmpiov_ = NULL;
		if (req->result_ == 0 &&
		    (req->op == BLK_OP_READ || req->op == BLK_OP_WRITE))
			req->done_bytes = req->total_;
		q->inflight--;
		n++;
		req->done(req, req->result_);
	}
	return n;
}

void blk_queue_plug(struct blk_queue *q)
{
	q->plugged = true;
}

void blk_queue_unplug(struct blk_queue *q)
{
	q->plugged = false;
	if (q->ring_ok)
		blk_uring_kick(q);
}

int blk_queue_poll(struct blk_queue *q)
{
	eventfd_t v;

	(void)eventfd_read(q->efd, &v); /* clear before reaping */
	if (q->ring_ok)
		blk_uring_reap(q, false);
	return run_done(q);
}

void blk_queue_drain(struct blk_queue *q)
{
	eventfd_t v;

	q->plugged = false;
	do {
		if (q->ring_ok) {
			blk_uring_cancel_backlog(q);
			while (q->in_ring)
				blk_uring_reap(q, true);
		} else if (q->img->pool) {
			blk_pool_drain(q->img->pool, q);
		}
		(void)eventfd_read(q->efd, &v);
		run_done(q);
	} while (q->inflight);
}

unsigned blk_req_iov(struct blk_req *req, struct iovec *tmp)
{
	uint64_t skip = req->done_bytes;
	int n;

	if (req->flags_ & REQ_F_ZERO_WRITE) {
		tmp[0].iov_base = zeroes;
		tmp[0].iov_len = req->total_ - skip < ZERO_CHUNK
				     ? req->total_ - skip
				     : ZERO_CHUNK;
		return 1;
	}
	if (req->bounce_) {
		tmp[0].iov_base = (char *)req->bounce_ + skip;
		tmp[0].iov_len = req->total_ - skip;
		return 1;
	}
	/* Never fails: the iovecs hold total_ bytes, in iovcnt pieces. */
	n = iov_slice(req->iov, req->iovcnt, skip, req->total_ - skip, tmp,
		      req->iovcnt);
	return n < 0 ? 0 : (unsigned)n;
}

int blk_req_falloc_mode(const struct blk_req *req)
{
	const struct blk_image *img = req->q_->img;

	if (req->op == BLK_OP_DISCARD ||
	    (req->unmap && img->o.discard == BLK_DISCARD_UNMAP &&
	     !(req->flags_ & REQ_F_ZERO_RANGE)))
		return FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
	return FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
}

bool blk_req_retry(struct blk_req *req, int result)
{
	if (req->op != BLK_OP_WRITE_ZEROES ||
	    (req->flags_ & REQ_F_ZERO_WRITE) ||
	    (result != -EOPNOTSUPP && result != -EINVAL))
		return false;
	if (blk_req_falloc_mode(req) & FALLOC_FL_PUNCH_HOLE) {
		req->flags_ |= REQ_F_ZERO_RANGE;
		return true;
	}
	req->flags_ |= REQ_F_ZERO_WRITE;
	req->total_ = req->len;
	req->done_bytes = 0;
	return true;
}

/* The final result of a request whose operation returned result. */
int blk_req_result(const struct blk_req *req, int result)
{
	/* A discard is a hint: a filesystem that cannot punch holes has
	 * done what it can. */
	if (req->op == BLK_OP_DISCARD && result == -EOPNOTSUPP)
		return 0;
	return result;
}
