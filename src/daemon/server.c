/* The socket side of vireod (see server.h).  Each client has a bounded
 * receive buffer (one frame, at most the protocol's 32 MiB) and a bounded
 * send queue; a malformed frame closes that client alone, with one log
 * line.  Bytes from clients are untrusted (trust boundary): lengths are
 * checked before any buffer is sized from them. */
#include "daemon/server.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/dispatch.h"
#include "rpc/message.h"
#include "util/log.h"

#define MAX_CLIENTS 256
#define TX_MAX (64u * 1024 * 1024) /* queued reply bytes per client */
/* All clients' receive buffers together: room for a few messages of the
 * protocol's largest size at once, so that clients declaring 32 MiB
 * frames cannot make the daemon allocate without bound. */
#define RX_TOTAL_MAX (256u * 1024 * 1024)

struct txbuf {
	struct txbuf *next;
	uint8_t *data;
	size_t len, off;
};

struct client {
	struct client *next;
	struct server *srv;
	struct loop_source src;
	int fd;
	pid_t pid;
	struct session ss;
	uint8_t *rx;
	size_t rxlen, rxcap;
	struct txbuf *tx, **txtail;
	size_t txbytes;
	bool closing; /* close once the queue is sent */
};

static void client_free(struct client *c)
{
	struct server *s = c->srv;
	struct client **pp;
	struct txbuf *t;

	for (pp = &s->clients; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	s->nclients--;
	for (size_t i = 0; i < s->store->n; i++)
		if (s->store->doms[i]->console == &c->ss)
			s->store->doms[i]->console = NULL;
	loop_remove(&s->loop, &c->src);
	close(c->fd);
	while ((t = c->tx)) {
		c->tx = t->next;
		free(t->data);
		free(t);
	}
	s->rx_total -= c->rxcap;
	free(c->rx);
	free(c);
}

static void client_drop(struct client *c, const char *why)
{
	log_warn("client pid %d uid %u: %s; connection closed", (int)c->pid,
		 c->ss.uid, why);
	client_free(c);
}

static void update_events(struct client *c)
{
	uint32_t ev = c->closing ? 0 : EPOLLIN;

	if (c->tx)
		ev |= EPOLLOUT;
	loop_modify(&c->srv->loop, &c->src, ev);
}

/* Queues a frame (taking ownership); -ENOBUFS past TX_MAX. */
static int queue(struct client *c, uint8_t *data, size_t len)
{
	struct txbuf *t;

	if (c->txbytes + len > TX_MAX) {
		free(data);
		return -ENOBUFS;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		free(data);
		return -ENOMEM;
	}
	t->data = data;
	t->len = len;
	*c->txtail = t;
	c->txtail = &t->next;
	c->txbytes += len;
	return 0;
}

/* Sends what the socket takes; false when the client is gone. */
static bool flush_tx(struct client *c)
{
	struct txbuf *t;
	ssize_t n;

	while ((t = c->tx)) {
		n = send(c->fd, t->data + t->off, t->len - t->off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n < 0)
			return false;
		t->off += (size_t)n;
		c->txbytes -= (size_t)n;
		if (t->off < t->len)
			break;
		c->tx = t->next;
		if (!c->tx)
			c->txtail = &c->tx;
		free(t->data);
		free(t);
	}
	return !(c->closing && !c->tx);
}

/* Handles every complete frame in rx; false when c was dropped. */
static bool process_frames(struct client *c)
{
	const char *why = "";
	uint32_t len;
	uint8_t *reply;
	size_t rlen;
	int ret;

	while (c->rxlen >= RPC_LEN_SIZE && !c->closing) {
		if (rpc_frame_len(c->rx, &len) < 0) {
			client_drop(c, "a frame length past the protocol's "
				       "limit or below a header");
			return false;
		}
		if (c->rxlen < len)
			return true;
		ret = dispatch_frame(&c->srv->ctx, &c->ss, c->rx, len, &reply,
				     &rlen, &why);
		if (ret < 0) {
			client_drop(c, why);
			return false;
		}
		if (reply && queue(c, reply, rlen) < 0) {
			client_drop(c, "replies not read");
			return false;
		}
		if (!c->ss.allowed)
			c->closing = true; /* after the refusal is sent */
		memmove(c->rx, c->rx + len, c->rxlen - len);
		c->rxlen -= len;
	}
	return true;
}

/* Room for the frame under way: its declared length (checked against
 * the protocol's limit by process_frames before it gets here). */
static int grow_rx(struct client *c)
{
	size_t want = RPC_MSG_INITIAL;
	uint32_t len;
	uint8_t *p;

	if (c->rxlen >= RPC_LEN_SIZE && rpc_frame_len(c->rx, &len) == 0 &&
	    len > want)
		want = len;
	if (want <= c->rxcap)
		return 0;
	if (c->srv->rx_total - c->rxcap + want > RX_TOTAL_MAX)
		return -ENOBUFS;
	p = realloc(c->rx, want);
	if (!p)
		return -ENOMEM;
	c->srv->rx_total += want - c->rxcap;
	c->rx = p;
	c->rxcap = want;
	return 0;
}

static bool read_client(struct client *c)
{
	ssize_t n;

	if (grow_rx(c) < 0) {
		client_drop(c, "no room for its message within the daemon's "
			       "memory budget");
		return false;
	}
	n = recv(c->fd, c->rx + c->rxlen, c->rxcap - c->rxlen, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0) {
		if (n == 0 && c->rxlen)
			client_drop(c, "hung up in the middle of a message");
		else
			client_free(c);
		return false;
	}
	c->rxlen += (size_t)n;
	return process_frames(c);
}

static void on_client(struct loop_source *src, uint32_t events)
{
	struct client *c = src->opaque;

	if ((events & EPOLLIN) && !read_client(c))
		return;
	if ((events & (EPOLLHUP | EPOLLERR)) && !(events & EPOLLIN)) {
		client_free(c);
		return;
	}
	if (!flush_tx(c)) {
		client_free(c);
		return;
	}
	/* Shrink a buffer a large message left behind. */
	if (c->rxlen == 0 && c->rxcap > RPC_MSG_INITIAL) {
		c->srv->rx_total -= c->rxcap;
		free(c->rx);
		c->rx = NULL;
		c->rxcap = 0;
	}
	update_events(c);
}

static void accept_one(struct server *s, int fd)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	struct client *c;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 ||
	    s->nclients >= MAX_CLIENTS || !(c = calloc(1, sizeof(*c)))) {
		log_warn("refused a client: %s", s->nclients >= MAX_CLIENTS
						     ? "too many clients"
						     : "no credentials");
		close(fd);
		return;
	}
	c->srv = s;
	c->fd = fd;
	c->pid = cred.pid;
	c->ss.uid = cred.uid;
	c->ss.allowed = cred.uid == 0 || cred.uid == s->owner;
	c->ss.id = ++s->next_session;
	c->txtail = &c->tx;
	if (loop_add(&s->loop, &c->src, fd, EPOLLIN, on_client, c) < 0) {
		close(fd);
		free(c);
		return;
	}
	if (!c->ss.allowed)
		log_warn("client pid %d uid %u is not allowed; refusing its "
			 "calls",
			 (int)cred.pid, cred.uid);
	c->next = s->clients;
	s->clients = c;
	s->nclients++;
}

