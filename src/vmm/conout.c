/* Console output ring and its writer thread (see conout.h). */
#include "vmm/conout.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/deadline.h"
#include "util/log.h"

#define CONOUT_STACK_SIZE (64 * 1024)

/* Writes one chunk; false when the fd is gone for good.  A non-blocking
 * fd (a pty master) that is full drops the chunk. */
static bool conout_put(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w;

		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
		w = write(fd, p, n);
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static void *conout_thread(void *arg)
{
	struct conout *o = arg;
	bool alive = true;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	pthread_mutex_lock(&o->lock);
	for (;;) {
		size_t n;

		while (o->len == 0 && !o->stop)
			pthread_cond_wait(&o->cond, &o->lock);
		if (o->len == 0)
			break;
		n = o->cap - o->head < o->len ? o->cap - o->head : o->len;
		o->writing = true;
		pthread_mutex_unlock(&o->lock);
		if (alive && !conout_put(o->fd, o->buf + o->head, n))
			alive = false;	/* reader gone: discard from now on */
		pthread_mutex_lock(&o->lock);
		o->writing = false;
		o->head = (o->head + n) % o->cap;
		o->len -= n;
		pthread_cond_broadcast(&o->cond);
	}
	pthread_mutex_unlock(&o->lock);
	return NULL;
}

int conout_start(struct conout *o, int fd, size_t cap)
{
	pthread_attr_t attr;
	int ret;

	memset(o, 0, sizeof(*o));
	o->fd = fd;
	pthread_mutex_init(&o->lock, NULL);
	pthread_cond_init(&o->cond, NULL);
	o->inited = true;
	if (fd < 0)
		return 0;
	o->buf = malloc(cap);
	if (!o->buf)
		return -ENOMEM;
	o->cap = cap;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, CONOUT_STACK_SIZE);
	ret = pthread_create(&o->thread, &attr, conout_thread, o);
	pthread_attr_destroy(&attr);
	if (ret) {
		free(o->buf);
		o->buf = NULL;
		log_error("cannot start the console writer: %s", strerror(ret));
		return -ret;
	}
	pthread_setname_np(o->thread, "console-out");
	o->started = true;
	return 0;
}

void conout_write(struct conout *o, const uint8_t *buf, size_t len)
{
	size_t room, tail, n, i;

	if (!o->started)
		return;
	pthread_mutex_lock(&o->lock);
	room = o->cap - o->len;
	n = len < room ? len : room;
	o->dropped += len - n;
	tail = (o->head + o->len) % o->cap;
	for (i = 0; i < n; i++)
		o->buf[(tail + i) % o->cap] = buf[i];
	o->len += n;
	if (n)
		pthread_cond_broadcast(&o->cond);
	pthread_mutex_unlock(&o->lock);
}

void conout_stop(struct conout *o, unsigned drain_ms)
{
	struct timespec until = deadline_after_ms(drain_ms);
	bool stuck = false;

	if (!o->inited)
		return;
	if (!o->started)
		goto out;
	pthread_mutex_lock(&o->lock);
	o->stop = true;
	pthread_cond_broadcast(&o->cond);
	while ((o->len || o->writing) && !stuck)
		stuck = pthread_cond_timedwait(&o->cond, &o->lock, &until) ==
			ETIMEDOUT;
	pthread_mutex_unlock(&o->lock);
	/* Still blocked in write(): the reader stalled; stop waiting. */
	if (stuck)
		pthread_cancel(o->thread);
	pthread_join(o->thread, NULL);
	if (o->dropped)
		log_warn("console: %llu bytes of guest output dropped (the "
			 "console's reader did not keep up)",
			 (unsigned long long)o->dropped);
out:
	free(o->buf);
	o->buf = NULL;
	o->started = o->inited = false;
	pthread_cond_destroy(&o->cond);
	pthread_mutex_destroy(&o->lock);
}
