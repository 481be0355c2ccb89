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

#endif
