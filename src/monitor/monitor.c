/* The monitor's Unix socket server on the main thread's event loop: the
 * listening socket (0600), its clients (non-blocking, each with a QMP
 * session and a bounded output buffer) and event broadcast.  A client
 * dropped while the loop may still hold one of its events is only marked
 * dead; an eventfd wakes the loop again to free it. */
#include "monitor/monitor.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/log.h"

#define MONITOR_READ_CHUNK 4096

struct mon_client {
	struct monitor *mon;
	int fd;
	struct loop_source src;
	struct qmp_session qmp;
	char *out;
	size_t out_len, out_cap;
	bool dead;
	struct mon_client *next;
};

struct monitor {
	struct loop *loop;
	struct qmp_server *srv;
	char *path;
	int lfd, reap_efd;
	struct loop_source lsrc, reap_src;
	struct mon_client *clients;
	unsigned nclients;
	bool bound;			/* the socket file is ours */
};

static void client_drop(struct mon_client *c, const char *why)
{
	uint64_t one = 1;

	if (c->dead)
		return;
	log_info("monitor: client %d dropped: %s", c->fd, why);
	loop_remove(c->mon->loop, &c->src);
	close(c->fd);
	c->fd = -1;
	c->dead = true;
	c->mon->nclients--;
	if (write(c->mon->reap_efd, &one, sizeof(one)) < 0)
		log_debug("monitor reaper: %s", strerror(errno));
}

/* qmp_session's write hook: queue, never block. */
static int client_queue(void *opaque, const char *buf, size_t len)
{
	struct mon_client *c = opaque;
	size_t cap = c->out_cap;
	char *p;

	if (c->dead)
		return -EPIPE;
	if (len > MONITOR_MAX_OUTPUT - c->out_len)
		return -ENOBUFS;
	while (cap < c->out_len + len)
		cap = cap ? cap * 2 : 4096;
	if (cap != c->out_cap) {
		p = realloc(c->out, cap);
		if (!p)
			return -ENOMEM;
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, buf, len);
	c->out_len += len;
	return 0;
}

/* Writes what the socket takes now; asks for EPOLLOUT for the rest. */
static void client_flush(struct mon_client *c)
{
	ssize_t n;

	while (!c->dead && c->out_len) {
		n = send(c->fd, c->out, c->out_len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			client_drop(c, "write failed");
			return;
		}
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		c->out_len -= (size_t)n;
	}
	if (!c->dead && loop_modify(c->mon->loop, &c->src,
				    EPOLLIN | (c->out_len ? EPOLLOUT : 0)))
		client_drop(c, "epoll failed");
}

static void client_read(struct mon_client *c)
{
	char buf[MONITOR_READ_CHUNK];
	ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	int ret;

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == EINTR))
		return;
	if (n <= 0) {
		client_drop(c, n ? "read failed" : "disconnected");
		return;
	}
	ret = qmp_session_input(&c->qmp, buf, (size_t)n);
	if (ret && !c->dead) {
		client_flush(c);	/* best effort: the error first */
		client_drop(c, ret == -EMSGSIZE ? "message too large"
						: "output buffer full");
	}
}

static void client_on_event(struct loop_source *src, uint32_t events)
{
	struct mon_client *c = src->opaque;

	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		client_read(c);
	if (!c->dead)
		client_flush(c);
}

static void client_free(struct mon_client *c)
{
	qmp_session_destroy(&c->qmp);
	free(c->out);
	free(c);
}

static void monitor_on_reap(struct loop_source *src, uint32_t events)
{
	struct monitor *m = src->opaque;
	struct mon_client **pp = &m->clients, *c;
	uint64_t n;

	if (read(m->reap_efd, &n, sizeof(n)) < 0)
		log_debug("monitor reaper: %s", strerror(errno));
	while ((c = *pp)) {
		if (c->dead) {
			*pp = c->next;
			client_free(c);
		} else {
			pp = &c->next;
		}
	}
}

static int monitor_add_client(struct monitor *m, int fd)
{
	struct mon_client *c = calloc(1, sizeof(*c));
	int ret;

	if (!c)
		return -ENOMEM;
	c->mon = m;
	c->fd = fd;
	c->src.fd = -1;
	ret = qmp_session_init(&c->qmp, m->srv, client_queue, c);
	ret = ret ?: loop_add(m->loop, &c->src, fd, EPOLLIN, client_on_event, c);
	if (ret) {
		client_free(c);
		return ret;
	}
	c->next = m->clients;
	m->clients = c;
	m->nclients++;
	if (qmp_session_greet(&c->qmp))
		client_drop(c, "cannot send the greeting");
	else
		client_flush(c);
	return 0;
}

