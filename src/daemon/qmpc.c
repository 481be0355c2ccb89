/* The QMP client of a VMM's monitor (see qmpc.h).  The VMM is ours but
 * may be hung or broken: messages are bounded, writes never wait, and
 * anything unexpected closes the connection, never the daemon. */
#include "daemon/qmpc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

uint64_t qmpc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void qmpc_init(struct qmpc *q, struct loop *loop)
{
	memset(q, 0, sizeof(*q));
	q->loop = loop;
	q->fd = -1;
}

void qmpc_close(struct qmpc *q)
{
	if (q->fd < 0)
		return;
	loop_remove(q->loop, &q->src);
	close(q->fd);
	q->fd = -1;
	if (q->tok)
		json_tokener_free(q->tok);
	q->tok = NULL;
	q->ready = false;
	q->pending = 0;
}

static void fail(struct qmpc *q)
{
	qmpc_close(q);
	if (q->closed)
		q->closed(q->opaque);
}

static int send_text(struct qmpc *q, const char *text)
{
	size_t len = strlen(text);
	ssize_t n = send(q->fd, text, len, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n == (ssize_t)len)
		return 0;
	return n < 0 ? -errno : -EAGAIN;
}

int qmpc_send(struct qmpc *q, const char *cmd, const char *id)
{
	char text[256];
	int ret;

	if (q->fd < 0 || !q->ready)
		return -ENOTCONN;
	snprintf(text, sizeof(text), "{\"execute\":\"%s\",\"id\":\"%s\"}\r\n",
		 cmd, id);
	ret = send_text(q, text);
	if (ret < 0) {
		fail(q);
		return ret;
	}
	if (q->pending++ == 0)
		q->oldest_ms = qmpc_now_ms();
	return 0;
}

bool qmpc_overdue(const struct qmpc *q, uint64_t now_ms)
{
	return q->fd >= 0 && q->pending &&
	       now_ms - q->oldest_ms > QMPC_TIMEOUT_MS;
}

static const char *str_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* One message from the VMM: the greeting, a reply or an event. */
static int message(struct qmpc *q, struct json_object *m)
{
	struct json_object *v = NULL;
	const char *name;

	if (!json_object_is_type(m, json_type_object))
		return -EPROTO;
	if (json_object_object_get_ex(m, "QMP", NULL)) {
		if (send_text(q, "{\"execute\":\"qmp_capabilities\","
				 "\"id\":\"cap\"}\r\n") < 0)
			return -EIO;
		return 0;
	}
	if ((name = str_of(m, "event"))) {
		json_object_object_get_ex(m, "data", &v);
		if (q->event)
			q->event(q->opaque, name, v);
		return 0;
	}
	name = str_of(m, "id");
	if (name && !strcmp(name, "cap")) {
		q->ready = true;
		if (q->ready_cb)
			q->ready_cb(q->opaque);
		return 0;
	}
	if (q->pending) {
		q->pending--;
		q->oldest_ms = qmpc_now_ms();
	}
	if (json_object_object_get_ex(m, "return", &v)) {
		if (q->reply)
			q->reply(q->opaque, name ? name : "", v, NULL);
	} else if (json_object_object_get_ex(m, "error", &v)) {
		const char *desc = str_of(v, "desc");

		if (q->reply)
			q->reply(q->opaque, name ? name : "", NULL,
				 desc ? desc : "error");
	} else
		return -EPROTO;
	return 0;
}

/* Splits received bytes into JSON values (json-c's incremental
 * tokener); at most QMPC_MAX_MESSAGE bytes each. */
static int input(struct qmpc *q, const char *buf, size_t len)
{
	size_t off = 0;

	while (off < len && q->fd >= 0) {
		struct json_object *m;
		size_t used;
		int ret;

		if (buf[off] == '\r' || buf[off] == '\n' || buf[off] == ' ') {
			off++;
			continue;
		}
		m = json_tokener_parse_ex(q->tok, buf + off, (int)(len - off));
		used = json_tokener_get_parse_end(q->tok);
		off += used ? used : len - off;
		q->msg_bytes += used;
		if (!m) {
			if (json_tokener_get_error(q->tok) !=
			    json_tokener_continue)
				return -EPROTO;
			if (q->msg_bytes > QMPC_MAX_MESSAGE)
				return -EMSGSIZE;
			continue;
		}
		q->msg_bytes = 0;
		ret = message(q, m);
		json_object_put(m);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void on_readable(struct loop_source *src, uint32_t events)
{
	struct qmpc *q = src->opaque;
	char buf[4096];
	ssize_t n = recv(q->fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || input(q, buf, (size_t)n) < 0) {
		if (n > 0)
			log_warn("monitor: unexpected message; disconnecting");
		if (q->fd >= 0)
			fail(q);
	}
}

int qmpc_connect(struct qmpc *q, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, ret;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret =
		    errno == ENOENT || errno == ECONNREFUSED || errno == EAGAIN
			? -EAGAIN
			: -errno;
		close(fd);
		return ret;
	}
	q->tok = json_tokener_new();
	if (!q->tok) {
		close(fd);
		return -ENOMEM;
	}
	ret = loop_add(q->loop, &q->src, fd, EPOLLIN, on_readable, q);
	if (ret < 0) {
		json_tokener_free(q->tok);
		q->tok = NULL;
		close(fd);
		return ret;
	}
	q->fd = fd;
	q->msg_bytes = 0;
	return 0;
}
