/* Unit tests for the RPC client (src/rpc/client.c) against vireod's
 * dispatcher on the other end of a socketpair, served by a thread: the
 * connect sequence, a keepalive ping in the middle of a call, an error
 * reply decoded into libvirt's code and message, a reply that does not
 * parse, a server that hangs up, and a server that is not there; the
 * console stream's messages both ways (stream_send/recv/finish). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/dispatch.h"
#include "rpc/client.h"
#include "rpc/io.h"
#include "rpc_util.h"

enum mode { SERVE, PING_FIRST, GARBAGE_REPLY, HANG_UP };

struct server {
	int fd;
	enum mode mode;
	const char *dir;
	struct store st;
};

static void send_ping(int fd)
{
	struct rpc_header h = {RPC_PROG_KEEPALIVE, 1, KEEPALIVE_PING,
			       RPC_MESSAGE,	   0, RPC_OK};
	uint8_t *f;
	size_t len;

	if (rpc_frame_build(&h, NULL, NULL, &f, &len) == 0)
		rpc_write_all(fd, f, len);
	free(f);
}

/* Serves frames until the client hangs up. */
static void *serve(void *arg)
{
	struct server *s = arg;
	struct daemon_ctx ctx = {&s->st, NULL, NULL, NULL};
	struct session ss = {.allowed = true};
	uint8_t word[4], *frame, *reply;
	const char *why;
	size_t rlen;
	uint32_t len;

	while (rpc_read_all(s->fd, word, 4) == 0 &&
	       rpc_frame_len(word, &len) == 0) {
		frame = malloc(len);
		memcpy(frame, word, 4);
		if (rpc_read_all(s->fd, frame + 4, len - 4) < 0) {
			free(frame);
			break;
		}
		if (s->mode == HANG_UP) {
			free(frame);
			break;
		}
		if (dispatch_frame(&ctx, &ss, frame, len, &reply, &rlen,
				   &why) == 0 &&
		    reply) {
			if (s->mode == PING_FIRST)
				send_ping(s->fd);
			if (s->mode == GARBAGE_REPLY && rlen > 28)
				memset(reply + 28, 0xff, rlen - 28);
			rpc_write_all(s->fd, reply, rlen);
			free(reply);
		}
		free(frame);
	}
	close(s->fd);
	return NULL;
}

static void start(struct server *s, struct rpc_client *c, pthread_t *t,
		  enum mode mode)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	memset(c, 0, sizeof(*c));
	c->fd = sv[0];
	s->fd = sv[1];
	s->mode = mode;
	s->dir = make_tmpdir();
	assert_non_null(s->dir);
	assert_int_equal(store_open(&s->st, s->dir), 0);
	assert_int_equal(pthread_create(t, NULL, serve, s), 0);
}

static void stop(struct server *s, struct rpc_client *c, pthread_t t)
{
	rpc_client_close(c);
	pthread_join(t, NULL);
	store_close(&s->st);
	remove_tree(s->dir);
}

static bool enc_name(XDR *x, void *arg)
{
	return rpc_x_str(x, arg, RPC_STRING_MAX);
}

static bool dec_u64(XDR *x, void *arg)
{
	return xdr_uint64_t(x, arg);
}

static void test_open_and_errors(void **state)
{
	struct rpc_client c;
	struct server s;
	pthread_t t;
	char *name = "nope";
	uint64_t v = 0;

	start(&s, &c, &t, PING_FIRST);
	/* Each reply comes after a PING, which the client answers. */
	assert_int_equal(rpc_client_open(&c, "vireo:///system"), 0);
	assert_int_equal(rpc_client_call(&c, PROC_CONNECT_GET_LIB_VERSION, NULL,
					 NULL, dec_u64, &v),
			 0);
	assert_true(v > 0);
	assert_int_equal(rpc_client_call(&c, PROC_DOMAIN_LOOKUP_BY_NAME,
					 enc_name, &name, NULL, NULL),
			 -EREMOTEIO);
	assert_int_equal(c.err.code, ERR_NO_DOMAIN);
	assert_int_equal(c.err.domain, ERRDOM_DOMAIN);
	assert_non_null(strstr(c.err.message, "'nope'"));
	assert_int_equal(rpc_client_call(&c, 9999, NULL, NULL, NULL, NULL),
			 -EREMOTEIO);
	assert_int_equal(c.err.code, ERR_NO_SUPPORT);
	stop(&s, &c, t);
}

