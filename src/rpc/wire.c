/* XDR filters for libvirt's remote-protocol value types, on libtirpc's
 * primitives.  Everything decoded here comes from a peer (trust
 * boundary): every length is checked against the protocol's limit before
 * anything is allocated. */
#include "rpc/wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/parse.h"

bool rpc_x_str(XDR *x, char **s, uint32_t max)
{
	u_int len;
	char *buf;

	switch (x->x_op) {
	case XDR_ENCODE:
		if (!*s || strlen(*s) > max)
			return false;
		len = strlen(*s);
		return xdr_u_int(x, &len) && xdr_opaque(x, *s, len);
	case XDR_DECODE:
		*s = NULL;
		if (!xdr_u_int(x, &len) || len > max)
			return false;
		buf = malloc(len + 1);
		if (!buf)
			return false;
		if (!xdr_opaque(x, buf, len) || memchr(buf, '\0', len)) {
			free(buf);
			return false;
		}
		buf[len] = '\0';
		*s = buf;
		return true;
	case XDR_FREE:
		free(*s);
		*s = NULL;
		return true;
	}
	return false;
}

bool rpc_x_optstr(XDR *x, char **s)
{
	bool_t present = x->x_op == XDR_ENCODE && *s != NULL;

	if (x->x_op == XDR_DECODE)
		*s = NULL;
	if (!xdr_bool(x, &present))
		return false;
	return !present || rpc_x_str(x, s, RPC_STRING_MAX);
}

bool rpc_x_uuid(XDR *x, uint8_t uuid[RPC_UUID_LEN])
{
	return xdr_opaque(x, (char *)uuid, RPC_UUID_LEN);
}

bool rpc_x_dom(XDR *x, struct rpc_dom *d)
{
	if (!rpc_x_str(x, &d->name, RPC_STRING_MAX))
		return false;
	if (rpc_x_uuid(x, d->uuid) && xdr_int32_t(x, &d->id))
		return true;
	if (x->x_op == XDR_DECODE)
		rpc_dom_clear(d);
	return false;
}

/* A present flag, then (decoding only) a value read and dropped by
 * skip; written as absent. */
static bool x_opt_skip(XDR *x, bool (*skip)(XDR *x))
{
	bool_t present = false;

	if (!xdr_bool(x, &present))
		return false;
	if (!present)
		return true;
	return x->x_op == XDR_DECODE && skip(x);
}

static bool skip_dom(XDR *x)
{
	struct rpc_dom d = {0};
	bool ok = rpc_x_dom(x, &d);

	rpc_dom_clear(&d);
	return ok;
}

/* remote_network: {name, uuid}. */
static bool skip_net(XDR *x)
{
	uint8_t uuid[RPC_UUID_LEN];
	char *name = NULL;
	bool ok = rpc_x_str(x, &name, RPC_STRING_MAX) && rpc_x_uuid(x, uuid);

	free(name);
	return ok;
}

bool rpc_x_optdom(XDR *x, bool *present, struct rpc_dom *d)
{
	bool_t p = x->x_op == XDR_ENCODE && *present;

	if (!xdr_bool(x, &p))
		return false;
	if (x->x_op == XDR_DECODE)
		*present = p;
	return !p || rpc_x_dom(x, d);
}

bool rpc_x_optdom_skip(XDR *x)
{
	return x_opt_skip(x, skip_dom);
}

bool rpc_x_node_info(XDR *x, struct rpc_node_info *n)
{
	/* "char model[32]": 32 XDR chars, four bytes each. */
	return xdr_vector(x, n->model, sizeof(n->model), sizeof(char),
			  (xdrproc_t)xdr_char) &&
	       xdr_uint64_t(x, &n->memory_kib) && xdr_int32_t(x, &n->cpus) &&
	       xdr_int32_t(x, &n->mhz) && xdr_int32_t(x, &n->nodes) &&
	       xdr_int32_t(x, &n->sockets) && xdr_int32_t(x, &n->cores) &&
	       xdr_int32_t(x, &n->threads);
}

bool rpc_x_dom_info(XDR *x, struct rpc_dom_info *i)
{
	/* unsigned char and unsigned short travel as four bytes. */
	return xdr_uint32_t(x, &i->state) && xdr_uint64_t(x, &i->max_mem_kib) &&
	       xdr_uint64_t(x, &i->mem_kib) && xdr_uint32_t(x, &i->nr_vcpu) &&
	       xdr_uint64_t(x, &i->cpu_time_ns);
}

bool rpc_x_error(XDR *x, struct rpc_error *e)
{
	char *str[3] = {NULL, NULL, NULL};
	int32_t int1 = 0, int2 = 0;
	bool ok;
	int i;

	if (x->x_op == XDR_DECODE)
		e->message = NULL;
	if (!xdr_int32_t(x, &e->code) || !xdr_int32_t(x, &e->domain) ||
	    !rpc_x_optstr(x, &e->message))
		return false;
	ok = xdr_int32_t(x, &e->level) && rpc_x_optdom_skip(x);
	for (i = 0; ok && i < 3; i++)
		ok = rpc_x_optstr(x, &str[i]);
	ok = ok && xdr_int32_t(x, &int1) && xdr_int32_t(x, &int2) &&
	     x_opt_skip(x, skip_net);
	for (i = 0; i < 3; i++)
		free(str[i]);
	if (!ok && x->x_op == XDR_DECODE)
		rpc_error_clear(e);
	return ok;
}

void rpc_dom_clear(struct rpc_dom *d)
{
	free(d->name);
	d->name = NULL;
}

void rpc_error_clear(struct rpc_error *e)
{
	free(e->message);
	e->message = NULL;
}

void rpc_uuid_format(const uint8_t u[RPC_UUID_LEN], char out[37])
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* Accepts the 8-4-4-4-12 form and 32 bare hex digits. */
int rpc_uuid_parse(const char *s, uint8_t uuid[RPC_UUID_LEN])
{
	uint8_t out[RPC_UUID_LEN];
	int n = 0, hi, lo;

	while (*s && n < RPC_UUID_LEN) {
		if (*s == '-' && (n == 4 || n == 6 || n == 8 || n == 10)) {
			s++;
			continue;
		}
		hi = parse_hexdigit(s[0]);
		lo = hi < 0 ? -1 : parse_hexdigit(s[1]);
		if (lo < 0)
			return -EINVAL;
		out[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	if (*s || n != RPC_UUID_LEN)
		return -EINVAL;
	memcpy(uuid, out, RPC_UUID_LEN);
	return 0;
}
