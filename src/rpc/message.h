/* libvirt RPC messages: the 4-byte length word (which counts itself), the
 * 24-byte header (program, version, procedure, type, serial, status) and
 * an XDR payload.  Building a message and checking an incoming one; no
 * I/O here. */
#ifndef VIREO_RPC_MESSAGE_H
#define VIREO_RPC_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <rpc/xdr.h>

#include "rpc/wire.h"

struct rpc_header {
	uint32_t prog;
	uint32_t vers;
	int32_t proc;
	uint32_t type;
	uint32_t serial;
	uint32_t status;
};

/* The whole frame's length (length word included) from its first four
 * bytes: 0, or -EMSGSIZE past RPC_MSG_MAX + 4, -EBADMSG when shorter
 * than a header. */
int rpc_frame_len(const uint8_t word[RPC_LEN_SIZE], uint32_t *total);

/* Decode the header of a complete frame (length word included) and set
 * *x to read its payload.  0, or -EBADMSG. */
int rpc_frame_open(const uint8_t *frame, uint32_t len, struct rpc_header *h,
		   XDR *x);

/* Writes a payload; false when it does not fit (the buffer then grows). */
typedef bool (*rpc_encode_fn)(XDR *x, void *arg);

/* A complete frame (length word, header, payload from fn, which may be
 * NULL for none) in a malloc'd buffer.  0, -ENOMEM, or -EMSGSIZE when the
 * payload cannot fit RPC_MSG_MAX. */
int rpc_frame_build(const struct rpc_header *h, rpc_encode_fn fn, void *arg,
		    uint8_t **out, size_t *outlen);

/* A stream frame (type RPC_STREAM): the header, then len raw bytes
 * (stream data is not XDR-encoded).  Same returns as rpc_frame_build. */
int rpc_frame_raw(const struct rpc_header *h, const void *data, size_t len,
		  uint8_t **out, size_t *outlen);

/* The reply frame to a call that failed: status RPC_ERROR, a remote_error
 * payload with this code, domain and message. */
int rpc_frame_error(const struct rpc_header *call, int code, int domain,
		    const char *message, uint8_t **out, size_t *outlen);

#endif
