/* epoll-based event loop for the VMM's main thread and its I/O threads. */
#include "util/loop.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

int loop_init(struct loop *l)
{
	l->batch_len = 0;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	return l->epfd < 0 ? -errno : 0;
}

void loop_destroy(struct loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
}

int loop_add(struct loop *l, struct loop_source *src, int fd,
	     uint32_t events, loop_fn fn, void *opaque)
{
	struct epoll_event ev = { .events = events, .data.ptr = src };

	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	src->fd = fd;
	src->events = events;
	src->fn = fn;
	src->opaque = opaque;
	return 0;
}

int loop_modify(struct loop *l, struct loop_source *src, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = src };

	if (src->fd < 0)
		return -EBADF;
	if (events == src->events)
		return 0;
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, src->fd, &ev) < 0)
		return -errno;
	src->events = events;
	return 0;
}

void loop_remove(struct loop *l, struct loop_source *src)
{
	int i;

	for (i = 0; i < l->batch_len; i++)
		if (l->batch[i] == src)
			l->batch[i] = NULL;
	if (src->fd < 0)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, src->fd, NULL);
	src->fd = -1;
}

int loop_run_once(struct loop *l, int timeout_ms)
{
	struct epoll_event evs[LOOP_BATCH];
	int n, i;

	n = epoll_wait(l->epfd, evs, LOOP_BATCH, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 0; i < n; i++)
		l->batch[i] = evs[i].data.ptr;
	l->batch_len = n;
	for (i = 0; i < n; i++) {
		/* NULL: a handler earlier in this batch removed it (its
		 * owner may be gone: do not look at it). */
		struct loop_source *src = l->batch[i];

		if (src)
			src->fn(src, evs[i].events);
	}
	l->batch_len = 0;
	return n;
}
