/* The fallback engine, for hosts where io_uring cannot be set up: a small
 * fixed pool of worker threads per image doing preadv/pwritev, fdatasync
 * and fallocate synchronously.  A finished request goes on its queue's
 * done list and the queue's eventfd is signalled; the callbacks run in the
 * queue's owner thread (blk_queue_poll), never in a worker. */
#include "block/block_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/log.h"

#define POOL_THREADS 4

struct blk_pool {
	struct blk_image *img;
	pthread_mutex_t lock;
	pthread_cond_t work;
	struct blk_req *head, *tail; /* queued, not yet running */
	bool stop;
	unsigned nthreads;
	pthread_t threads[POOL_THREADS];
};

static int do_rw(int fd, struct blk_req *req)
{
	struct iovec iov[BLK_MAX_SEGMENTS];
	unsigned n;
	ssize_t r;

	while (req->done_bytes < req->total_) {
		n = blk_req_iov(req, iov);
		if (req->op == BLK_OP_READ)
			r = preadv(fd, iov, (int)n,
				   (off_t)(req->offset + req->done_bytes));
		else
			r = pwritev(fd, iov, (int)n,
				    (off_t)(req->offset + req->done_bytes));
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO; /* end of file inside the image */
		req->done_bytes += (uint64_t)r;
	}
	return 0;
}

static int do_falloc(int fd, struct blk_req *req)
{
	int ret;

	do {
		if (req->flags_ & REQ_F_ZERO_WRITE)
			return do_rw(fd, req);
		ret = fallocate(fd, blk_req_falloc_mode(req),
				(off_t)req->offset, (off_t)req->len)
			  ? -errno
			  : 0;
	} while (ret && blk_req_retry(req, ret));
	return ret;
}

static int do_req(int fd, struct blk_req *req)
{
	switch (req->op) {
	case BLK_OP_READ:
	case BLK_OP_WRITE:
		return do_rw(fd, req);
	case BLK_OP_FLUSH:
		return fdatasync(fd) ? -errno : 0;
	case BLK_OP_DISCARD:
	case BLK_OP_WRITE_ZEROES:
		return blk_req_result(req, do_falloc(fd, req));
	}
	return -EINVAL;
}

static void *worker(void *arg)
{
	struct blk_pool *p = arg;
	struct blk_req *req;
	struct blk_queue *q;
	int ret;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->head && !p->stop)
			pthread_cond_wait(&p->work, &p->lock);
		if (!p->head)
			break;
		req = p->head;
		p->head = req->next_;
		if (!p->head)
			p->tail = NULL;
		req->state_ = REQ_RUNNING;
		pthread_mutex_unlock(&p->lock);

		ret = do_req(p->img->fd, req);
		q = req->q_;

		/* Under the pool's lock, so that a drain that saw in_pool
		 * reach 0 knows no worker touches q any more. */
		pthread_mutex_lock(&p->lock);
		blk_complete(req, ret); /* req may be gone after this */
		if (--q->in_pool == 0)
			pthread_cond_broadcast(&q->idle);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int blk_pool_create(struct blk_image *img, struct blk_pool **out)
{
	struct blk_pool *p;
	int ret = 0;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->img = img;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	for (; p->nthreads < POOL_THREADS; p->nthreads++) {
		ret =
		    -pthread_create(&p->threads[p->nthreads], NULL, worker, p);
		if (ret)
			break;
	}
	if (p->nthreads == 0) {
		blk_pool_destroy(p);
		return ret;
	}
	*out = p;
	return 0;
}

void blk_pool_destroy(struct blk_pool *p)
{
	unsigned i;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

void blk_pool_submit(struct blk_pool *p, struct blk_req *req)
{
	struct blk_queue *q = req->q_;

	req->next_ = NULL;
	pthread_mutex_lock(&p->lock);
	if (p->tail)
		p->tail->next_ = req;
	else
		p->head = req;
	p->tail = req;
	q->in_pool++;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
}

void blk_pool_drain(struct blk_pool *p, struct blk_queue *q)
{
	struct blk_req **pp, *req, *cancelled = NULL;

	pthread_mutex_lock(&p->lock);
	for (pp = &p->head; (req = *pp);) {
		if (req->q_ != q) {
			pp = &req->next_;
			continue;
		}
		*pp = req->next_;
		if (p->tail == req)
			p->tail = NULL; /* fixed below */
		req->next_ = cancelled;
		cancelled = req;
		q->in_pool--;
	}
	if (!p->tail)
		for (req = p->head; req; req = req->next_)
			p->tail = req;
	while (q->in_pool)
		pthread_cond_wait(&q->idle, &p->lock);
	pthread_mutex_unlock(&p->lock);
	for (; cancelled; cancelled = req) {
		req = cancelled->next_;
		blk_complete(cancelled, -ECANCELED);
	}
}