static void test_bad_server(void **state)
{
	struct rpc_client c;
	struct server s;
	pthread_t t;
	uint64_t v;

	start(&s, &c, &t, GARBAGE_REPLY);
	/* AUTH_LIST's reply: a count of 0xffffffff types. */
	assert_int_equal(rpc_client_open(&c, NULL), -EPROTO);
	stop(&s, &c, t);

	start(&s, &c, &t, HANG_UP);
	assert_int_equal(rpc_client_call(&c, PROC_CONNECT_GET_LIB_VERSION, NULL,
					 NULL, dec_u64, &v),
			 -ECONNRESET);
	stop(&s, &c, t);
}

static void test_no_daemon(void **state)
{
	struct rpc_client c;

	assert_int_equal(rpc_client_connect(&c, "/nonexistent/vireod.sock"),
			 -ENOENT);
	assert_int_equal(c.fd, -1);
	rpc_client_close(&c);
}

/* A daemon that hangs up while the client writes: -EPIPE, no SIGPIPE
 * killing the CLI. */
static void test_write_to_closed_peer(void **state)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[1]);
	assert_int_equal(rpc_write_all(sv[0], "x", 1), -EPIPE);
	close(sv[0]);
}

/* A STREAM message of the console stream (serial) to fd. */
static void put_stream(int fd, uint32_t serial, uint32_t status,
		       const char *data)
{
	struct rpc_header h = {RPC_PROG_REMOTE,
			       RPC_PROG_REMOTE_VERS,
			       PROC_DOMAIN_OPEN_CONSOLE,
			       RPC_STREAM,
			       serial,
			       status};
	uint8_t *f;
	size_t len;

	assert_int_equal(rpc_frame_raw(&h, data, strlen(data), &f, &len), 0);
	assert_int_equal(rpc_write_all(fd, f, len), 0);
	free(f);
}

/* The next frame on fd: its header and its payload's first bytes. */
static void get_frame(int fd, struct rpc_header *h, char *data, size_t max)
{
	uint8_t buf[256];
	uint32_t len;
	XDR x;

	assert_int_equal(rpc_read_all(fd, buf, 4), 0);
	assert_int_equal(rpc_frame_len(buf, &len), 0);
	assert_true(len <= sizeof(buf));
	assert_int_equal(rpc_read_all(fd, buf + 4, len - 4), 0);
	assert_int_equal(rpc_frame_open(buf, len, h, &x), 0);
	xdr_destroy(&x);
	assert_true(len - 28 < max);
	memcpy(data, buf + 28, len - 28);
	data[len - 28] = '\0';
}

static void test_stream(void **state)
{
	struct rpc_stream st = {PROC_DOMAIN_OPEN_CONSOLE, 7};
	struct rpc_client c = {.fd = -1};
	struct rpc_header h;
	uint8_t *data;
	char got[64];
	size_t len;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	c.fd = sv[0];
	send_ping(sv[1]);
	put_stream(sv[1], 6, RPC_CONTINUE, "another stream's");
	put_stream(sv[1], 7, RPC_CONTINUE, "guest output");
	put_stream(sv[1], 7, RPC_CONTINUE, ""); /* the guest is gone */
	assert_int_equal(rpc_client_stream_recv(&c, &st, &data, &len), 1);
	assert_int_equal(len, 12);
	assert_memory_equal(data, "guest output", 12);
	free(data);
	assert_int_equal(rpc_client_stream_recv(&c, &st, &data, &len), 0);
	get_frame(sv[1], &h, got, sizeof(got));
	assert_int_equal(h.proc, KEEPALIVE_PONG);

	/* Input, then a finish that output crossed, confirmed. */
	assert_int_equal(
	    rpc_client_stream_send(&c, &st, RPC_CONTINUE, "typed", 5), 0);
	get_frame(sv[1], &h, got, sizeof(got));
	assert_int_equal(h.type, RPC_STREAM);
	assert_int_equal(h.serial, 7);
	assert_int_equal(h.status, RPC_CONTINUE);
	assert_string_equal(got, "typed");
	put_stream(sv[1], 7, RPC_CONTINUE, "late output");
	put_stream(sv[1], 7, RPC_OK, "");
	assert_int_equal(rpc_client_stream_finish(&c, &st), 0);
	get_frame(sv[1], &h, got, sizeof(got));
	assert_int_equal(h.status, RPC_OK);
	assert_string_equal(got, "");

	/* A message that is not the stream's kind; a hang-up. */
	put_stream(sv[1], 7, 9, "");
	assert_int_equal(rpc_client_stream_recv(&c, &st, &data, &len), -EPROTO);
	close(sv[1]);
	assert_int_equal(rpc_client_stream_recv(&c, &st, &data, &len),
			 -ECONNRESET);
	rpc_client_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_and_errors),
	    cmocka_unit_test(test_bad_server),
	    cmocka_unit_test(test_no_daemon),
	    cmocka_unit_test(test_write_to_closed_peer),
	    cmocka_unit_test(test_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
