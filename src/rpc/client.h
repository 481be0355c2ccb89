/* The client side of the libvirt RPC protocol over a Unix socket: one
 * synchronous call at a time (what the vireo CLI needs). */
#ifndef VIREO_RPC_CLIENT_H
#define VIREO_RPC_CLIENT_H

#include "rpc/message.h"

struct rpc_client {
	int fd;
	uint32_t serial;
	struct rpc_error err; /* the server's last error (-EREMOTEIO) */
};

typedef bool (*rpc_decode_fn)(XDR *x, void *arg);

/* 0 or -errno from socket/connect. */
int rpc_client_connect(struct rpc_client *c, const char *path);
void rpc_client_close(struct rpc_client *c);

/* One REMOTE-program call.  enc writes the arguments (NULL: none), dec
 * reads the reply (NULL: none).  0; -EREMOTEIO when the server answered
 * with an error (in c->err); -EPROTO for a reply that does not parse;
 * -errno for I/O errors (-ECONNRESET when the server hung up). */
int rpc_client_call(struct rpc_client *c, int proc, rpc_encode_fn enc,
		    void *earg, rpc_decode_fn dec, void *darg);

/* The connect sequence: AUTH_LIST (expects "none") then CONNECT_OPEN
 * with name (may be NULL).  Same returns as rpc_client_call. */
int rpc_client_open(struct rpc_client *c, const char *name);

/* A stream a call opened (DOMAIN_OPEN_CONSOLE): the call's procedure
 * and serial, which its STREAM messages carry both ways. */
struct rpc_stream {
	int proc;
	uint32_t serial;
};

/* The serial of the last call made on c. */
static inline uint32_t rpc_client_last_serial(const struct rpc_client *c)
{
	return c->serial - 1;
}

/* One STREAM message: status RPC_CONTINUE with len bytes of data, or
 * RPC_OK (no data) to finish.  0 or -errno. */
int rpc_client_stream_send(struct rpc_client *c, const struct rpc_stream *st,
			   uint32_t status, const void *data, size_t len);
/* The next message of the stream st (events and pings are skipped):
 * 1 with *data (malloc'd, the caller frees it) and *len; 0 at its end
 * (an empty CONTINUE message or OK); -EREMOTEIO for the server's error
 * (in c->err); -EPROTO, or -errno (-ECONNRESET at a hang-up). */
int rpc_client_stream_recv(struct rpc_client *c, const struct rpc_stream *st,
			   uint8_t **data, size_t *len);
/* Finishes st (an OK message) and waits for the server to confirm it,
 * dropping the data still on the way.  0, or as stream_recv. */
int rpc_client_stream_finish(struct rpc_client *c, const struct rpc_stream *st);

#endif
