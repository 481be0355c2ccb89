/* Synchronous libvirt RPC client over a Unix socket (see client.h).  The
 * server's replies are parsed with the same checked filters the daemon
 * uses for calls; keepalive pings are answered while waiting. */
#include "rpc/client.h"
#include "rpc/io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int rpc_client_connect(struct rpc_client *c, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	c->fd = fd;
	return 0;
}

void rpc_client_close(struct rpc_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	rpc_error_clear(&c->err);
}

/* One whole frame from the server into a malloc'd buffer. */
static int read_frame(int fd, uint8_t **out, uint32_t *outlen)
{
	uint8_t word[RPC_LEN_SIZE];
	uint32_t len;
	uint8_t *buf;
	int ret;

	ret = rpc_read_all(fd, word, sizeof(word));
	if (ret < 0)
		return ret;
	if (rpc_frame_len(word, &len) < 0)
		return -EPROTO;
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, word, sizeof(word));
	ret = rpc_read_all(fd, buf + RPC_LEN_SIZE, len - RPC_LEN_SIZE);
	if (ret < 0) {
		free(buf);
		return ret;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

static int send_pong(struct rpc_client *c, const struct rpc_header *ping)
{
	struct rpc_header h = *ping;
	uint8_t *buf;
	size_t len;
	int ret;

	h.proc = KEEPALIVE_PONG;
	ret = rpc_frame_build(&h, NULL, NULL, &buf, &len);
	if (ret < 0)
		return ret;
	ret = rpc_write_all(c->fd, buf, len);
	free(buf);
	return ret;
}

/* The next frame that is not a keepalive ping (pings are answered):
 * its header, *x on its payload, *buf to free after xdr_destroy. */
static int next_frame(struct rpc_client *c, struct rpc_header *h, XDR *x,
		      uint8_t **buf, uint32_t *len)
{
	int ret;

	for (;;) {
		ret = read_frame(c->fd, buf, len);
		if (ret < 0)
			return ret;
		if (rpc_frame_open(*buf, *len, h, x) < 0) {
			free(*buf);
			return -EPROTO;
		}
		if (h->prog != RPC_PROG_KEEPALIVE || h->proc != KEEPALIVE_PING)
			return 0;
		xdr_destroy(x);
		free(*buf);
		ret = send_pong(c, h);
		if (ret < 0)
			return ret;
	}
}

/* The server's error (status RPC_ERROR) into c->err: -EREMOTEIO, or
 * -EPROTO when it does not parse. */
static int take_error(struct rpc_client *c, XDR *x)
{
	rpc_error_clear(&c->err);
	return rpc_x_error(x, &c->err) ? -EREMOTEIO : -EPROTO;
}

/* Reads frames until the reply to serial; 0, -EREMOTEIO, -EPROTO. */
static int await_reply(struct rpc_client *c, uint32_t serial, rpc_decode_fn dec,
		       void *darg)
{
	struct rpc_header h;
	uint8_t *buf;
	uint32_t len;
	XDR x;
	int ret;

	for (;;) {
		ret = next_frame(c, &h, &x, &buf, &len);
		if (ret < 0)
			return ret;
		if (h.prog != RPC_PROG_REMOTE || h.type != RPC_REPLY ||
		    h.serial != serial) {
			/* An event or a stray message: not for this call. */
			xdr_destroy(&x);
			free(buf);
			continue;
		}
		if (h.status == RPC_OK)
			ret = !dec || dec(&x, darg) ? 0 : -EPROTO;
		else if (h.status == RPC_ERROR)
			ret = take_error(c, &x);
		else
			ret = -EPROTO;
		xdr_destroy(&x);
		free(buf);
		return ret;
	}
}

int rpc_client_call(struct rpc_client *c, int proc, rpc_encode_fn enc,
		    void *earg, rpc_decode_fn dec, void *darg)
{
	struct rpc_header h = {
	    .prog = RPC_PROG_REMOTE,
	    .vers = RPC_PROG_REMOTE_VERS,
	    .proc = proc,
	    .type = RPC_CALL,
	    .serial = c->serial++,
	    .status = RPC_OK,
	};
	uint8_t *buf;
	size_t len;
	int ret;

	ret = rpc_frame_build(&h, enc, earg, &buf, &len);
	if (ret < 0)
		return ret;
	ret = rpc_write_all(c->fd, buf, len);
	free(buf);
	if (ret < 0)
		return ret;
	return await_reply(c, h.serial, dec, darg);
}

static bool dec_auth_list(XDR *x, void *arg)
{
	uint32_t n, i, type;
	bool *none = arg;

	if (!xdr_uint32_t(x, &n) || n > 20)
		return false;
	for (i = 0; i < n; i++) {
		if (!xdr_uint32_t(x, &type))
			return false;
		if (type == RPC_AUTH_NONE)
			*none = true;
	}
	return true;
}

struct open_args {
	char *name;
	uint32_t flags;
};

static bool enc_open(XDR *x, void *arg)
{
	struct open_args *a = arg;

	return rpc_x_optstr(x, &a->name) && xdr_uint32_t(x, &a->flags);
}

int rpc_client_open(struct rpc_client *c, const char *name)
{
	struct open_args a = {.name = (char *)name};
	bool none = false;
	int ret;

	ret = rpc_client_call(c, PROC_AUTH_LIST, NULL, NULL, dec_auth_list,
			      &none);
	if (ret < 0)
		return ret;
	if (!none)
		return -EACCES;
	return rpc_client_call(c, PROC_CONNECT_OPEN, enc_open, &a, NULL, NULL);
}

int rpc_client_stream_send(struct rpc_client *c, const struct rpc_stream *st,
			   uint32_t status, const void *data, size_t len)
{
	struct rpc_header h = {
	    .prog = RPC_PROG_REMOTE,
	    .vers = RPC_PROG_REMOTE_VERS,
	    .proc = st->proc,
	    .type = RPC_STREAM,
	    .serial = st->serial,
	    .status = status,
	};
	uint8_t *buf;
	size_t flen;
	int ret;

	ret = rpc_frame_raw(&h, data ? data : "", len, &buf, &flen);
	if (ret < 0)
		return ret;
	ret = rpc_write_all(c->fd, buf, flen);
	free(buf);
	return ret;
}

int rpc_client_stream_recv(struct rpc_client *c, const struct rpc_stream *st,
			   uint8_t **data, size_t *len)
{
	const uint32_t skip = RPC_LEN_SIZE + RPC_HEADER_SIZE;
	struct rpc_header h;
	uint8_t *buf;
	uint32_t flen;
	XDR x;
	int ret;

	for (;;) {
		ret = next_frame(c, &h, &x, &buf, &flen);
		if (ret < 0)
			return ret;
		if (h.prog == RPC_PROG_REMOTE && h.type == RPC_STREAM &&
		    h.proc == st->proc && h.serial == st->serial)
			break;
		xdr_destroy(&x); /* an event: not for this stream */
		free(buf);
	}
	if (h.status == RPC_ERROR)
		ret = take_error(c, &x);
	else if (h.status != RPC_CONTINUE && h.status != RPC_OK)
		ret = -EPROTO;
	else if (h.status == RPC_OK || flen == skip)
		ret = 0; /* the end, or the empty message that says so */
	else {
		/* The frame becomes the data: the payload is raw bytes. */
		memmove(buf, buf + skip, flen - skip);
		*data = buf;
		*len = flen - skip;
		xdr_destroy(&x);
		return 1;
	}
	xdr_destroy(&x);
	free(buf);
	return ret;
}

int rpc_client_stream_finish(struct rpc_client *c, const struct rpc_stream *st)
{
	uint8_t *data;
	size_t len;
	int ret;

	ret = rpc_client_stream_send(c, st, RPC_OK, NULL, 0);
	while (ret == 0 &&
	       (ret = rpc_client_stream_recv(c, st, &data, &len)) > 0) {
		free(data); /* output that crossed the finish */
		ret = 0;
	}
	return ret;
}