static void monitor_on_accept(struct loop_source *src, uint32_t events)
{
	struct monitor *m = src->opaque;
	int fd = accept4(m->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_info("monitor: accept: %s", strerror(errno));
		return;
	}
	if (m->nclients >= MONITOR_MAX_CLIENTS) {
		log_info("monitor: refusing a client: %u already connected",
			 m->nclients);
		close(fd);
		return;
	}
	if (monitor_add_client(m, fd)) {
		log_info("monitor: cannot serve a new client");
		close(fd);
	}
}

void monitor_event(struct monitor *m, const char *name,
		   struct json_object *data)
{
	char *txt = qmp_event_format(name, data);
	struct mon_client *c;

	json_object_put(data);
	if (!txt || !m)
		goto out;
	for (c = m->clients; c; c = c->next) {
		if (c->dead || !c->qmp.negotiated)
			continue;
		if (client_queue(c, txt, strlen(txt)))
			client_drop(c, "output buffer full");
		else
			client_flush(c);
	}
out:
	free(txt);
}

unsigned monitor_clients(const struct monitor *m)
{
	return m->nclients;
}

static void monitor_on_event(void *opaque, const char *name,
			     struct json_object *data)
{
	monitor_event(opaque, name, data);
}

/* The socket file is created 0600: umask covers the bind itself, so no
 * other user can connect even for an instant. */
static int monitor_listen(struct monitor *m, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int ret;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_error("--monitor %s: path too long (at most %zu bytes)",
			  path, sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		log_error("--monitor %s: exists and is not a socket", path);
		return -EEXIST;
	}
	unlink(path);
	strcpy(sa.sun_path, path);
	m->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (m->lfd < 0)
		goto fail;
	old = umask(0177);
	ret = bind(m->lfd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	m->bound = ret == 0;
	if (ret < 0 || listen(m->lfd, MONITOR_MAX_CLIENTS) < 0)
		goto fail;
	return 0;
fail:
	ret = -errno;
	log_error("--monitor %s: %s", path, strerror(errno));
	return ret;
}

int monitor_open(struct monitor **out, const char *path, struct loop *loop,
		 struct qmp_server *srv)
{
	struct monitor *m = calloc(1, sizeof(*m));
	int ret = -ENOMEM;

	if (!m)
		return -ENOMEM;
	m->loop = loop;
	m->srv = srv;
	m->lfd = m->reap_efd = -1;
	m->lsrc.fd = m->reap_src.fd = -1;
	m->path = strdup(path);
	ret = m->path ? monitor_listen(m, path) : -ENOMEM;
	if (ret)
		goto fail;
	m->reap_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ret = m->reap_efd < 0 ? -errno : 0;
	ret = ret ?: loop_add(loop, &m->lsrc, m->lfd, EPOLLIN,
			      monitor_on_accept, m);
	ret = ret ?: loop_add(loop, &m->reap_src, m->reap_efd, EPOLLIN,
			      monitor_on_reap, m);
	if (ret) {
		log_error("--monitor %s: %s", path, strerror(-ret));
		goto fail;
	}
	srv->event = monitor_on_event;
	srv->event_opaque = m;
	*out = m;
	return 0;
fail:
	monitor_close(m);
	return ret;
}

void monitor_close(struct monitor *m)
{
	struct mon_client *c;

	if (!m)
		return;
	while ((c = m->clients)) {
		m->clients = c->next;
		if (!c->dead) {
			client_flush(c);	/* one try; it does not block */
			client_drop(c, "monitor closing");
		}
		client_free(c);
	}
	if (m->srv && m->srv->event_opaque == m)
		m->srv->event = NULL;
	loop_remove(m->loop, &m->lsrc);
	loop_remove(m->loop, &m->reap_src);
	if (m->lfd >= 0)
		close(m->lfd);
	if (m->bound)
		unlink(m->path);
	if (m->reap_efd >= 0)
		close(m->reap_efd);
	free(m->path);
	free(m);
}
