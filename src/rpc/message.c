/* Framing and headers of libvirt RPC messages (see message.h).  Frames
 * arrive from any local client (trust boundary): lengths are checked
 * against the protocol's limits before a buffer is sized from them. */
#include "rpc/message.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int rpc_frame_len(const uint8_t w[RPC_LEN_SIZE], uint32_t *total)
{
	uint32_t len = (uint32_t)w[0] << 24 | (uint32_t)w[1] << 16 |
		       (uint32_t)w[2] << 8 | w[3];

	if (len > RPC_MSG_MAX + RPC_LEN_SIZE)
		return -EMSGSIZE;
	if (len < RPC_LEN_SIZE + RPC_HEADER_SIZE)
		return -EBADMSG;
	*total = len;
	return 0;
}

static bool x_header(XDR *x, struct rpc_header *h)
{
	return xdr_uint32_t(x, &h->prog) && xdr_uint32_t(x, &h->vers) &&
	       xdr_int32_t(x, &h->proc) && xdr_uint32_t(x, &h->type) &&
	       xdr_uint32_t(x, &h->serial) && xdr_uint32_t(x, &h->status);
}

int rpc_frame_open(const uint8_t *frame, uint32_t len, struct rpc_header *h,
		   XDR *x)
{
	uint32_t total;

	if (len < RPC_LEN_SIZE || rpc_frame_len(frame, &total) < 0 ||
	    total != len)
		return -EBADMSG;
	xdrmem_create(x, (char *)frame + RPC_LEN_SIZE, len - RPC_LEN_SIZE,
		      XDR_DECODE);
	if (!x_header(x, h)) {
		xdr_destroy(x);
		return -EBADMSG;
	}
	return 0;
}

/* One attempt at cap bytes: 0, or -ENOSPC when the payload did not fit. */
static int build_into(uint8_t *buf, size_t cap, const struct rpc_header *h,
		      rpc_encode_fn fn, void *arg, size_t *outlen)
{
	struct rpc_header hh = *h;
	XDR x;
	uint32_t len;
	bool ok;

	xdrmem_create(&x, (char *)buf + RPC_LEN_SIZE, cap - RPC_LEN_SIZE,
		      XDR_ENCODE);
	ok = x_header(&x, &hh) && (!fn || fn(&x, arg));
	len = xdr_getpos(&x) + RPC_LEN_SIZE;
	xdr_destroy(&x);
	if (!ok)
		return -ENOSPC;
	buf[0] = len >> 24;
	buf[1] = len >> 16;
	buf[2] = len >> 8;
	buf[3] = len;
	*outlen = len;
	return 0;
}

int rpc_frame_build(const struct rpc_header *h, rpc_encode_fn fn, void *arg,
		    uint8_t **out, size_t *outlen)
{
	size_t cap = RPC_MSG_INITIAL;
	uint8_t *buf;
	int ret;

	for (;;) {
		buf = malloc(cap);
		if (!buf)
			return -ENOMEM;
		ret = build_into(buf, cap, h, fn, arg, outlen);
		if (ret == 0) {
			*out = buf;
			return 0;
		}
		free(buf);
		if (cap >= RPC_MSG_MAX + RPC_LEN_SIZE)
			return -EMSGSIZE;
		cap = cap * 4 > RPC_MSG_MAX + RPC_LEN_SIZE
			  ? RPC_MSG_MAX + RPC_LEN_SIZE
			  : cap * 4;
	}
}

int rpc_frame_raw(const struct rpc_header *h, const void *data, size_t len,
		  uint8_t **out, size_t *outlen)
{
	size_t total = RPC_LEN_SIZE + RPC_HEADER_SIZE + len;
	uint8_t *buf, *grown;
	size_t hlen;
	int ret;

	if (len > RPC_MSG_MAX - RPC_HEADER_SIZE)
		return -EMSGSIZE;
	ret = rpc_frame_build(h, NULL, NULL, &buf, &hlen);
	if (ret < 0)
		return ret;
	grown = realloc(buf, total);
	if (!grown) {
		free(buf);
		return -ENOMEM;
	}
	memcpy(grown + hlen, data, len);
	grown[0] = total >> 24;
	grown[1] = total >> 16;
	grown[2] = total >> 8;
	grown[3] = total;
	*out = grown;
	*outlen = total;
	return 0;
}

static bool enc_error(XDR *x, void *arg)
{
	return rpc_x_error(x, arg);
}

int rpc_frame_error(const struct rpc_header *call, int code, int domain,
		    const char *message, uint8_t **out, size_t *outlen)
{
	struct rpc_header h = *call;
	struct rpc_error e = {
	    .code = code,
	    .domain = domain,
	    .message = (char *)message,
	    .level = RPC_ERR_LEVEL_ERROR,
	};

	h.type = RPC_REPLY;
	h.status = RPC_ERROR;
	return rpc_frame_build(&h, enc_error, &e, out, outlen);
}