static void on_listen(struct loop_source *src, uint32_t events)
{
	struct server *s = src->opaque;
	int fd;

	while ((fd = accept4(s->listen_fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
		accept_one(s, fd);
	if (errno != EAGAIN && errno != EINTR)
		log_warn("accept: %s", strerror(errno));
}

/* A frame for one client from an event: queued; a client whose queue is
 * full is closed when it next wakes (closing), never blocking the loop. */
static void send_event(void *opaque, uint8_t *frame, size_t len)
{
	struct client *c = opaque;

	if (queue(c, frame, len) < 0) {
		log_warn("client pid %d uid %u: events not read; closing",
			 (int)c->pid, c->ss.uid);
		c->closing = true;
	}
	update_events(c);
}

static void dom_event(struct server *s, int event_id, const struct rpc_dom *dom,
		      int event, int detail)
{
	struct client *c;

	for (c = s->clients; c; c = c->next)
		if (c->ss.ncbs &&
		    dispatch_dom_event(&c->ss, event_id, dom, event, detail,
				       send_event, c) < 0)
			log_warn("no memory for a domain event");
}

static void on_lifecycle(void *opaque, const struct rpc_dom *dom, int event,
			 int detail)
{
	dom_event(opaque, EVENT_ID_LIFECYCLE, dom, event, detail);
}

static struct client *console_owner(struct server *s, const struct dom *d)
{
	struct client *c;

	for (c = s->clients; c && d->console; c = c->next)
		if (&c->ss == d->console)
			return c;
	return NULL;
}

/* Guest output (data) or its end (NULL) to the console's client, if any;
 * one that does not read it is closed, the loop never waits.  The end is
 * an empty data message, as libvirtd sends at end of file (an unasked-for
 * OK makes libvirt's client drop the connection); the session keeps the
 * stream until the client's finish, which is then confirmed. */
static void console_send(struct server *s, struct dom *d, const void *data,
			 size_t len)
{
	struct client *c = console_owner(s, d);
	uint8_t *frame;
	size_t flen;

	if (!c || dispatch_stream_out(&c->ss, data ? data : "", data ? len : 0,
				      &frame, &flen) < 0)
		return;
	if (!data)
		d->console = NULL;
	send_event(c, frame, flen);
}

static void on_console_out(void *opaque, struct dom *d, const uint8_t *buf,
			   size_t len)
{
	console_send(opaque, d, buf, len);
}

/* A VMM exited: a STOPPED event, and a transient domain is forgotten. */
static void on_stopped(void *opaque, struct dom *d, int detail)
{
	struct server *s = opaque;
	char name[DOMAIN_NAME_MAX + 1];
	struct rpc_dom r;

	console_send(s, d, NULL, 0);
	snprintf(name, sizeof(name), "%s", d->def->name);
	r.name = name;
	memcpy(r.uuid, d->def->uuid, RPC_UUID_LEN);
	r.id = -1;
	log_info("domain %s stopped", name);
	on_lifecycle(s, &r, EVENT_STOPPED, detail);
	if (!d->persistent)
		store_forget(s->store, d);
}

/* Another lifecycle change the supervisor saw (a monitor event, a
 * restart by lifecycle action). */
static void on_dom_event(void *opaque, struct dom *d, int event, int detail)
{
	struct rpc_dom r;

	r.name = d->def->name;
	memcpy(r.uuid, d->def->uuid, RPC_UUID_LEN);
	r.id = d->id;
	if (event == EVENT_STOPPED)
		console_send(opaque, d, NULL, 0);
	on_lifecycle(opaque, &r, event, detail);
}

/* A request that waited on a VMM ended: its reply, to its client if
 * that is still connected. */
static void on_done(void *opaque, const struct reply_to *r, const char *err)
{
	struct server *s = opaque;
	struct client *c;
	uint8_t *frame;
	size_t len;

	for (c = s->clients; c && c->ss.id != r->session; c = c->next)
		;
	if (!c || c->closing)
		return;
	if (dispatch_done_reply(r, err, &frame, &len) < 0) {
		log_warn("no memory for a reply");
		return;
	}
	send_event(c, frame, len);
}

/* The guest reset (libvirt's REBOOT event). */
static void on_reboot(void *opaque, struct dom *d)
{
	struct rpc_dom r;

	r.name = d->def->name;
	memcpy(r.uuid, d->def->uuid, RPC_UUID_LEN);
	r.id = d->id;
	dom_event(opaque, EVENT_ID_REBOOT, &r, 0, 0);
}

void server_attach_supervisor(struct server *s, struct supervisor *sv)
{
	sv->stopped = on_stopped;
	sv->event = on_dom_event;
	sv->reboot = on_reboot;
	sv->done = on_done;
	sv->console_out = on_console_out;
	sv->opaque = s;
	s->ctx.sup = sv;
}

static void on_signal(struct loop_source *src, uint32_t events)
{
	struct server *s = src->opaque;
	struct signalfd_siginfo si;

	if (read(s->signal_fd, &si, sizeof(si)) == sizeof(si))
		log_info("signal %u: stopping", si.ssi_signo);
	s->stop = true;
}

/* A live daemon at path?  Then refuse; a stale socket is removed. */
static int claim_path(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
		ret = -EADDRINUSE;
	else if (errno == ECONNREFUSED)
		unlink(sa->sun_path);
	close(fd);
	return ret;
}

static int listen_on(struct server *s, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	mode_t old;
	int ret;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	ret = claim_path(&sa);
	if (ret < 0)
		return ret;
	s->listen_fd =
	    socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0)
		return -errno;
	old = umask(0177); /* the socket is created 0600 */
	ret = bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (ret < 0 || listen(s->listen_fd, 64) < 0)
		return -errno;
	return 0;
}

static int signals_init(struct server *s)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	s->signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return s->signal_fd < 0 ? -errno : 0;
}

int server_init(struct server *s, const char *path, int listen_fd,
		struct store *store)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->listen_fd = s->signal_fd = -1;
	s->loop.epfd = -1;
	s->store = store;
	s->ctx = (struct daemon_ctx){store, NULL, on_lifecycle, s};
	s->owner = getuid();
	s->path = strdup(path);
	if (!s->path)
		return -ENOMEM;
	ret = loop_init(&s->loop);
	if (ret == 0 && listen_fd >= 0) {
		/* Socket-activated: the path belongs to the service manager,
		 * which keeps listening after vireod stops. */
		s->listen_fd = listen_fd;
		s->activated = true;
	} else if (ret == 0) {
		ret = listen_on(s, path);
	}
	if (ret == 0)
		ret = signals_init(s);
	if (ret == 0)
		ret = loop_add(&s->loop, &s->listen_src, s->listen_fd, EPOLLIN,
			       on_listen, s);
	if (ret == 0)
		ret = loop_add(&s->loop, &s->signal_src, s->signal_fd, EPOLLIN,
			       on_signal, s);
	if (ret < 0)
		server_destroy(s);
	return ret;
}

int server_after_fork(struct server *s)
{
	/* A signalfd wakes epoll only for the process that registered it. */
	loop_remove(&s->loop, &s->signal_src);
	close(s->signal_fd);
	s->signal_fd = -1;
	if (signals_init(s) < 0)
		return -errno;
	return loop_add(&s->loop, &s->signal_src, s->signal_fd, EPOLLIN,
			on_signal, s);
}

int server_run(struct server *s)
{
	int ret;

	while (!s->stop) {
		ret = loop_run_once(&s->loop, -1);
		if (ret < 0)
			return ret;
	}
	return 0;
}

void server_destroy(struct server *s)
{
	while (s->clients)
		client_free(s->clients);
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		if (s->path && !s->activated)
			unlink(s->path);
	}
	if (s->signal_fd >= 0)
		close(s->signal_fd);
	loop_destroy(&s->loop);
	free(s->path);
	s->path = NULL;
	s->listen_fd = s->signal_fd = -1;
}
